//! KMS key policies: the default policy and the one AWS gives `aws/s3`, Get/Put/ListKeyPolicies,
//! and the checks of a new policy (size, syntax, the lockout safety check).
//!
//! Evaluating key policies is `policy`'s and `authz`'s work, not this file's.

use serde_json::{Value as Json, json};

use super::{IdForms, KmsError, kms_op};
use crate::sim::policy::{PolicyDocument, PolicyError};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_str, req_str};

impl Cloud {
    /// The policy AWS gives `aws/s3`: any principal of the account may use it through S3.
    pub(super) fn aws_managed_s3_key_policy(&self) -> String {
        let acct = &self.world.account_id;
        serde_json::to_string_pretty(&json!({
            "Version": "2012-10-17",
            "Id": "auto-s3-2",
            "Statement": [
                {
                    "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {
                        "kms:CallerAccount": acct,
                        "kms:ViaService": format!("s3.{}.amazonaws.com", self.world.region)
                    }}
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                    "Resource": "*"
                }
            ]
        }))
        .unwrap_or_default()
    }

    pub(super) fn default_key_policy(&self) -> String {
        serde_json::to_string_pretty(&json!({
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": self.world.root_arn()},
                "Action": "kms:*",
                "Resource": "*"
            }]
        }))
        .unwrap_or_default()
    }

    /// Checks a policy document for KMS: parses, limits, principals that exist, and the lockout
    /// safety check.
    pub(super) fn check_key_policy(
        &mut self,
        ctx: &CallContext,
        policy: &str,
        bypass: bool,
        key_arn: &str,
    ) -> Result<(), KmsError> {
        if policy.len() > 32_768 {
            return Err(KmsError::KeyPolicyTooLarge);
        }
        let doc = PolicyDocument::parse(policy).map_err(|e| match e {
            PolicyError::InvalidPrincipal { .. } => KmsError::InvalidPrincipal,
            e => KmsError::MalformedPolicy(e),
        })?;
        if self.invalid_principal(policy).is_some() {
            return Err(KmsError::InvalidPrincipal);
        }
        if !bypass && !self.key_policy_lets_caller_manage(ctx, &doc, key_arn) {
            return Err(KmsError::LockoutRisk);
        }
        Ok(())
    }

    /// ListKeyPolicies: a key has exactly one policy, `default`.
    pub fn kms_list_key_policies(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("ListKeyPolicies", p, true), |c, t| {
            c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:ListKeyPolicies", &[])?;
            Ok(json!({"PolicyNames": ["default"], "Truncated": false}))
        })
    }

    pub fn kms_get_key_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let name = opt_str(p, "PolicyName")?.unwrap_or("default").to_string();
        self.run(ctx, kms_op("GetKeyPolicy", p, true), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:GetKeyPolicy", &[])?;
            if name != "default" {
                return Err(KmsError::NoSuchKeyPolicy { name }.into());
            }
            Ok(json!({"Policy": c.key(&id)?.policy, "PolicyName": "default"}))
        })
    }

    pub fn kms_put_key_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let policy = req_str(p, "Policy")?.to_string();
        let name = opt_str(p, "PolicyName")?.unwrap_or("default").to_string();
        let bypass = opt_bool(p, "BypassPolicyLockoutSafetyCheck")?.unwrap_or(false);
        self.run(ctx, kms_op("PutKeyPolicy", p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:PutKeyPolicy", &[])?;
            if name != "default" {
                return Err(KmsError::PolicyNameNotDefault.into());
            }
            let arn = c.key_arn(&id);
            c.check_key_policy(ctx, &policy, bypass, &arn)?;
            c.key_mut(&id)?.policy = policy;
            Ok(json!({}))
        })
    }
}
