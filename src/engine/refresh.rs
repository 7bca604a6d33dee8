//! `keyform refresh`, as Terraform's: the state brought up to date with the simulated cloud.

use super::{Error, Prepared, evaluate};
use crate::addr::{InstanceAddr, TargetAddr};
use crate::diag::Diagnostic;
use crate::plan::{self, ValueSource};
use crate::provider::aws::AwsProvider;

/// What `keyform refresh` found.
pub(crate) struct Refreshed {
    /// The instances read back (all of them, or those `-target` names), in state order.
    pub read: Vec<InstanceAddr>,
    /// Objects that changed or were deleted outside keyform.
    pub drift: Vec<plan::ResourceChange>,
    /// Whether the state was saved (it differed).
    pub saved: bool,
}

/// `keyform refresh`: reads every managed instance (or those `targets` match) back from the
/// simulated cloud and saves what it found, with the outputs evaluated again, in the state.
/// The world is only read: nothing in it changes and nothing is recorded in CloudTrail.
pub(crate) fn refresh(p: &mut Prepared, targets: &[TargetAddr]) -> Result<Refreshed, Error> {
    let picked = |a: &InstanceAddr| targets.is_empty() || targets.iter().any(|t| t.matches(a));
    let mut subset = p.state.clone();
    subset.resources.retain(|a, _| picked(a));
    let read: Vec<InstanceAddr> = subset.managed().map(|(a, _)| a.clone()).collect();
    let sources = p.loaded.cfg.sources.clone();
    let (found, drift) = {
        let mut provider = AwsProvider::new(&mut p.cloud, &p.loaded.cfg.dir);
        plan::refresh(&subset, &mut provider).map_err(|d| Error::new(d, Some(sources.clone())))?
    };
    let mut state = p.state.clone();
    for a in &read {
        match found.resources.get(a) {
            Some(r) => {
                state.resources.insert(a.clone(), r.clone());
            }
            None => {
                state.resources.remove(a);
            }
        }
    }
    let cfg = &p.loaded.cfg;
    let values = evaluate(p.loaded.module(), &mut p.cloud, ValueSource::State(&state));
    state.outputs = values
        .outputs
        .into_iter()
        .filter(|(_, v)| !v.is_unknown())
        .map(|(k, value)| {
            let sensitive = cfg.outputs.get(&k).is_some_and(|o| o.sensitive);
            (k, crate::state::OutputState { value, sensitive })
        })
        .collect();
    let saved = state != p.state;
    if saved {
        state.serial += 1;
        p.ws.snapshot(&state, &mut p.cloud)
            .map_err(|e| Error::from(Diagnostic::error("Failed to save state", e.to_string())))?;
    }
    p.state = state;
    Ok(Refreshed { read, drift, saved })
}
