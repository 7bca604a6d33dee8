//! Loading HCL files: the only user of `hcl_edit::parser`.
//!
//! Reads every `*.tf` file of a directory (sorted by name, as Terraform does), registers its text in
//! the [`SourceMap`] and parses it with spans kept. Turning the syntax tree into configuration is
//! `config`'s job.

use std::path::{Path, PathBuf};

use hcl_edit::structure::Body;

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// One parsed file.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
}

/// Largest configuration file accepted; anything bigger is almost certainly not a lab.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Lists the files with `suffix` in `dir`, sorted by name.
pub fn list_files(dir: &Path, suffix: &str) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::error(
            "Failed to read directory",
            format!(
                "Could not read {}: {e}. Check the path given to -chdir.",
                dir.display()
            ),
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                    n.ends_with(suffix) && !n.starts_with('.') && !n.starts_with('#')
                })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Reads and parses one file, adding it to `sources`.
pub fn load_file(
    sources: &mut SourceMap,
    path: &Path,
    display: String,
) -> Result<ParsedFile, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(&display, &e))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "Configuration file too large",
            format!(
                "{display} is {} bytes; keyform reads files up to {MAX_FILE_BYTES} bytes.",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| read_error(&display, &e))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = sources.add(display.clone(), path, lossy);
            return Err(Diagnostic::error(
                "Invalid character encoding",
                "Configuration files must be UTF-8 encoded. Re-save the file as UTF-8.",
            )
            .with_span(Some(Span::new(file, at..at + 1))));
        }
    };
    parse_text(sources, path, display, text)
}

/// Parses text already in memory (used by tests and `keyform test`).
pub fn parse_text(
    sources: &mut SourceMap,
    path: &Path,
    display: String,
    text: String,
) -> Result<ParsedFile, Diagnostic> {
    // A UTF-8 byte order mark (some Windows editors write one) is not part of the text.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if let Some(at) = text.find('\0') {
        let file = sources.add(display, path, text);
        return Err(Diagnostic::error(
            "Invalid character",
            "This file contains a NUL byte here. Configuration files are text: check that this is the file you meant (not a binary file with a .tf name) and remove the NUL bytes; write \\u0000 inside a string for a NUL character.",
        )
        .with_span(Some(Span::new(file, at..at + 1))));
    }
    let result = parse_body(&text);
    let file = sources.add(display, path, text);
    match result {
        Ok(body) => Ok(ParsedFile { file, body }),
        Err(e) => {
            let offset = e.location().offset();
            let len = sources.get(file).map_or(0, |f| f.text.len());
            let start = offset.min(len);
            let text = sources.get(file).map_or("", |f| f.text.as_str());
            let (summary, detail, width) = syntax_diagnostic(e.message(), text, start);
            let end = (start + width.max(1)).min(len.max(start));
            Err(Diagnostic::error(summary, detail).with_span(Some(Span::new(file, start..end))))
        }
    }
}

/// Files at least this large are parsed in pieces, one thread per core.
const PARALLEL_PARSE_BYTES: usize = 256 * 1024;

