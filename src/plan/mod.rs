//! Planning: refresh what exists, evaluate the configuration in dependency order, and diff each
//! instance's desired value against its prior state into create / update / replace / destroy.

pub mod body;
pub mod change;
mod evaluate;
pub mod file;
pub mod generate;
pub(crate) mod moves;
pub(crate) mod walk;
mod walk_expand;
mod walk_import;
mod walk_modules;

pub use change::{Action, OutputChange, Plan, PlanMode, Reason, ResourceChange};
pub use evaluate::{Evaluated, ValueSource, eval_with_vars, evaluate, provider_region};
pub use file::config_digest;
pub use walk::{RawVar, parse_var_text};

use std::collections::{BTreeMap, BTreeSet};

use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr, TargetAddr};
use crate::config::{Config, IgnoreChanges, Resource, SchemaSource};
use crate::diag::{DiagCode, Diagnostic, Diagnostics};
use crate::graph::{Graph, Node};
use crate::provider::Provider;
use crate::schema::{AttrType, ResourceSchema};
use crate::state::{ResourceInstance, State};
use crate::value::{Map, Value};
use walk::{Handler, Walk};

/// How to plan.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    pub mode: PlanMode,
    pub refresh: bool,
    pub targets: Vec<TargetAddr>,
    pub replace: Vec<TargetAddr>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mode: PlanMode::Normal,
            refresh: true,
            targets: Vec::new(),
            replace: Vec::new(),
        }
    }
}

/// Checks a configuration without touching any state or cloud: every expression is evaluated
/// with unknown values for what only apply can know, so types and ranges are still checked.
pub fn validate(
    cfg: &Config,
    graph: &Graph,
    schemas: &dyn SchemaSource,
    inputs: &BTreeMap<String, RawVar>,
) -> Diagnostics {
    struct V;
    impl Handler for V {
        fn managed(
            &mut self,
            w: &Walk<'_>,
            _r: &Resource,
            addr: &InstanceAddr,
            config: Map,
        ) -> Result<Value, Diagnostic> {
            Ok(Value::Object(with_unknown_computed(
                w.schemas, addr, config,
            )))
        }
        fn data(
            &mut self,
            w: &Walk<'_>,
            _r: &Resource,
            addr: &InstanceAddr,
            config: Map,
        ) -> Result<Value, Diagnostic> {
            Ok(Value::Object(with_unknown_computed(
                w.schemas, addr, config,
            )))
        }
    }
    let mut w = Walk::new(cfg, graph, schemas, inputs);
    w.unknown_missing_vars = true;
    w.unknown_repetition_ok = true;
    w.run(&mut V);
    w.diags
}

fn with_unknown_computed(schemas: &dyn SchemaSource, addr: &InstanceAddr, mut config: Map) -> Map {
    if let Some(s) = schemas.resource_schema(addr.resource.mode, &addr.resource.kind) {
        for a in &s.body.attrs {
            if a.computed && config.get(a.name).is_none_or(Value::is_null) {
                config.insert(a.name.to_string(), Value::Unknown);
            }
        }
    }
    config
}

