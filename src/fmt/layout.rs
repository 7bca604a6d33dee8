//! Whitespace layout: a port of `hclwrite`'s `format.go` (HCL v2.23.0, the version Terraform
//! v1.11.4 links).
//!
//! Owns: splitting tokens into lines and cells (lead / assign / comment), indentation by
//! bracket nesting, the spacing rules between adjacent tokens, and vertical alignment of `=`
//! signs and trailing comments across consecutive lines.
//! Does not own: tokenizing (see `lexer`) or Terraform's expression rewrites (see `rewrite`).
//! Only the gaps between tokens change here; token text is written back untouched.

use super::lexer::{Kind, Token};
use std::ops::Range;

/// One source line split into `hclwrite`'s three cells, as index ranges into the token list.
struct Line {
    lead: Range<usize>,
    assign: Option<Range<usize>>,
    comment: Option<usize>,
}

/// Lays out `tokens` canonically and returns the resulting text; `eof_gap` spaces follow the
/// last token (see `Lexed::eof_gap`).
pub(super) fn format(tokens: &[Token], eof_gap: usize) -> String {
    let mut spaces = vec![0usize; tokens.len()];
    let lines = split_lines(tokens);
    indent(tokens, &lines, &mut spaces);
    space_tokens(tokens, &lines, &mut spaces);
    align_cells(tokens, &lines, &mut spaces);

    let mut out = String::with_capacity(tokens.iter().map(|t| t.text.len() + 2).sum());
    for (token, gap) in tokens.iter().zip(&spaces) {
        out.extend(std::iter::repeat_n(' ', *gap));
        out.push_str(&token.text);
    }
    out.extend(std::iter::repeat_n(' ', eof_gap));
    out
}

fn net_brackets(tokens: &[Token]) -> i32 {
    tokens.iter().map(Token::bracket_change).sum()
}

fn split_lines(tokens: &[Token]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, tok) in tokens.iter().enumerate() {
        if tok.is_newline() {
            lines.push(start..i + 1);
            start = i + 1;
        }
    }
    lines.push(start..tokens.len());

    lines
        .into_iter()
        .map(|mut lead| {
            let mut line_comment = None;
            if lead.len() > 1 && tokens[lead.end - 1].kind == Kind::Comment {
                line_comment = Some(lead.end - 1);
                lead.end -= 1;
            }
            let mut assign = None;
            let first_eq = (lead.start + 1..lead.end).find(|&i| tokens[i].kind == Kind::Equal);
            // Only a whole single-line right-hand side joins an alignment group; an opening
            // bracket left unclosed means the value continues on later lines.
            if let Some(eq) = first_eq
                && net_brackets(&tokens[eq..lead.end]) == 0
            {
                assign = Some(eq..lead.end);
                lead.end = eq;
            }
            Line {
                lead,
                assign,
                comment: line_comment,
            }
        })
        .collect()
}

fn indent(tokens: &[Token], lines: &[Line], spaces: &mut [usize]) {
    // Each entry is how many brackets a line opened; closing them pops back to that level.
    let mut stack: Vec<i32> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        let first = line.lead.start;
        if tokens[first].kind == Kind::Newline {
            spaces[first] = 0;
            continue;
        }
        let mut net = 0;
        for tok in &tokens[line.lead.clone()] {
            net += tok.bracket_change();
            if tok.kind == Kind::OHeredoc {
                break;
            }
        }
        if let Some(assign) = &line.assign {
            net += net_brackets(&tokens[assign.clone()]);
        }
        if net > 0 {
            spaces[first] = 2 * stack.len();
            stack.push(net);
        } else {
            let mut closed = -net;
            while closed > 0 {
                let Some(top) = stack.last_mut() else {
                    break;
                };
                if closed > *top {
                    closed -= *top;
                    stack.pop();
                } else if closed < *top {
                    *top -= closed;
                    closed = 0;
                } else {
                    stack.pop();
                    closed = 0;
                }
            }
            spaces[first] = 2 * stack.len();
        }
    }
}