/// Parses a body; a large one in pieces side by side. A piece boundary is a line that starts
/// with a name at column 0 (where top-level blocks start). A boundary that is not between two
/// top-level structures (inside a heredoc, a comment or a block) leaves the text before it
/// incomplete, so that piece fails to parse; any failure falls back to parsing the whole text
/// at once, which also gives the error its exact position and wording.
fn parse_body(text: &str) -> Result<Body, hcl_edit::parser::Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || text.len() < PARALLEL_PARSE_BYTES {
        return hcl_edit::parser::parse_body(text);
    }
    let mut starts = vec![0];
    for i in 1..threads {
        if let Some(at) = block_start_after(text, text.len() * i / threads)
            && at > *starts.last().unwrap_or(&0)
        {
            starts.push(at);
        }
    }
    if starts.len() < 2 {
        return hcl_edit::parser::parse_body(text);
    }
    let ends: Vec<usize> = starts[1..].iter().copied().chain([text.len()]).collect();
    let pieces: Vec<Option<Body>> = std::thread::scope(|s| {
        let handles: Vec<_> = starts
            .iter()
            .zip(&ends)
            .map(|(&start, &end)| s.spawn(move || parse_piece(text, start, end)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    if pieces.iter().any(Option::is_none) {
        return hcl_edit::parser::parse_body(text);
    }
    let mut body = Body::new();
    for piece in pieces.into_iter().flatten() {
        body.extend(piece);
    }
    Ok(body)
}

/// Parses `text[start..end]` with positions as in the whole text: the text before `start` is
/// replaced by spaces, which the parser skips.
fn parse_piece(text: &str, start: usize, end: usize) -> Option<Body> {
    if start == 0 {
        return hcl_edit::parser::parse_body(&text[..end]).ok();
    }
    let mut padded = String::with_capacity(end);
    padded.extend(std::iter::repeat_n(' ', start));
    padded.push_str(&text[start..end]);
    let mut body = hcl_edit::parser::parse_body(&padded).ok()?;
    // The padding became the first structure's leading whitespace: drop that copy.
    if let Some(first) = body.get_mut(0) {
        hcl_edit::Decorate::decor_mut(first).clear();
    }
    Some(body)
}

/// The offset of the first line at or after `from` that starts with a name character.
fn block_start_after(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    loop {
        let nl = bytes.get(at..)?.iter().position(|&b| b == b'\n')? + at;
        at = nl + 1;
        if bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return Some(at);
        }
    }
}

/// Loads every `*.tf` file of `dir`.
pub fn load_dir(dir: &Path, sources: &mut SourceMap) -> Result<Vec<ParsedFile>, Diagnostics> {
    let files = list_files(dir, ".tf").map_err(Diagnostics::from)?;
    let mut parsed = Vec::new();
    let mut diags = Diagnostics::new();
    for path in files {
        let display = display_name(dir, &path);
        match load_file(sources, &path, display) {
            Ok(p) => parsed.push(p),
            Err(d) => diags.push(d),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(parsed)
    }
}

/// A path as shown to users: relative to `dir` when inside it.
pub fn display_name(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}

fn read_error(display: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        "Failed to read file",
        format!("Could not read {display}: {e}."),
    )
}

/// Terraform's wording for the syntax errors people make most, else the parser's own message;
/// with how many bytes from `offset` the caret should cover.
fn syntax_diagnostic(message: &str, text: &str, offset: usize) -> (&'static str, String, usize) {
    let rest = text.get(offset..).unwrap_or("");
    // hcl-edit stops at the exponent of a number too large for a 64-bit float (1e400).
    let before = text.get(..offset).unwrap_or("");
    let exponent = rest
        .strip_prefix(['e', 'E'])
        .map(|e| e.trim_start_matches(['+', '-']));
    if before.ends_with(|c: char| c.is_ascii_digit() || c == '.')
        && let Some(e) = exponent
        && e.starts_with(|c: char| c.is_ascii_digit())
    {
        let width = rest.len() - e.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        return (
            "Invalid number",
            "This number is too large to represent: keyform's numbers are 64-bit floating point, at most about 1.8e308. Use a smaller number.".into(),
            width,
        );
    }
    if message.contains("redefined attribute") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        return (
            "Attribute redefined",
            format!(
                "The argument \"{name}\" was already set earlier in this block. Each argument may be set only once; remove one of them."
            ),
            name.len(),
        );
    }
    if rest.trim().is_empty() && message.contains("expected `}`") {
        return (
            "Unclosed configuration block",
            "There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file.".into(),
            1,
        );
    }
    if message.starts_with("invalid expression") {
        return (
            "Invalid expression",
            "Expected the start of an expression, but found an invalid expression token. Give a value here: a quoted string, a number, true or false, a list, or a reference like var.name.".into(),
            1,
        );
    }
    if message.starts_with("unexpected token") {
        return (
            "Argument or block definition required",
            "An argument or block definition is required here. Check for an extra closing brace or a stray word.".into(),
            1,
        );
    }
    if message == "expected `{`" {
        return (
            "Invalid block definition",
            "A block definition must have block content delimited by \"{\" and \"}\", starting on the same line as the block header. To set an argument instead, put an equals sign between its name and its value, like name = \"x\".".into(),
            1,
        );
    }
    ("Invalid HCL syntax", syntax_detail(message), 1)
}

fn syntax_detail(message: &str) -> String {
    let m = message.trim();
    if m.is_empty() {
        "The file is not valid HCL. Check for a missing bracket, quote or `=` near here.".into()
    } else {
        format!("{m}. Check for a missing bracket, quote or `=` near here.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A configuration of `n` resources, larger than the parallel threshold for large `n`.
    fn config(n: usize, middle: &str) -> String {
        let mut s = String::new();
        for i in 0..n {
            if i == n / 2 {
                s.push_str(middle);
            }
            s.push_str(&format!(
                "# key {i}\nresource \"aws_kms_key\" \"k{i}\" {{\n  description = \"key ${{var.x}} {i}\"\n  tags = {{ n = {i} }}\n}}\n\n"
            ));
        }
        s
    }

    /// What a parse says about each top-level structure: its span and its first line.
    fn outline(text: &str, body: &Body) -> Vec<(std::ops::Range<usize>, String)> {
        body.iter()
            .map(|st| {
                let span = hcl_edit::Span::span(st).unwrap_or(0..0);
                let line = text[span.clone()].lines().next().unwrap_or("").to_string();
                (span, line)
            })
            .collect()
    }

    #[test]
    fn a_large_file_parsed_in_pieces_matches_one_parse() {
        let text = config(4000, "");
        assert!(text.len() > PARALLEL_PARSE_BYTES);
        let whole = hcl_edit::parser::parse_body(&text).unwrap();
        let pieces = parse_body(&text).unwrap();
        assert_eq!(pieces.len(), 4000);
        assert_eq!(outline(&text, &pieces), outline(&text, &whole));
    }

    #[test]
    fn a_boundary_inside_a_heredoc_or_comment_never_splits_it() {
        // Lines at column 0 that look like block starts, inside a heredoc and a comment, around
        // every possible boundary.
        let filler = "x = 1\nresource \"a\" \"b\" {\n".repeat(4000);
        for middle in [
            format!("locals {{\n  doc = <<EOT\n{filler}EOT\n}}\n"),
            format!("/*\n{filler}*/\n"),
        ] {
            let text = config(2000, &middle);
            let whole = hcl_edit::parser::parse_body(&text).unwrap();
            let pieces = parse_body(&text).unwrap();
            assert_eq!(outline(&text, &pieces), outline(&text, &whole));
        }
    }

    #[test]
    fn a_syntax_error_in_a_large_file_is_reported_where_one_parse_reports_it() {
        let text = config(
            4000,
            "resource \"aws_kms_key\" \"bad\" {\n  description = \n}\n",
        );
        let whole = hcl_edit::parser::parse_body(&text).unwrap_err();
        let pieces = parse_body(&text).unwrap_err();
        assert_eq!(pieces.location().offset(), whole.location().offset());
        assert_eq!(pieces.message(), whole.message());
    }
}
