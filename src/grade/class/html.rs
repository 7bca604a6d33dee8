//! The gradebook as one self-contained HTML page (no scripts, no external files) a trainer can
//! open or publish from CI: the class summary with a bar per check, then every submission with
//! its status, score and each check's result.

use std::fmt::Write as _;

use super::{Gradebook, SubmissionStatus};
use crate::grade::report::Status;
use crate::text::xml_escape as esc;

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#16191f}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #e9ebed;text-align:left;vertical-align:top}
th{background:#f2f3f3}.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{width:16rem;background:#f2f3f3;height:1rem;position:relative}
.bar span{display:block;height:1rem;background:#037f0c}
.pass{background:#e9f7ea;color:#037f0c}.fail,.error{background:#fde8e8;color:#b1190f}
.not_graded{background:#f2f3f3;color:#5f6b7a}.status-graded{color:#037f0c}
.status-other{color:#b1190f}small{color:#5f6b7a}";

/// The gradebook as HTML.
pub fn html(book: &Gradebook) -> String {
    let mut out = String::new();
    let title = format!("Gradebook: {}", book.lab);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        esc(&title),
        esc(&title)
    );
    let n = book.submissions.len();
    let graded = book
        .submissions
        .iter()
        .filter(|s| s.status == SubmissionStatus::Graded)
        .count();
    let full = book
        .submissions
        .iter()
        .filter(|s| s.total > 0 && s.score == s.total)
        .count();
    let _ = writeln!(
        out,
        "<p>{n} submission{}, {graded} graded, {full} with full marks.</p>",
        if n == 1 { "" } else { "s" }
    );
    out.push_str("<h2>Class summary</h2>\n<table>\n<tr><th>Check</th><th class=\"num\">Points</th><th>Passed</th><th></th><th class=\"num\">Failed</th><th class=\"num\">Not graded</th></tr>\n");
    for c in book.summary() {
        let pct = (c.passed * 100).checked_div(n).unwrap_or(0);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td><div class=\"bar\" role=\"img\" aria-label=\"{pct}% passed\"><span style=\"width:{pct}%\"></span></div></td><td class=\"num\">{}/{n}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&c.label),
            c.points,
            c.passed,
            c.failed,
            c.not_graded
        );
    }
    out.push_str("</table>\n<h2>Submissions</h2>\n<table>\n<tr><th>Submission</th><th>Status</th><th class=\"num\">Score</th>");
    for c in &book.checks {
        let _ = write!(
            out,
            "<th title=\"{}\">{}<br><small>{} pt</small></th>",
            esc(&format!("{} run {}", c.file, c.run)),
            esc(&c.label),
            c.points
        );
    }
    out.push_str("</tr>\n");
    for s in &book.submissions {
        let class = if s.status == SubmissionStatus::Graded {
            "status-graded"
        } else {
            "status-other"
        };
        let detail = if s.detail.is_empty() {
            String::new()
        } else {
            format!("<br><small>{}</small>", esc(&s.detail))
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"{class}\">{}{detail}</td><td class=\"num\">{}/{}</td>",
            esc(&s.name),
            esc(s.status.label()),
            s.score,
            s.total
        );
        for r in &s.checks {
            let title = r
                .needs
                .as_deref()
                .map(|n| format!(" title=\"{}\"", esc(n)))
                .unwrap_or_default();
            let mark = match r.status {
                Status::Pass => "✓ pass",
                Status::Fail => "✗ fail",
                Status::Error => "✗ error",
                Status::NotGraded => "– not graded",
            };
            let _ = write!(
                out,
                "<td class=\"{}\"{title}>{mark}</td>",
                r.status.as_str()
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}
