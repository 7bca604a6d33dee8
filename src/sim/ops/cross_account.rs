//! Several accounts in one world, decided as AWS's "Determining whether a request is allowed
//! or denied across accounts" describes: a request from account B to a resource of account A
//! needs both A's resource policy (key policy, bucket policy, trust policy) to allow B (its
//! account or the principal) and B's identity policies to allow the caller. Plus what belongs
//! to an account (keys, aliases, buckets' owners, sessions) and how a journal records it.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use crate::sim::world::EntityRef;
use crate::sim::{CallContext, Cloud, SimError};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn cloud() -> Cloud {
    let mut c = Cloud::in_memory(A, "us-east-1", 0, crate::sim::ids::IdGen::seeded(7)).unwrap();
    assert!(c.create_account(B).unwrap());
    c
}

fn ok(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> Json {
    c.call_json(ctx, op, &p)
        .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
}

fn err(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> SimError {
    match c.call_json(ctx, op, &p) {
        Ok(r) => panic!("{op} succeeded: {r}"),
        Err(e) => e,
    }
}

fn doc(statements: Json) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// An administrator of B: a session of B's OrganizationAccountAccessRole.
fn b_admin(c: &mut Cloud) -> CallContext {
    c.caller_in(Some(B), None).unwrap()
}

/// A user of `account` with one inline policy (none when `statements` is null).
fn user_in(c: &mut Cloud, account: &str, name: &str, statements: Json) -> CallContext {
    let admin = if account == A {
        CallContext::lab_admin()
    } else {
        b_admin(c)
    };
    ok(c, &admin, "iam:CreateUser", json!({"UserName": name}));
    if !statements.is_null() {
        ok(
            c,
            &admin,
            "iam:PutUserPolicy",
            json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc(statements)}),
        );
    }
    let ctx = CallContext::user(name);
    if account == A {
        ctx
    } else {
        ctx.in_account(account)
    }
}

/// A key of A whose policy keeps A's root and adds `extra` statements.
fn a_key(c: &mut Cloud, extra: Json) -> (String, String) {
    let mut statements = vec![
        json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "kms:*", "Resource": "*"}),
    ];
    if let Json::Array(x) = extra {
        statements.extend(x);
    }
    let m = ok(
        c,
        &CallContext::lab_admin(),
        "kms:CreateKey",
        json!({"Policy": doc(Json::Array(statements))}),
    );
    let id = m["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let arn = m["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    (id, arn)
}

