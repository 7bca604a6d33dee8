//! `keyform sim` parameters: AWS CLI flags (`--key-id`, `--no-bucket-key-enabled`,
//! `file://`, `fileb://`, `k=v` maps) turned into the operation's JSON parameters, the caller
//! (`--as`, `--anonymous`, `KEYFORM_AS`) and the output options.
//!
//! The parameter typing here is one of several copies that a typed operation table is to
//! replace; it is kept as it was.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value as Json;

use super::output::Output;
use super::usage;
use crate::sim::{CallContext, Cloud, SimError};

use crate::sim::ops::ParamType;

/// The type operation `op` gives parameter `name` (from the operation table: the one place
/// parameters are typed).
fn param_type(op: &str, name: &str) -> Option<ParamType> {
    crate::sim::ops::find(op)?
        .params
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.ty)
}

/// `get-key-rotation-status` -> `GetKeyRotationStatus`; `list-objects-v2` -> `ListObjectsV2`.
pub(super) fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// AWS CLI parameter names whose PascalCase form is irregular.
fn param_name(flag: &str) -> String {
    match flag {
        "ssekms-key-id" | "sse-kms-key-id" => "SSEKMSKeyId".into(),
        "ssekms-encryption-context" | "sse-kms-encryption-context" => {
            "SSEKMSEncryptionContext".into()
        }
        "kms-master-key-id" => "KMSMasterKeyID".into(),
        "sse-algorithm" => "SSEAlgorithm".into(),
        "checksum-sha256" => "ChecksumSHA256".into(),
        other => pascal(other),
    }
}

