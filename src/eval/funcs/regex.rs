//! `regex`, `regexall` and the patterns of `replace("/re/")`: Go's RE2 syntax, as Terraform
//! accepts it, matched by the `regex` crate.
//!
//! The crate's syntax and Go's differ (Go's `\d \w \s \b` are ASCII, `\Q...\E` quotes, group
//! names may repeat, `\<` is a literal), so a small compatibility layer parses the pattern as Go
//! does, with Go's error texts and limits (repeat counts up to 1000, program size), and emits
//! an equivalent pattern for the crate in which every construct is spelled out (flags applied
//! per atom, Perl classes as ASCII ranges, every group unnamed). Matching is the crate's,
//! leftmost-first like Go's, in linear time. Go's iteration rules for `regexall` and `replace`
//! (empty matches next to a previous match, `$name` expansion) are kept here.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::*;
use syntax::Error;
use syntax::syntax_err;

mod syntax;

pub(super) fn f_regex(c: &Call<'_>) -> Result<Value, FuncError> {
    let (re, shape) = compile_pattern(c)?;
    let s = c.string(1)?;
    match re.captures_at(&s, 0) {
        Some(caps) => Ok(pattern_result(&re, shape, &s, &caps)),
        None => Err(c.fail("pattern did not match any part of the given string")),
    }
}

pub(super) fn f_regexall(c: &Call<'_>) -> Result<Value, FuncError> {
    const MAX_MATCHES: usize = 1_000_000;
    let (re, shape) = compile_pattern(c)?;
    let s = c.string(1)?;
    let all = re
        .find_all(&s, MAX_MATCHES)
        .ok_or_else(|| c.fail(format!("more than {MAX_MATCHES} matches")))?;
    Ok(Value::List(
        all.iter()
            .map(|caps| pattern_result(&re, shape, &s, caps))
            .collect(),
    ))
}

/// What `regex` returns for a pattern: the match, a tuple of groups, or an object.
#[derive(Clone, Copy)]
enum PatternShape {
    Whole,
    Tuple,
    Object,
}

fn compile_pattern(c: &Call<'_>) -> Result<(Rc<GoRegex>, PatternShape), FuncError> {
    let pattern = c.string(0)?;
    let re = GoRegex::cached(&pattern)
        .map_err(|e| c.bad(0, format!("invalid regexp pattern: {}", e.in_form())))?;
    let names = re.group_names();
    let named = names.iter().filter(|n| n.is_some()).count();
    let unnamed = names.len() - named;
    let shape = match (unnamed, named) {
        (0, 0) => PatternShape::Whole,
        (_, 0) => PatternShape::Tuple,
        (0, _) => PatternShape::Object,
        _ => {
            return Err(c.bad(
                0,
                "invalid regexp pattern: cannot mix both named and unnamed capture groups",
            ));
        }
    };
    Ok((re, shape))
}

fn pattern_result(re: &GoRegex, shape: PatternShape, s: &str, caps: &Captures) -> Value {
    let text = |slot: &Option<(usize, usize)>| match slot {
        Some((a, b)) => Value::from(&s[*a..*b]),
        None => Value::Null,
    };
    match shape {
        PatternShape::Whole => text(&caps[0]),
        PatternShape::Tuple => Value::List(caps[1..].iter().map(text).collect()),
        PatternShape::Object => Value::Object(
            re.group_names()
                .iter()
                .zip(&caps[1..])
                .filter_map(|(name, slot)| name.as_ref().map(|n| (n.clone(), text(slot))))
                .collect(),
        ),
    }
}

/// Capture spans by group (0 = whole match); None where a group did not take part.
pub(super) type Captures = Vec<Option<(usize, usize)>>;

/// A Go (RE2) pattern compiled for the `regex` crate.
pub(super) struct GoRegex {
    re: ::regex::Regex,
    /// Go's capture groups in order (the crate's groups 1..), with their names.
    names: Vec<Option<String>>,
}

