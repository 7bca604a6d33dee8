//! No secret leaks: every bundled lab is applied, its tests run, and a data-plane scenario of
//! `sim` calls is played (encrypt, decrypt, data keys, objects, clock moves that rotate keys and
//! deliver CloudTrail logs, a crashed destroy that leaves a journal, key deletion). Every secret
//! the cloud made is revealed by the test-only hook (`KEYFORM_TEST_REVEAL_KEY_MATERIAL`), and
//! every file under `.keyform/`, saved plans, reports, delivered CloudTrail logs and every CLI
//! output is scanned for each of them, raw, hex and base64 (at every alignment). The only
//! exceptions are the plaintexts a caller explicitly asked for: Decrypt's and GenerateDataKey's
//! `Plaintext` field and GetObject's output file.
//!
//! Also here: file modes (0600 files in 0700 directories) and tamper evidence (any flipped byte
//! of an object body, a ciphertext blob or the key store fails authentication, never returns
//! other plaintext).

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value as Json;

use crate::support::{Run, Test};

const REVEAL_ENV: &str = "KEYFORM_TEST_REVEAL_KEY_MATERIAL";

/// One secret and the forms it could leak in.
struct Secret {
    what: String,
    needles: Vec<Vec<u8>>,
}

impl Secret {
    fn new(what: String, raw: Vec<u8>) -> Secret {
        let mut needles = vec![
            raw.clone(),
            hex::encode(&raw).into_bytes(),
            hex::encode_upper(&raw).into_bytes(),
        ];
        // Base64 of the secret wherever it sits in a longer buffer: for each of the three
        // alignments, the characters that depend only on the secret's bytes.
        for shift in 0..3usize {
            let mut padded = vec![0u8; shift];
            padded.extend_from_slice(&raw);
            for engine in [&STANDARD as &dyn Enc, &URL_SAFE] {
                let enc = engine.enc(&padded);
                let skip = if shift == 0 { 0 } else { 4 };
                let end = enc.len().saturating_sub(4);
                if end > skip + 16 {
                    needles.push(enc.as_bytes()[skip..end].to_vec());
                }
            }
        }
        for engine in [&STANDARD_NO_PAD as &dyn Enc, &URL_SAFE_NO_PAD] {
            needles.push(engine.enc(&raw).into_bytes());
        }
        Secret { what, needles }
    }

    fn found_in(&self, hay: &[u8]) -> bool {
        self.needles
            .iter()
            .any(|n| n.len() >= 16 && hay.windows(n.len()).any(|w| w == n.as_slice()))
    }
}

/// All secrets' needles indexed by their first 16 bytes, so a scan is one pass over each
/// place (the naive search is too slow for megabytes of outputs in a debug build).
struct Index<'a> {
    by_prefix: std::collections::HashMap<&'a [u8], Vec<(&'a Secret, &'a [u8])>>,
}

impl<'a> Index<'a> {
    fn new(secrets: &'a [Secret]) -> Index<'a> {
        let mut by_prefix: std::collections::HashMap<&[u8], Vec<(&Secret, &[u8])>> =
            Default::default();
        for s in secrets {
            for n in &s.needles {
                if n.len() >= 16 {
                    by_prefix
                        .entry(&n[..16])
                        .or_default()
                        .push((s, n.as_slice()));
                }
            }
        }
        Index { by_prefix }
    }

    /// The secrets found in `hay`.
    fn find(&self, hay: &[u8]) -> Vec<&'a Secret> {
        let mut out: Vec<&Secret> = Vec::new();
        for i in 0..hay.len().saturating_sub(15) {
            if let Some(cands) = self.by_prefix.get(&hay[i..i + 16]) {
                for (s, n) in cands {
                    if hay[i..].starts_with(n) && !out.iter().any(|o| std::ptr::eq(*o, *s)) {
                        out.push(s);
                    }
                }
            }
        }
        out
    }
}

trait Enc {
    fn enc(&self, b: &[u8]) -> String;
}

impl<E: base64::Engine> Enc for E {
    fn enc(&self, b: &[u8]) -> String {
        self.encode(b)
    }
}

