//! `keyform sim` parameters: AWS CLI flags (`--key-id`, `--no-bucket-key-enabled`,
//! `file://`, `fileb://`, `k=v` maps) turned into the operation's JSON parameters, the caller
//! (`--as`, `--anonymous`, `KEYFORM_AS`) and the output options.
//!
//! Types come from the operation table; [`super::values`] turns one flag's words into a
//! value (JSON, shorthand, paramfiles), as the AWS CLI does.

use std::path::Path;

use serde_json::Value as Json;

use super::output::{Format, Output};
use super::values::{BinaryFormat, read_file, value};
use super::{parse_error, usage};
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

/// What `parse_params` returns: the operation's parameters, PutObject's body, GetObject's
/// outfile, the caller, how to print the response, and whether only a skeleton is wanted.
pub(super) struct Parsed {
    pub(super) params: Json,
    pub(super) body: Option<Vec<u8>>,
    pub(super) outfile: Option<String>,
    pub(super) caller: Caller,
    pub(super) output: Output,
    /// `--generate-cli-skeleton`: print the input skeleton, call nothing.
    pub(super) skeleton: bool,
}

pub(super) struct Caller {
    pub(super) ctx: CallContext,
    /// Where a named user came from (`--as` or `KEYFORM_AS`), for the unknown-user message.
    from: String,
    /// `--profile NAME`, resolved against the world in [`Caller::check`].
    profile: Option<String>,
    /// `--account ID`, applied in [`Caller::check`].
    pub(super) account: Option<String>,
}

impl Caller {
    /// `--as NAME` (`from` says where the name came from).
    pub(super) fn named(name: &str, from: &str) -> Caller {
        Caller {
            ctx: CallContext::user(name),
            from: from.into(),
            profile: None,
            account: None,
        }
    }

    /// `--profile NAME`, resolved in [`Caller::check`].
    pub(super) fn profile(name: &str) -> Caller {
        Caller {
            profile: Some(name.into()),
            ..Caller::from_env()
        }
    }

    /// `--anonymous`.
    pub(super) fn anonymous() -> Caller {
        Caller {
            ctx: CallContext::anonymous(),
            from: "--anonymous".into(),
            profile: None,
            account: None,
        }
    }

    /// `--as USER`, else `KEYFORM_AS`, else lab-admin.
    pub(super) fn from_env() -> Caller {
        match std::env::var("KEYFORM_AS").ok().filter(|s| !s.is_empty()) {
            Some(u) => Caller {
                ctx: CallContext::user(&u),
                from: "the KEYFORM_AS environment variable".into(),
                profile: None,
                account: None,
            },
            None => Caller {
                ctx: CallContext::lab_admin(),
                from: String::new(),
                profile: None,
                account: None,
            },
        }
    }

