//! `keyform sim`: the simulated cloud's API with the AWS CLI's shape
//! (`keyform sim kms encrypt --key-id alias/lab-key --plaintext fileb://secret.txt`),
//! plus `sim clock`, `sim explain` and a readable `sim cloudtrail lookup-events`.
//!
//! Exit codes are the AWS CLI's: 0 success, 252 usage or parameter error, 254 the service
//! answered with an error, 255 anything else.

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use crate::cli::Ctx;
use crate::sim::api::{canonical, operation_names};
use crate::sim::authz::Explanation;
use crate::sim::{CallContext, Cloud, ErrorKind, SimError};
use crate::workspace::Workspace;

/// Exit codes of the AWS CLI.
const USAGE: u8 = 252;
const SERVICE_ERROR: u8 = 254;
const OTHER: u8 = 255;

const HELP: &str = "Usage: keyform sim <service> <operation> [--parameter value ...] [--as USER | --anonymous]
       keyform sim clock [advance DURATION]
       keyform sim explain <service> <operation> [--parameter value ...] [--as USER | --anonymous]
       keyform sim cloudtrail lookup-events [--event-name NAME] [--user USER] [--resource ARN] [--json]

Services: kms, s3api (or s3), iam, cloudtrail. Operations and parameters are the AWS CLI's,
in kebab case: keyform sim kms schedule-key-deletion --key-id KEY --pending-window-in-days 7

Values: JSON objects and lists as text ('{\"Rules\": [...]}'), file://PATH for a file's text,
fileb://PATH for a file's bytes, k=v,k2=v2 for maps like --encryption-context.
Plaintext and Body given as text are UTF-8; CiphertextBlob is base64 as printed by encrypt.
Calls run as lab-admin unless --as USER, --anonymous or the KEYFORM_AS environment variable.

Examples:
  keyform sim kms encrypt --key-id alias/lab-key --plaintext fileb://secret.txt
  keyform sim s3api put-object --bucket B --key secret.txt --body secret.txt
  keyform sim s3api get-object --bucket B --key secret.txt out.txt --as S3-Admin-User
  keyform sim clock advance 8d
";

/// Parameters that carry bytes: text (or fileb://) in, base64 on the wire.
const TEXT_BLOBS: &[&str] = &["Plaintext"];
/// Parameters that carry bytes and are given as base64 (as printed by the CLI).
const B64_BLOBS: &[&str] = &["CiphertextBlob"];
const INTS: &[&str] = &[
    "PendingWindowInDays",
    "RotationPeriodInDays",
    "NumberOfBytes",
    "Limit",
    "MaxKeys",
    "MaxResults",
];
const BOOLS: &[&str] = &[
    "BypassPolicyLockoutSafetyCheck",
    "BucketKeyEnabled",
    "MultiRegion",
    "SetAsDefault",
    "IncludeGlobalServiceEvents",
    "IsMultiRegionTrail",
    "EnableLogFileValidation",
];
const MAPS: &[&str] = &[
    "EncryptionContext",
    "SourceEncryptionContext",
    "DestinationEncryptionContext",
    "Metadata",
];

/// Runs `keyform sim ...`; `args` are the words after `sim`.
pub(crate) fn run(ctx: &Ctx, args: &[String]) -> u8 {
    match run_inner(ctx, args) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "{}", render_error(&e.0, &e.1));
            match e.0.kind {
                ErrorKind::Parameter => USAGE,
                ErrorKind::Service => SERVICE_ERROR,
                ErrorKind::Internal => OTHER,
            }
        }
    }
}

fn render_error(e: &SimError, op: &str) -> String {
    match e.kind {
        ErrorKind::Parameter if e.code == "Usage" => format!(
            "{}\n\nkeyform sim: error: {}",
            HELP.lines().take(4).collect::<Vec<_>>().join("\n"),
            e.message
        ),
        ErrorKind::Parameter => format!("\nParameter validation failed:\n{}", e.message),
        ErrorKind::Service => format!(
            "\nAn error occurred ({}) when calling the {op} operation: {}",
            e.code, e.message
        ),
        ErrorKind::Internal => format!("\n{}", e.message),
    }
}

fn usage(msg: impl Into<String>) -> (SimError, String) {
    (
        SimError {
            kind: ErrorKind::Parameter,
            code: "Usage".into(),
            message: msg.into(),
            status: 400,
        },
        String::new(),
    )
}

