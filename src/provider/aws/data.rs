//! The data sources that describe the lab itself: `aws_caller_identity` (lab-admin),
//! `aws_region` and `aws_partition`. `aws_kms_alias` lives with KMS and
//! `aws_iam_policy_document` in `policy_doc.rs`.
//!
//! Everything here is read from the world; nothing is recorded.

use super::common::{invalid, region_info, str_of};
use crate::provider::ProviderError;
use crate::sim::{LAB_ADMIN, World};
use crate::value::{Map, Value};

/// `data.aws_caller_identity`: keyform always acts as lab-admin.
pub(super) fn caller_identity(w: &World) -> Map {
    let (arn, user_id) = w.iam.users.get(LAB_ADMIN).map_or_else(
        || {
            (
                format!("arn:aws:iam::{}:user/{LAB_ADMIN}", w.account_id),
                String::new(),
            )
        },
        |u| (u.arn.clone(), u.user_id.clone()),
    );
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&w.account_id));
    m.insert("account_id".into(), Value::string(&w.account_id));
    m.insert("arn".into(), Value::string(arn));
    m.insert("user_id".into(), Value::string(user_id));
    m
}

/// `data.aws_region`: the world's region, or the one named by `region` (or deprecated `name`).
pub(super) fn region(w: &World, config: &Map) -> Result<Map, ProviderError> {
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

/// `data.aws_partition`: keyform simulates the commercial partition.
pub(super) fn partition() -> Map {
    let mut m = Map::new();
    m.insert("id".into(), Value::string("aws"));
    m.insert("partition".into(), Value::string("aws"));
    m.insert("dns_suffix".into(), Value::string("amazonaws.com"));
    m.insert("reverse_dns_prefix".into(), Value::string("com.amazonaws"));
    m
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::value::Map;

    #[test]
    fn lab_data_sources() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let id = p.read_data("aws_caller_identity", &Map::new()).unwrap();
        assert_complete(Mode::Data, "aws_caller_identity", &id);
        assert_eq!(id["account_id"], s("123456789012"));
        assert_eq!(id["arn"], s("arn:aws:iam::123456789012:user/lab-admin"));
        assert_eq!(
            id["user_id"],
            s(&p.cloud.world.iam.users["lab-admin"].user_id)
        );

        let r = p.read_data("aws_region", &Map::new()).unwrap();
        assert_complete(Mode::Data, "aws_region", &r);
        assert_eq!(r["region"], s("us-east-1"));
        assert_eq!(r["description"], s("US East (N. Virginia)"));
        assert_eq!(r["endpoint"], s("ec2.us-east-1.amazonaws.com"));
        let r = p
            .read_data("aws_region", &map(vec![("region", s("eu-west-1"))]))
            .unwrap();
        assert_eq!(r["description"], s("Europe (Ireland)"));
        assert!(
            p.read_data("aws_region", &map(vec![("region", s("mars-north-1"))]))
                .is_err()
        );

        let part = p.read_data("aws_partition", &Map::new()).unwrap();
        assert_complete(Mode::Data, "aws_partition", &part);
        assert_eq!(part["partition"], s("aws"));
        assert_eq!(part["dns_suffix"], s("amazonaws.com"));
        assert_eq!(part["reverse_dns_prefix"], s("com.amazonaws"));

        let doc = p.read_data("aws_iam_policy_document", &Map::new()).unwrap();
        assert_complete(Mode::Data, "aws_iam_policy_document", &doc);
        assert_eq!(doc["version"], s("2012-10-17"));
    }
}
