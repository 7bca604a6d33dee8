//! Grants end to end through `Cloud::call`: what a grant allows and to whom, its constraints,
//! explicit denies, retiring and revoking, AWS's errors with nothing changed, paging.

use serde_json::json;

use super::*;
use crate::sim::ids::IdGen;

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

/// A world with a symmetric key (default key policy: the account's IAM policies decide) and a
/// user alice with no policies.
fn world() -> (Cloud, String) {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(3),
    )
    .unwrap();
    let admin = CallContext::lab_admin();
    c.call_json(&admin, "iam:CreateUser", &json!({"UserName": "alice"}))
        .unwrap();
    let key = c.call_json(&admin, "kms:CreateKey", &json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    (c, key)
}

fn admin(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call_json(&CallContext::lab_admin(), op, &p)
}

fn alice(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call_json(&CallContext::user("alice"), op, &p)
}

fn code(r: Result<Json, SimError>) -> String {
    r.unwrap_err().code
}

#[test]
fn a_grant_allows_its_operations_for_its_grantee_at_once_under_its_constraints() {
    let (mut c, key) = world();
    let enc = json!({"KeyId": key, "Plaintext": "aGk=", "EncryptionContext": {"app": "x"}});
    assert_eq!(
        code(alice(&mut c, "kms:Encrypt", enc.clone())),
        "AccessDeniedException"
    );
    let g = admin(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Encrypt", "Decrypt"],
               "Constraints": {"EncryptionContextSubset": {"APP": "x"}}}),
    )
    .unwrap();
    let grant_id = g["GrantId"].as_str().unwrap().to_string();
    assert_eq!(grant_id.len(), 64);
    assert!(g["GrantToken"].as_str().is_some());
    // Usable at once, with no token; keys of a constraint compare without case.
    let blob = alice(&mut c, "kms:Encrypt", enc).unwrap()["CiphertextBlob"].clone();
    let ev = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(ev["eventName"], "Encrypt");
    assert_eq!(ev["additionalEventData"]["grantId"], json!(grant_id));
    // The constraint holds: another context, or none, is refused.
    let other = json!({"KeyId": key, "Plaintext": "aGk=", "EncryptionContext": {"app": "y"}});
    assert_eq!(
        code(alice(&mut c, "kms:Encrypt", other)),
        "AccessDeniedException"
    );
    let dec = json!({"CiphertextBlob": blob, "EncryptionContext": {"app": "x"}});
    assert_eq!(
        alice(&mut c, "kms:Decrypt", dec).unwrap()["Plaintext"],
        "aGk="
    );
    // Operations the grant does not list stay refused.
    let gdk = json!({"KeyId": key, "KeySpec": "AES_256", "EncryptionContext": {"app": "x"}});
    assert_eq!(
        code(alice(&mut c, "kms:GenerateDataKey", gdk)),
        "AccessDeniedException"
    );
    // Another user is not the grantee.
    admin(&mut c, "iam:CreateUser", json!({"UserName": "bob"})).unwrap();
    let r = c.call_json(
        &CallContext::user("bob"),
        "kms:Encrypt",
        &json!({"KeyId": key, "Plaintext": "aGk=", "EncryptionContext": {"app": "x"}}),
    );
    assert_eq!(code(r), "AccessDeniedException");
}

#[test]
fn an_explicit_deny_in_the_key_policy_overrides_a_grant() {
    let (mut c, key) = world();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": ALICE}, "Action": "kms:Encrypt", "Resource": "*"}]});
    admin(
        &mut c,
        "kms:PutKeyPolicy",
        json!({"KeyId": key, "Policy": policy.to_string()}),
    )
    .unwrap();
    admin(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Encrypt", "DescribeKey"]}),
    )
    .unwrap();
    let r = alice(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": key, "Plaintext": "aGk="}),
    );
    assert_eq!(code(r), "AccessDeniedException");
    assert!(alice(&mut c, "kms:DescribeKey", json!({"KeyId": key})).is_ok());
}

