//! The AWS CLI's high-level `s3` commands on the simulated S3: `ls`, `cp`, `mv`, `rm`, `mb`,
//! `rb` and `sync` between local folders and buckets (`cp`/`mv` also bucket to bucket), with
//! `--recursive`, `--sse aws:kms`, `--sse-kms-key-id`, `--force` (rb) and the caller options.
//! Each step is one table operation (ListBuckets, ListObjectsV2, PutObject, GetObject,
//! DeleteObject, CopyObject, CreateBucket, DeleteBucket) through `Cloud::call`, so
//! authorization and CloudTrail are as for s3api; what is printed is what the AWS CLI prints (`upload: ./a.txt to s3://b/a.txt`).

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use super::params::Caller;
use super::{SimResult, open_world, save, usage};
use crate::cli::Ctx;
use crate::sim::{Cloud, SimError};

pub(super) const COMMANDS: &[&str] = &["ls", "cp", "mv", "rm", "mb", "rb", "sync"];

#[derive(Default)]
struct Opts {
    paths: Vec<String>,
    recursive: bool,
    force: bool,
    sse: Option<String>,
    sse_key: Option<String>,
}

/// `s3://bucket/key` -> (bucket, key).
fn s3_url(s: &str) -> Option<(String, String)> {
    let rest = s.strip_prefix("s3://")?;
    let (b, k) = rest.split_once('/').unwrap_or((rest, ""));
    Some((b.to_string(), k.to_string()))
}

struct Session<'a> {
    cloud: &'a mut Cloud,
    caller: &'a Caller,
    base: PathBuf,
}

type R<T> = Result<T, (SimError, String)>;

fn op_name(op: &str) -> String {
    op.split_once(':').map_or(op, |(_, o)| o).to_string()
}

impl Session<'_> {
    fn call(&mut self, op: &str, p: Json, body: Option<&[u8]>) -> R<crate::sim::ops::Response> {
        self.cloud
            .call(&self.caller.ctx, op, &p, body)
            .map_err(|e| (e, op_name(op)))
    }

    /// Every object under `prefix` (all pages): (key, size, last modified).
    fn objects(&mut self, bucket: &str, prefix: &str) -> R<Vec<(String, u64, String)>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut p = json!({"Bucket": bucket, "Prefix": prefix});
            if let Some(t) = &token {
                p["ContinuationToken"] = json!(t);
            }
            let r = self.call("s3:ListObjectsV2", p, None)?.fields;
            for o in r["Contents"].as_array().into_iter().flatten() {
                out.push((
                    o["Key"].as_str().unwrap_or_default().to_string(),
                    o["Size"].as_u64().unwrap_or(0),
                    o["LastModified"].as_str().unwrap_or_default().to_string(),
                ));
            }
            match r["NextContinuationToken"].as_str() {
                Some(t) if r["IsTruncated"] == json!(true) => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    fn upload(
        &mut self,
        o: &Opts,
        file: &Path,
        shown: &str,
        bucket: &str,
        key: &str,
        verb: &str,
    ) -> R<()> {
        let bytes = std::fs::read(file).map_err(|e| {
            usage(format!(
                "The user-provided path {shown} does not exist ({e})."
            ))
        })?;
        let mut p = json!({"Bucket": bucket, "Key": key});
        if let Some(s) = &o.sse {
            p["ServerSideEncryption"] = json!(s);
        }
        if let Some(k) = &o.sse_key {
            p["SSEKMSKeyId"] = json!(k);
        }
        self.call("s3:PutObject", p, Some(&bytes))?;
        println!("{verb}: {shown} to s3://{bucket}/{key}");
        Ok(())
    }

    fn download(&mut self, bucket: &str, key: &str, to: &Path, shown: &str, verb: &str) -> R<()> {
        let r = self.call("s3:GetObject", json!({"Bucket": bucket, "Key": key}), None)?;
        if let Some(parent) = to.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(to, r.body.as_deref().map(|b| &b[..]).unwrap_or_default()).map_err(|e| {
            (
                SimError::internal(format!("could not write {shown}: {e}")),
                String::new(),
            )
        })?;
        println!("{verb}: s3://{bucket}/{key} to {shown}");
        Ok(())
    }

    /// One object to another with CopyObject (the copy never leaves S3), re-encrypted under
    /// `--sse`/`--sse-kms-key-id` or the destination bucket's default, as the AWS CLI does.
    fn copy_remote(&mut self, o: &Opts, from: (&str, &str), to: (&str, &str), verb: &str) -> R<()> {
        let source = format!(
            "{}/{}",
            from.0,
            crate::serve::sigv4::uri_encode(from.1, true)
        );
        let mut p = json!({"Bucket": to.0, "Key": to.1, "CopySource": source});
        if let Some(s) = &o.sse {
            p["ServerSideEncryption"] = json!(s);
        }
        if let Some(k) = &o.sse_key {
            p["SSEKMSKeyId"] = json!(k);
        }
        self.call("s3:CopyObject", p, None)?;
        println!(
            "{verb}: s3://{}/{} to s3://{}/{}",
            from.0, from.1, to.0, to.1
        );
        Ok(())
    }

    fn delete(&mut self, bucket: &str, key: &str, verb: &str) -> R<()> {
        self.call(
            "s3:DeleteObject",
            json!({"Bucket": bucket, "Key": key}),
            None,
        )?;
        if !verb.is_empty() {
            println!("{verb}: s3://{bucket}/{key}");
        }
        Ok(())
    }
}

