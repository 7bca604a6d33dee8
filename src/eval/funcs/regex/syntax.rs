//! Go's RE2 syntax, parsed as Go's `regexp/syntax` parses it (its error texts, its limits)
//! and written out in the `regex` crate's syntax with every construct spelled out: flags
//! applied per atom, Go's ASCII Perl classes and word boundaries as such, `\Q...\E` as
//! literals, every group unnamed (Go allows a name twice; the names are kept beside).
//! Does not own: matching (see [`super::GoRegex`]).

use std::fmt;

/// Program size limit, counted as Go's compiler would emit instructions (like RE2's limit).
pub(super) const MAX_PROGRAM: usize = 10_000;
/// RE2's limit on counted repetition.
pub(super) const MAX_REPEAT: u32 = 1000;
/// Capture groups per pattern (bounds the memory each match needs).
pub(super) const MAX_GROUPS: usize = 200;
/// Group nesting limit (protects the parser's stack).
pub(super) const MAX_DEPTH: usize = 200;
/// Nesting limit of the translated pattern, counted as the crate counts it (groups,
/// repetitions, alternations, concatenations, bracketed classes): the crate compiles
/// recursively, and keeps its own default limit (250) to protect the stack; this one is
/// checked first so that the error is Go's.
const MAX_NEST: usize = 200;

/// A syntax error, with Go's error code text and the offending fragment.
#[derive(Debug)]
pub(in crate::eval::funcs) struct Error {
    code: &'static str,
    expr: String,
}

impl Error {
    /// The "CODE in EXPR" form Terraform's `regex` uses.
    pub(super) fn in_form(&self) -> String {
        format!("{} in {}", self.code, self.expr)
    }
}

impl fmt::Display for Error {
    /// Go's `regexp/syntax.Error` text, as `replace` reports it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: `{}`", self.code, self.expr)
    }
}

pub(super) fn syntax_err(code: &'static str, expr: impl Into<String>) -> Error {
    Error {
        code,
        expr: expr.into(),
    }
}

/// A Go pattern in the crate's syntax, with Go's capture group names in order.
pub(super) struct Translation {
    pub(super) pattern: String,
    pub(super) names: Vec<Option<String>>,
}

/// Translates a Go pattern, or says what Go would say about it.
pub(super) fn translate(pattern: &str) -> Result<Translation, Error> {
    let mut parser = Parser {
        src: pattern,
        pos: 0,
        names: Vec::new(),
    };
    let piece = parser.parse_alt(Flags::default(), 0)?;
    if parser.pos < pattern.len() {
        // Only an unbalanced ')' stops the top-level parse early.
        return Err(syntax_err("unexpected )", pattern));
    }
    // The whole match's two slots and the final match instruction.
    if piece.size.saturating_add(3) > MAX_PROGRAM {
        return Err(syntax_err("expression too large", pattern));
    }
    if piece.nest > MAX_NEST {
        return Err(syntax_err("expression nests too deeply", pattern));
    }
    Ok(Translation {
        pattern: piece.re,
        names: parser.names,
    })
}

/// Go's flags in force at a point of the pattern.
#[derive(Clone, Copy, Default)]
struct Flags {
    fold: bool,
    multiline: bool,
    dot_nl: bool,
    ungreedy: bool,
}

/// How a translated fragment combines with its neighbours without a wrapping group (each
/// wrapper is one more nesting level for the crate, so none is added that is not needed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// One atom: may take a repetition operator as it is.
    Atom,
    /// A concatenation or a repetition: fine inside a concatenation.
    Seq,
    /// An alternation `a|b`: grouped inside a concatenation.
    Alt,
}

/// A translated fragment: the crate's pattern text, the number of instructions Go's
/// compiler would emit for it (for the program size limit), and how deeply the crate will
/// see it nested.
struct Piece {
    re: String,
    size: usize,
    nest: usize,
    shape: Shape,
}

impl Piece {
    fn atom(re: impl Into<String>, size: usize, nest: usize) -> Piece {
        Piece {
            re: re.into(),
            size,
            nest,
            shape: Shape::Atom,
        }
    }

    fn empty() -> Piece {
        Piece::atom("(?:)", 0, 1)
    }

