//! The table's own tests: names, shapes, and the per-operation authorization audit (every
//! operation run as a caller; what was evaluated must be exactly what its row declares).

use super::*;

#[test]
fn operation_names_are_canonicalised() {
    assert_eq!(canonical("KMS:Encrypt"), Some("kms:Encrypt"));
    assert_eq!(canonical("kms:encrypt"), None);
    assert!(operation_names().contains(&"s3:GetObject"));
    assert_eq!(canonical("clock:Advance"), Some("clock:Advance"));
    assert!(!operation_names().contains(&"clock:Advance"));
}

#[test]
fn every_operation_lists_its_parameters_and_unknown_ones_are_refused() {
    for op in operation_names() {
        assert!(parameter_names(op).is_some(), "{op} has no parameter list");
    }
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        0,
        crate::sim::ids::IdGen::seeded(1),
    )
    .unwrap();
    let e = c
        .call(
            &CallContext::lab_admin(),
            "kms:ScheduleKeyDeletion",
            &serde_json::json!({"KeyId": "k", "PendingWindowDays": 7}),
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind, crate::sim::ErrorKind::Parameter);
    assert_eq!(
        e.message,
        "Unknown parameter in input: \"PendingWindowDays\", must be one of: KeyId, PendingWindowInDays"
    );
    // Nothing reached the service, so nothing was recorded.
    assert!(c.world.cloudtrail.events.is_empty());
}

#[test]
fn names_are_unique_and_every_aws_operation_declares_its_checks() {
    let all = all();
    for w in all.windows(2) {
        assert_ne!(w[0].name, w[1].name, "listed twice");
    }
    for o in all {
        let (svc, _) = o.name.split_once(':').expect("service:Operation");
        let checked = !o.checks.is_empty();
        // Only GetCallerIdentity (AWS answers it whatever the policies say) and the clock
        // authorize nothing.
        assert_eq!(
            checked,
            !matches!(o.name, "sts:GetCallerIdentity") && svc != "clock",
            "{}",
            o.name
        );
    }
}

#[test]
fn missing_required_parameters_are_refused_with_botocores_text() {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        0,
        crate::sim::ids::IdGen::seeded(1),
    )
    .unwrap();
    let e = c
        .call(&CallContext::lab_admin(), "kms:Encrypt", &serde_json::json!({"KeyId": "k"}), None)
        .unwrap_err();
    assert_eq!(e.message, "Missing required parameter in input: \"Plaintext\"");
    assert!(c.world.cloudtrail.events.is_empty());
}

#[test]
fn the_clock_is_an_operation() {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        0,
        crate::sim::ids::IdGen::seeded(1),
    )
    .unwrap();
    let ctx = CallContext::lab_admin();
    let r = c
        .call_json(&ctx, "clock:Advance", &serde_json::json!({"Duration": "1d"}))
        .unwrap();
    assert_eq!(r["Now"], "1970-01-02T00:00:00Z");
    let r = c.call_json(&ctx, "clock:Get", &Json::Null).unwrap();
    assert_eq!(r["Now"], "1970-01-02T00:00:00Z");
    let e = c
        .call_json(&ctx, "clock:Advance", &serde_json::json!({"By": "1d"}))
        .unwrap_err();
    assert_eq!(
        e.message,
        "Unknown parameter in input: \"By\", must be one of: Duration"
    );
}
