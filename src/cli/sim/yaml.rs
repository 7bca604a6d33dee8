//! `--output yaml`, as AWS CLI v2 prints it (ruamel.yaml's safe dumper, block style, keys
//! sorted, sequences not indented under their key, 80-column folding): the emitter rules of
//! PyYAML/ruamel's `analyze_scalar` and `choose_scalar_style` decide between plain,
//! single-quoted and double-quoted scalars; strings a YAML 1.2 reader would take for another
//! type (`'123456789012'`, `'true'`, timestamps) are quoted.

use serde_json::Value as Json;

const BEST_WIDTH: usize = 80;

struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.column += s.chars().count();
    }

    fn indent(&mut self, n: usize) {
        self.out.push('\n');
        self.out.push_str(&" ".repeat(n));
        self.column = n;
    }
}

#[derive(Default)]
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_ws(c: Option<char>) -> bool {
    c.is_none_or(|c| matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c))
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut block_ind, mut line_breaks, mut special) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
    }
    let mut preceded_ws = true;
    let mut followed_ws = chars.len() == 1 || is_ws(chars.get(1).copied());
    let (mut prev_space, mut prev_break) = (false, false);
    for (i, &ch) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_ind = true;
            }
            if (ch == '?' || ch == ':' || ch == '-') && followed_ws {
                block_ind = true;
            }
        } else if (ch == ':' && followed_ws) || (ch == '#' && preceded_ws) {
            block_ind = true;
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            let printable_unicode = (ch == '\u{85}'
                || ('\u{A0}'..='\u{D7FF}').contains(&ch)
                || ('\u{E000}'..='\u{FFFD}').contains(&ch)
                || ('\u{10000}'..'\u{10FFFF}').contains(&ch))
                && ch != '\u{FEFF}';
            if !printable_unicode {
                special = true;
            }
        }
        if ch == ' ' {
            leading_space |= i == 0;
            trailing_space |= i == chars.len() - 1;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if is_break(ch) {
            leading_break |= i == 0;
            trailing_break |= i == chars.len() - 1;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = is_ws(Some(ch));
        followed_ws = i + 2 >= chars.len() || is_ws(chars.get(i + 2).copied());
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        allow_block_plain: true,
        allow_single_quoted: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break || line_breaks {
        a.allow_block_plain = false;
    }
    if break_space || space_break || special {
        a.allow_block_plain = false;
        a.allow_single_quoted = false;
    }
    if block_ind {
        a.allow_block_plain = false;
    }
    a
}

/// Whether a YAML 1.2 reader (ruamel's resolver) takes the plain scalar for something other
/// than a string.
fn resolves_elsewhere(s: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(concat!(
            r"^(?:true|True|TRUE|false|False|FALSE|~|null|Null|NULL",
            r"|[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+",
            r"|[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?",
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]",
            r"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?",
            r"|<<|=)$"
        ))
        .unwrap_or_else(|e| unreachable!("yaml resolver: {e}"))
    });
    re.is_match(s)
}

enum Style {
    Plain,
    Single,
    Double,
}

fn style(s: &str, simple_key: bool) -> Style {
    let a = analyze(s);
    // An empty string is never plain; a multiline one never a plain key.
    let plain_key = !(simple_key && a.multiline);
    if a.allow_block_plain && plain_key && !a.empty && !resolves_elsewhere(s) {
        return Style::Plain;
    }
    if a.allow_single_quoted && !(simple_key && a.multiline) {
        return Style::Single;
    }
    Style::Double
}

