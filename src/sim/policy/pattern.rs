//! Wildcard patterns and policy variables: Resource and condition values compiled once
//! (`${aws:username}`, `${key, 'default'}`, `${*}`), and the matchers that run on them: `*`/`?`
//! globbing in linear space, and ARN matching part by part.
//!
//! It does not know what a pattern is matched against (see `evaluate` and `condition`).

use std::borrow::Cow;

use super::model::{RequestContext, lookup};

/// A Resource or condition value, with its policy variables pre-split.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    pub(super) raw: String,
    /// `None` when the value has no policy variables (the common, allocation-free case).
    pub(super) parts: Option<Vec<Part>>,
}

#[derive(Debug, Clone)]
pub(super) enum Part {
    /// Policy text; `*` and `?` in it are wildcards for the Like operators.
    Text(String),
    /// `${key}` or `${key, 'default'}`.
    Var {
        key: String,
        default: Option<String>,
    },
    /// `${*}`, `${?}`, `${$}`: a literal character, never a wildcard.
    Literal(char),
}

pub(super) fn compile_pattern(raw: &str, variables: bool) -> Pattern {
    if !variables || !raw.contains("${") {
        return Pattern {
            raw: raw.to_owned(),
            parts: None,
        };
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(pos) = rest.find("${") {
        text.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let Some(end) = after.find('}') else {
            text.push_str(&rest[pos..]);
            rest = "";
            break;
        };
        let inner = &after[..end];
        match parse_variable(inner) {
            Some(part) => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(part);
            }
            // Not a well-formed variable: keep it as text, as written.
            None => text.push_str(&rest[pos..pos + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Pattern {
        raw: raw.to_owned(),
        parts: Some(parts),
    }
}

fn parse_variable(inner: &str) -> Option<Part> {
    let inner = inner.trim();
    match inner {
        "*" => return Some(Part::Literal('*')),
        "?" => return Some(Part::Literal('?')),
        "$" => return Some(Part::Literal('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default.len() >= 2 && default.starts_with('\'') && default.ends_with('\'');
            if !quoted {
                return None;
            }
            (
                key.trim(),
                Some(default[1..default.len() - 1].replace("''", "'")),
            )
        }
        None => (inner, None),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    Some(Part::Var {
        key: key.to_owned(),
        default,
    })
}

/// One element of a compiled wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
    /// `*`: any run of characters, `/` and `:` included.
    Star,
    /// `?`: exactly one character.
    Quest,
    Byte(u8),
}

/// A wildcard pattern: raw policy text (where `*`/`?` are wildcards) or tokens produced by
/// policy-variable substitution (where substituted text is always literal).
trait PatSeq {
    fn tok(&self, i: usize) -> Tok;
}

impl PatSeq for [u8] {
    fn tok(&self, i: usize) -> Tok {
        match self[i] {
            b'*' => Tok::Star,
            b'?' => Tok::Quest,
            b => Tok::Byte(b),
        }
    }
}

impl PatSeq for [Tok] {
    fn tok(&self, i: usize) -> Tok {
        self[i]
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Classic two-pointer wildcard match of `pat[start..end]` against all of `text`: remembers only
/// the last `*`, so it never recurses and runs in O(pattern × text) at worst. `?` consumes one
/// UTF-8 character. `fold` compares ASCII letters case-insensitively.
fn glob_range<P: PatSeq + ?Sized>(
    pat: &P,
    start: usize,
    end: usize,
    text: &[u8],
    fold: bool,
) -> bool {
    let (mut p, mut t) = (start, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < end {
            match pat.tok(p) {
                Tok::Star => {
                    p += 1;
                    resume = Some((p, t));
                    continue;
                }
                Tok::Quest => {
                    p += 1;
                    t = (t + utf8_len(text[t])).min(text.len());
                    continue;
                }
                Tok::Byte(b) => {
                    let same = if fold {
                        b.eq_ignore_ascii_case(&text[t])
                    } else {
                        b == text[t]
                    };
                    if same {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        // Mismatch: let the last `*` swallow one more character and retry after it.
        let Some((star_p, star_t)) = resume else {
            return false;
        };
        let next_t = (star_t + utf8_len(text[star_t])).min(text.len());
        resume = Some((star_p, next_t));
        p = star_p;
        t = next_t;
    }
    while p < end && pat.tok(p) == Tok::Star {
        p += 1;
    }
    p == end
}

/// ArnLike/ArnEquals: both sides split into the six colon-separated ARN parts (the last part
/// keeps any further colons) and each part matched on its own, case-sensitively.
fn arn_match<P: PatSeq + ?Sized>(pat: &P, pat_len: usize, text: &str) -> bool {
    let Some(pat_bounds) = arn_bounds(pat_len, |i| pat.tok(i) == Tok::Byte(b':')) else {
        return false;
    };
    let tb = text.as_bytes();
    let Some(text_bounds) = arn_bounds(tb.len(), |i| tb[i] == b':') else {
        return false;
    };
    (0..6).all(|k| {
        let (ps, pe) = (pat_bounds[k], pat_bounds[k + 1] - usize::from(k < 5));
        let (ts, te) = (text_bounds[k], text_bounds[k + 1] - usize::from(k < 5));
        glob_range(pat, ps, pe, &tb[ts..te], false)
    })
}

/// Start offsets of the six ARN parts, then the total length. Part `k < 5` ends at the colon
/// just before start `k + 1`; the last part runs to the end, colons included.
fn arn_bounds(len: usize, is_colon: impl Fn(usize) -> bool) -> Option<[usize; 7]> {
    let mut bounds = [0usize; 7];
    let mut found = 0;
    for i in 0..len {
        if is_colon(i) {
            found += 1;
            bounds[found] = i + 1;
            if found == 5 {
                break;
            }
        }
    }
    if found < 5 {
        return None;
    }
    bounds[6] = len;
    Some(bounds)
}

/// A pattern ready to match: borrowed policy text or substituted tokens.
pub(super) enum Glob<'a> {
    Raw(&'a [u8]),
    Toks(Vec<Tok>),
}

impl Glob<'_> {
    pub(super) fn matches(&self, text: &str, fold: bool) -> bool {
        match self {
            Glob::Raw(p) => glob_range(*p, 0, p.len(), text.as_bytes(), fold),
            Glob::Toks(t) => glob_range(t.as_slice(), 0, t.len(), text.as_bytes(), fold),
        }
    }

    pub(super) fn matches_arn(&self, text: &str) -> bool {
        match self {
            Glob::Raw(p) => arn_match(*p, p.len(), text),
            Glob::Toks(t) => arn_match(t.as_slice(), t.len(), text),
        }
    }
}

/// A policy variable that has no value in the request and no default: AWS then treats the
/// statement as not applying.
pub(super) struct Unresolved<'p>(pub(super) &'p str);

impl Pattern {
    /// The value of a variable: the request's single value for the key, else the default.
    pub(super) fn variable<'a>(
        key: &str,
        default: &'a Option<String>,
        ctx: &'a RequestContext,
    ) -> Option<&'a str> {
        lookup(ctx, key).single().or(default.as_deref())
    }

    /// The value with variables substituted, wildcards kept as plain characters.
    pub(super) fn literal<'p>(
        &'p self,
        ctx: &RequestContext,
    ) -> Result<Cow<'p, str>, Unresolved<'p>> {
        let Some(parts) = &self.parts else {
            return Ok(Cow::Borrowed(&self.raw));
        };
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Literal(c) => out.push(*c),
                Part::Var { key, default } => {
                    out.push_str(Self::variable(key, default, ctx).ok_or(Unresolved(key))?)
                }
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The value as a wildcard pattern; substituted text never acts as a wildcard.
    pub(super) fn glob<'p>(&'p self, ctx: &RequestContext) -> Result<Glob<'p>, Unresolved<'p>> {
        let Some(parts) = &self.parts else {
            return Ok(Glob::Raw(self.raw.as_bytes()));
        };
        let mut toks = Vec::new();
        for part in parts {
            match part {
                Part::Text(t) => {
                    let bytes = t.as_bytes();
                    toks.extend((0..bytes.len()).map(|i| bytes.tok(i)));
                }
                Part::Literal(c) => {
                    let mut buf = [0u8; 4];
                    toks.extend(c.encode_utf8(&mut buf).bytes().map(Tok::Byte));
                }
                Part::Var { key, default } => {
                    let value = Self::variable(key, default, ctx).ok_or(Unresolved(key))?;
                    toks.extend(value.bytes().map(Tok::Byte));
                }
            }
        }
        Ok(Glob::Toks(toks))
    }
}

pub(super) fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.as_bytes();
    glob_range(p, 0, p.len(), action.as_bytes(), true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::test_support::*;
    use proptest::prelude::*;
    use serde_json::json;

    // --- wildcard matching ------------------------------------------------------------------

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        assert!(action_allowed("s3:GetObject", "s3:GetObject"));
        assert!(action_allowed("S3:getobject", "s3:GetObject"));
        assert!(action_allowed("s3:Get*", "s3:GetObjectVersion"));
        assert!(!action_allowed("s3:Get*", "s3:PutObject"));
        assert!(action_allowed("iam:*AccessKey*", "iam:CreateAccessKey"));
        assert!(action_allowed("iam:*AccessKey*", "iam:ListAccessKeys"));
        assert!(!action_allowed("iam:*AccessKey*", "iam:ListUsers"));
        assert!(action_allowed("*", "kms:Decrypt"));
        assert!(action_allowed("kms:*", "kms:Decrypt"));
        assert!(!action_allowed("kms:*", "s3:GetObject"));
        assert!(action_allowed("kms:?ncrypt", "kms:Encrypt"));
        assert!(!action_allowed("kms:?ncrypt", "kms:Decrypt"));
        assert!(!action_allowed("kms:Decrypt", "kms:DecryptX"));
        let ctx = RequestContext::new(user("a"), "s3:GetObject", "*");
        assert!(applies(
            json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            &ctx
        ));
        let ctx = RequestContext::new(user("a"), "iam:ListUsers", "*");
        assert!(!applies(
            json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            &ctx
        ));
    }

    #[test]
    fn resources_match_case_sensitively_and_star_spans_separators() {
        assert!(resource_allowed("*", "arn:aws:s3:::bucket/a"));
        assert!(resource_allowed(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c.txt"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::Bucket/*",
            "arn:aws:s3:::bucket/a"
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::*",
            "arn:aws:s3:::bucket/a:b"
        ));
        assert!(resource_allowed(
            "arn:aws:kms:*:123456789012:key/*",
            KEY_ARN
        ));
        assert!(!resource_allowed(
            "arn:aws:kms:*:210987654321:key/*",
            KEY_ARN
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::buucket"
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::b/*/x/*",
            "arn:aws:s3:::b/1/2/x/3"
        ));
        assert!(!resource_allowed(
            "arn:aws:kms:us-east-1:123456789012:key/*",
            "*"
        ));
        let ctx = RequestContext::new(user("a"), "s3:GetObject", "arn:aws:s3:::secret/x");
        assert!(!applies(
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret/*"}),
            &ctx
        ));
        assert!(applies(
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::public/*"}),
            &ctx
        ));
    }

    #[test]
    fn glob_handles_utf8_and_pathological_patterns() {
        let p = "arn:aws:s3:::b/?.txt";
        assert!(glob_range(
            p.as_bytes(),
            0,
            p.len(),
            "arn:aws:s3:::b/é.txt".as_bytes(),
            false
        ));
        let pat = "a*a*a*a*a*a*a*a*a*b";
        let text = "a".repeat(20_000);
        let start = std::time::Instant::now();
        assert!(!glob_range(
            pat.as_bytes(),
            0,
            pat.len(),
            text.as_bytes(),
            false
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(glob_range(b"".as_slice(), 0, 0, b"", false));
        assert!(!glob_range(b"".as_slice(), 0, 0, b"x", false));
        assert!(glob_range(b"**".as_slice(), 0, 2, b"", false));
    }

    /// Straightforward recursive matcher used as the reference for the fast one.
    fn naive_glob(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| naive_glob(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && naive_glob(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && naive_glob(rest, &t[1..]),
        }
    }

    proptest! {
        #[test]
        fn glob_agrees_with_reference(p in "[ab*?é:/]{0,8}", t in "[abé:/]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(
                glob_range(p.as_bytes(), 0, p.len(), t.as_bytes(), false),
                naive_glob(&pc, &tc)
            );
        }
    }
}
