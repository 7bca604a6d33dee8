//! Tokenizer for the formatter: splits HCL native-syntax source into the same token
//! sequence (kinds and bytes) that HCL's own scanner (`hclsyntax/scan_tokens.rl`) produces.
//!
//! Owns: token kinds, the scanner's three modes (expressions, quoted templates, heredoc
//! templates) and the brace bookkeeping that tells a closing `}` of an interpolation from the
//! closing brace of an object or block.
//! Does not own: syntax validation (the caller checks the file with `hcl-edit` first), nor any
//! layout decisions. Whitespace between tokens is dropped here because the formatter recomputes
//! every gap; whitespace inside tokens (string literals, heredoc lines, comments) is kept.

/// The kind of a token, mirroring `hclsyntax.TokenType` closely enough for the layout rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    OBrace,
    CBrace,
    OBrack,
    CBrack,
    OParen,
    CParen,
    OQuote,
    CQuote,
    OHeredoc,
    CHeredoc,
    Star,
    Slash,
    Plus,
    Minus,
    Percent,
    Equal,
    EqualOp,
    NotEqual,
    LessThan,
    LessThanEq,
    GreaterThan,
    GreaterThanEq,
    And,
    Or,
    Bang,
    Dot,
    Comma,
    DoubleColon,
    Ellipsis,
    FatArrow,
    Question,
    Colon,
    TemplateInterp,
    TemplateControl,
    TemplateSeqEnd,
    /// Literal text inside a quoted string.
    QuotedLit,
    /// Literal text inside a heredoc.
    StringLit,
    NumberLit,
    Ident,
    Comment,
    Newline,
    /// A raw newline inside a quoted string (a syntax error in HCL, kept for fidelity).
    QuotedNewline,
    /// Any other character: `&`, `|`, `^`, `;`, a backtick, an apostrophe, a stray `$`...
    Invalid,
}

/// One token: its kind, its exact source text and where it starts (for error locations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) text: String,
    /// Byte offset in the BOM-stripped source; 0 for tokens the formatter synthesises.
    pub(super) offset: usize,
}

impl Token {
    /// A synthesised token (not from the source).
    pub(super) fn new(kind: Kind, text: &str) -> Self {
        Token {
            kind,
            text: text.to_owned(),
            offset: 0,
        }
    }

    /// True for tokens that end a line: newlines, and `#`/`//` comments, which absorb the
    /// newline that terminates them.
    pub(super) fn is_newline(&self) -> bool {
        match self.kind {
            Kind::Newline => true,
            Kind::Comment => self.text.ends_with('\n'),
            _ => false,
        }
    }

    /// How this token changes bracket nesting depth (`hclwrite`'s `tokenBracketChange`).
    pub(super) fn bracket_change(&self) -> i32 {
        match self.kind {
            Kind::OBrace
            | Kind::OBrack
            | Kind::OParen
            | Kind::TemplateControl
            | Kind::TemplateInterp => 1,
            Kind::CBrace | Kind::CBrack | Kind::CParen | Kind::TemplateSeqEnd => -1,
            _ => 0,
        }
    }

    pub(super) fn is_ident(&self, name: &str) -> bool {
        self.kind == Kind::Ident && self.text == name
    }
}

/// Where the scanner is: expression syntax, inside `"..."`, or inside a heredoc body.
enum Mode {
    Main,
    Quoted,
    Heredoc { marker: String, start_of_line: bool },
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    modes: Vec<Mode>,
    braces: i64,
    ret_braces: Vec<i64>,
}

/// The tokens of a file plus the gap before its end.
pub(super) struct Lexed {
    pub(super) tokens: Vec<Token>,
    /// Bytes between the last token and the end of input. HCL's end-of-file token keeps this
    /// gap as its leading spaces, and the layout never touches it, so Terraform writes it back
    /// as that many spaces.
    pub(super) eof_gap: usize,
    /// Index of the opening token of a heredoc whose closing marker never came (HCL needs the
    /// marker line to end with a newline).
    pub(super) unterminated_heredoc: Option<usize>,
}

