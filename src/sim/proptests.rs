//! Property tests of the simulated cloud through its public entry point [`Cloud::call`]: KMS
//! round trips for any plaintext and encryption context, and the explicit-Deny laws of policy
//! evaluation (a matching Deny always wins; a Deny that does not match changes nothing), over
//! random identity policies, key policies and bucket policies.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use proptest::prelude::*;
use serde_json::{Value as Json, json};

use crate::sim::ids::IdGen;
use crate::sim::{CallContext, Cloud, SimError};

const ACCOUNT: &str = "123456789012";
const USER_ARN: &str = "arn:aws:iam::123456789012:user/u";
const OTHER_ARN: &str = "arn:aws:iam::123456789012:user/v";
const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";
const BUCKET: &str = "prop-bucket";

fn cloud() -> Cloud {
    let mut c = Cloud::in_memory(ACCOUNT, "us-east-1", 1_767_225_600_000, IdGen::seeded(1))
        .expect("in-memory cloud");
    for u in ["u", "v"] {
        c.call(
            &CallContext::lab_admin(),
            "iam:CreateUser",
            &json!({"UserName": u}),
            None,
        )
        .expect("create user");
    }
    c
}

fn admin_call(c: &mut Cloud, op: &str, p: Json, body: Option<&[u8]>) -> Json {
    c.call(&CallContext::lab_admin(), op, &p, body)
        .unwrap_or_else(|e| panic!("{op}: {e}"))
        .fields
}

fn contexts() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map("[a-zA-Z0-9:/_.-]{1,12}", ".{0,16}", 0..5)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn encrypt_then_decrypt_returns_the_plaintext_for_any_bytes_and_context(
        plaintext in proptest::collection::vec(any::<u8>(), 1..=4096),
        ctx in contexts(),
        other in contexts(),
    ) {
        let mut c = cloud();
        let key = admin_call(&mut c, "kms:CreateKey", json!({}), None);
        let arn = key["KeyMetadata"]["Arn"].as_str().unwrap_or_default().to_string();
        let enc = admin_call(&mut c, "kms:Encrypt", json!({
            "KeyId": arn, "Plaintext": B64.encode(&plaintext), "EncryptionContext": ctx,
        }), None);
        let blob = enc["CiphertextBlob"].clone();
        let dec = admin_call(&mut c, "kms:Decrypt", json!({
            "CiphertextBlob": blob, "EncryptionContext": ctx,
        }), None);
        prop_assert_eq!(dec["KeyId"].as_str(), Some(arn.as_str()));
        prop_assert_eq!(B64.decode(dec["Plaintext"].as_str().unwrap_or_default()).ok(), Some(plaintext.clone()));
        // Any other context is refused, and says nothing more.
        if other != ctx {
            let e = c.call(&CallContext::lab_admin(), "kms:Decrypt", &json!({
                "CiphertextBlob": blob, "EncryptionContext": other,
            }), None).unwrap_err();
            prop_assert_eq!(e.code.as_str(), "InvalidCiphertextException");
        }
        // Nothing the cloud keeps holds the plaintext.
        if plaintext.len() >= 8 {
            let world = serde_json::to_string(&c.world).unwrap_or_default();
            prop_assert!(!world.contains(&B64.encode(&plaintext)));
        }
    }
}

// ------------------------------------------------------------------ explicit Deny laws

/// The KMS calls the Deny laws are checked on, with the IAM action each needs.
const KMS_OPS: &[(&str, &str)] = &[
    ("kms:Encrypt", "kms:Encrypt"),
    ("kms:Decrypt", "kms:Decrypt"),
    ("kms:GenerateDataKey", "kms:GenerateDataKey"),
    ("kms:DescribeKey", "kms:DescribeKey"),
];

/// Action patterns that may appear in random Allow statements (some match, some do not).
const ALLOW_ACTIONS: &[&str] = &[
    "*",
    "kms:*",
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:GenerateDataKey*",
    "kms:De*",
    "kms:Describe*",
    "s3:*",
    "s3:GetObject",
    "s3:Get*",
];

