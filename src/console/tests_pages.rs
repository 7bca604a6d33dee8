//! The pages added for the seeds' remaining console steps: the root user's sign-in, the
//! create-key wizard's review (asymmetric keys, tags, the key policy shown before creating),
//! rotation history and Rotate now, tags, object and version deletion, CloudTrail's filters
//! and trails, and the lab panel beside every page. Each action is one call as the signed-in
//! identity, so the same denials apply.

use serde_json::json;

use super::*;

/// The root user signed in through the root form; returns its tab.
fn root_tab(con: &mut Console, c: &mut Cloud) -> Tab {
    let (email, pw) = c.ensure_root_login().unwrap().expect("a root password");
    let form = con.handle(c, &req("GET", "/_console/signin?as=root", &[], ""), T0);
    assert!(body(&form).contains("id=\"root-email\""));
    let pre = format!(
        "{}={}",
        session::SIGNIN_COOKIE,
        cookie_of(&form, session::SIGNIN_COOKIE)
    );
    let token = csrf_of(&body(&form));
    // A wrong password is refused with AWS's one message, on the root form again.
    let bad = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("kind", "root"),
        ("email", email.as_str()),
        ("password", "Wrong-passw0rd"),
    ])
    .unwrap();
    let r = con.handle(
        c,
        &req("POST", "/_console/signin", &[("cookie", &pre)], &bad),
        T0,
    );
    assert_eq!(r.status, 401);
    assert!(body(&r).contains("authentication information is incorrect"));
    assert!(body(&r).contains("id=\"root-email\""));
    let good = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("kind", "root"),
        ("email", email.as_str()),
        ("password", pw.as_str()),
    ])
    .unwrap();
    let r = con.handle(
        c,
        &req("POST", "/_console/signin", &[("cookie", &pre)], &good),
        T0,
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let cookie = format!("{SESSION_COOKIE}={}", cookie_of(&r, SESSION_COOKIE));
    let home = con.handle(c, &req("GET", "/_console/", &[("cookie", &cookie)], ""), T0);
    let page = body(&home);
    assert!(page.contains("Root user @ 123456789012"), "{page}");
    assert!(
        !page.contains("nav-switch-role"),
        "the root user cannot switch roles"
    );
    assert!(!page.contains(pw.as_str()));
    Tab {
        cookie,
        csrf: csrf_of(&page),
    }
}

#[test]
fn the_root_user_signs_in_and_acts_as_the_root_bound_by_key_policies() {
    let (mut con, mut c) = (Console::new(), world());
    let root = root_tab(&mut con, &mut c);
    // Not bound by identity policies: it creates a user without any.
    let r = root.post(
        &mut con,
        &mut c,
        "/_console/iam/users/create",
        &[("name", "made-by-root")],
    );
    assert!(r.status == 303 || r.status == 200, "{}", body(&r));
    assert!(c.world.iam.users.contains_key("made-by-root"));
    let last = c
        .world
        .cloudtrail
        .events
        .last()
        .map(crate::sim::world::TrailEvent::json);
    assert_eq!(last.unwrap()["userIdentity"]["type"], "Root");
    // Bound by a key policy that does not name the account.
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let only_alice = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}, "Action": "kms:*",
        "Resource": "*"}]});
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/kms/create",
        &[
            ("policy", &only_alice.to_string()),
            ("description", "alice only"),
        ],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let id = c.world.kms.keys.keys().next().unwrap().clone();
    let r = root.get(&mut con, &mut c, &format!("/_console/kms/key?id={id}"));
    assert_eq!(r.status, 403, "{}", body(&r));
    assert!(body(&r).contains("AccessDeniedException"));
}