type SimResult = Result<u8, (SimError, String)>;

/// `kms` -> `kms`, `s3api`/`s3` -> `s3`.
fn service_prefix(s: &str) -> Option<&'static str> {
    match s {
        "kms" => Some("kms"),
        "s3api" | "s3" => Some("s3"),
        "iam" => Some("iam"),
        "cloudtrail" => Some("cloudtrail"),
        _ => None,
    }
}

/// `get-key-rotation-status` -> `GetKeyRotationStatus`; `list-objects-v2` -> `ListObjectsV2`.
fn pascal(kebab: &str) -> String {
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

/// What `parse_params` returns: parameters, PutObject body, GetObject outfile, caller, and
/// how to print the response.
type Parsed = (Json, Option<Vec<u8>>, Option<String>, Caller, Output);

/// The AWS CLI's global output options that `sim` honours.
#[derive(Default)]
struct Output {
    /// `--query`: a JMESPath expression (the subset [`query`] supports).
    query: Option<String>,
    /// `--output text` instead of JSON.
    text: bool,
    /// `--region`: must be the world's region.
    region: Option<String>,
}

impl Output {
    fn check_region(&self, cloud: &Cloud) -> Result<(), (SimError, String)> {
        match &self.region {
            Some(r) if *r != cloud.world.region => Err(usage(format!(
                "--region {r}: this world is in {} (the provider block's region); keyform simulates one region per working directory",
                cloud.world.region
            ))),
            _ => Ok(()),
        }
    }

    /// Prints a response as the AWS CLI would with these options.
    fn print(&self, v: &Json) -> Result<(), (SimError, String)> {
        let v = match &self.query {
            Some(q) => query(v, q).map_err(usage)?,
            None => v.clone(),
        };
        if self.text {
            let mut out = String::new();
            text_lines(&v, &mut out);
            print!("{out}");
        } else {
            print_json(&v);
        }
        Ok(())
    }
}

/// One step of a `--query` path.
#[derive(Debug, PartialEq)]
enum Step {
    Field(String),
    Index(i64),
    /// `[]` or `[*]`: apply the rest to every element.
    Each,
}

fn parse_query(q: &str) -> Result<Vec<Step>, String> {
    let bad = || {
        format!(
            "--query {q:?}: keyform supports field paths like Plaintext, KeyMetadata.Arn, Contents[0].Key, Contents[].Key and Events[-1]"
        )
    };
    let mut steps = Vec::new();
    let mut chars = q.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '.' if !steps.is_empty() => {
                chars.next();
            }
            '[' => {
                chars.next();
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    inner.push(c);
                }
                steps.push(match inner.trim() {
                    "" | "*" => Step::Each,
                    n => Step::Index(n.parse().map_err(|_| bad())?),
                });
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let mut name = String::new();
                while let Some(&c) = chars.peek() {
                    if !(c.is_ascii_alphanumeric() || c == '_') {
                        break;
                    }
                    name.push(c);
                    chars.next();
                }
                steps.push(Step::Field(name));
            }
            _ => return Err(bad()),
        }
    }
    if steps.is_empty() {
        return Err(bad());
    }
    Ok(steps)
}

fn eval_query(v: &Json, steps: &[Step]) -> Json {
    let Some((first, rest)) = steps.split_first() else {
        return v.clone();
    };
    match first {
        Step::Field(f) => eval_query(v.get(f).unwrap_or(&Json::Null), rest),
        Step::Index(i) => {
            let item = v.as_array().and_then(|a| {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                usize::try_from(idx).ok().and_then(|i| a.get(i))
            });
            eval_query(item.unwrap_or(&Json::Null), rest)
        }
        Step::Each => match v.as_array() {
            Some(a) => Json::Array(
                a.iter()
                    .map(|x| eval_query(x, rest))
                    .filter(|x| !x.is_null())
                    .collect(),
            ),
            None => Json::Null,
        },
    }
}

/// Applies a `--query` expression (a JMESPath subset: fields, indexes, projections).
fn query(v: &Json, q: &str) -> Result<Json, String> {
    Ok(eval_query(v, &parse_query(q)?))
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::Null => "None".into(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => {
            if *b {
                "True".into()
            } else {
                "False".into()
            }
        }
        other => other.to_string(),
    }
}

