//! Applying a plan: destroys first (dependents before what they depend on), then creates and
//! updates in dependency order with the configuration re-evaluated as real values become known,
//! then `create_before_destroy` leftovers. Every change is committed through the [`ApplyHook`]
//! before the next starts; a failure skips only what depends on the failed resource.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use petgraph::graph::DiGraph;

use crate::addr::{InstanceAddr, InstanceKey, Mode};
use crate::config::{Config, Resource, SchemaSource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{Graph, Node};
use crate::plan::walk::{Handler, RawVar, Walk};
use crate::plan::{Action, Plan, PlanMode, ResourceChange, plan_instance};
use crate::provider::Provider;
use crate::state::{OutputState, ResourceInstance, State, StateOp};
use crate::value::{Map, Value};

/// Progress and durability callbacks; the engine itself never prints or writes files.
pub trait ApplyHook {
    fn pre(&mut self, _addr: &InstanceAddr, _action: Action) {}
    fn post(
        &mut self,
        _addr: &InstanceAddr,
        _action: Action,
        _error: Option<&str>,
        _elapsed: std::time::Duration,
    ) {
    }
    /// An `import` block's object was taken into the state (before any change to it).
    fn imported(&mut self, _addr: &InstanceAddr, _id: &str) {}
    /// Whether `commit` needs the cloud's changes (an in-memory world keeps none).
    fn journals_world(&self) -> bool {
        true
    }

    /// Durably records state changes together with the cloud's changes.
    fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        world: Option<serde_json::Value>,
    ) -> Result<(), String>;
}

/// What happened.
#[derive(Debug, Default)]
pub struct ApplyOutcome {
    pub diags: Diagnostics,
    pub imported: usize,
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
}