fn allow_b(principal: &str, action: &str) -> Json {
    json!([{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"}])
}

#[test]
fn a_new_account_holds_a_bootstrap_role_the_default_accounts_admins_may_assume() {
    let mut c = cloud();
    assert_eq!(c.world.account_ids(), vec![A.to_string(), B.to_string()]);
    assert!(!c.create_account(B).unwrap(), "a second create is a no-op");
    assert!(c.create_account("12345").is_err());
    let s = b_admin(&mut c);
    let me = ok(&mut c, &s, "sts:GetCallerIdentity", json!({}));
    assert_eq!(me["Account"], json!(B));
    assert_eq!(
        me["Arn"],
        json!(format!(
            "arn:aws:sts::{B}:assumed-role/OrganizationAccountAccessRole/lab-admin"
        ))
    );
    // Each account has its own IAM: lab-admin is A's, B has only its role.
    assert!(c.world.iam.users.contains_key("lab-admin"));
    let b = c.world.iam_of(B).unwrap();
    assert!(b.users.is_empty());
    assert!(b.roles.contains_key("OrganizationAccountAccessRole"));
    // The default account is back in scope after every call.
    assert_eq!(c.world.account_id, A);
    // B's root, and B's users once created, are B's.
    let root = CallContext::root().in_account(B);
    let me = ok(&mut c, &root, "sts:GetCallerIdentity", json!({}));
    assert_eq!(me["Arn"], json!(format!("arn:aws:iam::{B}:root")));
    let bob = user_in(&mut c, B, "bob", Json::Null);
    let me = ok(&mut c, &bob, "sts:GetCallerIdentity", json!({}));
    assert_eq!(me["Arn"], json!(format!("arn:aws:iam::{B}:user/bob")));
    // A user of the same name in A is another user.
    assert_eq!(
        err(
            &mut c,
            &CallContext::user("bob"),
            "sts:GetCallerIdentity",
            json!({})
        )
        .code,
        "InvalidClientTokenId"
    );
}

#[test]
fn a_key_shared_with_an_account_needs_the_key_policy_and_the_callers_identity_policy() {
    // KMS developer guide, "Allowing users in other accounts to use a KMS key": the key policy
    // must give the external account (or its principal) permission, and an IAM policy in the
    // external account must delegate it to its users.
    let mut c = cloud();
    let (_, arn) = a_key(
        &mut c,
        allow_b(&format!("arn:aws:iam::{B}:root"), "kms:Encrypt"),
    );
    let with = user_in(
        &mut c,
        B,
        "with",
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": arn}]),
    );
    let without = user_in(&mut c, B, "without", Json::Null);
    let p = json!({"KeyId": arn, "Plaintext": "aGk="});
    let r = ok(&mut c, &with, "kms:Encrypt", p.clone());
    assert_eq!(r["KeyId"], json!(arn));
    assert_eq!(
        err(&mut c, &without, "kms:Encrypt", p.clone()).code,
        "AccessDeniedException"
    );
    // The key policy allowing only Encrypt: B's identity policy allowing Decrypt is not enough.
    let ct = r["CiphertextBlob"].clone();
    let dec = user_in(
        &mut c,
        B,
        "dec",
        json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]),
    );
    assert_eq!(
        err(&mut c, &dec, "kms:Decrypt", json!({"CiphertextBlob": ct})).code,
        "AccessDeniedException"
    );
    // A key id or alias alone is the caller's account's: B must name A's key by its ARN.
    let id = arn.rsplit('/').next().unwrap();
    assert_eq!(
        err(
            &mut c,
            &with,
            "kms:Encrypt",
            json!({"KeyId": id, "Plaintext": "aGk="})
        )
        .code,
        "NotFoundException"
    );
}

#[test]
fn a_key_policy_naming_the_external_principal_still_needs_its_identity_policy() {
    // "Determining whether a request is allowed or denied across accounts": the resource-based
    // policy naming the principal is not enough across accounts (it is within one).
    let mut c = cloud();
    let bob = user_in(&mut c, B, "bob", Json::Null);
    let (_, arn) = a_key(
        &mut c,
        allow_b(&format!("arn:aws:iam::{B}:user/bob"), "kms:Encrypt"),
    );
    let p = json!({"KeyId": arn, "Plaintext": "aGk="});
    assert_eq!(
        err(&mut c, &bob, "kms:Encrypt", p.clone()).code,
        "AccessDeniedException"
    );
    let admin = b_admin(&mut c);
    ok(
        &mut c,
        &admin,
        "iam:PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "p", "PolicyDocument":
            doc(json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": arn}]))}),
    );
    ok(&mut c, &bob, "kms:Encrypt", p.clone());
    // An identity policy of B alone, for a key whose policy does not name B, is denied.
    let (_, other) = a_key(&mut c, json!([]));
    let star = user_in(
        &mut c,
        B,
        "star",
        json!([{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]),
    );
    assert_eq!(
        err(
            &mut c,
            &star,
            "kms:Encrypt",
            json!({"KeyId": other, "Plaintext": "aGk="})
        )
        .code,
        "AccessDeniedException"
    );
}

#[test]
fn keys_and_aliases_belong_to_their_account() {
    let mut c = cloud();
    let (id, arn) = a_key(&mut c, json!([]));
    assert!(arn.contains(&format!(":{A}:key/")));
    ok(
        &mut c,
        &CallContext::lab_admin(),
        "kms:CreateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": id}),
    );
    let admin = b_admin(&mut c);
    // B lists its own keys and aliases only; it may make an alias of the same name.
    let listed = ok(&mut c, &admin, "kms:ListKeys", json!({}));
    assert_eq!(listed["Keys"], json!([]));
    let bk = ok(&mut c, &admin, "kms:CreateKey", json!({}));
    let b_arn = bk["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    assert!(b_arn.contains(&format!(":{B}:key/")), "{b_arn}");
    ok(
        &mut c,
        &admin,
        "kms:CreateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": b_arn}),
    );
    let r = ok(
        &mut c,
        &admin,
        "kms:DescribeKey",
        json!({"KeyId": "alias/shared"}),
    );
    assert_eq!(r["KeyMetadata"]["Arn"], json!(b_arn));
    let r = ok(
        &mut c,
        &CallContext::lab_admin(),
        "kms:DescribeKey",
        json!({"KeyId": "alias/shared"}),
    );
    assert_eq!(r["KeyMetadata"]["Arn"], json!(arn));
    let mine = ok(&mut c, &CallContext::lab_admin(), "kms:ListKeys", json!({}));
    assert_eq!(mine["Keys"].as_array().unwrap().len(), 1);
}

