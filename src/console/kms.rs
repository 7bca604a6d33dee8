//! KMS pages: the keys list (with aliases, status, key spec, usage, who manages them), the
//! create-key form (description, alias, key administrators and key users, from which the
//! console writes the key policy as the AWS console's wizard does), and a key's page (key
//! policy, rotation, aliases, deletion). Each action is one KMS call as the signed-in user.

use serde_json::{Value as Json, json};

use super::{Page, kms_policy, see_other};
use crate::serve::Response;
use crate::sim::SimError;

/// Keys on one page of the list.
const PAGE_SIZE: i64 = 100;

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/kms") => list(p),
        (true, "/kms/create") => create(p),
        (false, "/kms/key") => key(p),
        (true, "/kms/key/alias") => alias(p),
        (true, "/kms/key/rotation") => rotation(p),
        (true, "/kms/key/delete") => schedule_deletion(p),
        (true, "/kms/key/cancel-deletion") => cancel_deletion(p),
        (true, "/kms/key/policy") => kms_policy::save_json(p),
        (true, "/kms/key/principals") => kms_policy::change_principal(p),
        _ => return None,
    })
}

fn key_url(id: &str) -> String {
    format!("/_console/kms/key?id={}", urlencode(id))
}

pub(super) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

fn list(p: &mut Page<'_>) -> Response {
    let mut params = json!({"Limit": PAGE_SIZE});
    if let Some(m) = p.query("marker") {
        params["Marker"] = json!(m);
    }
    let keys = match p.call("kms:ListKeys", params) {
        Ok(r) => r,
        Err(e) => return p.error("listing KMS keys", &e),
    };
    let aliases = p
        .call_quiet("kms:ListAliases", json!({}))
        .map(|r| r["Aliases"].as_array().cloned().unwrap_or_default())
        .unwrap_or_default();
    let rows: Vec<Json> = keys["Keys"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|k| {
            let id = k["KeyId"].as_str().unwrap_or_default().to_string();
            let names: Vec<&str> = aliases
                .iter()
                .filter(|a| a["TargetKeyId"].as_str() == Some(id.as_str()))
                .filter_map(|a| a["AliasName"].as_str())
                .collect();
            // Describing a key the user may list but not describe shows the denial in its row.
            let meta = p
                .call_quiet("kms:DescribeKey", json!({"KeyId": id}))
                .map(|d| d["KeyMetadata"].clone())
                .unwrap_or_else(|e| json!({"KeyState": e.code}));
            json!({"id": id, "url": key_url(&id), "aliases": names.join(", "), "meta": meta})
        })
        .collect();
    let next = keys["NextMarker"]
        .as_str()
        .map(|m| format!("/_console/kms?marker={}", urlencode(m)));
    p.render("kms_list.html", json!({"keys": rows, "next": next}))
}

/// The key policy the AWS console's wizard writes: the account (IAM policies decide), then
/// key administrators, then key users.
fn wizard_policy(p: &Page<'_>, admins: &[String], users: &[String]) -> Result<String, SimError> {
    let acct = &p.cloud.world.account_id;
    let arns = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .map(|n| kms_policy::principal_arn(acct, n))
            .collect()
    };
    let mut st = vec![json!({
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")}, "Action": "kms:*", "Resource": "*"
    })];
    if !admins.is_empty() {
        st.push(kms_policy::statement(kms_policy::ADMINS_SID, &arns(admins)));
    }
    if !users.is_empty() {
        st.push(kms_policy::statement(kms_policy::USERS_SID, &arns(users)));
    }
    serde_json::to_string_pretty(
        &json!({"Id": "key-consolepolicy-3", "Version": "2012-10-17", "Statement": st}),
    )
    .map_err(|e| SimError::internal(e.to_string()))
}

fn names(s: &str) -> Vec<String> {
    s.split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn create(p: &mut Page<'_>) -> Response {
    let (admins, users) = (
        names(&p.form.text("key_admins")),
        names(&p.form.text("key_users")),
    );
    let mut params = json!({"Description": p.form.text("description")});
    if !admins.is_empty() || !users.is_empty() {
        match wizard_policy(p, &admins, &users) {
            Ok(doc) => params["Policy"] = json!(doc),
            Err(e) => return p.error("creating the key", &e),
        }
    }
    let r = match p.call("kms:CreateKey", params) {
        Ok(r) => r,
        Err(e) => return p.error("creating the key", &e),
    };
    let id = r["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let alias = p.form.text("alias");
    if !alias.is_empty() {
        let name = if alias.starts_with("alias/") {
            alias
        } else {
            format!("alias/{alias}")
        };
        if let Err(e) = p.call(
            "kms:CreateAlias",
            json!({"AliasName": name, "TargetKeyId": id}),
        ) {
            return p.error("creating the alias (the key was created)", &e);
        }
    }
    see_other(&key_url(&id))
}

fn key(p: &mut Page<'_>) -> Response {
    let id = p.query("id").unwrap_or_default();
    let meta = match p.call("kms:DescribeKey", json!({"KeyId": id})) {
        Ok(r) => r["KeyMetadata"].clone(),
        Err(e) => return p.error("opening the key", &e),
    };
    let id = meta["KeyId"].as_str().unwrap_or_default().to_string();
    // The tabs show their own denials, as the AWS console does.
    let shown = |r: Result<Json, SimError>| match r {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    };
    let policy = shown(
        p.call_quiet(
            "kms:GetKeyPolicy",
            json!({"KeyId": id, "PolicyName": "default"}),
        )
        .map(|r| json!(super::iam::pretty(r["Policy"].as_str().unwrap_or_default()))),
    );
    let principals = kms_policy::view(policy["ok"].as_str().unwrap_or_default());
    let rotation = shown(p.call_quiet("kms:GetKeyRotationStatus", json!({"KeyId": id})));
    let aliases = shown(
        p.call_quiet("kms:ListAliases", json!({"KeyId": id}))
            .map(|r| r["Aliases"].clone()),
    );
    p.render(
        "kms_key.html",
        json!({"key": meta, "policy": policy, "principals": principals, "rotation": rotation,
               "aliases": aliases, "tab": p.query("tab").unwrap_or_default()}),
    )
}

fn alias(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let alias = p.form.text("alias");
    let name = if alias.starts_with("alias/") {
        alias
    } else {
        format!("alias/{alias}")
    };
    match p.call(
        "kms:CreateAlias",
        json!({"AliasName": name, "TargetKeyId": id}),
    ) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("creating the alias", &e),
    }
}

fn rotation(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let r = if p.form.text("enable") == "true" {
        let mut params = json!({"KeyId": id});
        if let Ok(days) = p.form.text("period").parse::<i64>() {
            params["RotationPeriodInDays"] = json!(days);
        }
        p.call("kms:EnableKeyRotation", params)
    } else {
        p.call("kms:DisableKeyRotation", json!({"KeyId": id}))
    };
    match r {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("changing key rotation", &e),
    }
}

fn schedule_deletion(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let mut params = json!({"KeyId": id});
    if let Ok(days) = p.form.text("days").parse::<i64>() {
        params["PendingWindowInDays"] = json!(days);
    }
    match p.call("kms:ScheduleKeyDeletion", params) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("scheduling the key's deletion", &e),
    }
}

fn cancel_deletion(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    match p.call("kms:CancelKeyDeletion", json!({"KeyId": id})) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("cancelling the key's deletion", &e),
    }
}
