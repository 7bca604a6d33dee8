//! References from a run's expressions to `action.NAME` and `run.NAME`: each must name an
//! action earlier in the run, or an earlier run of the file.

use std::collections::BTreeSet;

use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::eval::refs::{Ref, references};

/// Checks `action.NAME` and `run.NAME` references against what exists at that point.
pub(super) fn check_refs(
    e: &Expr,
    actions: &[&str],
    position: &std::collections::HashMap<&str, usize>,
    runs: &[&str],
    run: &str,
    diags: &mut Diagnostics,
) {
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for (r, span) in references(e.file, &e.expr, &[]) {
        let Ref::Special(root) = &r else { continue };
        if root != "action" && root != "run" {
            continue;
        }
        let Some(name) = second_segment(&e.expr, span) else {
            continue;
        };
        if !seen.insert((root.clone(), name.clone())) {
            continue;
        }
        let (known, what) = if root == "action" {
            (
                actions,
                format!("no action \"{name}\" before this point in run \"{run}\""),
            )
        } else {
            (
                runs,
                format!("no run \"{name}\" before this run in this file"),
            )
        };
        let declared = if root == "action" {
            position
                .get(name.as_str())
                .is_some_and(|i| *i < actions.len())
        } else {
            known.contains(&name.as_str())
        };
        if !declared {
            let hint = did_you_mean(&name, known.iter().copied())
                .map(|c| format!(" Did you mean \"{c}\"?"))
                .unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    format!("Reference to undeclared {root}"),
                    format!("There is {what}.{hint}"),
                )
                .with_span(Some(span)),
            );
        }
    }
}

/// The attribute after the root of the traversal that starts at `span` (`upload` in
/// `action.upload.ETag`).
pub(crate) fn second_segment(e: &hcl_edit::expr::Expression, span: Span) -> Option<String> {
    use hcl_edit::Span as _;
    use hcl_edit::expr::{Expression, TraversalOperator};
    let mut found = None;
    visit(e, &mut |x| {
        if let Expression::Traversal(t) = x
            && matches!(t.expr, Expression::Variable(_))
            && t.span().is_some_and(|r| r.start == span.start)
            && let Some(TraversalOperator::GetAttr(a)) = t.operators.first().map(|o| o.value())
        {
            found = Some(a.value().to_string());
        }
    });
    found
}

/// Calls `f` on every sub-expression.
fn visit(e: &hcl_edit::expr::Expression, f: &mut dyn FnMut(&hcl_edit::expr::Expression)) {
    use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
    use hcl_edit::template::{Element, Template};
    fn template(t: &Template, f: &mut dyn FnMut(&Expression)) {
        for el in t.iter() {
            if let Element::Interpolation(i) = el {
                visit(&i.expr, f);
            }
        }
    }
    f(e);
    match e {
        Expression::Array(a) => a.iter().for_each(|x| visit(x, f)),
        Expression::Object(o) => {
            for (k, v) in o.iter() {
                if let ObjectKey::Expression(ke) = k {
                    visit(ke, f);
                }
                visit(v.expr(), f);
            }
        }
        Expression::StringTemplate(t) => template(t, f),
        Expression::HeredocTemplate(h) => template(&h.template, f),
        Expression::Parenthesis(p) => visit(p.inner(), f),
        Expression::Traversal(t) => {
            visit(&t.expr, f);
            for op in &t.operators {
                if let TraversalOperator::Index(ie) = op.value() {
                    visit(ie, f);
                }
            }
        }
        Expression::Conditional(c) => {
            visit(&c.cond_expr, f);
            visit(&c.true_expr, f);
            visit(&c.false_expr, f);
        }
        Expression::FuncCall(c) => c.args.iter().for_each(|a| visit(a, f)),
        Expression::UnaryOp(u) => visit(&u.expr, f),
        Expression::BinaryOp(b) => {
            visit(&b.lhs_expr, f);
            visit(&b.rhs_expr, f);
        }
        Expression::ForExpr(x) => {
            visit(&x.intro.collection_expr, f);
            if let Some(k) = &x.key_expr {
                visit(k, f);
            }
            visit(&x.value_expr, f);
            if let Some(c) = &x.cond {
                visit(&c.expr, f);
            }
        }
        _ => {}
    }
}
