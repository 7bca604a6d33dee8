//! Function calls: `try` and `can` (which need their arguments unevaluated), expansion of a
//! final `...` argument, and the built-in library ([`super::funcs`]) with its errors placed on
//! the argument they concern.

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use super::{Ctx, err, funcs, too_big};
use crate::diag::Diagnostic;
use crate::value::Value;

impl<'a> Ctx<'_, 'a> {
    pub(super) fn call(
        &mut self,
        f: &hcl_edit::expr::FuncCall,
        whole: &Expression,
    ) -> Result<Value, Diagnostic> {
        let name = f.name.name.value().as_str();
        let span = self.span(whole.span());
        if !f.name.namespace.is_empty() {
            return Err(err(
                "Call to unknown function",
                "Provider-defined functions are not supported by keyform.",
                span,
            ));
        }
        match name {
            "try" => {
                let mut last = None;
                for a in f.args.iter() {
                    match self.eval(a) {
                        Ok(v) => return Ok(v),
                        Err(d) => last = Some(d),
                    }
                }
                return Err(last.map_or_else(
                    || err("Not enough function arguments", "Function \"try\" expects at least one argument.", span),
                    |d| err("Error in function call", format!("Call to function \"try\" failed: no expression succeeded; the last error was: {}", d.detail), span),
                ));
            }
            "can" => {
                let args: Vec<&Expression> = f.args.iter().collect();
                if args.len() != 1 {
                    return Err(err(
                        "Invalid function arguments",
                        "Function \"can\" expects exactly one argument.",
                        span,
                    ));
                }
                return Ok(match self.eval(args[0]) {
                    Ok(v) if v.is_unknown() => Value::Unknown,
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.eval(a)?);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(Value::List(l)) => args.extend(l),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(other) => {
                    return Err(err(
                        "Invalid expanding argument value",
                        format!(
                            "The expanding argument (indicated by ...) must be a list, got {}.",
                            other.type_name()
                        ),
                        span,
                    ));
                }
                None => {}
            }
        }
        let ctx = funcs::FuncContext {
            base_dir: self.ev.base_dir,
        };
        funcs::call(name, &args, &ctx).map_err(|e| {
            if let funcs::FuncError::NumberOutOfRange { .. } = e {
                return too_big(crate::value::TooBig::NotFinite, span);
            }
            let (summary, arg_span) = match &e {
                funcs::FuncError::UnknownFunction { .. } => ("Call to unknown function", None),
                funcs::FuncError::InvalidArgument { index, .. } => (
                    "Invalid function argument",
                    f.args.get(*index).and_then(|a| a.span()),
                ),
                _ => ("Error in function call", None),
            };
            err(summary, e.to_string(), self.span(arg_span).or(span))
        })
    }
}