/// `GetKeyRotationStatus` -> `get-key-rotation-status`.
pub(super) fn kebab(pascal: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = pascal.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase()
            && i > 0
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
        {
            out.push('-');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// What `parse_params` returns: parameters, PutObject body, GetObject outfile, caller, and
/// how to print the response.
type Parsed = (Json, Option<Vec<u8>>, Option<String>, Caller, Output);

pub(super) struct Caller {
    pub(super) ctx: CallContext,
    /// Where a named user came from (`--as` or `KEYFORM_AS`), for the unknown-user message.
    from: &'static str,
}

impl Caller {
    /// `--as USER`, else `KEYFORM_AS`, else lab-admin.
    pub(super) fn from_env() -> Caller {
        match std::env::var("KEYFORM_AS").ok().filter(|s| !s.is_empty()) {
            Some(u) => Caller {
                ctx: CallContext::user(&u),
                from: "the KEYFORM_AS environment variable",
            },
            None => Caller {
                ctx: CallContext::lab_admin(),
                from: "",
            },
        }
    }

    /// Resolves the caller: `root` is the account root user, `role/NAME` a session of the role
    /// that lab-admin assumes first (the trust policy decides); any other name must be an IAM
    /// user of this world.
    ///
    /// AWS would answer credentials of no user with InvalidClientTokenId-style errors (and the
    /// simulated services do, for callers from Rust); on the command line a mistyped user or
    /// role name is a usage mistake, so it gets a usage error that names it and lists those
    /// that exist.
    pub(super) fn check(&mut self, cloud: &mut Cloud) -> Result<(), (SimError, String)> {
        let crate::sim::Principal::User(name) = &self.ctx.principal else {
            return Ok(());
        };
        let name = name.clone();
        if let Some(role) = name.strip_prefix("role/")
            && !cloud.world.iam.roles.contains_key(role)
        {
            let roles: Vec<&str> = cloud.world.iam.roles.keys().map(String::as_str).collect();
            let hint = crate::diag::suggestion(role, roles.iter().copied());
            let known = if roles.is_empty() {
                "none".to_string()
            } else {
                roles.join(", ")
            };
            return Err(usage(format!(
                "there is no IAM role named {role:?} in this world (from {}).{hint} Roles: {known}.",
                self.from
            )));
        }
        if name == crate::sim::iam::ROOT_CALLER || name.starts_with("role/") {
            self.ctx = cloud
                .caller_named(&name)
                .map_err(|e| (e, "AssumeRole".to_string()))?;
            return Ok(());
        }
        if cloud.world.iam.users.contains_key(&name) {
            return Ok(());
        }
        let users: Vec<&str> = cloud.world.iam.users.keys().map(String::as_str).collect();
        let hint = crate::diag::suggestion(&name, users.iter().copied());
        Err(usage(format!(
            "there is no IAM user named {name:?} in this world (from {}).{hint} Users: {}. Use --as root for the account root user, --as role/NAME for a role.",
            self.from,
            users.join(", ")
        )))
    }
}

fn read_file(path: &str, base: &Path) -> Result<Vec<u8>, (SimError, String)> {
    let p = if Path::new(path).is_absolute() {
        Path::new(path).to_path_buf()
    } else {
        base.join(path)
    };
    std::fs::read(&p).map_err(|e| {
        (
            SimError::param(format!(
                "Error parsing parameter: Unable to load paramfile {path}: {e}"
            )),
            String::new(),
        )
    })
}

/// Turns `--name value` words into AWS parameters.
pub(super) fn parse_params(
    words: &[String],
    base: &Path,
    op: &str,
) -> Result<Parsed, (SimError, String)> {
    let mut params = serde_json::Map::new();
    let mut body: Option<Vec<u8>> = None;
    let mut outfile = None;
    let mut caller = Caller::from_env();
    let mut output = Output::default();
    let known = crate::sim::ops::parameter_names(op).unwrap_or_default();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let Some(flag) = w.strip_prefix("--") else {
            if outfile.is_none() && op == "s3:GetObject" {
                outfile = Some(w.clone());
                i += 1;
                continue;
            }
            return Err(usage(format!("Unknown options: {w}")));
        };
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (flag, None),
        };
        match flag {
            "as" => {
                let v = inline
                    .or_else(|| words.get(i + 1).cloned())
                    .ok_or_else(|| usage("--as needs an IAM user name, root, or role/NAME"))?;
                caller = Caller {
                    ctx: CallContext::user(&v),
                    from: "--as",
                };
                i += if w.contains('=') { 1 } else { 2 };
                continue;
            }
            "anonymous" => {
                caller = Caller {
                    ctx: CallContext::anonymous(),
                    from: "--anonymous",
                };
                i += 1;
                continue;
            }
            // Global options of the AWS CLI that change nothing here.
            "no-cli-pager" | "no-paginate" => {
                i += 1;
                continue;
            }
            "query" | "output" | "region" => {
                let v = inline
                    .clone()
                    .or_else(|| words.get(i + 1).cloned())
                    .ok_or_else(|| usage(format!("argument --{flag}: expected one argument")))?;
                i += if inline.is_some() { 1 } else { 2 };
                match flag {
                    "query" => output.query = Some(v),
                    "region" => output.region = Some(v),
                    _ => {
                        output.text = match v.as_str() {
                            "json" => false,
                            "text" => true,
                            other => {
                                return Err(usage(format!(
                                    "argument --output: invalid choice {other:?}: keyform prints json or text"
                                )));
                            }
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        let name = param_name(
            flag.strip_prefix("no-")
                .filter(|f| param_type(op, &pascal(f)) == Some(ParamType::Boolean))
                .unwrap_or(flag),
        );
        let is_body = name == "Body" && op == "s3:PutObject";
        if !(known.contains(&name.as_str()) || is_body) {
            let mut flags: Vec<String> = known.iter().map(|k| format!("--{}", kebab(k))).collect();
            if op == "s3:PutObject" {
                flags.push("--body".into());
            }
            let hint =
                crate::diag::suggestion(&format!("--{flag}"), flags.iter().map(String::as_str));
            return Err(usage(format!(
                "Unknown options: --{flag}.{hint} Options of this operation: {}{}",
                if flags.is_empty() {
                    "(none)".to_string()
                } else {
                    flags.join(", ")
                },
                "; global options: --as USER|root|role/NAME, --anonymous, --query, --output json|text, --region"
            )));
        }
        let ty = param_type(op, &name);
        if ty == Some(ParamType::Boolean)
            && inline.is_none()
            && words.get(i + 1).is_none_or(|n| n.starts_with("--"))
        {
            params.insert(name, Json::Bool(!flag.starts_with("no-")));
            i += 1;
            continue;
        }
        let raw = match inline {
            Some(v) => {
                i += 1;
                v
            }
            None => {
                let v = words
                    .get(i + 1)
                    .cloned()
                    .ok_or_else(|| usage(format!("argument --{flag}: expected one argument")))?;
                i += 2;
                v
            }
        };
        if name == "Body" && op == "s3:PutObject" {
            body = Some(
                match raw.strip_prefix("fileb://").or(raw.strip_prefix("file://")) {
                    Some(p) => read_file(p, base)?,
                    None => read_file(&raw, base)?,
                },
            );
            continue;
        }
        // Content (Plaintext) is text or fileb:// in, base64 on the wire; opaque blobs
        // (CiphertextBlob) are given as base64, as the CLI prints them.
        let value = if ty == Some(ParamType::Content) {
            let bytes = match raw.strip_prefix("fileb://").or(raw.strip_prefix("file://")) {
                Some(p) => read_file(p, base)?,
                None => raw.into_bytes(),
            };
            Json::String(B64.encode(bytes))
        } else if ty == Some(ParamType::Blob) {
            match raw.strip_prefix("fileb://") {
                Some(p) => Json::String(B64.encode(read_file(p, base)?)),
                None => Json::String(raw),
            }
        } else if let Some(p) = raw.strip_prefix("file://") {
            let text = String::from_utf8(read_file(p, base)?)
                .map_err(|_| usage(format!("{p} is not UTF-8 text; use fileb:// for bytes")))?;
            structured(&name, &text, ty)?
        } else {
            structured(&name, &raw, ty)?
        };
        params.insert(name, value);
    }
    Ok((Json::Object(params), body, outfile, caller, output))
}

/// A parameter value: JSON when it looks like JSON, maps from k=v shorthand, numbers, bools.
fn structured(name: &str, raw: &str, ty: Option<ParamType>) -> Result<Json, (SimError, String)> {
    let t = raw.trim_start();
    if ty == Some(ParamType::PolicyDocument) {
        return Ok(Json::String(raw.to_string()));
    }
    if t.starts_with('{') || t.starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| {
            usage(format!(
                "Error parsing parameter '--{name}': Invalid JSON: {e}"
            ))
        });
    }
    if ty == Some(ParamType::Integer) {
        return raw.parse::<i64>().map(Json::from).map_err(|_| (SimError::param(format!("Invalid type for parameter {name}, value: {raw}, type: <class 'str'>, valid types: <class 'int'>")), String::new()));
    }
    if ty == Some(ParamType::Boolean) {
        return match raw {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            _ => Err(usage(format!("argument --{name}: expected true or false"))),
        };
    }
    if ty == Some(ParamType::StringMap) {
        let mut m = serde_json::Map::new();
        for pair in raw.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').ok_or_else(|| usage(format!("Error parsing parameter '--{name}': expected key=value pairs separated by commas, got {pair:?}")))?;
            m.insert(k.to_string(), Json::String(v.to_string()));
        }
        return Ok(Json::Object(m));
    }
    if name == "LookupAttributes" || name == "Tags" {
        let mut m = serde_json::Map::new();
        for pair in raw.split(',') {
            if let Some((k, v)) = pair.split_once('=') {
                m.insert(k.to_string(), Json::String(v.to_string()));
            }
        }
        return Ok(Json::Array(vec![Json::Object(m)]));
    }
    if name == "TagKeys" {
        return Ok(Json::Array(
            raw.split(',')
                .map(|s| Json::String(s.to_string()))
                .collect(),
        ));
    }
    Ok(Json::String(raw.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert_between_cli_and_api_forms() {
        assert_eq!(pascal("get-key-rotation-status"), "GetKeyRotationStatus");
        assert_eq!(pascal("list-objects-v2"), "ListObjectsV2");
        assert_eq!(
            kebab("GenerateDataKeyWithoutPlaintext"),
            "generate-data-key-without-plaintext"
        );
        assert_eq!(param_name("ssekms-key-id"), "SSEKMSKeyId");
        assert_eq!(param_name("pending-window-in-days"), "PendingWindowInDays");
    }
}
