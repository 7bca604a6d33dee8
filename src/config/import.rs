//! `import` blocks: bring an object that already exists in the (simulated) cloud under
//! management at an address of this configuration, as Terraform 1.5+ does. The block is only
//! read here; `plan` evaluates `for_each`, the target's key and `id`, and asks the provider to
//! read the object by its import id.

use hcl_edit::expr::{Expression, TraversalOperator};

use crate::addr::{InstanceKey, Mode, ResourceAddr, TargetAddr};
use crate::config::validate::only;
use crate::config::{Block, Expr};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// `import { to = ... id = ... for_each = ... }`.
#[derive(Debug, Clone)]
pub struct Import {
    /// The resource block the object is imported into (with the module instance path).
    pub to: ResourceAddr,
    /// The instance key: a literal, or an expression (`[each.key]`) evaluated per instance.
    pub key: ImportKey,
    pub id: Expr,
    pub for_each: Option<Expr>,
    pub span: Span,
    pub to_span: Option<Span>,
}

/// The key part of an import's `to` address.
#[derive(Debug, Clone)]
pub enum ImportKey {
    Literal(InstanceKey),
    Expr(Expr),
}

fn invalid_to(e: &Expr, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(
            "Invalid import address",
            "The \"to\" argument must be a resource instance address, like aws_kms_key.a or aws_kms_key.a[each.key].",
        )
        .with_span(e.span()),
    );
}

/// Parses `to`: a traversal whose last index may be an expression.
fn target(e: &Expr, diags: &mut Diagnostics) -> Option<(ResourceAddr, ImportKey)> {
    let (text, key_expr) = match e.as_traversal_text() {
        Some(t) => (t, None),
        None => {
            // `aws_x.a[each.key]`: everything but a final non-literal index is literal.
            let Expression::Traversal(t) = &e.expr else {
                invalid_to(e, diags);
                return None;
            };
            let Some((last, rest)) = t.operators.split_last() else {
                invalid_to(e, diags);
                return None;
            };
            let TraversalOperator::Index(k) = last.value() else {
                invalid_to(e, diags);
                return None;
            };
            let mut head = (**t).clone();
            head.operators = rest.to_vec();
            let head = Expr {
                file: e.file,
                expr: Expression::Traversal(Box::new(head)),
            };
            let Some(text) = head.as_traversal_text() else {
                invalid_to(e, diags);
                return None;
            };
            (
                text,
                Some(Expr {
                    file: e.file,
                    expr: k.clone(),
                }),
            )
        }
    };
    let Ok(t) = text.parse::<TargetAddr>() else {
        invalid_to(e, diags);
        return None;
    };
    if t.resource.mode != Mode::Managed {
        diags.push(
            Diagnostic::error(
                "Invalid import address",
                "Only managed resources can be imported; data sources are read, not imported.",
            )
            .with_span(e.span()),
        );
        return None;
    }
    let key = match (key_expr, t.key) {
        (Some(k), _) => ImportKey::Expr(k),
        (None, Some(k)) => ImportKey::Literal(k),
        (None, None) => ImportKey::Literal(InstanceKey::None),
    };
    Some((t.resource, key))
}

pub(super) fn import(b: &Block, diags: &mut Diagnostics) -> Option<Import> {
    only(
        &b.body,
        &["to", "id", "for_each", "provider", "identity"],
        &[],
        "in an import block",
        diags,
    );
    if let Some(a) = b.body.attr("identity") {
        diags.push(
            Diagnostic::error(
                "Unsupported argument",
                "An argument named \"identity\" is not expected here.",
            )
            .with_span(Some(a.name_span)),
        );
        return None;
    }
    let (Some(to), Some(id)) = (b.body.attr("to"), b.body.attr("id")) else {
        let missing = if b.body.attr("to").is_none() {
            "to"
        } else {
            "id"
        };
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                format!("The argument \"{missing}\" is required, but no definition was found."),
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let (addr, key) = target(&to.value, diags)?;
    let for_each = b.body.attr("for_each").map(|a| a.value.clone());
    if for_each.is_none() && matches!(key, ImportKey::Expr(_)) {
        // Without for_each the key must be known now: a literal.
        diags.push(
            Diagnostic::error(
                "Invalid import address",
                "Without for_each, the key in the \"to\" address must be a literal, like aws_kms_key.a[\"x\"] or aws_kms_key.a[0].",
            )
            .with_span(to.value.span()),
        );
        return None;
    }
    Some(Import {
        to: addr,
        key,
        id: id.value.clone(),
        for_each,
        span: b.span,
        to_span: to.value.span(),
    })
}
