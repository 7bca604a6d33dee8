//! Property tests of the laws AWS's evaluation logic implies, over random identity and
//! resource policies (statements drawn from principals, actions, resources, NotAction,
//! NotResource, NotPrincipal and conditions that often match) and random requests (users,
//! the root, a role session, another account's user, anonymous callers, a service), for both
//! decision procedures (S3/IAM and KMS):
//! - adding a Deny statement never turns a Deny into an Allow;
//! - adding an Allow statement never turns an Allow into a Deny;
//! - a Deny that matches the request always wins;
//! - the order of statements, and of policies, never matters.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

const ACCT: &str = "123456789012";
const ROOT: &str = "arn:aws:iam::123456789012:root";
const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const BOB: &str = "arn:aws:iam::123456789012:user/bob";
const ROLE: &str = "arn:aws:iam::123456789012:role/app";
const SESSION: &str = "arn:aws:sts::123456789012:assumed-role/app/s1";
const CAROL: &str = "arn:aws:iam::210987654321:user/carol";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/k1";

const ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "kms:Decrypt", "kms:Encrypt"];
const RESOURCES: &[&str] = &["arn:aws:s3:::bucket/key", "arn:aws:s3:::other/key", KEY];

fn action_pattern() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!("s3:*")),
        Just(json!("kms:*")),
        Just(json!("s3:GetObject")),
        Just(json!("s3:Put*")),
        Just(json!(["kms:Decrypt", "s3:GetObject"])),
    ]
}

fn resource_pattern() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!("arn:aws:s3:::bucket/*")),
        Just(json!("arn:aws:s3:::other/*")),
        Just(json!(KEY)),
        Just(json!(["arn:aws:s3:::bucket/key", KEY])),
    ]
}

fn principal() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": ROOT})),
        Just(json!({"AWS": ACCT})),
        Just(json!({"AWS": ALICE})),
        Just(json!({"AWS": [ALICE, ROOT]})),
        Just(json!({"AWS": [BOB, SESSION, ROLE]})),
        Just(json!({"AWS": ROLE})),
        Just(json!({"AWS": [CAROL, "arn:aws:iam::210987654321:root"]})),
        Just(json!({"Service": "cloudtrail.amazonaws.com"})),
    ]
}

