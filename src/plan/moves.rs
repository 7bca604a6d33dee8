//! `moved` and `removed` blocks at plan time: the prior state is re-addressed (moved objects
//! keep their cloud object under the new address) and forgotten instances leave it, before
//! refresh and planning see it. The plan records both, so apply makes the same state edits.

use crate::addr::{InstanceAddr, ModuleStep};
use crate::config::Config;
use crate::config::refactor::Endpoint;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::{Action, ResourceChange};
use crate::state::State;

/// A module path pattern matches a concrete path when each step names the same call and the
/// pattern's key, where given, is the same.
fn module_prefix_matches(pattern: &[ModuleStep], path: &[ModuleStep]) -> bool {
    pattern.len() <= path.len()
        && pattern.iter().zip(path).all(|(p, x)| {
            p.name == x.name && (p.key == crate::addr::InstanceKey::None || p.key == x.key)
        })
}

/// Where `addr` goes under a move from `from` to `to`, if the move applies to it.
fn moved_addr(from: &Endpoint, to: &Endpoint, addr: &InstanceAddr) -> Option<InstanceAddr> {
    match (from, to) {
        (Endpoint::Module(f), Endpoint::Module(t)) => {
            let exact_key = f
                .last()
                .is_some_and(|s| s.key != crate::addr::InstanceKey::None);
            if !module_prefix_matches(f, &addr.resource.module) {
                return None;
            }
            // A whole module call moves all its instances, keys kept; one instance moves to
            // the instance `to` names.
            let mut m = t.clone();
            if !exact_key && let Some(last) = m.last_mut() {
                last.key = addr.resource.module[f.len() - 1].key.clone();
            }
            m.extend(addr.resource.module[f.len()..].iter().cloned());
            let mut out = addr.clone();
            out.resource.module = m;
            Some(out)
        }
        (Endpoint::Resource(f), Endpoint::Resource(t)) => {
            if addr.resource != f.resource || f.key.as_ref().is_some_and(|k| *k != addr.key) {
                return None;
            }
            let key = t.key.clone().unwrap_or_else(|| addr.key.clone());
            Some(t.resource.instance(key))
        }
        _ => None,
    }
}

/// Applies the configuration's moves to `state`; returns the (from, to) pairs that moved.
pub(crate) fn apply_moves(
    cfg: &Config,
    state: &mut State,
    warnings: &mut Diagnostics,
) -> Vec<(InstanceAddr, InstanceAddr)> {
    let mut done = Vec::new();
    for m in &cfg.moves {
        let hits: Vec<(InstanceAddr, InstanceAddr)> = state
            .resources
            .keys()
            .filter_map(|a| moved_addr(&m.from, &m.to, a).map(|to| (a.clone(), to)))
            .collect();
        for (from, to) in hits {
            if state.resources.contains_key(&to) {
                warnings.push(
                    Diagnostic::warning(
                        "Unresolved resource instance address changes",
                        format!(
                            "keyform tried to move {from} to {to}, but an object already exists at {to}, so it kept both where they are."
                        ),
                    )
                    .with_span(Some(m.span)),
                );
                continue;
            }
            if let Some(inst) = state.resources.remove(&from) {
                state.resources.insert(to.clone(), inst);
                done.push((from, to));
            }
        }
    }
    done
}

/// Removes from `state` the instances that `removed { lifecycle { destroy = false } }` blocks
/// name; returns them as no-op changes holding their last state.
pub(crate) fn apply_forgets(cfg: &Config, state: &mut State) -> Vec<ResourceChange> {
    let mut out = Vec::new();
    for r in cfg.removed.iter().filter(|r| !r.destroy) {
        let hits: Vec<InstanceAddr> = state
            .resources
            .keys()
            .filter(|a| match &r.from {
                Endpoint::Resource(t) => a.resource.config_addr() == t.resource,
                Endpoint::Module(p) => module_prefix_matches(p, &a.resource.module),
            })
            .cloned()
            .collect();
        for a in hits {
            if let Some(inst) = state.resources.remove(&a) {
                out.push(ResourceChange {
                    addr: a,
                    action: Action::NoOp,
                    before: Some(inst.attrs.clone()),
                    after: Some(inst.attrs),
                    replace_paths: Vec::new(),
                    reason: None,
                    dependencies: inst.dependencies,
                    sensitive: Vec::new(),
                    note: None,
                });
            }
        }
    }
    out
}
