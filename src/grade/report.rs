//! Results of `keyform test` and `keyform grade`, and their machine-readable forms: JUnit XML
//! and the gradebook CSV. The human rendering and the JSON event lines are the CLI's
//! (`cli::render::json`).
//!
//! Everything here is deterministic: no wall-clock time, no paths beyond what the caller named,
//! so a report is byte-identical on re-run.

use std::fmt::Write as _;

use crate::grade::file::Command;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every assert held and every action did what was expected.
    Pass,
    /// An assert, an action or an expected failure did not turn out as the test says.
    Fail,
    /// The run could not be carried out: the configuration or the command failed.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }
}

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// An assert whose condition was false or could not be decided.
    Assert,
    /// An action whose outcome differed from its expectation.
    Action,
    /// The run's command failed.
    Command,
    /// An `expect_failures` entry that did not fail (or failed while planning an apply).
    Expectation,
    /// A check block assertion that failed (or, in a plan, is not known) without being expected.
    Check,
    /// The run's variables could not be evaluated.
    Variables,
    /// The configuration under test could not be loaded (reported once by the CLI).
    Config,
}

/// One reason a run did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: MessageKind,
    /// `tests/main.tftest.hcl:12` (test-file positions) or `main.tf:3:1` (configuration).
    pub location: Option<String>,
    pub text: String,
}

impl Message {
    /// `location: text`, or the text alone.
    pub fn render(&self) -> String {
        match &self.location {
            Some(l) => format!("{l}: {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// What one action did, for `-verbose` (never its result values: they may hold plaintext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    pub name: String,
    pub call: String,
    /// `lab-admin`, an IAM user name or `anonymous`.
    pub caller: String,
    /// None on success, else the error code.
    pub error: Option<String>,
    /// Whether the outcome was the expected one.
    pub as_expected: bool,
}

/// The result of one run block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    pub name: String,
    pub command: Command,
    pub status: Status,
    /// The run's weight: earned when it passes.
    pub points: u32,
    pub messages: Vec<Message>,
    /// What the command did (`apply: 5 added, 0 changed, 0 destroyed`), for `-verbose`.
    pub summary: Option<String>,
    pub actions: Vec<ActionOutcome>,
}

impl RunReport {
    /// The points this run earned.
    pub fn earned(&self) -> u32 {
        if self.status == Status::Pass {
            self.points
        } else {
            0
        }
    }
}

/// The results of one test file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub name: String,
    pub runs: Vec<RunReport>,
}

impl FileReport {
    pub fn status(&self) -> Status {
        if self.runs.iter().any(|r| r.status == Status::Error) {
            Status::Error
        } else if self.runs.iter().any(|r| r.status == Status::Fail) {
            Status::Fail
        } else {
            Status::Pass
        }
    }

    fn count(&self, s: Status) -> usize {
        self.runs.iter().filter(|r| r.status == s).count()
    }
}

/// The results of a whole `keyform test`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub files: Vec<FileReport>,
}

impl Report {
    fn runs(&self) -> impl Iterator<Item = &RunReport> {
        self.files.iter().flat_map(|f| f.runs.iter())
    }

    pub fn passed(&self) -> usize {
        self.runs().filter(|r| r.status == Status::Pass).count()
    }

    /// Runs that failed or errored.
    pub fn failed(&self) -> usize {
        self.runs().filter(|r| r.status != Status::Pass).count()
    }

    pub fn score(&self) -> u64 {
        self.runs().map(|r| u64::from(r.earned())).sum()
    }

