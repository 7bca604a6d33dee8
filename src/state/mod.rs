//! What keyform believes exists: resource instances with their attributes and dependencies, and
//! outputs. No I/O here; `file` encodes it, `workspace` stores it.

pub mod file;

use std::collections::BTreeMap;

use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::value::{Map, Value};

/// One resource instance as last applied or refreshed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInstance {
    pub attrs: Map,
    /// Addresses (resource level, e.g. `aws_kms_key.lab`) this instance depended on.
    pub dependencies: Vec<String>,
    /// Created but a postcondition or a later step failed: replace on the next apply.
    pub tainted: bool,
}

/// An output value as last applied.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputState {
    pub value: Value,
    pub sensitive: bool,
}

/// The state of one working directory.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub serial: u64,
    pub lineage: String,
    pub resources: BTreeMap<InstanceAddr, ResourceInstance>,
    pub outputs: BTreeMap<String, OutputState>,
}

impl State {
    pub fn new(lineage: String) -> State {
        State {
            serial: 0,
            lineage,
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
        }
    }

    /// Managed resource instances only (data sources are re-read on every plan).
    pub fn managed(&self) -> impl Iterator<Item = (&InstanceAddr, &ResourceInstance)> {
        self.resources
            .iter()
            .filter(|(a, _)| a.resource.mode == Mode::Managed)
    }

    /// The instances of one resource block (a range of the ordered map, not a scan).
    pub fn instances_of<'a>(
        &'a self,
        r: &'a ResourceAddr,
    ) -> impl Iterator<Item = (&'a InstanceAddr, &'a ResourceInstance)> + 'a {
        let start = r.instance(crate::addr::InstanceKey::None);
        self.resources
            .range(start..)
            .take_while(move |(a, _)| &a.resource == r)
    }

    pub fn is_empty(&self) -> bool {
        self.managed().next().is_none()
    }
}

/// One change to a state, as journaled during apply.
#[derive(Debug, Clone, PartialEq)]
pub enum StateOp {
    Put(InstanceAddr, ResourceInstance),
    Remove(InstanceAddr),
    Outputs(BTreeMap<String, OutputState>),
}

impl State {
    pub fn apply_op(&mut self, op: &StateOp) {
        match op {
            StateOp::Put(a, r) => {
                self.resources.insert(a.clone(), r.clone());
            }
            StateOp::Remove(a) => {
                self.resources.remove(a);
            }
            StateOp::Outputs(o) => self.outputs = o.clone(),
        }
    }
}