    fn lit(c: char, fold: bool) -> Piece {
        let escaped = ::regex::escape(c.encode_utf8(&mut [0; 4]));
        if fold {
            Piece::atom(format!("(?i:{escaped})"), 1, 1)
        } else {
            Piece::atom(escaped, 1, 0)
        }
    }

    /// The text as one atom (for a repetition), and its nesting.
    fn grouped(self) -> (String, usize) {
        match self.shape {
            Shape::Atom => (self.re, self.nest),
            Shape::Seq | Shape::Alt => (format!("(?:{})", self.re), self.nest + 1),
        }
    }

    /// The text as an item of a concatenation, and its nesting.
    fn in_concat(self) -> (String, usize) {
        match self.shape {
            Shape::Atom | Shape::Seq => (self.re, self.nest),
            Shape::Alt => (format!("(?:{})", self.re), self.nest + 1),
        }
    }
}

/// A bracketed class, or a Perl or Unicode class outside brackets.
#[derive(Default)]
struct Class {
    ranges: Vec<(char, char)>,
    /// Unicode properties in the crate's spelling (`gc=Lu`, `sc=Greek`, `Any`), each
    /// possibly negated; None for a property that matches nothing (`Cs`: strings hold no
    /// surrogates).
    props: Vec<(Option<String>, bool)>,
    negated: bool,
    fold: bool,
}

impl Class {
    fn piece(&self) -> Piece {
        let mut items = String::new();
        for (lo, hi) in &self.ranges {
            items.push_str(&format!("\\x{{{:X}}}-\\x{{{:X}}}", *lo as u32, *hi as u32));
        }
        for (prop, negated) in &self.props {
            match (prop, negated) {
                (Some(p), false) => items.push_str(&format!("\\p{{{p}}}")),
                (Some(p), true) => items.push_str(&format!("\\P{{{p}}}")),
                (None, false) => {}
                (None, true) => items.push_str("\\x{0}-\\x{10FFFF}"),
            }
        }
        let class = match (items.is_empty(), self.negated) {
            (true, false) => "[^\\x{0}-\\x{10FFFF}]".to_string(),
            (true, true) => "(?s:.)".to_string(),
            (false, false) => format!("[{items}]"),
            (false, true) => format!("[^{items}]"),
        };
        if self.fold {
            Piece::atom(format!("(?i:{class})"), 1, 2)
        } else {
            Piece::atom(class, 1, 1)
        }
    }
}

/// Go's Unicode general categories (`unicode.Categories`).
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N",
    "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So",
    "Z", "Zl", "Zp", "Zs",
];

/// A `\p{NAME}` of Go's in the crate's spelling: Go's category and script names, `Any`.
fn unicode_property(name: &str) -> Option<Option<String>> {
    if name == "Any" {
        return Some(Some("Any".into()));
    }
    if name == "Cs" {
        return Some(None);
    }
    if CATEGORIES.contains(&name) {
        return Some(Some(format!("gc={name}")));
    }
    // Go's script names are capitalised words joined by '_' (Latin, Old_Italic).
    let script_like = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let spelled = format!("sc={name}");
    (script_like && ::regex::Regex::new(&format!("\\p{{{spelled}}}")).is_ok())
        .then_some(Some(spelled))
}

enum Escaped {
    Char(char),
    Class(Vec<(char, char)>, bool),
    Prop(Option<String>, bool),
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
const PERL_SPACE: &[(char, char)] = &[('\t', '\n'), ('\u{c}', '\r'), (' ', ' ')];

fn posix_class(name: &str) -> Option<&'static [(char, char)]> {
    Some(match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\u{7f}')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\u{1f}'), ('\u{7f}', '\u{7f}')],
        "digit" => DIGIT,
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => WORD,
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    })
}

/// Adds `set` (or its complement) to `ranges`.
fn add_ranges(ranges: &mut Vec<(char, char)>, set: &[(char, char)], negated: bool) {
    if !negated {
        ranges.extend_from_slice(set);
        return;
    }
    let mut next = 0u32;
    for (lo, hi) in set {
        if (*lo as u32) > next {
            push_range(ranges, next, *lo as u32 - 1);
        }
        next = *hi as u32 + 1;
    }
    push_range(ranges, next, 0x10FFFF);
}

