//! The AWS provider on the simulated cloud: maps each resource type's create/read/update/delete
//! onto sim API calls made as lab-admin, and renders data sources. No business rules live here:
//! the cloud enforces them.

mod schemas;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::addr::Mode;
use crate::config::SchemaSource;
use crate::provider::schema::ResourceSchema;
use crate::provider::{PlanAdjustments, Provider, ProviderError};
use crate::sim::{CallContext, Cloud};
use crate::value::Map;

/// The schemas of every simulated resource type and data source.
pub struct AwsSchemas {
    resources: HashMap<&'static str, ResourceSchema>,
    data: HashMap<&'static str, ResourceSchema>,
}

impl AwsSchemas {
    pub fn get() -> &'static AwsSchemas {
        static S: OnceLock<AwsSchemas> = OnceLock::new();
        S.get_or_init(|| AwsSchemas {
            resources: schemas::resources()
                .into_iter()
                .map(|s| (s.kind, s))
                .collect(),
            data: schemas::data_sources()
                .into_iter()
                .map(|s| (s.kind, s))
                .collect(),
        })
    }
}

impl SchemaSource for AwsSchemas {
    fn resource_schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        match mode {
            Mode::Managed => self.resources.get(kind),
            Mode::Data => self.data.get(kind),
        }
    }

    fn resource_kinds(&self, mode: Mode) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match mode {
            Mode::Managed => self.resources.keys().copied().collect(),
            Mode::Data => self.data.keys().copied().collect(),
        };
        v.sort_unstable();
        v
    }

    fn is_known_unsupported(&self, mode: Mode, kind: &str) -> bool {
        mode == Mode::Managed
            && schemas::KNOWN_UNSUPPORTED.contains(&kind)
            && !self.resources.contains_key(kind)
    }
}

/// The provider instance for one command: the cloud it acts on, as lab-admin.
pub struct AwsProvider<'a> {
    pub cloud: &'a mut Cloud,
    /// The configuration directory (`source` of aws_s3_object is confined to it).
    pub base_dir: PathBuf,
    pub ctx: CallContext,
}

impl<'a> AwsProvider<'a> {
    pub fn new(cloud: &'a mut Cloud, base_dir: &Path) -> AwsProvider<'a> {
        AwsProvider {
            cloud,
            base_dir: base_dir.to_path_buf(),
            ctx: CallContext::lab_admin(),
        }
    }
}

impl Provider for AwsProvider<'_> {
    fn schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        AwsSchemas::get().resource_schema(mode, kind)
    }

    fn read(&mut self, kind: &str, _prior: &Map) -> Result<Option<Map>, ProviderError> {
        Err(ProviderError::new(format!(
            "{kind}: read not implemented yet"
        )))
    }

    fn plan(
        &self,
        _kind: &str,
        _prior: Option<&Map>,
        _planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        Ok(PlanAdjustments::default())
    }

    fn create(&mut self, kind: &str, _planned: &Map) -> Result<Map, ProviderError> {
        Err(ProviderError::new(format!(
            "{kind}: create not implemented yet"
        )))
    }

    fn update(&mut self, kind: &str, _prior: &Map, _planned: &Map) -> Result<Map, ProviderError> {
        Err(ProviderError::new(format!(
            "{kind}: update not implemented yet"
        )))
    }

    fn delete(&mut self, kind: &str, _prior: &Map) -> Result<(), ProviderError> {
        Err(ProviderError::new(format!(
            "{kind}: delete not implemented yet"
        )))
    }

    fn read_data(&mut self, kind: &str, _config: &Map) -> Result<Map, ProviderError> {
        Err(ProviderError::new(format!(
            "{kind}: read not implemented yet"
        )))
    }
}
