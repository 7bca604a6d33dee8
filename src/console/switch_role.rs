//! Switch role, as the AWS console does it: the signed-in user calls `sts:AssumeRole` (as
//! themselves, even when a role is active: no chaining), and pages then act as the role
//! session until Switch back (or until the session expires: its calls then fail with AWS's
//! ExpiredToken, and Switch back returns to the user).

use serde_json::json;

use super::session::RoleSession;
use super::{Page, see_other};
use crate::serve::Response;

pub(super) fn route(p: &mut Page<'_>, post: bool, route: &str) -> Option<Response> {
    Some(match (post, route) {
        (false, "/switchrole") => form(p),
        (true, "/switchrole") => switch(p),
        (true, "/switchrole/back") => {
            p.switch = Some(None);
            see_other("/_console/")
        }
        _ => return None,
    })
}

fn form(p: &mut Page<'_>) -> Response {
    let account = p
        .query("account")
        .unwrap_or_else(|| p.cloud.world.account_id.clone());
    let role = p.query("roleName").unwrap_or_default();
    p.render(
        "switch_role.html",
        json!({"target_account": account, "role": role}),
    )
}

fn switch(p: &mut Page<'_>) -> Response {
    let (account, role) = (p.form.text("account"), p.form.text("role"));
    let role_arn = format!("arn:aws:iam::{account}:role/{role}");
    let user_ctx = p.user_ctx();
    let params = json!({"RoleArn": role_arn, "RoleSessionName": p.session.user});
    match p.call_as(&user_ctx, "sts:AssumeRole", params, None) {
        Ok(r) => {
            let creds = &r.fields["Credentials"];
            let display = match p.form.text("display") {
                d if d.is_empty() => role.clone(),
                d => d,
            };
            p.switch = Some(Some(RoleSession {
                role_arn,
                display,
                access_key_id: creds["AccessKeyId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            }));
            see_other("/_console/")
        }
        Err(e) => p.error("switching role", &e),
    }
}