/// Splits `src` into tokens. A leading UTF-8 byte-order mark is skipped, as HCL's scanner
/// does; token offsets are relative to the text after it.
pub(super) fn tokenize(src: &str) -> Lexed {
    let full_len = src.len();
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let mut lx = Lexer {
        src,
        pos: 0,
        tokens: Vec::new(),
        modes: vec![Mode::Main],
        braces: 0,
        ret_braces: Vec::new(),
    };
    while lx.pos < lx.src.len() {
        let before = lx.pos;
        match lx.modes.last() {
            Some(Mode::Quoted) => lx.quoted(),
            Some(Mode::Heredoc { .. }) => lx.heredoc(),
            Some(Mode::Main) | None => lx.main(),
        }
        if lx.pos == before {
            // Defensive: every branch consumes input, but never loop forever on a surprise.
            lx.emit_len(Kind::Invalid, lx.char_len());
        }
    }
    // With no tokens at all, HCL measures the gap from the very start, byte-order mark included.
    let eof_gap = lx
        .tokens
        .last()
        .map_or(full_len, |t| src.len() - (t.offset + t.text.len()));
    let unterminated_heredoc = if lx.modes.iter().any(|m| matches!(m, Mode::Heredoc { .. })) {
        lx.tokens.iter().rposition(|t| t.kind == Kind::OHeredoc)
    } else {
        None
    };
    Lexed {
        tokens: lx.tokens,
        eof_gap,
        unterminated_heredoc,
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c == '-' || c.is_alphanumeric() || super::layout::is_combining(c)
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn char_len(&self) -> usize {
        self.rest().chars().next().map_or(1, char::len_utf8)
    }

    fn emit_len(&mut self, kind: Kind, len: usize) {
        let end = (self.pos + len).min(self.src.len());
        self.tokens.push(Token {
            kind,
            text: self.src[self.pos..end].to_owned(),
            offset: self.pos,
        });
        self.pos = end;
    }

    fn push_mode(&mut self, mode: Mode) {
        self.modes.push(mode);
    }

    fn pop_mode(&mut self) {
        // The bottom Main mode stands for the file itself and is never left.
        if self.modes.len() > 1 {
            self.modes.pop();
        }
    }

    /// Length of `${`, `${~`, `%{` or `%{~` at the cursor when it introduces a template
    /// sequence, with the kind it introduces.
    fn template_intro(&self) -> Option<(Kind, usize)> {
        let rest = self.rest().as_bytes();
        let kind = match rest {
            [b'$', b'{', ..] => Kind::TemplateInterp,
            [b'%', b'{', ..] => Kind::TemplateControl,
            _ => return None,
        };
        let len = if rest.get(2) == Some(&b'~') { 3 } else { 2 };
        Some((kind, len))
    }

    fn begin_template_seq(&mut self, kind: Kind, len: usize) {
        self.emit_len(kind, len);
        self.braces += 1;
        self.ret_braces.push(self.braces);
        if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
            *start_of_line = false;
        }
        self.push_mode(Mode::Main);
    }

    /// Length of a `$`/`%` that does not start a template sequence: `$${` (an escaped
    /// introducer, with an optional `~`) forms one token, any other lone `$` is a token of its
    /// own. This token splitting is observable: `terraform fmt` drops block labels whose text
    /// lexes into more than one literal token.
    fn escape_like_len(&self) -> usize {
        let rest = self.rest().as_bytes();
        if rest.len() >= 3 && rest[1] == rest[0] && rest[2] == b'{' {
            if rest.get(3) == Some(&b'~') { 4 } else { 3 }
        } else {
            1
        }
    }

    fn main(&mut self) {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let Some(c) = rest.chars().next() else {
            return;
        };
        match c {
            ' ' | '\t' => {
                let n = bytes
                    .iter()
                    .take_while(|b| **b == b' ' || **b == b'\t')
                    .count();
                self.pos += n;
            }
            '0'..='9' => {
                let n = number_len(bytes);
                self.emit_len(Kind::NumberLit, n);
            }
            '#' => self.line_comment(),
            '/' if bytes.get(1) == Some(&b'/') => self.line_comment(),
            '/' if bytes.get(1) == Some(&b'*') => {
                let n = rest[2..].find("*/").map_or(rest.len(), |i| i + 4);
                self.emit_len(Kind::Comment, n);
            }
            '\n' => self.emit_len(Kind::Newline, 1),
            '\r' if bytes.get(1) == Some(&b'\n') => self.emit_len(Kind::Newline, 2),
            '"' => {
                self.emit_len(Kind::OQuote, 1);
                self.push_mode(Mode::Quoted);
            }
            '<' if bytes.get(1) == Some(&b'<') => match heredoc_intro(rest) {
                Some((len, marker)) => {
                    self.emit_len(Kind::OHeredoc, len);
                    self.push_mode(Mode::Heredoc {
                        marker,
                        start_of_line: true,
                    });
                }
                None => self.emit_len(Kind::LessThan, 1),
            },
            '{' => {
                self.emit_len(Kind::OBrace, 1);
                self.braces += 1;
            }
            '}' => {
                if self.ret_braces.last() == Some(&self.braces) {
                    self.emit_len(Kind::TemplateSeqEnd, 1);
                    self.ret_braces.pop();
                    self.braces -= 1;
                    self.pop_mode();
                } else {
                    self.emit_len(Kind::CBrace, 1);
                    self.braces -= 1;
                }
            }
            '~' if bytes.get(1) == Some(&b'}') => {
                self.emit_len(Kind::TemplateSeqEnd, 2);
                if self.ret_braces.last() == Some(&self.braces) {
                    self.ret_braces.pop();
                    self.braces -= 1;
                    self.pop_mode();
                } else {
                    self.braces -= 1;
                }
            }
            c if is_ident_start(c) => {
                let n = ident_len(rest);
                self.emit_len(Kind::Ident, n);
            }
            _ => {
                let (kind, len) = operator(bytes).unwrap_or((Kind::Invalid, c.len_utf8()));
                self.emit_len(kind, len);
            }
        }
    }

    fn line_comment(&mut self) {
        let n = self.rest().find('\n').map_or(self.rest().len(), |i| i + 1);
        self.emit_len(Kind::Comment, n);
    }

    fn quoted(&mut self) {
        if let Some((kind, len)) = self.template_intro() {
            self.begin_template_seq(kind, len);
            return;
        }
        let bytes = self.rest().as_bytes();
        match bytes.first() {
            Some(b'"') => {
                self.emit_len(Kind::CQuote, 1);
                self.pop_mode();
            }
            Some(b'$' | b'%') => {
                let n = self.escape_like_len();
                self.emit_len(Kind::QuotedLit, n);
            }
            Some(b'\r' | b'\n') => {
                let n = bytes
                    .iter()
                    .take_while(|b| **b == b'\r' || **b == b'\n')
                    .count();
                self.emit_len(Kind::QuotedNewline, n);
            }
            Some(_) => {
                let mut i = 0;
                while i < bytes.len() {
                    match bytes[i] {
                        b'$' | b'%' | b'"' | b'\r' | b'\n' => break,
                        b'\\' => match bytes.get(i + 1) {
                            Some(b'\r' | b'\n') | None => break,
                            Some(_) => i += 2,
                        },
                        _ => i += 1,
                    }
                }
                if i == 0 {
                    // A backslash right before a line break: HCL calls it invalid.
                    self.emit_len(Kind::Invalid, 1);
                } else {
                    let i = self.char_boundary(i);
                    self.emit_len(Kind::QuotedLit, i);
                }
            }
            None => {}
        }
    }

    /// Rounds a byte length up to a char boundary (an escape can pair `\` with a multi-byte char).
    fn char_boundary(&self, mut len: usize) -> usize {
        while self.pos + len < self.src.len() && !self.src.is_char_boundary(self.pos + len) {
            len += 1;
        }
        len
    }

    fn heredoc(&mut self) {
        if let Some((kind, len)) = self.template_intro() {
            self.begin_template_seq(kind, len);
            return;
        }
        let bytes = self.rest().as_bytes();
        let lit_len = match bytes.first() {
            Some(b'$' | b'%') => self.escape_like_len(),
            _ => bytes
                .iter()
                .take_while(|b| !matches!(b, b'$' | b'%' | b'\r' | b'\n'))
                .count(),
        };
        let eol = match &bytes[lit_len..] {
            [b'\n', ..] => 1,
            [b'\r', b'\n', ..] => 2,
            _ => 0,
        };
        if eol == 0 {
            if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
                *start_of_line = false;
            }
            // A lone carriage return mid-line is literal text.
            let n = if lit_len == 0 { 1 } else { lit_len };
            self.emit_len(Kind::StringLit, n);
            return;
        }
        let line = &self.rest()[..lit_len];
        let is_marker = match self.modes.last() {
            Some(Mode::Heredoc {
                marker,
                start_of_line,
            }) => *start_of_line && line.trim() == marker,
            _ => false,
        };
        if is_marker {
            self.emit_len(Kind::CHeredoc, lit_len);
            self.emit_len(Kind::Newline, eol);
            self.pop_mode();
        } else {
            if let Some(Mode::Heredoc { start_of_line, .. }) = self.modes.last_mut() {
                *start_of_line = true;
            }
            self.emit_len(Kind::StringLit, lit_len + eol);
        }
    }
}