/// `--output text`: scalars as they are, lists of scalars on one tab-separated line, objects
/// as one line of their scalar values (keys sorted) followed by their nested values.
fn text_lines(v: &Json, out: &mut String) {
    match v {
        Json::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()) => {
            let line: Vec<String> = a.iter().map(scalar_text).collect();
            out.push_str(&line.join("\t"));
            out.push('\n');
        }
        Json::Array(a) => a.iter().for_each(|x| text_lines(x, out)),
        Json::Object(m) => {
            let scalars: Vec<String> = m
                .values()
                .filter(|x| !x.is_object() && !x.is_array())
                .map(scalar_text)
                .collect();
            if !scalars.is_empty() {
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            m.values()
                .filter(|x| x.is_object() || x.is_array())
                .for_each(|x| text_lines(x, out));
        }
        scalar => {
            out.push_str(&scalar_text(scalar));
            out.push('\n');
        }
    }
}

struct Caller {
    ctx: CallContext,
    /// Where a named user came from (`--as` or `KEYFORM_AS`), for the unknown-user message.
    from: &'static str,
}

impl Caller {
    /// `--as USER`, else `KEYFORM_AS`, else lab-admin.
    fn from_env() -> Caller {
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

    /// A usage error if the caller is an IAM user that this world does not have.
    ///
    /// AWS would answer such credentials with InvalidClientTokenId-style errors (and the
    /// simulated services do, for callers from Rust); on the command line a mistyped user name
    /// is a usage mistake, so it gets a usage error that names the user and lists the users
    /// that exist.
    fn check(&self, cloud: &Cloud) -> Result<(), (SimError, String)> {
        let crate::sim::Principal::User(name) = &self.ctx.principal else {
            return Ok(());
        };
        if cloud.world.iam.users.contains_key(name) {
            return Ok(());
        }
        let users: Vec<&str> = cloud.world.iam.users.keys().map(String::as_str).collect();
        let hint = crate::diag::suggestion(name, users.iter().copied());
        Err(usage(format!(
            "there is no IAM user named {name:?} in this world (from {}).{hint} Users: {}.",
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
fn parse_params(words: &[String], base: &Path, op: &str) -> Result<Parsed, (SimError, String)> {
    let mut params = serde_json::Map::new();
    let mut body: Option<Vec<u8>> = None;
    let mut outfile = None;
    let mut caller = Caller::from_env();
    let mut output = Output::default();
    let known = crate::sim::api::parameters(op).unwrap_or_default();
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
                    .ok_or_else(|| usage("--as needs an IAM user name"))?;
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
                .filter(|f| BOOLS.contains(&pascal(f).as_str()))
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
                "; global options: --as USER, --anonymous, --query, --output json|text, --region"
            )));
        }
        if BOOLS.contains(&name.as_str())
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
        let value = if TEXT_BLOBS.contains(&name.as_str()) {
            let bytes = match raw.strip_prefix("fileb://").or(raw.strip_prefix("file://")) {
                Some(p) => read_file(p, base)?,
                None => raw.into_bytes(),
            };
            Json::String(B64.encode(bytes))
        } else if B64_BLOBS.contains(&name.as_str()) {
            match raw.strip_prefix("fileb://") {
                Some(p) => Json::String(B64.encode(read_file(p, base)?)),
                None => Json::String(raw),
            }
        } else if let Some(p) = raw.strip_prefix("file://") {
            let text = String::from_utf8(read_file(p, base)?)
                .map_err(|_| usage(format!("{p} is not UTF-8 text; use fileb:// for bytes")))?;
            structured(&name, &text)?
        } else {
            structured(&name, &raw)?
        };
        params.insert(name, value);
    }
    Ok((Json::Object(params), body, outfile, caller, output))
}

/// A parameter value: JSON when it looks like JSON, maps from k=v shorthand, numbers, bools.
fn structured(name: &str, raw: &str) -> Result<Json, (SimError, String)> {
    let t = raw.trim_start();
    if name == "Policy" || name == "PolicyDocument" {
        return Ok(Json::String(raw.to_string()));
    }
    if t.starts_with('{') || t.starts_with('[') {
        return serde_json::from_str(raw).map_err(|e| {
            usage(format!(
                "Error parsing parameter '--{name}': Invalid JSON: {e}"
            ))
        });
    }
    if INTS.contains(&name) {
        return raw.parse::<i64>().map(Json::from).map_err(|_| (SimError::param(format!("Invalid type for parameter {name}, value: {raw}, type: <class 'str'>, valid types: <class 'int'>")), String::new()));
    }
    if BOOLS.contains(&name) {
        return match raw {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            _ => Err(usage(format!("argument --{name}: expected true or false"))),
        };
    }
    if MAPS.contains(&name) {
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

fn open_world(ctx: &Ctx) -> Result<(Workspace, Cloud), (SimError, String)> {
    let mut ws = Workspace::at(&ctx.dir);
    // Locked before the world is created, so two first commands never both create one.
    ws.lock("sim", std::time::Duration::from_secs(5))
        .map_err(|e| (SimError::internal(e.to_string()), String::new()))?;
    if let Some(n) = ws.take_lock_notice() {
        eprintln!("keyform: {n}");
    }
    if !ws.exists() {
        ws.init(crate::sim::DEFAULT_ACCOUNT, "us-east-1")
            .map_err(|e| (SimError::internal(e.to_string()), String::new()))?;
    }
    let (_, cloud) = ws
        .load()
        .map_err(|e| (SimError::internal(e.to_string()), String::new()))?;
    Ok((ws, cloud))
}

fn save(ws: &mut Workspace, cloud: &mut Cloud) -> Result<(), (SimError, String)> {
    cloud.deliver_trails();
    if !cloud.is_dirty() && !cloud.material_destroyed {
        return Ok(());
    }
    // The state is untouched by sim calls; reload it so the snapshot keeps it as it is.
    let (state, _) = ws
        .load()
        .map_err(|e| (SimError::internal(e.to_string()), String::new()))?;
    ws.snapshot(&state, cloud)
        .map_err(|e| (SimError::internal(e.to_string()), String::new()))
}

fn print_json(v: &Json) {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if serde::Serialize::serialize(v, &mut ser).is_ok() {
        println!("{}", String::from_utf8_lossy(&buf));
    }
}

fn run_inner(ctx: &Ctx, args: &[String]) -> SimResult {
    let Some(first) = args.first() else {
        print!("{HELP}");
        return Ok(USAGE);
    };
    match first.as_str() {
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(0)
        }
        "clock" => clock(ctx, &args[1..]),
        "explain" => explain(ctx, &args[1..]),
        "cloudtrail"
            if args.get(1).map(String::as_str) == Some("lookup-events")
                && !args.iter().any(|a| a == "--lookup-attributes") =>
        {
            lookup_events(ctx, &args[2..])
        }
        svc => {
            let prefix = service_prefix(svc).ok_or_else(|| usage(format!("argument service: Invalid choice {svc:?}, valid choices are: kms | s3api | iam | cloudtrail | clock | explain")))?;
            let op_word = args.get(1).ok_or_else(|| {
                usage(format!(
                    "the {svc} command needs an operation, e.g. keyform sim {svc} {}",
                    example_op(prefix)
                ))
            })?;
            let op = resolve_op(prefix, op_word)?;
            let (params, body, outfile, caller, output) = parse_params(&args[2..], &ctx.dir, op)?;
            if op == "s3:GetObject" && outfile.is_none() {
                return Err(usage(
                    "the following arguments are required: outfile (get-object writes the object's body to a file: keyform sim s3api get-object --bucket B --key K out.txt)",
                ));
            }
            let (mut ws, mut cloud) = open_world(ctx)?;
            caller.check(&cloud)?;
            output.check_region(&cloud)?;
            let short = op.split_once(':').map_or(op, |(_, o)| o).to_string();
            let result = cloud.call(&caller.ctx, op, &params, body.as_deref());
            save(&mut ws, &mut cloud)?;
            let resp = result.map_err(|e| (e, short))?;
            if let (Some(out), Some(b)) = (outfile, &resp.body) {
                let p = ctx.dir.join(&out);
                std::fs::write(&p, &**b).map_err(|e| {
                    (
                        SimError::internal(format!("could not write {}: {e}", p.display())),
                        String::new(),
                    )
                })?;
            }
            output.print(&resp.fields)?;
            Ok(0)
        }
    }
}

fn example_op(prefix: &str) -> &'static str {
    match prefix {
        "kms" => "list-keys",
        "s3" => "list-buckets",
        "iam" => "list-users",
        _ => "lookup-events",
    }
}

fn resolve_op(prefix: &str, word: &str) -> Result<&'static str, (SimError, String)> {
    let name = format!("{prefix}:{}", pascal(word));
    canonical(&name).ok_or_else(|| {
        let ops: Vec<String> = operation_names()
            .into_iter()
            .filter(|n| n.starts_with(&format!("{prefix}:")))
            .map(|n| kebab(n.split_once(':').map_or(n, |(_, o)| o)))
            .collect();
        usage(format!(
            "argument operation: Invalid choice {word:?}.{} Valid choices: {}",
            crate::diag::suggestion(word, ops.iter().map(String::as_str)),
            ops.join(", ")
        ))
    })
}

