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
pub(crate) type Locals = Vec<(String, Value)>;

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

/// What a custom condition came to.
enum CheckOutcome {
    Holds,
    /// Not known before apply.
    Unknown,
    /// False (or not a bool, or not evaluable): the message to report.
    Fails(String),
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
    pub(crate) module_instances: BTreeMap<ModulePath, Vec<(ModulePath, Locals)>>,
    pub(crate) diags: Diagnostics,
    pub(crate) inputs: &'a BTreeMap<String, RawVar>,
    /// Resource blocks that failed or were skipped; their dependents are skipped.
    pub(crate) failed: BTreeSet<ResourceAddr>,
    /// Root variables whose validation failed: check blocks depending on them are not
    /// evaluated, as Terraform does not evaluate what is downstream of an error.
    pub(crate) invalid_vars: BTreeSet<String>,
    /// Final values of input variables.
    pub(crate) variables: BTreeMap<String, Value>,
    /// Output values (after the walk).
    pub(crate) outputs: BTreeMap<String, Value>,
    /// When true, required variables without a value are unknown instead of an error.
    pub(crate) unknown_missing_vars: bool,
    /// When true (a plan), a check block assertion not known yet is a warning, as Terraform
    /// reports it; validation and evaluation leave it unreported.
    pub(crate) report_unknown_checks: bool,
    /// When true (validate), a `count`/`for_each` not known yet is not an error: the body is
    /// checked once with `count.index` / `each` unknown, as `terraform validate` does.
    pub(crate) unknown_repetition_ok: bool,
    /// Instances `import` blocks bring in, with their import ids (known once the target
    /// resource block is walked).
    pub(crate) imports: BTreeMap<InstanceAddr, super::walk_import::ImportTarget>,
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
            invalid_vars: BTreeSet::new(),
            variables: BTreeMap::new(),
            outputs: BTreeMap::new(),
            unknown_missing_vars: false,
            report_unknown_checks: false,
            unknown_repetition_ok: false,
            imports: BTreeMap::new(),
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
            self.invalid_vars.insert(name.to_string());
            // Dependents see an unknown value, so only the root cause is reported (and an
            // `expect_failures = [var.x]` test is not failed by consequences of the bad value).
            self.ns.set_in("var", name, Value::Unknown);
        }
    }

    /// A check block: each failed assertion is a warning (Terraform's "Check block assertion
    /// failed"); one not known yet is reported only by a plan ("Check block assertion known
    /// after apply").
    fn check_block(&mut self, name: &str) {
        let Some(c) = self.cfg.checks.get(name) else {
            return;
        };
        if self.needs_invalid_var(&Node::Check(name.to_string())) {
            return;
        }
        let ev = self.evaluator();
        let mut found = Vec::new();
        for a in &c.asserts {
            match self.check_outcome(a, &ev) {
                CheckOutcome::Holds => {}
                CheckOutcome::Unknown if !self.report_unknown_checks => {}
                CheckOutcome::Unknown => found.push(
                    Diagnostic::warning(
                        "Check block assertion known after apply",
                        "The condition could not be evaluated at this time, a result will be known when this plan is applied.",
                    )
                    .with_span(a.condition.span())
                    .with_subject(format!("check.{name}"))
                    .with_code(DiagCode::CheckAssertionUnknown),
                ),
                CheckOutcome::Fails(msg) => found.push(
                    Diagnostic::warning("Check block assertion failed", msg)
                        .with_span(a.condition.span())
                        .with_subject(format!("check.{name}"))
                        .with_code(DiagCode::CheckAssertionFailed),
                ),
            }
        }
        for d in found {
            self.diags.push(d);
        }
    }

    /// Whether `node` depends, through any path, on a root variable that failed validation.
    fn needs_invalid_var(&self, node: &Node) -> bool {
        if self.invalid_vars.is_empty() {
            return false;
        }
        let mut seen = BTreeSet::new();
        let mut todo = vec![node];
        while let Some(n) = todo.pop() {
            for d in self.graph.dependencies(n) {
                if let Node::Variable(p, v) = d
                    && p.is_empty()
                    && self.invalid_vars.contains(v)
                {
                    return true;
                }
                if seen.insert(d) {
                    todo.push(d);
                }
            }
        }
        false
    }

    pub(super) fn where_is(&self, c: &Check) -> String {
        self.cfg.range_text(c.span)
    }

    /// Evaluates a check; Some(error message) when its condition is false.
    pub(crate) fn failed_check(&self, c: &Check, ev: &Evaluator<'_>) -> Option<String> {
        match self.check_outcome(c, ev) {
            CheckOutcome::Fails(m) => Some(m),
            CheckOutcome::Holds | CheckOutcome::Unknown => None,
        }
    }

    /// Evaluates a check's condition (and, when it is false, its error message).
    fn check_outcome(&self, c: &Check, ev: &Evaluator<'_>) -> CheckOutcome {
        let cond = match ev.eval(&c.condition) {
            Ok(v) => v,
            Err(d) => {
                return CheckOutcome::Fails(format!(
                    "the condition could not be evaluated: {}",
                    d.detail
                ));
            }
        };
        match cond {
            Value::Bool(true) => CheckOutcome::Holds,
            Value::Unknown => CheckOutcome::Unknown,
            Value::Bool(false) => CheckOutcome::Fails(match ev.eval(&c.error_message) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(d) => format!("(the error message could not be evaluated: {})", d.detail),
            }),
            other => CheckOutcome::Fails(format!(
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
        if a.mode == Mode::Managed && !self.cfg.imports.is_empty() {
            self.expand_imports(config_addr, a);
        }
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
