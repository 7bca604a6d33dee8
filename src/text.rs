//! Text helpers every layer shares: JSON string quoting, XML escaping and "Did you mean"
//! suggestions by edit distance.
//!
//! Owns: the one implementation of each, in the variants the crate's outputs need (Go's
//! HTML-safe JSON quoting for Terraform's `jsonencode` and policy documents, minimal JSON quoting
//! for canonical documents; XML escaping for JUnit reports and for AWS wire responses; the
//! generous suggestion rule keyform uses for names and Terraform's tighter one for functions).
//! Does not own: HCL quoting (`value::quote`, `fmt`), which follows HCL's escapes, not JSON's.
//!
//! A base module: it imports nothing of the crate, so any layer may use it.

use std::fmt::Write as _;

/// Appends `s` as a JSON string the way Go's `encoding/json` writes it (what Terraform's
/// `jsonencode` produces): HTML-safe (`<`, `>`, `&` as `\u003c`...), U+2028/U+2029 escaped,
/// short escapes for `\b \f \n \r \t`, other control characters as `\u00XX`.
pub(crate) fn json_quote(s: &str, out: &mut String) {
    quote_json(s, out, true);
}

/// Appends `s` as a JSON string with only the escapes JSON requires (`"`, `\`, control
/// characters; short forms for `\b \f \n \r \t`), as serde_json writes it.
pub(crate) fn json_quote_plain(s: &str, out: &mut String) {
    quote_json(s, out, false);
}

fn quote_json(s: &str, out: &mut String, html_safe: bool) {
    out.reserve(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' if html_safe => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            ch if (ch as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
}

/// Escapes text for XML attributes and content (`& < > " '`); characters XML 1.0 cannot carry
/// at all (most control characters, U+FFFE, U+FFFF) become U+FFFD so the document stays
/// well-formed. Tabs and line breaks are kept as they are.
pub(crate) fn xml_escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Escapes element text as the AWS wire responses carry it (quick-xml's `escape`): `& < > " '`
/// as entities and `\r` as `&#13;` (so XML end-of-line normalisation cannot turn it into
/// `\n`); every other character, control characters included, is kept as it is.
pub(crate) fn xml_escape_text(s: &str) -> String {
    escape_xml(s, false)
}

fn escape_xml(s: &str, for_report: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' if !for_report => out.push_str("&#13;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if for_report && ((c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}') => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

/// Levenshtein distance in characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The closest candidate for a "Did you mean" hint, by keyform's rule: within a third of the
/// longer name's length (at least 2 edits), or either name a prefix of the other when the
/// given name has 4 characters or more. The first of equally close candidates wins.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        let limit = (name.len().max(c.len()) / 3).max(2);
        let prefix = c.starts_with(name) || name.starts_with(c);
        if (d <= limit || (prefix && name.len() >= 4)) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// " Did you mean \"x\"?" by [`did_you_mean`], or "".
pub(crate) fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!(" Did you mean \"{c}\"?"))
        .unwrap_or_default()
}

/// The closest candidate fewer than `below` edits away (the first of equally close ones), as
/// Terraform suggests function names: a plain distance bound, no prefix rule.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    below: usize,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d < below && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(f: fn(&str, &mut String), s: &str) -> String {
        let mut out = String::new();
        f(s, &mut out);
        out
    }

    #[test]
    fn json_quoting_has_an_html_safe_and_a_plain_form() {
        let s = "a<b>&\"\\\n\r\t\u{8}\u{c}\u{1}\u{2028}é";
        assert_eq!(
            quoted(json_quote, s),
            "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u2028é\""
        );
        assert_eq!(
            quoted(json_quote_plain, s),
            "\"a<b>&\\\"\\\\\\n\\r\\t\\b\\f\\u0001\u{2028}é\""
        );
        let plain = quoted(json_quote_plain, s);
        assert_eq!(serde_json::from_str::<String>(&plain).unwrap(), s);
    }

    #[test]
    fn xml_escapes_for_reports_and_for_the_wire() {
        assert_eq!(xml_escape("a\u{1}b\tc'\r"), "a\u{FFFD}b\tc&apos;\r");
        assert_eq!(xml_escape("<&>\"\u{FFFE}"), "&lt;&amp;&gt;&quot;\u{FFFD}");
        assert_eq!(xml_escape_text("a\u{1}b\tc'\r"), "a\u{1}b\tc&apos;&#13;");
        assert_eq!(
            xml_escape_text("<&>\""),
            quick_xml::escape::escape("<&>\"").into_owned()
        );
    }

    #[test]
    fn suggestions_by_edit_distance() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("héllo", "hello"), 1);
        let c = ["deletion_window_in_days", "description"];
        assert_eq!(
            did_you_mean("deletion_window", c),
            Some("deletion_window_in_days")
        );
        assert_eq!(
            suggestion("descripton", c),
            " Did you mean \"description\"?"
        );
        assert_eq!(suggestion("zzz", c), "");
        assert_eq!(nearest("jion", ["jsonencode", "join"], 3), Some("join"));
        assert_eq!(nearest("ab", ["ax", "ay"], 3), Some("ax"));
        assert_eq!(nearest("deletion_window", c, 3), None);
    }
}
