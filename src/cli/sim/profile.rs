//! `--profile NAME`: which world identity a named AWS CLI profile stands for.
//!
//! The profile is looked up the way the AWS CLI looks it up: `[profile NAME]` (or `[default]`)
//! in `$AWS_CONFIG_FILE` (default `~/.aws/config`) and `[NAME]` in
//! `$AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`). Then:
//! - `role_arn = arn:aws:iam::ACCOUNT:role/NAME` is a session of that role, assumed by
//!   lab-admin (as `--as role/NAME`; the trust policy decides);
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

/// The caller `--profile name` stands for, and where it came from (for messages).
pub(super) fn resolve(
    name: &str,
    cloud: &Cloud,
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
        let ctx = CallContext::user(&format!("role/{role}"));
        // The role is its ARN's account's (lab-admin assumes it from the default account).
        return Ok(match crate::sim::World::arn_account(arn) {
            Some(a) if a != cloud.world.account_id => (ctx.in_account(a), from),
            _ => (ctx, from),
        });
    }
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
            (ctx, from)
        } else {
            (ctx.in_account(&k.account), from)
        });
    }
    Ok((CallContext::user(name), from))
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
