//! `data.aws_region`: the world's region, or the one the configuration names.

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{invalid, region_info, str_of};
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

/// `data.aws_region`.
pub(crate) struct Region;

impl DataSource<AwsProvider<'_>> for Region {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_region",
            summary: "The lab's region",
            body: BodySchema::new(vec![
                A::optional_computed("name", string()),
                A::optional_computed("region", string()),
                A::computed("description", string()),
                A::computed("endpoint", string()),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        region(&aws.cloud.world, config)
    }
}

/// `data.aws_region`: the world's region, or the one named by `region` (or deprecated `name`).
fn region(w: &World, config: &Map) -> Result<Map, ProviderError> {
    let code = str_of(config, "region")
        .or_else(|| str_of(config, "name"))
        .unwrap_or(&w.region);
    let description = match region_info(code) {
        Some((_, d, _)) => d,
        None if code == w.region => "",
        None => {
            return Err(invalid(format!(
                "reading AWS Region: region {code:?} not found in partition aws"
            )));
        }
    };
    let mut m = Map::new();
    m.insert("id".into(), Value::string(code));
    m.insert("name".into(), Value::string(code));
    m.insert("region".into(), Value::string(code));
    m.insert("description".into(), Value::string(description));
    m.insert(
        "endpoint".into(),
        Value::string(format!("ec2.{code}.amazonaws.com")),
    );
    Ok(m)
}