#[test]
fn bad_grants_are_refused_with_awss_errors_and_nothing_changes() {
    let (mut c, key) = world();
    let grants = |c: &mut Cloud| {
        admin(c, "kms:ListGrants", json!({"KeyId": key})).unwrap()["Grants"]
            .as_array()
            .unwrap()
            .len()
    };
    let events = c.world.cloudtrail.events.len();
    let create = |c: &mut Cloud, grantee: &str, ops: Json| {
        admin(
            c,
            "kms:CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": grantee, "Operations": ops}),
        )
    };
    let r = create(
        &mut c,
        "arn:aws:iam::123456789012:role/nobody",
        json!(["Decrypt"]),
    );
    let e = r.unwrap_err();
    assert_eq!(e.code, "InvalidArnException");
    assert_eq!(
        e.message,
        "ARN does not refer to a valid principal: arn:aws:iam::123456789012:role/nobody"
    );
    assert_eq!(
        code(create(&mut c, "not-a-principal", json!(["Decrypt"]))),
        "InvalidArnException"
    );
    assert_eq!(
        code(create(&mut c, ALICE, json!(["Sign"]))),
        "ValidationException"
    );
    let e = create(&mut c, ALICE, json!(["Delete"])).unwrap_err();
    assert_eq!(e.code, "ValidationException", "{}", e.message);
    assert_eq!(grants(&mut c), 0);
    // Each refusal is recorded, and the ListGrants.
    assert_eq!(c.world.cloudtrail.events.len(), events + 4 + 1);
    // A disabled key takes no grants.
    admin(&mut c, "kms:DisableKey", json!({"KeyId": key})).unwrap();
    assert_eq!(
        code(create(&mut c, ALICE, json!(["Decrypt"]))),
        "DisabledException"
    );
}

#[test]
fn a_name_makes_create_grant_idempotent_and_tokens_differ() {
    let (mut c, key) = world();
    let p = json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"],
                   "Name": "retry-me"});
    let a = admin(&mut c, "kms:CreateGrant", p.clone()).unwrap();
    let b = admin(&mut c, "kms:CreateGrant", p).unwrap();
    assert_eq!(a["GrantId"], b["GrantId"]);
    assert_ne!(a["GrantToken"], b["GrantToken"]);
    // Without a name, every call is a new grant.
    let p = json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]});
    let x = admin(&mut c, "kms:CreateGrant", p.clone()).unwrap();
    let y = admin(&mut c, "kms:CreateGrant", p).unwrap();
    assert_ne!(x["GrantId"], y["GrantId"]);
    let list = admin(&mut c, "kms:ListGrants", json!({"KeyId": key})).unwrap();
    assert_eq!(list["Grants"].as_array().unwrap().len(), 3);
    let named = &list["Grants"][0];
    assert_eq!(named["Name"], "retry-me");
    assert_eq!(named["KeyId"], json!(c.key_arn(&key)));
    assert_eq!(named["IssuingAccount"], "arn:aws:iam::123456789012:root");
    assert_eq!(named["Operations"], json!(["Decrypt"]));
}

#[test]
fn the_retiring_principal_retires_without_policy_and_others_need_one() {
    let (mut c, key) = world();
    admin(&mut c, "iam:CreateUser", json!({"UserName": "bob"})).unwrap();
    let g = admin(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"],
               "RetiringPrincipal": "arn:aws:iam::123456789012:user/bob"}),
    )
    .unwrap();
    // Alice is the grantee, but the grant does not let her retire it.
    let by_token = json!({"GrantToken": g["GrantToken"]});
    assert_eq!(
        code(alice(&mut c, "kms:RetireGrant", by_token.clone())),
        "AccessDeniedException"
    );
    let retirable = admin(
        &mut c,
        "kms:ListRetirableGrants",
        json!({"RetiringPrincipal": "arn:aws:iam::123456789012:user/bob"}),
    )
    .unwrap();
    assert_eq!(retirable["Grants"][0]["GrantId"], g["GrantId"]);
    c.call_json(&CallContext::user("bob"), "kms:RetireGrant", &by_token)
        .unwrap();
    assert_eq!(
        code(admin(
            &mut c,
            "kms:RevokeGrant",
            json!({"KeyId": key, "GrantId": g["GrantId"]})
        )),
        "NotFoundException"
    );
    assert_eq!(
        code(admin(
            &mut c,
            "kms:RetireGrant",
            json!({"GrantToken": "bm90IGEgdG9rZW4="})
        )),
        "InvalidGrantTokenException"
    );
    assert_eq!(
        code(admin(
            &mut c,
            "kms:RevokeGrant",
            json!({"KeyId": key, "GrantId": "x"})
        )),
        "InvalidGrantIdException"
    );
}

