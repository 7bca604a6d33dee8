//! CloudTrail operations end to end through `Cloud::call`: every documented parameter is
//! accepted and answered as AWS answers it.

use serde_json::{Value as Json, json};

use crate::sim::ids::IdGen;
use crate::sim::{CallContext, Cloud, SimError};

fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call(&CallContext::lab_admin(), op, &p, None)
        .map(|r| r.fields)
}

/// A world with a bucket `logs` CloudTrail may write to.
fn world() -> Cloud {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(7),
    )
    .unwrap();
    call(&mut c, "s3:CreateBucket", json!({"Bucket": "logs"})).unwrap();
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::logs"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]});
    call(
        &mut c,
        "s3:PutBucketPolicy",
        json!({"Bucket": "logs", "Policy": policy.to_string()}),
    )
    .unwrap();
    c
}

fn code(r: Result<Json, SimError>) -> String {
    r.unwrap_err().code
}

#[test]
fn unsimulated_destinations_get_awss_answers_for_ones_that_do_not_exist() {
    let mut c = world();
    let create = |c: &mut Cloud, extra: Json| {
        let mut p = json!({"Name": "trail1", "S3BucketName": "logs"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        call(c, "cloudtrail:CreateTrail", p)
    };
    assert_eq!(
        code(create(&mut c, json!({"SnsTopicName": "topic"}))),
        "InsufficientSnsTopicPolicyException"
    );
    assert_eq!(
        code(create(
            &mut c,
            json!({"CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:g:*",
                   "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/r"})
        )),
        "InvalidCloudWatchLogsLogGroupArnException"
    );
    assert_eq!(
        code(create(
            &mut c,
            json!({"CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/r"})
        )),
        "InvalidParameterCombinationException"
    );
    assert_eq!(
        code(create(&mut c, json!({"IsOrganizationTrail": true}))),
        "OrganizationsNotInUseException"
    );
    assert_eq!(
        code(create(&mut c, json!({"TagsList": [{"Value": "no key"}]}))),
        "InvalidTagParameterException"
    );
    assert!(c.world.cloudtrail.trails.is_empty(), "nothing was created");
    // Empty values (UpdateTrail's way of clearing) and a false organization flag pass.
    create(
        &mut c,
        json!({"SnsTopicName": "", "IsOrganizationTrail": false,
               "TagsList": [{"Key": "team", "Value": "sec"}]}),
    )
    .unwrap();
    assert_eq!(c.world.cloudtrail.trails["trail1"].tags["team"], "sec");
}

#[test]
fn describe_trails_by_name_or_arn_and_list_trails() {
    let mut c = world();
    for n in ["trail1", "trail2"] {
        call(
            &mut c,
            "cloudtrail:CreateTrail",
            json!({"Name": n, "S3BucketName": "logs"}),
        )
        .unwrap();
    }
    let names = |v: &Json| -> Vec<String> {
        v["trailList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["Name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = call(
        &mut c,
        "cloudtrail:DescribeTrails",
        json!({"includeShadowTrails": false}),
    )
    .unwrap();
    assert_eq!(names(&all), ["trail1", "trail2"]);
    let arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail2";
    let some = call(
        &mut c,
        "cloudtrail:DescribeTrails",
        json!({"trailNameList": [arn, "missing"]}),
    )
    .unwrap();
    assert_eq!(names(&some), ["trail2"]);
    let list = call(&mut c, "cloudtrail:ListTrails", json!({})).unwrap();
    assert_eq!(
        list["Trails"][1],
        json!({"TrailARN": arn, "Name": "trail2", "HomeRegion": "us-east-1"})
    );
}

#[test]
fn trail_status_says_when_logging_started_stopped_and_delivered() {
    let mut c = world();
    call(
        &mut c,
        "cloudtrail:CreateTrail",
        json!({"Name": "trail1", "S3BucketName": "logs"}),
    )
    .unwrap();
    let status =
        |c: &mut Cloud| call(c, "cloudtrail:GetTrailStatus", json!({"Name": "trail1"})).unwrap();
    let s = status(&mut c);
    assert_eq!(s["IsLogging"], false);
    assert_eq!(s["TimeLoggingStarted"], "");
    assert!(s.get("StartLoggingTime").is_none());
    call(&mut c, "cloudtrail:StartLogging", json!({"Name": "trail1"})).unwrap();
    c.deliver_trails();
    c.advance_clock(90_000);
    call(&mut c, "cloudtrail:StopLogging", json!({"Name": "trail1"})).unwrap();
    let s = status(&mut c);
    assert_eq!(s["StartLoggingTime"], "2026-01-01T00:00:00Z");
    assert_eq!(s["TimeLoggingStarted"], "2026-01-01T00:00:00Z");
    assert_eq!(s["LatestDeliveryTime"], "2026-01-01T00:00:00Z");
    assert_eq!(s["StopLoggingTime"], "2026-01-01T00:01:30Z");
    assert_eq!(s["IsLogging"], false);
}

#[test]
fn advanced_event_selectors_choose_what_a_trail_delivers() {
    let mut c = world();
    call(
        &mut c,
        "cloudtrail:CreateTrail",
        json!({"Name": "trail1", "S3BucketName": "logs"}),
    )
    .unwrap();
    // Both kinds at once, or an advanced selector without eventCategory: refused.
    assert_eq!(
        code(call(
            &mut c,
            "cloudtrail:PutEventSelectors",
            json!({"TrailName": "trail1", "EventSelectors": [], "AdvancedEventSelectors": []})
        )),
        "InvalidEventSelectorsException"
    );
    assert_eq!(
        code(call(
            &mut c,
            "cloudtrail:PutEventSelectors",
            json!({"TrailName": "trail1", "AdvancedEventSelectors": [
                {"FieldSelectors": [{"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}]}]})
        )),
        "InvalidEventSelectorsException"
    );
    let sel = json!([{"Name": "kms writes", "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Management"]},
        {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]},
        {"Field": "readOnly", "Equals": ["false"]}]}]);
    let put = call(
        &mut c,
        "cloudtrail:PutEventSelectors",
        json!({"TrailName": "trail1", "AdvancedEventSelectors": sel}),
    )
    .unwrap();
    assert_eq!(put["AdvancedEventSelectors"], sel);
    let got = call(
        &mut c,
        "cloudtrail:GetEventSelectors",
        json!({"TrailName": "trail1"}),
    )
    .unwrap();
    assert_eq!(got["AdvancedEventSelectors"], sel);
    assert!(got.get("EventSelectors").is_none());
    call(&mut c, "cloudtrail:StartLogging", json!({"Name": "trail1"})).unwrap();
    c.deliver_trails();
    call(&mut c, "kms:CreateKey", json!({})).unwrap();
    call(&mut c, "kms:ListKeys", json!({})).unwrap();
    call(&mut c, "s3:ListBuckets", json!({})).unwrap();
    let trail = c.world.cloudtrail.trails["trail1"].clone();
    let picked: Vec<String> = c
        .world
        .cloudtrail
        .events
        .iter()
        .map(crate::sim::world::TrailEvent::json)
        .filter(|e| super::selectors::selected(&trail, e))
        .map(|e| e["eventName"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(picked.contains(&"CreateKey".to_string()), "{picked:?}");
    assert!(
        !picked.iter().any(|n| n == "ListKeys" || n == "ListBuckets"),
        "{picked:?}"
    );
}

#[test]
fn lookup_events_of_the_insight_category_are_none() {
    let mut c = world();
    let all = call(&mut c, "cloudtrail:LookupEvents", json!({})).unwrap();
    assert!(!all["Events"].as_array().unwrap().is_empty());
    let insights = call(
        &mut c,
        "cloudtrail:LookupEvents",
        json!({"EventCategory": "insight"}),
    )
    .unwrap();
    assert_eq!(insights["Events"], json!([]));
}

#[test]
fn trail_names_follow_cloudtrail_rules() {
    assert!(super::validate_trail_name("lab-trail").is_ok());
    for bad in ["ab", "-x-trail", "a..b", "a_-b", "trail!", "10.0.0.1"] {
        assert!(super::validate_trail_name(bad).is_err(), "{bad}");
    }
}

#[test]
fn timestamps_use_the_world_clock() {
    assert_eq!(crate::sim::clock::iso8601(0), "1970-01-01T00:00:00Z");
}

#[test]
fn validating_trails_deliver_an_hourly_signed_digest_of_their_log_files_and_others_none() {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha2::{Digest, Sha256};
    let mut c = world();
    for (name, validate) in [("checked", true), ("plain", false)] {
        let p = json!({"Name": name, "S3BucketName": "logs", "S3KeyPrefix": name,
                       "EnableLogFileValidation": validate});
        call(&mut c, "cloudtrail:CreateTrail", p).unwrap();
        call(&mut c, "cloudtrail:StartLogging", json!({"Name": name})).unwrap();
    }
    call(&mut c, "kms:CreateKey", json!({})).unwrap();
    c.deliver_trails();
    let digests = |c: &Cloud| -> Vec<String> {
        c.world.s3.objects["logs"]
            .keys()
            .filter(|k| k.contains("CloudTrail-Digest"))
            .cloned()
            .collect()
    };
    assert!(
        digests(&c).is_empty(),
        "no digest before an hour has passed"
    );
    c.advance_clock(61 * 60 * 1000);
    c.deliver_trails();
    let found = digests(&c);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("checked/AWSLogs/123456789012/CloudTrail-Digest/us-east-1/"));
    let obj = c.world.s3.objects["logs"][&found[0]].clone();
    let sig = hex::decode(&obj.metadata["signature"]).unwrap();
    let got = c
        .call(
            &CallContext::lab_admin(),
            "s3:GetObject",
            &json!({"Bucket": "logs", "Key": found[0]}),
            None,
        )
        .unwrap()
        .body
        .unwrap();
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&got[..]), &mut inflated).unwrap();
    let digest: Json = serde_json::from_slice(&inflated).unwrap();
    assert_eq!(digest["previousDigestSignature"], Json::Null);
    let logs = digest["logFiles"].as_array().unwrap();
    assert!(!logs.is_empty());
    assert!(
        logs.iter()
            .all(|l| l["s3Object"].as_str().unwrap().starts_with("checked/"))
    );
    let keys = call(&mut c, "cloudtrail:ListPublicKeys", json!({})).unwrap();
    let key = &keys["PublicKeyList"][0];
    assert_eq!(key["Fingerprint"], digest["digestPublicKeyFingerprint"]);
    let der = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        key["Value"].as_str().unwrap(),
    )
    .unwrap();
    let public = rsa::PublicKey::from_pkcs1_der(&der).unwrap();
    let signed = format!(
        "{}\nlogs/{}\n{}\nnull",
        digest["digestEndTime"].as_str().unwrap(),
        found[0],
        hex::encode(Sha256::digest(&inflated))
    );
    public
        .verify(
            rsa::Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(signed.as_bytes()),
            &sig,
        )
        .expect("the digest's signature verifies with the listed public key");
    assert_eq!(
        code(call(
            &mut c,
            "cloudtrail:ListPublicKeys",
            json!({"StartTime": "2030-01-02T00:00:00Z", "EndTime": "2030-01-01T00:00:00Z"})
        )),
        "InvalidTimeRangeException"
    );
}