    pub fn total(&self) -> u64 {
        self.runs().map(|r| u64::from(r.points)).sum()
    }

    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot carry at all
/// (most control characters) become U+FFFD so the document stays well-formed.
pub fn xml_escape(s: &str) -> String {
    crate::text::xml_escape(s)
}

/// The report as JUnit XML: `testsuites` > one `testsuite` per file > one `testcase` per run
/// (`classname` = file, `name` = run), `failure` for failed runs and `error` for runs that could
/// not be carried out. Points are `score`/`total` properties of each suite. No timestamps.
pub fn junit_xml(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |s: Status| report.files.iter().map(|f| f.count(s)).sum::<usize>();
    let tests: usize = report.files.iter().map(|f| f.runs.len()).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"keyform test\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\">",
        count(Status::Fail),
        count(Status::Error)
    );
    for (i, f) in report.files.iter().enumerate() {
        let name = xml_escape(&f.name);
        let score: u64 = f.runs.iter().map(|r| u64::from(r.earned())).sum();
        let total: u64 = f.runs.iter().map(|r| u64::from(r.points)).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" id=\"{i}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            f.runs.len(),
            f.count(Status::Fail),
            f.count(Status::Error)
        );
        let _ = writeln!(out, "    <properties>");
        let _ = writeln!(
            out,
            "      <property name=\"score\" value=\"{score}\"/>\n      <property name=\"total\" value=\"{total}\"/>"
        );
        let _ = writeln!(out, "    </properties>");
        for r in &f.runs {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{name}\"",
                xml_escape(&r.name)
            );
            if r.status == Status::Pass {
                let _ = writeln!(out, "{head}/>");
                continue;
            }
            let _ = writeln!(out, "{head}>");
            let (tag, kind) = if r.status == Status::Error {
                ("error", "error")
            } else {
                ("failure", "failure")
            };
            let first = r
                .messages
                .first()
                .map_or_else(|| "run failed".to_string(), |m| m.text.clone());
            let mut body = format!("points: 0/{}\n", r.points);
            for m in &r.messages {
                body.push_str(&m.render());
                body.push('\n');
            }
            let _ = writeln!(
                out,
                "      <{tag} message=\"{}\" type=\"{kind}\">{}</{tag}>",
                xml_escape(&first),
                xml_escape(&body)
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// One gradebook line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeRow {
    pub submission: String,
    pub score: u64,
    pub total: u64,
    /// Names of the runs that did not pass.
    pub failed_runs: Vec<String>,
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The gradebook: a header, then one line per submission sorted by name; failed runs are
/// separated by `;`.
pub fn gradebook_csv(rows: &[GradeRow]) -> String {
    let mut rows: Vec<&GradeRow> = rows.iter().collect();
    rows.sort_by(|a, b| a.submission.cmp(&b.submission));
    let mut out = String::from("submission,score,total,failed_runs\n");
    for r in rows {
        let _ = writeln!(
            out,
            "{},{},{},{}",
            csv_field(&r.submission),
            r.score,
            r.total,
            csv_field(&r.failed_runs.join(";"))
        );
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn run(name: &str, status: Status, points: u32, msgs: &[&str]) -> RunReport {
        RunReport {
            name: name.into(),
            command: Command::Apply,
            status,
            points,
            messages: msgs
                .iter()
                .map(|m| Message {
                    kind: MessageKind::Assert,
                    location: Some("tests/a.tftest.hcl:7".into()),
                    text: (*m).into(),
                })
                .collect(),
            summary: None,
            actions: Vec::new(),
        }
    }

    /// A report with a passing, a failing and an erroring run (also used by the JSON renderer's tests).
    pub(crate) fn report() -> Report {
        Report {
            files: vec![FileReport {
                name: "tests/a&b.tftest.hcl".into(),
                runs: vec![
                    run("provision", Status::Pass, 1, &[]),
                    run("reads", Status::Fail, 3, &["keys <must> be \"rotated\""]),
                    run("broken", Status::Error, 2, &["apply failed"]),
                ],
            }],
        }
    }

    #[test]
    fn counts_and_score_only_credit_passing_runs() {
        let r = report();
        assert_eq!((r.passed(), r.failed()), (1, 2));
        assert_eq!((r.score(), r.total()), (1, 6));
        assert!(!r.all_passed());
    }

    #[test]
    fn junit_has_the_required_attributes_and_escapes() {
        let x = junit_xml(&report());
        assert_eq!(
            x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites name=\"keyform test\" tests=\"3\" failures=\"1\" errors=\"1\">
  <testsuite name=\"tests/a&amp;b.tftest.hcl\" id=\"0\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\">
    <properties>
      <property name=\"score\" value=\"1\"/>
      <property name=\"total\" value=\"6\"/>
    </properties>
    <testcase name=\"provision\" classname=\"tests/a&amp;b.tftest.hcl\"/>
    <testcase name=\"reads\" classname=\"tests/a&amp;b.tftest.hcl\">
      <failure message=\"keys &lt;must&gt; be &quot;rotated&quot;\" type=\"failure\">points: 0/3
tests/a.tftest.hcl:7: keys &lt;must&gt; be &quot;rotated&quot;
</failure>
    </testcase>
    <testcase name=\"broken\" classname=\"tests/a&amp;b.tftest.hcl\">
      <error message=\"apply failed\" type=\"error\">points: 0/2
tests/a.tftest.hcl:7: apply failed
</error>
    </testcase>
  </testsuite>
</testsuites>
"
        );
    }

    #[test]
    fn xml_escape_replaces_characters_xml_cannot_hold() {
        assert_eq!(xml_escape("a\u{1}b\tc'"), "a\u{FFFD}b\tc&apos;");
    }

    #[test]
    fn gradebook_is_sorted_and_quoted() {
        let rows = vec![
            GradeRow {
                submission: "zoe".into(),
                score: 3,
                total: 3,
                failed_runs: vec![],
            },
            GradeRow {
                submission: "al, \"the\" one".into(),
                score: 1,
                total: 3,
                failed_runs: vec!["reads".into(), "rotation".into()],
            },
        ];
        assert_eq!(
            gradebook_csv(&rows),
            "submission,score,total,failed_runs\n\"al, \"\"the\"\" one\",1,3,reads;rotation\nzoe,3,3,\n"
        );
    }
}
