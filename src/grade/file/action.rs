//! `action` blocks of a run: their arguments (`call`, `params`, `as`, `anonymous`,
//! `credentials`, `expect_error`) and the operation name checked against what the simulated cloud offers.

use std::collections::BTreeSet;

use super::{ActionBlock, CLOCK_ADVANCE, Caller, one_name};
use crate::config::{Block, Expr, only};
use crate::diag::{Diagnostic, Diagnostics, suggestion};

/// One `action` block (`before`: the names of the run's earlier actions).
pub(super) fn action_block(
    b: &Block,
    before: &BTreeSet<String>,
    run: &str,
    diags: &mut Diagnostics,
) -> Option<ActionBlock> {
    let name = one_name(b, "action", diags)?;
    if before.contains(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate action block",
                format!("An action named \"{name}\" was already declared in run \"{run}\"; action names must be unique within a run."),
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    only(
        &b.body,
        &[
            "call",
            "params",
            "as",
            "anonymous",
            "credentials",
            "expect_error",
        ],
        &[],
        "in an action block",
        diags,
    );
    let Some(call_attr) = b.body.attr("call") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "An action block needs \"call\", the operation to call, like call = \"s3:GetObject\".",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let call = operation(&call_attr.value, diags);
    let anonymous = match b.body.attr("anonymous") {
        None => false,
        Some(a) => match a.value.as_literal_bool() {
            Some(v) => v,
            None => {
                diags.push(
                    Diagnostic::error(
                        "Invalid value",
                        "anonymous must be a literal true or false.",
                    )
                    .with_span(a.value.span()),
                );
                false
            }
        },
    };
    let credentials = b.body.attr("credentials");
    let caller = match (b.body.attr("as"), anonymous, credentials) {
        (Some(a), true, _) | (Some(a), _, Some(_)) => {
            diags.push(
                Diagnostic::error(
                    "Conflicting caller",
                    "An action calls as one caller: an IAM user or role (as = \"NAME\"), no credentials (anonymous = true) or an earlier action's temporary credentials (credentials = action.NAME.Credentials).",
                )
                .with_span(Some(a.name_span)),
            );
            return None;
        }
        (None, true, Some(c)) => {
            diags.push(
                Diagnostic::error(
                    "Conflicting caller",
                    "An action calls either without credentials (anonymous = true) or with temporary credentials (credentials = ...), not both.",
                )
                .with_span(Some(c.name_span)),
            );
            return None;
        }
        (Some(a), false, None) => Caller::User(a.value.clone()),
        (None, true, None) => Caller::Anonymous,
        (None, false, Some(c)) => Caller::Credentials(c.value.clone()),
        (None, false, None) => Caller::Admin,
    };
    let expect_error = match b.body.attr("expect_error") {
        None => None,
        Some(a) => match a.value.as_literal_str() {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid expect_error",
                        "expect_error must be a literal error code, like expect_error = \"AccessDenied\".",
                    )
                    .with_span(a.value.span()),
                );
                return None;
            }
        },
    };
    if call == Some(CLOCK_ADVANCE) && (expect_error.is_some() || !matches!(caller, Caller::Admin)) {
        diags.push(
            Diagnostic::error(
                "Invalid clock action",
                "clock:Advance moves the simulated clock; it takes only params = { Duration = \"8d\" } (no caller, no expect_error).",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    Some(ActionBlock {
        name,
        span: b.span,
        call: call?,
        params: b.body.attr("params").map(|a| a.value.clone()),
        caller,
        expect_error,
    })
}

/// Every name `call` accepts.
pub fn call_names() -> Vec<&'static str> {
    let mut v = crate::sim::ops::operation_names();
    v.push(CLOCK_ADVANCE);
    v.sort_unstable();
    v
}

fn operation(e: &Expr, diags: &mut Diagnostics) -> Option<&'static str> {
    let Some(text) = e.as_literal_str() else {
        diags.push(
            Diagnostic::error(
                "Invalid call",
                "call must be a literal operation name, like call = \"kms:Encrypt\".",
            )
            .with_span(e.span()),
        );
        return None;
    };
    if text == CLOCK_ADVANCE {
        return Some(CLOCK_ADVANCE);
    }
    if let Some(c) = crate::sim::ops::canonical(&text) {
        return Some(c);
    }
    let names = call_names();
    let close = close_names(&text, &names);
    let detail = format!(
        "keyform does not simulate an operation named \"{text}\"; operations are named service:Operation with AWS's names, like kms:Encrypt or s3:GetObject.{}{}",
        suggestion(&text, names.iter().copied()),
        if close.is_empty() {
            String::new()
        } else {
            format!(" Close names: {}.", close.join(", "))
        }
    );
    diags.push(Diagnostic::error("Unknown operation", detail).with_span(e.span()));
    None
}

/// Up to five operation names closest to `text` (same service first, then by edit distance).
fn close_names(text: &str, names: &[&'static str]) -> Vec<&'static str> {
    let lower = text.to_ascii_lowercase();
    let (svc, op) = lower.split_once(':').unwrap_or(("", lower.as_str()));
    let mut ranked: Vec<(usize, &'static str)> = names
        .iter()
        .map(|n| {
            let nl = n.to_ascii_lowercase();
            let (ns, no) = nl.split_once(':').unwrap_or(("", nl.as_str()));
            let d = crate::diag::edit_distance(op, no) + if ns == svc { 0 } else { 3 };
            (d, *n)
        })
        .filter(|(d, n)| *d <= (n.len() / 3).max(3))
        .collect();
    ranked.sort();
    ranked.into_iter().take(5).map(|(_, n)| n).collect()
}
