//! Terraform's built-in provider (`terraform.io/builtin/terraform`): the `terraform_data`
//! managed resource, which stores a value in state and creates nothing in the cloud.
//!
//! Its plan rules are Terraform 1.11's: `output` is unknown whenever `input` changes (and on
//! create, unless `input` is null); a change of `triggers_replace` replaces the instance, which
//! gets a new `id`. It is registered beside the AWS types so every command finds it through
//! the one registry; the state file names its provider as Terraform does.

use crate::provider::aws::AwsProvider;
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType, BodySchema, ResourceSchema};
use crate::value::{Map, Value};

/// The provider address Terraform writes in state for `terraform_data`.
pub const PROVIDER: &str = "provider[\"terraform.io/builtin/terraform\"]";

/// Whether a resource type belongs to the built-in provider.
pub fn is_builtin(kind: &str) -> bool {
    kind == "terraform_data"
}

/// `terraform_data`.
pub(crate) struct TerraformData;

impl Resource<AwsProvider<'_>> for TerraformData {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "terraform_data",
            summary: "A value stored in state (Terraform's built-in provider)",
            body: BodySchema::new(vec![
                A::optional("input", AttrType::Dynamic),
                A::optional("triggers_replace", AttrType::Dynamic).force_new(),
                A::computed("output", AttrType::Dynamic),
                A::computed("id", AttrType::String),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        "terraform_data"
    }

    /// Nothing exists outside the state, so what state holds is what there is.
    fn read(&self, _p: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        Some(prior.clone())
    }

    fn plan(
        &self,
        _p: &AwsProvider<'_>,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        let input = planned.get("input").cloned().unwrap_or(Value::Null);
        let changed = match prior {
            None => !input.is_null(),
            Some(p) => p.get("input").unwrap_or(&Value::Null) != &input,
        };
        if prior.is_none() && input.is_null() {
            planned.insert("output".into(), Value::Null);
        } else if changed {
            planned.insert("output".into(), Value::Unknown);
        }
        Ok(PlanAdjustments::default())
    }

    fn create(&self, p: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let mut m = planned.clone();
        m.insert("id".into(), Value::String(p.cloud.world.ids.uuid()));
        m.insert(
            "output".into(),
            planned.get("input").cloned().unwrap_or(Value::Null),
        );
        Ok(m)
    }

    fn update(
        &self,
        _p: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let mut m = planned.clone();
        m.insert("id".into(), prior.get("id").cloned().unwrap_or(Value::Null));
        m.insert(
            "output".into(),
            planned.get("input").cloned().unwrap_or(Value::Null),
        );
        Ok(m)
    }

    fn delete(&self, _p: &mut AwsProvider<'_>, _prior: &Map) -> Result<(), ProviderError> {
        Ok(())
    }
}