/// The local files under `dir`, as paths relative to it with `/` separators, sorted.
fn local_files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A local path as the AWS CLI shows it (`./a.txt`).
fn shown(p: &str) -> String {
    if p.starts_with('/') || p.starts_with("./") || p.starts_with("../") {
        p.to_string()
    } else {
        format!("./{p}")
    }
}

fn join_key(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        format!("{prefix}{rel}")
    } else {
        format!("{prefix}/{rel}")
    }
}

fn file_name(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn mtime_ms(p: &Path) -> u64 {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as u64)
}

/// `keyform sim s3 <ls|cp|mv|rm|mb|rb|sync> ...`.
pub(super) fn run(ctx: &Ctx, cmd: &str, args: &[String]) -> SimResult {
    let mut o = Opts::default();
    let mut caller = Caller::from_env();
    let mut account = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| usage(format!("argument {a}: expected one argument")))
        };
        match a {
            "--recursive" => o.recursive = true,
            "--force" => o.force = true,
            "--sse" => o.sse = Some(value()?),
            "--sse-kms-key-id" => o.sse_key = Some(value()?),
            "--as" => caller = Caller::named(&value()?, "--as"),
            "--account" => account = Some(value()?),
            "--profile" => caller = Caller::profile(&value()?),
            "--anonymous" | "--no-sign-request" => caller = Caller::anonymous(),
            "--no-cli-pager" | "--no-progress" | "--only-show-errors" | "--quiet" => {}
            "--region" | "--endpoint-url" => {
                value()?;
            }
            f if f.starts_with("--") => {
                return Err(usage(format!(
                    "Unknown options: {f}. Options of s3 {cmd}: --recursive, --sse aws:kms|AES256, --sse-kms-key-id KEY, --force (rb), --account ID, --as USER, --profile NAME, --anonymous"
                )));
            }
            p => o.paths.push(p.to_string()),
        }
        i += 1;
    }
    if o.sse_key.is_some() && o.sse.is_none() {
        o.sse = Some("aws:kms".into());
    }
    caller.account = account;
    let (mut ws, mut cloud) = open_world(ctx)?;
    caller.check(&mut cloud)?;
    let mut s = Session {
        cloud: &mut cloud,
        caller: &caller,
        base: ctx.dir.clone(),
    };
    let result = dispatch(&mut s, cmd, &o);
    save(&mut ws, &mut cloud)?;
    result.map(|()| 0)
}

fn need(o: &Opts, n: usize, form: &str) -> R<()> {
    if o.paths.len() == n {
        Ok(())
    } else {
        Err(usage(format!("usage: keyform sim s3 {form}")))
    }
}