/// A random Allow statement for a resource policy (it needs a principal) or identity policy.
fn allow_statement(resource_policy: bool) -> impl Strategy<Value = Json> {
    let principals = prop_oneof![
        Just(json!({"AWS": ROOT_ARN})),
        Just(json!({"AWS": USER_ARN})),
        Just(json!({"AWS": OTHER_ARN})),
        Just(json!("*")),
        Just(json!({"AWS": [OTHER_ARN, USER_ARN]})),
    ];
    (
        proptest::sample::subsequence(ALLOW_ACTIONS, 1..4),
        principals,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(actions, principal, not_action, secure)| {
            let mut st = json!({"Effect": "Allow", "Resource": "*"});
            st[if not_action { "NotAction" } else { "Action" }] = json!(actions);
            if resource_policy {
                st["Principal"] = principal;
            }
            if secure {
                st["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
            }
            st
        })
}

/// A random set of allowing (or not) policies: key policy or bucket policy statements, and
/// the inline identity policies of user `u`.
fn policy_set() -> impl Strategy<Value = (Vec<Json>, Vec<Json>)> {
    (
        proptest::collection::vec(allow_statement(true), 0..4),
        proptest::collection::vec(allow_statement(false), 0..3),
    )
}

/// Where the extra Deny goes and how it is shaped.
#[derive(Debug, Clone)]
struct DenySpec {
    in_resource_policy: bool,
    /// Index into the candidate actions of the matching or non-matching kind.
    action: usize,
    resource_arn: bool,
    principal_star: bool,
    /// Add a condition (matching, or for non-matching denies possibly the mismatching part).
    condition: bool,
    /// For non-matching denies: which dimension fails to match.
    miss: usize,
}

fn deny_spec() -> impl Strategy<Value = DenySpec> {
    (
        any::<bool>(),
        0..4usize,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0..4usize,
    )
        .prop_map(
            |(in_resource_policy, action, resource_arn, principal_star, condition, miss)| {
                DenySpec {
                    in_resource_policy,
                    action,
                    resource_arn,
                    principal_star,
                    condition,
                    miss,
                }
            },
        )
}

/// A Deny statement that matches (`matching`) or misses the call of `action` on `resource`.
fn deny_statement(spec: &DenySpec, matching: bool, action: &str, resource: &str) -> Json {
    let service = action.split(':').next().unwrap_or("kms");
    let hits = [
        action.to_string(),
        format!("{service}:*"),
        "*".to_string(),
        format!("{}*", &action[..action.len().min(6)]),
    ];
    let misses = [
        format!("{service}:PutKeyPolicy"),
        format!("{service}:DeleteBucket"),
        format!("{action}X"),
        "iam:*".to_string(),
    ];
    let mut st = json!({"Effect": "Deny"});
    let miss = if matching { usize::MAX } else { spec.miss };
    st["Action"] = json!(if miss == 0 {
        &misses[spec.action]
    } else {
        &hits[spec.action]
    });
    st["Resource"] = match (miss == 1, spec.resource_arn) {
        (true, _) => json!(format!("{resource}-other")),
        (false, true) => json!(resource),
        (false, false) => json!("*"),
    };
    if spec.in_resource_policy {
        st["Principal"] = if miss == 2 {
            json!({"AWS": OTHER_ARN})
        } else if spec.principal_star {
            json!("*")
        } else {
            json!({"AWS": USER_ARN})
        };
    }
    if miss == 3 {
        st["Condition"] = json!({"Bool": {"aws:SecureTransport": "false"}});
    } else if spec.condition {
        st["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
    }
    st
}

/// The outcome of a call reduced to what a caller can observe about the decision.
fn outcome(r: &Result<crate::sim::ops::Response, SimError>) -> Result<(), (String, String)> {
    match r {
        Ok(_) => Ok(()),
        Err(e) => Err((e.code.clone(), e.message.clone())),
    }
}

fn doc(statements: &[Json]) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// Installs policies without going through the API (so no lockout check or admin rights
/// interfere) and makes user `u`'s call.
fn kms_call_with(
    c: &mut Cloud,
    key_id: &str,
    key_policy: &[Json],
    identity: &[Json],
    op: &str,
    params: &Json,
) -> Result<(), (String, String)> {
    if let Some(k) = c.world.kms.keys.get_mut(key_id) {
        k.policy = if key_policy.is_empty() {
            // A key policy with no statement is not valid; one that allows nothing is.
            doc(&[
                json!({"Effect": "Allow", "Principal": {"AWS": OTHER_ARN}, "Action": "kms:ListResourceTags", "Resource": "*"}),
            ])
        } else {
            doc(key_policy)
        };
    }
    if let Some(u) = c.world.iam.users.get_mut("u") {
        u.inline_policies.clear();
        if !identity.is_empty() {
            u.inline_policies.insert("p".into(), doc(identity));
        }
    }
    outcome(&c.call(&CallContext::user("u"), op, params, None))
}

fn s3_call_with(
    c: &mut Cloud,
    bucket_policy: &[Json],
    identity: &[Json],
) -> Result<(), (String, String)> {
    if let Some(b) = c.world.s3.buckets.get_mut(BUCKET) {
        b.policy = (!bucket_policy.is_empty()).then(|| doc(bucket_policy));
    }
    if let Some(u) = c.world.iam.users.get_mut("u") {
        u.inline_policies.clear();
        if !identity.is_empty() {
            u.inline_policies.insert("p".into(), doc(identity));
        }
    }
    let p = json!({"Bucket": BUCKET, "Key": "doc"});
    outcome(&c.call(&CallContext::user("u"), "s3:GetObject", &p, None))
}

/// A cloud with one key (and a ciphertext under it) and one SSE-S3 object.
fn deny_world(ctx: &BTreeMap<String, String>) -> (Cloud, String, String, Json) {
    let mut c = cloud();
    let key = admin_call(&mut c, "kms:CreateKey", json!({}), None);
    let id = key["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let arn = key["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let enc = admin_call(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": arn, "Plaintext": B64.encode("x"), "EncryptionContext": ctx}),
        None,
    );
    admin_call(&mut c, "s3:CreateBucket", json!({"Bucket": BUCKET}), None);
    admin_call(
        &mut c,
        "s3:PutObject",
        json!({"Bucket": BUCKET, "Key": "doc"}),
        Some(b"body"),
    );
    (c, id, arn, enc["CiphertextBlob"].clone())
}

fn kms_params(op: &str, arn: &str, blob: &Json, ctx: &BTreeMap<String, String>) -> Json {
    match op {
        "kms:Encrypt" => {
            json!({"KeyId": arn, "Plaintext": B64.encode("p"), "EncryptionContext": ctx})
        }
        "kms:Decrypt" => json!({"CiphertextBlob": blob, "EncryptionContext": ctx}),
        "kms:GenerateDataKey" => {
            json!({"KeyId": arn, "KeySpec": "AES_256", "EncryptionContext": ctx})
        }
        _ => json!({"KeyId": arn}),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_matching_explicit_deny_always_denies_a_kms_call(
        (key_policy, identity) in policy_set(),
        op in 0..KMS_OPS.len(),
        spec in deny_spec(),
        ctx in contexts(),
    ) {
        let (mut c, id, arn, blob) = deny_world(&ctx);
        let (op, action) = KMS_OPS[op];
        let params = kms_params(op, &arn, &blob, &ctx);
        let deny = deny_statement(&spec, true, action, &arn);
        let (mut kp, mut ip) = (key_policy.clone(), identity.clone());
        if spec.in_resource_policy { kp.push(deny) } else { ip.push(deny) }
        let denied = kms_call_with(&mut c, &id, &kp, &ip, op, &params);
        let want_where = if spec.in_resource_policy { "a resource-based" } else { "an identity-based" };
        prop_assert_eq!(
            denied,
            Err(("AccessDeniedException".to_string(), format!(
                "User: {USER_ARN} is not authorized to perform: {action} on resource: {arn} with an explicit deny in {want_where} policy"
            )))
        );
    }

    #[test]
    fn a_deny_that_does_not_match_changes_no_kms_decision(
        (key_policy, identity) in policy_set(),
        op in 0..KMS_OPS.len(),
        spec in deny_spec(),
        ctx in contexts(),
    ) {
        let (mut c, id, arn, blob) = deny_world(&ctx);
        let (op, action) = KMS_OPS[op];
        let params = kms_params(op, &arn, &blob, &ctx);
        let before = kms_call_with(&mut c, &id, &key_policy, &identity, op, &params);
        let mut spec = spec;
        // A principal mismatch only exists in a resource policy.
        if spec.miss == 2 && !spec.in_resource_policy { spec.miss = 0; }
        let deny = deny_statement(&spec, false, action, &arn);
        let (mut kp, mut ip) = (key_policy, identity);
        if spec.in_resource_policy { kp.push(deny) } else { ip.push(deny) }
        let after = kms_call_with(&mut c, &id, &kp, &ip, op, &params);
        prop_assert_eq!(before, after);
    }

    #[test]
    fn the_deny_laws_hold_for_s3_with_bucket_policies(
        (bucket_policy, identity) in policy_set(),
        spec in deny_spec(),
    ) {
        let (mut c, _, _, _) = deny_world(&BTreeMap::new());
        let resource = format!("arn:aws:s3:::{BUCKET}/doc");
        let before = s3_call_with(&mut c, &bucket_policy, &identity);
        let mut miss_spec = spec.clone();
        if miss_spec.miss == 2 && !miss_spec.in_resource_policy { miss_spec.miss = 0; }
        let (mut bp, mut ip) = (bucket_policy.clone(), identity.clone());
        let deny = deny_statement(&miss_spec, false, "s3:GetObject", &resource);
        if miss_spec.in_resource_policy { bp.push(deny) } else { ip.push(deny) }
        prop_assert_eq!(s3_call_with(&mut c, &bp, &ip), before);

        let (mut bp, mut ip) = (bucket_policy, identity);
        let deny = deny_statement(&spec, true, "s3:GetObject", &resource);
        if spec.in_resource_policy { bp.push(deny) } else { ip.push(deny) }
        let want_where = if spec.in_resource_policy { "a resource-based" } else { "an identity-based" };
        prop_assert_eq!(
            s3_call_with(&mut c, &bp, &ip),
            Err(("AccessDenied".to_string(), format!(
                "User: {USER_ARN} is not authorized to perform: s3:GetObject on resource: {resource} with an explicit deny in {want_where} policy"
            )))
        );
    }
}

#[test]
fn the_generators_cover_both_decisions() {
    // Guards the Deny laws against passing vacuously: random policy sets must produce both
    // allowed and denied baselines.
    let (mut c, id, arn, blob) = deny_world(&BTreeMap::new());
    let p = kms_params("kms:Decrypt", &arn, &blob, &BTreeMap::new());
    let allow_user = [
        json!({"Effect": "Allow", "Principal": {"AWS": USER_ARN}, "Action": "kms:Decrypt", "Resource": "*"}),
    ];
    assert_eq!(
        kms_call_with(&mut c, &id, &allow_user, &[], "kms:Decrypt", &p),
        Ok(())
    );
    let root_only = [
        json!({"Effect": "Allow", "Principal": {"AWS": ROOT_ARN}, "Action": "kms:*", "Resource": "*"}),
    ];
    assert!(kms_call_with(&mut c, &id, &root_only, &[], "kms:Decrypt", &p).is_err());
    let iam = [json!({"Effect": "Allow", "Action": "kms:De*", "Resource": "*"})];
    assert_eq!(
        kms_call_with(&mut c, &id, &root_only, &iam, "kms:Decrypt", &p),
        Ok(())
    );
}
