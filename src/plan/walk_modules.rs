//! The walk's module instances: which instances each module call has (`count` / `for_each`
//! of the call, evaluated in the calling module instance), their input variables, and where
//! their outputs land (`module.NAME` of the caller).

use crate::addr::{InstanceKey, ModulePath, ModuleStep};
use crate::diag::{DiagCode, Diagnostic};
use crate::eval::Evaluator;
use crate::plan::walk::{Locals, Walk};
use crate::value::{Map, Value};

impl Walk<'_> {
    /// Whether the walk produced module instance `path` (a state entry under a module
    /// instance that is gone, say `module.k[2]` after count went to 2, is to be destroyed).
    pub(crate) fn seen_module(&self, path: &[ModuleStep]) -> bool {
        let config: ModulePath = path
            .iter()
            .map(|m| ModuleStep {
                name: m.name.clone(),
                key: InstanceKey::None,
            })
            .collect();
        self.module_instances
            .get(&config)
            .is_some_and(|v| v.iter().any(|(p, _)| p.as_slice() == path))
    }

    /// A root output goes to `outputs`; a child module's to `module.NAME.OUT` of its caller.
    pub(super) fn set_output(&mut self, path: &[ModuleStep], name: &str, v: Value) {
        let Some((last, parent)) = path.split_last() else {
            self.outputs.insert(name.to_string(), v);
            return;
        };
        let Some(Value::Object(calls)) = self.ns_mut(parent).roots.get_mut("module") else {
            return;
        };
        let slot = match (calls.get_mut(&last.name), &last.key) {
            (Some(o), InstanceKey::None) => Some(o),
            (Some(Value::List(l)), InstanceKey::Int(i)) => {
                usize::try_from(*i).ok().and_then(|i| l.get_mut(i))
            }
            (Some(Value::Object(m)), InstanceKey::Str(k)) => m.get_mut(k),
            _ => None,
        };
        if let Some(Value::Object(outs)) = slot {
            outs.insert(name.to_string(), v);
        }
    }

    /// The instances of module `path` (static: keys all None), each with the `count` /
    /// `each` its call's arguments see; computed once, when the first node of the module is
    /// visited (the graph puts count / for_each first). Sets `module.NAME` in the caller to the
    /// right shape (an object, a list or a map of objects of outputs).
    pub(crate) fn module_instances(&mut self, path: &[ModuleStep]) -> Vec<(ModulePath, Locals)> {
        if path.is_empty() {
            return vec![(Vec::new(), Vec::new())];
        }
        if let Some(v) = self.module_instances.get(path) {
            return v.clone();
        }
        let Some(m) = self.cfg.modules.get(path) else {
            return Vec::new();
        };
        let (count, for_each) = (m.call.count.as_ref(), m.call.for_each.as_ref());
        let name = m.call.name.clone();
        let template = self.scopes.get(path).cloned().unwrap_or_default();
        let mut out = Vec::new();
        for (parent, _) in self.module_instances(&path[..path.len() - 1]) {
            let mut subject = parent.clone();
            subject.push(ModuleStep {
                name: name.clone(),
                key: InstanceKey::None,
            });
            let keys = if count.is_none() && for_each.is_none() {
                Some(vec![(InstanceKey::None, Vec::new())])
            } else {
                self.expand_rep(count, for_each, &parent, crate::addr::module_text(&subject))
            };
            let shape = match &keys {
                None => Value::Unknown,
                Some(_) if count.is_none() && for_each.is_none() => Value::Object(Map::new()),
                Some(k) if k.as_slice().len() == 1 && k[0].0 == InstanceKey::None => Value::Unknown,
                Some(k) if count.is_some() => {
                    Value::List(k.iter().map(|_| Value::Object(Map::new())).collect())
                }
                Some(k) => Value::Object(
                    k.iter()
                        .filter_map(|(key, _)| match key {
                            InstanceKey::Str(s) => Some((s.clone(), Value::Object(Map::new()))),
                            _ => None,
                        })
                        .collect(),
                ),
            };
            self.ns_mut(&parent).set_in("module", &name, shape);
            for (key, locals) in keys.unwrap_or_default() {
                let mut ip = parent.clone();
                ip.push(ModuleStep {
                    name: name.clone(),
                    key,
                });
                self.scopes
                    .entry(ip.clone())
                    .or_insert_with(|| template.clone());
                out.push((ip, locals));
            }
        }
        self.module_instances.insert(path.to_vec(), out.clone());
        out
    }

    /// A child module's input variable: the call's argument evaluated in the calling module,
    /// else the default; then converted and validated as a root variable is.
    pub(super) fn module_variable(&mut self, config_path: &[ModuleStep], name: &str) {
        for (ip, locals) in self.module_instances(config_path) {
            self.module_variable_in(config_path, &ip, &locals, name);
        }
    }

    fn module_variable_in(
        &mut self,
        config_path: &[ModuleStep],
        path: &[ModuleStep],
        locals: &Locals,
        name: &str,
    ) {
        let Some(m) = self.cfg.modules.get(config_path) else {
            return;
        };
        let Some(v) = m.variables.get(name) else {
            return;
        };
        let parent = &path[..path.len() - 1];
        let arg = m.call.inputs.iter().find(|a| a.name == name);
        let (raw, span) = match arg {
            Some(a) => {
                let ev = Evaluator {
                    locals: locals.clone(),
                    ..self.evaluator_in(parent)
                };
                (ev.eval(&a.value), a.value.span())
            }
            None => match &v.default {
                Some(d) => (self.evaluator_in(path).eval(d), d.span()),
                None => (Ok(Value::Unknown), Some(m.call.span)),
            },
        };
        let value = match raw {
            Ok(x) => match &v.ty {
                Some(t) if !x.is_unknown() => match t.convert(&x) {
                    Ok(c) => c,
                    Err(e) => {
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid value for input variable",
                                format!("The given value is not suitable for {}.var.{name} declared at {}: {e}.", crate::addr::module_text(path), self.cfg.range_text(v.span)),
                            )
                            .with_span(span),
                        );
                        Value::Unknown
                    }
                },
                _ => x,
            },
            Err(d) => {
                self.diags.push(d);
                Value::Unknown
            }
        };
        let value = if value.is_null() && !v.nullable {
            self.diags.push(
                Diagnostic::error(
                    "Invalid value for input variable",
                    format!("The given value is not suitable for {}.var.{name}: required variable may not be set to null.", crate::addr::module_text(path)),
                )
                .with_span(span),
            );
            Value::Unknown
        } else {
            value
        };
        self.ns_mut(path).set_in("var", name, value.clone());
        if value.is_unknown() {
            return;
        }
        let mut invalid = false;
        for c in &v.validations {
            if let Some(msg) = self.failed_check(c, &self.evaluator_in(path)) {
                invalid = true;
                self.diags.push(
                    Diagnostic::error(
                        "Invalid value for variable",
                        format!(
                            "{msg}\n\nThis was checked by the validation rule at {}.",
                            self.where_is(c)
                        ),
                    )
                    .with_span(span)
                    .with_subject(format!("{}.var.{name}", crate::addr::module_text(path)))
                    .with_code(DiagCode::InvalidVariableValue),
                );
            }
        }
        if invalid {
            self.ns_mut(path).set_in("var", name, Value::Unknown);
        }
    }
}