fn dispatch(s: &mut Session, cmd: &str, o: &Opts) -> R<()> {
    match cmd {
        "ls" => ls(s, o),
        "mb" | "rb" => {
            need(o, 1, &format!("{cmd} s3://BUCKET"))?;
            let (b, _) = s3_url(&o.paths[0])
                .ok_or_else(|| usage(format!("{} is not an s3:// URL", o.paths[0])))?;
            if cmd == "mb" {
                s.call("s3:CreateBucket", json!({"Bucket": b}), None)?;
                println!("make_bucket: {b}");
            } else {
                if o.force {
                    for (k, _, _) in s.objects(&b, "")? {
                        s.delete(&b, &k, "delete")?;
                    }
                }
                s.call("s3:DeleteBucket", json!({"Bucket": b}), None)?;
                println!("remove_bucket: {b}");
            }
            Ok(())
        }
        "rm" => {
            need(o, 1, "rm s3://BUCKET/KEY [--recursive]")?;
            let (b, k) = s3_url(&o.paths[0])
                .ok_or_else(|| usage(format!("{} is not an s3:// URL", o.paths[0])))?;
            if o.recursive {
                for (key, _, _) in s.objects(&b, &k)? {
                    s.delete(&b, &key, "delete")?;
                }
                Ok(())
            } else {
                s.delete(&b, &k, "delete")
            }
        }
        "cp" | "mv" => {
            need(o, 2, &format!("{cmd} SOURCE DESTINATION [--recursive]"))?;
            copy(s, o, cmd == "mv")
        }
        "sync" => {
            need(o, 2, "sync SOURCE DESTINATION")?;
            sync(s, o)
        }
        _ => Err(usage(format!("unknown s3 command {cmd}"))),
    }
}

fn ls(s: &mut Session, o: &Opts) -> R<()> {
    let Some(url) = o.paths.first() else {
        let r = s.call("s3:ListBuckets", json!({}), None)?.fields;
        for b in r["Buckets"].as_array().into_iter().flatten() {
            println!(
                "{} {}",
                date(b["CreationDate"].as_str().unwrap_or_default()),
                b["Name"].as_str().unwrap_or_default()
            );
        }
        return Ok(());
    };
    let (b, prefix) = s3_url(url).ok_or_else(|| usage(format!("{url} is not an s3:// URL")))?;
    if o.recursive {
        for (k, size, modified) in s.objects(&b, &prefix)? {
            println!("{} {size:>10} {k}", date(&modified));
        }
        return Ok(());
    }
    // One level, as the CLI lists it: the prefix up to its last '/', with a delimiter.
    let dir = match prefix.rfind('/') {
        Some(i) => &prefix[..=i],
        None => "",
    };
    let r = s
        .call(
            "s3:ListObjectsV2",
            json!({"Bucket": b, "Prefix": prefix, "Delimiter": "/"}),
            None,
        )?
        .fields;
    for p in r["CommonPrefixes"].as_array().into_iter().flatten() {
        let full = p["Prefix"].as_str().unwrap_or_default();
        println!("{:>30} {}", "PRE", full.strip_prefix(dir).unwrap_or(full));
    }
    for c in r["Contents"].as_array().into_iter().flatten() {
        let k = c["Key"].as_str().unwrap_or_default();
        println!(
            "{} {:>10} {}",
            date(c["LastModified"].as_str().unwrap_or_default()),
            c["Size"].as_u64().unwrap_or(0),
            k.strip_prefix(dir).unwrap_or(k)
        );
    }
    Ok(())
}

/// `2026-01-01T10:00:00.000Z` -> `2026-01-01 10:00:00` (UTC).
fn date(iso: &str) -> String {
    iso.get(..19).unwrap_or(iso).replace('T', " ")
}

