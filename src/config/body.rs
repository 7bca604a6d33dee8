//! Unevaluated bodies: attributes and blocks with their spans, as written.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Structure;

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};

/// An expression and the file it came from (spans are computed on demand).
#[derive(Debug, Clone)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn span(&self) -> Option<Span> {
        self.expr.span().map(|r| Span::new(self.file, r))
    }

    /// The expression as a plain identifier or dotted traversal (`aws_kms_key.lab`), if it is one.
    pub fn as_traversal_text(&self) -> Option<String> {
        traversal_text(&self.expr)
    }

    /// A literal string, if the expression is one (no interpolation).
    pub fn as_literal_str(&self) -> Option<String> {
        match &self.expr {
            Expression::String(s) => Some(s.value().clone()),
            Expression::StringTemplate(t) => {
                let mut out = String::new();
                for el in t.iter() {
                    out.push_str(el.as_literal()?.value());
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// A literal bool, if the expression is one.
    pub fn as_literal_bool(&self) -> Option<bool> {
        self.expr.as_bool()
    }
}

fn traversal_text(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.value().to_string()),
        Expression::Traversal(t) => {
            let mut s = traversal_text(&t.expr)?;
            for op in &t.operators {
                match op.value() {
                    hcl_edit::expr::TraversalOperator::GetAttr(a) => {
                        s.push('.');
                        s.push_str(a.value());
                    }
                    hcl_edit::expr::TraversalOperator::Index(Expression::Number(n)) => {
                        s.push_str(&format!("[{}]", n.value()));
                    }
                    hcl_edit::expr::TraversalOperator::Index(Expression::String(k)) => {
                        s.push_str(&format!("[{:?}]", k.value()));
                    }
                    hcl_edit::expr::TraversalOperator::LegacyIndex(i) => {
                        s.push_str(&format!("[{}]", i.value()));
                    }
                    _ => return None,
                }
            }
            Some(s)
        }
        _ => None,
    }
}

/// `name = expr`.
#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    pub value: Expr,
    pub span: Span,
}

/// `type "label" { ... }`.
#[derive(Debug, Clone)]
pub struct Block {
    pub ident: String,
    pub labels: Vec<String>,
    /// The block header (type and labels), where errors about the block point.
    pub span: Span,
    pub body: Body,
}

/// Attributes and nested blocks, in source order.
#[derive(Debug, Clone)]
pub struct Body {
    pub file: FileId,
    pub attrs: Vec<Attr>,
    pub blocks: Vec<Block>,
    /// Where "missing argument" errors point: the enclosing block's header.
    pub span: Span,
}

impl Body {
    /// Converts a parsed body, reporting duplicate attributes.
    pub fn from_hcl(
        file: FileId,
        body: hcl_edit::structure::Body,
        owner: Span,
        diags: &mut Diagnostics,
    ) -> Body {
        let mut out = Body {
            file,
            attrs: Vec::new(),
            blocks: Vec::new(),
            span: owner,
        };
        // Taken by value: expressions move into the configuration instead of being copied.
        // Names seen go in a set, not a scan of the attributes so far: a locals block of
        // thousands of entries must not take quadratic time.
        let mut seen = std::collections::HashSet::new();
        for s in body {
            match s {
                Structure::Attribute(a) => {
                    let name = a.key.value().to_string();
                    let name_span = span_of(file, a.key.span(), owner);
                    let span = span_of(file, a.span(), name_span);
                    if !seen.insert(name.clone()) {
                        diags.push(
                            Diagnostic::error(
                                "Attribute redefined",
                                format!(
                                    "The argument \"{name}\" was already set. Each argument may be set only once; remove one of them."
                                ),
                            )
                            .with_span(Some(name_span)),
                        );
                        continue;
                    }
                    out.attrs.push(Attr {
                        name,
                        name_span,
                        value: Expr {
                            file,
                            expr: a.value,
                        },
                        span,
                    });
                }
                Structure::Block(b) => {
                    let ident = b.ident.value().to_string();
                    let mut header = span_of(file, b.ident.span(), owner);
                    for l in &b.labels {
                        if let Some(r) = l.span() {
                            header = header.to(Span::new(file, r));
                        }
                    }
                    let labels = b.labels.iter().map(|l| l.as_str().to_string()).collect();
                    let inner = Body::from_hcl(file, b.body, header, diags);
                    out.blocks.push(Block {
                        ident,
                        labels,
                        span: header,
                        body: inner,
                    });
                }
            }
        }
        out
    }

    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn blocks_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |b| b.ident == name)
    }
}

fn span_of(file: FileId, r: Option<std::ops::Range<usize>>, fallback: Span) -> Span {
    r.map_or(fallback, |r| Span::new(file, r))
}
