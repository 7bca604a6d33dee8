//! The evaluation walk shared by validate, plan and apply: visits the graph in dependency order,
//! evaluates variables, locals, data sources and outputs, expands `count`/`for_each`, and hands
//! each resource instance's evaluated configuration to a [`Handler`] that decides its value
//! (planned, applied, or simply "as configured").

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{InstanceAddr, InstanceKey, Mode, ModulePath, ModuleStep, ResourceAddr};
use crate::config::{Check, Config, Resource, SchemaSource};
use crate::diag::{DiagCode, Diagnostic, Diagnostics};
use crate::eval::{Evaluator, Namespace};
use crate::graph::{Graph, Node};
use crate::plan::body::eval_body;
use crate::value::{Map, Value};

/// An input variable's value as given on the command line, in a file or the environment.
#[derive(Debug, Clone, PartialEq)]
pub enum RawVar {
    /// Text from `-var` or `TF_VAR_`: a string for primitive types, HCL for complex ones.
    Text(String),
    /// A value from a `.tfvars` file (already an HCL value).
    Value(Value),
}

/// Names bound for one instance (`count`, `each`).
type Locals = Vec<(String, Value)>;

/// Decides what each instance is worth; implemented by validate, plan and apply.
pub(crate) trait Handler {
    /// A managed instance with its evaluated configuration; returns its value for dependents.
    fn managed(
        &mut self,
        w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic>;

    /// A data source instance; `config` may contain unknowns.
    fn data(
        &mut self,
        w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic>;

    /// All instances of a resource block in one module instance (`inst`) were visited
    /// (`keys` are those the config produced).
    fn resource_done(
        &mut self,
        _w: &Walk<'_>,
        _res: &Resource,
        _inst: &ResourceAddr,
        _keys: &[InstanceKey],
    ) {
    }

    /// Whether postconditions should be checked now (only when values are final).
    fn check_postconditions(&self) -> bool {
        false
    }
}

/// Walk state: the namespace expressions see, and what went wrong.
pub(crate) struct Walk<'a> {
    pub(crate) cfg: &'a Config,
    pub(crate) graph: &'a Graph,
    pub(crate) schemas: &'a dyn SchemaSource,
    /// The root module's namespace.
    pub(crate) ns: Namespace,
    /// Each child module instance's namespace, by module instance path (and, as templates for
    /// new instances, by configuration path).
    pub(crate) scopes: BTreeMap<ModulePath, Namespace>,
    /// The instances of each module (by configuration path), once known.
    module_instances: BTreeMap<ModulePath, Vec<(ModulePath, Locals)>>,
    pub(crate) diags: Diagnostics,
    pub(crate) inputs: &'a BTreeMap<String, RawVar>,
    /// Resource blocks that failed or were skipped; their dependents are skipped.
    pub(crate) failed: BTreeSet<ResourceAddr>,
    /// Final values of input variables.
    pub(crate) variables: BTreeMap<String, Value>,
    /// Output values (after the walk).
    pub(crate) outputs: BTreeMap<String, Value>,
    /// When true, required variables without a value are unknown instead of an error.
    pub(crate) unknown_missing_vars: bool,
    /// When true (validate), a `count`/`for_each` not known yet is not an error: the body is
    /// checked once with `count.index` / `each` unknown, as `terraform validate` does.
    pub(crate) unknown_repetition_ok: bool,
    kinds: Vec<&'static str>,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(
        cfg: &'a Config,
        graph: &'a Graph,
        schemas: &'a dyn SchemaSource,
        inputs: &'a BTreeMap<String, RawVar>,
    ) -> Walk<'a> {
        let mut ns = Namespace::new();
        let mut path = Map::new();
        for k in ["module", "root", "cwd"] {
            path.insert(k.into(), Value::from("."));
        }
        ns.set("path", Value::Object(path));
        let mut tf = Map::new();
        tf.insert("workspace".into(), Value::from("default"));
        ns.set("terraform", Value::Object(tf));
        ns.set("var", Value::Object(Map::new()));
        ns.set("local", Value::Object(Map::new()));
        ns.set("data", Value::Object(Map::new()));
        let mut kinds = schemas.resource_kinds(Mode::Managed);
        kinds.extend(schemas.resource_kinds(Mode::Data));
        let mut scopes = BTreeMap::new();
        for (p, m) in &cfg.modules {
            let mut child = ns.clone();
            let mut path = Map::new();
            path.insert("module".into(), Value::from(m.path_text.as_str()));
            path.insert("root".into(), Value::from("."));
            path.insert("cwd".into(), Value::from("."));
            child.set("path", Value::Object(path));
            scopes.insert(p.clone(), child);
        }
        // `module.NAME` is an object of the module's outputs, there even before any is known.
        let paths: Vec<ModulePath> = cfg.modules.keys().cloned().collect();
        for p in paths {
            let (parent, last) = p.split_at(p.len() - 1);
            let target = if parent.is_empty() {
                &mut ns
            } else if let Some(x) = scopes.get_mut(parent) {
                x
            } else {
                continue;
            };
            target.set_in("module", &last[0].name, Value::Object(Map::new()));
        }
        Walk {
            cfg,
            graph,
            schemas,
            ns,
            scopes,
            module_instances: BTreeMap::new(),
            diags: Diagnostics::new(),
            inputs,
            failed: BTreeSet::new(),
            variables: BTreeMap::new(),
            outputs: BTreeMap::new(),
            unknown_missing_vars: false,
            unknown_repetition_ok: false,
            kinds,
        }
    }

    /// An evaluator over the root module's namespace.
    pub(crate) fn evaluator(&self) -> Evaluator<'_> {
        self.evaluator_in(&[])
    }

    /// An evaluator over the namespace of module `path`.
    pub(crate) fn evaluator_in(&self, path: &[ModuleStep]) -> Evaluator<'_> {
        Evaluator {
            ns: self.ns_of(path),
            locals: Vec::new(),
            base_dir: self.cfg.dir_of(path),
            resource_kinds: &self.kinds,
        }
    }

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

    /// The namespace of module `path`.
    pub(crate) fn ns_of(&self, path: &[ModuleStep]) -> &Namespace {
        if path.is_empty() {
            &self.ns
        } else {
            self.scopes.get(path).unwrap_or(&self.ns)
        }
    }

    pub(crate) fn ns_mut(&mut self, path: &[ModuleStep]) -> &mut Namespace {
        if path.is_empty() {
            return &mut self.ns;
        }
        self.scopes.entry(path.to_vec()).or_default()
    }

    /// Runs the walk over every node.
    pub(crate) fn run(&mut self, h: &mut dyn Handler) {
        let order = self.graph.order.clone();
        for node in &order {
            if self.upstream_failed(node) {
                match node {
                    Node::Resource(a) => {
                        self.failed.insert(a.clone());
                        self.place(a, Value::Unknown);
                    }
                    Node::Local(p, n) => {
                        for (ip, _) in self.module_instances(p) {
                            self.ns_mut(&ip).set_in("local", n, Value::Unknown);
                        }
                    }
                    Node::Output(p, n) => {
                        for (ip, _) in self.module_instances(p) {
                            self.set_output(&ip, n, Value::Unknown);
                        }
                    }
                    Node::Variable(p, n) if !p.is_empty() => {
                        for (ip, _) in self.module_instances(p) {
                            self.ns_mut(&ip).set_in("var", n, Value::Unknown);
                        }
                    }
                    Node::Variable(..) | Node::Check(_) => {}
                }
                continue;
            }
            match node {
                Node::Variable(p, n) if p.is_empty() => self.variable(n),
                Node::Variable(p, n) => self.module_variable(p, n),
                Node::Local(p, n) => {
                    for (ip, _) in self.module_instances(p) {
                        self.local(p, &ip, n);
                    }
                }
                Node::Resource(a) => self.resource(a, h),
                Node::Check(n) => self.check_block(n),
                Node::Output(p, n) => {
                    for (ip, _) in self.module_instances(p) {
                        self.output(p, &ip, n);
                    }
                }
            }
        }
    }

    fn upstream_failed(&self, node: &Node) -> bool {
        !self.failed.is_empty()
            && self
                .graph
                .resource_dependencies(node)
                .iter()
                .any(|d| self.failed.contains(d))
    }

    fn variable(&mut self, name: &str) {
        let Some(v) = self.cfg.variables.get(name) else {
            return;
        };
        let raw = self.inputs.get(name);
        let value = match raw {
            Some(RawVar::Value(x)) => Ok(x.clone()),
            Some(RawVar::Text(t)) => parse_var_text(t, v.ty.as_ref()),
            None => match &v.default {
                Some(d) => self.evaluator().eval(d).map_err(|e| e.detail),
                None if self.unknown_missing_vars => Ok(Value::Unknown),
                None => {
                    self.diags.push(
                        Diagnostic::error(
                            "No value for required variable",
                            format!(
                                "The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument, a terraform.tfvars file or the TF_VAR_{name} environment variable to provide a value for this variable."
                            ),
                        )
                        .with_span(Some(v.span)),
                    );
                    Ok(Value::Unknown)
                }
            },
        };
        let from_default = raw.is_none() && v.default.is_some();
        let value = match value.and_then(|x| match &v.ty {
            Some(t) => t.convert(&x).map_err(|e| {
                if from_default {
                    format!("This default value is not compatible with the variable's type constraint: {e}.")
                } else {
                    format!("Unsuitable value for var.{name}: {e}.")
                }
            }),
            None => Ok(x),
        }) {
            Ok(x) => x,
            Err(why) if from_default => {
                let span = v.default.as_ref().and_then(|d| d.span()).or(Some(v.span));
                self.diags.push(
                    Diagnostic::error("Invalid default value for variable", why).with_span(span),
                );
                Value::Unknown
            }
            Err(why) => {
                self.diags.push(
                    Diagnostic::error("Invalid value for input variable", why)
                        .with_span(Some(v.span)),
                );
                Value::Unknown
            }
        };
        let value = if value.is_null() && !v.nullable {
            self.diags.push(
                Diagnostic::error(
                    "Required variable not set",
                    format!(
                        "Unsuitable value for var.{name}: required variable may not be set to null."
                    ),
                )
                .with_span(Some(v.span)),
            );
            Value::Unknown
        } else {
            value
        };
        self.ns.set_in("var", name, value.clone());
        self.variables.insert(name.to_string(), value.clone());
        if value.is_unknown() {
            return;
        }
        let mut invalid = false;
        for c in &v.validations {
            if let Some(msg) = self.failed_check(c, &self.evaluator()) {
                invalid = true;
                self.diags.push(
                    Diagnostic::error(
                        "Invalid value for variable",
                        format!(
                            "{msg}\n\nThis was checked by the validation rule at {}.",
                            self.where_is(c)
                        ),
                    )
                    .with_span(Some(v.span))
                    .with_subject(format!("var.{name}"))
                    .with_code(DiagCode::InvalidVariableValue),
                );
            }
        }
        if invalid {
            // Dependents see an unknown value, so only the root cause is reported (and an
            // `expect_failures = [var.x]` test is not failed by consequences of the bad value).
            self.ns.set_in("var", name, Value::Unknown);
        }
    }

    /// A check block: each failed assertion is a warning (Terraform's "Check block assertion
    /// failed"); one not known yet is not reported.
    fn check_block(&mut self, name: &str) {
        let Some(c) = self.cfg.checks.get(name) else {
            return;
        };
        let failures: Vec<(String, Option<crate::diag::Span>)> = c
            .asserts
            .iter()
            .filter_map(|a| {
                self.failed_check(a, &self.evaluator())
                    .map(|m| (m, a.condition.span()))
            })
            .collect();
        for (msg, span) in failures {
            self.diags.push(
                Diagnostic::warning("Check block assertion failed", msg)
                    .with_span(span)
                    .with_subject(format!("check.{name}")),
            );
        }
    }

    fn where_is(&self, c: &Check) -> String {
        self.cfg.range_text(c.span)
    }

    /// Evaluates a check; Some(error message) when its condition is false.
    pub(crate) fn failed_check(&self, c: &Check, ev: &Evaluator<'_>) -> Option<String> {
        let cond = match ev.eval(&c.condition) {
            Ok(v) => v,
            Err(d) => {
                return Some(format!(
                    "the condition could not be evaluated: {}",
                    d.detail
                ));
            }
        };
        match cond {
            Value::Bool(true) | Value::Unknown => None,
            Value::Bool(false) => Some(match ev.eval(&c.error_message) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(d) => format!("(the error message could not be evaluated: {})", d.detail),
            }),
            other => Some(format!(
                "the condition must be true or false, got {}",
                other.type_name()
            )),
        }
    }

    fn local(&mut self, path: &[ModuleStep], inst: &[ModuleStep], name: &str) {
        let Some(l) = self.cfg.locals_of(path).and_then(|m| m.get(name)) else {
            return;
        };
        let v = match self.evaluator_in(inst).eval(&l.value) {
            Ok(v) => v,
            Err(d) => {
                self.diags.push(d);
                Value::Unknown
            }
        };
        self.ns_mut(inst).set_in("local", name, v);
    }

    /// A root output goes to `outputs`; a child module's to `module.NAME.OUT` of its caller.
    fn set_output(&mut self, path: &[ModuleStep], name: &str, v: Value) {
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
    fn module_variable(&mut self, config_path: &[ModuleStep], name: &str) {
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

    fn output(&mut self, config_path: &[ModuleStep], path: &[ModuleStep], name: &str) {
        let Some(o) = self.cfg.outputs_of(config_path).and_then(|m| m.get(name)) else {
            return;
        };
        for c in &o.preconditions {
            if let Some(msg) = self.failed_check(c, &self.evaluator_in(path)) {
                self.diags.push(
                    Diagnostic::error("Module output value precondition failed", msg)
                        .with_span(Some(c.span))
                        .with_subject(if path.is_empty() {
                            format!("output.{name}")
                        } else {
                            format!("{}.output.{name}", crate::addr::module_text(path))
                        })
                        .with_code(DiagCode::OutputPrecondition),
                );
            }
        }
        let v = match self.evaluator_in(path).eval(&o.value) {
            Ok(v) => v,
            Err(d) => {
                self.diags.push(d);
                Value::Unknown
            }
        };
        self.set_output(path, name, v);
    }

    /// Puts a resource block's value where expressions of its module find it.
    pub(crate) fn place(&mut self, a: &ResourceAddr, v: Value) {
        let ns = self.ns_mut(&a.module);
        match a.mode {
            Mode::Managed => ns.set_in(&a.kind, &a.name, v),
            Mode::Data => ns.set_in2("data", &a.kind, &a.name, v),
        }
    }

    /// The instance keys of a resource block in module instance `scope`, or None (with a
    /// diagnostic) if unknowable.
    fn expand(
        &mut self,
        res: &Resource,
        scope: &[ModuleStep],
    ) -> Option<Vec<(InstanceKey, Locals)>> {
        let subject = res.addr.clone().in_module(scope).to_string();
        self.expand_rep(res.count.as_ref(), res.for_each.as_ref(), scope, subject)
    }

    /// The instance keys `count` or `for_each` (evaluated in module instance `scope`) give.
    fn expand_rep(
        &mut self,
        count: Option<&crate::config::Expr>,
        for_each: Option<&crate::config::Expr>,
        scope: &[ModuleStep],
        subject: String,
    ) -> Option<Vec<(InstanceKey, Locals)>> {
        let ev = self.evaluator_in(scope);
        if let Some(c) = count {
            let v = match ev.eval(c) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    return None;
                }
            };
            if v.is_unknown() && self.unknown_repetition_ok {
                let mut count = Map::new();
                count.insert("index".into(), Value::Unknown);
                return Some(vec![(
                    InstanceKey::None,
                    vec![("count".to_string(), Value::Object(count))],
                )]);
            }
            if v.is_unknown() {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid count argument",
                        "The \"count\" value depends on resource attributes that cannot be determined until apply, so keyform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.",
                    )
                    .with_span(c.span())
                    .with_subject(subject.clone()),
                );
                return None;
            }
            let n = match v.as_i64() {
                Some(n) if (0..=10_000).contains(&n) => n,
                Some(n) if n < 0 => {
                    self.diags.push(
                        Diagnostic::error("Invalid count argument", "The given \"count\" argument value is unsuitable: must be greater than or equal to zero.").with_span(c.span()),
                    );
                    return None;
                }
                Some(n) => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid count argument",
                            format!("count = {n} is more than keyform allows (10000 instances per resource). Lower the count."),
                        )
                        .with_span(c.span()),
                    );
                    return None;
                }
                None => {
                    self.diags.push(
                        Diagnostic::error("Invalid count argument", format!("The given \"count\" argument value is unsuitable: a whole number is required, got {v}."))
                            .with_span(c.span()),
                    );
                    return None;
                }
            };
            let mut out = Vec::new();
            for i in 0..n {
                let mut count = Map::new();
                count.insert("index".into(), Value::Number(i as f64));
                out.push((
                    InstanceKey::Int(i as u64),
                    vec![("count".to_string(), Value::Object(count))],
                ));
            }
            return Some(out);
        }
        if let Some(fe) = for_each {
            let v = match ev.eval(fe) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    return None;
                }
            };
            if v.is_unknown() && self.unknown_repetition_ok {
                let mut each = Map::new();
                each.insert("key".into(), Value::Unknown);
                each.insert("value".into(), Value::Unknown);
                return Some(vec![(
                    InstanceKey::None,
                    vec![("each".to_string(), Value::Object(each))],
                )]);
            }
            if v.is_unknown() {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid for_each argument",
                        "The \"for_each\" map includes keys derived from resource attributes that cannot be determined until apply, and so keyform cannot determine the full set of keys that will identify the instances of this resource. Use only values known before apply as keys.",
                    )
                    .with_span(fe.span())
                    .with_subject(subject.clone()),
                );
                return None;
            }
            let pairs: Vec<(String, Value)> = match v {
                Value::Object(m) => m.into_iter().collect(),
                Value::List(_) if let Some(kind) = self.sequence_kind(scope, fe) => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid for_each argument",
                            format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {kind}. To use its elements as the instance keys, wrap it in toset(...)."),
                        )
                        .with_span(fe.span()),
                    );
                    return None;
                }
                Value::List(l) => {
                    let mut keys = Vec::new();
                    for item in l {
                        match item {
                            Value::String(s) => keys.push((s.clone(), Value::String(s))),
                            other => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "Invalid for_each argument",
                                        format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name()),
                                    )
                                    .with_span(fe.span()),
                                );
                                return None;
                            }
                        }
                    }
                    keys.sort_by(|a, b| a.0.cmp(&b.0));
                    keys.dedup_by(|a, b| a.0 == b.0);
                    keys
                }
                Value::Null => {
                    self.diags.push(Diagnostic::error("Invalid for_each argument", "The given \"for_each\" argument value is null. A map, or set of strings is allowed.").with_span(fe.span()));
                    return None;
                }
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid for_each argument",
                            format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.type_name()),
                        )
                        .with_span(fe.span()),
                    );
                    return None;
                }
            };
            // The same bound as count: a for_each of a hundred thousand keys is a mistake (or
            // hostile), and planning it would take minutes and print megabytes.
            if pairs.len() > 10_000 {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid for_each argument",
                        format!(
                            "for_each has {} keys, more than keyform allows (10000 instances per resource). Use fewer keys.",
                            pairs.len()
                        ),
                    )
                    .with_span(fe.span()),
                );
                return None;
            }
            return Some(
                pairs
                    .into_iter()
                    .map(|(k, val)| {
                        let mut each = Map::new();
                        each.insert("key".into(), Value::String(k.clone()));
                        each.insert("value".into(), val);
                        (
                            InstanceKey::Str(k),
                            vec![("each".to_string(), Value::Object(each))],
                        )
                    })
                    .collect(),
            );
        }
        Some(vec![(InstanceKey::None, Vec::new())])
    }

    /// Values carry no set/list distinction, so tell a sequence (which `for_each` refuses, as in
    /// Terraform) from a set by the expression's form: a `[...]` literal or `[for ...]` is a
    /// tuple; a variable declared `list(...)` and the functions returning lists give a list.
    /// Anything else (toset(...), a set variable, an unknown form) is taken as a set.
    fn sequence_kind(&self, module: &[ModuleStep], e: &crate::config::Expr) -> Option<String> {
        use crate::config::TypeConstraint;
        use hcl_edit::expr::Expression;
        let mut ex = &e.expr;
        while let Expression::Parenthesis(p) = ex {
            ex = p.inner();
        }
        match ex {
            Expression::Array(_) => Some("tuple".into()),
            Expression::ForExpr(f) if f.key_expr.is_none() => Some("tuple".into()),
            Expression::FuncCall(c) => {
                const LISTS: &[&str] = &[
                    "tolist",
                    "split",
                    "keys",
                    "values",
                    "sort",
                    "compact",
                    "distinct",
                    "flatten",
                    "reverse",
                    "slice",
                    "range",
                    "concat",
                    "chunklist",
                ];
                let name = c.name.name.value().as_str();
                LISTS.contains(&name).then(|| "list".to_string())
            }
            _ => {
                let text = e.as_traversal_text()?;
                let name = text.strip_prefix("var.")?;
                match &self.cfg.variables_of(module)?.get(name)?.ty {
                    Some(TypeConstraint::List(t)) => Some(format!("list of {t}")),
                    Some(TypeConstraint::Tuple(_)) => Some("tuple".into()),
                    _ => None,
                }
            }
        }
    }

    /// A resource block: once per instance of the module it is in.
    fn resource(&mut self, a: &ResourceAddr, h: &mut dyn Handler) {
        for (scope, _) in self.module_instances(&a.module) {
            let inst = a.clone().in_module(&scope);
            self.resource_in(a, &inst, h);
        }
    }

    /// A resource block in one module instance: `a` is the block's configuration address,
    /// `inst` the same block in the module instance (`module.k[0].aws_kms_key.this`).
    fn resource_in(
        &mut self,
        config_addr: &ResourceAddr,
        inst: &ResourceAddr,
        h: &mut dyn Handler,
    ) {
        let Some(res) = self.cfg.resources.get(config_addr) else {
            return;
        };
        let a = inst;
        let Some(schema) = self.schemas.resource_schema(a.mode, &a.kind) else {
            return;
        };
        let Some(instances) = self.expand(res, &a.module) else {
            self.failed.insert(config_addr.clone());
            self.place(a, Value::Unknown);
            return;
        };
        let mut values: Vec<(InstanceKey, Value)> = Vec::new();
        let mut block_failed = false;
        for (key, locals) in &instances {
            let addr = a.instance(key.clone());
            let ev = Evaluator {
                locals: locals.clone(),
                ..self.evaluator_in(&a.module)
            };
            let mut d = Diagnostics::new();
            let config = eval_body(&ev, &res.body, &schema.body, &mut d);
            for c in &res.lifecycle.preconditions {
                if let Some(msg) = self.failed_check(c, &ev) {
                    d.push(
                        Diagnostic::error("Resource precondition failed", msg)
                            .with_span(Some(c.span))
                            .with_subject(addr.to_string())
                            .with_code(DiagCode::ResourcePrecondition),
                    );
                }
            }
            let had_errors = d.has_errors();
            for x in d {
                self.diags.push(x.with_subject_if_none(&addr));
            }
            if had_errors {
                block_failed = true;
                values.push((key.clone(), Value::Unknown));
                continue;
            }
            let result = match a.mode {
                Mode::Managed => h.managed(self, res, &addr, config),
                Mode::Data => h.data(self, res, &addr, config),
            };
            match result {
                Ok(v) => {
                    if h.check_postconditions() {
                        let mut post_locals = locals.clone();
                        post_locals.push(("self".to_string(), v.clone()));
                        let pev = Evaluator {
                            locals: post_locals,
                            ..self.evaluator_in(&a.module)
                        };
                        let failures: Vec<(String, crate::diag::Span)> = res
                            .lifecycle
                            .postconditions
                            .iter()
                            .filter_map(|c| self.failed_check(c, &pev).map(|m| (m, c.span)))
                            .collect();
                        for (msg, span) in failures {
                            self.diags.push(
                                Diagnostic::error("Resource postcondition failed", msg)
                                    .with_span(Some(span))
                                    .with_subject(addr.to_string())
                                    .with_code(DiagCode::ResourcePostcondition),
                            );
                            block_failed = true;
                        }
                    }
                    values.push((key.clone(), v));
                }
                Err(d) => {
                    self.diags.push(d.with_subject_if_none(&addr));
                    block_failed = true;
                    values.push((key.clone(), Value::Unknown));
                }
            }
        }
        let keys: Vec<InstanceKey> = instances.into_iter().map(|(k, _)| k).collect();
        h.resource_done(self, res, a, &keys);
        let unknown_repetition = (res.count.is_some() || res.for_each.is_some())
            && keys.as_slice() == [InstanceKey::None];
        let block_value = if unknown_repetition {
            // validate with count/for_each not known yet: one representative instance was
            // checked, but how many there will be is unknown.
            Value::Unknown
        } else if res.count.is_some() {
            Value::List(values.into_iter().map(|(_, v)| v).collect())
        } else if res.for_each.is_some() {
            Value::Object(
                values
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            if let InstanceKey::Str(s) = k {
                                s
                            } else {
                                String::new()
                            },
                            v,
                        )
                    })
                    .collect(),
            )
        } else {
            values
                .into_iter()
                .next()
                .map(|(_, v)| v)
                .unwrap_or(Value::Unknown)
        };
        self.place(a, block_value);
        if block_failed {
            self.failed.insert(config_addr.clone());
        }
    }
}

impl Diagnostic {
    fn with_subject_if_none(mut self, addr: &InstanceAddr) -> Diagnostic {
        if self.subject.is_none() && self.span.is_none() {
            self.subject = Some(addr.to_string());
        }
        self
    }
}

/// Parses `-var`/`TF_VAR_` text: a plain string for primitive types, an HCL expression otherwise.
pub fn parse_var_text(
    text: &str,
    ty: Option<&crate::config::TypeConstraint>,
) -> Result<Value, String> {
    use crate::config::TypeConstraint as T;
    match ty {
        None | Some(T::String | T::Number | T::Bool) => Ok(Value::String(text.to_string())),
        Some(T::Any) => Ok(hcl_literal(text).unwrap_or_else(|| Value::String(text.to_string()))),
        Some(_) => hcl_literal(text).ok_or_else(|| format!("the value {text:?} is not a valid HCL expression for a complex type; write it like [\"a\", \"b\"] or {{ key = \"value\" }}")),
    }
}

fn hcl_literal(text: &str) -> Option<Value> {
    let e = hcl_edit::parser::parse_expr(text).ok()?;
    crate::config::types::literal_value(&e)
}
