//! Terraform's structural rewrites, applied to the token list before layout.
//!
//! Owns: a light walk of the body structure (attributes and blocks, recursively) and the
//! edits `terraform fmt` v1.11.4 makes through `hclwrite`'s AST:
//! - an attribute value that is only an interpolation, `"${expr}"`, becomes `expr` (wrapped in
//!   parentheses when it spans lines);
//! - the `type` of a top-level `variable` block drops legacy forms: `"string"` -> `string`,
//!   `"list"`/`"map"` -> `list(string)`/`map(string)`, bare `list`/`map`/`set` -> `...(any)`;
//! - block labels are rewritten in quoted, canonically escaped form, which also drops comments
//!   between the block type and the last label;
//! - quirks of `hclwrite`'s AST rebuild that Terraform exhibits: a block label whose text lexes
//!   into more than one literal token (any label containing `$` or `%` besides `$`, `%`, `$${`
//!   and `%%{` alone) is dropped, and the key of a `true`/`false`/`null` index on a variable
//!   reference (`var.x[true]`) is dropped, leaving `var.x[]`.
//!
//! Also owns the checks for errors HCL's parser (which Terraform runs before formatting)
//! reports but `hcl-edit` accepts: duplicate attributes, chained legacy indexes (`a.0.1`),
//! nested attribute splats, invalid number literals, keywords glued to names (`v ifv`) and an
//! operator continuing a heredoc on the next line inside an object constructor.
//!
//! Does not own: tokenizing, whitespace layout, or general syntax validation (the caller
//! parses with `hcl-edit` first).

use super::lexer::{Kind, Token};
use std::collections::HashSet;

/// A structural problem found while walking the token list, at a token index.
#[derive(Debug)]
pub(super) struct StructureError {
    pub(super) token: usize,
    pub(super) message: String,
}

type Result<T> = std::result::Result<T, StructureError>;

/// Applies Terraform's rewrites to a whole file's tokens.
pub(super) fn rewrite(tokens: &[Token]) -> Result<Vec<Token>> {
    validate(tokens)?;
    let mut walker = Walker {
        toks: tokens,
        i: 0,
        out: Vec::with_capacity(tokens.len()),
    };
    walker.body(&[], false)?;
    Ok(walker.out)
}

