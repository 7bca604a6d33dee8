//! Principals as AWS defines them, through [`Cloud::call`] (what sim, serve, the provider and
//! the console all use): a key or bucket policy naming a principal that does not exist is
//! refused with each service's own error and text; bucket policy operations belong to the
//! bucket owner's account (MethodNotAllowed 405 for callers of no account, and the owner's root
//! is never locked out); NotPrincipal exempts a caller only when its whole chain is listed.

use serde_json::{Value as Json, json};

use crate::sim::{CallContext, Cloud, SimError};

const ACCT: &str = "123456789012";
const ROOT: &str = "arn:aws:iam::123456789012:root";

fn cloud() -> Cloud {
    Cloud::in_memory(ACCT, "us-east-1", 0, crate::sim::ids::IdGen::seeded(5)).unwrap()
}

fn admin() -> CallContext {
    CallContext::lab_admin()
}

fn ok(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> Json {
    c.call_json(ctx, op, &p)
        .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
}

fn refused(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> SimError {
    match c.call_json(ctx, op, &p) {
        Ok(r) => panic!("{op} succeeded: {r}"),
        Err(e) => e,
    }
}

fn doc(statements: Json) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// A world with user `alice`, group `devs`, role `app` and a session `s1` of it, a key and a
/// bucket whose public access block is off (so `*` policies are not refused for being public).
fn world() -> (Cloud, String, String) {
    let mut c = cloud();
    let a = admin();
    ok(&mut c, &a, "iam:CreateUser", json!({"UserName": "alice"}));
    ok(&mut c, &a, "iam:CreateGroup", json!({"GroupName": "devs"}));
    let trust = doc(json!([{"Effect": "Allow", "Principal": {"AWS": ROOT},
        "Action": "sts:AssumeRole"}]));
    ok(
        &mut c,
        &a,
        "iam:CreateRole",
        json!({"RoleName": "app", "AssumeRolePolicyDocument": trust}),
    );
    let key = ok(&mut c, &a, "kms:CreateKey", json!({}))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &mut c,
        &a,
        "s3:CreateBucket",
        json!({"Bucket": "pr-bucket"}),
    );
    ok(
        &mut c,
        &a,
        "s3:DeletePublicAccessBlock",
        json!({"Bucket": "pr-bucket"}),
    );
    let policy = ok(&mut c, &a, "kms:GetKeyPolicy", json!({"KeyId": key}))["Policy"]
        .as_str()
        .unwrap()
        .to_string();
    (c, key, policy)
}

/// Every principal form, and whether IAM accepts it in a key or bucket policy of this account.
const FORMS: &[(&str, bool)] = &[
    ("*", true),
    ("123456789012", true),
    ("arn:aws:iam::123456789012:root", true),
    ("arn:aws:iam::210987654321:root", true),
    ("arn:aws:iam::123456789012:user/alice", true),
    ("arn:aws:iam::123456789012:user/nobody", false),
    ("arn:aws:iam::123456789012:role/app", true),
    ("arn:aws:iam::123456789012:role/missing", false),
    ("arn:aws:sts::123456789012:assumed-role/app/s1", true),
    ("arn:aws:sts::123456789012:assumed-role/missing/s1", false),
    ("arn:aws:iam::123456789012:group/devs", false),
    ("arn:aws:iam::12345:root", false),
    ("alice", false),
];

#[test]
fn invalid_principals_are_refused_when_a_key_or_bucket_policy_is_set() {
    let (mut c, key, key_policy) = world();
    let a = admin();
    for &(principal, valid) in FORMS {
        let statement = json!({"Effect": "Allow", "Principal": {"AWS": principal},
            "Action": "kms:Decrypt", "Resource": "*"});
        let root = json!({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
            "Resource": "*"});
        let kp = doc(json!([root, statement]));
        let bp = doc(json!([{"Effect": "Allow", "Principal": {"AWS": principal},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]));
        let create = c.call_json(&a, "kms:CreateKey", &json!({"Policy": kp}));
        let put = c.call_json(&a, "kms:PutKeyPolicy", &json!({"KeyId": key, "Policy": kp}));
        let bucket = c.call_json(
            &a,
            "s3:PutBucketPolicy",
            &json!({"Bucket": "pr-bucket", "Policy": bp}),
        );
        if valid {
            for (op, r) in [
                ("CreateKey", create),
                ("PutKeyPolicy", put),
                ("Bucket", bucket),
            ] {
                if let Err(e) = r {
                    panic!("{op} refused valid principal {principal}: {}", e.message);
                }
            }
            continue;
        }
        for (op, r) in [("CreateKey", create), ("PutKeyPolicy", put)] {
            let e = r.expect_err(op);
            assert_eq!(
                (e.code.as_str(), e.status, e.message.as_str()),
                (
                    "MalformedPolicyDocumentException",
                    400,
                    "Policy contains a statement with one or more invalid principals."
                ),
                "{op} with {principal}"
            );
        }
        let e = bucket.expect_err("PutBucketPolicy");
        assert_eq!(
            (e.code.as_str(), e.status, e.message.as_str()),
            ("MalformedPolicy", 400, "Invalid principal in policy"),
            "PutBucketPolicy with {principal}"
        );
        // NotPrincipal is checked like Principal.
        let not = doc(
            json!([{"Effect": "Deny", "NotPrincipal": {"AWS": [principal, ROOT]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]),
        );
        let e = refused(
            &mut c,
            &a,
            "s3:PutBucketPolicy",
            json!({"Bucket": "pr-bucket", "Policy": not}),
        );
        assert_eq!(e.message, "Invalid principal in policy", "{principal}");
    }
    // Refusals leave the key as it was: the last valid policy is the one stored.
    let now = ok(&mut c, &a, "kms:GetKeyPolicy", json!({"KeyId": key}))["Policy"].clone();
    assert_ne!(now.as_str(), Some(key_policy.as_str()));
    assert!(
        now.as_str()
            .unwrap_or_default()
            .contains("assumed-role/app/s1")
    );
}

#[test]
fn a_bucket_policy_without_principal_is_refused_with_awss_text() {
    let (mut c, _, _) = world();
    let e = refused(
        &mut c,
        &admin(),
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": doc(json!([{"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]))}),
    );
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("MalformedPolicy", "Missing required field Principal")
    );
}