#[test]
fn the_wizard_reviews_the_policy_then_creates_an_asymmetric_key_with_tags() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let list = body(&alice.get(&mut con, &mut c, "/_console/kms"));
    assert!(
        list.contains("ECC_NIST_P256") && list.contains("HMAC_256"),
        "{list}"
    );
    let fields = [
        ("key_type", "asymmetric"),
        ("key_usage", "SIGN_VERIFY"),
        ("key_spec", "ECC_NIST_P256"),
        ("alias", "signer"),
        ("description", "signs"),
        ("tags", "Project=aero\nOwner = alice"),
        ("key_users", "nobody"),
    ];
    // The review makes no call: nothing is created, the policy is shown.
    let before = c.world.cloudtrail.events.len();
    let r = alice.post(&mut con, &mut c, "/_console/kms/create/review", &fields);
    assert_eq!(r.status, 200, "{}", body(&r));
    assert_eq!(c.world.cloudtrail.events.len(), before);
    assert!(c.world.kms.keys.is_empty());
    let page = body(&r);
    assert!(page.contains("id=\"policy-preview\""), "{page}");
    for want in ["kms:Sign", "kms:GetPublicKey", "nobody", "Project=aero"] {
        assert!(page.contains(want), "{want} in {page}");
    }
    assert!(
        !page.contains("kms:Decrypt"),
        "a signing key's users do not decrypt"
    );
    // Finish with the policy as reviewed.
    let mut finish = fields.to_vec();
    finish[5] = ("tags", "Project=aero;Owner=alice");
    let r = alice.post(&mut con, &mut c, "/_console/kms/create", &finish);
    assert_eq!(r.status, 303, "{}", body(&r));
    let (id, k) = c.world.kms.keys.iter().next().unwrap();
    let id = id.clone();
    assert_eq!(
        (k.key_spec.as_str(), k.key_usage.as_str()),
        ("ECC_NIST_P256", "SIGN_VERIFY")
    );
    assert!(k.policy.contains("kms:Sign") && k.policy.contains("user/nobody"));
    let page = body(&alice.get(&mut con, &mut c, &format!("/_console/kms/key?id={id}")));
    assert!(
        page.contains("alias&#x2f;signer") && page.contains("ECC_NIST_P256"),
        "{page}"
    );
    assert!(page.contains("Project") && page.contains("aero") && page.contains("Owner"));
    assert!(page.contains("does not rotate"), "{page}");
    // A usage the type cannot have is refused before any call.
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/kms/create/review",
        &[
            ("key_type", "asymmetric"),
            ("key_usage", "GENERATE_VERIFY_MAC"),
        ],
    );
    assert_eq!(r.status, 400);
}

#[test]
fn rotate_now_shows_in_the_rotation_history_and_tags_are_added_and_removed() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    alice.post(
        &mut con,
        &mut c,
        "/_console/kms/create",
        &[("alias", "rot")],
    );
    let id = c.world.kms.keys.keys().next().unwrap().clone();
    let url = format!("/_console/kms/key?id={id}");
    assert!(body(&alice.get(&mut con, &mut c, &url)).contains("No rotations yet."));
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/kms/key/rotate-now",
        &[("id", &id)],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let page = body(&alice.get(&mut con, &mut c, &url));
    assert!(
        page.contains("ON_DEMAND") && page.contains("CURRENT"),
        "{page}"
    );
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/kms/key/tag",
        &[("id", &id), ("tag_key", "Env"), ("tag_value", "lab")],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    assert!(body(&alice.get(&mut con, &mut c, &url)).contains("<td>Env</td><td>lab</td>"));
    alice.post(
        &mut con,
        &mut c,
        "/_console/kms/key/untag",
        &[("id", &id), ("tag_key", "Env")],
    );
    assert!(body(&alice.get(&mut con, &mut c, &url)).contains("No tags."));
    // nobody has no KMS rights: Rotate now is AWS's denial, with its reasoning.
    let nobody = tab(&mut con, &mut c, "nobody", "Nobody-passw0rd");
    let r = nobody.post(
        &mut con,
        &mut c,
        "/_console/kms/key/rotate-now",
        &[("id", &id)],
    );
    assert_eq!(r.status, 403);
    assert!(body(&r).contains("kms:RotateKeyOnDemand"), "{}", body(&r));
}