/// `GetKeyRotationStatus` -> `get-key-rotation-status`.
fn kebab(pascal: &str) -> String {
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

fn clock(ctx: &Ctx, args: &[String]) -> SimResult {
    let (mut ws, mut cloud) = open_world(ctx)?;
    match args.first().map(String::as_str) {
        None => {
            println!("{}", crate::sim::clock::iso8601(cloud.now()));
            Ok(0)
        }
        Some("advance") => {
            let d = args
                .get(1)
                .ok_or_else(|| usage("clock advance needs a duration, like 8d, 36h, 90m or 45s"))?;
            let ms = crate::sim::clock::parse_duration(d).map_err(usage)?;
            let happened = cloud.advance_clock(ms);
            save(&mut ws, &mut cloud)?;
            println!(
                "Clock advanced by {} to {}",
                crate::sim::clock::format_duration(ms),
                crate::sim::clock::iso8601(cloud.now())
            );
            for h in happened {
                println!("  {h}");
            }
            Ok(0)
        }
        Some(other) => Err(usage(format!(
            "unknown clock command {other:?}: use `keyform sim clock` or `keyform sim clock advance 8d`"
        ))),
    }
}

fn explain(ctx: &Ctx, args: &[String]) -> SimResult {
    let (Some(svc), Some(op_word)) = (args.first(), args.get(1)) else {
        return Err(usage(
            "explain needs the same arguments as the call: keyform sim explain s3api get-object --bucket B --key K --as USER",
        ));
    };
    let prefix = service_prefix(svc).ok_or_else(|| usage(format!("unknown service {svc:?}")))?;
    let op = resolve_op(prefix, op_word)?;
    let (params, body, _, caller, output) = parse_params(&args[2..], &ctx.dir, op)?;
    let (_ws, cloud) = open_world(ctx)?;
    caller.check(&cloud)?;
    output.check_region(&cloud)?;
    let (result, explanations) = cloud.explain_call(&caller.ctx, op, &params, body.as_deref());
    let color = ctx.style;
    for e in &explanations {
        print!("{}", render_explanation(e, color));
    }
    match result {
        Ok(_) => println!("\nResult: the call would succeed."),
        Err(e) => println!(
            "\nResult: the call would fail with {}: {}",
            e.code, e.message
        ),
    }
    Ok(0)
}

fn render_explanation(e: &Explanation, style: crate::cli::render::Style) -> String {
    let mut out = String::new();
    let who = match &e.request.caller {
        crate::sim::policy::Caller::Principal { arn, .. } => arn.clone(),
        crate::sim::policy::Caller::Anonymous => "anonymous".into(),
        crate::sim::policy::Caller::Service(s) => s.clone(),
    };
    out.push_str(&format!(
        "\n{} {} on {}\n  caller: {who}\n",
        style.bold("Request:"),
        e.request.action,
        e.request.resource
    ));
    for (k, v) in &e.request.conditions {
        out.push_str(&format!("  context {k} = {}\n", v.join(", ")));
    }
    if e.traces.is_empty() {
        out.push_str("  (no policy statement applies)\n");
    }
    for t in &e.traces {
        let mark = if t.matched {
            style.green("match")
        } else {
            "no match".to_string()
        };
        out.push_str(&format!("  [{mark}] {t}\n"));
    }
    let decision = if e.decision.is_allowed() {
        style.green("ALLOW")
    } else {
        style.red("DENY")
    };
    out.push_str(&format!("  decision: {decision}"));
    if !e.decision.is_allowed() {
        out.push_str(&format!(" ({})", e.message));
    }
    out.push('\n');
    out
}

fn lookup_events(ctx: &Ctx, args: &[String]) -> SimResult {
    let mut attrs = Vec::new();
    let mut as_json = false;
    let mut max = 50;
    let mut i = 0;
    while i < args.len() {
        let key = match args[i].as_str() {
            "--json" => {
                as_json = true;
                i += 1;
                continue;
            }
            "--event-name" => "EventName",
            "--user" | "--username" => "Username",
            "--resource" | "--resource-name" => "ResourceName",
            "--event-source" => "EventSource",
            "--max-results" => {
                max = args
                    .get(i + 1)
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| usage("--max-results needs a number"))?;
                i += 2;
                continue;
            }
            other => {
                return Err(usage(format!(
                    "unknown lookup-events option {other:?}: use --event-name, --user, --resource, --event-source, --max-results, --json"
                )));
            }
        };
        let v = args
            .get(i + 1)
            .ok_or_else(|| usage(format!("{} needs a value", args[i])))?;
        attrs.push(json!({"AttributeKey": key, "AttributeValue": v}));
        i += 2;
    }
    if attrs.len() > 1 {
        return Err(usage(
            "CloudTrail looks up events by one attribute at a time: give only one of --event-name, --user, --resource, --event-source",
        ));
    }
    let (mut ws, mut cloud) = open_world(ctx)?;
    let caller = Caller::from_env();
    caller.check(&cloud)?;
    let r = cloud.call(
        &caller.ctx,
        "cloudtrail:LookupEvents",
        &json!({"LookupAttributes": attrs, "MaxResults": max}),
        None,
    );
    save(&mut ws, &mut cloud)?;
    let r = r.map_err(|e| (e, "LookupEvents".to_string()))?;
    if as_json {
        print_json(&r.fields);
        return Ok(0);
    }
    let events = r
        .fields
        .get("Events")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    if events.is_empty() {
        println!("No events found.");
        return Ok(0);
    }
    println!(
        "{:<24}  {:<40}  {:<18}  {:<22}  RESOURCES",
        "TIME", "EVENT", "USER", "ERROR"
    );
    for e in events {
        let record: Json = e
            .get("CloudTrailEvent")
            .and_then(Json::as_str)
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(Json::Null);
        let user = record
            .pointer("/userIdentity/userName")
            .and_then(Json::as_str)
            .or_else(|| {
                record
                    .pointer("/userIdentity/invokedBy")
                    .and_then(Json::as_str)
            })
            .unwrap_or("-");
        let via = record
            .pointer("/userIdentity/invokedBy")
            .and_then(Json::as_str)
            .filter(|_| record.pointer("/userIdentity/userName").is_some())
            .map(|s| format!(" via {s}"))
            .unwrap_or_default();
        let resources: Vec<&str> = e
            .get("Resources")
            .and_then(Json::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.get("ResourceName").and_then(Json::as_str))
                    .collect()
            })
            .unwrap_or_default();
        println!(
            "{:<24}  {:<40}  {:<18}  {:<22}  {}",
            e.get("EventTime").and_then(Json::as_str).unwrap_or(""),
            format!(
                "{}{via}",
                e.get("EventName").and_then(Json::as_str).unwrap_or("")
            ),
            user,
            record
                .get("errorCode")
                .and_then(Json::as_str)
                .unwrap_or("-"),
            resources.join(" ")
        );
    }
    Ok(0)
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

    #[test]
    fn queries_select_fields_indexes_and_projections() {
        let v = serde_json::json!({
            "Plaintext": "aGk=",
            "KeyMetadata": {"Arn": "arn:k", "Enabled": true},
            "Contents": [{"Key": "a"}, {"Key": "b"}, {"Size": 1}],
        });
        assert_eq!(query(&v, "Plaintext").unwrap(), "aGk=");
        assert_eq!(query(&v, "KeyMetadata.Arn").unwrap(), "arn:k");
        assert_eq!(query(&v, "Contents[0].Key").unwrap(), "a");
        assert_eq!(query(&v, "Contents[-2].Key").unwrap(), "b");
        assert_eq!(
            query(&v, "Contents[].Key").unwrap(),
            serde_json::json!(["a", "b"])
        );
        assert_eq!(query(&v, "Missing.Field").unwrap(), Json::Null);
        assert!(query(&v, "length(Contents)").is_err());
        let mut out = String::new();
        text_lines(&query(&v, "Contents[].Key").unwrap(), &mut out);
        assert_eq!(out, "a\tb\n");
        out.clear();
        text_lines(&query(&v, "KeyMetadata").unwrap(), &mut out);
        assert_eq!(out, "arn:k\tTrue\n");
    }
}