fn policy_ops() -> [(&'static str, Json); 3] {
    let open = doc(json!([{"Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        "Resource": "arn:aws:s3:::pr-bucket"}]));
    [
        ("s3:GetBucketPolicy", json!({"Bucket": "pr-bucket"})),
        (
            "s3:PutBucketPolicy",
            json!({"Bucket": "pr-bucket", "Policy": open}),
        ),
        ("s3:DeleteBucketPolicy", json!({"Bucket": "pr-bucket"})),
    ]
}

#[test]
fn bucket_policy_operations_belong_to_the_bucket_owners_account() {
    let (mut c, _, _) = world();
    let a = admin();
    let outsiders = [
        CallContext::anonymous(),
        CallContext::service("cloudtrail.amazonaws.com"),
    ];
    // Without a grant, outsiders are refused (403) before ownership is looked at.
    for who in &outsiders {
        for (op, p) in policy_ops() {
            let e = refused(&mut c, who, op, p);
            assert_eq!((e.code.as_str(), e.status), ("AccessDenied", 403), "{op}");
        }
    }
    // A policy granting every principal the bucket policy operations: outsiders still never
    // read, change or delete it (405), whatever the policy says.
    let [_, (_, open), _] = policy_ops();
    ok(&mut c, &a, "s3:PutBucketPolicy", open);
    let before = ok(
        &mut c,
        &a,
        "s3:GetBucketPolicy",
        json!({"Bucket": "pr-bucket"}),
    );
    for who in &outsiders {
        for (op, p) in policy_ops() {
            let e = refused(&mut c, who, op, p);
            assert_eq!(
                (e.code.as_str(), e.status, e.message.as_str()),
                (
                    "MethodNotAllowed",
                    405,
                    "The specified method is not allowed against this resource."
                ),
                "{op} by {:?}",
                who.principal
            );
        }
    }
    let after = ok(
        &mut c,
        &a,
        "s3:GetBucketPolicy",
        json!({"Bucket": "pr-bucket"}),
    );
    assert_eq!(before, after, "the policy is unchanged");
    // Users of the account the policy lets in do manage it.
    for (op, p) in policy_ops() {
        ok(&mut c, &CallContext::user("alice"), op, p);
    }
}

#[test]
fn a_deny_all_bucket_policy_never_locks_out_the_owners_root() {
    let (mut c, _, _) = world();
    let deny_all = doc(
        json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::pr-bucket", "arn:aws:s3:::pr-bucket/*"]}]),
    );
    ok(
        &mut c,
        &admin(),
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": deny_all}),
    );
    for (op, p) in policy_ops() {
        let e = refused(&mut c, &admin(), op, p);
        assert_eq!(e.code, "AccessDenied", "{op}: lab-admin is denied");
    }
    let root = CallContext::root();
    ok(
        &mut c,
        &root,
        "s3:GetBucketPolicy",
        json!({"Bucket": "pr-bucket"}),
    );
    let e = refused(
        &mut c,
        &root,
        "s3:ListObjectsV2",
        json!({"Bucket": "pr-bucket"}),
    );
    assert_eq!(e.code, "AccessDenied", "the deny binds root on the data");
    ok(
        &mut c,
        &root,
        "s3:DeleteBucketPolicy",
        json!({"Bucket": "pr-bucket"}),
    );
    ok(
        &mut c,
        &admin(),
        "s3:ListObjectsV2",
        json!({"Bucket": "pr-bucket"}),
    );
}

/// A user `name` whose identity policy allows everything.
fn power_user(c: &mut Cloud, name: &str) -> CallContext {
    ok(c, &admin(), "iam:CreateUser", json!({"UserName": name}));
    ok(
        c,
        &admin(),
        "iam:PutUserPolicy",
        json!({"UserName": name, "PolicyName": "all", "PolicyDocument":
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))}),
    );
    CallContext::user(name)
}

#[test]
fn not_principal_in_a_bucket_policy_exempts_only_fully_listed_callers() {
    let (mut c, _, _) = world();
    let a = admin();
    let listed = power_user(&mut c, "listed");
    let no_account = power_user(&mut c, "no-account");
    let other = power_user(&mut c, "other");
    ok(
        &mut c,
        &a,
        "iam:PutRolePolicy",
        json!({"RoleName": "app", "PolicyName": "all", "PolicyDocument":
            doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))}),
    );
    let session = |c: &mut Cloud, name: &str| {
        let out = ok(
            c,
            &admin(),
            "sts:AssumeRole",
            json!({"RoleArn": format!("arn:aws:iam::{ACCT}:role/app"), "RoleSessionName": name}),
        );
        CallContext::session(out["Credentials"]["AccessKeyId"].as_str().unwrap())
    };
    let full = session(&mut c, "full");
    let no_role = session(&mut c, "no-role");
    let lab_admin = format!("arn:aws:iam::{ACCT}:user/lab-admin");
    let deny = doc(json!([{"Effect": "Deny", "NotPrincipal": {"AWS": [
        ROOT, lab_admin,
        format!("arn:aws:iam::{ACCT}:user/listed"),
        format!("arn:aws:iam::{ACCT}:user/no-account"),
        format!("arn:aws:iam::{ACCT}:role/app"),
        format!("arn:aws:sts::{ACCT}:assumed-role/app/full"),
        format!("arn:aws:sts::{ACCT}:assumed-role/app/no-role"),
    ]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pr-bucket"}]));
    ok(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": deny}),
    );
    let list = |c: &mut Cloud, who: &CallContext| {
        c.call_json(who, "s3:ListObjectsV2", &json!({"Bucket": "pr-bucket"}))
            .map(|_| ())
            .map_err(|e| e.code)
    };
    assert_eq!(list(&mut c, &listed), Ok(()));
    assert_eq!(list(&mut c, &no_account), Ok(()));
    assert_eq!(list(&mut c, &full), Ok(()));
    assert_eq!(list(&mut c, &no_role), Ok(()));
    assert_eq!(list(&mut c, &other), Err("AccessDenied".into()));

    // Without the account, the listed user and session are denied too, and so is the root
    // (who can still replace the policy: the owner's root is never locked out).
    let partial = doc(json!([{"Effect": "Deny", "NotPrincipal": {"AWS": [
        lab_admin,
        format!("arn:aws:iam::{ACCT}:user/listed"),
        format!("arn:aws:iam::{ACCT}:role/app"),
        format!("arn:aws:sts::{ACCT}:assumed-role/app/full"),
    ]}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pr-bucket"}]));
    ok(
        &mut c,
        &CallContext::root(),
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": partial}),
    );
    assert_eq!(list(&mut c, &listed), Err("AccessDenied".into()));
    assert_eq!(list(&mut c, &full), Err("AccessDenied".into()));
    assert_eq!(
        list(&mut c, &CallContext::root()),
        Err("AccessDenied".into())
    );
    let only_account = doc(json!([{"Effect": "Deny", "NotPrincipal": {"AWS": ACCT},
        "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::pr-bucket"}]));
    ok(
        &mut c,
        &CallContext::root(),
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": only_account}),
    );
    assert_eq!(list(&mut c, &CallContext::root()), Ok(()));
    assert_eq!(list(&mut c, &listed), Err("AccessDenied".into()));
    assert_eq!(list(&mut c, &full), Err("AccessDenied".into()));
}

#[test]
fn not_principal_in_a_key_policy_follows_the_same_rule() {
    let (mut c, key, _) = world();
    let user = power_user(&mut c, "keyuser");
    let user_arn = format!("arn:aws:iam::{ACCT}:user/keyuser");
    let lab_admin = format!("arn:aws:iam::{ACCT}:user/lab-admin");
    let encrypt = |c: &mut Cloud, who: &CallContext| {
        c.call_json(
            who,
            "kms:Encrypt",
            &json!({"KeyId": key, "Plaintext": "aGk="}),
        )
        .map(|_| ())
        .map_err(|e| e.code)
    };
    let root_allow = json!({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
        "Resource": "*"});
    for (listed, allowed) in [
        (json!([ROOT, lab_admin, user_arn]), true),
        (json!([lab_admin, user_arn]), false),
        (json!([ROOT, lab_admin]), false),
    ] {
        let p = doc(
            json!([root_allow, {"Effect": "Deny", "NotPrincipal": {"AWS": listed},
            "Action": "kms:Encrypt", "Resource": "*"}]),
        );
        ok(
            &mut c,
            &admin(),
            "kms:PutKeyPolicy",
            json!({"KeyId": key, "Policy": p, "BypassPolicyLockoutSafetyCheck": true}),
        );
        let want = if allowed {
            Ok(())
        } else {
            Err("AccessDeniedException".to_string())
        };
        assert_eq!(encrypt(&mut c, &user), want, "NotPrincipal {listed}");
    }
}

#[test]
fn a_policy_naming_a_deleted_principals_unique_id_cannot_be_set_again() {
    let (mut c, key, _) = world();
    let a = admin();
    let alice = format!("arn:aws:iam::{ACCT}:user/alice");
    let bp = doc(json!([{"Effect": "Allow", "Principal": {"AWS": alice},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]));
    ok(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": bp}),
    );
    let kp = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*",
        "Resource": "*"}, {"Effect": "Allow", "Principal": {"AWS": alice},
        "Action": "kms:Decrypt", "Resource": "*"}]),
    );
    ok(
        &mut c,
        &a,
        "kms:PutKeyPolicy",
        json!({"KeyId": key, "Policy": kp}),
    );
    let id = c.world.iam.users["alice"].user_id.clone();
    ok(&mut c, &a, "iam:DeleteUser", json!({"UserName": "alice"}));
    let shown = ok(
        &mut c,
        &a,
        "s3:GetBucketPolicy",
        json!({"Bucket": "pr-bucket"}),
    )["Policy"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shown.contains(&id), "{shown}");
    let e = refused(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": shown}),
    );
    assert_eq!(e.message, "Invalid principal in policy");
    let shown = ok(&mut c, &a, "kms:GetKeyPolicy", json!({"KeyId": key}))["Policy"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shown.contains(&id), "{shown}");
    let e = refused(
        &mut c,
        &a,
        "kms:PutKeyPolicy",
        json!({"KeyId": key, "Policy": shown}),
    );
    assert_eq!(e.code, "MalformedPolicyDocumentException");
    // A live principal's unique id is accepted.
    ok(&mut c, &a, "iam:CreateUser", json!({"UserName": "alice"}));
    let live = c.world.iam.users["alice"].user_id.clone();
    let bp = doc(json!([{"Effect": "Allow", "Principal": {"AWS": live},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]));
    ok(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "pr-bucket", "Policy": bp}),
    );
}
