//! CloudTrail through the binary: the records of a user's GetObject (S3's KMS Decrypt on the
//! user's behalf), denied calls, and log files a trail delivers into its bucket.

use std::io::Read;

use serde_json::Value as Json;

use crate::sim_common::*;

const TRAIL: &str = include_str!("fixtures/sim/trail/main.tf");
const DATA: &str = "trail-demo-data";
const LOGS: &str = "trail-demo-logs";

/// The trail fixture after soc-analyst uploaded and read `doc.txt` and outsider tried to.
fn story() -> crate::support::Test {
    let t = applied(TRAIL);
    t.write("doc.txt", "quarterly numbers\n");
    sim(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            DATA,
            "--key",
            "doc.txt",
            "--body",
            "doc.txt",
            "--as",
            "soc-analyst",
        ],
    )
    .success();
    sim(
        &t,
        &[
            "s3api",
            "get-object",
            "--bucket",
            DATA,
            "--key",
            "doc.txt",
            "out.txt",
            "--as",
            "soc-analyst",
        ],
    )
    .success();
    sim_fails(
        &t,
        &[
            "s3api",
            "get-object",
            "--bucket",
            DATA,
            "--key",
            "doc.txt",
            "out2.txt",
            "--as",
            "outsider",
        ],
        "AccessDenied",
    );
    t
}

#[test]
fn a_users_get_object_is_recorded_with_the_kms_decrypt_s3_made_on_its_behalf() {
    let t = story();
    let key_arn = output(&t, "key_arn");
    let now = t.run(&["sim", "clock"]).success().stdout.trim().to_string();
    let object_arn = format!("arn:aws:s3:::{DATA}/doc.txt");
    let decrypts = lookup(&t, &["--event-name", "Decrypt"]);
    assert_eq!(decrypts.len(), 2, "{decrypts:?}");
    // Newest first: the outsider's denied attempt, then the analyst's read.
    let (denied, allowed) = (&decrypts[0], &decrypts[1]);
    for (e, user) in [(allowed, "soc-analyst"), (denied, "outsider")] {
        assert_eq!(s(e, "/eventSource"), "kms.amazonaws.com");
        assert_eq!(s(e, "/eventName"), "Decrypt");
        // A working directory's clock follows the wall clock: each event happened at or
        // before the time `sim clock` reads afterwards.
        let at = |t: &str| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                .expect("an RFC 3339 time")
        };
        assert!(at(s(e, "/eventTime")) <= at(&now), "{e:?} after {now}");
        assert_eq!(s(e, "/userIdentity/type"), "IAMUser");
        assert_eq!(s(e, "/userIdentity/userName"), user);
        assert_eq!(
            s(e, "/userIdentity/arn"),
            format!("arn:aws:iam::123456789012:user/{user}")
        );
        assert_eq!(s(e, "/userIdentity/invokedBy"), "s3.amazonaws.com");
        assert_eq!(s(e, "/sourceIPAddress"), "s3.amazonaws.com");
        assert_eq!(
            s(e, "/requestParameters/encryptionContext/aws:s3:arn"),
            object_arn
        );
        assert_eq!(
            s(e, "/requestParameters/encryptionAlgorithm"),
            "SYMMETRIC_DEFAULT"
        );
        assert_eq!(e["resources"][0]["ARN"], key_arn.as_str());
        assert_eq!(s(e, "/resources/0/type"), "AWS::KMS::Key");
        assert_eq!(e["readOnly"], true);
        assert_eq!(e["managementEvent"], true);
        // Neither plaintext nor ciphertext is ever logged.
        let text = e.to_string();
        assert!(!text.contains("quarterly"), "{text}");
        assert!(
            e["requestParameters"].get("ciphertextBlob").is_none(),
            "{text}"
        );
    }
    assert!(allowed.get("errorCode").is_none(), "{allowed}");
    assert_eq!(s(denied, "/errorCode"), "AccessDenied");
    assert_eq!(
        s(denied, "/errorMessage"),
        format!(
            "User: arn:aws:iam::123456789012:user/outsider is not authorized to perform: kms:Decrypt on resource: {key_arn} because no identity-based policy allows the kms:Decrypt action"
        )
    );
    let gdk = lookup(&t, &["--event-name", "GenerateDataKey"]);
    assert_eq!(gdk.len(), 1, "{gdk:?}");
    assert_eq!(s(&gdk[0], "/userIdentity/userName"), "soc-analyst");
    assert_eq!(s(&gdk[0], "/requestParameters/keySpec"), "AES_256");
    assert_eq!(
        s(&gdk[0], "/requestParameters/encryptionContext/aws:s3:arn"),
        object_arn
    );
    // Lookup by user finds the analyst's KMS calls; object-level S3 calls are data events,
    // which LookupEvents never returns.
    let by_user = lookup(&t, &["--user", "soc-analyst"]);
    let names: Vec<&str> = by_user.iter().map(|e| s(e, "/eventName")).collect();
    assert_eq!(names, ["Decrypt", "GenerateDataKey"]);
    // The readable table says the same.
    sim(
        &t,
        &["cloudtrail", "lookup-events", "--event-name", "Decrypt"],
    )
    .success()
    .stdout_has("Decrypt via s3.amazonaws.com")
    .stdout_has("outsider")
    .stdout_has("AccessDenied");
}

