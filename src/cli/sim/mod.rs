//! `keyform sim`: the simulated cloud's API with the AWS CLI's shape
//! (`keyform sim kms encrypt --key-id alias/lab-key --plaintext fileb://secret.txt`),
//! plus `sim clock`, `sim explain` and a readable `sim cloudtrail lookup-events`.
//!
//! Exit codes are the AWS CLI's: 0 success, 252 usage or parameter error, 254 the service
//! answered with an error, 255 anything else.
//!
//! Here: dispatch, errors, `sim clock` and the world's lock. `params` turns flags into
//! parameters, `output` prints responses (`--query`, `--output`), `explain` and `events` are
//! `sim explain` and `sim cloudtrail lookup-events`.

mod events;
mod explain;
mod output;
mod paginate;
mod params;
mod profile;
mod s3;
mod shorthand;
mod table;
mod values;
mod yaml;

use std::io::Write;

use crate::cli::Ctx;
use crate::sim::ops::{canonical, operation_names};
use crate::sim::{Cloud, ErrorKind, SimError};
use crate::workspace::{LockRequest, Workspace};
use events::lookup_events;
use explain::explain;
use params::{kebab, parse_params, pascal};

/// Exit codes of the AWS CLI.
const USAGE: u8 = 252;
const SERVICE_ERROR: u8 = 254;
const OTHER: u8 = 255;

const HELP: &str = "Usage: keyform sim <service> <operation> [--parameter value ...] [--as USER|root|role/NAME | --anonymous]
       keyform sim clock [advance DURATION]
       keyform sim explain <service> <operation> [--parameter value ...] [--as USER|root|role/NAME | --anonymous]
       keyform sim cloudtrail lookup-events [--event-name NAME] [--user USER] [--resource ARN] [--json]
       keyform sim s3 <ls|cp|mv|rm|mb|rb|sync> [PATHS] [--recursive] [--sse aws:kms] [--sse-kms-key-id KEY]

Services: kms, s3api (or s3), iam, sts, cloudtrail. Operations and parameters are the AWS CLI's,
in kebab case: keyform sim kms schedule-key-deletion --key-id KEY --pending-window-in-days 7

Values: JSON objects and lists as text ('{\"Rules\": [...]}'), file://PATH for a file's text,
fileb://PATH for a file's bytes, k=v,k2=v2 for maps like --encryption-context.
Plaintext and Body given as text are UTF-8; CiphertextBlob is base64 as printed by encrypt.
Calls run as lab-admin unless --as USER, --as root (the account root user), --as role/NAME
(a session of the role, assumed by lab-admin), --anonymous or the KEYFORM_AS environment variable.

Examples:
  keyform sim kms encrypt --key-id alias/lab-key --plaintext fileb://secret.txt
  keyform sim s3api put-object --bucket B --key secret.txt --body secret.txt
  keyform sim s3api get-object --bucket B --key secret.txt out.txt --as S3-Admin-User
  keyform sim clock advance 8d
";

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
        ErrorKind::Parameter if e.code == PARSE => format!("\n{}", e.message),
        ErrorKind::Parameter => format!("\nParameter validation failed:\n{}", e.message),
        ErrorKind::Service => format!(
            "\nAn error occurred ({}) when calling the {op} operation: {}",
            e.code, e.message
        ),
        ErrorKind::Internal => format!("\n{}", e.message),
    }
}

/// The code of "Error parsing parameter '--x': ..." errors, printed as the AWS CLI prints them.
const PARSE: &str = "ParamParse";

/// A parameter value that does not parse (shorthand, JSON, paramfiles, base64).
fn parse_error(msg: impl Into<String>) -> (SimError, String) {
    (
        SimError {
            kind: ErrorKind::Parameter,
            code: PARSE.into(),
            message: msg.into(),
            status: 400,
        },
        String::new(),
    )
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
        "sts" => Some("sts"),
        "cloudtrail" => Some("cloudtrail"),
        _ => None,
    }
}

