//! Roles, STS sessions, groups, the root user and principals in policies, each case with the
//! decision AWS documents ("Determining whether a request is allowed or denied within an
//! account", the AssumeRole API reference, "Using service-linked... root user tasks").

use serde_json::{Value as Json, json};

use crate::sim::clock::HOUR;
use crate::sim::{CallContext, Cloud, DEFAULT_ACCOUNT, ids};

fn cloud() -> Cloud {
    Cloud::in_memory(
        DEFAULT_ACCOUNT,
        "us-east-1",
        1_767_225_600_000,
        ids::IdGen::seeded(5),
    )
    .unwrap()
}

fn ok(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> Json {
    c.call_json(ctx, op, &p)
        .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
}

fn err(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> (String, String) {
    let e = c.call_json(ctx, op, &p).expect_err(op);
    (e.code, e.message)
}

fn admin() -> CallContext {
    CallContext::lab_admin()
}

fn trust(principal: Json) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole"}]})
    .to_string()
}

fn allow(action: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
        .to_string()
}

const ROOT: &str = "arn:aws:iam::123456789012:root";
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/app";

fn role(c: &mut Cloud, trust_doc: &str) {
    ok(
        c,
        &admin(),
        "iam:CreateRole",
        json!({"RoleName": "app", "AssumeRolePolicyDocument": trust_doc}),
    );
}

fn assume(c: &mut Cloud, ctx: &CallContext, extra: Json) -> Result<CallContext, (String, String)> {
    let mut p = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1"});
    if let (Json::Object(m), Json::Object(e)) = (&mut p, extra) {
        m.extend(e);
    }
    c.call_json(ctx, "sts:AssumeRole", &p)
        .map(|o| CallContext::session(o["Credentials"]["AccessKeyId"].as_str().unwrap()))
        .map_err(|e| (e.code, e.message))
}

#[test]
fn a_session_is_the_assumed_role_and_does_what_the_roles_policies_allow() {
    let mut c = cloud();
    role(&mut c, &trust(json!(ROOT)));
    ok(
        &mut c,
        &admin(),
        "iam:PutRolePolicy",
        json!({"RoleName": "app", "PolicyName": "p", "PolicyDocument": allow("s3:ListAllMyBuckets")}),
    );
    let out = ok(
        &mut c,
        &admin(),
        "sts:AssumeRole",
        json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1"}),
    );
    let id = out["Credentials"]["AccessKeyId"].as_str().unwrap();
    assert!(id.starts_with("ASIA") && id.len() == 20, "{id}");
    assert_eq!(
        out["Credentials"]["SecretAccessKey"]
            .as_str()
            .unwrap()
            .len(),
        40
    );
    assert!(
        !out["Credentials"]["SessionToken"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    assert_eq!(out["Credentials"]["Expiration"], "2026-01-01T01:00:00Z");
    assert_eq!(
        out["AssumedRoleUser"]["Arn"],
        "arn:aws:sts::123456789012:assumed-role/app/s1"
    );
    let s = CallContext::session(id);
    let me = ok(&mut c, &s, "sts:GetCallerIdentity", json!({}));
    assert_eq!(me["Arn"], "arn:aws:sts::123456789012:assumed-role/app/s1");
    let role_id = c.world.iam.roles["app"].role_id.clone();
    assert!(role_id.starts_with("AROA"));
    assert_eq!(me["UserId"], format!("{role_id}:s1"));
    ok(&mut c, &s, "s3:ListBuckets", json!({}));
    let (code, msg) = err(&mut c, &s, "kms:CreateKey", json!({}));
    assert_eq!(code, "AccessDeniedException");
    assert!(
        msg.starts_with("User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: kms:CreateKey"),
        "{msg}"
    );
    // CloudTrail names the session and its issuer.
    let ev = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(ev["userIdentity"]["type"], "AssumedRole");
    assert_eq!(
        ev["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
        ROLE_ARN
    );
    // The secret and the token are never stored or recorded.
    let world = serde_json::to_string(&c.world).unwrap();
    for secret in ["SecretAccessKey", "SessionToken"] {
        let v = out["Credentials"][secret].as_str().unwrap();
        assert!(!world.contains(v), "{secret} leaked into the world");
    }
}

#[test]
fn sessions_expire_on_the_world_clock() {
    let mut c = cloud();
    role(&mut c, &trust(json!(ROOT)));
    let s = assume(&mut c, &admin(), json!({"DurationSeconds": 900})).unwrap();
    ok(&mut c, &s, "sts:GetCallerIdentity", json!({}));
    c.advance_clock(15 * 60 * 1000);
    for (op, code) in [
        ("sts:GetCallerIdentity", "ExpiredToken"),
        ("kms:ListKeys", "ExpiredTokenException"),
        ("s3:ListBuckets", "ExpiredToken"),
    ] {
        assert_eq!(err(&mut c, &s, op, json!({})).0, code, "{op}");
    }
}

#[test]
fn duration_and_session_name_limits() {
    let mut c = cloud();
    role(&mut c, &trust(json!(ROOT)));
    let (code, msg) = assume(&mut c, &admin(), json!({"DurationSeconds": 7200})).unwrap_err();
    assert_eq!(code, "ValidationError");
    assert_eq!(
        msg,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    let (code, msg) = assume(&mut c, &admin(), json!({"DurationSeconds": 60})).unwrap_err();
    assert_eq!(code, "ValidationError");
    assert!(msg.contains("greater than or equal to 900"), "{msg}");
    let (code, _) = assume(&mut c, &admin(), json!({"RoleSessionName": "a b"})).unwrap_err();
    assert_eq!(code, "ValidationError");
    ok(
        &mut c,
        &admin(),
        "iam:UpdateRole",
        json!({"RoleName": "app", "MaxSessionDuration": 43200}),
    );
    assume(&mut c, &admin(), json!({"DurationSeconds": 43200})).unwrap();
    // Role chaining: a session may assume a role for an hour at most.
    let s = assume(&mut c, &admin(), json!({})).unwrap();
    let (code, _) = assume(&mut c, &s, json!({"DurationSeconds": 7200})).unwrap_err();
    assert_eq!(
        code, "AccessDenied",
        "the role's trust policy names only the account"
    );
    let e = c
        .call_json(
            &admin(),
            "iam:CreateRole",
            &json!({"RoleName": "r", "AssumeRolePolicyDocument": trust(json!(ROOT)), "MaxSessionDuration": 100}),
        )
        .unwrap_err();
    assert!(e.message.contains("'maxSessionDuration'"), "{}", e.message);
}

#[test]
fn the_trust_policy_and_the_callers_own_permission_decide_as_in_aws() {
    let mut c = cloud();
    ok(
        &mut c,
        &admin(),
        "iam:CreateUser",
        json!({"UserName": "bob"}),
    );
    let bob = CallContext::user("bob");
    // Trust names the account: the caller's identity policies must allow sts:AssumeRole.
    role(&mut c, &trust(json!(ROOT)));
    let (code, msg) = assume(&mut c, &bob, json!({})).unwrap_err();
    assert_eq!(code, "AccessDenied");
    assert!(
        msg.starts_with("User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/app"),
        "{msg}"
    );
    ok(
        &mut c,
        &admin(),
        "iam:PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "assume", "PolicyDocument": allow("sts:AssumeRole")}),
    );
    assume(&mut c, &bob, json!({})).unwrap();
    // Trust names the user: no identity permission needed in the same account...
    ok(
        &mut c,
        &admin(),
        "iam:DeleteUserPolicy",
        json!({"UserName": "bob", "PolicyName": "assume"}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:UpdateAssumeRolePolicy",
        json!({"RoleName": "app", "PolicyDocument": trust(json!("arn:aws:iam::123456789012:user/bob"))}),
    );
    assume(&mut c, &bob, json!({})).unwrap();
    // ...but an identity policy's explicit deny still refuses.
    let deny = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]});
    ok(
        &mut c,
        &admin(),
        "iam:PutUserPolicy",
        json!({"UserName": "bob", "PolicyName": "deny", "PolicyDocument": deny.to_string()}),
    );
    assert_eq!(
        assume(&mut c, &bob, json!({})).unwrap_err().0,
        "AccessDenied"
    );
    // An identity Allow alone never lets lab-admin into a role whose trust names only bob.
    assert_eq!(
        assume(&mut c, &admin(), json!({})).unwrap_err().0,
        "AccessDenied"
    );
    // The root user can't assume roles.
    let (code, msg) = assume(&mut c, &CallContext::root(), json!({})).unwrap_err();
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("AccessDenied", "Roles may not be assumed by root accounts.")
    );
}

#[test]
fn external_id_and_session_name_are_condition_keys_of_the_trust_policy() {
    let mut c = cloud();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": "partner-42"}}}]});
    role(&mut c, &doc.to_string());
    assert_eq!(
        assume(&mut c, &admin(), json!({})).unwrap_err().0,
        "AccessDenied"
    );
    assert_eq!(
        assume(&mut c, &admin(), json!({"ExternalId": "other"}))
            .unwrap_err()
            .0,
        "AccessDenied"
    );
    assume(&mut c, &admin(), json!({"ExternalId": "partner-42"})).unwrap();
    // aws:MultiFactorAuthPresent is absent for long-term keys: BoolIfExists false lets them in.
    let mfa = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
    ok(
        &mut c,
        &admin(),
        "iam:UpdateAssumeRolePolicy",
        json!({"RoleName": "app", "PolicyDocument": mfa.to_string()}),
    );
    assert_eq!(
        assume(&mut c, &admin(), json!({})).unwrap_err().0,
        "AccessDenied"
    );
}

#[test]
fn session_policies_intersect_with_the_roles_policies() {
    let mut c = cloud();
    role(&mut c, &trust(json!(ROOT)));
    ok(
        &mut c,
        &admin(),
        "iam:AttachRolePolicy",
        json!({"RoleName": "app", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}),
    );
    let s = assume(
        &mut c,
        &admin(),
        json!({"Policy": allow("s3:ListAllMyBuckets")}),
    )
    .unwrap();
    ok(&mut c, &s, "s3:ListBuckets", json!({}));
    let (code, msg) = err(&mut c, &s, "s3:CreateBucket", json!({"Bucket": "b1"}));
    assert_eq!(code, "AccessDenied");
    assert!(
        msg.ends_with("because no session policy allows the s3:CreateBucket action"),
        "{msg}"
    );
    // A session policy grants nothing the role lacks.
    let s = assume(&mut c, &admin(), json!({"Policy": allow("kms:*")})).unwrap();
    assert_eq!(
        err(&mut c, &s, "kms:CreateKey", json!({})).0,
        "AccessDeniedException"
    );
    let (code, _) = assume(&mut c, &admin(), json!({"Policy": "{"})).unwrap_err();
    assert_eq!(code, "MalformedPolicyDocument");
}

#[test]
fn trust_policies_refuse_principals_that_do_not_exist_or_cannot_be_principals() {
    let mut c = cloud();
    ok(
        &mut c,
        &admin(),
        "iam:CreateGroup",
        json!({"GroupName": "devs"}),
    );
    for (p, shown) in [
        (
            "arn:aws:iam::123456789012:user/nobody",
            "arn:aws:iam::123456789012:user/nobody",
        ),
        (
            "arn:aws:iam::123456789012:group/devs",
            "arn:aws:iam::123456789012:group/devs",
        ),
        ("bob", "bob"),
    ] {
        let e = c
            .call_json(
                &admin(),
                "iam:CreateRole",
                &json!({"RoleName": "x", "AssumeRolePolicyDocument": trust(json!(p))}),
            )
            .unwrap_err();
        assert_eq!(e.code, "MalformedPolicyDocument");
        assert_eq!(
            e.message,
            format!("Invalid principal in policy: \"AWS\":\"{shown}\"")
        );
    }
    assert!(!c.world.iam.roles.contains_key("x"), "nothing half-applied");
    let with_resource = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole", "Resource": "*"}]});
    let e = c
        .call_json(
            &admin(),
            "iam:CreateRole",
            &json!({"RoleName": "x", "AssumeRolePolicyDocument": with_resource.to_string()}),
        )
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("MalformedPolicyDocument", "Has prohibited field Resource")
    );
    let svc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    ok(
        &mut c,
        &admin(),
        "iam:CreateRole",
        json!({"RoleName": "ec2", "AssumeRolePolicyDocument": svc.to_string()}),
    );
}

#[test]
fn a_deleted_principal_is_named_by_its_unique_id_and_a_namesake_is_not_let_in() {
    let mut c = cloud();
    ok(
        &mut c,
        &admin(),
        "iam:CreateUser",
        json!({"UserName": "bob"}),
    );
    let old_id = c.world.iam.users["bob"].user_id.clone();
    role(&mut c, &trust(json!("arn:aws:iam::123456789012:user/bob")));
    ok(
        &mut c,
        &admin(),
        "iam:DeleteUser",
        json!({"UserName": "bob"}),
    );
    let r = ok(&mut c, &admin(), "iam:GetRole", json!({"RoleName": "app"}));
    let doc: Json =
        serde_json::from_str(r["Role"]["AssumeRolePolicyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(doc["Statement"][0]["Principal"]["AWS"], old_id.as_str());
    ok(
        &mut c,
        &admin(),
        "iam:CreateUser",
        json!({"UserName": "bob"}),
    );
    let (code, _) = assume(&mut c, &CallContext::user("bob"), json!({})).unwrap_err();
    assert_eq!(code, "AccessDenied", "the new bob is another principal");
}

#[test]
fn group_policies_count_among_a_members_identity_policies() {
    let mut c = cloud();
    ok(
        &mut c,
        &admin(),
        "iam:CreateUser",
        json!({"UserName": "bob"}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:CreateGroup",
        json!({"GroupName": "key-users"}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:AttachGroupPolicy",
        json!({"GroupName": "key-users", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:PutGroupPolicy",
        json!({"GroupName": "key-users", "PolicyName": "kms", "PolicyDocument": allow("kms:ListKeys")}),
    );
    let bob = CallContext::user("bob");
    assert_eq!(
        err(&mut c, &bob, "s3:ListBuckets", json!({})).0,
        "AccessDenied"
    );
    ok(
        &mut c,
        &admin(),
        "iam:AddUserToGroup",
        json!({"GroupName": "key-users", "UserName": "bob"}),
    );
    ok(&mut c, &bob, "s3:ListBuckets", json!({}));
    ok(&mut c, &bob, "kms:ListKeys", json!({}));
    let g = ok(
        &mut c,
        &admin(),
        "iam:ListGroupsForUser",
        json!({"UserName": "bob"}),
    );
    assert_eq!(g["Groups"][0]["GroupName"], "key-users");
    assert_eq!(
        err(
            &mut c,
            &admin(),
            "iam:DeleteUser",
            json!({"UserName": "bob"})
        )
        .0,
        "DeleteConflict"
    );
    assert_eq!(
        err(
            &mut c,
            &admin(),
            "iam:DeleteGroup",
            json!({"GroupName": "key-users"})
        )
        .0,
        "DeleteConflict"
    );
    // A rename keeps the membership.
    ok(
        &mut c,
        &admin(),
        "iam:UpdateUser",
        json!({"UserName": "bob", "NewUserName": "robert"}),
    );
    ok(
        &mut c,
        &CallContext::user("robert"),
        "kms:ListKeys",
        json!({}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:RemoveUserFromGroup",
        json!({"GroupName": "key-users", "UserName": "robert"}),
    );
    assert_eq!(
        err(
            &mut c,
            &CallContext::user("robert"),
            "kms:ListKeys",
            json!({})
        )
        .0,
        "AccessDeniedException"
    );
}

#[test]
fn the_root_user_is_not_bound_by_identity_policies_but_key_policies_still_apply() {
    let mut c = cloud();
    let root = CallContext::root();
    let me = ok(&mut c, &root, "sts:GetCallerIdentity", json!({}));
    assert_eq!(me["Arn"], ROOT);
    assert_eq!(me["UserId"], DEFAULT_ACCOUNT);
    ok(
        &mut c,
        &root,
        "iam:CreateUser",
        json!({"UserName": "carol"}),
    );
    let k = ok(&mut c, &root, "kms:CreateKey", json!({}));
    let id = k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    ok(
        &mut c,
        &root,
        "kms:Encrypt",
        json!({"KeyId": id, "Plaintext": "aGk="}),
    );
    // A key policy that names only lab-admin locks root out of the key.
    let only_admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:user/lab-admin"}, "Action": "kms:*", "Resource": "*"}]});
    ok(
        &mut c,
        &admin(),
        "kms:PutKeyPolicy",
        json!({"KeyId": id, "PolicyName": "default", "Policy": only_admin.to_string()}),
    );
    let (code, msg) = err(
        &mut c,
        &root,
        "kms:Encrypt",
        json!({"KeyId": id, "Plaintext": "aGk="}),
    );
    assert_eq!(code, "AccessDeniedException");
    assert!(
        msg.starts_with("User: arn:aws:iam::123456789012:root is not authorized"),
        "{msg}"
    );
    let ev = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(ev["userIdentity"]["type"], "Root");
}

#[test]
fn the_bucket_owners_root_can_always_manage_the_bucket_policy() {
    let mut c = cloud();
    ok(
        &mut c,
        &admin(),
        "s3:CreateBucket",
        json!({"Bucket": "locked"}),
    );
    let deny_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": ["arn:aws:s3:::locked", "arn:aws:s3:::locked/*"]}]});
    ok(
        &mut c,
        &admin(),
        "s3:PutBucketPolicy",
        json!({"Bucket": "locked", "Policy": deny_all.to_string()}),
    );
    assert_eq!(
        err(
            &mut c,
            &admin(),
            "s3:GetBucketPolicy",
            json!({"Bucket": "locked"})
        )
        .0,
        "AccessDenied"
    );
    let root = CallContext::root();
    assert_eq!(
        err(
            &mut c,
            &root,
            "s3:ListObjectsV2",
            json!({"Bucket": "locked"})
        )
        .0,
        "AccessDenied",
        "an explicit deny in a bucket policy binds the root user too"
    );
    ok(
        &mut c,
        &root,
        "s3:GetBucketPolicy",
        json!({"Bucket": "locked"}),
    );
    ok(
        &mut c,
        &root,
        "s3:DeleteBucketPolicy",
        json!({"Bucket": "locked"}),
    );
    ok(
        &mut c,
        &admin(),
        "s3:ListObjectsV2",
        json!({"Bucket": "locked"}),
    );
}

#[test]
fn as_names_root_users_and_role_sessions() {
    let mut c = cloud();
    assert_eq!(
        c.caller_named("root").unwrap().principal,
        crate::sim::Principal::Root
    );
    assert_eq!(
        c.caller_named("bob").unwrap().principal,
        crate::sim::Principal::User("bob".into())
    );
    assert_eq!(c.caller_named("role/app").unwrap_err().code, "NoSuchEntity");
    role(&mut c, &trust(json!(ROOT)));
    let s = c.caller_named("role/app").unwrap();
    let me = ok(&mut c, &s, "sts:GetCallerIdentity", json!({}));
    assert_eq!(
        me["Arn"],
        "arn:aws:sts::123456789012:assumed-role/app/lab-admin"
    );
    c.advance_clock(2 * HOUR);
    assert_eq!(
        err(&mut c, &s, "sts:GetCallerIdentity", json!({})).0,
        "ExpiredToken"
    );
}

#[test]
fn list_policies_and_entities_for_policy_find_who_has_a_managed_policy() {
    let mut c = cloud();
    let ro = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    role(&mut c, &trust(json!(ROOT)));
    ok(
        &mut c,
        &admin(),
        "iam:CreateUser",
        json!({"UserName": "auditor"}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:CreateGroup",
        json!({"GroupName": "auditors", "Path": "/audit/"}),
    );
    for (op, who) in [
        ("iam:AttachUserPolicy", json!({"UserName": "auditor"})),
        ("iam:AttachGroupPolicy", json!({"GroupName": "auditors"})),
        ("iam:AttachRolePolicy", json!({"RoleName": "app"})),
    ] {
        let mut p = who;
        p["PolicyArn"] = json!(ro);
        ok(&mut c, &admin(), op, p);
    }
    let all = ok(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Scope": "AWS"}),
    );
    let names: Vec<&str> = all["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["PolicyName"].as_str())
        .collect();
    for want in [
        "ReadOnlyAccess",
        "IAMFullAccess",
        "AWSCloudTrail_ReadOnlyAccess",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    // lab-admin has AdministratorAccess; the three attachments above make ReadOnlyAccess count 3.
    let attached = ok(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"OnlyAttached": true}),
    );
    let ro_row = attached["Policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Arn"] == ro)
        .expect("attached ReadOnlyAccess listed");
    assert_eq!(ro_row["AttachmentCount"], 3);
    assert!(
        attached["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["AttachmentCount"].as_u64() > Some(0))
    );
    let local = ok(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Scope": "Local"}),
    );
    assert!(
        local["Policies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| { !p["Arn"].as_str().unwrap().starts_with("arn:aws:iam::aws:") })
    );

    let e = ok(
        &mut c,
        &admin(),
        "iam:ListEntitiesForPolicy",
        json!({"PolicyArn": ro}),
    );
    assert_eq!(e["PolicyUsers"][0]["UserName"], "auditor");
    assert_eq!(e["PolicyGroups"][0]["GroupName"], "auditors");
    assert_eq!(e["PolicyRoles"][0]["RoleName"], "app");
    let only_roles = ok(
        &mut c,
        &admin(),
        "iam:ListEntitiesForPolicy",
        json!({"PolicyArn": ro, "EntityFilter": "Role"}),
    );
    assert_eq!(only_roles["PolicyUsers"], json!([]));
    assert_eq!(only_roles["PolicyRoles"].as_array().unwrap().len(), 1);
    let under_audit = ok(
        &mut c,
        &admin(),
        "iam:ListEntitiesForPolicy",
        json!({"PolicyArn": ro, "PathPrefix": "/audit/"}),
    );
    assert_eq!(under_audit["PolicyGroups"].as_array().unwrap().len(), 1);
    assert_eq!(under_audit["PolicyUsers"], json!([]));
    let (code, _) = err(
        &mut c,
        &admin(),
        "iam:ListEntitiesForPolicy",
        json!({"PolicyArn": "arn:aws:iam::aws:policy/NoSuchThing"}),
    );
    assert_eq!(code, "NoSuchEntity");
    let (code, _) = err(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Scope": "Everything"}),
    );
    assert_eq!(code, "ValidationError");

    // The auditor may look (ReadOnlyAccess has iam:List*), not change.
    let auditor = CallContext::user("auditor");
    ok(&mut c, &auditor, "iam:ListPolicies", json!({}));
    let (code, _) = err(&mut c, &auditor, "iam:CreateUser", json!({"UserName": "x"}));
    assert_eq!(code, "AccessDenied");
}

#[test]
fn session_tags_need_sts_tag_session_and_become_principal_tags() {
    let mut c = cloud();
    // The trust policy lets the account in to assume the role, but tags only for project=alpha.
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "sts:TagSession",
         "Condition": {"StringEquals": {"aws:RequestTag/project": "alpha"},
                       "ForAllValues:StringEquals": {"aws:TagKeys": ["project", "team"]}}}]})
    .to_string();
    ok(
        &mut c,
        &admin(),
        "iam:CreateRole",
        json!({"RoleName": "app", "AssumeRolePolicyDocument": doc,
               "Tags": [{"Key": "project", "Value": "role-default"}, {"Key": "tier", "Value": "web"}]}),
    );
    // The role may read the secret only when the caller's project tag says alpha.
    let by_tag = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "s3:ListAllMyBuckets", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/project": "alpha",
                                       "aws:PrincipalTag/tier": "web"}}}]})
    .to_string();
    ok(
        &mut c,
        &admin(),
        "iam:PutRolePolicy",
        json!({"RoleName": "app", "PolicyName": "by-tag", "PolicyDocument": by_tag}),
    );

    // No session tags: the role's own tags are the principal tags (project=role-default).
    let plain = assume(&mut c, &admin(), json!({})).expect("assumes without tags");
    let (code, _) = err(&mut c, &plain, "s3:ListBuckets", json!({}));
    assert_eq!(code, "AccessDenied");

    // A session tag overrides the role's tag of the same key; the role's other tags remain.
    let tagged = assume(
        &mut c,
        &admin(),
        json!({"Tags": [{"Key": "project", "Value": "alpha"}]}),
    )
    .expect("the trust policy allows tagging project=alpha");
    ok(&mut c, &tagged, "s3:ListBuckets", json!({}));

    // Tags the trust policy does not allow: AccessDenied on sts:TagSession.
    for tags in [
        json!([{"Key": "project", "Value": "beta"}]),
        json!([{"Key": "project", "Value": "alpha"}, {"Key": "cost", "Value": "1"}]),
    ] {
        let (code, msg) = assume(&mut c, &admin(), json!({"Tags": tags})).unwrap_err();
        assert_eq!(code, "AccessDenied", "{msg}");
        assert!(msg.contains("sts:TagSession"), "{msg}");
    }

    // STS's own checks come first.
    let (code, _) = assume(
        &mut c,
        &admin(),
        json!({"Tags": [{"Key": "project", "Value": "alpha"}, {"Key": "Project", "Value": "x"}]}),
    )
    .unwrap_err();
    assert_eq!(
        code, "InvalidParameterValue",
        "tag keys are case-insensitive"
    );
    let (code, _) = assume(
        &mut c,
        &admin(),
        json!({"Tags": [{"Key": "project", "Value": "alpha"}], "TransitiveTagKeys": ["team"]}),
    )
    .unwrap_err();
    assert_eq!(code, "InvalidParameterValue");
    let too_many: Vec<Json> = (0..51)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    let (code, _) = assume(&mut c, &admin(), json!({"Tags": too_many})).unwrap_err();
    assert_eq!(code, "ValidationError");
    let (code, _) = assume(
        &mut c,
        &admin(),
        json!({"Tags": [{"Key": "k".repeat(129), "Value": "v"}]}),
    )
    .unwrap_err();
    assert_eq!(code, "ValidationError");
}

#[test]
fn transitive_session_tags_pass_on_when_a_session_assumes_another_role() {
    let mut c = cloud();
    let doc = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROOT},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    .to_string();
    role(&mut c, &doc);
    ok(
        &mut c,
        &admin(),
        "iam:CreateRole",
        json!({"RoleName": "next", "AssumeRolePolicyDocument": doc}),
    );
    ok(
        &mut c,
        &admin(),
        "iam:PutRolePolicy",
        // Passing transitive tags on is sts:TagSession too, which a trust policy naming the
        // account leaves to the caller's own policies.
        json!({"RoleName": "app", "PolicyName": "chain", "PolicyDocument": allow("sts:*")}),
    );
    let by_tag = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "s3:ListAllMyBuckets", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/project": "alpha"}}}]})
    .to_string();
    ok(
        &mut c,
        &admin(),
        "iam:PutRolePolicy",
        json!({"RoleName": "next", "PolicyName": "by-tag", "PolicyDocument": by_tag}),
    );
    let chain = |c: &mut Cloud, transitive: Json| {
        let first = assume(
            c,
            &admin(),
            json!({"Tags": [{"Key": "project", "Value": "alpha"}], "TransitiveTagKeys": transitive}),
        )
        .expect("first hop");
        let out = ok(
            c,
            &first,
            "sts:AssumeRole",
            json!({"RoleArn": "arn:aws:iam::123456789012:role/next", "RoleSessionName": "hop"}),
        );
        CallContext::session(out["Credentials"]["AccessKeyId"].as_str().unwrap())
    };
    let kept = chain(&mut c, json!(["project"]));
    ok(&mut c, &kept, "s3:ListBuckets", json!({}));
    let dropped = chain(&mut c, json!([]));
    let (code, _) = err(&mut c, &dropped, "s3:ListBuckets", json!({}));
    assert_eq!(
        code, "AccessDenied",
        "a tag that is not transitive does not pass on"
    );
}

#[test]
fn list_policies_pages_with_marker_and_max_items_as_iam_does() {
    let mut c = cloud();
    for i in 0..3 {
        ok(
            &mut c,
            &admin(),
            "iam:CreatePolicy",
            json!({"PolicyName": format!("p{i}"), "PolicyDocument": allow("s3:ListBucket")}),
        );
    }
    let everything = ok(&mut c, &admin(), "iam:ListPolicies", json!({}));
    assert_eq!(everything["IsTruncated"], false);
    assert!(everything.get("Marker").is_none());
    let all: Vec<Json> = everything["Policies"].as_array().unwrap().clone();
    assert!(
        all.len() > 12,
        "AWS managed and the account's: {}",
        all.len()
    );
    // Pages of 5 walk the same list, in the same order, with nothing twice.
    let mut walked = Vec::new();
    let mut marker: Option<Json> = None;
    loop {
        let mut p = json!({"MaxItems": 5});
        if let Some(m) = &marker {
            p["Marker"] = m.clone();
        }
        let page = ok(&mut c, &admin(), "iam:ListPolicies", p);
        let items = page["Policies"].as_array().unwrap();
        assert!(items.len() <= 5);
        walked.extend(items.iter().cloned());
        if page["IsTruncated"] == true {
            marker = Some(page["Marker"].clone());
        } else {
            assert!(page.get("Marker").is_none());
            break;
        }
    }
    assert_eq!(walked, all);
    // A policy deleted between pages does not break the walk.
    let first = ok(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Scope": "Local", "MaxItems": 1}),
    );
    assert_eq!(first["IsTruncated"], true);
    ok(
        &mut c,
        &admin(),
        "iam:DeletePolicy",
        json!({"PolicyArn": first["Policies"][0]["Arn"]}),
    );
    let rest = ok(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Scope": "Local", "Marker": first["Marker"]}),
    );
    assert_eq!(rest["Policies"].as_array().unwrap().len(), 2);
    // MaxItems 1-1000; a marker no page gave is refused.
    let (code, msg) = err(&mut c, &admin(), "iam:ListPolicies", json!({"MaxItems": 0}));
    assert_eq!(code, "ValidationError");
    assert!(msg.contains("'maxItems'"), "{msg}");
    let (code, _) = err(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"MaxItems": 1001}),
    );
    assert_eq!(code, "ValidationError");
    let (code, _) = err(
        &mut c,
        &admin(),
        "iam:ListPolicies",
        json!({"Marker": "not-a-marker"}),
    );
    assert_eq!(code, "ValidationError");
    // AWS managed policies carry AWS's own PolicyId.
    let admin_access = ok(
        &mut c,
        &admin(),
        "iam:GetPolicy",
        json!({"PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    );
    assert_eq!(admin_access["Policy"]["PolicyId"], "ANPAIWMBCKSKIEE64ZLYK");
    let listed = all
        .iter()
        .find(|p| p["PolicyName"] == "AmazonS3FullAccess")
        .unwrap();
    assert_eq!(listed["PolicyId"], "ANPAIFIR6V6BVTRAHWINE");
}