fn gunzip(bytes: &[u8]) -> Json {
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("a gzip log file");
    serde_json::from_str(&text).expect("a JSON log file")
}

#[test]
fn the_trail_delivers_gzipped_json_log_files_into_its_bucket() {
    let t = story();
    let now = t.run(&["sim", "clock"]).success().stdout.trim().to_string();
    let (date, time) = now.split_once('T').unwrap();
    let day = date.replace('-', "/");
    let stamp = format!("{}T{}Z", date.replace('-', ""), &time[..5].replace(':', ""));
    let prefix = format!("AWSLogs/123456789012/CloudTrail/us-east-1/{day}/");
    let list = sim_json(
        &t,
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            LOGS,
            "--prefix",
            &prefix,
        ],
    );
    let keys: Vec<String> = list["Contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| s(o, "/Key").to_string())
        .collect();
    assert!(!keys.is_empty(), "{list}");
    let mut records = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let name = key.strip_prefix(&prefix).unwrap();
        // Named for the minute of delivery: at or before the time `sim clock` read after it
        // (a working directory's clock follows the wall clock).
        let (file_stamp, suffix) = name
            .strip_prefix("123456789012_CloudTrail_us-east-1_")
            .and_then(|r| r.strip_suffix(".json.gz"))
            .and_then(|r| r.split_once('_'))
            .unwrap_or_else(|| panic!("{name} is not named like a CloudTrail log file"));
        assert_eq!(file_stamp.len(), stamp.len(), "{name}");
        assert!(
            file_stamp <= stamp.as_str() && file_stamp.ends_with('Z'),
            "{name} vs {stamp}"
        );
        assert_eq!(suffix.len(), 16, "{name}");
        let out = format!("log{i}.json.gz");
        let got = sim_json(
            &t,
            &["s3api", "get-object", "--bucket", LOGS, "--key", key, &out],
        );
        // Encrypted at rest by the log bucket's default encryption (SSE-S3 here).
        assert_eq!(s(&got, "/ServerSideEncryption"), "AES256");
        let log = gunzip(&std::fs::read(t.path().join(&out)).unwrap());
        records.extend(log["Records"].as_array().expect("Records").iter().cloned());
    }
    let find = |name: &str, user: &str| {
        records
            .iter()
            .filter(|r| s(r, "/eventName") == name && s(r, "/userIdentity/userName") == user)
            .cloned()
            .collect::<Vec<Json>>()
    };
    // Management events: S3's Decrypt on the analyst's behalf...
    let dec = find("Decrypt", "soc-analyst");
    assert_eq!(dec.len(), 1, "{records:?}");
    assert_eq!(s(&dec[0], "/userIdentity/invokedBy"), "s3.amazonaws.com");
    // ...and data events, since the trail's selector asks for the data bucket's objects.
    let gets = find("GetObject", "soc-analyst");
    assert_eq!(gets.len(), 1, "{records:?}");
    assert_eq!(s(&gets[0], "/eventSource"), "s3.amazonaws.com");
    assert_eq!(s(&gets[0], "/eventCategory"), "Data");
    let denied = find("GetObject", "outsider");
    assert_eq!(denied.len(), 1, "{records:?}");
    assert_eq!(s(&denied[0], "/errorCode"), "AccessDenied");
    assert!(
        s(&denied[0], "/errorMessage").contains("kms:Decrypt"),
        "{}",
        denied[0]
    );
    // A delivery never delivers the events of the deliveries themselves.
    assert!(
        !records.iter().any(
            |r| s(r, "/userIdentity/invokedBy") == "cloudtrail.amazonaws.com"
                || s(r, "/userIdentity/type") == "AWSService" && s(r, "/eventName") == "PutObject"
        ),
        "{records:?}"
    );
}
