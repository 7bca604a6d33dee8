//! The AWS CLI's shorthand syntax (`Key=a,Value=b`, `a=b,c=d`, `Rules=[{X=1},{X=2}]`), parsed
//! as awscli 1.44's `shorthand.py` parses it: first a purely syntactic parse, then the
//! back-compatibility pass that uses the parameter's type (from the operation table) to turn
//! `"false"` into a boolean, `"7"` into a number and a lone value into a one-element list.

use std::path::Path;

use base64::Engine as _;
use regex::Regex;
use serde_json::{Map, Value as Json};

use crate::sim::ops::ParamType;

/// A shorthand value that does not parse: the AWS CLI's message, with the caret line.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ShorthandError(pub(super) String);

/// Whether the AWS CLI parses a value of this type as shorthand: structures, maps and lists of
/// those (a list of scalars is one value per word instead).
pub(super) fn supports_shorthand(ty: &ParamType) -> bool {
    match ty {
        ParamType::Shape(_) | ParamType::Structure | ParamType::StringMap => true,
        ParamType::List(m) => matches!(
            m,
            ParamType::Shape(_) | ParamType::Structure | ParamType::StringMap | ParamType::List(_)
        ),
        _ => false,
    }
}

struct Regexes {
    first: Regex,
    second: Regex,
    single: Regex,
    double: Regex,
}

fn regexes() -> &'static Regexes {
    static R: std::sync::OnceLock<Regexes> = std::sync::OnceLock::new();
    R.get_or_init(|| {
        // shorthand.py's character classes, with Python's \uffff as the upper bound.
        let start = r"!#-&\(-\+\--<>-Z\\-z\x{7c}-\x{ffff}";
        let first_follow = r"\s!#-&\(-\+\--\\\\\^-\|~-\x{ffff}";
        let second_follow = r"\s!#-&\(-\+\--<>-\x{ffff}";
        let esc = r"(\\,)";
        let build = |follow: &str| {
            Regex::new(&format!("^({esc}|[{start}])({esc}|[{follow}])*"))
                .unwrap_or_else(|e| unreachable!("shorthand regex: {e}"))
        };
        Regexes {
            first: build(first_follow),
            second: build(second_follow),
            single: Regex::new(r#"^'(?:\\'|[^'])*'"#).unwrap_or_else(|e| unreachable!("{e}")),
            double: Regex::new(r#"^"(?:\\"|[^"])*""#).unwrap_or_else(|e| unreachable!("{e}")),
        }
    })
}

/// Parses one shorthand word (`a=b,c=d`) into an object; `base` resolves `key@=file://...`.
pub(super) fn parse(input: &str, base: &Path) -> Result<Json, ShorthandError> {
    Parser {
        chars: input.chars().collect(),
        input,
        i: 0,
        paramfiles: false,
        base,
    }
    .parameter()
}

struct Parser<'a> {
    chars: Vec<char>,
    input: &'a str,
    i: usize,
    /// `key@=value`: the value names a file (`file://`, `fileb://`).
    paramfiles: bool,
    base: &'a Path,
}

type R<T> = Result<T, ShorthandError>;