/// Applies `plan`. `state` is updated in place (and through the hook's commits).
#[allow(clippy::too_many_arguments)]
pub fn apply(
    cfg: &Config,
    graph: &Graph,
    plan: &Plan,
    state: &mut State,
    provider: &mut dyn Provider,
    schemas: &dyn SchemaSource,
    inputs: &BTreeMap<String, RawVar>,
    hook: &mut dyn ApplyHook,
) -> ApplyOutcome {
    let mut out = ApplyOutcome::default();
    // Objects the plan's refresh found gone (deleted outside keyform) leave the state now, as
    // Terraform saves the refreshed state; otherwise one no longer configured would be
    // reported as deleted by every plan, forever.
    let gone: Vec<StateOp> = plan
        .drift
        .iter()
        .filter(|d| d.action == Action::Delete && state.resources.contains_key(&d.addr))
        .map(|d| StateOp::Remove(d.addr.clone()))
        .collect();
    if !gone.is_empty()
        && let Err(e) = hook.commit(state, gone, None)
    {
        out.diags.push(Diagnostic::error("Failed to save state", e));
        return out;
    }
    // `moved` and `removed` blocks: the state edits the plan showed, before anything else.
    let mut edits = Vec::new();
    for (from, to) in &plan.moved {
        if let Some(inst) = state.resources.get(from)
            && !state.resources.contains_key(to)
        {
            edits.push(StateOp::Remove(from.clone()));
            edits.push(StateOp::Put(to.clone(), inst.clone()));
        }
    }
    for c in plan
        .forget
        .iter()
        .filter(|c| state.resources.contains_key(&c.addr))
    {
        edits.push(StateOp::Remove(c.addr.clone()));
    }
    if !edits.is_empty()
        && let Err(e) = hook.commit(state, edits, None)
    {
        out.diags.push(Diagnostic::error("Failed to save state", e));
        return out;
    }
    let mut failed_deletes: BTreeSet<InstanceAddr> = BTreeSet::new();
    // Phase 1: destroys, dependents first.
    let deletes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::DeleteThenCreate))
        .collect();
    for c in destroy_order(&deletes) {
        let blocked = deletes.iter().any(|d| {
            failed_deletes.contains(&d.addr)
                && d.dependencies
                    .contains(&c.addr.resource.config_addr().to_string())
        });
        if blocked {
            out.diags.push(Diagnostic::warning("Destroy skipped", format!("{} was not destroyed because something that depends on it could not be destroyed.", c.addr)));
            failed_deletes.insert(c.addr.clone());
            continue;
        }
        if let Err(d) = destroy_one(c, state, provider, hook) {
            out.diags.push(d);
            failed_deletes.insert(c.addr.clone());
        } else if c.action == Action::Delete {
            out.destroyed += 1;
        }
    }
    if plan.mode == PlanMode::Destroy {
        if let Err(e) = hook.commit(
            state,
            vec![StateOp::Outputs(BTreeMap::new())],
            world_delta(provider, hook),
        ) {
            out.diags.push(Diagnostic::error("Failed to save state", e));
        }
        return out;
    }
    // Phase 2: creates and updates, in dependency order.
    let mut h = ApplyHandler {
        plan,
        state,
        provider: &mut *provider,
        hook: &mut *hook,
        failed_deletes: &failed_deletes,
        imported: 0,
        added: 0,
        changed: 0,
        destroyed: 0,
        graph,
    };
    let mut w = Walk::new(cfg, graph, schemas, inputs);
    for a in failed_deletes.iter().filter(|a| {
        plan.change(a)
            .is_some_and(|c| c.action == Action::DeleteThenCreate)
    }) {
        w.failed.insert(a.resource.config_addr());
    }
    w.run(&mut h);
    out.imported += h.imported;
    out.added += h.added;
    out.changed += h.changed;
    out.destroyed += h.destroyed;
    out.diags.extend(std::mem::take(&mut w.diags));
    // Phase 3: the old objects of create_before_destroy replacements.
    let cbd: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::CreateThenDelete)
        .collect();
    for c in destroy_order(&cbd) {
        if w.failed.contains(&c.addr.resource.config_addr()) {
            continue;
        }
        let kind = &c.addr.resource.kind;
        let Some(before) = &c.before else { continue };
        hook.pre(&c.addr, Action::Delete);
        let t = Instant::now();
        let r = provider.delete(kind, before);
        hook.post(
            &c.addr,
            Action::Delete,
            r.as_ref().err().map(|e| e.message.as_str()),
            t.elapsed(),
        );
        match r {
            Ok(()) => {
                out.destroyed += 1;
                if let Err(e) = hook.commit(state, Vec::new(), world_delta(provider, hook)) {
                    out.diags.push(Diagnostic::error("Failed to save state", e));
                }
            }
            Err(e) => out.diags.push(
                Diagnostic::error(
                    format!("Error destroying the previous object of {}", c.addr),
                    e.message,
                )
                .with_subject(c.addr.to_string()),
            ),
        }
    }
    // Outputs.
    let outputs: BTreeMap<String, OutputState> = w
        .outputs
        .iter()
        .filter(|(_, v)| !v.is_unknown())
        .map(|(k, v)| {
            (
                k.clone(),
                OutputState {
                    value: v.clone(),
                    sensitive: cfg.outputs.get(k).is_some_and(|o| o.sensitive),
                },
            )
        })
        .collect();
    if outputs != state.outputs
        && let Err(e) = hook.commit(
            state,
            vec![StateOp::Outputs(outputs)],
            world_delta(provider, hook),
        )
    {
        out.diags.push(Diagnostic::error("Failed to save state", e));
    }
    out
}

/// The cloud's changes since the last commit, when the hook journals them.
fn world_delta(provider: &mut dyn Provider, hook: &dyn ApplyHook) -> Option<serde_json::Value> {
    if hook.journals_world() {
        provider.take_world_delta()
    } else {
        None
    }
}

