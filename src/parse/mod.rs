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
    let result = hcl_edit::parser::parse_body(&text);
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

/// Loads every `*.tf` file of `dir`. `display_base` is prefixed to file names in messages.
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