#[test]
fn objects_and_versions_are_deleted_once_confirmed() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    alice.post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        &[("name", "del-bucket")],
    );
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/bucket/versioning",
        &[("bucket", "del-bucket"), ("status", "Enabled")],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let admin = CallContext::lab_admin();
    for text in ["one", "two"] {
        c.call(
            &admin,
            "s3:PutObject",
            &json!({"Bucket": "del-bucket", "Key": "f.txt"}),
            Some(text.as_bytes()),
        )
        .unwrap();
    }
    let page = body(&alice.get(&mut con, &mut c, "/_console/s3/bucket?name=del-bucket"));
    assert!(page.contains("Bucket Versioning: <b>Enabled</b>"), "{page}");
    // Unconfirmed: nothing happens.
    let del = |con: &mut Console, c: &mut Cloud, version: &str, confirm: &str| {
        alice.post(
            con,
            c,
            "/_console/s3/object/delete",
            &[
                ("bucket", "del-bucket"),
                ("key", "f.txt"),
                ("version", version),
                ("confirm", confirm),
            ],
        )
    };
    assert_eq!(del(&mut con, &mut c, "", "yes").status, 400);
    assert!(c.world.s3.objects["del-bucket"].contains_key("f.txt"));
    // Delete: a delete marker; both versions stay, listed under Show versions.
    assert_eq!(del(&mut con, &mut c, "", "delete").status, 303);
    let listed = body(&alice.get(&mut con, &mut c, "/_console/s3/bucket?name=del-bucket"));
    assert!(listed.contains("No objects."), "{listed}");
    let versions = body(&alice.get(
        &mut con,
        &mut c,
        "/_console/s3/bucket?name=del-bucket&versions=1",
    ));
    assert_eq!(
        versions.matches("class=\"version-row\"").count(),
        3,
        "{versions}"
    );
    assert!(versions.contains("Delete marker"));
    // Permanently delete the oldest version.
    let r = c
        .call_json(
            &admin,
            "s3:ListObjectVersions",
            &json!({"Bucket": "del-bucket"}),
        )
        .unwrap();
    let oldest = r["Versions"][1]["VersionId"].as_str().unwrap().to_string();
    assert_eq!(del(&mut con, &mut c, &oldest, "delete").status, 400);
    let r = del(&mut con, &mut c, &oldest, "permanently delete");
    assert_eq!(r.status, 303, "{}", body(&r));
    let versions = body(&alice.get(
        &mut con,
        &mut c,
        "/_console/s3/bucket?name=del-bucket&versions=1",
    ));
    assert_eq!(versions.matches("class=\"version-row\"").count(), 2);
    assert!(!versions.contains(&oldest));
    // nobody may not delete: S3's AccessDenied.
    let nobody = tab(&mut con, &mut c, "nobody", "Nobody-passw0rd");
    let r = nobody.post(
        &mut con,
        &mut c,
        "/_console/s3/object/delete",
        &[
            ("bucket", "del-bucket"),
            ("key", "f.txt"),
            ("confirm", "delete"),
        ],
    );
    assert_eq!(r.status, 403);
}

