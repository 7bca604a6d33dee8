//! A key's policy, as the AWS console's key page shows it: the "key administrators" and "key
//! users" view (the principals of the wizard's statements, by their Sids), with add and
//! remove, and the JSON, editable. Each change is one `kms:PutKeyPolicy` as the signed-in
//! identity, so KMS's own checks (the lockout safety check, principals that must exist) apply.

use serde_json::{Value as Json, json};

use super::{Page, see_other};
use crate::serve::Response;

/// The Sid of the wizard's key administrators statement.
pub(super) const ADMINS_SID: &str = "Allow access for Key Administrators";
/// The Sid of the wizard's key users statement.
pub(super) const USERS_SID: &str = "Allow use of the key";

pub(super) const ADMIN_ACTIONS: &[&str] = &[
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];
pub(super) const USER_ACTIONS: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
];

/// The principal ARN a form names: an ARN as given, `role/NAME`, or an IAM user's name.
pub(super) fn principal_arn(account: &str, name: &str) -> String {
    if name.starts_with("arn:") {
        name.to_string()
    } else if let Some(role) = name.strip_prefix("role/") {
        format!("arn:aws:iam::{account}:role/{role}")
    } else {
        format!("arn:aws:iam::{account}:user/{name}")
    }
}

/// A wizard statement: `sid` granting `actions` to `arns`.
pub(super) fn statement(sid: &str, arns: &[String]) -> Json {
    let actions = if sid == ADMINS_SID {
        ADMIN_ACTIONS
    } else {
        USER_ACTIONS
    };
    json!({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": arns}, "Action": actions,
           "Resource": "*"})
}

fn principals_of(st: &Json) -> Vec<String> {
    match &st["Principal"]["AWS"] {
        Json::String(s) => vec![s.clone()],
        Json::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn statements(doc: &Json) -> Vec<Json> {
    match &doc["Statement"] {
        Json::Array(a) => a.clone(),
        Json::Object(_) => vec![doc["Statement"].clone()],
        _ => Vec::new(),
    }
}

/// The key administrators and key users a policy names (the console's default view).
pub(super) fn view(policy_text: &str) -> Json {
    let doc: Json = serde_json::from_str(policy_text).unwrap_or(Json::Null);
    let of = |sid: &str| -> Vec<Json> {
        statements(&doc)
            .iter()
            .filter(|s| s["Sid"].as_str() == Some(sid))
            .flat_map(principals_of)
            .map(|arn| {
                let name = arn.rsplit([':', '/']).next().unwrap_or(&arn).to_string();
                json!({"arn": arn, "name": name})
            })
            .collect()
    };
    json!({"admins": of(ADMINS_SID), "users": of(USERS_SID)})
}

fn key_url(id: &str) -> String {
    format!("/_console/kms/key?id={}", super::kms::urlencode(id))
}

fn put(p: &mut Page<'_>, id: &str, policy: String) -> Response {
    let params = json!({"KeyId": id, "PolicyName": "default", "Policy": policy});
    match p.call("kms:PutKeyPolicy", params) {
        Ok(_) => see_other(&key_url(id)),
        Err(e) => p.error("saving the key policy", &e),
    }
}

/// Edit the JSON: the document as typed.
pub(super) fn save_json(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let policy = p.form.text("policy");
    put(p, &id, policy)
}

/// Add or remove a key administrator or key user: the current policy (one GetKeyPolicy) with
/// the wizard statement changed, saved with one PutKeyPolicy.
pub(super) fn change_principal(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let sid = if p.form.text("role") == "admins" {
        ADMINS_SID
    } else {
        USERS_SID
    };
    let arn = principal_arn(&p.cloud.world.account_id, &p.form.text("principal"));
    let adding = p.form.text("change") != "remove";
    let current = match p.call(
        "kms:GetKeyPolicy",
        json!({"KeyId": id, "PolicyName": "default"}),
    ) {
        Ok(r) => r["Policy"].as_str().unwrap_or_default().to_string(),
        Err(e) => return p.error("reading the key policy", &e),
    };
    let mut doc: Json = serde_json::from_str(&current).unwrap_or_else(|_| json!({}));
    let mut sts = statements(&doc);
    let mut found = false;
    for st in sts.iter_mut().filter(|s| s["Sid"].as_str() == Some(sid)) {
        found = true;
        let mut arns = principals_of(st);
        arns.retain(|a| a != &arn);
        if adding {
            arns.push(arn.clone());
        }
        st["Principal"]["AWS"] = json!(arns);
    }
    if !found && adding {
        sts.push(statement(sid, std::slice::from_ref(&arn)));
    }
    // A statement left with no principal would be malformed: it goes.
    sts.retain(|s| s["Sid"].as_str() != Some(sid) || !principals_of(s).is_empty());
    doc["Statement"] = json!(sts);
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    put(p, &id, text)
}
