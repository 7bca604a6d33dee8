//! The provider boundary: the engine plans and applies through [`Provider`] and knows no service
//! internals. `aws` implements it on the simulated cloud.
//!
//! Two seams live here: [`Provider`] is the engine's view of a whole cloud (called by `plan` and
//! `apply` with a type name); [`Resource`] and [`DataSource`] are a provider's view of one type
//! (schema and CRUD), registered once per type in the provider's registry.

pub mod aws;
mod resource;
pub mod terraform;

pub use resource::{DataSource, Resource};

use crate::addr::Mode;
use crate::schema::ResourceSchema;
use crate::value::Map;

/// A provider call failed; `code` is the cloud's error code when there is one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub code: Option<String>,
    pub message: String,
    /// For a create that failed part way: the attributes of what it did create (read back),
    /// so the engine keeps it in the state as tainted, as Terraform keeps a partial state,
    /// rather than leave it in the cloud unmanaged and create it again next time.
    pub partial: Option<Map>,
}

impl ProviderError {
    pub fn new(message: impl Into<String>) -> ProviderError {
        ProviderError {
            code: None,
            message: message.into(),
            partial: None,
        }
    }

    /// A write succeeded but its object cannot be read back: `<doing> <what>: not found ...`.
    pub fn gone_after(doing: &str, what: &str) -> ProviderError {
        ProviderError::new(format!(
            "{doing} {what}: not found in the cloud right after the call"
        ))
    }
}

/// What a provider adds to a planned change beyond the generic schema rules.
#[derive(Debug, Clone, Default)]
pub struct PlanAdjustments {
    /// Attributes whose change forces replacement though the schema says in-place.
    pub requires_replace: Vec<String>,
    /// Warnings to show with the plan (e.g. bucket keys are ignored with DSSE-KMS).
    pub warnings: Vec<String>,
}

/// Reads, plans and applies resources of one cloud: the engine's only view of it.
///
/// Every call names the type by its name (`"aws_kms_key"`); an unknown type is an error, never
/// a panic. The maps exchanged hold every attribute of the type's schema (see
/// [`Resource`] for the full contract); the provider completes what it returns.
pub trait Provider {
    /// The type's schema, for validation, planning and rendering; `None` if unknown.
    fn schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema>;

    /// Reads a resource back from the cloud; `None` if it no longer exists. Called by `plan`'s
    /// refresh for every managed instance in the state; records nothing in the cloud.
    fn read(&mut self, kind: &str, prior: &Map) -> Result<Option<Map>, ProviderError>;

    /// Reads an existing object by its Terraform import id (for `import` blocks, during
    /// `plan`); `None` if no such object exists. Records nothing in the cloud.
    fn import(&mut self, kind: &str, id: &str) -> Result<Option<Map>, ProviderError>;

    /// Adjusts a planned value (`planned` starts as config merged with prior state). Called by
    /// `plan` for every instance in the configuration (`prior` is `None` on create, and again
    /// when a replacement is planned as a new object); calls no operation.
    fn plan(
        &self,
        kind: &str,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError>;

    /// Creates a resource as planned (by `apply`, in dependency order). On failure after the
    /// object came to exist, [`ProviderError::partial`] holds what was created.
    fn create(&mut self, kind: &str, planned: &Map) -> Result<Map, ProviderError>;

    /// Changes a resource in place (by `apply`, for a planned update).
    fn update(&mut self, kind: &str, prior: &Map, planned: &Map) -> Result<Map, ProviderError>;

    /// Destroys a resource (by `apply`, dependents first); already gone counts as done.
    fn delete(&mut self, kind: &str, prior: &Map) -> Result<(), ProviderError>;

    /// Reads a data source with its (known) configuration, during `plan` and again during
    /// `apply`; records nothing in the cloud.
    fn read_data(&mut self, kind: &str, config: &Map) -> Result<Map, ProviderError>;

    /// Words describing what destroying this resource does (KMS keys are only scheduled),
    /// shown with every planned change that deletes.
    fn destroy_note(&self, _kind: &str, _prior: &Map) -> Option<String> {
        None
    }

    /// What the cloud changed since the last call, to journal with the state change; `apply`
    /// takes it after each step when the workspace journals the world.
    fn take_world_delta(&mut self) -> Option<serde_json::Value> {
        None
    }
}
