//! The AWS managed policies the simulated account offers, as the documents AWS publishes for
//! the default version keyform models (one JSON file each under `managed/`, embedded with
//! `include_str!` and parsed once, on first use).
//!
//! It does not attach policies to anyone (IAM does) nor evaluate them (see `evaluate`).

use std::sync::OnceLock;

use super::model::PolicyDocument;

/// One AWS managed policy.
#[derive(Debug)]
pub struct ManagedPolicy {
    /// Policy name, e.g. `AmazonS3FullAccess`.
    pub name: &'static str,
    /// `arn:aws:iam::aws:policy/<name>`.
    pub arn: &'static str,
    /// The policy's id as AWS shows it (`ANPA...`), where known.
    pub policy_id: Option<&'static str>,
    /// Id of the default version, e.g. `v2`.
    pub version: &'static str,
    /// When the default version was created (ISO 8601).
    pub version_created: &'static str,
    /// The default version's document.
    pub document: PolicyDocument,
}

struct ManagedSource {
    name: &'static str,
    id: Option<&'static str>,
    arn: &'static str,
    version: &'static str,
    created: &'static str,
    json: &'static str,
}

/// One row: the policy's name (its file under `managed/` and the tail of its ARN), its
/// `PolicyId` as AWS shows it (`-` where not known), the default version's id and creation time.
macro_rules! managed {
    (@id -) => { None };
    (@id $id:literal) => { Some($id) };
    ($($name:literal, $id:tt, $version:literal, $created:literal;)*) => {
        &[$(ManagedSource {
            name: $name,
            id: managed!(@id $id),
            arn: concat!("arn:aws:iam::aws:policy/", $name),
            version: $version,
            created: $created,
            json: include_str!(concat!("managed/", $name, ".json")),
        },)*]
    };
}

const MANAGED_SOURCES: &[ManagedSource] = managed! {
    "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", "2015-02-06T18:39:46+00:00";
    "AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE", "v2", "2021-09-27T20:16:37+00:00";
    "AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", "v3", "2023-08-10T21:31:39+00:00";
    "AWSKeyManagementServicePowerUser", "ANPAJNPP7PPPPMJRV2SA4", "v2", "2017-03-07T00:55:11+00:00";
    "IAMFullAccess", "ANPAI7XKCFMBPM3QQRRVQ", "v2", "2019-06-21T19:40:00+00:00";
    "IAMReadOnlyAccess", "ANPAJKSO7NDY4T57MWDSQ", "v4", "2018-01-25T19:11:27+00:00";
    "IAMUserChangePassword", "ANPAJ4L4MM2A7QIEB56MS", "v5", "2026-02-12T17:58:57+00:00";
    "AWSCloudTrail_FullAccess", -, "v3", "2021-02-22T19:01:00+00:00";
    "AWSCloudTrail_ReadOnlyAccess", -, "v1", "2022-06-14T17:19:05+00:00";
    "PowerUserAccess", "ANPAJYRXTHIB4FOVS3ZXS", "v12", "2026-02-12T17:59:14+00:00";
    "ViewOnlyAccess", "ANPAID22R6XPJATWOFDK6", "v43", "2026-02-12T18:02:40+00:00";
    "ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v178", "2026-02-12T18:01:33+00:00";
};

fn managed_catalogue() -> &'static [ManagedPolicy] {
    static POLICIES: OnceLock<Vec<ManagedPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        // The texts are constants that a unit test parses; one that failed to parse would only
        // be missing from the catalogue, never a panic.
        MANAGED_SOURCES
            .iter()
            .filter_map(|s| {
                PolicyDocument::parse(s.json)
                    .ok()
                    .map(|document| ManagedPolicy {
                        name: s.name,
                        arn: s.arn,
                        policy_id: s.id,
                        version: s.version,
                        version_created: s.created,
                        document,
                    })
            })
            .collect()
    })
}

/// The managed policy with this ARN (`arn:aws:iam::aws:policy/AmazonS3FullAccess`) or bare name
/// (`AmazonS3FullAccess`); names are case-sensitive, as in IAM.
pub fn managed_policy_info(arn_or_name: &str) -> Option<&'static ManagedPolicy> {
    managed_catalogue()
        .iter()
        .find(|p| p.arn == arn_or_name || p.name == arn_or_name)
}

/// The document of the managed policy with this ARN or name.
pub fn managed_policy(arn_or_name: &str) -> Option<&'static PolicyDocument> {
    managed_policy_info(arn_or_name).map(|p| &p.document)
}