/// The working directory's world, locked (waiting up to 5s), created in us-east-1 on first use.
fn open_world(ctx: &Ctx) -> Result<(Workspace, Cloud), (SimError, String)> {
    let lock = LockRequest {
        operation: "sim",
        timeout: std::time::Duration::from_secs(5),
    };
    let opened = crate::workspace::open(&ctx.dir, Some(lock), "us-east-1")
        .map_err(|e| (SimError::internal(e.to_string()), String::new()))?;
    if let Some(n) = &opened.lock_notice {
        eprintln!("keyform: {n}");
    }
    let mut cloud = opened.cloud;
    // A working directory's world runs on the same clock as `serve`: the wall clock plus
    // every advance made (README "Use your own tools").
    cloud.follow_wall_clock(crate::sim::clock::wall_clock_now());
    Ok((opened.ws, cloud))
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
        "s3" if args
            .get(1)
            .is_some_and(|c| s3::COMMANDS.contains(&c.as_str())) =>
        {
            s3::run(ctx, &args[1], &args[2..])
        }
        svc => {
            let prefix = service_prefix(svc).ok_or_else(|| usage(format!("argument service: Invalid choice {svc:?}, valid choices are: kms | s3api | iam | sts | cloudtrail | clock | explain")))?;
            let op_word = args.get(1).ok_or_else(|| {
                usage(format!(
                    "the {svc} command needs an operation, e.g. keyform sim {svc} {}",
                    example_op(prefix)
                ))
            })?;
            let op = resolve_op(prefix, op_word)?;
            let params::Parsed {
                params,
                body,
                outfile,
                mut caller,
                output,
                skeleton,
            } = parse_params(&args[2..], &ctx.dir, op)?;
            if skeleton {
                println!("{}", params::skeleton(op));
                return Ok(0);
            }
            if op == "s3:GetObject" && outfile.is_none() {
                return Err(usage(
                    "the following arguments are required: outfile (get-object writes the object's body to a file: keyform sim s3api get-object --bucket B --key K out.txt)",
                ));
            }
            let (mut ws, mut cloud) = open_world(ctx)?;
            caller.check(&mut cloud)?;
            output.check_region(&cloud)?;
            let short = op.split_once(':').map_or(op, |(_, o)| o).to_string();
            let result = match paginate::find(op, &params).filter(|_| !output.no_paginate) {
                // The AWS CLI's paginator: every page (up to --max-items), one merged result.
                Some(p) => p
                    .paginate(&params, &output.paging, |np| {
                        cloud.call(&caller.ctx, op, np, None).map(|r| r.fields)
                    })
                    .map_err(|e| match e {
                        paginate::PageError::Call(e) => e,
                        paginate::PageError::BadToken(t) => {
                            usage(format!("Bad starting token: {t}")).0
                        }
                    })
                    .map(|fields| crate::sim::ops::Response { fields, body: None }),
                None => cloud.call(&caller.ctx, op, &params, body.as_deref()),
            };
            save(&mut ws, &mut cloud)?;
            let resp = result.map_err(|e| (e, short.clone()))?;
            if let (Some(out), Some(b)) = (outfile, &resp.body) {
                let p = ctx.dir.join(&out);
                std::fs::write(&p, &**b).map_err(|e| {
                    (
                        SimError::internal(format!("could not write {}: {e}", p.display())),
                        String::new(),
                    )
                })?;
            }
            output.print(&short, &resp.fields)?;
            Ok(0)
        }
    }
}

fn example_op(prefix: &str) -> &'static str {
    match prefix {
        "kms" => "list-keys",
        "s3" => "list-buckets",
        "iam" => "list-users",
        "sts" => "get-caller-identity",
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
            // The table's clock:Advance, as test actions move time.
            let r = cloud
                .call_json(
                    &crate::sim::CallContext::lab_admin(),
                    "clock:Advance",
                    &serde_json::json!({"Duration": d}),
                )
                .map_err(|e| usage(e.message))?;
            let happened: Vec<String> = r["Events"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|e| e.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
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