/// Orders deletions so that an instance goes before anything it depends on.
fn destroy_order<'c>(changes: &[&'c ResourceChange]) -> Vec<&'c ResourceChange> {
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let idx: Vec<_> = (0..changes.len()).map(|i| g.add_node(i)).collect();
    for (i, a) in changes.iter().enumerate() {
        for (j, b) in changes.iter().enumerate() {
            if i != j
                && a.dependencies
                    .contains(&b.addr.resource.config_addr().to_string())
            {
                g.add_edge(idx[i], idx[j], ());
            }
        }
    }
    match petgraph::algo::toposort(&g, None) {
        Ok(order) => order.into_iter().map(|n| changes[g[n]]).collect(),
        Err(_) => changes.to_vec(),
    }
}

fn destroy_one(
    c: &ResourceChange,
    state: &mut State,
    provider: &mut dyn Provider,
    hook: &mut dyn ApplyHook,
) -> Result<(), Diagnostic> {
    let Some(before) = state
        .resources
        .get(&c.addr)
        .map(|r| r.attrs.clone())
        .or_else(|| c.before.clone())
    else {
        return Ok(());
    };
    hook.pre(&c.addr, Action::Delete);
    let t = Instant::now();
    let r = provider.delete(&c.addr.resource.kind, &before);
    hook.post(
        &c.addr,
        Action::Delete,
        r.as_ref().err().map(|e| e.message.as_str()),
        t.elapsed(),
    );
    match r {
        Ok(()) => hook
            .commit(
                state,
                vec![StateOp::Remove(c.addr.clone())],
                world_delta(provider, hook),
            )
            .map_err(|e| Diagnostic::error("Failed to save state", e)),
        Err(e) => Err(
            Diagnostic::error(format!("Error destroying {}", c.addr), e.message)
                .with_subject(c.addr.to_string()),
        ),
    }
}

struct ApplyHandler<'a, 'b> {
    plan: &'a Plan,
    state: &'a mut State,
    provider: &'b mut dyn Provider,
    hook: &'b mut dyn ApplyHook,
    failed_deletes: &'a BTreeSet<InstanceAddr>,
    imported: usize,
    added: usize,
    changed: usize,
    destroyed: usize,
    graph: &'a Graph,
}

impl ApplyHandler<'_, '_> {
    fn commit_put(
        &mut self,
        addr: &InstanceAddr,
        attrs: Map,
        deps: Vec<String>,
    ) -> Result<(), Diagnostic> {
        let inst = ResourceInstance {
            attrs,
            dependencies: deps,
            tainted: false,
        };
        let delta = world_delta(&mut *self.provider, &*self.hook);
        self.hook
            .commit(self.state, vec![StateOp::Put(addr.clone(), inst)], delta)
            .map_err(|e| {
                Diagnostic::error("Failed to save state", e).with_subject(addr.to_string())
            })
    }
}

