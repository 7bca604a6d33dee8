//! The fuzzing harness: one function per target, shared by the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` (long local runs, nightly) and by the bounded proptest runs in the main
//! crate's `tests/reliability_fuzz.rs` (every `cargo test`, stable).
//!
//! Each function takes arbitrary bytes and drives keyform's real entry points the way a
//! command would. What it checks is what a user relies on: no panic, no stack overflow, no
//! runaway memory, and the few invariants stated inline (a saved plan that reads back renders;
//! a blob that was not produced by Encrypt never decrypts to anything).

#![allow(dead_code)]

use std::collections::BTreeMap;

use keyform::apply::ApplyHook;
use keyform::config::{Config, SchemaSource};
use keyform::diag::SourceMap;
use keyform::plan::{PlanOptions, RawVar};
use keyform::provider::aws::{AwsProvider, AwsSchemas};
use keyform::sim::{CallContext, Cloud, ids::IdGen};
use keyform::state::{State, StateOp};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn cloud() -> Cloud {
    Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(1),
    )
    .expect("an in-memory cloud")
}

/// Applies state changes in memory, as `keyform test` does.
struct MemoryHook;

impl ApplyHook for MemoryHook {
    fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        _world: Option<serde_json::Value>,
    ) -> Result<(), String> {
        for op in &ops {
            state.apply_op(op);
        }
        Ok(())
    }
}

/// HCL loading and evaluation: parse, build, graph, validate, plan against an in-memory
/// cloud, render the plan, apply it, and plan again.
pub(crate) fn hcl(data: &[u8]) {
    let src = text(data);
    // file() and friends are confined to this directory, which holds nothing.
    let dir = std::env::temp_dir().join("keyform-fuzz-empty");
    let _ = std::fs::create_dir_all(&dir);
    let mut sources = SourceMap::new();
    let Ok(parsed) =
        keyform::parse::parse_text(&mut sources, &dir.join("main.tf"), "main.tf".into(), src)
    else {
        return;
    };
    let schemas = AwsSchemas::get();
    let Ok(cfg) = Config::build(&dir, sources, vec![parsed], schemas) else {
        return;
    };
    let Ok(graph) = keyform::graph::build(&cfg) else {
        return;
    };
    let inputs: BTreeMap<String, RawVar> = BTreeMap::new();
    let _ = keyform::plan::validate(&cfg, &graph, schemas, &inputs);
    let mut cloud = cloud();
    let mut state = State::new("fuzz".into());
    let opts = PlanOptions::default();
    let plan = {
        let mut provider = AwsProvider::new(&mut cloud, &dir);
        keyform::plan::plan(&cfg, &graph, &state, &mut provider, schemas, &inputs, &opts)
    };
    let Ok(plan) = plan else { return };
    let lookup = |m, k: &str| schemas.resource_schema(m, k);
    let _ = keyform::cli::render::plan::render(
        &plan,
        &lookup,
        keyform::cli::render::Style { color: false },
    );
    let _ = keyform::cli::render::json::plan_json(&plan, &state);
    // A saved plan reads back.
    let saved = keyform::plan::file::to_json(&plan);
    assert!(
        keyform::plan::file::from_json(&saved).is_ok(),
        "a plan keyform wrote must read back"
    );
    let mut provider = AwsProvider::new(&mut cloud, &dir);
    let _ = keyform::apply::apply(
        &cfg,
        &graph,
        &plan,
        &mut state,
        &mut provider,
        schemas,
        &inputs,
        &mut MemoryHook,
    );
    let _ = keyform::plan::plan(&cfg, &graph, &state, &mut provider, schemas, &inputs, &opts);
    let _ = keyform::state::file::parse(&keyform::state::file::to_json(&state).to_string());
}

/// Test files (`*.tftest.hcl`): parse and validate.
pub(crate) fn test_file(data: &[u8]) {
    let mut sources = SourceMap::new();
    let _ = keyform::grade::file::parse_text(&mut sources, "t.tftest.hcl", &text(data));
}

/// State, world and journal files as `.keyform/` holds them.
pub(crate) fn state(data: &[u8]) {
    if let Ok(s) = keyform::state::file::parse(&text(data)) {
        // What was read writes back and reads back the same.
        let again = keyform::state::file::from_json(&keyform::state::file::to_json(&s));
        assert_eq!(again.as_ref().ok(), Some(&s), "a state must round-trip");
    }
    let _ = keyform::workspace::parse_world(data);
    let _ = keyform::workspace::parse_journal(data);
    if let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = keyform::fsutil::verify_json(&j);
    }
}

/// Saved plans: read, then show (text and JSON), as `keyform show FILE` does.
pub(crate) fn saved_plan(data: &[u8]) {
    let Ok(j) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(plan) = keyform::plan::file::from_json(&j) else {
        return;
    };
    let schemas = AwsSchemas::get();
    let lookup = |m, k: &str| schemas.resource_schema(m, k);
    let _ = keyform::cli::render::plan::render(
        &plan,
        &lookup,
        keyform::cli::render::Style { color: false },
    );
    let _ = keyform::cli::render::json::plan_json(&plan, &State::new("fuzz".into()));
}