impl Parser<'_> {
    fn eof(&self) -> bool {
        self.i >= self.chars.len()
    }

    fn current(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn rest(&self) -> String {
        self.chars[self.i.min(self.chars.len())..].iter().collect()
    }

    /// The input with a caret under the failing position (shorthand.py `_error_location`).
    fn location(&self, index: usize) -> String {
        let before: String = self.chars[..index.min(self.chars.len())].iter().collect();
        let mut consumed = self.input.to_string();
        let mut remaining = String::new();
        let mut spaces = index;
        if let Some(nl) = before.rfind('\n') {
            spaces = index - before[..nl].chars().count() - 1;
        }
        let after: String = self.chars[index.min(self.chars.len())..].iter().collect();
        if let Some(nl) = after.find('\n') {
            let at = before.len() + nl;
            consumed = self.input[..at].to_string();
            remaining = self.input[at..].to_string();
        }
        format!("{consumed}\n{}^{remaining}", " ".repeat(spaces))
    }

    fn syntax(&self, expected: &str, actual: &str) -> ShorthandError {
        ShorthandError(format!(
            "Expected: '{expected}', received: '{actual}' for input:\n{}",
            self.location(self.i)
        ))
    }

    fn whitespace(&mut self) {
        while self
            .current()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'))
        {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: char, ws: bool) -> R<()> {
        if ws {
            self.whitespace();
        }
        match self.current() {
            None => return Err(self.syntax(&c.to_string(), "EOF")),
            Some(a) if a != c => return Err(self.syntax(&c.to_string(), &a.to_string())),
            Some(_) => self.i += 1,
        }
        if ws {
            self.whitespace();
        }
        Ok(())
    }

    fn parameter(&mut self) -> R<Json> {
        let mut params = Map::new();
        let (k, v) = self.keyval()?;
        params.insert(k, v);
        let mut last = self.i;
        while !self.eof() {
            self.expect(',', true)?;
            let (k, v) = self.keyval()?;
            if params.contains_key(&k) {
                return Err(ShorthandError(format!(
                    "Second instance of key \"{k}\" encountered for input:\n{}\nThis is often because there is a preceding \",\" instead of a space.",
                    self.location(last + 1)
                )));
            }
            params.insert(k, v);
            last = self.i;
        }
        Ok(Json::Object(params))
    }

    fn at_sign(&mut self) {
        self.paramfiles = false;
        let save = self.i;
        self.whitespace();
        if self.current() == Some('@') {
            self.i += 1;
            self.whitespace();
            self.paramfiles = true;
        } else {
            self.i = save;
        }
    }

    fn keyval(&mut self) -> R<(String, Json)> {
        let key = self.key();
        self.at_sign();
        self.expect('=', true)?;
        let v = self.values()?;
        Ok((key, v))
    }

    fn key(&mut self) -> String {
        let start = self.i;
        while self
            .current()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "-_.#/:".contains(c))
        {
            self.i += 1;
        }
        self.chars[start..self.i].iter().collect()
    }

    fn values(&mut self) -> R<Json> {
        match self.current() {
            None => Ok(Json::String(String::new())),
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            Some(_) => self.csv_value(),
        }
    }

    fn csv_value(&mut self) -> R<Json> {
        let first = self.first_value()?;
        self.whitespace();
        if self.eof() || self.current() != Some(',') {
            return Ok(first);
        }
        self.expect(',', true)?;
        let mut list = vec![first.clone()];
        loop {
            match self.second_value().and_then(|v| {
                self.whitespace();
                if self.eof() {
                    return Ok((v, true));
                }
                self.expect(',', true).map(|()| (v, false))
            }) {
                Ok((v, done)) => {
                    list.push(v);
                    if done {
                        break;
                    }
                }
                Err(e) => {
                    if self.eof() {
                        return Err(e);
                    }
                    // Back to the comma before the key of the next key=value.
                    while self.i > 0 && self.current() != Some(',') {
                        self.i -= 1;
                    }
                    break;
                }
            }
        }
        Ok(if list.len() == 1 {
            first
        } else {
            Json::Array(list)
        })
    }

    fn explicit_list(&mut self) -> R<Json> {
        self.expect('[', true)?;
        let mut values = Vec::new();
        while self.current() != Some(']') {
            values.push(self.explicit_value()?);
            self.whitespace();
            if self.current() != Some(']') {
                self.expect(',', false)?;
                self.whitespace();
            }
        }
        self.expect(']', false)?;
        Ok(Json::Array(values))
    }

    fn explicit_value(&mut self) -> R<Json> {
        match self.current() {
            Some('[') => self.explicit_list(),
            Some('{') => self.hash_literal(),
            _ => self.first_value(),
        }
    }

    fn hash_literal(&mut self) -> R<Json> {
        self.expect('{', true)?;
        let mut m = Map::new();
        while self.current() != Some('}') {
            let key = self.key();
            self.at_sign();
            self.expect('=', true)?;
            let v = self.explicit_value()?;
            self.whitespace();
            if self.current() != Some('}') {
                self.expect(',', false)?;
                self.whitespace();
            }
            m.insert(key, v);
        }
        self.expect('}', false)?;
        Ok(Json::Object(m))
    }

    fn first_value(&mut self) -> R<Json> {
        match self.current() {
            Some('\'') => self.quoted(true),
            Some('"') => self.quoted(false),
            _ => {
                let rest = self.rest();
                let text = match regexes().first.find(&rest) {
                    Some(m) => {
                        self.i += m.as_str().chars().count();
                        m.as_str().replace("\\,", ",").trim_end().to_string()
                    }
                    None => String::new(),
                };
                self.resolved(text)
            }
        }
    }

    fn second_value(&mut self) -> R<Json> {
        match self.current() {
            Some('\'') => self.quoted(true),
            Some('"') => self.quoted(false),
            _ => {
                let rest = self.rest();
                let Some(m) = regexes().second.find(&rest) else {
                    return Err(self.syntax("<second>", "<none>"));
                };
                self.i += m.as_str().chars().count();
                let text = m.as_str().replace("\\,", ",").trim_end().to_string();
                self.resolved(text)
            }
        }
    }

    fn quoted(&mut self, single: bool) -> R<Json> {
        let rest = self.rest();
        let (re, q, name) = if single {
            (&regexes().single, '\'', "singled quoted")
        } else {
            (&regexes().double, '"', "double quoted")
        };
        let Some(m) = re.find(&rest) else {
            return Err(self.syntax(&format!("<{name}>"), "<none>"));
        };
        self.i += m.as_str().chars().count();
        let inner = &m.as_str()[1..m.as_str().len() - 1];
        let text = inner
            .replace(&format!("\\{q}"), &q.to_string())
            .replace("\\\\", "\\");
        self.resolved(text)
    }

    /// `key@=file://path`: the file's text (`fileb://`: its bytes, base64 as blobs travel).
    fn resolved(&self, text: String) -> R<Json> {
        if !self.paramfiles {
            return Ok(Json::String(text));
        }
        let (path, binary) = match (text.strip_prefix("fileb://"), text.strip_prefix("file://")) {
            (Some(p), _) => (p, true),
            (None, Some(p)) => (p, false),
            _ => return Ok(Json::String(text)),
        };
        let full = self.base.join(path);
        let bytes = std::fs::read(&full)
            .map_err(|e| ShorthandError(format!("Unable to load paramfile {text}: {e}")))?;
        Ok(Json::String(if binary {
            base64::engine::general_purpose::STANDARD.encode(bytes)
        } else {
            String::from_utf8_lossy(&bytes).into_owned()
        }))
    }
}

