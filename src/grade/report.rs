//! Results of `keyform test` and `keyform grade`, and their machine-readable forms: JUnit XML
//! and the gradebook CSV. The human rendering and the JSON event lines are the CLI's
//! (`cli::render::json`).
//!
//! Everything here is deterministic but the JUnit `time` attributes (how long each run took, as
//! JUnit readers show it): no paths beyond what the caller named, so a gradebook is
//! byte-identical on re-run.

use std::fmt::Write as _;
use std::time::Duration;

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
    /// The run's checks need something an earlier step should have made (a resource the
    /// configuration lacks, an earlier run that did not pass): they are not graded, so one
    /// missing premise is reported once instead of as a cascade of failures.
    NotGraded,
}

impl Status {
    /// The machine-readable name (`-json`, the gradebook's JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Error => "error",
            Status::NotGraded => "not_graded",
        }
    }

    /// The status named by [`Status::as_str`].
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Pass, Status::Fail, Status::Error, Status::NotGraded]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// How people read it (the gradebook's cells, the human report).
    pub fn label(self) -> &'static str {
        match self {
            Status::NotGraded => "not graded",
            s => s.as_str(),
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
    /// A check was not graded: its text is `needs <premise>`.
    Premise,
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
        let text = match self.kind {
            MessageKind::Premise => format!("not graded: {}", self.text),
            _ => self.text.clone(),
        };
        match &self.location {
            Some(l) => format!("{l}: {text}"),
            None => text,
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
    /// How long the run took (JUnit's `time`; nothing else depends on it).
    pub time: Duration,
}

impl RunReport {
    /// What the run needs and lacks (`needs aws_kms_key.lab`), when it was not graded.
    pub fn premise(&self) -> Option<&str> {
        self.messages
            .iter()
            .find(|m| m.kind == MessageKind::Premise)
            .map(|m| m.text.as_str())
    }

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
        [Status::Error, Status::Fail, Status::NotGraded]
            .into_iter()
            .find(|s| self.runs.iter().any(|r| r.status == *s))
            .unwrap_or(Status::Pass)
    }

    fn time(&self) -> Duration {
        self.runs.iter().map(|r| r.time).sum()
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
        self.runs()
            .filter(|r| matches!(r.status, Status::Fail | Status::Error))
            .count()
    }

    /// Runs whose checks were not graded for a missing premise.
    pub fn not_graded(&self) -> usize {
        self.runs()
            .filter(|r| r.status == Status::NotGraded)
            .count()
    }

    pub fn score(&self) -> u64 {
        self.runs().map(|r| u64::from(r.earned())).sum()
    }

    pub fn total(&self) -> u64 {
        self.runs().map(|r| u64::from(r.points)).sum()
    }

    pub fn all_passed(&self) -> bool {
        self.runs().all(|r| r.status == Status::Pass)
    }
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot carry at all
/// (most control characters) become U+FFFD so the document stays well-formed.
pub fn xml_escape(s: &str) -> String {
    crate::text::xml_escape(s)
}

/// The report as JUnit XML: `testsuites` > one `testsuite` per file > one `testcase` per run
/// (`classname` = file, `name` = run), `failure` for failed runs, `error` for runs that could
/// not be carried out and `skipped` for runs not graded. Points are `score`/`total` properties
/// of each suite; `time` is in seconds, as JUnit writes it. No timestamps.
pub fn junit_xml(report: &Report) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let count = |s: Status| report.files.iter().map(|f| f.count(s)).sum::<usize>();
    let tests: usize = report.files.iter().map(|f| f.runs.len()).sum();
    let total_time: Duration = report.files.iter().map(FileReport::time).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"keyform test\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
        count(Status::Fail),
        count(Status::Error),
        count(Status::NotGraded),
        seconds(total_time)
    );
    for (i, f) in report.files.iter().enumerate() {
        let name = xml_escape(&f.name);
        let score: u64 = f.runs.iter().map(|r| u64::from(r.earned())).sum();
        let total: u64 = f.runs.iter().map(|r| u64::from(r.points)).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" id=\"{i}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            f.runs.len(),
            f.count(Status::Fail),
            f.count(Status::Error),
            f.count(Status::NotGraded),
            seconds(f.time())
        );
        let _ = writeln!(out, "    <properties>");
        let _ = writeln!(
            out,
            "      <property name=\"score\" value=\"{score}\"/>\n      <property name=\"total\" value=\"{total}\"/>"
        );
        let _ = writeln!(out, "    </properties>");
        for r in &f.runs {
            let head = format!(
                "    <testcase name=\"{}\" classname=\"{name}\" time=\"{}\"",
                xml_escape(&r.name),
                seconds(r.time)
            );
            if r.status == Status::Pass {
                let _ = writeln!(out, "{head}/>");
                continue;
            }
            let _ = writeln!(out, "{head}>");
            if r.status == Status::NotGraded {
                let why = r.premise().unwrap_or("needs an earlier step");
                let _ = writeln!(
                    out,
                    "      <skipped message=\"not graded: {}\"/>",
                    xml_escape(why)
                );
                let _ = writeln!(out, "    </testcase>");
                continue;
            }
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

/// A duration as JUnit's `time`: seconds with millisecond precision.
pub fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
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
            time: Duration::from_millis(1250),
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
                    RunReport {
                        status: Status::NotGraded,
                        messages: vec![Message {
                            kind: MessageKind::Premise,
                            location: Some("tests/a.tftest.hcl:9".into()),
                            text: "needs aws_kms_key.lab".into(),
                        }],
                        ..run("decrypts", Status::Pass, 2, &[])
                    },
                ],
            }],
        }
    }

    #[test]
    fn counts_and_score_only_credit_passing_runs() {
        let r = report();
        assert_eq!((r.passed(), r.failed(), r.not_graded()), (1, 2, 1));
        assert_eq!((r.score(), r.total()), (1, 8));
        assert!(!r.all_passed());
    }

    #[test]
    fn junit_has_the_required_attributes_and_escapes() {
        let x = junit_xml(&report());
        assert_eq!(
            x,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<testsuites name=\"keyform test\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"5.000\">
  <testsuite name=\"tests/a&amp;b.tftest.hcl\" id=\"0\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"5.000\">
    <properties>
      <property name=\"score\" value=\"1\"/>
      <property name=\"total\" value=\"8\"/>
    </properties>
    <testcase name=\"provision\" classname=\"tests/a&amp;b.tftest.hcl\" time=\"1.250\"/>
    <testcase name=\"reads\" classname=\"tests/a&amp;b.tftest.hcl\" time=\"1.250\">
      <failure message=\"keys &lt;must&gt; be &quot;rotated&quot;\" type=\"failure\">points: 0/3
tests/a.tftest.hcl:7: keys &lt;must&gt; be &quot;rotated&quot;
</failure>
    </testcase>
    <testcase name=\"broken\" classname=\"tests/a&amp;b.tftest.hcl\" time=\"1.250\">
      <error message=\"apply failed\" type=\"error\">points: 0/2
tests/a.tftest.hcl:7: apply failed
</error>
    </testcase>
    <testcase name=\"decrypts\" classname=\"tests/a&amp;b.tftest.hcl\" time=\"1.250\">
      <skipped message=\"not graded: needs aws_kms_key.lab\"/>
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
}