/// Policy documents: parse, validate as each kind, evaluate against requests derived from the
/// input, and put the document on a key, a bucket and a user of an in-memory cloud.
pub(crate) fn policy(data: &[u8]) {
    use keyform::sim::policy::{
        Caller, PolicyDocument, PolicyKind, PolicySource, RequestContext, decide_kms,
        decide_standard, evaluate,
    };
    let src = text(data);
    let Ok(doc) = PolicyDocument::parse(&src) else {
        return;
    };
    for kind in [PolicyKind::Identity, PolicyKind::Resource] {
        let _ = doc.validate_for(kind);
    }
    let _ = doc.is_public();
    let _ = doc.normalized_json();
    // Requests made of the document's own strings, so conditions and wildcards get exercised.
    let words: Vec<&str> = src
        .split(|c: char| c == '"' || c.is_whitespace())
        .filter(|w| w.len() > 2)
        .take(8)
        .collect();
    let pick = |i: usize| words.get(i % words.len().max(1)).copied().unwrap_or("*");
    for (i, caller) in [
        Caller::Principal {
            arn: "arn:aws:iam::123456789012:user/lab-admin".into(),
            account: "123456789012".into(),
        },
        Caller::Anonymous,
        Caller::Service("cloudtrail.amazonaws.com".into()),
    ]
    .into_iter()
    .enumerate()
    {
        let ctx = RequestContext::new(caller, pick(i), pick(i + 1))
            .with_condition(pick(i + 2), [pick(i + 3), pick(i + 4)]);
        let sources = [PolicySource {
            label: "fuzz".into(),
            kind: PolicyKind::Resource,
            doc: &doc,
        }];
        let _ = evaluate(&ctx, &sources);
        let _ = decide_standard(&ctx, &sources, &sources);
        let _ = decide_kms(
            &ctx,
            &sources[0],
            &sources,
            "arn:aws:iam::123456789012:root",
        );
    }
    let mut c = cloud();
    let admin = CallContext::lab_admin();
    let _ = c.call(
        &admin,
        "kms:CreateKey",
        &serde_json::json!({"Policy": src}),
        None,
    );
    let _ = c.call(
        &admin,
        "s3:CreateBucket",
        &serde_json::json!({"Bucket": "fuzz-bucket"}),
        None,
    );
    let _ = c.call(
        &admin,
        "s3:PutBucketPolicy",
        &serde_json::json!({"Bucket": "fuzz-bucket", "Policy": src}),
        None,
    );
    let _ = c.call(
        &admin,
        "iam:PutUserPolicy",
        &serde_json::json!({"UserName": "lab-admin", "PolicyName": "fuzz", "PolicyDocument": src}),
        None,
    );
    let _ = c.call(
        &CallContext::anonymous(),
        "s3:ListObjectsV2",
        &serde_json::json!({"Bucket": "fuzz-bucket"}),
        None,
    );
}

/// Ciphertext blobs: parse the header, and Decrypt (with a context taken from the input) on a
/// cloud holding a key. Bytes that Encrypt did not produce must never decrypt.
pub(crate) fn ciphertext(data: &[u8]) {
    use base64::Engine as _;
    use std::cell::RefCell;
    // One cloud with one key per thread, reused across inputs (creating them dominates).
    thread_local! {
        static WORLD: RefCell<Option<(Cloud, String, String)>> = const { RefCell::new(None) };
    }
    let _ = keyform::sim::crypto::parse_blob_header(data);
    let admin = CallContext::lab_admin();
    let b64 = base64::engine::general_purpose::STANDARD;
    WORLD.with(|w| {
        let mut w = w.borrow_mut();
        let (c, key_id, real) = w.get_or_insert_with(|| {
            let mut c = cloud();
            let key = c
                .call(&admin, "kms:CreateKey", &serde_json::json!({}), None)
                .expect("CreateKey");
            let key_id = key.fields["KeyMetadata"]["KeyId"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let real = c
                .call(
                    &admin,
                    "kms:Encrypt",
                    &serde_json::json!({"KeyId": key_id, "Plaintext": "fuzz"}),
                    None,
                )
                .expect("Encrypt");
            let real = real.fields["CiphertextBlob"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            (c, key_id, real)
        });
        // A real blob of this key with the input's bytes spliced over its tail, so the header
        // (and the key lookup) is right more often than chance allows.
        let mut spliced = b64.decode(real.as_str()).unwrap_or_default();
        let keep = spliced.len().saturating_sub(data.len().min(spliced.len()));
        spliced.truncate(keep);
        spliced.extend_from_slice(data);
        let ctx_text = text(data.get(..data.len().min(16)).unwrap_or_default());
        for blob in [data.to_vec(), spliced] {
            for params in [
                serde_json::json!({"CiphertextBlob": b64.encode(&blob)}),
                serde_json::json!({"CiphertextBlob": b64.encode(&blob), "KeyId": key_id}),
                serde_json::json!({"CiphertextBlob": b64.encode(&blob), "EncryptionContext": {"k": ctx_text}}),
            ] {
                if let Ok(r) = c.call(&admin, "kms:Decrypt", &params, None) {
                    // Only the exact blob Encrypt returned opens, to exactly its plaintext.
                    assert_eq!(
                        &b64.encode(&blob),
                        real,
                        "a blob Encrypt never produced decrypted"
                    );
                    let plain = r.fields["PlaintextBase64"]
                        .as_str()
                        .and_then(|p| b64.decode(p).ok())
                        .or_else(|| r.fields["Plaintext"].as_str().map(|p| p.as_bytes().to_vec()));
                    assert_eq!(plain.as_deref(), Some(&b"fuzz"[..]), "wrong plaintext");
                }
            }
            let _ = c.call(
                &admin,
                "kms:ReEncrypt",
                &serde_json::json!({"CiphertextBlob": b64.encode(&blob), "DestinationKeyId": key_id}),
                None,
            );
        }
        // Re-encryptions made new blobs nobody keeps; the audit trail would only grow.
        c.world.cloudtrail.events.clear();
    });
}
