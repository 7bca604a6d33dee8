//! The walk's expansion of `import` blocks: for each block whose target is the resource about
//! to be planned, its `for_each`, the key in `to` and `id` are evaluated in the root module,
//! giving the instances to import and their import ids.

use std::collections::BTreeSet;

use crate::addr::{InstanceAddr, InstanceKey, ResourceAddr};
use crate::config::Config;
use crate::config::import::ImportKey;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::Evaluator;
use crate::plan::walk::Walk;
use crate::state::State;
use crate::value::Value;

/// One import the walk found for an instance.
#[derive(Debug, Clone)]
pub(crate) struct ImportTarget {
    pub(crate) id: String,
    /// Which import block (index into `Config::imports`).
    pub(crate) block: usize,
}

fn key_of(v: &Value) -> Option<InstanceKey> {
    match v {
        Value::String(s) => Some(InstanceKey::Str(s.clone())),
        Value::Number(_) => v
            .as_i64()
            .and_then(|i| u64::try_from(i).ok())
            .map(InstanceKey::Int),
        _ => None,
    }
}

impl Walk<'_> {
    /// Evaluates the import blocks that target resource block `config_addr` in module
    /// instance `inst.module`, recording each instance's import id in `self.imports`.
    pub(super) fn expand_imports(&mut self, config_addr: &ResourceAddr, inst: &ResourceAddr) {
        let cfg = self.cfg;
        for (n, imp) in cfg.imports.iter().enumerate() {
            if imp.to.config_addr() != *config_addr || imp.to.module != inst.module {
                continue;
            }
            let subject = format!("import to {}", imp.to);
            let reps = match &imp.for_each {
                Some(fe) => match self.expand_rep(None, Some(fe), &[], subject) {
                    Some(r) => r,
                    None => continue,
                },
                None => vec![(InstanceKey::None, Vec::new())],
            };
            for (_, locals) in reps {
                let ev = Evaluator {
                    locals,
                    ..self.evaluator_in(&[])
                };
                let key = match &imp.key {
                    ImportKey::Literal(k) => k.clone(),
                    ImportKey::Expr(e) => match ev.eval(e) {
                        Ok(v) => match key_of(&v) {
                            Some(k) => k,
                            None => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "Invalid import address",
                                        "The key in the \"to\" address must be a known string or a whole number.",
                                    )
                                    .with_span(e.span()),
                                );
                                continue;
                            }
                        },
                        Err(d) => {
                            self.diags.push(d);
                            continue;
                        }
                    },
                };
                let id = match ev.eval(&imp.id) {
                    Ok(v) if v.is_unknown() => Err(
                        "The import block \"id\" argument depends on resource attributes that cannot be determined until apply, so keyform cannot plan to import this resource.",
                    ),
                    Ok(Value::Null) => Err("The import ID cannot be null."),
                    Ok(v) => match v.to_string_lossy() {
                        Some(s) if s.is_empty() => Err(
                            "The import ID value evaluates to an empty string, please provide a non-empty value.",
                        ),
                        Some(s) => Ok(s),
                        None => Err("The import ID must be a string."),
                    },
                    Err(d) => {
                        self.diags.push(d);
                        continue;
                    }
                };
                let id = match id {
                    Ok(id) => id,
                    Err(m) => {
                        self.diags.push(
                            Diagnostic::error("Invalid import id argument", m)
                                .with_span(imp.id.span()),
                        );
                        continue;
                    }
                };
                let addr: InstanceAddr = imp.to.instance(key);
                if let Some(prev) = self.imports.get(&addr) {
                    let at = self.cfg.range_text(self.cfg.imports[prev.block].span);
                    self.diags.push(
                        Diagnostic::error(
                            format!("Duplicate import configuration for \"{addr}\""),
                            format!("An import block for the resource \"{addr}\" was already declared at {at}. A resource can have only one import block."),
                        )
                        .with_span(Some(imp.span)),
                    );
                    continue;
                }
                self.imports.insert(addr, ImportTarget { id, block: n });
            }
        }
    }
}

/// Import blocks that found no instance to import into: a target block that does not exist,
/// or a key its count / for_each does not produce.
pub(super) fn import_errors(
    cfg: &Config,
    w: &Walk<'_>,
    state: &State,
    imported: &[(InstanceAddr, String)],
    targeted: &Option<BTreeSet<ResourceAddr>>,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    for i in &cfg.imports {
        if !cfg.resources.contains_key(&i.to.config_addr()) {
            d.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for the given import target {} does not exist. If you wish to automatically generate config for this resource, use the -generate-config-out option within keyform plan. Otherwise, make sure the target resource exists within your configuration. For example:\n\n  keyform plan -generate-config-out=generated.tf", i.to),
                )
                .with_span(i.to_span),
            );
        }
    }
    for addr in w.imports.keys() {
        if !state.resources.contains_key(addr)
            && !imported.iter().any(|(a, _)| a == addr)
            && super::is_targeted(targeted, &addr.resource.config_addr())
            && cfg.resources.contains_key(&addr.resource.config_addr())
            && !w.failed.contains(&addr.resource.config_addr())
        {
            d.push(Diagnostic::error(
                "Configuration for import target does not exist",
                format!("The configuration for the given import {addr} does not exist. All target instances must have an associated configuration to be imported."),
            ));
        }
    }
    d
}