#[test]
fn a_grantee_passes_on_no_more_than_its_grant() {
    let (mut c, key) = world();
    admin(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt", "CreateGrant"],
               "Constraints": {"EncryptionContextSubset": {"team": "a"}}}),
    )
    .unwrap();
    admin(&mut c, "iam:CreateUser", json!({"UserName": "bob"})).unwrap();
    let bob = "arn:aws:iam::123456789012:user/bob";
    let wider = json!({"KeyId": key, "GranteePrincipal": bob, "Operations": ["Encrypt"],
                       "Constraints": {"EncryptionContextSubset": {"team": "a"}}});
    assert_eq!(
        code(alice(&mut c, "kms:CreateGrant", wider)),
        "AccessDeniedException"
    );
    let looser = json!({"KeyId": key, "GranteePrincipal": bob, "Operations": ["Decrypt"]});
    assert_eq!(
        code(alice(&mut c, "kms:CreateGrant", looser)),
        "AccessDeniedException"
    );
    let same = json!({"KeyId": key, "GranteePrincipal": bob, "Operations": ["Decrypt"],
                      "Constraints": {"EncryptionContextSubset": {"team": "a", "x": "y"}}});
    assert!(alice(&mut c, "kms:CreateGrant", same).is_ok());
}

#[test]
fn list_grants_pages_with_limit_and_marker() {
    let (mut c, key) = world();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let g = admin(
            &mut c,
            "kms:CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"]}),
        )
        .unwrap();
        ids.push(g["GrantId"].clone());
    }
    let p1 = admin(&mut c, "kms:ListGrants", json!({"KeyId": key, "Limit": 2})).unwrap();
    assert_eq!(p1["Truncated"], true);
    assert_eq!(p1["Grants"].as_array().unwrap().len(), 2);
    let p2 = admin(
        &mut c,
        "kms:ListGrants",
        json!({"KeyId": key, "Limit": 2, "Marker": p1["NextMarker"]}),
    )
    .unwrap();
    assert_eq!(p2["Truncated"], false);
    assert!(p2.get("NextMarker").is_none());
    let all: Vec<Json> = p1["Grants"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p2["Grants"].as_array().unwrap())
        .map(|g| g["GrantId"].clone())
        .collect();
    assert_eq!(all, ids);
    assert_eq!(
        code(admin(
            &mut c,
            "kms:ListGrants",
            json!({"KeyId": key, "Marker": "nope"})
        )),
        "InvalidMarkerException"
    );
    assert_eq!(
        code(admin(
            &mut c,
            "kms:ListGrants",
            json!({"KeyId": key, "Limit": 101})
        )),
        "ValidationException"
    );
}

#[test]
fn grants_go_with_their_key() {
    let (mut c, key) = world();
    admin(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ["Decrypt"],
               "RetiringPrincipal": ALICE}),
    )
    .unwrap();
    admin(
        &mut c,
        "kms:ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    )
    .unwrap();
    c.advance_clock(8 * crate::sim::clock::DAY);
    let r = admin(
        &mut c,
        "kms:ListRetirableGrants",
        json!({"RetiringPrincipal": ALICE}),
    )
    .unwrap();
    assert_eq!(r["Grants"], json!([]));
}