#[test]
fn bucket_names_are_global_and_a_shared_bucket_needs_both_policies() {
    let mut c = cloud();
    let a = CallContext::lab_admin();
    ok(&mut c, &a, "s3:CreateBucket", json!({"Bucket": "a-data"}));
    let admin = b_admin(&mut c);
    assert_eq!(
        err(
            &mut c,
            &admin,
            "s3:CreateBucket",
            json!({"Bucket": "a-data"})
        )
        .code,
        "BucketAlreadyExists"
    );
    assert_eq!(
        err(&mut c, &a, "s3:CreateBucket", json!({"Bucket": "a-data"})).code,
        "BucketAlreadyOwnedByYou"
    );
    assert_eq!(c.world.bucket_owner("a-data"), Some(A));
    let listed = ok(&mut c, &admin, "s3:ListBuckets", json!({}));
    assert_eq!(listed["Buckets"], json!([]));
    c.call(
        &a,
        "s3:PutObject",
        &json!({"Bucket": "a-data", "Key": "k"}),
        Some(b"body"),
    )
    .unwrap();
    let reader = user_in(
        &mut c,
        B,
        "reader",
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
    );
    let get = json!({"Bucket": "a-data", "Key": "k"});
    // B's identity policy alone: the bucket's account has not allowed B.
    assert_eq!(
        err(&mut c, &reader, "s3:GetObject", get.clone()).code,
        "AccessDenied"
    );
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{B}:root")},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::a-data/*"}]),
    );
    ok(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "a-data", "Policy": policy}),
    );
    let r = c.call(&reader, "s3:GetObject", &get, None).unwrap();
    assert!(r.body.is_some_and(|b| b.as_slice() == b"body"));
    // The bucket policy alone: a B user without an identity policy is denied.
    let idle = user_in(&mut c, B, "idle", Json::Null);
    assert_eq!(err(&mut c, &idle, "s3:GetObject", get).code, "AccessDenied");
}

#[test]
fn cross_account_assume_role_needs_the_trust_policy_and_the_callers_permission() {
    let mut c = cloud();
    let admin = b_admin(&mut c);
    let trust = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{A}:user/alice")},
        "Action": "sts:AssumeRole"}]),
    );
    let alice = user_in(&mut c, A, "alice", Json::Null);
    ok(
        &mut c,
        &admin,
        "iam:CreateRole",
        json!({"RoleName": "partner", "AssumeRolePolicyDocument": trust}),
    );
    let role_arn = format!("arn:aws:iam::{B}:role/partner");
    let p = json!({"RoleArn": role_arn, "RoleSessionName": "s1"});
    // The trust policy names alice, but across accounts alice's own account must allow too.
    assert_eq!(
        err(&mut c, &alice, "sts:AssumeRole", p.clone()).code,
        "AccessDenied"
    );
    ok(
        &mut c,
        &CallContext::lab_admin(),
        "iam:PutUserPolicy",
        json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument":
            doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]))}),
    );
    let out = ok(&mut c, &alice, "sts:AssumeRole", p.clone());
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        json!(format!("arn:aws:sts::{B}:assumed-role/partner/s1"))
    );
    let id = out["Credentials"]["AccessKeyId"].as_str().unwrap();
    assert_eq!(c.world.session_account(id).as_deref(), Some(B));
    // The session is B's principal wherever it is used.
    let me = ok(
        &mut c,
        &CallContext::session(id),
        "sts:GetCallerIdentity",
        json!({}),
    );
    assert_eq!(me["Account"], json!(B));
    // A user the trust policy does not name, even allowed by its own account, is refused.
    let carol = user_in(
        &mut c,
        A,
        "carol",
        json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]),
    );
    assert_eq!(
        err(&mut c, &carol, "sts:AssumeRole", p).code,
        "AccessDenied"
    );
}