fn space_tokens(tokens: &[Token], lines: &[Line], spaces: &mut [usize]) {
    for line in lines {
        space_cell(tokens, line.lead.clone(), spaces);
        if let Some(assign) = &line.assign {
            // The `=` always sits one space after what it assigns (alignment may widen it).
            spaces[assign.start] = 1;
            space_cell(tokens, assign.clone(), spaces);
        }
    }
}

fn space_cell(tokens: &[Token], cell: Range<usize>, spaces: &mut [usize]) {
    for i in cell.start..cell.end.saturating_sub(1) {
        let before = if i > cell.start {
            Some(&tokens[i - 1])
        } else {
            None
        };
        spaces[i + 1] = usize::from(space_after(&tokens[i], before, &tokens[i + 1]));
    }
}

/// `hclwrite`'s `spaceAfterToken`: whether `subject` is followed by a space before `after`.
/// `before` is `None` when `subject` starts its cell.
fn space_after(subject: &Token, before: Option<&Token>, after: &Token) -> bool {
    use Kind::*;
    let s = subject.kind;
    let a = after.kind;
    let before_kind = before.map(|t| t.kind);
    if a == Newline {
        return false;
    }
    if s == Ident && a == OParen {
        return false;
    }
    if (s == Ident && a == DoubleColon) || (s == DoubleColon && a == Ident) {
        return false;
    }
    if s == Dot || a == Dot {
        return false;
    }
    if a == Comma || a == Ellipsis {
        return false;
    }
    if s == Comma {
        return true;
    }
    if matches!(s, QuotedLit | StringLit | OQuote | OHeredoc)
        || matches!(a, QuotedLit | StringLit | CQuote | CHeredoc)
    {
        return false;
    }
    if subject.is_ident("in") && before_kind == Some(Ident) {
        // `for x in [a]`: keep `in` apart from a tuple so it doesn't read like an index.
        return true;
    }
    if a == OBrack && (s == Ident || s == NumberLit || subject.bracket_change() < 0) {
        return false;
    }
    if s == Bang {
        return false;
    }
    if s == Minus {
        // Negation hugs its operand; subtraction is spaced. Guess negation when the token
        // before cannot end an expression.
        return !matches!(
            before_kind,
            None | Some(
                OParen
                    | OBrace
                    | OBrack
                    | Equal
                    | Colon
                    | Comma
                    | Question
                    | Plus
                    | Star
                    | Slash
                    | Percent
                    | Minus
                    | EqualOp
                    | NotEqual
                    | GreaterThan
                    | GreaterThanEq
                    | LessThan
                    | LessThanEq
                    | And
                    | Or
                    | Bang
            )
        );
    }
    if s == OBrace || a == CBrace {
        return !(s == OBrace && a == CBrace);
    }
    if matches!(s, TemplateInterp | TemplateControl) && a == OBrace {
        return true;
    }
    if s == CBrace && a == TemplateSeqEnd {
        return true;
    }
    if s == TemplateSeqEnd && matches!(a, TemplateInterp | TemplateControl) {
        return false;
    }
    if subject.bracket_change() > 0 {
        return false;
    }
    if after.bracket_change() < 0 {
        return false;
    }
    true
}

fn cell_columns(tokens: &[Token], cell: Range<usize>, spaces: &[usize]) -> usize {
    cell.map(|i| spaces[i] + columns(&tokens[i].text)).sum()
}

fn align_cells(tokens: &[Token], lines: &[Line], spaces: &mut [usize]) {
    // `=` first: moving it shifts the comments that follow.
    let mut chain_start: Option<usize> = None;
    let mut max = 0;
    for i in 0..=lines.len() {
        let assign = lines.get(i).and_then(|l| l.assign.as_ref());
        match (assign, chain_start) {
            (Some(_), start) => {
                if start.is_none() {
                    chain_start = Some(i);
                }
                max = max.max(cell_columns(tokens, lines[i].lead.clone(), spaces));
            }
            (None, Some(start)) => {
                for line in &lines[start..i] {
                    let cols = cell_columns(tokens, line.lead.clone(), spaces);
                    if let Some(assign) = &line.assign {
                        spaces[assign.start] = max - cols + 1;
                    }
                }
                chain_start = None;
                max = 0;
            }
            (None, None) => {}
        }
    }

    let line_width = |line: &Line, spaces: &[usize]| {
        cell_columns(tokens, line.lead.clone(), spaces)
            + line
                .assign
                .as_ref()
                .map_or(0, |a| cell_columns(tokens, a.clone(), spaces))
    };
    for i in 0..=lines.len() {
        let comment = lines.get(i).and_then(|l| l.comment);
        match (comment, chain_start) {
            (Some(_), start) => {
                if start.is_none() {
                    chain_start = Some(i);
                }
                max = max.max(line_width(&lines[i], spaces));
            }
            (None, Some(start)) => {
                for line in &lines[start..i] {
                    let cols = line_width(line, spaces);
                    if let Some(c) = line.comment {
                        spaces[c] = max - cols + 1;
                    }
                }
                chain_start = None;
                max = 0;
            }
            (None, None) => {}
        }
    }
}

