//! KMS pages: the keys list (with aliases, status, key spec, usage, who manages them; the
//! create-key wizard is [`super::kms_create`]) and a key's page (key policy, automatic
//! rotation, Rotate now and the rotation history, aliases, tags, deletion). Each action is
//! one KMS call as the signed-in user.

use serde_json::{Value as Json, json};

use super::{Page, kms_create, kms_policy, see_other};
use crate::serve::Response;
use crate::sim::SimError;

/// Keys on one page of the list.
const PAGE_SIZE: i64 = 100;

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/kms") => list(p),
        (true, "/kms/create/review") => kms_create::review(p),
        (true, "/kms/create") => kms_create::create(p),
        (false, "/kms/key") => key(p),
        (true, "/kms/key/alias") => alias(p),
        (true, "/kms/key/rotation") => rotation(p),
        (true, "/kms/key/rotate-now") => rotate_now(p),
        (true, "/kms/key/tag") => tag(p),
        (true, "/kms/key/untag") => untag(p),
        (true, "/kms/key/delete") => schedule_deletion(p),
        (true, "/kms/key/cancel-deletion") => cancel_deletion(p),
        (true, "/kms/key/policy") => kms_policy::save_json(p),
        (true, "/kms/key/principals") => kms_policy::change_principal(p),
        _ => return None,
    })
}

pub(super) fn key_url(id: &str) -> String {
    format!("/_console/kms/key?id={}", urlencode(id))
}

pub(super) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A key's aliases (one ListAliases with its KeyId, so each row costs one small answer
/// however many aliases the account has; a denial shows none).
fn aliases_of(p: &mut Page<'_>, id: &str) -> Vec<String> {
    p.call_quiet("kms:ListAliases", json!({"KeyId": id, "Limit": 100}))
        .map(|r| {
            r["Aliases"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a["AliasName"].as_str().map(str::to_string))
                .collect()
        })
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
    let rows: Vec<Json> = keys["Keys"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|k| {
            let id = k["KeyId"].as_str().unwrap_or_default().to_string();
            let names = aliases_of(p, &id);
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
    p.render(
        "kms_list.html",
        json!({"keys": rows, "next": next, "choices": kms_create::choices()}),
    )
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
    // Rotation history (ListKeyRotations answers UnsupportedOperationException for keys
    // that do not rotate: asymmetric, HMAC, imported material).
    let symmetric = meta["KeySpec"] == "SYMMETRIC_DEFAULT";
    let rotations = if symmetric {
        shown(
            p.call_quiet(
                "kms:ListKeyRotations",
                json!({"KeyId": id, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
            )
            .map(|r| r["Rotations"].clone()),
        )
    } else {
        Json::Null
    };
    let aliases = shown(
        p.call_quiet("kms:ListAliases", json!({"KeyId": id}))
            .map(|r| r["Aliases"].clone()),
    );
    let tags = shown(
        p.call_quiet("kms:ListResourceTags", json!({"KeyId": id}))
            .map(|r| r["Tags"].clone()),
    );
    p.render(
        "kms_key.html",
        json!({"key": meta, "policy": policy, "principals": principals, "rotation": rotation,
               "rotations": rotations, "symmetric": symmetric, "aliases": aliases,
               "tags": tags, "tab": p.query("tab").unwrap_or_default()}),
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

/// "Rotate now": one on-demand rotation (RotateKeyOnDemand), shown in the rotation history.
fn rotate_now(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    match p.call("kms:RotateKeyOnDemand", json!({"KeyId": id})) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("rotating the key material", &e),
    }
}

fn tag(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let tag = json!([{"TagKey": p.form.text("tag_key"), "TagValue": p.form.text("tag_value")}]);
    match p.call("kms:TagResource", json!({"KeyId": id, "Tags": tag})) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("tagging the key", &e),
    }
}

fn untag(p: &mut Page<'_>) -> Response {
    let id = p.form.text("id");
    let keys = json!([p.form.text("tag_key")]);
    match p.call("kms:UntagResource", json!({"KeyId": id, "TagKeys": keys})) {
        Ok(_) => see_other(&key_url(&id)),
        Err(e) => p.error("removing the tag", &e),
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
