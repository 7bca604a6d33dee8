//! References an expression makes (`var.x`, `local.y`, `aws_kms_key.lab`, `data.t.n`), with spans.
//!
//! The graph is built from these; names bound inside the expression (for-expression variables,
//! dynamic block iterators) are not references.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Directive, Element, Template};

use crate::addr::ResourceAddr;
use crate::diag::{FileId, Span};

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Ref {
    Var(String),
    Local(String),
    Resource(ResourceAddr),
    /// `module.k.out` (Some("out")) or the whole `module.k` (None).
    Module(String, Option<String>),
    /// `count.index`, `each.key`, `path.module`, `self`, `terraform.workspace`, test-only roots.
    Special(String),
    /// A bare root that names nothing known (checked by the graph).
    Unknown(String),
}

/// Collects the references of an expression, skipping names in `bound`.
pub(crate) fn references(file: FileId, e: &Expression, bound: &[String]) -> Vec<(Ref, Span)> {
    let mut c = Collector {
        file,
        bound: bound.to_vec(),
        out: Vec::new(),
        attrs: Vec::new(),
    };
    c.expr(e);
    c.out
}

/// The managed resources' attributes an expression reads (`aws_iam_access_key.k.secret`,
/// `aws_iam_access_key.k[0].secret`), for static checks such as sensitive outputs.
pub(crate) fn resource_attributes(
    file: FileId,
    e: &Expression,
) -> Vec<(ResourceAddr, String, Span)> {
    let mut c = Collector {
        file,
        bound: Vec::new(),
        out: Vec::new(),
        attrs: Vec::new(),
    };
    c.expr(e);
    c.attrs
}

struct Collector {
    file: FileId,
    bound: Vec<String>,
    out: Vec<(Ref, Span)>,
    attrs: Vec<(ResourceAddr, String, Span)>,
}

impl Collector {
    fn span(&self, r: Option<std::ops::Range<usize>>) -> Span {
        Span::new(self.file, r.unwrap_or(0..0))
    }

    fn root(&mut self, name: &str, ops: &[&TraversalOperator], span: Span) {
        if self.bound.iter().any(|b| b == name) {
            return;
        }
        let attr = |i: usize| match ops.get(i) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.value().to_string()),
            _ => None,
        };
        let r = match name {
            "var" => attr(0).map(Ref::Var),
            "local" => attr(0).map(Ref::Local),
            "data" => match (attr(0), attr(1)) {
                (Some(k), Some(n)) => Some(Ref::Resource(ResourceAddr::data(k, n))),
                _ => None,
            },
            "module" => attr(0).map(|n| Ref::Module(n, attr(1))),
            "count" | "each" | "path" | "self" | "terraform" | "action" | "run" | "output" => {
                Some(Ref::Special(name.to_string()))
            }
            _ => match attr(0) {
                Some(n) if name.contains('_') => {
                    let field = ops[1..].iter().find_map(|o| match o {
                        TraversalOperator::GetAttr(a) => Some(a.value().to_string()),
                        _ => None,
                    });
                    if let Some(f) = field {
                        self.attrs
                            .push((ResourceAddr::managed(name, n.clone()), f, span));
                    }
                    Some(Ref::Resource(ResourceAddr::managed(name, n)))
                }
                _ => Some(Ref::Unknown(name.to_string())),
            },
        };
        if let Some(r) = r {
            self.out.push((r, span));
        } else {
            self.out.push((Ref::Unknown(name.to_string()), span));
        }
    }

    fn expr(&mut self, e: &Expression) {
        match e {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Array(a) => a.iter().for_each(|x| self.expr(x)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        // `{ (local.k) = 1 }` is a reference; a bare `{ k = 1 }` key is not.
                        if !matches!(ke, Expression::Variable(_)) {
                            self.expr(ke);
                        }
                    }
                    self.expr(v.expr());
                }
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => {
                let sp = self.span(v.span());
                self.root(v.value().as_str(), &[], sp);
            }
            Expression::Traversal(t) => {
                if let Expression::Variable(v) = &t.expr {
                    let ops: Vec<&TraversalOperator> =
                        t.operators.iter().map(|o| o.value()).collect();
                    let sp = self.span(t.span().or_else(|| v.span()));
                    self.root(v.value().as_str(), &ops, sp);
                } else {
                    self.expr(&t.expr);
                }
                for op in &t.operators {
                    if let TraversalOperator::Index(ie) = op.value() {
                        self.expr(ie);
                    }
                }
            }
            Expression::Conditional(c) => {
                self.expr(&c.cond_expr);
                self.expr(&c.true_expr);
                self.expr(&c.false_expr);
            }
            Expression::FuncCall(f) => f.args.iter().for_each(|a| self.expr(a)),
            Expression::UnaryOp(u) => self.expr(&u.expr),
            Expression::BinaryOp(b) => {
                self.expr(&b.lhs_expr);
                self.expr(&b.rhs_expr);
            }
            Expression::ForExpr(f) => {
                self.expr(&f.intro.collection_expr);
                let n = self.bound.len();
                if let Some(k) = &f.intro.key_var {
                    self.bound.push(k.value().to_string());
                }
                self.bound.push(f.intro.value_var.value().to_string());
                if let Some(k) = &f.key_expr {
                    self.expr(k);
                }
                self.expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.expr(&c.expr);
                }
                self.bound.truncate(n);
            }
        }
    }

    fn template(&mut self, t: &Template) {
        for el in t.iter() {
            match el {
                Element::Literal(_) => {}
                Element::Interpolation(i) => self.expr(&i.expr),
                Element::Directive(d) => match &**d {
                    Directive::If(i) => {
                        self.expr(&i.if_expr.cond_expr);
                        self.template(&i.if_expr.template);
                        if let Some(e) = &i.else_expr {
                            self.template(&e.template);
                        }
                    }
                    Directive::For(f) => {
                        self.expr(&f.for_expr.collection_expr);
                        let n = self.bound.len();
                        if let Some(k) = &f.for_expr.key_var {
                            self.bound.push(k.value().to_string());
                        }
                        self.bound.push(f.for_expr.value_var.value().to_string());
                        self.template(&f.for_expr.template);
                        self.bound.truncate(n);
                    }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<Ref> {
        let e = hcl_edit::parser::parse_expr(src).unwrap();
        references(FileId(0), &e, &[])
            .into_iter()
            .map(|(r, _)| r)
            .collect()
    }

    #[test]
    fn finds_references_and_skips_bound_names() {
        assert_eq!(
            refs("\"${var.a}-${aws_kms_key.lab.arn}\""),
            vec![
                Ref::Var("a".into()),
                Ref::Resource(ResourceAddr::managed("aws_kms_key", "lab"))
            ]
        );
        assert_eq!(
            refs("[for u in local.users : u.name]"),
            vec![Ref::Local("users".into())]
        );
        assert_eq!(
            refs("data.aws_iam_policy_document.p.json"),
            vec![Ref::Resource(ResourceAddr::data(
                "aws_iam_policy_document",
                "p"
            ))]
        );
        assert_eq!(refs("{ k = 1 }"), vec![]);
    }
}