impl Handler for ApplyHandler<'_, '_> {
    fn managed(
        &mut self,
        w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic> {
        let mut current = self.state.resources.get(addr).map(|r| r.attrs.clone());
        let Some(change) = self.plan.change(addr) else {
            return Ok(current.map_or(Value::Unknown, Value::Object));
        };
        let kind = addr.resource.kind.as_str();
        let deps: Vec<String> = self
            .graph
            .resource_dependencies(&Node::Resource(addr.resource.config_addr()))
            .iter()
            .map(ToString::to_string)
            .collect();
        // An imported object enters the state first, as the plan read it; any change to it
        // follows as for an object that was always managed.
        if current.is_none()
            && let (Some(id), Some(before)) = (self.plan.import_id(addr), &change.before)
        {
            self.hook.imported(addr, id);
            self.commit_put(addr, before.clone(), deps.clone())?;
            self.imported += 1;
            current = Some(before.clone());
        }
        match change.action {
            Action::NoOp | Action::Read => {
                // Keep what refresh saw (drift that needed no change).
                let seen = change
                    .before
                    .clone()
                    .or(current.clone())
                    .unwrap_or_default();
                if current.as_ref() != Some(&seen) {
                    self.commit_put(addr, seen.clone(), deps)?;
                }
                Ok(Value::Object(seen))
            }
            Action::Delete => Ok(Value::Unknown),
            Action::Create
            | Action::DeleteThenCreate
            | Action::CreateThenDelete
            | Action::Update => {
                if self.failed_deletes.contains(addr) {
                    return Err(Diagnostic::error(
                        "Replacement skipped",
                        "The previous object could not be destroyed.",
                    )
                    .with_subject(addr.to_string()));
                }
                let schema = w
                    .schemas
                    .resource_schema(Mode::Managed, kind)
                    .ok_or_else(|| Diagnostic::error("Unknown resource type", kind.to_string()))?;
                // An update starts from what the plan saw: the refreshed object, so changes
                // made outside keyform since the last apply are undone too.
                let seen = change.before.clone().or(current);
                let prior = if change.action == Action::Update {
                    seen.as_ref()
                } else {
                    None
                };
                let mut warnings = Diagnostics::new();
                let fresh = plan_instance(
                    schema,
                    &*self.provider,
                    addr,
                    prior,
                    config,
                    &res.lifecycle.ignore_changes,
                    false,
                    false,
                    deps.clone(),
                    &mut warnings,
                )
                .map_err(|m| {
                    Diagnostic::error("Error planning change", m).with_subject(addr.to_string())
                })?;
                let planned = fresh.after.unwrap_or_default();
                let shown = if change.action == Action::Update {
                    Action::Update
                } else {
                    Action::Create
                };
                self.hook.pre(addr, change.action);
                let t = Instant::now();
                let r = match (change.action, &seen) {
                    (Action::Update, Some(before)) => self.provider.update(kind, before, &planned),
                    _ => self.provider.create(kind, &planned),
                };
                self.hook.post(
                    addr,
                    change.action,
                    r.as_ref().err().map(|e| e.message.as_str()),
                    t.elapsed(),
                );
                match r {
                    Ok(attrs) => {
                        self.commit_put(addr, attrs.clone(), deps)?;
                        match shown {
                            Action::Update => self.changed += 1,
                            _ => self.added += 1,
                        }
                        if change.action == Action::DeleteThenCreate {
                            self.destroyed += 1;
                        }
                        Ok(Value::Object(attrs))
                    }
                    Err(e) => {
                        // Anything the cloud did before failing is journaled with the state
                        // change it calls for: an object a failed create left behind is kept
                        // in the state as tainted (replaced by the next apply), never left
                        // unmanaged in the cloud to be created a second time.
                        let delta = world_delta(&mut *self.provider, &*self.hook);
                        let ops = match e.partial.clone() {
                            Some(attrs) => vec![StateOp::Put(
                                addr.clone(),
                                ResourceInstance {
                                    attrs,
                                    dependencies: deps,
                                    tainted: true,
                                },
                            )],
                            None => Vec::new(),
                        };
                        if delta.is_some() || !ops.is_empty() {
                            let _ = self.hook.commit(self.state, ops, delta);
                        }
                        let verb = if shown == Action::Update {
                            "updating"
                        } else {
                            "creating"
                        };
                        Err(Diagnostic::error(format!("Error {verb} {addr}"), e.message)
                            .with_span(Some(res.span))
                            .with_subject(addr.to_string()))
                    }
                }
            }
        }
    }

    fn data(
        &mut self,
        _w: &Walk<'_>,
        res: &Resource,
        addr: &InstanceAddr,
        config: Map,
    ) -> Result<Value, Diagnostic> {
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
        _res: &Resource,
        _inst: &crate::addr::ResourceAddr,
        _keys: &[InstanceKey],
    ) {
    }

    fn check_postconditions(&self) -> bool {
        true
    }
}
