//! `--profile NAME`: which world identity a named AWS CLI profile stands for.
//!
//! The profile is looked up the way the AWS CLI looks it up: `[profile NAME]` (or `[default]`)
//! in `$AWS_CONFIG_FILE` (default `~/.aws/config`) and `[NAME]` in
//! `$AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`). Then:
//! - `role_arn = arn:aws:iam::ACCOUNT:role/NAME` is a session of that role, assumed by the
//!   identity its `source_profile` stands for (resolved by these same rules, so
//!   `source_profile = app-host` naming no file section is the IAM user app-host), or by
//!   lab-admin without one (as `--as role/NAME`); the trust policy decides, and
//!   `role_session_name` names the session (botocore's `botocore-session-<time>` otherwise);
//! - `aws_access_key_id` (+ `aws_secret_access_key`) is the IAM user owning that access key in
//!   the world (keys `keyform serve` printed or `iam create-access-key` made); a key no user
//!   owns is InvalidClientTokenId and a wrong secret SignatureDoesNotMatch, as AWS answers;
//! - a profile with neither, or none of that name, is the IAM user NAME (`--as NAME`): a
//!   class's "one profile per user" convention needs no files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::usage;
use crate::sim::{CallContext, Cloud, SimError};

/// The keys of one INI section.
type Section = BTreeMap<String, String>;

/// Reads `[section]` from an AWS CLI INI file (missing files are empty).
fn section(path: &PathBuf, name: &str) -> Option<Section> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut current: Option<Section> = None;
    let mut found = None;
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('#') || l.starts_with(';') || l.is_empty() {
            continue;
        }
        if let Some(h) = l.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            if let Some(done) = current.take() {
                found = Some(done);
                break;
            }
            if h.trim() == name {
                current = Some(Section::new());
            }
            continue;
        }
        if let (Some(s), Some((k, v))) = (current.as_mut(), l.split_once('=')) {
            s.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    found.or(current)
}

fn aws_file(var: &str, default: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join(".aws")
            .join(default),
    }
}

/// What profile `name` says, from the AWS CLI's two files (credentials win, as in botocore).
fn profile_keys(name: &str) -> Section {
    let config_name = if name == "default" {
        "default".to_string()
    } else {
        format!("profile {name}")
    };
    let mut keys =
        section(&aws_file("AWS_CONFIG_FILE", "config"), &config_name).unwrap_or_default();
    if let Some(creds) = section(
        &aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        name,
    ) {
        keys.extend(creds);
    }
    keys
}

/// How many `source_profile` hops a profile may take (the AWS CLI refuses loops; keyform
/// stops at this depth, which no honest configuration reaches).
const MAX_SOURCE_PROFILES: usize = 8;

/// The caller `--profile name` stands for, and where it came from (for messages).
pub(super) fn resolve(
    name: &str,
    cloud: &mut Cloud,
) -> Result<(CallContext, String), (SimError, String)> {
    resolve_at(name, cloud, 0)
}

fn resolve_at(
    name: &str,
    cloud: &mut Cloud,
    depth: usize,
) -> Result<(CallContext, String), (SimError, String)> {
    let keys = profile_keys(name);
    let from = format!("--profile {name}");
    if let Some(arn) = keys.get("role_arn") {
        let role = arn
            .split_once(":role/")
            .map(|(_, r)| r.rsplit('/').next().unwrap_or(r).to_string())
            .ok_or_else(|| {
                usage(format!(
                    "profile {name}: role_arn {arn:?} is not a role ARN"
                ))
            })?;
        // A role the world lacks is left to the caller check, which names the roles there are.
        // The role is its ARN's account's (lab-admin assumes it from the default account).
        let account = crate::sim::World::arn_account(arn)
            .filter(|a| *a != cloud.world.account_id)
            .map(str::to_string);
        let known = cloud
            .world
            .iam_of(account.as_deref().unwrap_or(&cloud.world.account_id))
            .is_some_and(|iam| iam.roles.contains_key(&role));
        let Some(source) = keys.get("source_profile").filter(|_| known) else {
            let ctx = CallContext::user(&format!("role/{role}"));
            return Ok(match &account {
                Some(a) => (ctx.in_account(a), from),
                None => (ctx, from),
            });
        };
        if depth >= MAX_SOURCE_PROFILES {
            return Err(usage(format!(
                "profile {name}: source_profile {source:?} leads to a loop of profiles (more than {MAX_SOURCE_PROFILES} hops)"
            )));
        }
        let (src, _) = if source == name {
            // A profile that is its own source uses its own keys (as the AWS CLI allows).
            let mut own = keys.clone();
            own.remove("role_arn");
            (key_caller(name, &own, cloud)?, String::new())
        } else {
            resolve_at(source, cloud, depth + 1)?
        };
        let src = match &src.principal {
            crate::sim::Principal::User(u) if u.starts_with("role/") => cloud
                .caller_named(u)
                .map_err(|e| (e, "AssumeRole".to_string()))?,
            // `default` with no keys is the default caller, lab-admin (keyform's default
            // credentials); another name must be an IAM user of the world.
            crate::sim::Principal::User(u) if u == "default" => CallContext::lab_admin(),
            crate::sim::Principal::User(u)
                if u != crate::sim::iam::ROOT_CALLER && !cloud.world.iam.users.contains_key(u) =>
            {
                return Err(usage(format!(
                    "profile {name}: source_profile {source:?} has no credentials and names no IAM user of this world"
                )));
            }
            _ => src,
        };
        let session = keys
            .get("role_session_name")
            .cloned()
            .unwrap_or_else(|| format!("botocore-session-{}", cloud.world.now / 1000));
        let out = cloud
            .call_json(
                &src,
                "sts:AssumeRole",
                &serde_json::json!({"RoleArn": arn, "RoleSessionName": session}),
            )
            .map_err(|e| (e, "AssumeRole".to_string()))?;
        let id = out["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap_or_default();
        return Ok((CallContext::session(id), from));
    }
    Ok((key_caller(name, &keys, cloud)?, from))
}

/// The caller a profile's access keys (or its name) stand for.
fn key_caller(
    name: &str,
    keys: &Section,
    cloud: &Cloud,
) -> Result<CallContext, (SimError, String)> {
    if let Some(id) = keys.get("aws_access_key_id") {
        let Some(k) = cloud.access_key(id) else {
            return Err((
                SimError::service(
                    "InvalidClientTokenId",
                    403,
                    "The security token included in the request is invalid.",
                ),
                "GetCallerIdentity".into(),
            ));
        };
        if keys.get("aws_secret_access_key").map(String::as_str) != Some(k.secret.as_str()) {
            return Err((
                SimError::service(
                    "SignatureDoesNotMatch",
                    403,
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
                ),
                "GetCallerIdentity".into(),
            ));
        }
        let ctx = CallContext::user(&k.user);
        return Ok(if k.account == cloud.world.account_id {
            ctx
        } else {
            ctx.in_account(&k.account)
        });
    }
    Ok(CallContext::user(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_as_the_aws_cli_reads_them() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("config");
        std::fs::write(
            &p,
            "[default]\nregion = us-east-1\n\n[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = default\n# a comment\n[profile other]\nregion=x\n",
        )
        .unwrap();
        let s = section(&p, "profile auditor").unwrap();
        assert_eq!(s["role_arn"], "arn:aws:iam::123456789012:role/Auditor");
        assert_eq!(s.len(), 2);
        assert_eq!(section(&p, "default").unwrap()["region"], "us-east-1");
        assert!(section(&p, "profile nobody").is_none());
    }
}
