//! IAM pages: users, roles, groups and policies lists, and the create forms (a user with an
//! optional console password and managed policy, as the AWS console's wizard makes them; a
//! role trusting the account or a service; a group; a customer managed policy). Each action is
//! the IAM calls the AWS console makes, as the signed-in identity; an entity's own page is in
//! [`super::iam_detail`].

use serde_json::{Value as Json, json};

use super::kms::urlencode;
use super::{Page, iam_detail, see_other};
use crate::serve::Response;

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/iam" | "/iam/users") => users(p),
        (true, "/iam/users/create") => create_user(p),
        (false, "/iam/roles") => roles(p),
        (true, "/iam/roles/create") => create_role(p),
        (false, "/iam/groups") => groups(p),
        (true, "/iam/groups/create") => create_group(p),
        (false, "/iam/policies") => policies(p),
        (true, "/iam/policies/create") => create_policy(p),
        _ => return iam_detail::route(p, post, route),
    })
}

pub(super) fn entity_url(kind: &str, name: &str) -> String {
    format!("/_console/iam/{kind}?name={}", urlencode(name))
}

pub(super) fn policy_url(arn: &str) -> String {
    format!("/_console/iam/policy?arn={}", urlencode(arn))
}

/// A JSON document pretty-printed (as given when it is not JSON).
pub(super) fn pretty(doc: &str) -> String {
    serde_json::from_str::<Json>(doc)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| doc.to_string())
}

/// The AWS managed policies the simulated account offers (the attach forms' choices).
pub(super) fn managed_choices() -> Vec<Json> {
    crate::sim::policy::managed_policy_arns()
        .iter()
        .map(|arn| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            json!({"arn": arn, "name": name, "url": policy_url(arn)})
        })
        .collect()
}

/// A list call's rows as `{name, url, ...}`, or the page for its failure.
fn listed(
    p: &mut Page<'_>,
    op: &str,
    field: &str,
    name_field: &str,
    kind: &str,
) -> Result<Vec<Json>, Response> {
    match p.call(op, json!({})) {
        Ok(r) => Ok(r[field]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let name = e[name_field].as_str().unwrap_or_default().to_string();
                json!({"name": name, "url": entity_url(kind, &name), "arn": e["Arn"],
                       "created": e["CreateDate"], "path": e["Path"]})
            })
            .collect()),
        Err(e) => Err(p.error(&format!("listing {kind}s"), &e)),
    }
}

fn users(p: &mut Page<'_>) -> Response {
    match listed(p, "iam:ListUsers", "Users", "UserName", "user") {
        Ok(rows) => p.render(
            "iam_list.html",
            json!({"tab": "users", "rows": rows, "managed": managed_choices()}),
        ),
        Err(r) => r,
    }
}

fn roles(p: &mut Page<'_>) -> Response {
    match listed(p, "iam:ListRoles", "Roles", "RoleName", "role") {
        Ok(rows) => p.render(
            "iam_list.html",
            json!({"tab": "roles", "rows": rows, "managed": managed_choices()}),
        ),
        Err(r) => r,
    }
}

fn groups(p: &mut Page<'_>) -> Response {
    match listed(p, "iam:ListGroups", "Groups", "GroupName", "group") {
        Ok(rows) => p.render(
            "iam_list.html",
            json!({"tab": "groups", "rows": rows, "managed": managed_choices()}),
        ),
        Err(r) => r,
    }
}

/// The policies: ListPolicies (AWS managed and the account's own), as the signed-in identity.
fn policies(p: &mut Page<'_>) -> Response {
    let rows: Vec<Json> = match p.call(
        "iam:ListPolicies",
        json!({"Scope": "All", "MaxItems": 1000}),
    ) {
        Ok(r) => r["Policies"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|x| {
                let arn = x["Arn"].as_str().unwrap_or_default().to_string();
                let aws = arn.starts_with("arn:aws:iam::aws:");
                json!({"name": x["PolicyName"], "arn": arn, "url": policy_url(&arn),
                       "type": if aws { "AWS managed" } else { "Customer managed" },
                       "attachments": x["AttachmentCount"]})
            })
            .collect(),
        Err(e) => return p.error("listing policies", &e),
    };
    p.render(
        "iam_list.html",
        json!({"tab": "policies", "rows": rows, "managed": managed_choices()}),
    )
}

/// Create user: the user, then (when asked) its console password and one managed policy.
fn create_user(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    if let Err(e) = p.call("iam:CreateUser", json!({"UserName": name})) {
        return p.error("creating the user", &e);
    }
    let password = zeroize::Zeroizing::new(p.form.get("password").unwrap_or("").to_string());
    if !password.is_empty() {
        let params = json!({"UserName": name, "Password": password.as_str(),
                            "PasswordResetRequired": p.form.text("reset") == "on"});
        if let Err(e) = p.call("iam:CreateLoginProfile", params) {
            return p.error("setting the console password (the user was created)", &e);
        }
    }
    let policy = p.form.text("policy");
    if !policy.is_empty()
        && let Err(e) = p.call(
            "iam:AttachUserPolicy",
            json!({"UserName": name, "PolicyArn": policy}),
        )
    {
        return p.error("attaching the policy (the user was created)", &e);
    }
    see_other(&entity_url("user", &name))
}

/// The trust policy of a new role: the account (any of its principals their IAM policies let
/// assume it) or an AWS service.
fn trust_policy(account: &str, trusted: &str) -> String {
    let principal = if trusted.ends_with(".amazonaws.com") {
        json!({"Service": trusted})
    } else {
        json!({"AWS": format!("arn:aws:iam::{account}:root")})
    };
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"
    }]})
    .to_string()
}

fn create_role(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    let doc = match p.form.text("trust_policy") {
        d if !d.is_empty() => d,
        _ => trust_policy(&p.cloud.world.account_id, &p.form.text("trusted")),
    };
    let mut params = json!({"RoleName": name, "AssumeRolePolicyDocument": doc});
    let desc = p.form.text("description");
    if !desc.is_empty() {
        params["Description"] = json!(desc);
    }
    if let Err(e) = p.call("iam:CreateRole", params) {
        return p.error("creating the role", &e);
    }
    let policy = p.form.text("policy");
    if !policy.is_empty()
        && let Err(e) = p.call(
            "iam:AttachRolePolicy",
            json!({"RoleName": name, "PolicyArn": policy}),
        )
    {
        return p.error("attaching the policy (the role was created)", &e);
    }
    see_other(&entity_url("role", &name))
}

fn create_group(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    match p.call("iam:CreateGroup", json!({"GroupName": name})) {
        Ok(_) => see_other(&entity_url("group", &name)),
        Err(e) => p.error("creating the group", &e),
    }
}

fn create_policy(p: &mut Page<'_>) -> Response {
    let params = json!({"PolicyName": p.form.text("name"),
                        "PolicyDocument": p.form.text("document")});
    match p.call("iam:CreatePolicy", params) {
        Ok(r) => see_other(&policy_url(r["Policy"]["Arn"].as_str().unwrap_or_default())),
        Err(e) => p.error("creating the policy", &e),
    }
}
