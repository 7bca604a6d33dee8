//! `keyform fmt`: rewrite configuration files in the canonical format (`crate::fmt` formats;
//! this finds the files, reports, diffs and writes).

use std::path::{Path, PathBuf};

use super::{CmdResult, rel};
use crate::cli::args::FmtArgs;
use crate::cli::{Ctx, Failure};
use crate::diag::{Diagnostic, Diagnostics};

pub(crate) fn fmt(ctx: &Ctx, a: &FmtArgs) -> CmdResult {
    let targets: Vec<PathBuf> = if a.targets.is_empty() {
        vec![ctx.dir.clone()]
    } else {
        a.targets.iter().map(|t| rel(ctx, t)).collect()
    };
    if a.targets.len() == 1 && a.targets[0] == Path::new("-") {
        let mut src = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut src)
            .map_err(|e| Failure::msg("Failed to read stdin", e.to_string()))?;
        let out = crate::fmt::format_source(&src)
            .map_err(|e| Failure::msg("Invalid HCL syntax", format!("<stdin>: {e}")))?;
        if a.check {
            return Ok(if out == src { 0 } else { 3 });
        }
        print!("{out}");
        return Ok(0);
    }
    let mut files = Vec::new();
    for t in &targets {
        if t.is_dir() {
            collect_fmt_files(t, a.recursive, &mut files);
        } else if t.is_file() {
            files.push(t.clone());
        } else {
            return Err(Failure::msg(
                "No file or directory at path",
                format!(
                    "There is no configuration file or directory at {}.",
                    t.display()
                ),
            ));
        }
    }
    files.sort();
    let mut unformatted = false;
    let mut diags = Diagnostics::new();
    for f in files {
        let shown = f.strip_prefix(&ctx.dir).unwrap_or(&f).display().to_string();
        let src = match std::fs::read_to_string(&f) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                diags.push(Diagnostic::error(
                    "Invalid character encoding",
                    format!("{shown} is not UTF-8 text. Configuration files must be UTF-8 encoded: re-save the file as UTF-8. The file was not changed."),
                ));
                continue;
            }
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("{shown}: {e}"),
                ));
                continue;
            }
        };
        let out = match crate::fmt::format_source(&src) {
            Ok(o) => o,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Invalid HCL syntax",
                    format!("{shown}: {e}. The file was not changed."),
                ));
                continue;
            }
        };
        if out == src {
            continue;
        }
        unformatted = true;
        if a.list {
            println!("{shown}");
        }
        if a.diff {
            let d = similar::TextDiff::from_lines(&src, &out);
            print!(
                "{}",
                d.unified_diff()
                    .header(&format!("old/{shown}"), &format!("new/{shown}"))
            );
        }
        if a.write && !a.check {
            crate::fsutil::atomic_write(&f, out.as_bytes())
                .map_err(|e| Failure::msg("Failed to write file", format!("{shown}: {e}")))?;
        }
    }
    if diags.has_errors() {
        return Err(Failure::new(diags, None));
    }
    Ok(if a.check && unformatted { 3 } else { 0 })
}

/// The files `fmt` formats in `dir`: `.tf`, `.tfvars` and `.tftest.hcl`, hidden ones left out.
fn collect_fmt_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if recursive {
                collect_fmt_files(&p, recursive, out);
            }
        } else if name.ends_with(".tf")
            || name.ends_with(".tfvars")
            || name.ends_with(".tftest.hcl")
        {
            out.push(p);
        }
    }
}
