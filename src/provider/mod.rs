//! The provider boundary: the engine plans and applies through [`Provider`] and knows no service
//! internals. `aws` implements it on the simulated cloud.

pub mod aws;

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
}

/// What a provider adds to a planned change beyond the generic schema rules.
#[derive(Debug, Clone, Default)]
pub struct PlanAdjustments {
    /// Attributes whose change forces replacement though the schema says in-place.
    pub requires_replace: Vec<String>,
    /// Warnings to show with the plan (e.g. bucket keys are ignored with DSSE-KMS).
    pub warnings: Vec<String>,
}

/// Reads, plans and applies resources of one cloud.
pub trait Provider {
    fn schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema>;

    /// Reads a resource back from the cloud; `None` if it no longer exists.
    fn read(&mut self, kind: &str, prior: &Map) -> Result<Option<Map>, ProviderError>;

    /// Adjusts a planned value (`planned` starts as config merged with prior state).
    fn plan(
        &self,
        kind: &str,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError>;

    fn create(&mut self, kind: &str, planned: &Map) -> Result<Map, ProviderError>;

    fn update(&mut self, kind: &str, prior: &Map, planned: &Map) -> Result<Map, ProviderError>;

    fn delete(&mut self, kind: &str, prior: &Map) -> Result<(), ProviderError>;

    /// Reads a data source with its (known) configuration.
    fn read_data(&mut self, kind: &str, config: &Map) -> Result<Map, ProviderError>;

    /// Words describing what destroying this resource does (KMS keys are only scheduled).
    fn destroy_note(&self, _kind: &str, _prior: &Map) -> Option<String> {
        None
    }

    /// What the cloud changed since the last call, to journal with the state change.
    fn take_world_delta(&mut self) -> Option<serde_json::Value> {
        None
    }
}
