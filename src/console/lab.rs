//! The lab panel: with a lab directory (a README.md and tests/ beside the configuration), the
//! lab's README rendered in the console (on its own page, and beside every other page), and "Check my work", which runs the lab's graded
//! tests on the current configuration (`keyform test -json`, in its own process and world, as
//! a learner would) and shows each check with its points and the score.

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use super::Page;
use crate::serve::Response;

/// The lab the console was opened on.
pub(crate) struct Lab {
    pub dir: PathBuf,
}

impl Lab {
    /// The lab's name (its directory's).
    fn name(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The README rendered (read at each page, so an edited README shows at once).
    fn readme(&self) -> String {
        markdown(&std::fs::read_to_string(self.dir.join("README.md")).unwrap_or_default())
    }

    /// The panel beside every page: the lab's name and its README.
    pub(super) fn side(&self) -> Json {
        json!({"name": self.name(), "readme": self.readme()})
    }

    /// `dir` when it looks like a lab: a README.md and a tests/ directory.
    pub(super) fn at(dir: &Path) -> Option<Lab> {
        (dir.join("README.md").is_file() && dir.join("tests").is_dir()).then(|| Lab {
            dir: std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf()),
        })
    }
}

/// Markdown to HTML; raw HTML in the README is shown as text, never as markup.
pub(super) fn markdown(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let events = Parser::new_ext(text, Options::ENABLE_TABLES).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    let Some(lab) = p.lab else {
        return Some(p.render("lab.html", json!({"lab": null})));
    };
    Some(match (post, route) {
        (false, "/lab") => page(p, lab, None),
        (true, "/lab/check") => {
            let results = check(&lab.dir);
            page(p, lab, Some(results))
        }
        _ => return None,
    })
}

fn page(p: &mut Page<'_>, lab: &Lab, results: Option<Json>) -> Response {
    p.render(
        "lab.html",
        json!({"lab": {"name": lab.name(), "readme": lab.readme()}, "results": results}),
    )
}

/// Runs `keyform test -json` in the lab directory: each run's result and the summary.
fn check(dir: &Path) -> Json {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return json!({"error": format!("cannot find the keyform binary: {e}")}),
    };
    let out = std::process::Command::new(exe)
        .arg(format!("-chdir={}", dir.display()))
        .args(["test", "-json"])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output();
    let out = match out {
        Ok(o) => o,
        Err(e) => return json!({"error": format!("cannot run keyform test: {e}")}),
    };
    parse_results(
        &String::from_utf8_lossy(&out.stdout),
        &String::from_utf8_lossy(&out.stderr),
    )
}

/// The JSON events of `keyform test -json`: finished runs and the summary.
pub(super) fn parse_results(stdout: &str, stderr: &str) -> Json {
    let mut runs = Vec::new();
    let mut summary = Json::Null;
    for ev in stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
    {
        match ev["type"].as_str() {
            Some("run_finished") => runs.push(ev),
            Some("summary") => summary = ev,
            _ => {}
        }
    }
    if summary.is_null() {
        let why = stderr.lines().take(20).collect::<Vec<_>>().join("\n");
        return json!({"runs": runs, "error": format!("keyform test gave no result:\n{why}")});
    }
    json!({"runs": runs, "summary": summary})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_renders_and_raw_html_stays_text() {
        let h = markdown("# Lab\n\n1. Create the key\n\n<script>alert(1)</script>\n");
        assert!(
            h.contains("<h1>Lab</h1>") && h.contains("<li>Create the key</li>"),
            "{h}"
        );
        assert!(
            !h.contains("<script>") && h.contains("&lt;script&gt;"),
            "{h}"
        );
    }

    #[test]
    fn test_results_give_each_check_and_the_score() {
        let out = r#"{"file":"tests/a.tftest.hcl","run":"r1","type":"run_started"}
{"file":"tests/a.tftest.hcl","max_points":2,"messages":[],"points":2,"run":"r1","status":"pass","type":"run_finished"}
{"file":"tests/a.tftest.hcl","max_points":1,"messages":["bucket is public"],"points":0,"run":"r2","status":"fail","type":"run_finished"}
{"failed":1,"passed":1,"score":2,"status":"fail","total":3,"type":"summary"}"#;
        let r = parse_results(out, "");
        assert_eq!(r["runs"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            (
                r["summary"]["score"].as_i64(),
                r["summary"]["total"].as_i64()
            ),
            (Some(2), Some(3))
        );
        assert!(
            parse_results("", "Error: no main.tf")["error"]
                .as_str()
                .unwrap()
                .contains("no main.tf")
        );
    }
}