/// ARNs of every managed policy offered, in a stable order.
pub fn managed_policy_arns() -> &'static [&'static str] {
    static ARNS: OnceLock<Vec<&'static str>> = OnceLock::new();
    ARNS.get_or_init(|| MANAGED_SOURCES.iter().map(|s| s.arn).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::*;

    // --- managed policies -------------------------------------------------------------------

    fn user_ctx(action: &str) -> RequestContext {
        RequestContext::new(
            Caller::Principal {
                arn: "arn:aws:iam::123456789012:user/alice".into(),
                account: "123456789012".into(),
            },
            action,
            "arn:aws:s3:::bucket/key",
        )
    }

    fn allowed_by(policy: &str, action: &str) -> bool {
        let doc = managed_policy(policy).expect("managed policy exists");
        let source = PolicySource {
            label: format!("managed policy {policy}"),
            kind: PolicyKind::Identity,
            doc,
        };
        decide_standard(&user_ctx(action), &[source], &[]).0 == Decision::Allow
    }

    #[test]
    fn every_listed_managed_arn_resolves_to_a_valid_identity_policy() {
        assert_eq!(
            managed_catalogue().len(),
            MANAGED_SOURCES.len(),
            "every managed policy text parses"
        );
        for arn in managed_policy_arns() {
            let info = managed_policy_info(arn).expect("listed ARN resolves");
            assert_eq!(info.arn, *arn);
            assert_eq!(*arn, format!("arn:aws:iam::aws:policy/{}", info.name));
            info.document
                .validate_for(PolicyKind::Identity)
                .expect("valid identity policy");
        }
        assert_eq!(managed_policy_arns().len(), MANAGED_SOURCES.len());
    }

    #[test]
    fn lookup_by_name_or_arn_and_unknown_names() {
        let by_name = managed_policy("AmazonS3FullAccess").expect("by name");
        let by_arn = managed_policy("arn:aws:iam::aws:policy/AmazonS3FullAccess").expect("by arn");
        assert!(std::ptr::eq(by_name, by_arn));
        assert!(managed_policy("amazons3fullaccess").is_none());
        assert!(managed_policy("ReadOnlyAccess2").is_none());
        assert!(managed_policy("arn:aws:iam::123456789012:policy/AmazonS3FullAccess").is_none());
    }

    #[test]
    fn administrator_access_allows_everything() {
        assert!(allowed_by("AdministratorAccess", "kms:Decrypt"));
        assert!(allowed_by("AdministratorAccess", "iam:CreateUser"));
    }

    #[test]
    fn s3_policies_grant_no_kms_action() {
        for p in ["AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"] {
            assert!(
                !allowed_by(p, "kms:Decrypt"),
                "{p} must not grant kms:Decrypt"
            );
            assert!(!allowed_by(p, "kms:GenerateDataKey"), "{p}");
        }
        assert!(allowed_by("AmazonS3FullAccess", "s3:PutObject"));
        assert!(allowed_by("AmazonS3ReadOnlyAccess", "s3:GetObject"));
        assert!(allowed_by("AmazonS3ReadOnlyAccess", "s3:ListBucket"));
        assert!(!allowed_by("AmazonS3ReadOnlyAccess", "s3:PutObject"));
        assert!(!allowed_by("AmazonS3ReadOnlyAccess", "s3:DeleteObject"));
    }

    #[test]
    fn kms_power_user_has_no_crypto_or_destructive_actions() {
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:CreateKey"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:DescribeKey"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:GetKeyPolicy"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "iam:ListUsers"
        ));
        for denied in [
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
        ] {
            assert!(
                !allowed_by("AWSKeyManagementServicePowerUser", denied),
                "{denied}"
            );
        }
    }

    #[test]
    fn the_course_policies_grant_what_their_names_say() {
        // (policy, action, allowed)
        let cases = [
            ("ReadOnlyAccess", "kms:DescribeKey", true),
            ("ReadOnlyAccess", "kms:ListKeys", true),
            ("ReadOnlyAccess", "s3:GetObject", true),
            ("ReadOnlyAccess", "cloudtrail:LookupEvents", true),
            ("ReadOnlyAccess", "kms:Decrypt", false),
            ("ReadOnlyAccess", "s3:PutObject", false),
            ("ReadOnlyAccess", "iam:CreateUser", false),
            ("ViewOnlyAccess", "s3:ListAllMyBuckets", true),
            ("ViewOnlyAccess", "s3:GetObject", false),
            ("ViewOnlyAccess", "kms:Decrypt", false),
            ("IAMFullAccess", "iam:CreateRole", true),
            ("IAMFullAccess", "iam:PutUserPolicy", true),
            ("IAMFullAccess", "kms:CreateKey", false),
            ("IAMReadOnlyAccess", "iam:GetRole", true),
            ("IAMReadOnlyAccess", "iam:ListUsers", true),
            ("IAMReadOnlyAccess", "iam:CreateUser", false),
            (
                "AWSCloudTrail_ReadOnlyAccess",
                "cloudtrail:LookupEvents",
                true,
            ),
            (
                "AWSCloudTrail_ReadOnlyAccess",
                "cloudtrail:DescribeTrails",
                true,
            ),
            (
                "AWSCloudTrail_ReadOnlyAccess",
                "cloudtrail:CreateTrail",
                false,
            ),
            ("AWSCloudTrail_FullAccess", "cloudtrail:CreateTrail", true),
            ("AWSCloudTrail_FullAccess", "kms:ListKeys", true),
            ("AWSCloudTrail_FullAccess", "kms:Decrypt", false),
            ("PowerUserAccess", "kms:Decrypt", true),
            ("PowerUserAccess", "iam:ListRoles", true),
            ("PowerUserAccess", "iam:CreateUser", false),
        ];
        for (policy, action, want) in cases {
            assert_eq!(allowed_by(policy, action), want, "{policy} {action}");
        }
    }
}