#[test]
fn a_journal_records_each_accounts_entities_with_their_account() {
    let mut c = cloud();
    let first = c.take_delta().unwrap();
    let mut replay = crate::sim::World::new(A, "us-east-1", 0, crate::sim::ids::IdGen::seeded(7));
    replay.apply_delta(&first).unwrap();
    assert!(
        replay
            .iam_of(B)
            .unwrap()
            .roles
            .contains_key("OrganizationAccountAccessRole")
    );
    user_in(&mut c, B, "bob", Json::Null);
    let d = c.take_delta().unwrap();
    let refs: BTreeSet<&EntityRef> = d.upserts.iter().map(|(r, _)| r).collect();
    assert!(
        refs.contains(&EntityRef::In(
            B.into(),
            Box::new(EntityRef::User("bob".into()))
        )),
        "{refs:?}"
    );
    assert!(!refs.contains(&EntityRef::User("bob".into())));
    replay.apply_delta(&d).unwrap();
    assert!(replay.iam_of(B).unwrap().users.contains_key("bob"));
    assert!(!replay.iam.users.contains_key("bob"));
    // The file form round-trips: accounts and all.
    let text = serde_json::to_string(&c.world).unwrap();
    let back: crate::sim::World = serde_json::from_str(&text).unwrap();
    assert_eq!(back.account_ids(), c.world.account_ids());
    assert!(back.iam_of(B).unwrap().users.contains_key("bob"));
}

#[test]
fn worlds_of_one_account_migrate_with_their_buckets_owned_by_it() {
    let mut c = Cloud::in_memory(A, "us-east-1", 0, crate::sim::ids::IdGen::seeded(1)).unwrap();
    ok(
        &mut c,
        &CallContext::lab_admin(),
        "s3:CreateBucket",
        json!({"Bucket": "old"}),
    );
    let mut j = serde_json::to_value(&c.world).unwrap();
    // A format 3 world: no accounts, buckets without an owner.
    j["s3"]["buckets"]["old"]
        .as_object_mut()
        .unwrap()
        .remove("owner");
    assert!(j.get("accounts").is_none());
    let mut w: crate::sim::World = serde_json::from_value(j).unwrap();
    assert_eq!(w.s3.buckets["old"].owner, "");
    w.migrate();
    assert_eq!(w.s3.buckets["old"].owner, A);
    assert_eq!(w.account_ids(), vec![A.to_string()]);
}

#[test]
fn each_account_looks_up_the_events_of_its_own_calls() {
    let mut c = cloud();
    ok(
        &mut c,
        &CallContext::lab_admin(),
        "s3:CreateBucket",
        json!({"Bucket": "only-a"}),
    );
    let admin = b_admin(&mut c);
    ok(
        &mut c,
        &admin,
        "iam:CreateUser",
        json!({"UserName": "in-b"}),
    );
    let names = |c: &mut Cloud, ctx: &CallContext| -> Vec<String> {
        let r = ok(c, ctx, "cloudtrail:LookupEvents", json!({}));
        r["Events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["EventName"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let a = names(&mut c, &CallContext::lab_admin());
    assert!(a.contains(&"CreateBucket".to_string()), "{a:?}");
    assert!(!a.contains(&"CreateUser".to_string()), "{a:?}");
    let b = names(&mut c, &admin);
    assert!(b.contains(&"CreateUser".to_string()), "{b:?}");
    assert!(!b.contains(&"CreateBucket".to_string()), "{b:?}");
}