    /// Resolves the caller: `root` is the account root user, `role/NAME` a session of the role
    /// that lab-admin assumes first (the trust policy decides); any other name must be an IAM
    /// user of this world. `--profile` is read from the AWS CLI's files first (see
    /// [`super::profile`]).
    ///
    /// AWS would answer credentials of no user with InvalidClientTokenId-style errors (and the
    /// simulated services do, for callers from Rust); on the command line a mistyped user or
    /// role name is a usage mistake, so it gets a usage error that names it and lists those
    /// that exist.
    pub(super) fn check(&mut self, cloud: &mut Cloud) -> Result<(), (SimError, String)> {
        if let Some(p) = self.profile.take() {
            let (ctx, from) = super::profile::resolve(&p, cloud)?;
            self.ctx = ctx;
            self.from = from;
        }
        if let Some(a) = self.account.take() {
            self.ctx.account = Some(a);
        }
        if let Some(acct) = self
            .ctx
            .account
            .clone()
            .filter(|a| *a != cloud.world.account_id)
        {
            return self.check_in(cloud, &acct);
        }
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

impl Caller {
    /// [`Caller::check`] in another account than the default one (`--account ID`): the
    /// account's user, `root`, `role/NAME` (lab-admin assumes it), or, with no `--as`, a
    /// session of the account's OrganizationAccountAccessRole.
    fn check_in(&mut self, cloud: &mut Cloud, acct: &str) -> Result<(), (SimError, String)> {
        let Some(iam) = cloud.world.iam_of(acct) else {
            return Err(usage(format!(
                "this world has no account {acct} (from --account). Accounts: {}. `keyform init -account-id` creates them.",
                cloud.world.account_ids().join(", ")
            )));
        };
        let name = match &self.ctx.principal {
            crate::sim::Principal::User(n)
                if self.from.is_empty() && n == crate::sim::LAB_ADMIN =>
            {
                None
            }
            crate::sim::Principal::User(n) => Some(n.clone()),
            crate::sim::Principal::Root => Some(crate::sim::iam::ROOT_CALLER.to_string()),
            _ => return Ok(()),
        };
        let (kind, known, missing): (&str, Vec<&String>, Option<&str>) = match name.as_deref() {
            None | Some(crate::sim::iam::ROOT_CALLER) => ("", Vec::new(), None),
            Some(n) => match n.strip_prefix("role/") {
                Some(r) => (
                    "role",
                    iam.roles.keys().collect(),
                    (!iam.roles.contains_key(r)).then_some(r),
                ),
                None => (
                    "user",
                    iam.users.keys().collect(),
                    (!iam.users.contains_key(n)).then_some(n),
                ),
            },
        };
        if let Some(m) = missing {
            let hint = crate::diag::suggestion(m, known.iter().map(|s| s.as_str()));
            let list: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
            return Err(usage(format!(
                "there is no IAM {kind} named {m:?} in account {acct} (from {}).{hint} {kind}s there: {}.",
                self.from,
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                }
            )));
        }
        self.ctx = cloud
            .caller_in(Some(acct), name.as_deref())
            .map_err(|e| (e, "AssumeRole".to_string()))?;
        Ok(())
    }
}

/// The words of one option: `--x=v`, or the next word, or (for `list`) every word up to the
/// next option, as argparse's `nargs='+'` takes them.
fn option_words(
    words: &[String],
    i: usize,
    inline: Option<String>,
    list: bool,
    flag: &str,
) -> Result<(Vec<String>, usize), (SimError, String)> {
    if let Some(v) = inline {
        return Ok((vec![v], i + 1));
    }
    let mut j = i + 1;
    let mut out = Vec::new();
    while let Some(w) = words.get(j) {
        if w.starts_with("--") || (!list && !out.is_empty()) {
            break;
        }
        out.push(w.clone());
        j += 1;
    }
    if out.is_empty() {
        return Err(usage(if list {
            format!("argument --{flag}: expected at least one argument")
        } else {
            format!("argument --{flag}: expected one argument")
        }));
    }
    Ok((out, j))
}

/// The AWS CLI's global options that take a value and change nothing in a simulation.
const IGNORED_WITH_VALUE: &[&str] = &[
    "endpoint-url",
    "color",
    "ca-bundle",
    "cli-read-timeout",
    "cli-connect-timeout",
];
/// The AWS CLI's global switches that change nothing here.
const IGNORED_SWITCHES: &[&str] = &[
    "no-cli-pager",
    "no-verify-ssl",
    "debug",
    "no-cli-auto-prompt",
];
const GLOBALS: &str = "global options: --account ID, --as USER|root|role/NAME, --profile NAME, --anonymous, --query, --output json|text|table|yaml|yaml-stream, --region, --cli-input-json, --generate-cli-skeleton, --cli-binary-format base64|raw-in-base64-out, --max-items N, --page-size N, --starting-token T, --no-paginate";

/// `--cli-binary-format` wherever it is on the line.
fn binary_format(words: &[String]) -> Result<BinaryFormat, (SimError, String)> {
    let mut found = None;
    for (i, w) in words.iter().enumerate() {
        if w == "--cli-binary-format" {
            found = words.get(i + 1).cloned();
        } else if let Some(v) = w.strip_prefix("--cli-binary-format=") {
            found = Some(v.to_string());
        }
    }
    match found.as_deref() {
        None | Some("raw-in-base64-out") => Ok(BinaryFormat::Raw),
        Some("base64") => Ok(BinaryFormat::Base64),
        Some(other) => Err(usage(format!(
            "argument --cli-binary-format: invalid choice: '{other}' (choose from 'base64', 'raw-in-base64-out')"
        ))),
    }
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
    let mut account: Option<String> = None;
    let mut output = Output::default();
    // Read first: it changes how the parameters before it are read.
    let binary = binary_format(words)?;
    let mut input_json: Option<String> = None;
    let mut skeleton = false;
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
        let one = || option_words(words, i, inline.clone(), false, flag);
        match flag {
            "as" => {
                let (v, next) = one()?;
                caller = Caller {
                    ctx: CallContext::user(&v[0]),
                    from: "--as".into(),
                    profile: None,
                    account: None,
                };
                i = next;
                continue;
            }
            "profile" => {
                let (v, next) = one()?;
                caller.profile = Some(v[0].clone());
                i = next;
                continue;
            }
            "account" => {
                let (v, next) = one()?;
                account = Some(v[0].clone());
                i = next;
                continue;
            }
            "anonymous" | "no-sign-request" => {
                caller = Caller {
                    ctx: CallContext::anonymous(),
                    from: "--anonymous".into(),
                    profile: None,
                    account: None,
                };
                i += 1;
                continue;
            }
            "no-paginate" => {
                output.no_paginate = true;
                i += 1;
                continue;
            }
            "max-items" | "page-size" => {
                let (v, next) = one()?;
                let n = v[0].parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    usage(format!("argument --{flag}: invalid int value: '{}'", v[0]))
                })?;
                if flag == "max-items" {
                    output.paging.max_items = Some(n);
                } else {
                    output.paging.page_size = Some(n);
                }
                i = next;
                continue;
            }
            "starting-token" => {
                let (v, next) = one()?;
                output.paging.starting_token = Some(v[0].clone());
                i = next;
                continue;
            }
            f if IGNORED_SWITCHES.contains(&f) => {
                i += 1;
                continue;
            }
            f if IGNORED_WITH_VALUE.contains(&f) => {
                i = one()?.1;
                continue;
            }
            "generate-cli-skeleton" => {
                skeleton = true;
                let v = inline
                    .clone()
                    .or_else(|| words.get(i + 1).filter(|n| !n.starts_with("--")).cloned());
                i += if inline.is_none() && v.is_some() {
                    2
                } else {
                    1
                };
                match v.as_deref() {
                    None | Some("input") => {}
                    Some("output") => {
                        return Err(usage(
                            "--generate-cli-skeleton output is not supported by keyform sim (the operation table types inputs only); use --generate-cli-skeleton input",
                        ));
                    }
                    Some(other) => {
                        return Err(usage(format!(
                            "argument --generate-cli-skeleton: invalid choice: '{other}' (choose from 'input', 'output')"
                        )));
                    }
                }
                continue;
            }
            "cli-input-json" | "cli-binary-format" | "query" | "output" | "region" => {
                let (v, next) = one()?;
                let v = v[0].clone();
                i = next;
                match flag {
                    "cli-input-json" => input_json = Some(v),
                    "cli-binary-format" => {}
                    "query" => output.query = Some(v),
                    "region" => output.region = Some(v),
                    _ => output.format = Format::parse(&v)?,
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
                "Unknown options: --{flag}.{hint} Options of this operation: {}; {GLOBALS}",
                if flags.is_empty() {
                    "(none)".to_string()
                } else {
                    flags.join(", ")
                },
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
        let list = matches!(ty, Some(ParamType::List(_)));
        let (vals, next) = option_words(words, i, inline, list, flag)?;
        i = next;
        if is_body {
            let raw = &vals[0];
            body = Some(
                match raw.strip_prefix("fileb://").or(raw.strip_prefix("file://")) {
                    Some(p) => read_file(p, base)?,
                    None => read_file(raw, base)?,
                },
            );
            continue;
        }
        let value = value(&name, flag, &vals, ty, base, binary)?;
        params.insert(name, value);
    }
    if let Some(text) = input_json {
        merge_input_json(op, &text, base, binary, &mut params, &mut body)?;
    }
    let params = Json::Object(params);
    if !skeleton {
        validate_input(op, &params)?;
    }
    caller.account = account.or(caller.account);
    Ok(Parsed {
        params,
        body,
        outfile,
        caller,
        output,
        skeleton,
    })
}

/// `--cli-input-json`: the JSON's members the command line did not give (the command line
/// wins, as in the AWS CLI). Binary members are taken as the command line takes text.
fn merge_input_json(
    op: &str,
    text: &str,
    base: &Path,
    binary: BinaryFormat,
    params: &mut serde_json::Map<String, Json>,
    body: &mut Option<Vec<u8>>,
) -> Result<(), (SimError, String)> {
    let text = match text.strip_prefix("file://") {
        Some(p) => String::from_utf8_lossy(&read_file(p, base)?).into_owned(),
        None => text.to_string(),
    };
    let input: Json = serde_json::from_str(&text).map_err(|e| {
        parse_error(format!(
            "Error parsing parameter 'cli-input-json': Invalid JSON: {e}\nJSON received: {text}"
        ))
    })?;
    let Json::Object(input) = input else {
        return Err(parse_error(
            "Error parsing parameter 'cli-input-json': the JSON must be an object of parameters",
        ));
    };
    for (k, v) in input {
        if params.contains_key(&k) {
            continue;
        }
        if k == "Body" && op == "s3:PutObject" {
            if body.is_none()
                && let Some(t) = v.as_str()
            {
                *body = Some(t.as_bytes().to_vec());
            }
            continue;
        }
        let v = match (param_type(op, &k), v) {
            (Some(ParamType::Content), Json::String(t)) => {
                value(&k, &kebab(&k), &[t], Some(ParamType::Content), base, binary)?
            }
            (_, v) => v,
        };
        params.insert(k, v);
    }
    Ok(())
}

/// botocore's client-side validation of the whole input: every problem, in its order.
fn validate_input(op: &str, params: &Json) -> Result<(), (SimError, String)> {
    let Some(row) = crate::sim::ops::find(op) else {
        return Ok(());
    };
    let Json::Object(given) = params else {
        return Ok(());
    };
    let mut errors = Vec::new();
    for p in row.params.iter().filter(|p| p.required) {
        if given.get(p.name).is_none_or(Json::is_null) {
            errors.push(format!(
                "Missing required parameter in input: \"{}\"",
                p.name
            ));
        }
    }
    let names: Vec<&str> = row.params.iter().map(|p| p.name).collect();
    for k in given.keys() {
        if !names.contains(&k.as_str()) {
            errors.push(format!(
                "Unknown parameter in input: \"{k}\", must be one of: {}",
                names.join(", ")
            ));
        }
    }
    for p in row.params {
        if let Some(v) = given.get(p.name) {
            super::values::validate(p.name, v, &p.ty, &mut errors);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err((SimError::param(errors.join("\n")), String::new()))
    }
}

/// `--generate-cli-skeleton`: the operation's input with placeholder values, members in the
/// table's order, as botocore's ArgumentGenerator writes them (an enum shows its first value).
pub(super) fn skeleton(op: &str) -> String {
    fn value(ty: &ParamType, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent + 4);
        match ty {
            ParamType::String | ParamType::PolicyDocument => out.push_str("\"\""),
            ParamType::Enum(v) => {
                out.push_str(&Json::String(v.first().copied().unwrap_or("").into()).to_string())
            }
            ParamType::Integer => out.push('0'),
            ParamType::Boolean => out.push_str("true"),
            ParamType::Blob | ParamType::Content => out.push_str("null"),
            ParamType::Timestamp => out.push_str("\"1970-01-01T00:00:00\""),
            ParamType::StringMap => out.push_str(&format!(
                "{{\n{pad}\"KeyName\": \"\"\n{}}}",
                " ".repeat(indent)
            )),
            ParamType::Structure => out.push_str("{}"),
            ParamType::List(m) => {
                out.push_str(&format!("[\n{pad}"));
                value(m, indent + 4, out);
                out.push_str(&format!("\n{}]", " ".repeat(indent)));
            }
            ParamType::Shape(members) => {
                let fields: Vec<(&str, ParamType)> =
                    members.iter().map(|p| (p.name, p.ty)).collect();
                object(&fields, indent, out);
            }
        }
    }
    fn object(fields: &[(&str, ParamType)], indent: usize, out: &mut String) {
        if fields.is_empty() {
            out.push_str("{}");
            return;
        }
        let pad = " ".repeat(indent + 4);
        out.push_str("{\n");
        for (i, (name, ty)) in fields.iter().enumerate() {
            out.push_str(&format!("{pad}\"{name}\": "));
            value(ty, indent + 4, out);
            out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
        }
        out.push_str(&" ".repeat(indent));
        out.push('}');
    }
    let mut fields: Vec<(&str, ParamType)> = crate::sim::ops::find(op)
        .map(|row| row.params.iter().map(|p| (p.name, p.ty)).collect())
        .unwrap_or_default();
    if op == "s3:PutObject" {
        fields.insert(0, ("Body", ParamType::Blob));
    }
    let mut out = String::new();
    object(&fields, 0, &mut out);
    out
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
