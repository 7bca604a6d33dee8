//! Diagnostics as text: the summary, `--> file:line:col`, the source line and a caret under the
//! span, then the detail saying what to do.

use std::fmt::Write;

use crate::cli::render::Style;
use crate::diag::{Diagnostic, Severity, SourceMap};

/// Renders one diagnostic.
/// The most characters of one source line a diagnostic shows.
const MAX_SHOWN_CHARS: usize = 160;

pub fn render(d: &Diagnostic, sources: &SourceMap, style: Style) -> String {
    let mut out = String::new();
    let head = match d.severity {
        Severity::Error => style.bold(&style.red("Error:")),
        Severity::Warning => style.bold(&style.yellow("Warning:")),
    };
    let _ = writeln!(out, "{head} {}", style.bold(&d.summary));
    let located = d.span.and_then(|s| sources.get(s.file).map(|f| (s, f)));
    if let Some((span, file)) = located {
        let (line, col) = file.line_col(span.start);
        let text = file.line_text(line);
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{line}:{col}", file.display);
        let _ = writeln!(out, "{pad} |");
        // The caret covers the span on this line (at least one character).
        let start_chars = col - 1;
        let line_chars = text.chars().count();
        let (end_line, end_col) = file.line_col(span.end.max(span.start));
        let end_chars = if end_line == line {
            end_col - 1
        } else {
            line_chars
        };
        // A very long line (minified JSON, generated input) is shown as a window around the
        // span, so one diagnostic never prints megabytes.
        let (from, to) = if line_chars > MAX_SHOWN_CHARS {
            let from = start_chars.saturating_sub(MAX_SHOWN_CHARS / 4);
            (from, (from + MAX_SHOWN_CHARS).min(line_chars))
        } else {
            (0, line_chars)
        };
        // Control characters (a lone CR, NUL) would garble the terminal: show them as '�'.
        let mut shown: String = text
            .chars()
            .skip(from)
            .take(to - from)
            .map(|c| {
                if c.is_control() && c != '\t' {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect();
        let mut lead: String = text
            .chars()
            .skip(from)
            .take(start_chars.saturating_sub(from))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        if from > 0 {
            shown.insert(0, '…');
            lead.insert(0, ' ');
        }
        if to < line_chars {
            shown.push('…');
        }
        let _ = writeln!(out, "{line} | {shown}");
        let width = end_chars
            .min(to)
            .saturating_sub(start_chars.max(from))
            .max(1);
        let _ = writeln!(
            out,
            "{pad} | {lead}{}",
            style.bold(&style.red(&"^".repeat(width)))
        );
    }
    if let Some(subject) = &d.subject {
        let _ = writeln!(out, "  with {subject}");
    }
    if !d.detail.is_empty() {
        let _ = writeln!(out, "{}", d.detail);
    }
    out
}

/// Renders many, separated by blank lines, errors after warnings as Terraform does.
pub fn render_all<'a>(
    diags: impl IntoIterator<Item = &'a Diagnostic>,
    sources: &SourceMap,
    style: Style,
) -> String {
    let mut v: Vec<&Diagnostic> = diags.into_iter().collect();
    v.sort_by_key(|d| d.severity);
    v.iter()
        .map(|d| render(d, sources, style))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use std::path::Path;

    #[test]
    fn points_a_caret_at_the_span() {
        let mut sm = SourceMap::new();
        let f = sm.add(
            "main.tf",
            Path::new("main.tf"),
            "resource \"x\" \"y\" {\n  deletion_window = 7\n}\n".into(),
        );
        let d = Diagnostic::error("Unsupported argument", "Did you mean?")
            .with_span(Some(Span::new(f, 21..36)));
        assert_eq!(
            render(&d, &sm, Style { color: false }),
            "Error: Unsupported argument\n --> main.tf:2:3\n  |\n2 |   deletion_window = 7\n  |   ^^^^^^^^^^^^^^^\nDid you mean?\n"
        );
    }
}