fn push_range(ranges: &mut Vec<(char, char)>, lo: u32, hi: u32) {
    // Skip the surrogate gap, which `char` cannot represent.
    let pieces = [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)];
    for (a, b) in pieces {
        if a <= b
            && let (Some(a), Some(b)) = (char::from_u32(a), char::from_u32(b))
        {
            ranges.push((a, b));
        }
    }
}

/// What an atom parsed to: one piece, or the characters of `\Q...\E` (a repetition after
/// it applies to its last character only).
enum Atom {
    One(Piece),
    Quoted(Vec<Piece>),
}

struct Parser<'p> {
    src: &'p str,
    pos: usize,
    names: Vec<Option<String>>,
}

impl<'p> Parser<'p> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn rest(&self) -> &'p str {
        &self.src[self.pos..]
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn parse_alt(&mut self, mut flags: Flags, depth: usize) -> Result<Piece, Error> {
        if depth > MAX_DEPTH {
            return Err(syntax_err("expression nests too deeply", self.src));
        }
        let mut branches = vec![self.parse_concat(&mut flags, depth)?];
        while self.eat("|") {
            branches.push(self.parse_concat(&mut flags, depth)?);
        }
        if branches.len() == 1 {
            return Ok(branches.pop().unwrap_or_else(Piece::empty));
        }
        // Go emits a split and a jump for each branch but the last.
        let size = branches
            .iter()
            .fold(2 * (branches.len() - 1), |n, b| n.saturating_add(b.size));
        let nest = 1 + branches.iter().map(|b| b.nest).max().unwrap_or(0);
        let texts: Vec<&str> = branches.iter().map(|b| b.re.as_str()).collect();
        Ok(Piece {
            re: texts.join("|"),
            size,
            nest,
            shape: Shape::Alt,
        })
    }

    fn parse_concat(&mut self, flags: &mut Flags, depth: usize) -> Result<Piece, Error> {
        let mut items: Vec<Piece> = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = match self.parse_atom(flags, depth)? {
                Atom::One(p) => p,
                Atom::Quoted(mut chars) => match chars.pop() {
                    Some(last) => {
                        items.append(&mut chars);
                        last
                    }
                    None => continue,
                },
            };
            items.push(self.parse_repeats(atom, *flags)?);
        }
        Ok(match items.len() {
            0 => Piece::empty(),
            1 => items.pop().unwrap_or_else(Piece::empty),
            _ => {
                let size = items.iter().fold(0usize, |n, p| n.saturating_add(p.size));
                let (mut re, mut nest) = (String::new(), 0);
                for item in items {
                    let (text, n) = item.in_concat();
                    re.push_str(&text);
                    nest = nest.max(n);
                }
                Piece {
                    re,
                    size,
                    nest: nest + 1,
                    shape: Shape::Seq,
                }
            }
        })
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the cursor; None (cursor unmoved) if the
    /// text is not a valid repeat, in which case `{` is a literal.
    fn parse_braces(&mut self) -> Result<Option<(u32, Option<u32>)>, Error> {
        let rest = self.rest();
        let Some(close) = rest.find('}') else {
            return Ok(None);
        };
        let inner = &rest[1..close];
        let (lo, hi) = match inner.split_once(',') {
            Some((lo, hi)) => (lo, Some(hi)),
            None => (inner, None),
        };
        let num = |t: &str| -> Option<u32> {
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(t.parse::<u32>().unwrap_or(u32::MAX))
        };
        let Some(min) = num(lo) else { return Ok(None) };
        let max = match hi {
            None => Some(min),
            Some("") => None,
            Some(h) => match num(h) {
                Some(m) => Some(m),
                None => return Ok(None),
            },
        };
        let text = &rest[..=close];
        if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
            return Err(syntax_err("invalid repeat count", text));
        }
        self.pos += close + 1;
        Ok(Some((min, max)))
    }

    fn parse_repeats(&mut self, mut atom: Piece, flags: Flags) -> Result<Piece, Error> {
        let mut first_op: Option<usize> = None;
        loop {
            let op_start = self.pos;
            let (min, max) = match self.peek() {
                Some('*') => {
                    self.pos += 1;
                    (0, None)
                }
                Some('+') => {
                    self.pos += 1;
                    (1, None)
                }
                Some('?') => {
                    self.pos += 1;
                    (0, Some(1))
                }
                Some('{') => match self.parse_braces()? {
                    Some(r) => r,
                    None => return Ok(atom),
                },
                _ => return Ok(atom),
            };
            if let Some(first) = first_op {
                return Err(syntax_err(
                    "invalid nested repetition operator",
                    &self.src[first..self.pos],
                ));
            }
            first_op = Some(op_start);
            let lazy = self.eat("?");
            atom = repeat(atom, min, max, lazy == flags.ungreedy);
        }
    }

    fn parse_atom(&mut self, flags: &mut Flags, depth: usize) -> Result<Atom, Error> {
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Ok(Atom::One(Piece::empty()));
        };
        let one = |re: &str| Ok(Atom::One(Piece::atom(re, 1, 1)));
        match c {
            '(' => self.parse_group(flags, depth).map(Atom::One),
            '[' => self.parse_class(*flags, start).map(Atom::One),
            '.' if flags.dot_nl => one("(?s:.)"),
            '.' => one("[^\\n]"),
            '^' if flags.multiline => one("(?m:^)"),
            '^' => one("\\A"),
            '$' if flags.multiline => one("(?m:$)"),
            '$' => one("\\z"),
            '*' | '+' | '?' => Err(syntax_err(
                "missing argument to repetition operator",
                c.to_string(),
            )),
            '{' => {
                self.pos = start;
                if self.parse_braces()?.is_some() {
                    return Err(syntax_err(
                        "missing argument to repetition operator",
                        &self.src[start..self.pos],
                    ));
                }
                self.pos = start + 1;
                Ok(Atom::One(Piece::lit('{', flags.fold)))
            }
            '\\' => self.parse_escape_atom(*flags, start),
            c => Ok(Atom::One(Piece::lit(c, flags.fold))),
        }
    }

    fn parse_group(&mut self, flags: &mut Flags, depth: usize) -> Result<Piece, Error> {
        let group_start = self.pos - 1;
        let mut inner_flags = *flags;
        let mut capture = false;
        if self.eat("?") {
            if self.eat("P<")
                || (!self.rest().starts_with("<=")
                    && !self.rest().starts_with("<!")
                    && self.eat("<"))
            {
                let end = self
                    .rest()
                    .find('>')
                    .ok_or_else(|| syntax_err("invalid named capture", &self.src[group_start..]))?;
                let name = &self.rest()[..end];
                let expr = &self.src[group_start..self.pos + end + 1];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(syntax_err("invalid named capture", expr));
                }
                self.check_groups()?;
                self.names.push(Some(name.to_string()));
                capture = true;
                self.pos += end + 1;
            } else {
                let mut negate = false;
                loop {
                    match self.bump() {
                        Some('i') => inner_flags.fold = !negate,
                        Some('m') => inner_flags.multiline = !negate,
                        Some('s') => inner_flags.dot_nl = !negate,
                        Some('U') => inner_flags.ungreedy = !negate,
                        Some('-') if !negate => negate = true,
                        Some(')') => {
                            *flags = inner_flags;
                            return Ok(Piece::empty());
                        }
                        Some(':') => break,
                        _ => {
                            return Err(syntax_err(
                                "invalid or unsupported Perl syntax",
                                &self.src[group_start..self.pos],
                            ));
                        }
                    }
                }
            }
        } else {
            self.check_groups()?;
            self.names.push(None);
            capture = true;
        }
        let inner = self.parse_alt(inner_flags, depth + 1)?;
        if !self.eat(")") {
            return Err(syntax_err("missing closing )", self.src));
        }
        Ok(if capture {
            // Every group is unnamed for the crate: Go allows a name twice, the crate does not.
            Piece::atom(
                format!("({})", inner.re),
                inner.size.saturating_add(2),
                inner.nest + 1,
            )
        } else {
            // A non-capturing group only groups; the flags are already applied per atom.
            inner
        })
    }

    fn check_groups(&self) -> Result<(), Error> {
        if self.names.len() >= MAX_GROUPS {
            return Err(syntax_err("too many capture groups", self.src));
        }
        Ok(())
    }

    fn parse_escape_atom(&mut self, flags: Flags, start: usize) -> Result<Atom, Error> {
        let look = |p: &mut Self, re: &str| {
            p.pos += 1;
            Ok(Atom::One(Piece::atom(re, 1, 1)))
        };
        match self.peek() {
            // Go's word boundaries are ASCII.
            Some('b') => look(self, "(?-u:\\b)"),
            Some('B') => look(self, "(?-u:\\B)"),
            Some('A') => look(self, "\\A"),
            Some('z') => look(self, "\\z"),
            Some('Q') => {
                self.pos += 1;
                let text = match self.rest().find("\\E") {
                    Some(i) => {
                        let t = &self.rest()[..i];
                        self.pos += i + 2;
                        t
                    }
                    None => {
                        let t = self.rest();
                        self.pos = self.src.len();
                        t
                    }
                };
                Ok(Atom::Quoted(
                    text.chars().map(|c| Piece::lit(c, flags.fold)).collect(),
                ))
            }
            _ => Ok(Atom::One(match self.parse_escape(start)? {
                Escaped::Char(c) => Piece::lit(c, flags.fold),
                Escaped::Class(ranges, negated) => Class {
                    ranges,
                    negated,
                    ..Class::default()
                }
                .piece(),
                Escaped::Prop(prop, negated) => Class {
                    props: vec![(prop, negated)],
                    fold: flags.fold,
                    ..Class::default()
                }
                .piece(),
            })),
        }
    }

    /// Parses the escape after a backslash (already consumed) that can appear both
    /// inside and outside classes.
    fn parse_escape(&mut self, start: usize) -> Result<Escaped, Error> {
        let Some(c) = self.bump() else {
            return Err(syntax_err("trailing backslash at end of expression", ""));
        };
        let invalid = |p: &Self| syntax_err("invalid escape sequence", &p.src[start..p.pos]);
        Ok(match c {
            'd' => Escaped::Class(DIGIT.to_vec(), false),
            'D' => Escaped::Class(DIGIT.to_vec(), true),
            'w' => Escaped::Class(WORD.to_vec(), false),
            'W' => Escaped::Class(WORD.to_vec(), true),
            's' => Escaped::Class(PERL_SPACE.to_vec(), false),
            'S' => Escaped::Class(PERL_SPACE.to_vec(), true),
            'p' | 'P' => {
                let name = if self.eat("{") {
                    let end = self.rest().find('}').ok_or_else(|| {
                        syntax_err("invalid character class range", &self.src[start..])
                    })?;
                    let name = &self.rest()[..end];
                    self.pos += end + 1;
                    name
                } else {
                    let name = self
                        .rest()
                        .chars()
                        .next()
                        .map_or("", |ch| &self.rest()[..ch.len_utf8()]);
                    self.pos += name.len();
                    name
                };
                let (negated, name) = match name.strip_prefix('^') {
                    Some(n) => (c == 'p', n),
                    None => (c == 'P', name),
                };
                let prop = unicode_property(name).ok_or_else(|| {
                    syntax_err("invalid character class range", &self.src[start..self.pos])
                })?;
                Escaped::Prop(prop, negated)
            }
            'a' => Escaped::Char('\u{7}'),
            'f' => Escaped::Char('\u{c}'),
            'n' => Escaped::Char('\n'),
            'r' => Escaped::Char('\r'),
            't' => Escaped::Char('\t'),
            'v' => Escaped::Char('\u{b}'),
            '0'..='7' => {
                // Octal; a lone non-zero digit would be a backreference, which RE2 lacks.
                if c != '0' && !self.peek().is_some_and(|d| ('0'..='7').contains(&d)) {
                    return Err(invalid(self));
                }
                let mut v = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            self.pos += 1;
                        }
                        None => break,
                    }
                }
                Escaped::Char(char::from_u32(v).unwrap_or('\0'))
            }
            'x' => {
                let hex = if self.eat("{") {
                    let end = self.rest().find('}').ok_or_else(|| invalid(self))?;
                    let h = &self.rest()[..end];
                    self.pos += end + 1;
                    h
                } else {
                    let h = self.rest().get(..2).ok_or_else(|| invalid(self))?;
                    self.pos += 2;
                    h
                };
                let v = u32::from_str_radix(hex, 16).map_err(|_| invalid(self))?;
                Escaped::Char(char::from_u32(v).ok_or_else(|| invalid(self))?)
            }
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Escaped::Char(c),
            _ => return Err(invalid(self)),
        })
    }

    fn parse_class(&mut self, flags: Flags, start: usize) -> Result<Piece, Error> {
        let mut class = Class {
            negated: self.eat("^"),
            fold: flags.fold,
            ..Class::default()
        };
        let mut first = true;
        let missing = |p: &Self| syntax_err("missing closing ]", &p.src[start..]);
        loop {
            match self.peek() {
                None => return Err(missing(self)),
                Some(']') if !first => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            first = false;
            if self.rest().starts_with("[:")
                && let Some(end) = self.rest()[2..].find(":]")
            {
                let name = &self.rest()[2..2 + end];
                let expr = &self.rest()[..end + 4];
                let (neg, name) = match name.strip_prefix('^') {
                    Some(n) => (true, n),
                    None => (false, name),
                };
                let set = posix_class(name)
                    .ok_or_else(|| syntax_err("invalid character class range", expr))?;
                self.pos += end + 4;
                add_ranges(&mut class.ranges, set, neg);
                continue;
            }
            let item_start = self.pos;
            let lo = match self.class_char(start)? {
                Escaped::Char(c) => c,
                Escaped::Class(set, neg) => {
                    add_ranges(&mut class.ranges, &set, neg);
                    continue;
                }
                Escaped::Prop(prop, neg) => {
                    class.props.push((prop, neg));
                    continue;
                }
            };
            let mut hi = lo;
            if self.rest().starts_with('-')
                && !self.rest().starts_with("-]")
                && self.rest().len() > 1
            {
                self.pos += 1;
                hi = match self.class_char(start)? {
                    Escaped::Char(c) => c,
                    Escaped::Class(..) | Escaped::Prop(..) => {
                        return Err(syntax_err(
                            "invalid character class range",
                            &self.src[item_start..self.pos],
                        ));
                    }
                };
                if hi < lo {
                    return Err(syntax_err(
                        "invalid character class range",
                        &self.src[item_start..self.pos],
                    ));
                }
            }
            class.ranges.push((lo, hi));
        }
        Ok(class.piece())
    }

    fn class_char(&mut self, class_start: usize) -> Result<Escaped, Error> {
        let esc_start = self.pos;
        match self.bump() {
            None => Err(syntax_err("missing closing ]", &self.src[class_start..])),
            Some('\\') => self.parse_escape(esc_start),
            Some(c) => Ok(Escaped::Char(c)),
        }
    }
}