/// A lab under test: its directory, where secrets are revealed, and every output seen so far.
struct Lab {
    t: Test,
    name: String,
    reveal: PathBuf,
    _reveal_dir: tempfile::TempDir,
    outputs: Vec<(String, Vec<u8>)>,
    extra_files: Vec<PathBuf>,
}

impl Lab {
    fn new(name: &str) -> Lab {
        let dir = tempfile::tempdir().unwrap();
        Lab {
            t: Test::lab(name),
            name: name.to_string(),
            reveal: dir.path().join("revealed.txt"),
            _reveal_dir: dir,
            outputs: Vec::new(),
            extra_files: Vec::new(),
        }
    }

    fn run_env(&mut self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let reveal = self.reveal.to_str().unwrap().to_string();
        let mut all = vec![(REVEAL_ENV, reveal.as_str())];
        all.extend_from_slice(env);
        let r = self.t.run_env(args, &all);
        let label = args.join(" ");
        // The plaintext a caller asked for is output by design: drop exactly that field.
        let asked_for_plaintext = args.len() > 2
            && args[0] == "sim"
            && ["decrypt", "generate-data-key"].contains(&args[2]);
        let stdout = if asked_for_plaintext && r.code == 0 {
            let mut j: Json = serde_json::from_str(&r.stdout).expect("JSON output");
            j.as_object_mut().unwrap().remove("Plaintext");
            j.to_string()
        } else {
            r.stdout.clone()
        };
        self.outputs
            .push((format!("stdout of {label}"), stdout.into_bytes()));
        self.outputs
            .push((format!("stderr of {label}"), r.stderr.clone().into_bytes()));
        r
    }

    fn run(&mut self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    fn sim_json(&mut self, args: &[&str]) -> Option<Json> {
        let mut full = vec!["sim"];
        full.extend_from_slice(args);
        let r = self.run(&full);
        (r.code == 0).then(|| serde_json::from_str(&r.stdout).unwrap_or(Json::Null))
    }

    fn secrets(&self) -> Vec<Secret> {
        let mut out = Vec::new();
        let text = std::fs::read_to_string(&self.reveal).unwrap_or_default();
        for line in text.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            let (what, hex_) = match parts.as_slice() {
                ["secret", what, h] => (what.to_string(), *h),
                [id, version, h] => (format!("material of {id} v{version}"), *h),
                _ => panic!("bad reveal line {line}"),
            };
            out.push(Secret::new(what, hex::decode(hex_).unwrap()));
        }
        if let Ok(root) = std::fs::read(self.t.path().join(".keyform/root.key")) {
            out.push(Secret::new("the root key".into(), root));
        }
        out
    }