impl GoRegex {
    pub(super) fn new(pattern: &str) -> Result<GoRegex, Error> {
        let t = syntax::translate(pattern)?;
        let re = ::regex::RegexBuilder::new(&t.pattern)
            .nest_limit(4 * syntax::MAX_DEPTH as u32 + 100)
            .build()
            .map_err(|e| match e {
                ::regex::Error::CompiledTooBig(_) => syntax_err("expression too large", pattern),
                // The emitted pattern uses only syntax the crate accepts; anything else is a
                // construct the translation does not cover.
                _ => syntax_err("invalid or unsupported Perl syntax", pattern),
            })?;
        Ok(GoRegex { re, names: t.names })
    }

    /// [`GoRegex::new`], remembering recent patterns (a `for` expression calls `regex` with
    /// one pattern many times).
    pub(super) fn cached(pattern: &str) -> Result<Rc<GoRegex>, Error> {
        const KEEP: usize = 64;
        thread_local! {
            static CACHE: RefCell<HashMap<String, Rc<GoRegex>>> = RefCell::new(HashMap::new());
        }
        if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
            return Ok(re);
        }
        let re = Rc::new(GoRegex::new(pattern)?);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= KEEP {
                c.clear();
            }
            c.insert(pattern.to_string(), Rc::clone(&re));
        });
        Ok(re)
    }

    /// Names of the capture groups (excluding the whole match), None if unnamed.
    pub(super) fn group_names(&self) -> &[Option<String>] {
        &self.names
    }

    /// The leftmost-first match starting the search at byte `start` (the text before it
    /// still counts for `^`, `\b`).
    pub(super) fn captures_at(&self, s: &str, start: usize) -> Option<Captures> {
        self.captures_with(&mut self.re.capture_locations(), s, start)
    }

    fn captures_with(
        &self,
        locs: &mut ::regex::CaptureLocations,
        s: &str,
        start: usize,
    ) -> Option<Captures> {
        self.re.captures_read_at(locs, s, start)?;
        Some((0..locs.len()).map(|i| locs.get(i)).collect())
    }

    /// Every successive non-overlapping match (Go's `FindAllStringSubmatchIndex`);
    /// None if there are more than `limit`.
    pub(super) fn find_all(&self, s: &str, limit: usize) -> Option<Vec<Captures>> {
        let mut locs = self.re.capture_locations();
        let mut out = Vec::new();
        let mut pos = 0;
        let mut prev_end: Option<usize> = None;
        while pos <= s.len() {
            let Some(caps) = self.captures_with(&mut locs, s, pos) else {
                break;
            };
            let Some((a, b)) = caps[0] else { break };
            let mut accept = true;
            if b == pos {
                // An empty match right after the previous match is not reported.
                if Some(a) == prev_end {
                    accept = false;
                }
                pos += s[pos..].chars().next().map_or(1, char::len_utf8);
            } else {
                pos = b;
            }
            prev_end = Some(b);
            if accept {
                if out.len() == limit {
                    return None;
                }
                out.push(caps);
            }
        }
        Some(out)
    }

    /// Go's `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` expand, `$$` is `$`.
    /// None if the result would exceed `limit` bytes.
    pub(super) fn replace_all(&self, s: &str, template: &str, limit: usize) -> Option<String> {
        let mut locs = self.re.capture_locations();
        let mut out = String::with_capacity(s.len());
        let mut last_end = 0;
        let mut search = 0;
        while search <= s.len() {
            let Some(caps) = self.captures_with(&mut locs, s, search) else {
                break;
            };
            let Some((a, b)) = caps[0] else { break };
            out.push_str(&s[last_end..a]);
            // No replacement for an empty match right after the previous match.
            if b > last_end || a == 0 {
                self.expand(template, s, &caps, &mut out);
            }
            if out.len() > limit {
                return None;
            }
            last_end = b;
            let width = s[search..].chars().next().map_or(0, char::len_utf8);
            if search + width > b {
                search += width;
            } else if search + 1 > b {
                search += 1;
            } else {
                search = b;
            }
        }
        out.push_str(&s[last_end..]);
        (out.len() <= limit).then_some(out)
    }

    fn expand(&self, template: &str, s: &str, caps: &Captures, out: &mut String) {
        let mut rest = template;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('$') {
                out.push('$');
                rest = r;
                continue;
            }
            let Some((name, after)) = template_name(rest) else {
                out.push('$');
                continue;
            };
            rest = after;
            let span = match name.parse::<usize>() {
                Ok(n) if !(name.starts_with('0') && name.len() > 1) => {
                    caps.get(n).copied().flatten()
                }
                // Names may repeat; Go takes the first such group that took part.
                _ => self
                    .names
                    .iter()
                    .zip(&caps[1..])
                    .find(|(n, span)| n.as_deref() == Some(name) && span.is_some())
                    .and_then(|(_, span)| *span),
            };
            if let Some((a, b)) = span {
                out.push_str(&s[a..b]);
            }
        }
        out.push_str(rest);
    }
}