impl Emitter {
    fn plain(&mut self, text: &str, indent: usize) {
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > BEST_WIDTH {
                        self.indent(indent);
                    } else {
                        self.write(&chars[start..end].iter().collect::<String>());
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.breaks(&chars[start..end], indent);
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                self.write(&chars[start..end].iter().collect::<String>());
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn breaks(&mut self, brs: &[char], indent: usize) {
        if brs.first() == Some(&'\n') {
            self.out.push('\n');
        }
        for _ in brs {
            self.out.push('\n');
        }
        self.out.push_str(&" ".repeat(indent));
        self.column = indent;
    }

    fn single(&mut self, text: &str, indent: usize) {
        self.write("'");
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks) = (false, false);
        let (mut start, mut end) = (0, 0);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && start != 0
                        && end != chars.len()
                    {
                        self.indent(indent);
                    } else {
                        self.write(&chars[start..end].iter().collect::<String>());
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    self.breaks(&chars[start..end], indent);
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                self.write(&chars[start..end].iter().collect::<String>());
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write("'");
    }

    fn double(&mut self, text: &str) {
        let mut s = String::from("\"");
        for ch in text.chars() {
            let esc = match ch {
                '\0' => Some("\\0"),
                '\x07' => Some("\\a"),
                '\x08' => Some("\\b"),
                '\t' => Some("\\t"),
                '\n' => Some("\\n"),
                '\x0B' => Some("\\v"),
                '\x0C' => Some("\\f"),
                '\r' => Some("\\r"),
                '\x1B' => Some("\\e"),
                '"' => Some("\\\""),
                '\\' => Some("\\\\"),
                '\u{85}' => Some("\\N"),
                '\u{A0}' => Some("\\_"),
                '\u{2028}' => Some("\\L"),
                '\u{2029}' => Some("\\P"),
                _ => None,
            };
            match esc {
                Some(e) => s.push_str(e),
                None if (' '..='~').contains(&ch)
                    || ('\u{A0}'..='\u{D7FF}').contains(&ch)
                    || ('\u{E000}'..='\u{FFFD}').contains(&ch) =>
                {
                    s.push(ch)
                }
                None if (ch as u32) <= 0xFF => s.push_str(&format!("\\x{:02X}", ch as u32)),
                None if (ch as u32) <= 0xFFFF => s.push_str(&format!("\\u{:04X}", ch as u32)),
                None => s.push_str(&format!("\\U{:08X}", ch as u32)),
            }
        }
        s.push('"');
        self.write(&s);
    }

    fn string(&mut self, s: &str, indent: usize, simple_key: bool) -> bool {
        match style(s, simple_key) {
            Style::Plain => {
                self.plain(s, indent);
                true
            }
            Style::Single => {
                self.single(s, indent);
                false
            }
            Style::Double => {
                self.double(s);
                false
            }
        }
    }

    /// A scalar; true when it was written plain (a plain root scalar ends with `...`).
    fn scalar(&mut self, v: &Json, indent: usize) -> bool {
        match v {
            Json::Null => self.write("null"),
            Json::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Json::Number(n) => {
                let t = match n.as_f64() {
                    Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e16 => {
                        format!("{f:.1}")
                    }
                    _ => n.to_string(),
                };
                self.write(&t)
            }
            Json::String(s) => return self.string(s, indent, false),
            _ => {}
        }
        true
    }

    /// A value after `key:` or `-` (the indicator already written).
    fn value(&mut self, v: &Json, indent: usize, in_sequence: bool) {
        match v {
            Json::Object(m) if m.is_empty() => self.write(" {}"),
            Json::Array(a) if a.is_empty() => self.write(" []"),
            Json::Object(m) => {
                if in_sequence {
                    self.write(" ");
                    self.mapping(m, indent + 2, true);
                } else {
                    self.mapping(m, indent + 2, false);
                }
            }
            Json::Array(a) => {
                if in_sequence {
                    self.write(" ");
                    self.sequence(a, indent + 2, true);
                } else {
                    // Block sequences in a mapping sit at the key's column.
                    self.sequence(a, indent, false);
                }
            }
            scalar => {
                self.write(" ");
                self.scalar(scalar, indent + 2);
            }
        }
    }

    fn mapping(&mut self, m: &serde_json::Map<String, Json>, indent: usize, inline_first: bool) {
        let mut keys: Vec<&String> = m.keys().collect();
        keys.sort();
        for (i, k) in keys.into_iter().enumerate() {
            if i > 0 || !(inline_first || self.out.is_empty()) {
                self.indent(indent);
            }
            self.string(k, indent + 2, true);
            self.write(":");
            self.value(&m[k], indent, false);
        }
    }

    fn sequence(&mut self, a: &[Json], indent: usize, inline_first: bool) {
        for (i, v) in a.iter().enumerate() {
            if i > 0 || !(inline_first || self.out.is_empty()) {
                self.indent(indent);
            }
            self.write("-");
            self.value(v, indent, true);
        }
    }
}

/// The YAML document the AWS CLI v2 prints for `v`.
pub(super) fn render(v: &Json) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
    };
    match v {
        Json::Object(m) if !m.is_empty() => e.mapping(m, 0, false),
        Json::Array(a) if !a.is_empty() => e.sequence(a, 0, false),
        Json::Object(_) => e.write("{}"),
        Json::Array(_) => e.write("[]"),
        scalar => {
            if e.scalar(scalar, 0) && !matches!(scalar, Json::String(s) if s.is_empty()) {
                e.out.push_str("\n...");
            }
        }
    }
    e.out.push('\n');
    e.out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn responses_print_as_yaml_documents() {
        let v = json!({
            "KeyMetadata": {
                "AWSAccountId": "123456789012",
                "CreationDate": "2026-01-01T00:00:00Z",
                "Description": "",
                "Enabled": true,
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "KeyId": "k-1",
                "MultiRegion": false,
                "Tags": [{"TagKey": "team", "TagValue": "a: b"}],
                "Empty": {},
                "Nested": [[1, 2], []],
                "Long": "word ".repeat(30),
                "Pol": "{\n  \"a\": 1\n}",
                "q": "it's",
            }
        });
        assert_eq!(
            render(&v),
            "KeyMetadata:\n  AWSAccountId: '123456789012'\n  CreationDate: '2026-01-01T00:00:00Z'\n  Description: ''\n  Empty: {}\n  Enabled: true\n  EncryptionAlgorithms:\n  - SYMMETRIC_DEFAULT\n  KeyId: k-1\n  Long: 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '\n  MultiRegion: false\n  Nested:\n  - - 1\n    - 2\n  - []\n  Pol: \"{\\n  \\\"a\\\": 1\\n}\"\n  Tags:\n  - TagKey: team\n    TagValue: 'a: b'\n  q: it's\n"
        );
        assert_eq!(render(&json!("alias/lab-key")), "alias/lab-key\n...\n");
        assert_eq!(render(&json!(["a", "b"])), "- a\n- b\n");
    }
}