/// Token-level checks for errors HCL's parser reports but `hcl-edit` lets through.
fn validate(tokens: &[Token]) -> Result<()> {
    let err = |token: usize, message: &str| {
        Err(StructureError {
            token,
            message: message.to_owned(),
        })
    };
    let kind_at = |i: usize| tokens.get(i).map(|t| t.kind);
    for (i, tok) in tokens.iter().enumerate() {
        match tok.kind {
            Kind::NumberLit => {
                if kind_at(i.wrapping_sub(1)) == Some(Kind::Dot) && tok.text.contains('.') {
                    return err(
                        i,
                        "Invalid legacy index syntax: chaining two legacy indexes is not \
                         permitted; use [0][1] instead",
                    );
                }
                if tok.text.parse::<f64>().is_err() {
                    return err(i, "Invalid number literal");
                }
            }
            Kind::Star if i > 0 && kind_at(i - 1) == Some(Kind::Dot) => {
                // An attribute-only splat (`a.*.b`) takes only `.name` steps after it.
                let mut j = i + 1;
                while kind_at(j) == Some(Kind::Dot)
                    && matches!(kind_at(j + 1), Some(Kind::Ident | Kind::NumberLit))
                {
                    j += 2;
                }
                if kind_at(j) == Some(Kind::Dot) && kind_at(j + 1) == Some(Kind::Star) {
                    return err(j + 1, "Nested splat expression not allowed");
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks inside one attribute's expression (tokens `start..end`) for errors HCL reports but
/// `hcl-edit` accepts: keyword misuse, since `hcl-edit` matches keywords as prefixes
/// (`v ifv != ""` parses there as `v if v != ""`), and an operator continuing a heredoc value
/// on the line after its closing marker inside an object constructor, where HCL ends the item
/// at that line break.
fn validate_expr(tokens: &[Token], start: usize, end: usize) -> Result<()> {
    let sig: Vec<usize> = (start..end)
        .filter(|&i| !is_inline_comment(&tokens[i]))
        .collect();
    // For each open bracket: is it an object constructor (newline-sensitive)?
    let mut objects: Vec<bool> = Vec::new();
    for (p, &i) in sig.iter().enumerate() {
        let tok = &tokens[i];
        let next = sig.get(p + 1).map(|&j| &tokens[j]);
        match tok.bracket_change() {
            1 => objects.push(tok.kind == Kind::OBrace && !next.is_some_and(|n| n.is_ident("for"))),
            -1 => {
                objects.pop();
            }
            _ => {}
        }
        if tok.kind == Kind::CHeredoc && objects.last() == Some(&true) {
            let after = sig[p + 1..]
                .iter()
                .map(|&j| &tokens[j])
                .find(|t| t.kind != Kind::Newline);
            if next.is_some_and(|n| n.kind == Kind::Newline)
                && after.is_some_and(|t| is_continuation_operator(t.kind))
            {
                return Err(StructureError {
                    token: i,
                    message: "Missing item separator: an object item ends at the line break \
                              after a heredoc"
                        .to_owned(),
                });
            }
        }
        if tok.kind != Kind::Ident {
            continue;
        }
        let prev = p.checked_sub(1).map(|q| &tokens[sig[q]]);
        let Some(prev) = prev else { continue };
        if prev.kind == Kind::TemplateControl
            && !matches!(
                tok.text.as_str(),
                "if" | "else" | "endif" | "for" | "endfor"
            )
        {
            return Err(StructureError {
                token: i,
                message: format!("Invalid template control keyword {:?}", tok.text),
            });
        }
        let after_operand = matches!(
            prev.kind,
            Kind::Ident
                | Kind::NumberLit
                | Kind::CQuote
                | Kind::CHeredoc
                | Kind::CParen
                | Kind::CBrack
                | Kind::CBrace
        ) && !matches!(prev.text.as_str(), "for" | "in" | "if");
        // Only the `in` and `if` keywords of `for` constructs may follow an operand.
        if after_operand && !matches!(tok.text.as_str(), "in" | "if") {
            return Err(StructureError {
                token: i,
                message: format!("Extra characters after expression: {:?}", tok.text),
            });
        }
    }
    Ok(())
}

/// Tokens that can only continue an expression, never start an object item.
fn is_continuation_operator(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Plus
            | Kind::Minus
            | Kind::Star
            | Kind::Slash
            | Kind::Percent
            | Kind::EqualOp
            | Kind::NotEqual
            | Kind::LessThan
            | Kind::LessThanEq
            | Kind::GreaterThan
            | Kind::GreaterThanEq
            | Kind::And
            | Kind::Or
            | Kind::Question
            | Kind::Colon
    )
}

struct Walker<'a> {
    toks: &'a [Token],
    i: usize,
    out: Vec<Token>,
}

fn is_inline_comment(t: &Token) -> bool {
    t.kind == Kind::Comment && !t.is_newline()
}

impl Walker<'_> {
    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T> {
        Err(StructureError {
            token: at.min(self.toks.len().saturating_sub(1)),
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.i)
    }

    fn copy_one(&mut self) {
        if let Some(t) = self.toks.get(self.i) {
            self.out.push(t.clone());
            self.i += 1;
        }
    }

    /// Copies `/* */` comments, which the HCL parser skips between any two tokens.
    fn copy_inline_comments(&mut self) {
        while self.peek().is_some_and(is_inline_comment) {
            self.copy_one();
        }
    }

    fn body(&mut self, in_blocks: &[&str], closing: bool) -> Result<()> {
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            while self
                .peek()
                .is_some_and(|t| t.kind == Kind::Newline || t.kind == Kind::Comment)
            {
                self.copy_one();
            }
            let Some(tok) = self.peek() else {
                if closing {
                    return self.err(self.i, "Unclosed configuration block");
                }
                return Ok(());
            };
            match tok.kind {
                Kind::CBrace if closing => return Ok(()),
                Kind::Ident => {}
                _ => return self.err(self.i, "Argument or block definition required"),
            }
            let name_at = self.i;
            let name = tok.text.clone();
            self.copy_one();
            let mut next = self.i;
            while self.toks.get(next).is_some_and(is_inline_comment) {
                next += 1;
            }
            match self.toks.get(next).map(|t| t.kind) {
                Some(Kind::Equal) => {
                    self.copy_inline_comments();
                    if !seen.insert(name.clone()) {
                        return self.err(
                            name_at,
                            format!("Attribute redefined: the argument {name:?} was already set"),
                        );
                    }
                    self.attribute(in_blocks, &name)?;
                }
                Some(Kind::OBrace | Kind::OQuote | Kind::Ident) => {
                    let mut nested = in_blocks.to_vec();
                    nested.push(&name);
                    self.block(&nested)?;
                }
                _ => return self.err(self.i, "Argument or block definition required"),
            }
        }
    }

    fn attribute(&mut self, in_blocks: &[&str], name: &str) -> Result<()> {
        self.copy_one(); // `=`
        self.copy_inline_comments();
        let start = self.i;
        let mut depth = 0i32;
        let mut end = start;
        while let Some(t) = self.toks.get(end) {
            if depth == 0 && (t.is_newline() || t.kind == Kind::CBrace) {
                break;
            }
            depth += t.bracket_change();
            end += 1;
        }
        let mut expr_end = end;
        while expr_end > start && is_inline_comment(&self.toks[expr_end - 1]) {
            expr_end -= 1;
        }
        if expr_end == start {
            return self.err(start, "Missing expression");
        }
        validate_expr(self.toks, start, expr_end)?;
        let expr = drop_literal_index_keys(&self.toks[start..expr_end]);
        let expr = if in_blocks == ["variable"] && name == "type" {
            format_type_expr(expr)
        } else {
            format_value_expr(expr)
        };
        self.out.extend(expr);
        self.out.extend_from_slice(&self.toks[expr_end..end]);
        self.i = end;
        Ok(())
    }

    fn block(&mut self, in_blocks: &[&str]) -> Result<()> {
        let after_type = self.i;
        let mut labels: Vec<Option<String>> = Vec::new();
        let mut labels_end = after_type;
        loop {
            match self.peek().map(|t| t.kind) {
                Some(Kind::Comment) if is_inline_comment(&self.toks[self.i]) => self.i += 1,
                Some(Kind::Ident) => {
                    labels.push(Some(self.toks[self.i].text.clone()));
                    self.i += 1;
                    labels_end = self.i;
                }
                Some(Kind::OQuote) => {
                    let open = self.i;
                    let mut close = open + 1;
                    while self
                        .toks
                        .get(close)
                        .is_some_and(|t| t.kind == Kind::QuotedLit)
                    {
                        close += 1;
                    }
                    if self.toks.get(close).map(|t| t.kind) != Some(Kind::CQuote) {
                        return self.err(close, "Invalid block label: templates are not allowed");
                    }
                    labels.push(quoted_label_value(&self.toks[open + 1..close]));
                    self.i = close + 1;
                    labels_end = self.i;
                }
                Some(Kind::OBrace) => break,
                _ => return self.err(self.i, "Invalid block definition"),
            }
        }
        if labels.is_empty() {
            self.out.extend_from_slice(&self.toks[after_type..self.i]);
        } else {
            for label in labels.into_iter().flatten() {
                self.out.push(Token::new(Kind::OQuote, "\""));
                self.out
                    .push(Token::new(Kind::QuotedLit, &escape_quoted_string(&label)));
                self.out.push(Token::new(Kind::CQuote, "\""));
            }
            self.out.extend_from_slice(&self.toks[labels_end..self.i]);
        }
        self.copy_one(); // `{`
        self.body(in_blocks, true)?;
        self.copy_one(); // `}`
        self.copy_inline_comments();
        match self.peek() {
            None => Ok(()),
            Some(t) if t.is_newline() || t.kind == Kind::CBrace => Ok(()),
            Some(_) => self.err(self.i, "Missing newline after block definition"),
        }
    }
}

/// The value `hclwrite` reads back from a quoted label's literal tokens, or `None` when it
/// cannot (more than one literal token), in which case Terraform drops the label.
fn quoted_label_value(lits: &[Token]) -> Option<String> {
    match lits {
        [] => Some(String::new()),
        [lit] => Some(unescape_quoted_string(&lit.text)),
        _ => None,
    }
}

/// Decodes HCL quoted-string escapes (`\n`, `\r`, `\t`, `\"`, `\\`, `\uXXXX`, `\UXXXXXXXX`)
/// and the doubled template introducers `$${` and `%%{`.
fn unescape_quoted_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            let mut it = rest[1..].chars();
            let sel = it.next();
            let hex_len = match sel {
                Some('u') => 4,
                Some('U') => 8,
                _ => 0,
            };
            if hex_len > 0 {
                let hex = rest.get(2..2 + hex_len).unwrap_or("");
                if let Some(ch) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                    rest = &rest[2 + hex_len..];
                    continue;
                }
            }
            let decoded = match sel {
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some('"') => Some('"'),
                Some('\\') => Some('\\'),
                _ => None,
            };
            match (decoded, sel) {
                (Some(d), Some(sel)) => {
                    out.push(d);
                    rest = &rest[1 + sel.len_utf8()..];
                }
                (None, Some(sel)) => {
                    // Invalid escapes are syntax errors upstream; keep the selector as HCL does.
                    out.push(sel);
                    rest = &rest[1 + sel.len_utf8()..];
                }
                (_, None) => {
                    out.push('\\');
                    rest = &rest[1..];
                }
            }
        } else if (rest.starts_with("$${") || rest.starts_with("%%{")) && rest.len() >= 3 {
            out.push(c);
            out.push('{');
            rest = &rest[3..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Go's `unicode.IsPrint`, approximately: letters, marks, numbers, punctuation, symbols and
/// the ASCII space are printable; controls, format characters, other spaces and private-use
/// characters are not.
fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{00ad}'
        | '\u{0600}'..='\u{0605}'
        | '\u{061c}'
        | '\u{06dd}'
        | '\u{070f}'
        | '\u{0890}'..='\u{0891}'
        | '\u{08e2}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e000}'..='\u{f8ff}'
        | '\u{110bd}'
        | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}'
        | '\u{f0000}'..
    )
}

