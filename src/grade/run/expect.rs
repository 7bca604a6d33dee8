//! `expect_failures`: which of a failed command's errors the run expected (by the diagnostic's
//! code and subject, never its text), and the message for an expected failure that did not
//! happen.

use super::line_of;
use crate::addr::TargetAddr;
use crate::diag::{DiagCode, Diagnostic, Diagnostics};
use crate::grade::Session;
use crate::grade::file::{Expected, ExpectedFailure};
use crate::grade::report::{Message, MessageKind};

pub(super) fn missing_failure(session: &Session, e: &ExpectedFailure) -> Message {
    let what = match e.target {
        Expected::Var(_) => "its validation",
        Expected::Output(_) => "its precondition",
        Expected::Resource(_) => "a precondition or postcondition",
    };
    Message {
        kind: MessageKind::Expectation,
        location: line_of(session, Some(e.span)),
        text: format!("expected {} to fail {what}, but it did not", e.text),
    }
}

/// Splits a failed command's errors into those `expect_failures` covers (by index of the
/// expectation) and the others.
pub(super) fn classify<'d>(
    diags: &'d Diagnostics,
    expected: &[ExpectedFailure],
) -> (Vec<usize>, Vec<&'d Diagnostic>) {
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for d in diags.iter().filter(|d| d.is_error()) {
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
        ]);
        let (covered, uncovered) = classify(&diags, &expected);
        assert_eq!(covered, vec![0, 1]);
        assert_eq!(uncovered.len(), 1);
        assert_eq!(uncovered[0].summary, "Error creating aws_s3_bucket.b");
    }
}