fn condition() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(json!({"StringEquals": {"s3:prefix": "home/"}}))),
        1 => Just(Some(json!({"StringNotEqualsIfExists": {"s3:prefix": "home/"}}))),
        1 => Just(Some(json!({"Bool": {"aws:SecureTransport": "true"}}))),
        1 => Just(Some(json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}))),
        1 => Just(Some(json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))),
        1 => Just(Some(json!({"Null": {"s3:prefix": "true"}}))),
        1 => Just(Some(json!({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/*"}}))),
    ]
}

/// A statement; `resource_policy` statements name principals (sometimes by NotPrincipal).
fn statement(effect: &'static str, resource_policy: bool) -> impl Strategy<Value = Value> {
    (
        action_pattern(),
        any::<bool>(),
        resource_pattern(),
        any::<bool>(),
        principal(),
        any::<bool>(),
        condition(),
    )
        .prop_map(
            move |(action, not_action, resource, not_resource, who, not_principal, cond)| {
                let mut st = json!({"Effect": effect});
                let a = if not_action { "NotAction" } else { "Action" };
                st[a] = action;
                let r = if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                };
                st[r] = resource;
                if resource_policy {
                    let p = if not_principal {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    };
                    st[p] = who;
                }
                if let Some(c) = cond {
                    st["Condition"] = c;
                }
                st
            },
        )
}

fn any_statement(resource_policy: bool) -> impl Strategy<Value = Value> {
    prop_oneof![
        statement("Allow", resource_policy),
        statement("Deny", resource_policy)
    ]
}

#[derive(Debug, Clone)]
struct World {
    kms: bool,
    identity: Vec<Vec<Value>>,
    resource: Vec<Value>,
}

fn world() -> impl Strategy<Value = World> {
    (
        any::<bool>(),
        proptest::collection::vec(proptest::collection::vec(any_statement(false), 0..4), 0..3),
        proptest::collection::vec(any_statement(true), 0..5),
    )
        .prop_map(|(kms, identity, resource)| World {
            kms,
            identity,
            resource,
        })
}

fn request() -> impl Strategy<Value = RequestContext> {
    let callers = prop_oneof![
        Just(Caller::Principal {
            arn: ALICE.into(),
            account: ACCT.into()
        }),
        Just(Caller::Principal {
            arn: BOB.into(),
            account: ACCT.into()
        }),
        Just(Caller::Principal {
            arn: ROOT.into(),
            account: ACCT.into()
        }),
        Just(Caller::Principal {
            arn: SESSION.into(),
            account: ACCT.into()
        }),
        Just(Caller::Principal {
            arn: CAROL.into(),
            account: "210987654321".into()
        }),
        Just(Caller::Anonymous),
        Just(Caller::Service("cloudtrail.amazonaws.com".into())),
    ];
    (
        callers,
        proptest::sample::select(ACTIONS),
        proptest::sample::select(RESOURCES),
        proptest::option::of(proptest::sample::select(&["home/", "work/"][..])),
        proptest::option::of(any::<bool>()),
        proptest::option::of(proptest::sample::subsequence(
            &["env", "team", "cost"][..],
            0..3,
        )),
    )
        .prop_map(|(caller, action, resource, prefix, secure, tags)| {
            let mut ctx = RequestContext::new(caller, action, resource)
                .with_condition("aws:ResourceAccount", [ACCT]);
            ctx.explain = false;
            if let Some(p) = prefix {
                ctx = ctx.with_condition("s3:prefix", [p]);
            }
            if let Some(s) = secure {
                ctx = ctx.with_condition("aws:SecureTransport", [s.to_string()]);
            }
            if let Some(t) = tags {
                ctx = ctx.with_condition("aws:TagKeys", t);
            }
            ctx
        })
}

fn doc(statements: &[Value]) -> PolicyDocument {
    PolicyDocument::from_value(json!({"Version": "2012-10-17", "Statement": statements}))
        .expect("generated policies parse")
}

fn decide(w: &World, ctx: &RequestContext) -> Decision {
    let identity_docs: Vec<PolicyDocument> = w
        .identity
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| doc(s))
        .collect();
    let identity: Vec<PolicySource<'_>> = identity_docs
        .iter()
        .map(|d| PolicySource {
            label: "identity".into(),
            kind: PolicyKind::Identity,
            doc: d,
        })
        .collect();
    // A document needs a statement: an empty key policy is one that names no one.
    let nobody = [
        json!({"Effect": "Allow", "Principal": {"AWS": "999999999999"},
        "Action": "kms:ListAliases", "Resource": "*"}),
    ];
    let resource_doc = doc(if w.resource.is_empty() {
        &nobody
    } else {
        &w.resource
    });
    let resource = PolicySource {
        label: "resource".into(),
        kind: PolicyKind::Resource,
        doc: &resource_doc,
    };
    if w.kms {
        decide_kms(ctx, &resource, &identity, ROOT).0
    } else if w.resource.is_empty() {
        decide_standard(ctx, &identity, &[]).0
    } else {
        decide_standard(ctx, &identity, &[resource]).0
    }
}

/// `w` with `st` added to identity policy `slot` (a new policy when there is none), or to the
/// resource policy.
fn with_statement(w: &World, st: Value, to_resource: bool, slot: usize) -> World {
    let mut w = w.clone();
    if to_resource {
        w.resource.push(st);
    } else if w.identity.is_empty() {
        w.identity.push(vec![st]);
    } else {
        let i = slot % w.identity.len();
        w.identity[i].push(st);
    }
    w
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn adding_a_deny_never_turns_a_deny_into_an_allow(
        w in world(),
        ctx in request(),
        identity_deny in statement("Deny", false),
        resource_deny in statement("Deny", true),
        to_resource in any::<bool>(),
        slot in 0usize..4,
    ) {
        let before = decide(&w, &ctx);
        let st = if to_resource { resource_deny } else { identity_deny };
        let after = decide(&with_statement(&w, st, to_resource, slot), &ctx);
        if !before.is_allowed() {
            prop_assert!(!after.is_allowed(), "{before:?} became {after:?}");
        }
    }

    #[test]
    fn adding_an_allow_never_turns_an_allow_into_a_deny(
        w in world(),
        ctx in request(),
        identity_allow in statement("Allow", false),
        resource_allow in statement("Allow", true),
        to_resource in any::<bool>(),
        slot in 0usize..4,
    ) {
        let before = decide(&w, &ctx);
        let st = if to_resource { resource_allow } else { identity_allow };
        let after = decide(&with_statement(&w, st, to_resource, slot), &ctx);
        if before.is_allowed() {
            prop_assert!(after.is_allowed(), "Allow became {after:?}");
        }
        // And an Allow never creates an explicit deny, nor removes one.
        prop_assert_eq!(
            matches!(before, Decision::ExplicitDeny { .. }),
            matches!(after, Decision::ExplicitDeny { .. })
        );
    }

    #[test]
    fn a_matching_deny_always_wins(w in world(), ctx in request(), slot in 0usize..4) {
        let everyone = json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"});
        let after = decide(&with_statement(&w, everyone, true, slot), &ctx);
        prop_assert!(
            matches!(after, Decision::ExplicitDeny { .. }),
            "resource-policy deny of everything: {after:?}"
        );
        if matches!(ctx.caller, Caller::Principal { .. }) {
            let all = json!({"Effect": "Deny", "Action": "*", "Resource": "*"});
            let after = decide(&with_statement(&w, all, false, slot), &ctx);
            prop_assert!(
                matches!(after, Decision::ExplicitDeny { .. }),
                "identity-policy deny of everything: {after:?}"
            );
        }
    }

    #[test]
    fn statement_and_policy_order_never_matter(
        w in world(),
        ctx in request(),
        seed in any::<u64>(),
    ) {
        let before = decide(&w, &ctx);
        let mut shuffled = w.clone();
        let mut state = seed | 1;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let shuffle = |v: &mut Vec<Value>, next: &mut dyn FnMut(usize) -> usize| {
            for i in (1..v.len()).rev() {
                v.swap(i, next(i + 1));
            }
        };
        for p in shuffled.identity.iter_mut() {
            shuffle(p, &mut next);
        }
        shuffle(&mut shuffled.resource, &mut next);
        shuffled.identity.reverse();
        prop_assert_eq!(decide(&shuffled, &ctx), before);
    }
}

#[test]
fn the_generators_reach_every_decision() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut allow, mut explicit, mut implicit) = (0, 0, 0);
    for _ in 0..2000 {
        let w = world().new_tree(&mut runner).expect("tree").current();
        let ctx = request().new_tree(&mut runner).expect("tree").current();
        match decide(&w, &ctx) {
            Decision::Allow => allow += 1,
            Decision::ExplicitDeny { .. } => explicit += 1,
            Decision::ImplicitDeny { .. } => implicit += 1,
        }
    }
    assert!(
        allow > 100 && explicit > 100 && implicit > 100,
        "allow {allow}, explicit deny {explicit}, implicit deny {implicit}"
    );
}