/// `hclwrite`'s `escapeQuotedStringLit`: the canonical quoted spelling of a string.
fn escape_quoted_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if s[i + 1..].starts_with('{') {
                    out.push(c);
                }
            }
            c if !is_print(c) => {
                let n = u32::from(c);
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Terraform's `formatValueExpr`: unwraps an interpolation-only string `"${expr}"`.
fn format_value_expr(tokens: Vec<Token>) -> Vec<Token> {
    let n = tokens.len();
    if n < 5
        || tokens[0].kind != Kind::OQuote
        || tokens[1].kind != Kind::TemplateInterp
        || tokens[n - 2].kind != Kind::TemplateSeqEnd
        || tokens[n - 1].kind != Kind::CQuote
    {
        return tokens;
    }
    let inside = &tokens[2..n - 2];
    let mut quotes = 0i32;
    for t in inside {
        match t.kind {
            Kind::OQuote => quotes += 1,
            Kind::CQuote => quotes -= 1,
            // Anything inside a nested string belongs to a nested expression.
            _ if quotes > 0 => {}
            Kind::TemplateInterp | Kind::TemplateSeqEnd | Kind::QuotedLit => return tokens,
            _ => {}
        }
    }
    let first = inside.iter().position(|t| t.kind != Kind::Newline);
    let last = inside.iter().rposition(|t| t.kind != Kind::Newline);
    let trimmed: &[Token] = match (first, last) {
        (Some(f), Some(l)) => &inside[f..=l],
        _ => &[],
    };
    let multi_line = trimmed.iter().any(|t| t.kind == Kind::Newline);
    let parenthesized = trimmed.first().is_some_and(|t| t.kind == Kind::OParen)
        && trimmed.len() > 1
        && trimmed.last().is_some_and(|t| t.kind == Kind::CParen);
    if multi_line && !parenthesized {
        // A multi-line expression outside a template needs brackets to stay one expression.
        let mut wrapped = Vec::with_capacity(trimmed.len() + 2);
        wrapped.push(Token::new(Kind::OParen, "("));
        wrapped.extend_from_slice(trimmed);
        wrapped.push(Token::new(Kind::CParen, ")"));
        return wrapped;
    }
    trimmed.to_vec()
}

/// Terraform's `formatTypeExpr` for the `type` argument of a `variable` block.
fn format_type_expr(tokens: Vec<Token>) -> Vec<Token> {
    let call = |name: &str, arg: &str| {
        vec![
            Token::new(Kind::Ident, name),
            Token::new(Kind::OParen, "("),
            Token::new(Kind::Ident, arg),
            Token::new(Kind::CParen, ")"),
        ]
    };
    match tokens.as_slice() {
        [kw] if kw.kind == Kind::Ident && matches!(kw.text.as_str(), "list" | "map" | "set") => {
            call(&kw.text, "any")
        }
        [open, lit, close]
            if open.kind == Kind::OQuote
                && lit.kind == Kind::QuotedLit
                && close.kind == Kind::CQuote =>
        {
            // Pre-0.12 quoted types; their element type was effectively string.
            match lit.text.as_str() {
                "string" => vec![Token::new(Kind::Ident, "string")],
                "list" | "map" => call(&lit.text, "string"),
                _ => tokens,
            }
        }
        _ => tokens,
    }
}

/// A `for` expression's (or `%{ for }` directive's) local names and where they are visible:
/// from the expression's `:` to its closing bracket, or from the directive's closing `}` to
/// its `%{ endfor }`.
struct ForScope {
    names: Vec<String>,
    /// Bracket depth of the scope's body.
    depth: i32,
    active: bool,
    /// True for a template `%{ for }` directive.
    template: bool,
    /// Conditional `?`s in the collection expression whose `:` is still to come.
    open_questions: i32,
}

/// Reads the local names of a `for` header starting right after the `for` keyword at
/// significant position `p`; returns them and the position of the `in` keyword.
fn for_header(expr: &[Token], sig: &[usize], mut p: usize) -> (Vec<String>, usize) {
    let mut names = Vec::new();
    while let Some(&i) = sig.get(p) {
        let t = &expr[i];
        if t.is_ident("in") {
            break;
        }
        if t.kind == Kind::Ident {
            names.push(t.text.clone());
        }
        p += 1;
    }
    (names, p)
}

/// Reproduces an `hclwrite` quirk: in a reference to a variable (a traversal starting at a
/// root name that is not a `for` local), an index step whose key is `true`, `false` or `null`
/// loses its key, because the AST rebuild only keeps string and number keys.
fn drop_literal_index_keys(expr: &[Token]) -> Vec<Token> {
    let sig: Vec<usize> = (0..expr.len())
        .filter(|&i| !matches!(expr[i].kind, Kind::Comment | Kind::Newline))
        .collect();
    let kind_at = |p: usize| sig.get(p).map(|&i| expr[i].kind);
    let mut remove = vec![false; expr.len()];
    let mut scopes: Vec<ForScope> = Vec::new();
    let mut depth = 0i32;
    let mut p = 0;
    while p < sig.len() {
        let tok = &expr[sig[p]];
        let depth_before = depth;
        depth += tok.bracket_change();
        scopes.retain(|s| depth >= s.depth);
        let next_is = |name: &str| sig.get(p + 1).is_some_and(|&i| expr[i].is_ident(name));
        match tok.kind {
            Kind::OBrack | Kind::OBrace if next_is("for") => {
                let (names, in_at) = for_header(expr, &sig, p + 2);
                scopes.push(ForScope {
                    names,
                    depth,
                    active: false,
                    template: false,
                    open_questions: 0,
                });
                p = in_at + 1;
                continue;
            }
            Kind::TemplateControl if next_is("for") => {
                let (names, in_at) = for_header(expr, &sig, p + 2);
                scopes.push(ForScope {
                    names,
                    depth: depth_before,
                    active: false,
                    template: true,
                    open_questions: 0,
                });
                p = in_at + 1;
                continue;
            }
            Kind::TemplateControl if next_is("endfor") => {
                if let Some(at) = scopes
                    .iter()
                    .rposition(|s| s.template && s.depth == depth_before)
                {
                    scopes.remove(at);
                }
            }
            Kind::TemplateSeqEnd => {
                if let Some(s) = scopes
                    .iter_mut()
                    .rev()
                    .find(|s| s.template && !s.active && s.depth == depth)
                {
                    s.active = true;
                }
            }
            Kind::Question => {
                if let Some(s) = scopes
                    .iter_mut()
                    .rev()
                    .find(|s| !s.template && s.depth == depth && !s.active)
                {
                    s.open_questions += 1;
                }
            }
            Kind::Colon => {
                if let Some(s) = scopes
                    .iter_mut()
                    .rev()
                    .find(|s| !s.template && s.depth == depth && !s.active)
                {
                    if s.open_questions > 0 {
                        s.open_questions -= 1;
                    } else {
                        s.active = true;
                    }
                }
            }
            Kind::Ident => {
                let prev = p.checked_sub(1).and_then(kind_at);
                let next = kind_at(p + 1);
                let is_root = !matches!(prev, Some(Kind::Dot | Kind::DoubleColon))
                    && !matches!(next, Some(Kind::OParen | Kind::DoubleColon))
                    && !matches!(tok.text.as_str(), "true" | "false" | "null")
                    && !scopes
                        .iter()
                        .any(|s| s.active && s.names.contains(&tok.text));
                if is_root {
                    mark_traversal_keys(expr, &sig, p + 1, &mut remove);
                }
            }
            _ => {}
        }
        p += 1;
    }
    expr.iter()
        .zip(remove)
        .filter(|(_, r)| !r)
        .map(|(t, _)| t.clone())
        .collect()
}

/// Follows the traversal steps after a root name starting at significant position `p`,
/// marking the keys of `[true]`/`[false]`/`[null]` steps for removal.
fn mark_traversal_keys(expr: &[Token], sig: &[usize], mut p: usize, remove: &mut [bool]) {
    let kind_at = |p: usize| sig.get(p).map(|&i| expr[i].kind);
    loop {
        match kind_at(p) {
            Some(Kind::Dot) if matches!(kind_at(p + 1), Some(Kind::Ident | Kind::NumberLit)) => {
                p += 2;
            }
            Some(Kind::OBrack) => {
                let mut depth = 0;
                let mut q = p;
                while let Some(&i) = sig.get(q) {
                    depth += expr[i].bracket_change();
                    if depth == 0 {
                        break;
                    }
                    q += 1;
                }
                let Some(&close) = sig.get(q) else {
                    return;
                };
                let content: Vec<&Token> = sig[p + 1..q].iter().map(|&i| &expr[i]).collect();
                match content.as_slice() {
                    [t] if t.kind == Kind::NumberLit => {}
                    [t] if matches!(t.text.as_str(), "true" | "false" | "null")
                        && t.kind == Kind::Ident =>
                    {
                        for r in &mut remove[sig[p] + 1..close] {
                            *r = true;
                        }
                    }
                    [open, lits @ .., close_tok]
                        if (open.kind == Kind::OQuote
                            && close_tok.kind == Kind::CQuote
                            && lits.iter().all(|t| t.kind == Kind::QuotedLit))
                            || (open.kind == Kind::OHeredoc
                                && close_tok.kind == Kind::CHeredoc
                                && lits.iter().all(|t| t.kind == Kind::StringLit)) => {}
                    _ => return,
                }
                p = q + 1;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::lexer::tokenize;

    fn text(tokens: &[Token]) -> String {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn labels_round_trip_through_canonical_escaping() {
        assert_eq!(unescape_quoted_string(r#"a\"b\u00e9\\$${x"#), "a\"bé\\${x");
        assert_eq!(
            escape_quoted_string("a\"b\t${x}\u{a0}"),
            r#"a\"b\t$${x}\u00a0"#
        );
    }

    #[test]
    fn only_bool_and_null_keys_of_variable_references_are_dropped() {
        let expr =
            tokenize("[a[true], b.c[0][null], f(x)[true], [for v in a[false] : v[true]]]").tokens;
        assert_eq!(
            text(&drop_literal_index_keys(&expr)),
            "[a[],b.c[0][],f(x)[true],[forvina[]:v[true]]]"
        );
    }
}