#[test]
fn event_history_filters_by_user_and_time_and_trails_are_created_and_stopped() {
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    alice.post(
        &mut con,
        &mut c,
        "/_console/s3/create",
        &[("name", "trail-logs")],
    );
    let by_user = body(&alice.get(
        &mut con,
        &mut c,
        "/_console/cloudtrail?attribute=Username&value=alice",
    ));
    assert!(by_user.contains("CreateBucket"), "{by_user}");
    assert!(!by_user.contains("<td class=\"event-user\">lab-admin</td>"));
    // A time range after every event: none.
    let later = crate::sim::clock::iso8601(c.now() + 3_600_000);
    let none = body(&alice.get(
        &mut con,
        &mut c,
        &format!("/_console/cloudtrail?start={}", &later[..16]),
    ));
    assert!(none.contains("No events."), "{none}");
    // A trail into the bucket (its policy lets CloudTrail write), logging from creation.
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::trail-logs"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::trail-logs/AWSLogs/123456789012/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]});
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/s3/bucket/policy",
        &[("bucket", "trail-logs"), ("policy", &policy.to_string())],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/cloudtrail/trails/create",
        &[("name", "audit"), ("bucket", "trail-logs")],
    );
    assert_eq!(r.status, 303, "{}", body(&r));
    let trails = body(&alice.get(&mut con, &mut c, "/_console/cloudtrail/trails"));
    assert!(
        trails.contains("audit") && trails.contains(">Logging"),
        "{trails}"
    );
    // The log files' link (the template escapes its slashes).
    assert!(
        trails.contains("prefix=AWSLogs%2F123456789012%2FCloudTrail%2F"),
        "{trails}"
    );
    let r = alice.post(
        &mut con,
        &mut c,
        "/_console/cloudtrail/trails/logging",
        &[("name", "audit"), ("start", "false")],
    );
    assert_eq!(r.status, 303);
    let trails = body(&alice.get(&mut con, &mut c, "/_console/cloudtrail/trails"));
    assert!(trails.contains("Not logging"), "{trails}");
    // nobody may not look up events: CloudTrail's denial.
    let nobody = tab(&mut con, &mut c, "nobody", "Nobody-passw0rd");
    let r = nobody.get(&mut con, &mut c, "/_console/cloudtrail/trails");
    assert_eq!(r.status, 403);
}

#[test]
fn the_lab_panel_is_beside_every_page_but_its_own() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("README.md"),
        "# Lab One\n\n1. Create the key\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    let (mut con, mut c) = (Console::for_dir(dir.path()), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    for page in [
        "/_console/",
        "/_console/kms",
        "/_console/s3",
        "/_console/cloudtrail",
    ] {
        let b = body(&alice.get(&mut con, &mut c, page));
        assert!(
            b.contains("id=\"lab-side\"") && b.contains("<h1>Lab One</h1>"),
            "{page}"
        );
        assert!(b.contains("id=\"side-check-my-work\""));
    }
    // Errors too; the lab page itself shows the README once, whole.
    let err = alice.get(&mut con, &mut c, "/_console/kms/key?id=nope");
    assert!(body(&err).contains("id=\"lab-side\""));
    let lab = body(&alice.get(&mut con, &mut c, "/_console/lab"));
    assert!(!lab.contains("id=\"lab-side\"") && lab.contains("<h1>Lab One</h1>"));
    // Without a lab, no panel.
    let (mut con, mut c) = (Console::new(), world());
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    assert!(!body(&alice.get(&mut con, &mut c, "/_console/kms")).contains("id=\"lab-side\""));
}

#[test]
fn the_keys_list_shows_each_keys_alias_beyond_one_page_of_aliases() {
    let (mut con, mut c) = (Console::new(), world());
    let admin = CallContext::lab_admin();
    for i in 0..60 {
        let k = c.call_json(&admin, "kms:CreateKey", &json!({})).unwrap();
        let id = k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        c.call_json(
            &admin,
            "kms:CreateAlias",
            &json!({"AliasName": format!("alias/k-{i:02}"), "TargetKeyId": id}),
        )
        .unwrap();
    }
    let alice = tab(&mut con, &mut c, "alice", "Alice-passw0rd");
    let page = body(&alice.get(&mut con, &mut c, "/_console/kms"));
    // ListAliases answers 50 a page by default; every key's alias is still shown.
    for i in 0..60 {
        assert!(page.contains(&format!("alias&#x2f;k-{i:02}")), "k-{i:02}");
    }
}