/// Length of a number literal starting with a digit: the longest run of digits, dots and
/// exponents that does not end in a dot (so `1.` is a number then a dot).
fn number_len(bytes: &[u8]) -> usize {
    let mut pos = 1;
    let mut good = 1;
    loop {
        match bytes.get(pos) {
            Some(b'0'..=b'9') => {
                pos += 1;
                good = pos;
            }
            Some(b'.') => pos += 1,
            Some(b'e' | b'E') => {
                let sign = usize::from(matches!(bytes.get(pos + 1), Some(b'+' | b'-')));
                if bytes.get(pos + 1 + sign).is_some_and(u8::is_ascii_digit) {
                    pos += 2 + sign;
                    good = pos;
                } else {
                    break;
                }
            }
            _ => break,
        }
    }
    good
}

fn ident_len(s: &str) -> usize {
    let mut chars = s.char_indices();
    chars.next();
    for (i, c) in chars {
        if !is_ident_continue(c) {
            return i;
        }
    }
    s.len()
}

/// Recognises `<<EOT` / `<<-EOT` followed by a newline; returns the token length (including
/// the newline) and the closing marker.
fn heredoc_intro(rest: &str) -> Option<(usize, String)> {
    let mut start = 2;
    if rest[start..].starts_with('-') {
        start += 1;
    }
    let first = rest[start..].chars().next()?;
    if !is_ident_start(first) {
        return None;
    }
    let end = start + ident_len(&rest[start..]);
    let nl = if rest[end..].starts_with('\n') {
        1
    } else if rest[end..].starts_with("\r\n") {
        2
    } else {
        return None;
    };
    Some((end + nl, rest[start..end].to_owned()))
}

