//! An IAM user's, role's or group's page (permissions: attached managed policies and inline
//! policies, with attach, detach, put and delete; a user's groups, console password and access
//! keys, the new secret shown once as AWS shows it; a role's trust policy, editable, and its
//! Switch role link; a group's members), and a managed policy's page. Each action is one IAM
//! call as the signed-in identity.

use serde_json::{Value as Json, json};

use super::iam::{entity_url, policy_url, pretty};
use super::{Page, see_other};
use crate::serve::Response;
use crate::sim::SimError;

/// What differs between users, roles and groups in IAM's API.
#[derive(Clone, Copy)]
struct Kind {
    /// In URLs and page text: `user`, `role`, `group`.
    word: &'static str,
    /// In operation names: `User`, `Role`, `Group`.
    op: &'static str,
}

const USER: Kind = Kind {
    word: "user",
    op: "User",
};
const ROLE: Kind = Kind {
    word: "role",
    op: "Role",
};
const GROUP: Kind = Kind {
    word: "group",
    op: "Group",
};

impl Kind {
    fn of(word: &str) -> Option<Kind> {
        [USER, ROLE, GROUP].into_iter().find(|k| k.word == word)
    }

    /// The name parameter: `UserName`, `RoleName`, `GroupName`.
    fn param(self) -> String {
        format!("{}Name", self.op)
    }

    fn named(self, name: &str) -> Json {
        let mut m = serde_json::Map::new();
        m.insert(self.param(), json!(name));
        Json::Object(m)
    }

    fn with(self, name: &str, extra: Json) -> Json {
        let mut v = self.named(name);
        if let (Json::Object(m), Json::Object(x)) = (&mut v, extra) {
            m.extend(x);
        }
        v
    }
}

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    let rest = route.strip_prefix("/iam/")?;
    if (post, rest) == (false, "policy") {
        return Some(policy(p));
    }
    let (word, action) = rest.split_once('/').unwrap_or((rest, ""));
    let kind = Kind::of(word)?;
    Some(match (post, action) {
        (false, "") => entity(p, kind),
        (true, "attach") => permission(p, kind, "Attach", "attaching the policy"),
        (true, "detach") => permission(p, kind, "Detach", "detaching the policy"),
        (true, "inline") => inline(p, kind),
        (true, "inline-delete") => inline_delete(p, kind),
        (true, "trust") if kind.word == "role" => trust(p),
        (true, "password") if kind.word == "user" => password(p),
        (true, "access-key") if kind.word == "user" => access_key(p),
        (true, "add-member") if kind.word == "group" => membership(p, "iam:AddUserToGroup"),
        (true, "remove-member") if kind.word == "group" => membership(p, "iam:RemoveUserFromGroup"),
        _ => return None,
    })
}

/// A tab's content: the call's answer, or its denial shown in place.
fn shown(r: Result<Json, SimError>) -> Json {
    match r {
        Ok(v) => json!({"ok": v}),
        Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
    }
}

fn entity(p: &mut Page<'_>, kind: Kind) -> Response {
    let name = p.query("name").unwrap_or_default();
    let got = match p.call(&format!("iam:Get{}", kind.op), kind.named(&name)) {
        Ok(r) => r,
        Err(e) => return p.error(&format!("opening the {}", kind.word), &e),
    };
    let attached = shown(
        p.call_quiet(
            &format!("iam:ListAttached{}Policies", kind.op),
            kind.named(&name),
        )
        .map(|r| {
            let rows: Vec<Json> = r["AttachedPolicies"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|a| {
                    let arn = a["PolicyArn"].as_str().unwrap_or_default().to_string();
                    json!({"name": a["PolicyName"], "arn": arn, "url": policy_url(&arn)})
                })
                .collect();
            json!(rows)
        }),
    );
    let inline_names = p
        .call_quiet(&format!("iam:List{}Policies", kind.op), kind.named(&name))
        .map(|r| r["PolicyNames"].as_array().cloned().unwrap_or_default());
    let inline = shown(inline_names.map(|names| {
        let docs: Vec<Json> = names
            .iter()
            .filter_map(|n| n.as_str())
            .map(|n| {
                let doc = p
                    .call_quiet(
                        &format!("iam:Get{}Policy", kind.op),
                        kind.with(&name, json!({"PolicyName": n})),
                    )
                    .map(|d| pretty(d["PolicyDocument"].as_str().unwrap_or_default()))
                    .unwrap_or_else(|e| format!("{}: {}", e.code, e.message));
                json!({"name": n, "document": doc})
            })
            .collect();
        json!(docs)
    }));
    let mut data = json!({"kind": kind.word, "name": name, "attached": attached,
                          "inline": inline, "managed": super::iam::managed_choices()});
    match kind.word {
        "user" => {
            data["entity"] = got["User"].clone();
            data["groups"] = shown(
                p.call_quiet("iam:ListGroupsForUser", kind.named(&name))
                    .map(|r| links(&r["Groups"], "GroupName", "group")),
            );
            data["login_profile"] = match p.call_quiet("iam:GetLoginProfile", kind.named(&name)) {
                Ok(r) => json!({"ok": r["LoginProfile"]}),
                Err(e) if e.code == "NoSuchEntity" => json!({"none": true}),
                Err(e) => json!({"error": {"code": e.code, "message": e.message}}),
            };
            data["keys"] = shown(
                p.call_quiet("iam:ListAccessKeys", kind.named(&name))
                    .map(|r| r["AccessKeyMetadata"].clone()),
            );
        }
        "role" => {
            data["entity"] = got["Role"].clone();
            data["trust"] = json!(pretty(
                got["Role"]["AssumeRolePolicyDocument"]
                    .as_str()
                    .unwrap_or_default()
            ));
            data["switch_url"] = json!(format!(
                "/_console/switchrole?account={}&roleName={}",
                p.cloud.world.account_id,
                super::kms::urlencode(&name)
            ));
        }
        _ => {
            data["entity"] = got["Group"].clone();
            data["members"] = links(&got["Users"], "UserName", "user");
        }
    }
    p.render("iam_entity.html", data)
}