fn copy(s: &mut Session, o: &Opts, remove: bool) -> R<()> {
    let (src, dst) = (&o.paths[0], &o.paths[1]);
    let (up, down) = if remove {
        ("move", "move")
    } else {
        ("upload", "download")
    };
    match (s3_url(src), s3_url(dst)) {
        (None, Some((b, k))) => {
            let local = s.base.join(src);
            if o.recursive {
                for rel in local_files(&local) {
                    let file = local.join(&rel);
                    let shown_path = shown(&format!("{}/{rel}", src.trim_end_matches('/')));
                    s.upload(o, &file, &shown_path, &b, &join_key(&k, &rel), up)?;
                    if remove {
                        let _ = std::fs::remove_file(&file);
                    }
                }
                return Ok(());
            }
            let key = if k.is_empty() || k.ends_with('/') {
                format!("{k}{}", file_name(src))
            } else {
                k
            };
            s.upload(o, &local, &shown(src), &b, &key, up)?;
            if remove {
                let _ = std::fs::remove_file(&local);
            }
            Ok(())
        }
        (Some((b, k)), None) => {
            if o.recursive {
                for (key, _, _) in s.objects(&b, &k)? {
                    let rel = key.strip_prefix(&k).unwrap_or(&key).trim_start_matches('/');
                    let to = format!("{}/{rel}", dst.trim_end_matches('/'));
                    s.download(&b, &key, &s.base.join(&to), &shown(&to), down)?;
                    if remove {
                        s.delete(&b, &key, "")?;
                    }
                }
                return Ok(());
            }
            let to = if dst.ends_with('/') || s.base.join(dst).is_dir() {
                format!("{}/{}", dst.trim_end_matches('/'), file_name(&k))
            } else {
                dst.clone()
            };
            s.download(&b, &k, &s.base.join(&to), &shown(&to), down)?;
            if remove {
                s.delete(&b, &k, "")?;
            }
            Ok(())
        }
        (Some((sb, sk)), Some((db, dk))) => {
            let verb = if remove { "move" } else { "copy" };
            let pairs: Vec<(String, String)> = if o.recursive {
                s.objects(&sb, &sk)?
                    .into_iter()
                    .map(|(key, _, _)| {
                        let rel = key
                            .strip_prefix(&sk)
                            .unwrap_or(&key)
                            .trim_start_matches('/');
                        let to = join_key(&dk, rel);
                        (key, to)
                    })
                    .collect()
            } else if dk.is_empty() || dk.ends_with('/') {
                vec![(sk.clone(), format!("{dk}{}", file_name(&sk)))]
            } else {
                vec![(sk, dk)]
            };
            for (from, to) in pairs {
                s.copy_remote(o, (&sb, &from), (&db, &to), verb)?;
                if remove {
                    s.delete(&sb, &from, "")?;
                }
            }
            Ok(())
        }
        (None, None) => Err(usage(
            "Error: Invalid argument type: one of SOURCE and DESTINATION must be an s3:// URL",
        )),
    }
}

/// `sync`: copies the files that are missing at the destination, differ in size, or (local to
/// S3) were modified after the object; S3 to local copies missing or different-size objects.
fn sync(s: &mut Session, o: &Opts) -> R<()> {
    let (src, dst) = (&o.paths[0], &o.paths[1]);
    match (s3_url(src), s3_url(dst)) {
        (None, Some((b, k))) => {
            let local = s.base.join(src);
            let prefix = if k.is_empty() || k.ends_with('/') {
                k.clone()
            } else {
                format!("{k}/")
            };
            let remote: std::collections::BTreeMap<String, (u64, String)> = s
                .objects(&b, &prefix)?
                .into_iter()
                .map(|(key, size, m)| (key, (size, m)))
                .collect();
            for rel in local_files(&local) {
                let file = local.join(&rel);
                let key = join_key(&prefix, &rel);
                let size = std::fs::metadata(&file).map_or(0, |m| m.len());
                let changed = match remote.get(&key) {
                    None => true,
                    Some((rsize, modified)) => {
                        *rsize != size
                            || crate::sim::clock::parse_iso8601(modified)
                                .is_some_and(|t| mtime_ms(&file) > t as u64)
                    }
                };
                if changed {
                    let shown_path = shown(&format!("{}/{rel}", src.trim_end_matches('/')));
                    s.upload(o, &file, &shown_path, &b, &key, "upload")?;
                }
            }
            Ok(())
        }
        (Some((b, k)), None) => {
            let prefix = if k.is_empty() || k.ends_with('/') {
                k.clone()
            } else {
                format!("{k}/")
            };
            for (key, size, _) in s.objects(&b, &prefix)? {
                let rel = key.strip_prefix(&prefix).unwrap_or(&key).to_string();
                let to = format!("{}/{rel}", dst.trim_end_matches('/'));
                let path = s.base.join(&to);
                if std::fs::metadata(&path).map_or(true, |m| m.len() != size) {
                    s.download(&b, &key, &path, &shown(&to), "download")?;
                }
            }
            Ok(())
        }
        _ => Err(usage(
            "sync copies between a local folder and s3://BUCKET[/PREFIX] (either way)",
        )),
    }
}