fn operator(bytes: &[u8]) -> Option<(Kind, usize)> {
    let two = match bytes {
        [b'=', b'=', ..] => Some(Kind::EqualOp),
        [b'!', b'=', ..] => Some(Kind::NotEqual),
        [b'>', b'=', ..] => Some(Kind::GreaterThanEq),
        [b'<', b'=', ..] => Some(Kind::LessThanEq),
        [b'&', b'&', ..] => Some(Kind::And),
        [b'|', b'|', ..] => Some(Kind::Or),
        [b':', b':', ..] => Some(Kind::DoubleColon),
        [b'=', b'>', ..] => Some(Kind::FatArrow),
        _ => None,
    };
    if bytes.starts_with(b"...") {
        return Some((Kind::Ellipsis, 3));
    }
    if let Some(kind) = two {
        return Some((kind, 2));
    }
    let kind = match bytes.first()? {
        b'[' => Kind::OBrack,
        b']' => Kind::CBrack,
        b'(' => Kind::OParen,
        b')' => Kind::CParen,
        b'.' => Kind::Dot,
        b',' => Kind::Comma,
        b'*' => Kind::Star,
        b'/' => Kind::Slash,
        b'%' => Kind::Percent,
        b'+' => Kind::Plus,
        b'-' => Kind::Minus,
        b'=' => Kind::Equal,
        b'<' => Kind::LessThan,
        b'>' => Kind::GreaterThan,
        b'!' => Kind::Bang,
        b'?' => Kind::Question,
        b':' => Kind::Colon,
        _ => return None,
    };
    Some((kind, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, String)> {
        tokenize(src)
            .tokens
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn interpolation_closing_brace_is_seq_end_but_object_brace_is_not() {
        let toks = kinds("a = \"${ {b = 1}.b }\"\n");
        let seq: Vec<Kind> = toks.iter().map(|t| t.0).collect();
        assert_eq!(
            seq,
            vec![
                Kind::Ident,
                Kind::Equal,
                Kind::OQuote,
                Kind::TemplateInterp,
                Kind::OBrace,
                Kind::Ident,
                Kind::Equal,
                Kind::NumberLit,
                Kind::CBrace,
                Kind::Dot,
                Kind::Ident,
                Kind::TemplateSeqEnd,
                Kind::CQuote,
                Kind::Newline,
            ]
        );
    }

    #[test]
    fn heredoc_closing_marker_keeps_its_indentation_and_splits_newline() {
        let toks = kinds("x = <<-EOT\n  hi ${a}\n  EOT\n");
        assert_eq!(toks[2], (Kind::OHeredoc, "<<-EOT\n".to_owned()));
        assert_eq!(toks[3], (Kind::StringLit, "  hi ".to_owned()));
        assert_eq!(toks[7], (Kind::StringLit, "\n".to_owned()));
        assert_eq!(toks[8], (Kind::CHeredoc, "  EOT".to_owned()));
        assert_eq!(toks[9], (Kind::Newline, "\n".to_owned()));
    }

    #[test]
    fn comments_absorb_their_newline_but_block_comments_do_not() {
        let toks = kinds("# a\r\n/* b */\n// c");
        assert_eq!(toks[0], (Kind::Comment, "# a\r\n".to_owned()));
        assert_eq!(toks[1], (Kind::Comment, "/* b */".to_owned()));
        assert_eq!(toks[2], (Kind::Newline, "\n".to_owned()));
        assert_eq!(toks[3], (Kind::Comment, "// c".to_owned()));
    }

    #[test]
    fn trailing_blanks_at_end_of_input_are_measured() {
        assert_eq!(tokenize("a = 1 \t").eof_gap, 2);
        assert_eq!(tokenize("\u{feff}  ").eof_gap, 5);
        assert_eq!(tokenize("a\n").eof_gap, 0);
    }

    #[test]
    fn numbers_do_not_swallow_a_trailing_dot() {
        assert_eq!(number_len(b"1.5e+3x"), 6);
        assert_eq!(number_len(b"1.x"), 1);
        assert_eq!(number_len(b"12e"), 2);
    }

    #[test]
    fn dollar_signs_split_quoted_literals() {
        let toks = kinds("\"a$b$${c\"");
        let lits: Vec<&str> = toks
            .iter()
            .filter(|t| t.0 == Kind::QuotedLit)
            .map(|t| t.1.as_str())
            .collect();
        assert_eq!(lits, vec!["a", "$", "b", "$${", "c"]);
    }
}