#[test]
fn grant_tokens_are_checked_on_every_operation_that_takes_them_and_name_the_grant_used() {
    let (mut c, key) = world();
    let grant = |c: &mut Cloud, ops: Json| {
        let g = admin(
            c,
            "kms:CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": ALICE, "Operations": ops}),
        )
        .unwrap();
        (
            g["GrantId"].as_str().unwrap().to_string(),
            g["GrantToken"].as_str().unwrap().to_string(),
        )
    };
    let (first, _) = grant(&mut c, json!(["Encrypt", "DescribeKey"]));
    let (second, token) = grant(&mut c, json!(["Encrypt", "Decrypt"]));

    // The grant the token names is the one used, at once; the token is not recorded.
    let enc = json!({"KeyId": key, "Plaintext": "aGk=", "GrantTokens": [token]});
    let blob = alice(&mut c, "kms:Encrypt", enc).unwrap()["CiphertextBlob"].clone();
    let ev = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(ev["additionalEventData"]["grantId"], json!(second));
    assert!(ev["requestParameters"].get("grantTokens").is_none());
    assert!(!ev.to_string().contains(&token));
    // Without a token the first grant that allows the call decides.
    alice(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": key, "Plaintext": "aGk="}),
    )
    .unwrap();
    let ev = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(ev["additionalEventData"]["grantId"], json!(first));
    let dec = json!({"CiphertextBlob": blob, "GrantTokens": [token]});
    alice(&mut c, "kms:Decrypt", dec.clone()).unwrap();

    // Malformed tokens: InvalidGrantTokenException on every operation that takes them, with
    // the call recorded and nothing done.
    let bad = json!(["bm90IGEgdG9rZW4="]);
    let sym = |extra: Json| {
        let mut p = json!({"KeyId": key, "GrantTokens": bad});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        p
    };
    let grants_before = c.world.kms.keys[&key].grants.len();
    for (op, p) in [
        ("kms:Encrypt", sym(json!({"Plaintext": "aGk="}))),
        ("kms:DescribeKey", sym(json!({}))),
        ("kms:GenerateDataKey", sym(json!({"KeySpec": "AES_256"}))),
        (
            "kms:GenerateDataKeyWithoutPlaintext",
            sym(json!({"KeySpec": "AES_256"})),
        ),
        (
            "kms:CreateGrant",
            sym(json!({"GranteePrincipal": ALICE, "Operations": ["Decrypt"]})),
        ),
        (
            "kms:Decrypt",
            json!({"CiphertextBlob": blob, "GrantTokens": bad}),
        ),
        (
            "kms:ReEncrypt",
            json!({"CiphertextBlob": blob, "DestinationKeyId": key, "GrantTokens": bad}),
        ),
    ] {
        let events = c.world.cloudtrail.events.len();
        let e = admin(&mut c, op, p).unwrap_err();
        assert_eq!(e.code, "InvalidGrantTokenException", "{op}");
        assert_eq!(
            c.world.cloudtrail.events.len(),
            events + 1,
            "{op} is recorded"
        );
    }
    assert_eq!(c.world.kms.keys[&key].grants.len(), grants_before);
    for (kind, usage, op, extra) in [
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            "kms:Sign",
            json!({"Message": "aGk=", "SigningAlgorithm": "ECDSA_SHA_256"}),
        ),
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            "kms:Verify",
            json!({"Message": "aGk=", "SigningAlgorithm": "ECDSA_SHA_256", "Signature": "aGk="}),
        ),
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            "kms:GetPublicKey",
            json!({}),
        ),
        (
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
            "kms:GenerateMac",
            json!({"Message": "aGk=", "MacAlgorithm": "HMAC_SHA_256"}),
        ),
        (
            "HMAC_256",
            "GENERATE_VERIFY_MAC",
            "kms:VerifyMac",
            json!({"Message": "aGk=", "MacAlgorithm": "HMAC_SHA_256", "Mac": "aGk="}),
        ),
    ] {
        let k = admin(
            &mut c,
            "kms:CreateKey",
            json!({"KeySpec": kind, "KeyUsage": usage}),
        )
        .unwrap()["KeyMetadata"]["KeyId"]
            .clone();
        let mut p = json!({"KeyId": k, "GrantTokens": bad});
        p.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        assert_eq!(
            code(admin(&mut c, op, p)),
            "InvalidGrantTokenException",
            "{op}"
        );
    }

    // The model's limits: at most 10 tokens, each 1 to 8192 characters.
    let many = json!({"KeyId": key, "GrantTokens": vec![token.clone(); 11]});
    let e = admin(&mut c, "kms:DescribeKey", many).unwrap_err();
    assert_eq!(e.code, "ValidationException");
    assert!(e.message.contains("'grantTokens'"), "{}", e.message);
    let empty = json!({"KeyId": key, "GrantTokens": [""]});
    assert_eq!(
        code(admin(&mut c, "kms:DescribeKey", empty)),
        "ValidationException"
    );
    let ten = json!({"KeyId": key, "GrantTokens": vec![token.clone(); 10]});
    admin(&mut c, "kms:DescribeKey", ten).unwrap();

    // A token of a revoked grant is well formed but allows nothing.
    admin(
        &mut c,
        "kms:RevokeGrant",
        json!({"KeyId": key, "GrantId": second}),
    )
    .unwrap();
    assert_eq!(
        code(alice(&mut c, "kms:Decrypt", dec)),
        "AccessDeniedException"
    );
}
