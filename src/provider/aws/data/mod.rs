//! The data sources, one file each: those that describe the lab itself (`aws_caller_identity`,
//! `aws_region`, `aws_partition`), the KMS lookups (`aws_kms_alias`, `aws_kms_key`) and the
//! policy renderer (`aws_iam_policy_document`), and the IAM lookups (`aws_iam_role`, `aws_iam_user`,
//! `aws_iam_policy`, in `iam_identities`).
//!
//! Everything here is read from the world (or from the configuration alone); nothing is
//! recorded.

pub(super) mod caller_identity;
pub(super) mod iam_identities;
pub(super) mod iam_policy_document;
pub(super) mod kms_alias;
pub(super) mod kms_key;
pub(super) mod partition;
pub(super) mod region;

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