/// Approximates the number of grapheme clusters in `s` (what `hclwrite` measures alignment
/// in): combining marks, joiners, variation selectors and emoji modifiers attach to the
/// preceding character, as does a joined character after a zero-width joiner, a line feed
/// after a carriage return, and the second of a regional-indicator pair.
pub(super) fn columns(s: &str) -> usize {
    let mut count = 0;
    let mut prev: Option<char> = None;
    let mut regional_open = false;
    for c in s.chars() {
        let joins = match prev {
            Some('\u{200d}') => true,
            Some('\r') => c == '\n',
            _ => false,
        };
        let regional = ('\u{1f1e6}'..='\u{1f1ff}').contains(&c);
        let extends = is_combining(c)
            || c == '\u{200d}'
            || (regional && regional_open)
            || ('\u{1f3fb}'..='\u{1f3ff}').contains(&c);
        if prev.is_none() || !(joins || extends) {
            count += 1;
        }
        regional_open = regional && !regional_open;
        prev = Some(c);
    }
    count
}

/// Combining marks and other characters that never start a grapheme cluster (a practical
/// subset of Unicode's Grapheme_Extend / SpacingMark).
pub(super) fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0591}'..='\u{05bd}'
        | '\u{05bf}'
        | '\u{05c1}'..='\u{05c2}'
        | '\u{05c4}'..='\u{05c5}'
        | '\u{05c7}'
        | '\u{0610}'..='\u{061a}'
        | '\u{064b}'..='\u{065f}'
        | '\u{0670}'
        | '\u{06d6}'..='\u{06dc}'
        | '\u{06df}'..='\u{06e4}'
        | '\u{06e7}'..='\u{06e8}'
        | '\u{06ea}'..='\u{06ed}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093a}'..='\u{094f}'
        | '\u{0951}'..='\u{0957}'
        | '\u{0962}'..='\u{0963}'
        | '\u{0981}'..='\u{0983}'
        | '\u{09bc}'..='\u{09d7}'
        | '\u{0e31}'
        | '\u{0e34}'..='\u{0e3a}'
        | '\u{0e47}'..='\u{0e4e}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{200c}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{302a}'..='\u{302f}'
        | '\u{3099}'..='\u{309a}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{fe20}'..='\u{fe2f}'
        | '\u{e0020}'..='\u{e007f}'
        | '\u{e0100}'..='\u{e01ef}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_user_perceived_characters() {
        assert_eq!(columns("abc"), 3);
        assert_eq!(columns("é"), 1);
        assert_eq!(columns("e\u{301}"), 1);
        assert_eq!(columns("日本"), 2);
        assert_eq!(columns("👩\u{200d}💻"), 1);
        assert_eq!(columns("🇩🇪🇫🇷"), 2);
        assert_eq!(columns("a\r\nb"), 3);
    }

    #[test]
    fn minus_after_an_operator_is_negation() {
        let minus = Token::new(Kind::Minus, "-");
        let one = Token::new(Kind::NumberLit, "1");
        let eq = Token::new(Kind::Equal, "=");
        let ident = Token::new(Kind::Ident, "a");
        assert!(!space_after(&minus, Some(&eq), &one));
        assert!(space_after(&minus, Some(&ident), &one));
        assert!(!space_after(&minus, None, &one));
    }
}
