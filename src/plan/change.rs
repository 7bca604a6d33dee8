//! The plan's data: one [`ResourceChange`] per instance, output changes, and what the plan was
//! made from (lineage, serial, variables, configuration digest) so a saved plan can be checked.

use std::collections::BTreeMap;

use crate::addr::InstanceAddr;
use crate::diag::Diagnostics;
use crate::value::{Map, Value};

/// What apply will do to one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    /// Replace: destroy the old object, then create the new one.
    DeleteThenCreate,
    /// Replace with `create_before_destroy`.
    CreateThenDelete,
    Delete,
}

impl Action {
    /// Terraform's symbol for the action.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
        }
    }

    /// The `actions` list of Terraform's JSON plan.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Read => &["read"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
        }
    }

    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    pub fn deletes(self) -> bool {
        matches!(
            self,
            Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete
        )
    }

    pub fn creates(self) -> bool {
        matches!(
            self,
            Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete
        )
    }
}

/// Why an instance is replaced or deleted, beyond attribute diffs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Reason {
    Tainted,
    ReplaceRequested,
    /// No longer in the configuration.
    NoResourceConfig,
    /// The instance key is no longer produced by count/for_each.
    NoInstanceKey,
    /// The module instance it was in (`module.k[1]`) is no longer produced by the call's
    /// count/for_each.
    NoModuleInstance,
    Destroy,
    /// A data source read at apply time because its `depends_on` has changes pending.
    ReadDependencyPending,
}

/// One instance's planned change.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceChange {
    pub addr: InstanceAddr,
    pub action: Action,
    pub before: Option<Map>,
    pub after: Option<Map>,
    /// Attributes whose change forces replacement.
    pub replace_paths: Vec<String>,
    pub reason: Option<Reason>,
    /// Resource-level addresses this instance depends on.
    pub dependencies: Vec<String>,
    /// Attributes never shown (sensitive in the schema).
    pub sensitive: Vec<String>,
    /// Extra words from the provider ("will be scheduled for deletion in 7 days").
    pub note: Option<String>,
}

/// An output's planned value.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputChange {
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

/// Whether a plan creates/updates everything or destroys everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PlanMode {
    Normal,
    Destroy,
}

/// A whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: PlanMode,
    /// Every instance considered, including no-ops, sorted by address (an invariant
    /// [`Plan::change`] relies on).
    pub changes: Vec<ResourceChange>,
    /// Differences found by refresh (objects changed outside keyform).
    pub drift: Vec<ResourceChange>,
    pub outputs: BTreeMap<String, OutputChange>,
    pub warnings: Diagnostics,
    pub prior_lineage: String,
    pub prior_serial: u64,
    /// Values of input variables the plan was made with (replayed by apply).
    pub variables: BTreeMap<String, Value>,
    /// SHA-256 over the configuration files, so a saved plan notices edits.
    pub config_digest: String,
    /// Targets the plan was limited to (addresses as text).
    pub targets: Vec<String>,
    /// Instances `moved` blocks re-addressed: (from, to).
    pub moved: Vec<(InstanceAddr, InstanceAddr)>,
    /// Instances `removed` blocks with `destroy = false` drop from state (objects kept), as
    /// no-op changes holding their last state.
    pub forget: Vec<ResourceChange>,
    /// Instances `import` blocks bring under management, with their import ids.
    pub imports: Vec<(InstanceAddr, String)>,
    /// Imported instances whose configuration `-generate-config-out` wrote.
    pub generated: Vec<InstanceAddr>,
}

impl Plan {
    /// Changes that do something (a move or an import alone counts: the state changes).
    pub fn effective(&self) -> impl Iterator<Item = &ResourceChange> {
        self.changes.iter().filter(|c| {
            c.action != Action::NoOp
                || self.moved_from(&c.addr).is_some()
                || self.import_id(&c.addr).is_some()
        })
    }

    /// The import id of an instance this plan imports.
    pub fn import_id(&self, addr: &InstanceAddr) -> Option<&str> {
        self.imports
            .iter()
            .find(|(a, _)| a == addr)
            .map(|(_, id)| id.as_str())
    }

    /// The address an instance had before a `moved` block moved it.
    pub fn moved_from(&self, to: &InstanceAddr) -> Option<&InstanceAddr> {
        self.moved.iter().find(|(_, t)| t == to).map(|(f, _)| f)
    }

    /// (add, change, destroy) counts as Terraform's summary line counts them.
    pub fn counts(&self) -> (usize, usize, usize) {
        let (mut add, mut change, mut destroy) = (0, 0, 0);
        for c in self.effective() {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1;
                }
                Action::NoOp | Action::Read => {}
            }
        }
        (add, change, destroy)
    }

    /// True if applying would change infrastructure or outputs.
    pub fn has_changes(&self) -> bool {
        self.effective().any(|c| c.action != Action::Read)
            || self.outputs.values().any(|o| o.before != o.after)
    }

    /// The change of one instance (`changes` is kept sorted by address).
    pub fn change(&self, addr: &InstanceAddr) -> Option<&ResourceChange> {
        self.changes
            .binary_search_by(|c| c.addr.cmp(addr))
            .ok()
            .map(|i| &self.changes[i])
    }
}
