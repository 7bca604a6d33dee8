//! `expect_failures`: which of a failed command's errors the run expected (by the diagnostic's
//! code and subject, never its text), and the message for an expected failure that did not
//! happen.

use super::{line_of, located, one_line};
use crate::addr::{ResourceAddr, TargetAddr};
use crate::diag::{DiagCode, Diagnostic, Diagnostics};
use crate::grade::Session;
use crate::grade::file::{Expected, ExpectedFailure, RunBlock};
use crate::grade::report::{Message, MessageKind};

pub(super) fn missing_failure(session: &Session, e: &ExpectedFailure) -> Message {
    let what = match e.target {
        Expected::Var(_) => "its validation",
        Expected::Output(_) => "its precondition",
        Expected::Resource(_) => "a precondition or postcondition",
        Expected::Check(_) => "an assertion",
    };
    Message {
        kind: MessageKind::Expectation,
        location: line_of(session, Some(e.span)),
        text: format!("expected {} to fail {what}, but it did not", e.text),
    }
}

/// Messages for check block failures no expectation covers: `terraform test` fails a run on
/// them, though outside tests they are warnings.
pub(super) fn unexpected(session: &Session, uncovered: &[&Diagnostic]) -> Vec<Message> {
    uncovered
        .iter()
        .filter(|d| is_check_failure(d))
        .map(|d| Message {
            kind: MessageKind::Check,
            location: located(session, d.span),
            text: one_line(d),
        })
        .collect()
}

/// Messages for the expected failures that stopped an apply run's plan: `terraform test`
/// fails the run ("Expected failure while planning"), since the apply never happened.
pub(super) fn while_planning(
    session: &Session,
    diags: &Diagnostics,
    run: &RunBlock,
) -> Vec<Message> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| {
            let target = failure_target(d)?;
            let e = run.expect_failures.iter().find(|e| e.target == target)?;
            Some(Message {
                kind: MessageKind::Expectation,
                location: line_of(session, Some(e.span)),
                text: format!(
                    "{} failed during the planning stage and prevented the requested apply: an expected failure, but the apply could not run, so the run fails (expect it in a run with command = plan): {}",
                    e.text,
                    one_line(d)
                ),
            })
        })
        .collect()
}

/// Splits a command's errors and check block failures (warnings outside tests, failures in a
/// run unless expected, as `terraform test` has it) into those `expect_failures` covers (by
/// index of the expectation) and the others.
pub(super) fn classify<'d>(
    diags: &'d Diagnostics,
    expected: &[ExpectedFailure],
) -> (Vec<usize>, Vec<&'d Diagnostic>) {
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for d in diags.iter().filter(|d| d.is_error() || is_check_failure(d)) {
        let target = failure_target(d);
        match target.and_then(|t| expected.iter().position(|e| e.target == t)) {
            Some(i) => covered.push(i),
            None => uncovered.push(d),
        }
    }
    covered.sort_unstable();
    covered.dedup();
    (covered, uncovered)
}

/// The resources (configuration addresses) an apply's errors are about.
pub(super) fn failed_resources(diags: &Diagnostics) -> std::collections::BTreeSet<ResourceAddr> {
    diags
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.subject.as_deref()?.parse::<TargetAddr>().ok())
        .map(|t| t.resource.config_addr())
        .collect()
}

/// A check block assertion that is false, or (in a plan) not known until apply.
pub(super) fn is_check_failure(d: &Diagnostic) -> bool {
    matches!(
        d.code,
        DiagCode::CheckAssertionFailed | DiagCode::CheckAssertionUnknown
    )
}

/// What a validation or condition failure is about, as an `expect_failures` entry would name it.
fn failure_target(d: &Diagnostic) -> Option<Expected> {
    let subject = d.subject.as_deref()?;
    match d.code {
        DiagCode::InvalidVariableValue => subject
            .strip_prefix("var.")
            .map(|n| Expected::Var(n.into())),
        DiagCode::OutputPrecondition => subject
            .strip_prefix("output.")
            .map(|n| Expected::Output(n.into())),
        DiagCode::ResourcePrecondition | DiagCode::ResourcePostcondition => subject
            .parse::<TargetAddr>()
            .ok()
            .map(|t| Expected::Resource(t.resource)),
        DiagCode::CheckAssertionFailed | DiagCode::CheckAssertionUnknown => subject
            .strip_prefix("check.")
            .map(|n| Expected::Check(n.into())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;

    #[test]
    fn failures_are_matched_to_expectations() {
        let e = |t: Expected| ExpectedFailure {
            target: t,
            text: String::new(),
            span: Span::new(crate::diag::FileId(0), 0..0),
        };
        let expected = vec![
            e(Expected::Var("name".into())),
            e(Expected::Resource(crate::addr::ResourceAddr::managed(
                "aws_iam_user",
                "u",
            ))),
        ];
        let diags = Diagnostics(vec![
            Diagnostic::error("Invalid value for variable", "x")
                .with_subject("var.name")
                .with_code(DiagCode::InvalidVariableValue),
            Diagnostic::error("Resource precondition failed", "y")
                .with_subject("aws_iam_user.u[\"bob\"]")
                .with_code(DiagCode::ResourcePrecondition),
            Diagnostic::error("Error creating aws_s3_bucket.b", "z"),
            Diagnostic::warning("Check block assertion failed", "c")
                .with_subject("check.unexpected")
                .with_code(DiagCode::CheckAssertionFailed),
            Diagnostic::warning("Plan warning", "w").with_subject("check.ignored"),
        ]);
        let (covered, uncovered) = classify(&diags, &expected);
        assert_eq!(covered, vec![0, 1]);
        let summaries: Vec<&str> = uncovered.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(
            summaries,
            [
                "Error creating aws_s3_bucket.b",
                "Check block assertion failed"
            ]
        );
    }

    #[test]
    fn check_blocks_are_expected_by_name() {
        let expected = vec![ExpectedFailure {
            target: Expected::Check("small".into()),
            text: "check.small".into(),
            span: Span::new(crate::diag::FileId(0), 0..0),
        }];
        let diags = Diagnostics(vec![
            Diagnostic::warning("Check block assertion known after apply", "x")
                .with_subject("check.small")
                .with_code(DiagCode::CheckAssertionUnknown),
        ]);
        let (covered, uncovered) = classify(&diags, &expected);
        assert_eq!((covered, uncovered.len()), (vec![0], 0));
    }
}