/// `x{min,max}` (max None: unbounded), greedy or lazy, sized as Go's compiler shapes it:
/// `x{n,m}` is n copies of `x` then m-n optional ones, `x{n,}` is n-1 copies then `x+`,
/// `x*` a split around `x`.
fn repeat(atom: Piece, min: u32, max: Option<u32>, greedy: bool) -> Piece {
    let (min_n, s) = (min as usize, atom.size);
    let size = match max {
        None if min == 0 => s.saturating_add(2),
        None => min_n.saturating_mul(s).saturating_add(1),
        Some(max) => min_n
            .saturating_mul(s)
            .saturating_add(((max - min) as usize).saturating_mul(s.saturating_add(1))),
    };
    let op = match (min, max) {
        (0, None) => "*".to_string(),
        (1, None) => "+".to_string(),
        (0, Some(1)) => "?".to_string(),
        (n, None) => format!("{{{n},}}"),
        (n, Some(m)) if n == m => format!("{{{n}}}"),
        (n, Some(m)) => format!("{{{n},{m}}}"),
    };
    let lazy = if greedy { "" } else { "?" };
    let (text, nest) = atom.grouped();
    Piece {
        re: format!("{text}{op}{lazy}"),
        size,
        nest: nest + 1,
        // A repetition of a repetition must be grouped: `(?:a*)*`, not `a**`.
        shape: Shape::Seq,
    }
}