/// Go's `extract` for `$name` / `${name}` in replacement templates.
fn template_name(t: &str) -> Option<(&str, &str)> {
    let (brace, body) = match t.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let len: usize = body
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut rest = &body[len..];
    if brace {
        rest = rest.strip_prefix('}')?;
    }
    Some((name, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;
    use proptest::prelude::*;

    #[test]
    fn regex_functions_match_go_regexp() {
        check(&[
            (
                "regex",
                &[r#""[a-z]+""#, r#""53453453.345345aaabbbccc23454""#],
                r#""aaabbbccc""#,
            ),
            (
                "regex",
                &[r#""(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)""#, r#""2019-02-01""#],
                r#"["2019","02","01"]"#,
            ),
            (
                "regex",
                &[
                    r#""^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?""#,
                    r#""https://terraform.io/docs/""#,
                ],
                r#"{"authority":"terraform.io","scheme":"https"}"#,
            ),
            ("regex", &[r#""(a)|(b)""#, r#""b""#], r#"[null,"b"]"#),
            (
                "regex",
                &[r#""(a|ab)(c|bcd)(d*)""#, r#""abcd""#],
                r#"["a","bcd",""]"#,
            ),
            ("regex", &[r#""a{2,3}?""#, r#""aaaa""#], r#""aa""#),
            ("regex", &[r#""(?i)HELLO""#, r#""say hello""#], r#""hello""#),
            ("regex", &[r#"".+""#, r#""a\nb""#], r#""a""#),
            ("regex", &[r#""(?s).+""#, r#""a\nb""#], r#""a\nb""#),
            ("regex", &[r#""(?U)a+""#, r#""aaa""#], r#""a""#),
            ("regex", &[r#""\\Qa.b\\E+""#, r#""a.bbb""#], r#""a.bbb""#),
            (
                "regex",
                &[r#""[[:alpha:]]+""#, r#""123abc456""#],
                r#""abc""#,
            ),
            ("regex", &[r#""\\pL+""#, r#""12abé3""#], r#""abé""#),
            ("regex", &[r#""(|a)+""#, r#""aaa""#], r#"[""]"#),
            ("regex", &[r#""(a*)+$""#, r#""aab""#], r#"[""]"#),
            ("regex", &[r#""(?m)^b$""#, r#""a\nb\nc""#], r#""b""#),
            ("regex", &[r#""\\btest\\b""#, r#""a test""#], r#""test""#),
            (
                "regexall",
                &[r#""[a-z]+""#, r#""1234abcd5678efgh9""#],
                r#"["abcd","efgh"]"#,
            ),
            ("regexall", &[r#""x*""#, r#""axxb""#], r#"["","xx",""]"#),
            ("regexall", &[r#""""#, r#""abc""#], r#"["","","",""]"#),
            (
                "regexall",
                &[r#""(?P<k>\\w+)=(?P<v>\\w*)""#, r#""a=1 b= c=3""#],
                r#"[{"k":"a","v":"1"},{"k":"b","v":""},{"k":"c","v":"3"}]"#,
            ),
            ("regexall", &[r#""[a-z]+""#, r#""123""#], "[]"),
            (
                "replace",
                &[r#""hello world""#, r#""/o(.)/""#, r#""[$1]""#],
                r#""hell[ ]w[r]ld""#,
            ),
            (
                "replace",
                &[r#""hello""#, r#""/(?P<L>l)/""#, r#""${L}${L}""#],
                r#""hellllo""#,
            ),
            (
                "replace",
                &[r#""abc""#, r#""/x*/""#, r#""-""#],
                r#""-a-b-c-""#,
            ),
            (
                "replace",
                &[r#""abab""#, r#""/(a)(b)?/""#, r#""[$1|$2]""#],
                r#""[a|b][a|b]""#,
            ),
            (
                "replace",
                &[r#""hello""#, r#""/(l)/""#, r#""$1x""#],
                r#""heo""#,
            ),
            (
                "replace",
                &[r#""hello""#, r#""/l/""#, r#""$$""#],
                r#""he$$o""#,
            ),
            (
                "replace",
                &[r#""line1\nline2""#, r#""/(?m)^/""#, r#""> ""#],
                r#""> line1\n> line2""#,
            ),
            (
                "replace",
                &[r#""日本語""#, r#""/本?/""#, r#""_""#],
                r#""_日_語_""#,
            ),
            (
                "replace",
                &[r#""/x/""#, r#""//""#, r#""y""#],
                r#""y/yxy/y""#,
            ),
        ]);
        for (pattern, want) in [
            ("a**", "invalid nested repetition operator in **"),
            ("*a", "missing argument to repetition operator in *"),
            ("a{1001}", "invalid repeat count in {1001}"),
            ("(?=a)", "invalid or unsupported Perl syntax in (?="),
            ("\\\\1", "invalid escape sequence in \\1"),
            ("[z-a]", "invalid character class range in z-a"),
            ("[abc", "missing closing ] in [abc"),
            ("a)", "unexpected ) in a)"),
            (
                "(?P<a>x)(y)",
                "cannot mix both named and unnamed capture groups",
            ),
        ] {
            let e = err("regex", &[&format!("\"{pattern}\""), r#""a""#]);
            assert!(e.contains(want), "{pattern}: {e}");
        }
        assert!(err("regex", &[r#""[a-z]+""#, r#""123""#]).contains("did not match"));
        let e = err("replace", &[r#""x""#, r#""/(/""#, r#""y""#]);
        assert!(
            e.contains("error parsing regexp: missing closing ): `(`"),
            "{e}"
        );
    }

    #[test]
    fn go_syntax_and_semantics_survive_the_move_to_the_regex_crate() {
        check(&[
            // Go's Perl classes and word boundaries are ASCII; the crate's are Unicode.
            ("regex", &[r#""\\w+""#, r#""héllo""#], r#""h""#),
            ("regexall", &[r#""\\d""#, r#""1٣2""#], r#"["1","2"]"#),
            ("regex", &[r#""\\s+""#, r#""a\u00a0 b""#], r#"" ""#),
            ("regexall", &[r#""\\bx""#, r#""éx x""#], r#"["x","x"]"#),
            ("regex", &[r#""[^\\D]+""#, r#""ab123""#], r#""123""#),
            ("regex", &[r#""[[:^alpha:]]+""#, r#""ab12!c""#], r#""12!""#),
            // Unicode classes are Unicode, by Go's category and script names.
            ("regex", &[r#""\\p{Greek}+""#, r#""abc αβγ""#], r#""αβγ""#),
            ("regex", &[r#""\\PL+""#, r#""ab12cd""#], r#""12""#),
            ("regex", &[r#""[\\p{Lu}\\d]+""#, r#""abC1Dx""#], r#""C1D""#),
            // `\<` is a literal in Go (a word start for the crate); so are quoted runs.
            ("regex", &[r#""\\<a\\>""#, r#""x<a>y""#], r#""<a>""#),
            ("regex", &[r#""(?i)\\Qa.B\\E""#, r#""xA.by""#], r#""A.b""#),
            ("regex", &[r#""\\101\\x42\\x{43}""#, r#""ABC""#], r#""ABC""#),
            // Case folding is Unicode simple folding: (?i)k matches the Kelvin sign.
            ("regex", &[r#""(?i)k+""#, r#""kK\u212a""#], r#""kK\u212a""#),
            // Flags apply from where they are set to the end of the group.
            ("regex", &[r#""a(?i)b|c""#, r#""C""#], r#""C""#),
            ("regex", &[r#""(?:(?i)a)a""#, r#""AaAA""#], r#""Aa""#),
            // A group name may repeat (the crate refuses that): the last group wins.
            (
                "regex",
                &[r#""(?P<x>a)|(?P<x>b)""#, r#""b""#],
                r#"{"x":"b"}"#,
            ),
            (
                "regex",
                &[r#""(?P<x>a)|(?P<x>b)""#, r#""a""#],
                r#"{"x":null}"#,
            ),
            (
                "replace",
                &[r#""ab""#, r#""/(?P<x>a)|(?P<x>b)/""#, r#""<${x}>""#],
                r#""<a><b>""#,
            ),
        ]);
        for (pattern, want) in [
            ("\\\\p{Foo}", "invalid character class range in \\p{Foo}"),
            ("(?x)a", "invalid or unsupported Perl syntax in (?x"),
            ("(?P<>a)", "invalid named capture in (?P<>"),
            ("x{2,1}", "invalid repeat count in {2,1}"),
            ("x{1,1001}", "invalid repeat count in {1,1001}"),
            ("a\\\\", "trailing backslash at end of expression"),
            ("[[:foo:]]", "invalid character class range in [:foo:]"),
        ] {
            let e = err("regex", &[&format!("\"{pattern}\""), r#""a""#]);
            assert!(e.contains(want), "{pattern}: {e}");
        }
    }

    #[test]
    fn deeply_nested_patterns_compile_or_say_they_nest_too_deeply() {
        // Plain groups nest as deep as Go's limit here allows (200 levels).
        let p = format!("{}a{}", "(".repeat(199), ")".repeat(199));
        let groups = ok("regex", &[&format!("\"{p}\""), r#""a""#]);
        assert_eq!(groups.as_list().map(<[Value]>::len), Some(199));
        // Each level of `(?i:(...|b)*?)` is three levels for the crate (a group, an
        // alternation, a repetition): the crate compiles recursively, so the translated
        // nesting is bounded too, with Go's message, and never overflows the stack.
        let nested =
            |n: usize, wrap: fn(&str) -> String| (0..n).fold(String::from("a"), |p, _| wrap(&p));
        let shapes: [fn(&str) -> String; 4] = [
            |p| format!("(?i:({p}|b)*?)"),
            |p| format!("(?:{p})+x"),
            |p| format!("[a-c](?:{p})|d"),
            |p| format!("(?s:.{{2,3}}{p}\\b)?"),
        ];
        for wrap in shapes {
            // The deepest nesting that compiles is compiled, one level more is refused.
            let mut n = 1;
            loop {
                let p = nested(n, wrap);
                match run("regex", &[&format!("\"{p}\""), r#""zzz""#]) {
                    Err(e) if e.to_string().contains("nests too deeply") => break,
                    Err(e) if e.to_string().contains("did not match") => {}
                    Ok(_) => {}
                    Err(e) => panic!("{n}: {e}"),
                }
                n += 1;
            }
            assert!(n > 40, "{}: only {n} levels", wrap("x"));
        }
        let p = nested(60, |p| format!("(?i:({p}|b)*?)"));
        let groups = ok("regex", &[&format!("\"^{p}$\""), r#""AbA""#]);
        assert_eq!(groups.as_list().map(<[Value]>::len), Some(60));
        let deep = format!("\"{}a{}\"", "(?:".repeat(201), ")".repeat(201));
        let e = err("regex", &[&deep, r#""a""#]);
        assert!(e.contains("expression nests too deeply"), "{e}");
    }

    #[test]
    fn regex_rejects_oversized_programs_and_stays_linear() {
        let e = err("regex", &[r#""(a{1000}){1000}""#, r#""a""#]);
        assert!(e.contains("expression too large"), "{e}");
        // A catastrophic-backtracking pattern for a backtracking engine; the regex crate's
        // automata stay linear, so this completes promptly instead of hanging the test.
        let input = format!("\"{}b\"", "a".repeat(20_000));
        assert_eq!(ok("regexall", &[r#""(a*)*c""#, &input]), v("[]"));
    }

    proptest! {
        #[test]
        fn literal_regex_matches_like_substring_search(hay in "[ab]{0,12}", needle in "[ab]{1,3}") {
            let ctx = FuncContext { base_dir: Path::new(".") };
            let found = call(
                "regexall",
                &[Value::String(needle.clone()), Value::String(hay.clone())],
                &ctx,
            )
            .unwrap();
            let expected: Vec<Value> =
                hay.matches(needle.as_str()).map(Value::from).collect();
            prop_assert_eq!(found, Value::List(expected));
        }
    }
}