    /// Scans every file under .keyform (but root.key for the root key itself), the extra files
    /// and every output so far.
    fn scan(&self, phase: &str) -> usize {
        let secrets = self.secrets();
        assert!(
            secrets.len() > 2,
            "{}: {phase}: the hook revealed no secrets",
            self.name
        );
        let mut places: Vec<(String, Vec<u8>)> = self.outputs.clone();
        let mut files = Vec::new();
        walk(&self.t.path().join(".keyform"), &mut files);
        files.extend(self.extra_files.iter().cloned());
        for f in files {
            let bytes = std::fs::read(&f).unwrap_or_default();
            places.push((f.display().to_string(), bytes.clone()));
            // Compressed files (CloudTrail logs) are scanned as their readers see them.
            if bytes.starts_with(&[0x1f, 0x8b]) {
                let mut out = Vec::new();
                if flate2::read::GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .is_ok()
                {
                    places.push((format!("{} (gunzipped)", f.display()), out));
                }
            }
        }
        // The scanner itself: every secret is found in the reveal file (hex), and base64 of
        // a secret inside a longer buffer is found at any alignment.
        let index = Index::new(&secrets);
        let revealed = std::fs::read(&self.reveal).unwrap_or_default();
        for s in &secrets[..secrets.len() - 1] {
            assert!(s.found_in(&revealed), "scanner misses {}", s.what);
        }
        let sample = &secrets[0];
        let raw = hex::decode(std::str::from_utf8(&sample.needles[1]).unwrap()).unwrap();
        for pad in 0..3 {
            let mut buf = vec![b'x'; pad];
            buf.extend_from_slice(&raw);
            buf.push(b'y');
            let enc = STANDARD.encode(&buf);
            assert!(
                index
                    .find(enc.as_bytes())
                    .iter()
                    .any(|f| std::ptr::eq(*f, sample)),
                "scanner misses base64 at alignment {pad}"
            );
        }
        for (where_, bytes) in &places {
            for s in index.find(bytes) {
                let root_in_root_file = s.what == "the root key" && where_.ends_with("root.key");
                assert!(
                    root_in_root_file,
                    "{}: {phase}: {} leaked into {where_}",
                    self.name, s.what
                );
            }
        }
        secrets.len()
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn state_ids(t: &Test, kind: &str, attr: &str) -> Vec<String> {
    let s: Json = serde_json::from_str(&t.read(".keyform/state.json")).expect("state.json is JSON");
    s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == kind && r["mode"] == "managed")
        .flat_map(|r| r["instances"].as_array().unwrap().clone())
        .filter_map(|i| i["attributes"][attr].as_str().map(str::to_string))
        .collect()
}

/// Asserts every file under .keyform is 0600 and every directory 0700.
#[track_caller]
fn assert_private(t: &Test, context: &str) {
    fn check(p: &Path, context: &str) {
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        if p.is_dir() {
            assert_eq!(mode, 0o700, "{context}: {} is {mode:o}", p.display());
            for e in std::fs::read_dir(p).unwrap().flatten() {
                check(&e.path(), context);
            }
        } else {
            assert_eq!(mode, 0o600, "{context}: {} is {mode:o}", p.display());
        }
    }
    check(&t.path().join(".keyform"), context);
}

fn play_lab(name: &str) -> usize {
    let mut lab = Lab::new(name);
    let out = lab.t.path().to_path_buf();
    lab.run(&["apply", "-auto-approve"]).success();
    // The lab's own data-plane tests (each in a fresh in-memory world) and their reports.
    let junit = out.join("report.xml");
    lab.run(&["test", &format!("-junit-xml={}", junit.display())]);
    lab.run(&["test", "-json", "-verbose"]);
    lab.extra_files.push(junit);
    // A scenario of sim calls against every key and bucket.
    let keys = state_ids(&lab.t, "aws_kms_key", "arn");
    let buckets = state_ids(&lab.t, "aws_s3_bucket", "id");
    assert!(!keys.is_empty(), "{name}: no key");
    for k in &keys {
        if let Some(enc) =
            lab.sim_json(&["kms", "encrypt", "--key-id", k, "--plaintext", "lab text"])
        {
            let blob = enc["CiphertextBlob"].as_str().unwrap().to_string();
            lab.sim_json(&["kms", "decrypt", "--ciphertext-blob", &blob]);
        }
        if let Some(dk) = lab.sim_json(&[
            "kms",
            "generate-data-key",
            "--key-id",
            k,
            "--key-spec",
            "AES_256",
        ]) {
            // The scanner sees secrets in CLI output: the field we exempt is a real hit.
            let secrets = lab.secrets();
            let index = Index::new(&secrets);
            assert!(
                !index.find(dk.to_string().as_bytes()).is_empty(),
                "{name}: the data key in GenerateDataKey's output is not recognised"
            );
            let blob = dk["CiphertextBlob"].as_str().unwrap().to_string();
            lab.sim_json(&["kms", "decrypt", "--ciphertext-blob", &blob]);
        }
        lab.sim_json(&[
            "kms",
            "generate-data-key-without-plaintext",
            "--key-id",
            k,
            "--key-spec",
            "AES_256",
        ]);
        lab.sim_json(&[
            "kms",
            "re-encrypt",
            "--ciphertext-blob",
            "S0ZLAQ==",
            "--destination-key-id",
            k,
        ]);
    }
    lab.t.write("body.txt", "an object body");
    for b in &buckets {
        for sse in [
            &[][..],
            &["--server-side-encryption", "aws:kms"],
            &["--server-side-encryption", "AES256"],
        ] {
            let mut args = vec![
                "s3api",
                "put-object",
                "--bucket",
                b,
                "--key",
                "o.txt",
                "--body",
                "body.txt",
            ];
            args.extend_from_slice(sse);
            lab.sim_json(&args);
            let got = out.join("got.txt");
            lab.sim_json(&[
                "s3api",
                "get-object",
                "--bucket",
                b,
                "--key",
                "o.txt",
                got.to_str().unwrap(),
            ]);
            lab.sim_json(&["s3api", "head-object", "--bucket", b, "--key", "o.txt"]);
        }
    }
    // Time passes: rotations run, trails deliver their logs.
    lab.run(&["sim", "clock", "advance", "400d"]).success();
    lab.run(&["sim", "cloudtrail", "lookup-events", "--json"]);
    for b in &buckets {
        let Some(list) = lab.sim_json(&["s3api", "list-objects-v2", "--bucket", b]) else {
            continue;
        };
        for (i, o) in list["Contents"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let key = o["Key"].as_str().unwrap().to_string();
            let file = out.join(format!("download-{}-{i}", b.replace('/', "_")));
            if lab
                .sim_json(&[
                    "s3api",
                    "get-object",
                    "--bucket",
                    b,
                    "--key",
                    &key,
                    file.to_str().unwrap(),
                ])
                .is_some()
            {
                // Delivered CloudTrail logs are records, never secrets.
                if key.starts_with("AWSLogs/") {
                    lab.extra_files.push(file);
                }
            }
        }
    }
    // Plans, state and outputs as users see them.
    let plan = out.join("lab.tfplan");
    lab.run(&["plan", &format!("-out={}", plan.display())])
        .success();
    lab.run(&["show", "-json", plan.to_str().unwrap()])
        .success();
    lab.run(&["plan", "-destroy", "-out=destroy.tfplan"])
        .success();
    lab.extra_files.push(plan);
    lab.extra_files.push(out.join("destroy.tfplan"));
    lab.run(&["show", "-json"]).success();
    lab.run(&["show"]).success();
    lab.run(&["output", "-json"]).success();
    let listed = lab.run(&["state", "list"]).success().stdout;
    for a in listed.lines().take(8) {
        lab.run(&["state", "show", a]).success();
    }
    assert_private(&lab.t, name);
    lab.scan("after apply, tests and the data plane");
    // A destroy that crashes leaves its journal behind: scan it too.
    let r = lab.run_env(
        &["destroy", "-auto-approve"],
        &[("KEYFORM_CRASH_AFTER", "write:2")],
    );
    assert_eq!(r.code, -1, "{name}: the destroy was crashed");
    assert!(lab.t.path().join(".keyform/journal.jsonl").exists());
    assert_private(&lab.t, name);
    lab.scan("with a crashed destroy's journal");
    lab.run(&["force-unlock"]).success();
    // The destroy may stop at a bucket holding objects; the keys are scheduled for deletion
    // either way.
    lab.run(&["destroy", "-auto-approve"]);
    for k in &keys {
        lab.run(&[
            "sim",
            "kms",
            "schedule-key-deletion",
            "--key-id",
            k,
            "--pending-window-in-days",
            "7",
        ]);
    }
    // Keys pending deletion are deleted once their window passes: from then on no file holds
    // their material in any form, not even wrapped (world.json, its backup, the journal).
    let world: Json = serde_json::from_str(&lab.t.read(".keyform/world.json")).unwrap();
    let wrapped: Vec<String> = world["world"]["kms"]["keys"]
        .as_object()
        .unwrap()
        .values()
        .filter(|k| k["key_manager"] != "AWS")
        .flat_map(|k| k["materials"].as_array().unwrap().clone())
        .map(|m| m["wrapped"].as_str().unwrap().to_string())
        .collect();
    assert!(!wrapped.is_empty());
    lab.run(&["sim", "clock", "advance", "31d"]).success();
    lab.run(&["sim", "kms", "list-keys"]).success();
    let mut files = Vec::new();
    walk(&lab.t.path().join(".keyform"), &mut files);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for w in &wrapped {
            assert!(
                !bytes.windows(w.len()).any(|x| x == w.as_bytes()),
                "{name}: a deleted key's wrapped material survives in {}",
                f.display()
            );
        }
    }
    assert_private(&lab.t, name);
    lab.scan("after the keys' deletion")
}

