//! Evaluating a configuration against a plan or a state without changing anything: what
//! `keyform test` asserts and actions refer to.

use std::collections::BTreeMap;

use crate::addr::InstanceAddr;
use crate::config::{Config, Resource, SchemaSource};
use crate::diag::{DiagCode, Diagnostic, Diagnostics};
use crate::graph::Graph;
use crate::plan::Plan;
use crate::plan::walk::{Handler, RawVar, Walk};
use crate::provider::Provider;
use crate::state::State;
use crate::value::{Map, Value};

/// Where [`evaluate`] takes managed resource instances' values from.
#[derive(Debug, Clone, Copy)]
pub enum ValueSource<'a> {
    /// Planned values (unknown where only apply can tell), state values for unchanged instances.
    Planned(&'a Plan, &'a State),
    /// The state as it is (after apply or destroy); instances missing from it are null.
    State(&'a State),
}

/// Every value of a configuration as its expressions see them: what `keyform test` asserts and
/// actions refer to.
#[derive(Debug, Clone, Default)]
pub struct Evaluated {
    /// Roots `var`, `local`, `data`, `path`, `terraform` and one per resource type.
    pub namespace: crate::eval::Namespace,
    /// Output values (unknown where they depend on values known only after apply).
    pub outputs: BTreeMap<String, Value>,
    /// Check blocks' failed assertions (warnings), as the configuration stands in `source`.
    pub checks: Diagnostics,
}

/// Evaluates the configuration against `source` without changing anything: managed instances
/// take their value from the plan or state, data sources are read again (reads record nothing in
/// the cloud), variables, locals and outputs are evaluated. Errors only make values unknown:
/// the caller has already reported the command's own diagnostics.
pub fn evaluate(
    cfg: &Config,
    graph: &Graph,
    schemas: &dyn SchemaSource,
    inputs: &BTreeMap<String, RawVar>,
    provider: &mut dyn Provider,
    source: ValueSource<'_>,
) -> Evaluated {
    struct E<'s, 'p> {
        source: ValueSource<'s>,
        provider: &'p mut dyn Provider,
    }
    impl Handler for E<'_, '_> {
        fn managed(
            &mut self,
            _w: &Walk<'_>,
            _r: &Resource,
            addr: &InstanceAddr,
            _config: Map,
        ) -> Result<Value, Diagnostic> {
            Ok(match self.source {
                ValueSource::Planned(plan, state) => match plan.change(addr) {
                    Some(c) => c.after.clone().map_or(Value::Null, Value::Object),
                    None => state
                        .resources
                        .get(addr)
                        .map_or(Value::Unknown, |r| Value::Object(r.attrs.clone())),
                },
                ValueSource::State(state) => state
                    .resources
                    .get(addr)
                    .map_or(Value::Null, |r| Value::Object(r.attrs.clone())),
            })
        }

        fn data(
            &mut self,
            _w: &Walk<'_>,
            _r: &Resource,
            addr: &InstanceAddr,
            config: Map,
        ) -> Result<Value, Diagnostic> {
            if config.values().any(Value::is_unknown) {
                return Ok(Value::Unknown);
            }
            Ok(self
                .provider
                .read_data(&addr.resource.kind, &config)
                .map_or(Value::Unknown, Value::Object))
        }
    }
    let mut h = E { source, provider };
    let mut w = Walk::new(cfg, graph, schemas, inputs);
    w.unknown_missing_vars = true;
    w.run(&mut h);
    // Moved out, not copied: the walk is done with them.
    Evaluated {
        namespace: std::mem::take(&mut w.ns),
        outputs: std::mem::take(&mut w.outputs),
        checks: Diagnostics(
            std::mem::take(&mut w.diags)
                .0
                .into_iter()
                .filter(|d| d.code == DiagCode::CheckAssertionFailed)
                .collect(),
        ),
    }
}

/// The region the provider block asks for (a literal, or variables), default us-east-1.
pub fn provider_region(cfg: &Config, inputs: &BTreeMap<String, RawVar>) -> String {
    let Some(attr) = cfg.provider.as_ref().and_then(|p| p.attr("region")) else {
        return "us-east-1".into();
    };
    match eval_with_vars(cfg, inputs, &attr.value) {
        Some(Value::String(s)) => s,
        _ => "us-east-1".into(),
    }
}

/// Evaluates an expression of the root module that may use only root variables (their values
/// from `inputs`, else their literal defaults): what is known before anything is planned.
pub fn eval_with_vars(
    cfg: &Config,
    inputs: &BTreeMap<String, RawVar>,
    e: &crate::config::Expr,
) -> Option<Value> {
    let mut ns = crate::eval::Namespace::new();
    for (name, v) in &cfg.variables {
        let value = match inputs.get(name) {
            Some(RawVar::Value(x)) => x.clone(),
            Some(RawVar::Text(t)) => Value::String(t.clone()),
            None => v
                .default
                .as_ref()
                .and_then(|d| crate::config::types::literal_value(&d.expr))
                .unwrap_or(Value::Unknown),
        };
        ns.set_in("var", name, value);
    }
    let ev = crate::eval::Evaluator::new(&ns, &cfg.dir);
    ev.eval(e).ok().filter(|v| !v.is_unknown())
}