/// Reads every managed instance back from the cloud; returns the refreshed state and the drift.
pub fn refresh(
    state: &State,
    provider: &mut dyn Provider,
) -> Result<(State, Vec<ResourceChange>), Diagnostics> {
    let mut out = state.clone();
    let mut drift = Vec::new();
    let mut diags = Diagnostics::new();
    for (addr, inst) in state.managed() {
        match provider.read(&addr.resource.kind, &inst.attrs) {
            Ok(Some(now)) => {
                if now != inst.attrs {
                    drift.push(ResourceChange {
                        addr: addr.clone(),
                        action: Action::Update,
                        before: Some(inst.attrs.clone()),
                        after: Some(now.clone()),
                        replace_paths: Vec::new(),
                        reason: None,
                        dependencies: inst.dependencies.clone(),
                        sensitive: Vec::new(),
                        note: None,
                    });
                }
                if let Some(r) = out.resources.get_mut(addr) {
                    r.attrs = now;
                }
            }
            Ok(None) => {
                drift.push(ResourceChange {
                    addr: addr.clone(),
                    action: Action::Delete,
                    before: Some(inst.attrs.clone()),
                    after: None,
                    replace_paths: Vec::new(),
                    reason: None,
                    dependencies: inst.dependencies.clone(),
                    sensitive: Vec::new(),
                    note: None,
                });
                out.resources.remove(addr);
            }
            Err(e) => diags.push(
                Diagnostic::error("Error refreshing state", e.message)
                    .with_subject(addr.to_string()),
            ),
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((out, drift))
    }
}

/// Makes a plan.
pub fn plan(
    cfg: &Config,
    graph: &Graph,
    state: &State,
    provider: &mut dyn Provider,
    schemas: &dyn SchemaSource,
    inputs: &BTreeMap<String, RawVar>,
    opts: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    // Moves and forgets re-address the prior state before anything else looks at it.
    let mut early_warnings = Diagnostics::new();
    let mut prior = state.clone();
    let moved = moves::apply_moves(cfg, &mut prior, &mut early_warnings);
    let forget = moves::apply_forgets(cfg, &mut prior);
    let (refreshed, drift) = if opts.refresh {
        refresh(&prior, provider)?
    } else {
        (prior, Vec::new())
    };
    let targeted = targeted_resources(graph, &opts.targets);
    let mut h = PlanHandler {
        state: &refreshed,
        provider: &mut *provider,
        changes: Vec::new(),
        warnings: Diagnostics::new(),
        opts,
        targeted: &targeted,
        graph,
        imports: Vec::new(),
    };
    let mut w = Walk::new(cfg, graph, schemas, inputs);
    if opts.mode == PlanMode::Destroy {
        w.unknown_missing_vars = true;
    } else {
        w.report_unknown_checks = true;
    }
    w.run(&mut h);
    let PlanHandler {
        mut changes,
        mut warnings,
        imports,
        ..
    } = h;
    if opts.mode != PlanMode::Destroy {
        let d = walk_import::import_errors(cfg, &w, &refreshed, &imports, &targeted);
        w.diags.extend(d);
    }
    warnings.extend(early_warnings);
    if !forget.is_empty() {
        warnings.push(Diagnostic::warning(
            "Some objects will no longer be managed by keyform",
            format!(
                "If you apply this plan, keyform will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, keyform will no longer manage these objects. You will need to import them into keyform to manage them again.",
                forget.iter().map(|c| format!(" - {}", c.addr)).collect::<Vec<_>>().join("\n")
            ),
        ));
    }
    reclaim_planned(&mut w.ns, &mut w.scopes, &mut changes);
    let mut diags = std::mem::take(&mut w.diags);
    if opts.mode == PlanMode::Destroy {
        // Destroy: everything in state goes, whatever the walk planned.
        diags = Diagnostics(
            diags
                .0
                .into_iter()
                .filter(|d| !d.is_error() || d.code == DiagCode::PreventDestroy)
                .collect(),
        );
        changes = destroy_changes(cfg, &refreshed, &mut diags, &targeted);
    } else {
        // Instances in state whose resource block is gone.
        // Instances in state whose resource block (or module instance) is gone.
        for (addr, inst) in refreshed.managed() {
            let config_addr = addr.resource.config_addr();
            let module_there =
                addr.resource.module.is_empty() || w.seen_module(&addr.resource.module);
            if (module_there && cfg.resources.contains_key(&config_addr))
                || !is_targeted(&targeted, &config_addr)
            {
                continue;
            }
            let reason = if module_there || !cfg.resources.contains_key(&config_addr) {
                Reason::NoResourceConfig
            } else {
                Reason::NoModuleInstance
            };
            changes.push(delete_change(addr, inst, reason));
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    for c in &mut changes {
        if c.action.deletes() && c.note.is_none() {
            c.note = c
                .before
                .as_ref()
                .and_then(|b| provider.destroy_note(&c.addr.resource.kind, b));
        }
    }
    if !opts.targets.is_empty() {
        warnings.push(Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.",
        ));
    }
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    let mut outputs = BTreeMap::new();
    let names: BTreeSet<&String> = cfg.outputs.keys().chain(refreshed.outputs.keys()).collect();
    for name in names {
        let before = refreshed.outputs.get(name).map(|o| o.value.clone());
        let after = if opts.mode == PlanMode::Destroy {
            None
        } else {
            w.outputs.get(name).cloned()
        };
        let sensitive = cfg.outputs.get(name).is_some_and(|o| o.sensitive)
            || refreshed.outputs.get(name).is_some_and(|o| o.sensitive);
        outputs.insert(
            name.clone(),
            OutputChange {
                before,
                after,
                sensitive,
            },
        );
    }
    for d in diags {
        warnings.push(d);
    }
    Ok(Plan {
        mode: opts.mode,
        changes,
        drift,
        outputs,
        warnings,
        prior_lineage: state.lineage.clone(),
        prior_serial: state.serial,
        variables: w.variables.clone(),
        config_digest: config_digest(cfg),
        targets: opts.targets.iter().map(ToString::to_string).collect(),
        moved,
        forget,
        imports,
        generated: Vec::new(),
    })
}

/// Moves each managed instance's planned value from the namespace back into its change.
fn reclaim_planned(
    root: &mut crate::eval::Namespace,
    scopes: &mut BTreeMap<crate::addr::ModulePath, crate::eval::Namespace>,
    changes: &mut [ResourceChange],
) {
    for c in changes
        .iter_mut()
        .filter(|c| c.after.is_none() && c.addr.resource.mode == Mode::Managed)
    {
        let a = &c.addr;
        let ns = if a.resource.module.is_empty() {
            &mut *root
        } else {
            match scopes.get_mut(&a.resource.module) {
                Some(n) => n,
                None => continue,
            }
        };
        let Some(Value::Object(by_name)) = ns.roots.get_mut(&a.resource.kind) else {
            continue;
        };
        let Some(block) = by_name.get_mut(&a.resource.name) else {
            continue;
        };
        let slot = match (&a.key, block) {
            (InstanceKey::None, v) => Some(v),
            (InstanceKey::Int(i), Value::List(items)) => {
                usize::try_from(*i).ok().and_then(|i| items.get_mut(i))
            }
            (InstanceKey::Str(k), Value::Object(m)) => m.get_mut(k),
            _ => None,
        };
        if let Some(Value::Object(m)) = slot.map(std::mem::take) {
            c.after = Some(m);
        }
    }
}

fn targeted_resources(graph: &Graph, targets: &[TargetAddr]) -> Option<BTreeSet<ResourceAddr>> {
    if targets.is_empty() {
        return None;
    }
    let mut set = BTreeSet::new();
    for t in targets {
        // A target in a module instance targets its block (every instance of the module).
        set.insert(t.resource.config_addr());
        set.extend(
            graph
                .resource_dependencies(&Node::Resource(t.resource.config_addr()))
                .iter()
                .cloned(),
        );
    }
    Some(set)
}

fn is_targeted(t: &Option<BTreeSet<ResourceAddr>>, a: &ResourceAddr) -> bool {
    t.as_ref().is_none_or(|s| s.contains(a))
}

fn delete_change(addr: &InstanceAddr, inst: &ResourceInstance, reason: Reason) -> ResourceChange {
    ResourceChange {
        addr: addr.clone(),
        action: Action::Delete,
        before: Some(inst.attrs.clone()),
        after: None,
        replace_paths: Vec::new(),
        reason: Some(reason),
        dependencies: inst.dependencies.clone(),
        sensitive: Vec::new(),
        note: None,
    }
}

fn destroy_changes(
    cfg: &Config,
    state: &State,
    diags: &mut Diagnostics,
    targeted: &Option<BTreeSet<ResourceAddr>>,
) -> Vec<ResourceChange> {
    let mut out = Vec::new();
    for (addr, inst) in state.managed() {
        if let Some(t) = targeted {
            // Destroying a target also destroys what depends on it.
            let hit = t.contains(&addr.resource.config_addr())
                || inst
                    .dependencies
                    .iter()
                    .any(|d| t.iter().any(|x| x.to_string() == *d));
            if !hit {
                continue;
            }
        }
        if let Some(r) = cfg.resources.get(&addr.resource.config_addr())
            && r.lifecycle.prevent_destroy
        {
            diags.push(prevent_destroy_error(addr, r));
            continue;
        }
        out.push(delete_change(addr, inst, Reason::Destroy));
    }
    out
}

fn prevent_destroy_error(addr: &InstanceAddr, r: &Resource) -> Diagnostic {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!(
            "Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."
        ),
    )
    .with_span(r.lifecycle.prevent_destroy_span.or(Some(r.span)))
    .with_subject(addr.to_string())
    .with_code(DiagCode::PreventDestroy)
}

struct PlanHandler<'p, 'q> {
    state: &'p State,
    provider: &'q mut dyn Provider,
    changes: Vec<ResourceChange>,
    warnings: Diagnostics,
    opts: &'p PlanOptions,
    targeted: &'p Option<BTreeSet<ResourceAddr>>,
    graph: &'p Graph,
    /// Instances imported by this plan, with their import ids.
    imports: Vec<(InstanceAddr, String)>,
}

impl Handler for PlanHandler<'_, '_> {
    fn managed(
        &mut self,
        w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic> {
        let prior = self.state.resources.get(addr);
        // An `import` block's object becomes the prior state of an instance not yet managed.
        let imported = match (prior, w.imports.get(addr)) {
            (None, Some(t))
                if is_targeted(self.targeted, &addr.resource.config_addr())
                    && self.opts.mode != PlanMode::Destroy =>
            {
                match self.provider.import(&addr.resource.kind, &t.id) {
                    Ok(Some(m)) => {
                        self.imports.push((addr.clone(), t.id.clone()));
                        Some(m)
                    }
                    Ok(None) => return Err(Diagnostic::error(
                        "Cannot import non-existent remote object",
                        format!("While attempting to import an existing object to \"{addr}\", the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"keyform apply\" to create a new remote object for this resource."),
                    )
                    .with_span(w.cfg.imports.get(t.block).map(|i| i.span))),
                    Err(e) => return Err(Diagnostic::error("Error importing object", e.message)
                        .with_subject(addr.to_string())),
                }
            }
            _ => None,
        };
        let prior_attrs = prior.map(|p| &p.attrs).or(imported.as_ref());
        let schema = w
            .schemas
            .resource_schema(Mode::Managed, &addr.resource.kind)
            .ok_or_else(|| {
                Diagnostic::error("Unknown resource type", addr.resource.kind.clone())
            })?;
        if !is_targeted(self.targeted, &addr.resource.config_addr())
            || self.opts.mode == PlanMode::Destroy
        {
            return Ok(prior_attrs.map_or(Value::Unknown, |p| Value::Object(p.clone())));
        }
        let force =
            prior.is_some_and(|p| p.tainted) || self.opts.replace.iter().any(|t| t.matches(addr));
        let dependencies: Vec<String> = self
            .graph
            .resource_dependencies(&Node::Resource(addr.resource.config_addr()))
            .iter()
            .map(ToString::to_string)
            .collect();
        let change = plan_instance(
            schema,
            &*self.provider,
            addr,
            prior_attrs,
            config,
            &res.lifecycle.ignore_changes,
            force,
            res.lifecycle.create_before_destroy,
            dependencies,
            &mut self.warnings,
        )
        .map_err(|m| {
            Diagnostic::error("Error planning change", m).with_subject(addr.to_string())
        })?;
        let mut change = change;
        if let Some(p) = prior {
            if p.tainted && change.action.is_replace() {
                change.reason = Some(Reason::Tainted);
            } else if force && change.action.is_replace() {
                change.reason = Some(Reason::ReplaceRequested);
            }
        }
        if change.action.deletes() && res.lifecycle.prevent_destroy {
            return Err(prevent_destroy_error(addr, res));
        }
        if change.action.deletes() {
            change.note = change
                .before
                .as_ref()
                .and_then(|b| self.provider.destroy_note(&addr.resource.kind, b));
        }
        // The planned value lives in the namespace while the walk needs it and moves back
        // into the change afterwards (see `reclaim_planned`), so it is never held twice.
        let v = Value::Object(change.after.take().unwrap_or_default());
        self.changes.push(change);
        Ok(v)
    }

    fn data(
        &mut self,
        w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic> {
        let config_unknown = Value::Object(config.clone()).is_unknown();
        let deferred = config_unknown
            || (!res.depends_on.is_empty()
                && self
                    .graph
                    .resource_dependencies(&Node::Resource(addr.resource.config_addr()))
                    .iter()
                    .any(|d| {
                        self.changes.iter().any(|c| {
                            &c.addr.resource.config_addr() == d && c.action != Action::NoOp
                        })
                    }));
        if deferred {
            self.changes.push(ResourceChange {
                addr: addr.clone(),
                action: Action::Read,
                before: None,
                after: Some(with_unknown_computed(w.schemas, addr, config.clone())),
                replace_paths: Vec::new(),
                reason: (!config_unknown).then_some(Reason::ReadDependencyPending),
                dependencies: Vec::new(),
                sensitive: Vec::new(),
                note: None,
            });
            return Ok(Value::Object(with_unknown_computed(
                w.schemas, addr, config,
            )));
        }
        let attrs = self
            .provider
            .read_data(&addr.resource.kind, &config)
            .map_err(|e| {
                Diagnostic::error("Error reading data source", e.message)
                    .with_subject(addr.to_string())
                    .with_span(Some(res.span))
            })?;
        Ok(Value::Object(attrs))
    }

    fn resource_done(
        &mut self,
        _w: &Walk<'_>,
        res: &Resource,
        inst_addr: &ResourceAddr,
        keys: &[InstanceKey],
    ) {
        if res.addr.mode != Mode::Managed
            || !is_targeted(self.targeted, &res.addr)
            || self.opts.mode == PlanMode::Destroy
        {
            return;
        }
        let wanted: std::collections::HashSet<&InstanceKey> = keys.iter().collect();
        for (addr, inst) in self.state.instances_of(inst_addr) {
            if !wanted.contains(&addr.key) {
                let mut c = delete_change(addr, inst, Reason::NoInstanceKey);
                c.note = self.provider.destroy_note(&addr.resource.kind, &inst.attrs);
                self.changes.push(c);
            }
        }
    }
}

/// Plans one instance: the desired value from config and prior state, and the action.
#[allow(clippy::too_many_arguments)]
pub fn plan_instance(
    schema: &ResourceSchema,
    provider: &dyn Provider,
    addr: &InstanceAddr,
    prior: Option<&Map>,
    config: Map,
    ignore: &IgnoreChanges,
    force_replace: bool,
    create_before_destroy: bool,
    dependencies: Vec<String>,
    warnings: &mut Diagnostics,
) -> Result<ResourceChange, String> {
    let kind = addr.resource.kind.as_str();
    let mut planned = desired(schema, prior, &config, ignore, false);
    let adj = provider
        .plan(kind, prior, &mut planned)
        .map_err(|e| e.message)?;
    for w in adj.warnings {
        warnings.push(Diagnostic::warning("Plan warning", w).with_subject(addr.to_string()));
    }
    let Some(prior) = prior else {
        return Ok(ResourceChange {
            addr: addr.clone(),
            action: Action::Create,
            before: None,
            after: Some(planned),
            replace_paths: Vec::new(),
            reason: None,
            dependencies,
            sensitive: sensitive_attrs(schema),
            note: None,
        });
    };
    let mut replace_paths: Vec<String> = Vec::new();
    for a in &schema.body.attrs {
        if (a.force_new || adj.requires_replace.iter().any(|r| r == a.name))
            && differs(planned.get(a.name), prior.get(a.name))
        {
            replace_paths.push(a.name.to_string());
        }
    }
    for b in &schema.body.blocks {
        if b.force_new && differs(planned.get(b.name), prior.get(b.name)) {
            replace_paths.push(b.name.to_string());
        }
    }
    let action = if force_replace || !replace_paths.is_empty() {
        // A new object: computed values are not carried over.
        planned = desired(schema, Some(prior), &config, ignore, true);
        provider
            .plan(kind, None, &mut planned)
            .map_err(|e| e.message)?;
        if create_before_destroy {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        }
    } else if schema
        .body
        .attrs
        .iter()
        .any(|a| differs(planned.get(a.name), prior.get(a.name)))
        || schema
            .body
            .blocks
            .iter()
            .any(|b| differs(planned.get(b.name), prior.get(b.name)))
    {
        Action::Update
    } else {
        Action::NoOp
    };
    Ok(ResourceChange {
        addr: addr.clone(),
        action,
        before: Some(prior.clone()),
        after: Some(planned),
        replace_paths,
        reason: None,
        dependencies,
        sensitive: sensitive_attrs(schema),
        note: None,
    })
}

fn sensitive_attrs(schema: &ResourceSchema) -> Vec<String> {
    schema
        .body
        .attrs
        .iter()
        .filter(|a| a.sensitive)
        .map(|a| a.name.to_string())
        .collect()
}

fn differs(a: Option<&Value>, b: Option<&Value>) -> bool {
    let null = Value::Null;
    a.unwrap_or(&null) != b.unwrap_or(&null)
}

/// The desired value: configuration, with computed attributes taken from prior state (or
/// unknown for a new object), JSON documents kept as written when equivalent.
fn desired(
    schema: &ResourceSchema,
    prior: Option<&Map>,
    config: &Map,
    ignore: &IgnoreChanges,
    replacing: bool,
) -> Map {
    let mut out = Map::new();
    let carry = if replacing { None } else { prior };
    for a in &schema.body.attrs {
        let cfg = config.get(a.name).cloned().unwrap_or(Value::Null);
        let prior_v = prior.and_then(|p| p.get(a.name));
        let mut v = if a.is_argument() && !cfg.is_null() {
            cfg
        } else if a.computed {
            carry
                .and_then(|p| p.get(a.name))
                .cloned()
                .unwrap_or(Value::Unknown)
        } else {
            Value::Null
        };
        if a.ty == AttrType::Json
            && let (Value::String(new), Some(Value::String(old))) = (&v, prior_v)
            && json_equal(new, old)
        {
            v = Value::String(old.clone());
        }
        if ignore.ignores(a.name)
            && let Some(p) = prior_v
        {
            v = p.clone();
        }
        out.insert(a.name.to_string(), v);
    }
    for b in &schema.body.blocks {
        let mut v = config
            .get(b.name)
            .cloned()
            .unwrap_or(Value::List(Vec::new()));
        if ignore.ignores(b.name)
            && let Some(p) = prior.and_then(|p| p.get(b.name))
        {
            v = p.clone();
        }
        out.insert(b.name.to_string(), v);
    }
    if out.contains_key("tags_all") {
        let tags = out.get("tags").cloned().unwrap_or(Value::Null);
        out.insert(
            "tags_all".into(),
            if tags.is_null() {
                Value::Object(Map::new())
            } else {
                tags
            },
        );
    }
    out
}

/// Two JSON texts with the same meaning (whitespace and key order aside).
pub fn json_equal(a: &str, b: &str) -> bool {
    match (
        serde_json::from_str::<serde_json::Value>(a),
        serde_json::from_str::<serde_json::Value>(b),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
