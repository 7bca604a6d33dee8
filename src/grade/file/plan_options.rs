//! A run block's `plan_options { mode, refresh, replace, target }`, as `terraform test` 1.11
//! reads it: `refresh` is a literal bool, `replace` and `target` lists of resource addresses.

use hcl_edit::expr::Expression;

use crate::addr::TargetAddr;
use crate::config::{Block, Expr, only};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::PlanOptions;

fn addresses(e: &Expr, what: &str, diags: &mut Diagnostics) -> Vec<TargetAddr> {
    let Expression::Array(items) = &e.expr else {
        diags.push(
            Diagnostic::error(
                format!("Invalid {what} list"),
                format!("{what} must be a list of resource addresses, like [aws_kms_key.lab]."),
            )
            .with_span(e.span()),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let x = Expr {
            file: e.file,
            expr: item.clone(),
        };
        match x.as_traversal_text().map(|t| t.parse::<TargetAddr>()) {
            Some(Ok(t)) => out.push(t),
            _ => diags.push(
                Diagnostic::error(
                    format!("Invalid {what} address"),
                    "Each entry must be a resource address, like aws_kms_key.lab or aws_iam_user.u[\"bob\"].",
                )
                .with_span(x.span()),
            ),
        }
    }
    out
}

/// Parses one `plan_options` block.
pub(super) fn plan_options(b: &Block, diags: &mut Diagnostics) -> PlanOptions {
    only(
        &b.body,
        &["mode", "refresh", "replace", "target"],
        &[],
        "in a plan_options block",
        diags,
    );
    let mut opts = PlanOptions::default();
    if let Some(m) = b.body.attr("mode") {
        match m.value.as_traversal_text().as_deref() {
            Some("normal") => {}
            Some("refresh-only") => diags.push(
                Diagnostic::error(
                    "Unsupported plan mode",
                    "keyform plans in normal mode only: refresh-only plans are not implemented. Remove mode, or set it to normal.",
                )
                .with_span(m.value.span()),
            ),
            _ => diags.push(
                Diagnostic::error(
                    "Invalid plan mode",
                    "The plan_options.mode attribute must be either normal or refresh-only.",
                )
                .with_span(m.value.span()),
            ),
        }
    }
    if let Some(r) = b.body.attr("refresh") {
        match r.value.as_literal_bool() {
            Some(v) => opts.refresh = v,
            None => diags.push(
                Diagnostic::error(
                    "Invalid refresh",
                    "refresh must be a literal true or false.",
                )
                .with_span(r.value.span()),
            ),
        }
    }
    if let Some(r) = b.body.attr("replace") {
        opts.replace = addresses(&r.value, "replace", diags);
    }
    if let Some(t) = b.body.attr("target") {
        opts.targets = addresses(&t.value, "target", diags);
    }
    opts
}