/// shorthand.py's BackCompatVisitor: converts parsed strings by the model's types (integers,
/// booleans) and wraps a lone value where the model wants a list.
pub(super) fn back_compat(value: &mut Json, ty: &ParamType) {
    match ty {
        ParamType::Shape(members) => {
            if let Json::Object(m) = value {
                for p in *members {
                    if let Some(v) = m.get_mut(p.name) {
                        back_compat(v, &p.ty);
                    }
                }
            }
        }
        ParamType::List(member) => match value {
            Json::Array(items) => items.iter_mut().for_each(|v| back_compat(v, member)),
            Json::Null => {}
            other => *other = Json::Array(vec![other.take()]),
        },
        ParamType::Integer => {
            if let Some(n) = value.as_str().and_then(|s| s.trim().parse::<i64>().ok()) {
                *value = Json::from(n);
            }
        }
        ParamType::Boolean => {
            if let Some(s) = value.as_str() {
                if s.eq_ignore_ascii_case("true") {
                    *value = Json::Bool(true);
                } else if s.eq_ignore_ascii_case("false") {
                    *value = Json::Bool(false);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> Json {
        parse(s, Path::new(".")).unwrap_or_else(|e| panic!("{s}: {}", e.0))
    }

    #[test]
    fn shorthand_parses_as_the_aws_cli_does() {
        assert_eq!(p("Key=a,Value=b"), json!({"Key": "a", "Value": "b"}));
        assert_eq!(p("a=b,c=d"), json!({"a": "b", "c": "d"}));
        // A value list: the second item has no '=' after it.
        assert_eq!(p("a=b,c,d=e"), json!({"a": ["b", "c"], "d": "e"}));
        assert_eq!(p("a=b,c"), json!({"a": ["b", "c"]}));
        assert_eq!(
            p(
                "Rules=[{ApplyServerSideEncryptionByDefault={SSEAlgorithm=aws:kms,KMSMasterKeyID=alias/k}},{BucketKeyEnabled=true}]"
            ),
            json!({"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"}},
                {"BucketKeyEnabled": "true"}
            ]})
        );
        assert_eq!(p("a=[b,c],d=[]"), json!({"a": ["b", "c"], "d": []}));
        assert_eq!(p("a='x,y',b=\"q=r\""), json!({"a": "x,y", "b": "q=r"}));
        assert_eq!(p(r"a=x\,y"), json!({"a": "x,y"}));
        assert_eq!(p("a="), json!({"a": ""}));
        assert_eq!(p("a = b , c = d"), json!({"a": "b", "c": "d"}));
        assert_eq!(
            p("Objects=[{Key=a.txt},{Key=b.txt}],Quiet=false"),
            json!({"Objects": [{"Key": "a.txt"}, {"Key": "b.txt"}], "Quiet": "false"})
        );
    }

    #[test]
    fn shorthand_errors_point_where_the_aws_cli_points() {
        let e = parse("TagKey=a,TagValue=b,TagKey=c", Path::new(".")).unwrap_err();
        assert_eq!(
            e.0,
            "Second instance of key \"TagKey\" encountered for input:\nTagKey=a,TagValue=b,TagKey=c\n                    ^\nThis is often because there is a preceding \",\" instead of a space."
        );
        let e = parse("BlockPublicAcls=false,IgnorePublicAcls==x", Path::new(".")).unwrap_err();
        assert_eq!(
            e.0,
            "Expected: ',', received: '=' for input:\nBlockPublicAcls=false,IgnorePublicAcls==x\n                                       ^"
        );
        let e = parse("abc", Path::new(".")).unwrap_err();
        assert!(e.0.starts_with("Expected: '=', received: 'EOF'"), "{}", e.0);
    }

    #[test]
    fn the_model_converts_booleans_numbers_and_lone_list_values() {
        use crate::sim::ops::param::opt;
        const S: ParamType = ParamType::Shape(&[
            opt("On", ParamType::Boolean),
            opt("N", ParamType::Integer),
            opt("L", ParamType::List(&ParamType::String)),
        ]);
        let mut v = p("On=false,N=7,L=x");
        back_compat(&mut v, &S);
        assert_eq!(v, json!({"On": false, "N": 7, "L": ["x"]}));
        let mut v = p("On=maybe");
        back_compat(&mut v, &S);
        assert_eq!(v, json!({"On": "maybe"}));
    }
}
