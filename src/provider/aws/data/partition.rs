//! `data.aws_partition`: keyform simulates the commercial partition.

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::{DataSource, ProviderError};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::value::{Map, Value};

/// `data.aws_partition`.
pub(crate) struct Partition;

impl DataSource<AwsProvider<'_>> for Partition {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_partition",
            summary: "The partition (aws)",
            body: BodySchema::new(vec![
                A::computed("partition", string()),
                A::computed("dns_suffix", string()),
                A::computed("reverse_dns_prefix", string()),
                A::computed("id", string()),
            ]),
        }
    }

    fn read(&self, _aws: &AwsProvider<'_>, _config: &Map) -> Result<Map, ProviderError> {
        Ok(partition())
    }
}

/// `data.aws_partition`: keyform simulates the commercial partition.
fn partition() -> Map {
    let mut m = Map::new();
    m.insert("id".into(), Value::string("aws"));
    m.insert("partition".into(), Value::string("aws"));
    m.insert("dns_suffix".into(), Value::string("amazonaws.com"));
    m.insert("reverse_dns_prefix".into(), Value::string("com.amazonaws"));
    m
}
