//! `keyform fmt`: rewrites HCL configuration text into the canonical layout, byte-for-byte as
//! `terraform fmt -` (Terraform v1.11.4) prints it.
//!
//! Owns: the public entry point [`format_source`] and its error type. The work is split into a
//! tokenizer that mirrors HCL's scanner (`lexer`), Terraform's structural rewrites such as
//! unwrapping `"${var.x}"` (`rewrite`), and a port of `hclwrite`'s whitespace layout
//! (`layout`).
//! Does not own: reading or writing files, deciding which files to format, or diffing; the
//! CLI layer does that. Input is checked with `hcl-edit` before anything is rewritten, so
//! invalid files are reported, never mangled.
//!
//! Output matches Terraform's standard-output mode: the result always ends with a newline
//! (an empty file formats to a single `"\n"`), whereas `terraform fmt FILE` leaves a missing
//! final newline missing.

mod layout;
mod lexer;
mod rewrite;

/// Why a file could not be formatted.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FmtError {
    /// The input is not valid HCL native syntax; nothing was rewritten.
    #[error("syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// One-based line of the problem.
        line: usize,
        /// One-based column (in characters) of the problem.
        column: usize,
        /// What is wrong there.
        message: String,
    },
}

/// Formats one HCL file's text exactly as `terraform fmt` would.
///
/// # Errors
///
/// Returns [`FmtError::Syntax`] when `src` is not valid HCL native syntax.
pub(crate) fn format_source(src: &str) -> Result<String, FmtError> {
    // HCL's scanner skips a leading byte-order mark, and so the output never has one.
    let stripped = src.strip_prefix('\u{feff}').unwrap_or(src);
    if let Err(err) = hcl_edit::parser::parse_body(stripped) {
        let loc = err.location();
        return Err(FmtError::Syntax {
            line: loc.line(),
            column: loc.column(),
            message: err.message().to_owned(),
        });
    }
    let lexed = lexer::tokenize(src);
    let at_token = |token: usize, message: String| {
        let offset = lexed.tokens.get(token).map_or(stripped.len(), |t| t.offset);
        let (line, column) = line_column(stripped, offset);
        FmtError::Syntax {
            line,
            column,
            message,
        }
    };
    if let Some(open) = lexed.unterminated_heredoc {
        return Err(at_token(
            open,
            "Unterminated template string: no closing marker was found for the heredoc".to_owned(),
        ));
    }
    let tokens = rewrite::rewrite(&lexed.tokens).map_err(|err| at_token(err.token, err.message))?;
    let mut out = layout::format(&tokens, lexed.eof_gap);
    // Terraform prints through a line-oriented UI writer that terminates the last line.
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// One-based line and character column of a byte offset.
fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::PathBuf;
    use std::process::{Command, Stdio};

    fn testdata() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/fmt/testdata")
    }

    /// `(name, input, expected)` for every `NAME.in` / `NAME.out` pair; the expected outputs
    /// were produced by `terraform fmt -` (v1.11.4).
    fn fixtures() -> Vec<(String, String, String)> {
        let mut names: Vec<String> = std::fs::read_dir(testdata())
            .expect("testdata dir")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".in").map(str::to_owned)
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let read = |ext: &str| {
                    std::fs::read_to_string(testdata().join(format!("{name}.{ext}")))
                        .unwrap_or_else(|e| panic!("{name}.{ext}: {e}"))
                };
                let (input, expected) = (read("in"), read("out"));
                (name, input, expected)
            })
            .collect()
    }

    fn show(s: &str) -> String {
        s.replace('\r', "\\r").replace('\t', "\\t")
    }

    #[test]
    fn fixtures_match_terraform_output() {
        let fixtures = fixtures();
        assert!(fixtures.len() >= 25, "only {} fixtures", fixtures.len());
        let mut failures = Vec::new();
        for (name, input, expected) in &fixtures {
            match format_source(input) {
                Ok(got) if got == *expected => {}
                Ok(got) => failures.push(format!(
                    "{name}:\n--- expected\n{}--- got\n{}",
                    show(expected),
                    show(&got)
                )),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn formatting_is_idempotent_on_every_fixture() {
        for (name, input, expected) in fixtures() {
            if name.contains("quirks") {
                // Terraform itself is not idempotent on these: its output is not valid HCL
                // (`var.m[]`), or keeps blanks after the last newline that a second pass trims.
                continue;
            }
            let once = format_source(&input).expect("fixture input is valid");
            let twice = format_source(&once).expect("formatted output is valid");
            assert_eq!(once, twice, "{name}: formatting the output changed it");
            let again = format_source(&expected).expect("expected output is valid");
            assert_eq!(
                again, expected,
                "{name}: terraform's output is not a fixed point"
            );
        }
    }

    #[test]
    fn empty_input_becomes_a_single_newline() {
        assert_eq!(format_source("").unwrap(), "\n");
        assert_eq!(format_source("\n\n").unwrap(), "\n\n");
    }

    #[test]
    fn missing_final_newline_is_added_and_bom_dropped() {
        assert_eq!(format_source("\u{feff}a=1").unwrap(), "a = 1\n");
    }

    #[test]
    fn invalid_input_is_reported_with_its_location_and_not_rewritten() {
        let err = format_source("a = 1\nb = [1,\n").unwrap_err();
        let FmtError::Syntax { line, .. } = err;
        assert!(line >= 2, "error reported on line {line}");

        let err = format_source("ok = true\nresource \"x\" {\n  a = \n}\n").unwrap_err();
        let FmtError::Syntax { line, .. } = err;
        assert_eq!(line, 3);
    }

    #[test]
    fn errors_hcl_reports_but_hcl_edit_accepts_are_still_rejected() {
        for src in [
            "a = foo.0.1\n",
            "a = 1.2.3\n",
            "a = x.*.b.*.c\n",
            "a = { for k, v in m : k => v ifv != \"\" }\n",
            "a = \"%{ iffoo }x%{ endif }\"\n",
            "a = <<EOT\nx\nEOT",
        ] {
            assert!(
                matches!(format_source(src), Err(FmtError::Syntax { .. })),
                "accepted {src:?}"
            );
        }
    }

    #[test]
    fn duplicate_attributes_are_rejected_like_terraform() {
        let err = format_source("a = 1\n\nb {\n}\na = 2\n").unwrap_err();
        let FmtError::Syntax {
            line,
            column,
            message,
        } = err;
        assert_eq!((line, column), (5, 1));
        assert!(message.contains("redefined"), "{message}");
    }

    /// Inputs beyond the fixtures for the live comparison against a real `terraform` binary.
    const LIVE_CASES: &[&str] = &[
        "a=1\nbb=2\nccc=3\n",
        "resource \"a\" \"b\" {\ncount=2\nname=\"x-${count.index}\"\n}\n",
        "locals {\n  x = a+b*-c/(d-e)%f\n  y = !a&&b||!(c)\n  z = a==b ? c : d\n}\n",
        "x = [for k, v in var.m : \"${k}=${v}\" if v != null]\n",
        "x = {for k, v in var.m : k => v...}\n",
        "x = var.list[*].id\ny = var.list.*.id\nz = a[0].b[\"c\"]\n",
        "x = f(a,b,  c...)\ny = provider::aws::arn_parse(x)\n",
        "x = -1\ny = 1 - -1\nz = [-1, - 2]\nw = (-a)\n",
        "a = 1 # one\nbbb = 2 # two\n\ncc = 3 // three\n",
        "block {\n    nested {\n        deep = true\n    }\n}\n",
        "x = <<EOT\n  keep   this\n  ${ var.a }\nEOT\ny=1\n",
        "x = <<-EOT\n    indented\n    EOT\n",
        "x = \"${var.a}\"\ny = \"${var.a}-suffix\"\nz = \"${var.a}${var.b}\"\n",
        "variable \"v\" {\n  type = \"map\"\n}\nvariable \"w\" {\n  type = set\n}\n",
        "resource aws_s3_bucket b {\n}\n",
        "a = {\n  b = 1\n  ccc = {\n    d = 2\n  }\n  ee = 3\n}\n",
        "a = [\n  1,\n  2,\n]\nb = [1,\n2]\n",
        "a    =    1\r\nb = 2\r\n",
        "\ta\t=\t1\n",
        "a = 1   \nb = 2\t\n",
        "/* head */\na = 1 /* tail */\n# end",
        "x = a ? b : c\ny = a ?b:c\n",
        "x = {a=1, b=2}\ny = {}\nz = []\n",
        "x = \"%{ if a }yes%{ else }no%{ endif }\"\n",
        "x = tomap({\n  a = 1\n})\n",
        "a { b = 1 }\nc {}\n",
        "x = \"${ {a = 1} }\"\n",
        "x = a[true]\ny = b[\"k\"]\n",
        "resource \"x$y\" \"z\" {}\n",
        "x = 1.5e+3\ny = 0x1\n",
        "x = \"${\n  a ?\n  b : c\n}\"\n",
        "x = [for s in var.l : upper(s)]\ny = [for x in [1]: x]\n",
        "x = a.*.b.*.c\n",
        "x = foo.0.1\n",
        "x = { for k, v in m : k => v ifv != \"\" }\n",
        "x = <<EOT\nunterminated\nEOT",
        "resource \"a\\\"b\" \"\\u00e9\\t\" {}\n",
        "a = [<<EOT\nx\nEOT\n, 1]\nbb = 2\n",
        "a = \"${x}\" # c\nbbb = \"${y}-z\" # d\n",
        "a = f(1,\n  2)\nbb = 3\n",
        "a = {\n  b = 1,\n  cc = 2,\n}\n",
        "x = [for in in b: in]\n",
        "a = 1\n \t ",
        "terraform {\n  required_version = \">= 1.0\"\n  required_providers {\n    aws = {\n      source = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}\n",
    ];

    #[test]
    fn agrees_with_terraform_binary_when_available() {
        let probe = Command::new("terraform")
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if !probe.is_ok_and(|s| s.success()) {
            println!("note: terraform not on PATH; skipping the live comparison");
            return;
        }
        let inputs: Vec<String> = LIVE_CASES
            .iter()
            .map(|s| (*s).to_owned())
            .chain(fixtures().into_iter().map(|f| f.1))
            .collect();
        let mut failures = Vec::new();
        for input in &inputs {
            let mut child = Command::new("terraform")
                .args(["fmt", "-no-color", "-"])
                .env("TF_CLI_CONFIG_FILE", "/dev/null")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn terraform");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write stdin");
            let out = child.wait_with_output().expect("terraform output");
            let want = String::from_utf8(out.stdout).expect("utf-8 output");
            let got = format_source(input);
            match (out.status.success() && !want.is_empty(), got) {
                (true, Ok(got)) if got == want => {}
                (true, Ok(got)) => failures.push(format!(
                    "input:\n{}--- terraform\n{}--- ours\n{}",
                    show(input),
                    show(&want),
                    show(&got)
                )),
                (true, Err(e)) => failures.push(format!("input:\n{}ours failed: {e}", show(input))),
                (false, Ok(_)) => failures.push(format!(
                    "input:\n{}terraform rejected it, we did not",
                    show(input)
                )),
                (false, Err(_)) => {}
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    }
}
