//! String templates: literals, interpolations and `%{ if }`/`%{ for }` directives with their
//! whitespace stripping (`~`); a template that is one interpolation yields its value as is.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::template::{Directive, Element, Template};

use super::{Ctx, err, too_big};
use crate::diag::Diagnostic;
use crate::value::{MAX_VALUE_WEIGHT, Value, format_number};

impl<'a> Ctx<'_, 'a> {
    pub(super) fn template(
        &mut self,
        t: &Template,
        whole: &Expression,
    ) -> Result<Value, Diagnostic> {
        // A template that is a single interpolation yields the value itself, not a string.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(&i.expr);
        }
        let mut out = String::new();
        if self.render(t, &mut out)? {
            return Ok(Value::Unknown);
        }
        let _ = whole;
        Ok(Value::String(out))
    }

    /// Renders template elements into `out`; returns true if anything was unknown.
    pub(super) fn render(&mut self, t: &Template, out: &mut String) -> Result<bool, Diagnostic> {
        let mut unknown = false;
        let elems: Vec<&Element> = t.iter().collect();
        let mut pending_strip_start = false;
        for (idx, el) in elems.iter().enumerate() {
            let strip_next = match elems.get(idx + 1) {
                Some(Element::Interpolation(i)) => i.strip.strip_start(),
                Some(Element::Directive(d)) => directive_strip_start(d),
                _ => false,
            };
            match el {
                Element::Literal(l) => {
                    let mut s: &str = l.value();
                    if pending_strip_start {
                        s = s.trim_start();
                    }
                    if strip_next {
                        s = s.trim_end();
                    }
                    out.push_str(s);
                    if out.len() / 64 > MAX_VALUE_WEIGHT {
                        return Err(too_big(crate::value::TooBig::Large, self.span(l.span())));
                    }
                    pending_strip_start = false;
                }
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr)?;
                    if v.is_unknown() {
                        unknown = true;
                    } else {
                        out.push_str(&self.to_template_string(&v, i.expr.span())?);
                        if out.len() / 64 > MAX_VALUE_WEIGHT {
                            return Err(too_big(
                                crate::value::TooBig::Large,
                                self.span(i.expr.span()),
                            ));
                        }
                    }
                    pending_strip_start = i.strip.strip_end();
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        let c = self.eval(&ifd.if_expr.cond_expr)?;
                        if c.is_unknown() {
                            unknown = true;
                        } else if self.boolean(&c, ifd.if_expr.cond_expr.span())? {
                            unknown |= self.render(&ifd.if_expr.template, out)?;
                        } else if let Some(e) = &ifd.else_expr {
                            unknown |= self.render(&e.template, out)?;
                        }
                        pending_strip_start = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(fd) => {
                        let coll = self.eval(&fd.for_expr.collection_expr)?;
                        if coll.is_unknown() {
                            unknown = true;
                        } else {
                            let kv = fd.for_expr.key_var.as_ref().map(|k| k.value().to_string());
                            let vv = fd.for_expr.value_var.value().to_string();
                            for (k, v) in self.iterate(coll, fd.for_expr.collection_expr.span())? {
                                let n = self.locals.len();
                                if let Some(kn) = &kv {
                                    self.locals.push((kn.clone(), k));
                                }
                                self.locals.push((vv.clone(), v));
                                let r = self.render(&fd.for_expr.template, out);
                                self.locals.truncate(n);
                                unknown |= r?;
                            }
                        }
                        pending_strip_start = fd.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(unknown)
    }

    pub(super) fn to_template_string(
        &self,
        v: &Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<String, Diagnostic> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(format_number(*n)),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Err(err(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
                self.span(span),
            )),
            other => Err(err(
                "Invalid template interpolation value",
                format!(
                    "Cannot include the given value in a string template: string required, got {}.",
                    other.type_name()
                ),
                self.span(span),
            )),
        }
    }
}

fn directive_strip_start(d: &Directive) -> bool {
    match d {
        Directive::If(i) => i.if_expr.strip.strip_start(),
        Directive::For(f) => f.for_expr.strip.strip_start(),
    }
}