#[test]
fn no_lab_leaks_key_material_or_data_keys_anywhere() {
    let labs_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("labs");
    let mut labs: Vec<String> = std::fs::read_dir(&labs_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("main.tf").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    labs.sort();
    assert!(labs.len() >= 5, "{labs:?}");
    let mut total = 0;
    for name in &labs {
        total += play_lab(name);
    }
    eprintln!("secrets scanned for: {total} across {} labs", labs.len());
}

// ---------------------------------------------------------------- tamper evidence

const TAMPER: &str = r#"
resource "aws_kms_key" "k" {
  description             = "tamper key"
  deletion_window_in_days = 7
}

# A second key keeps the root key check satisfied, so a damaged entry of the first is
# reported by the call that needs it.
resource "aws_kms_key" "k2" {
  description             = "another key"
  deletion_window_in_days = 7
}

resource "aws_s3_bucket" "b" {
  bucket = "tamper-bucket"
}
"#;

fn sim(t: &Test, args: &[&str]) -> Run {
    let mut full = vec!["sim"];
    full.extend_from_slice(args);
    t.run(&full)
}

/// The newest object body file.
fn newest_body(t: &Test) -> PathBuf {
    let mut files: Vec<PathBuf> = std::fs::read_dir(t.path().join(".keyform/objects"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    files.pop().expect("an object body")
}

#[test]
fn flipping_any_byte_of_a_stored_object_is_detected() {
    let t = Test::new().file("main.tf", TAMPER);
    t.run(&["apply", "-auto-approve"]).success();
    t.write("body.txt", "the original body");
    let key_arn = state_ids(&t, "aws_kms_key", "arn").remove(0);
    let cases: [&[&str]; 4] = [
        &["--server-side-encryption", "AES256"],
        &[
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            &key_arn,
        ],
        &[
            "--server-side-encryption",
            "aws:kms",
            "--ssekms-key-id",
            &key_arn,
            "--bucket-key-enabled",
        ],
        &[
            "--server-side-encryption",
            "aws:kms:dsse",
            "--ssekms-key-id",
            &key_arn,
        ],
    ];
    let mut flips = 0;
    for (i, sse) in cases.iter().enumerate() {
        let key = format!("o{i}.txt");
        let mut args = vec![
            "s3api",
            "put-object",
            "--bucket",
            "tamper-bucket",
            "--key",
            &key,
            "--body",
            "body.txt",
        ];
        args.extend_from_slice(sse);
        sim(&t, &args).success();
        let body = newest_body(&t);
        let orig = std::fs::read(&body).unwrap();
        let out = t.path().join("out.txt");
        for at in 0..orig.len() {
            let mut b = orig.clone();
            b[at] ^= 0x80;
            std::fs::write(&body, &b).unwrap();
            let _ = std::fs::remove_file(&out);
            let r = sim(
                &t,
                &[
                    "s3api",
                    "get-object",
                    "--bucket",
                    "tamper-bucket",
                    "--key",
                    &key,
                    out.to_str().unwrap(),
                ],
            );
            assert_ne!(r.code, 0, "{sse:?}: byte {at} flipped went unnoticed");
            assert!(
                r.stderr.contains("InternalError") || r.stderr.contains("authentic"),
                "{sse:?}: byte {at}: unclear error: {}",
                r.stderr
            );
            assert!(
                std::fs::read(&out).map_or(true, |o| o.is_empty()),
                "{sse:?}: byte {at}: plaintext was written"
            );
            flips += 1;
        }
        std::fs::write(&body, &orig).unwrap();
        sim(
            &t,
            &[
                "s3api",
                "get-object",
                "--bucket",
                "tamper-bucket",
                "--key",
                &key,
                out.to_str().unwrap(),
            ],
        )
        .success();
        assert_eq!(t.read("out.txt"), "the original body");
    }
    // A truncated or emptied body is refused the same way.
    let body = newest_body(&t);
    for cut in [0, 10, 27] {
        let orig = std::fs::read(&body).unwrap();
        std::fs::write(&body, &orig[..cut.min(orig.len())]).unwrap();
        let r = sim(
            &t,
            &[
                "s3api",
                "get-object",
                "--bucket",
                "tamper-bucket",
                "--key",
                "o3.txt",
                "x.out",
            ],
        );
        assert_ne!(r.code, 0);
        std::fs::write(&body, &orig).unwrap();
    }
    eprintln!("object byte flips tried: {flips}");
}

#[test]
fn flipping_any_byte_of_a_ciphertext_blob_is_detected() {
    let t = Test::new().file("main.tf", TAMPER);
    t.run(&["apply", "-auto-approve"]).success();
    let key_arn = state_ids(&t, "aws_kms_key", "arn").remove(0);
    let r = sim(
        &t,
        &[
            "kms",
            "encrypt",
            "--key-id",
            &key_arn,
            "--plaintext",
            "attack at dawn",
            "--encryption-context",
            "app=lab",
        ],
    )
    .success();
    let blob = STANDARD
        .decode(
            serde_json::from_str::<Json>(&r.stdout).unwrap()["CiphertextBlob"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    for at in 0..blob.len() {
        let mut b = blob.clone();
        b[at] ^= 0x01;
        let r = sim(
            &t,
            &[
                "kms",
                "decrypt",
                "--ciphertext-blob",
                &STANDARD.encode(&b),
                "--encryption-context",
                "app=lab",
            ],
        );
        assert_eq!(r.code, 254, "byte {at} flipped: {}", r.stdout);
        assert!(
            r.stderr.contains("InvalidCiphertextException")
                || r.stderr.contains("NotFoundException"),
            "byte {at}: {}",
            r.stderr
        );
        assert!(!r.stdout.contains("Plaintext"));
    }
    // The untouched blob still decrypts, and only under its own context.
    sim(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &STANDARD.encode(&blob),
            "--encryption-context",
            "app=lab",
        ],
    )
    .success();
    sim(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &STANDARD.encode(&blob),
        ],
    )
    .status(254)
    .stderr_has("InvalidCiphertextException");
}

#[test]
fn flipping_any_byte_of_the_key_store_is_detected() {
    let t = Test::new().file("main.tf", TAMPER);
    t.run(&["apply", "-auto-approve"]).success();
    let key_arn = state_ids(&t, "aws_kms_key", "arn").remove(0);
    let r = sim(
        &t,
        &[
            "kms",
            "encrypt",
            "--key-id",
            &key_arn,
            "--plaintext",
            "attack at dawn",
        ],
    )
    .success();
    let blob = serde_json::from_str::<Json>(&r.stdout).unwrap()["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_string();
    let path = t.path().join(".keyform/world.json");
    let orig = t.read(".keyform/world.json");
    let world: Json = serde_json::from_str(&orig).unwrap();
    let key_id = key_arn.rsplit('/').next().unwrap();
    let wrapped = world["world"]["kms"]["keys"][key_id]["materials"][0]["wrapped"]
        .as_str()
        .unwrap()
        .to_string();
    let raw = STANDARD.decode(&wrapped).unwrap();
    // An attacker who also fixes up the file's checksum: only the key wrap's authentication
    // stands between them and the key.
    for at in 0..raw.len() {
        let mut b = raw.clone();
        b[at] ^= 0x20;
        let mut w = world.clone();
        w["world"]["kms"]["keys"][key_id]["materials"][0]["wrapped"] =
            Json::String(STANDARD.encode(&b));
        std::fs::write(&path, resealed_world_file(&w)).unwrap();
        let r = sim(&t, &["kms", "decrypt", "--ciphertext-blob", &blob]);
        assert_ne!(r.code, 0, "wrapped byte {at} flipped went unnoticed");
        assert!(!r.stdout.contains("Plaintext"), "byte {at}: {}", r.stdout);
        assert!(
            r.stderr.contains("root key")
                || r.stderr.contains("key store damaged")
                || r.stderr.contains("root.key"),
            "byte {at}: unclear: {}",
            r.stderr
        );
    }
    std::fs::write(&path, &orig).unwrap();
    let r = sim(&t, &["kms", "decrypt", "--ciphertext-blob", &blob]).success();
    assert!(r.stdout.contains(&STANDARD.encode("attack at dawn")));
}

/// What an attacker who knows the world file format writes after editing it: the header with
/// a fresh SHA-256 of the edited world, so only the key wrap's own authentication is left.
fn resealed_world_file(w: &Json) -> String {
    let body = w["world"].to_string();
    format!(
        "{{\"keyform_format\":{},\"journal_seq\":{},\"sha256\":\"{}\",\"world\":{body}}}",
        w["keyform_format"],
        w["journal_seq"],
        keyform::sim::crypto::sha256_hex(body.as_bytes())
    )
}