fn links(list: &Json, field: &str, kind: &str) -> Json {
    json!(
        list.as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let n = e[field].as_str().unwrap_or_default().to_string();
                json!({"name": n, "url": entity_url(kind, &n)})
            })
            .collect::<Vec<_>>()
    )
}

fn back(p: &Page<'_>, kind: Kind) -> Response {
    see_other(&entity_url(kind.word, &p.form.text("name")))
}

/// Attach or detach a managed policy.
fn permission(p: &mut Page<'_>, kind: Kind, verb: &str, doing: &str) -> Response {
    let name = p.form.text("name");
    let params = kind.with(&name, json!({"PolicyArn": p.form.text("policy")}));
    match p.call(&format!("iam:{verb}{}Policy", kind.op), params) {
        Ok(_) => back(p, kind),
        Err(e) => p.error(doing, &e),
    }
}

fn inline(p: &mut Page<'_>, kind: Kind) -> Response {
    let name = p.form.text("name");
    let params = kind.with(
        &name,
        json!({"PolicyName": p.form.text("policy_name"), "PolicyDocument": p.form.text("document")}),
    );
    match p.call(&format!("iam:Put{}Policy", kind.op), params) {
        Ok(_) => back(p, kind),
        Err(e) => p.error("saving the inline policy", &e),
    }
}

fn inline_delete(p: &mut Page<'_>, kind: Kind) -> Response {
    let name = p.form.text("name");
    let params = kind.with(&name, json!({"PolicyName": p.form.text("policy_name")}));
    match p.call(&format!("iam:Delete{}Policy", kind.op), params) {
        Ok(_) => back(p, kind),
        Err(e) => p.error("deleting the inline policy", &e),
    }
}

fn trust(p: &mut Page<'_>) -> Response {
    let params =
        json!({"RoleName": p.form.text("name"), "PolicyDocument": p.form.text("document")});
    match p.call("iam:UpdateAssumeRolePolicy", params) {
        Ok(_) => back(p, ROLE),
        Err(e) => p.error("updating the trust policy", &e),
    }
}

/// Enable console access (CreateLoginProfile) or set a new password (UpdateLoginProfile).
fn password(p: &mut Page<'_>) -> Response {
    let password = zeroize::Zeroizing::new(p.form.get("password").unwrap_or("").to_string());
    let op = if p.form.text("update") == "true" {
        "iam:UpdateLoginProfile"
    } else {
        "iam:CreateLoginProfile"
    };
    let params = json!({"UserName": p.form.text("name"), "Password": password.as_str(),
                        "PasswordResetRequired": p.form.text("reset") == "on"});
    match p.call(op, params) {
        Ok(_) => back(p, USER),
        Err(e) => p.error("setting the console password", &e),
    }
}

/// A new access key: its secret is shown on this one page, never again (as AWS's console).
fn access_key(p: &mut Page<'_>) -> Response {
    let name = p.form.text("name");
    match p.call("iam:CreateAccessKey", json!({"UserName": name})) {
        Ok(r) => p.render(
            "iam_access_key.html",
            json!({"name": name, "user_url": entity_url("user", &name),
                   "key_id": r["AccessKey"]["AccessKeyId"],
                   "secret": r["AccessKey"]["SecretAccessKey"]}),
        ),
        Err(e) => p.error("creating an access key", &e),
    }
}

fn membership(p: &mut Page<'_>, op: &str) -> Response {
    let params = json!({"GroupName": p.form.text("name"), "UserName": p.form.text("user")});
    match p.call(op, params) {
        Ok(_) => back(p, GROUP),
        Err(e) => p.error("changing the group's members", &e),
    }
}

/// A managed policy: its metadata and default version's document.
fn policy(p: &mut Page<'_>) -> Response {
    let arn = p.query("arn").unwrap_or_default();
    let meta = match p.call("iam:GetPolicy", json!({"PolicyArn": arn})) {
        Ok(r) => r["Policy"].clone(),
        Err(e) => return p.error("opening the policy", &e),
    };
    let version = meta["DefaultVersionId"]
        .as_str()
        .unwrap_or("v1")
        .to_string();
    let doc = shown(
        p.call(
            "iam:GetPolicyVersion",
            json!({"PolicyArn": arn, "VersionId": version}),
        )
        .map(|r| {
            json!(pretty(
                r["PolicyVersion"]["Document"].as_str().unwrap_or_default()
            ))
        }),
    );
    p.render("iam_policy.html", json!({"policy": meta, "document": doc}))
}
