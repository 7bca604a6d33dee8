//! IAM's and STS's operations: handler, input shape and the authorization each performs (all
//! decided by identity policies: IAM has no resource policies for users and managed policies).

use super::access::{Res, identity};
use super::param::ParamType::*;
use super::param::{Param, opt, req};
use super::{EventKind, Handler, JsonFn, Operation};
use crate::sim::Cloud;

const fn op(
    name: &'static str,
    handler: JsonFn,
    params: &'static [Param],
    mutates: bool,
    checks: &'static [super::access::Check],
) -> Operation {
    Operation {
        name,
        handler: Handler::Json(handler),
        params,
        mutates,
        event: EventKind::Management,
        checks,
        output_blobs: &[],
    }
}

const USER: Param = req("UserName", String);
/// The caller when absent (GetUser, the access-key operations).
const USER_OR_CALLER: Param = opt("UserName", String);
const POLICY_ARN: Param = req("PolicyArn", String);
const DOCUMENT: Param = req("PolicyDocument", PolicyDocument);

pub(super) const OPS: &[Operation] = &[
    op(
        "sts:GetCallerIdentity",
        Cloud::sts_get_caller_identity,
        &[],
        false,
        // AWS answers GetCallerIdentity whatever the policies say.
        &[],
    ),
    op(
        "iam:CreateUser",
        Cloud::iam_create_user,
        &[USER, opt("Path", String)],
        true,
        &[identity("iam:CreateUser", Res::User)],
    ),
    op(
        "iam:GetUser",
        Cloud::iam_get_user,
        &[USER_OR_CALLER],
        false,
        &[identity("iam:GetUser", Res::User)],
    ),
    op(
        "iam:ListUsers",
        Cloud::iam_list_users,
        &[],
        false,
        &[identity("iam:ListUsers", Res::Star)],
    ),
    op(
        "iam:UpdateUser",
        Cloud::iam_update_user,
        &[USER, opt("NewUserName", String), opt("NewPath", String)],
        true,
        &[identity("iam:UpdateUser", Res::User)],
    ),
    op(
        "iam:DeleteUser",
        Cloud::iam_delete_user,
        &[USER],
        true,
        &[identity("iam:DeleteUser", Res::User)],
    ),
    op(
        "iam:PutUserPolicy",
        Cloud::iam_put_user_policy,
        &[USER, req("PolicyName", String), DOCUMENT],
        true,
        &[identity("iam:PutUserPolicy", Res::User)],
    ),
    op(
        "iam:GetUserPolicy",
        Cloud::iam_get_user_policy,
        &[USER, req("PolicyName", String)],
        false,
        &[identity("iam:GetUserPolicy", Res::User)],
    ),
    op(
        "iam:ListUserPolicies",
        Cloud::iam_list_user_policies,
        &[USER],
        false,
        &[identity("iam:ListUserPolicies", Res::User)],
    ),
    op(
        "iam:DeleteUserPolicy",
        Cloud::iam_delete_user_policy,
        &[USER, req("PolicyName", String)],
        true,
        &[identity("iam:DeleteUserPolicy", Res::User)],
    ),
    op(
        "iam:CreatePolicy",
        Cloud::iam_create_policy,
        &[
            req("PolicyName", String),
            opt("Path", String),
            DOCUMENT,
            opt("Description", String),
        ],
        true,
        &[identity("iam:CreatePolicy", Res::Policy)],
    ),
    op(
        "iam:GetPolicy",
        Cloud::iam_get_policy,
        &[POLICY_ARN],
        false,
        &[identity("iam:GetPolicy", Res::Policy)],
    ),
    op(
        "iam:GetPolicyVersion",
        Cloud::iam_get_policy_version,
        &[POLICY_ARN, req("VersionId", String)],
        false,
        &[identity("iam:GetPolicyVersion", Res::Policy)],
    ),
    op(
        "iam:ListPolicyVersions",
        Cloud::iam_list_policy_versions,
        &[POLICY_ARN],
        false,
        &[identity("iam:ListPolicyVersions", Res::Policy)],
    ),
    op(
        "iam:CreatePolicyVersion",
        Cloud::iam_create_policy_version,
        &[POLICY_ARN, DOCUMENT, opt("SetAsDefault", Boolean)],
        true,
        &[identity("iam:CreatePolicyVersion", Res::Policy)],
    ),
    op(
        "iam:DeletePolicyVersion",
        Cloud::iam_delete_policy_version,
        &[POLICY_ARN, req("VersionId", String)],
        true,
        &[identity("iam:DeletePolicyVersion", Res::Policy)],
    ),
    op(
        "iam:DeletePolicy",
        Cloud::iam_delete_policy,
        &[POLICY_ARN],
        true,
        &[identity("iam:DeletePolicy", Res::Policy)],
    ),
    op(
        "iam:AttachUserPolicy",
        Cloud::iam_attach_user_policy,
        &[USER, POLICY_ARN],
        true,
        &[identity("iam:AttachUserPolicy", Res::User).with(&["iam:PolicyARN"])],
    ),
    op(
        "iam:DetachUserPolicy",
        Cloud::iam_detach_user_policy,
        &[USER, POLICY_ARN],
        true,
        &[identity("iam:DetachUserPolicy", Res::User).with(&["iam:PolicyARN"])],
    ),
    op(
        "iam:ListAttachedUserPolicies",
        Cloud::iam_list_attached_user_policies,
        &[USER],
        false,
        &[identity("iam:ListAttachedUserPolicies", Res::User)],
    ),
    op(
        "iam:CreateAccessKey",
        Cloud::iam_create_access_key,
        &[USER_OR_CALLER],
        true,
        &[identity("iam:CreateAccessKey", Res::User)],
    ),
    op(
        "iam:ListAccessKeys",
        Cloud::iam_list_access_keys,
        &[USER_OR_CALLER],
        false,
        &[identity("iam:ListAccessKeys", Res::User)],
    ),
    op(
        "iam:DeleteAccessKey",
        Cloud::iam_delete_access_key,
        &[USER_OR_CALLER, req("AccessKeyId", String)],
        true,
        &[identity("iam:DeleteAccessKey", Res::User)],
    ),
    op(
        "iam:UpdateAccessKey",
        Cloud::iam_update_access_key,
        &[
            USER_OR_CALLER,
            req("AccessKeyId", String),
            req("Status", Enum(&["Active", "Inactive"])),
        ],
        true,
        &[identity("iam:UpdateAccessKey", Res::User)],
    ),
    op(
        "iam:CreateLoginProfile",
        Cloud::iam_create_login_profile,
        &[
            USER_OR_CALLER,
            req("Password", String),
            opt("PasswordResetRequired", Boolean),
        ],
        true,
        &[identity("iam:CreateLoginProfile", Res::User)],
    ),
    op(
        "iam:GetLoginProfile",
        Cloud::iam_get_login_profile,
        &[USER_OR_CALLER],
        false,
        &[identity("iam:GetLoginProfile", Res::User)],
    ),
    op(
        "iam:UpdateLoginProfile",
        Cloud::iam_update_login_profile,
        &[
            USER,
            opt("Password", String),
            opt("PasswordResetRequired", Boolean),
        ],
        true,
        &[identity("iam:UpdateLoginProfile", Res::User)],
    ),
    op(
        "iam:DeleteLoginProfile",
        Cloud::iam_delete_login_profile,
        &[USER_OR_CALLER],
        true,
        &[identity("iam:DeleteLoginProfile", Res::User)],
    ),
];
