//! The registry of the AWS provider: the one place a resource type or data source is listed.
//!
//! Adding a type is a new file (its schema and CRUD, implementing [`Resource`] or
//! [`DataSource`]), its `mod` line in the service's `mod.rs`, and one line here. Everything else
//! (schema lookup for config and plan, dispatch of every provider call, `resource_kinds` for
//! suggestions) comes from these tables.
//!
//! Does not own any type's behaviour, nor the type-independent provider work (the dispatcher in
//! `mod.rs` does that).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{AwsProvider, cloudtrail, data, iam, kms, s3};
use crate::addr::Mode;
use crate::provider::{DataSource, ProviderError, Resource};
use crate::schema::{ResourceSchema, SchemaSource};

/// A managed resource type of the AWS provider, for any lifetime of the provider's cloud borrow.
pub(super) type AwsResource = dyn for<'a> Resource<AwsProvider<'a>>;

/// A data source of the AWS provider.
pub(super) type AwsDataSource = dyn for<'a> DataSource<AwsProvider<'a>>;

/// Every managed resource type keyform simulates.
static RESOURCES: &[&AwsResource] = &[
    &kms::key::Key,
    &kms::external_key::ExternalKey,
    &kms::alias::Alias,
    &kms::key_policy::KeyPolicy,
    &kms::grant::Grant,
    &kms::ciphertext::Ciphertext,
    &s3::bucket::Bucket,
    &s3::bucket_server_side_encryption_configuration::BucketServerSideEncryptionConfiguration,
    &s3::bucket_public_access_block::BucketPublicAccessBlock,
    &s3::bucket_policy::BucketPolicy,
    &s3::bucket_versioning::BucketVersioning,
    &s3::object::Object,
    &s3::object_copy::ObjectCopy,
    &iam::user::User,
    &iam::policy::Policy,
    &iam::user_policy::UserPolicy,
    &iam::access_key::AccessKey,
    &iam::user_policy_attachment::UserPolicyAttachment,
    &iam::role::Role,
    &iam::holder_policy::ROLE_POLICY,
    &iam::holder_policy_attachment::ROLE_ATTACHMENT,
    &iam::group::Group,
    &iam::holder_policy::GROUP_POLICY,
    &iam::holder_policy_attachment::GROUP_ATTACHMENT,
    &iam::group::GroupMembership,
    &iam::group::UserGroupMembership,
    &iam::user_login_profile::UserLoginProfile,
    &cloudtrail::trail::Trail,
    &crate::provider::terraform::TerraformData,
];

/// Every data source keyform simulates.
static DATA_SOURCES: &[&AwsDataSource] = &[
    &data::iam_policy_document::PolicyDocument,
    &data::caller_identity::CallerIdentity,
    &data::region::Region,
    &data::partition::Partition,
    &data::kms_alias::KmsAlias,
    &data::kms_key::KmsKey,
    &data::iam_identities::RoleData,
    &data::iam_identities::UserData,
    &data::iam_identities::PolicyData,
];

/// Resource types of the AWS provider that keyform recognises but does not simulate.
const KNOWN_UNSUPPORTED: &[&str] = &[
    "aws_instance",
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_lambda_function",
    "aws_kms_replica_key",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_notification",
    "aws_dynamodb_table",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_cloudwatch_log_group",
    "aws_iam_user_login_profile",
];

/// A registered type: its schema, built once, and its implementation.
pub(super) struct Registered<T: ?Sized + 'static> {
    pub(super) schema: ResourceSchema,
    pub(super) imp: &'static T,
}

/// The schemas of every simulated resource type and data source, by type name.
pub struct AwsSchemas {
    resources: HashMap<&'static str, Registered<AwsResource>>,
    data: HashMap<&'static str, Registered<AwsDataSource>>,
}

impl AwsSchemas {
    pub fn get() -> &'static AwsSchemas {
        static S: OnceLock<AwsSchemas> = OnceLock::new();
        S.get_or_init(|| AwsSchemas {
            resources: RESOURCES
                .iter()
                .map(|&imp| {
                    let schema = imp.schema();
                    (schema.kind, Registered { schema, imp })
                })
                .collect(),
            data: DATA_SOURCES
                .iter()
                .map(|&imp| {
                    let schema = imp.schema();
                    (schema.kind, Registered { schema, imp })
                })
                .collect(),
        })
    }
}

impl SchemaSource for AwsSchemas {
    fn resource_schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        match mode {
            Mode::Managed => self.resources.get(kind).map(|r| &r.schema),
            Mode::Data => self.data.get(kind).map(|r| &r.schema),
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
            && KNOWN_UNSUPPORTED.contains(&kind)
            && !self.resources.contains_key(kind)
    }
}

fn unsupported(kind: &str) -> ProviderError {
    ProviderError::new(format!(
        "the AWS provider of keyform has no resource type {kind:?}"
    ))
}

/// The registered resource type of that name.
pub(super) fn resource(kind: &str) -> Result<&'static Registered<AwsResource>, ProviderError> {
    AwsSchemas::get()
        .resources
        .get(kind)
        .ok_or_else(|| unsupported(kind))
}

/// The registered data source of that name.
pub(super) fn data_source(kind: &str) -> Result<&'static Registered<AwsDataSource>, ProviderError> {
    AwsSchemas::get()
        .data
        .get(kind)
        .ok_or_else(|| unsupported(kind))
}

/// The body schema of a resource type or data source.
#[cfg(test)]
pub(super) fn body(
    mode: Mode,
    kind: &str,
) -> Result<&'static crate::schema::BodySchema, ProviderError> {
    AwsSchemas::get()
        .resource_schema(mode, kind)
        .map(|s| &s.body)
        .ok_or_else(|| unsupported(kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_registered_once() {
        let s = AwsSchemas::get();
        assert_eq!(
            s.resources.len(),
            RESOURCES.len(),
            "duplicate resource kind"
        );
        assert_eq!(
            s.data.len(),
            DATA_SOURCES.len(),
            "duplicate data source kind"
        );
    }
}
