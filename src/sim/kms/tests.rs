//! KMS operations end to end through `Cloud::call`: AWS's exact errors and their order.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::*;
use crate::sim::ids::IdGen;

fn cloud() -> Cloud {
    Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(7),
    )
    .unwrap()
}

fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call(&CallContext::lab_admin(), op, &p, None)
        .map(|r| r.fields)
}

fn code_and_message(r: Result<Json, SimError>) -> (String, String) {
    let e = r.unwrap_err();
    (e.code, e.message)
}

#[test]
fn alias_names_are_checked_in_awss_order_with_awss_errors() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let create = |c: &mut Cloud, name: &str| {
        code_and_message(call(
            c,
            "kms:CreateAlias",
            json!({"AliasName": name, "TargetKeyId": key}),
        ))
    };
    assert_eq!(
        create(&mut c, "alias/my-alias!"),
        (
            "ValidationException".into(),
            "1 validation error detected: Value 'alias/my-alias!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$".into()
        )
    );
    assert_eq!(
        create(&mut c, "wrongprefix/my-alias"),
        ("ValidationException".into(), "Invalid identifier".into())
    );
    assert_eq!(
        create(&mut c, "alias/my:alias"),
        (
            "ValidationException".into(),
            "alias/my:alias contains invalid characters for an alias".into()
        )
    );
    assert_eq!(create(&mut c, "alias/aws/s3").0, "NotAuthorizedException");
    let (code, _) = code_and_message(call(
        &mut c,
        "kms:DeleteAlias",
        json!({"AliasName": "wrongprefix/x"}),
    ));
    assert_eq!(code, "ValidationException");
    call(
        &mut c,
        "kms:CreateAlias",
        json!({"AliasName": "alias/ok_name-1/x", "TargetKeyId": key}),
    )
    .unwrap();
}

#[test]
fn unknown_key_specs_fail_model_validation_before_the_policy_is_read() {
    let mut c = cloud();
    let (code, msg) = code_and_message(call(
        &mut c,
        "kms:CreateKey",
        json!({"KeySpec": "NotSupportedKeySpec", "Policy": "my policy"}),
    ));
    assert_eq!(code, "ValidationException");
    assert!(
        msg.starts_with("1 validation error detected: Value 'NotSupportedKeySpec' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, "),
        "{msg}"
    );
    // A real spec keyform does not simulate is still UnsupportedOperationException.
    let (code, _) = code_and_message(call(
        &mut c,
        "kms:CreateKey",
        json!({"KeySpec": "SM2", "KeyUsage": "SIGN_VERIFY"}),
    ));
    assert_eq!(code, "UnsupportedOperationException");
    let (code, _) = code_and_message(call(&mut c, "kms:CreateKey", json!({"KeyUsage": "SIGN"})));
    assert_eq!(code, "ValidationException");
}

#[test]
fn encrypt_length_errors_are_awss_exact_messages() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
    let enc = |c: &mut Cloud, n: usize| {
        code_and_message(call(
            c,
            "kms:Encrypt",
            json!({"KeyId": key, "Plaintext": B64.encode(vec![b'x'; n])}),
        ))
        .1
    };
    assert_eq!(
        enc(&mut c, 0),
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    assert_eq!(
        enc(&mut c, 4097),
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
    );
}

#[test]
fn generate_random_list_key_policies_and_required_tag_members() {
    let mut c = cloud();
    let random = call(&mut c, "kms:GenerateRandom", json!({"NumberOfBytes": 24})).unwrap();
    assert_eq!(
        B64.decode(random["Plaintext"].as_str().unwrap())
            .unwrap()
            .len(),
        24
    );
    for bad in [
        json!({"NumberOfBytes": 1025}),
        json!({"NumberOfBytes": 0}),
        json!({}),
    ] {
        assert_eq!(
            code_and_message(call(&mut c, "kms:GenerateRandom", bad)).0,
            "ValidationException"
        );
    }
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
    let r = call(&mut c, "kms:ListKeyPolicies", json!({"KeyId": key})).unwrap();
    assert_eq!(r, json!({"PolicyNames": ["default"], "Truncated": false}));
    let e = call(&mut c, "kms:TagResource", json!({"KeyId": key})).unwrap_err();
    assert_eq!(e.message, "Missing required parameter in input: \"Tags\"");
    let e = call(&mut c, "kms:UntagResource", json!({"KeyId": key})).unwrap_err();
    assert_eq!(
        e.message,
        "Missing required parameter in input: \"TagKeys\""
    );
    // The call is in CloudTrail, the random bytes are not.
    let random = random["Plaintext"].as_str().unwrap().to_string();
    let ev = c
        .world
        .cloudtrail
        .events
        .iter()
        .map(crate::sim::world::TrailEvent::json)
        .find(|e| e["eventName"] == "GenerateRandom");
    assert!(
        ev.as_ref()
            .is_some_and(|e| !e.to_string().contains(&random)),
        "{ev:?}"
    );
}

#[test]
fn parameters_for_stores_and_enclaves_keyform_lacks_get_awss_answers() {
    let mut c = cloud();
    let code = |r: Result<Json, SimError>| r.unwrap_err().code;
    assert_eq!(
        code(call(
            &mut c,
            "kms:CreateKey",
            json!({"CustomKeyStoreId": "cks-1234567890abcdef0"})
        )),
        "CustomKeyStoreNotFoundException"
    );
    assert_eq!(
        code(call(&mut c, "kms:CreateKey", json!({"XksKeyId": "ext-1"}))),
        "ValidationException"
    );
    assert_eq!(
        code(call(
            &mut c,
            "kms:GenerateRandom",
            json!({"NumberOfBytes": 8, "CustomKeyStoreId": "cks-1"})
        )),
        "CustomKeyStoreNotFoundException"
    );
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let recipient =
        json!({"KeyEncryptionAlgorithm": "RSAES_OAEP_SHA_256", "AttestationDocument": "AAAA"});
    assert_eq!(
        code(call(
            &mut c,
            "kms:GenerateDataKey",
            json!({"KeyId": key, "KeySpec": "AES_256", "Recipient": recipient})
        )),
        "ValidationException"
    );
    let blob = call(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": key, "Plaintext": B64.encode(b"x")}),
    )
    .unwrap()["CiphertextBlob"]
        .clone();
    assert_eq!(
        code(call(
            &mut c,
            "kms:Decrypt",
            json!({"CiphertextBlob": blob, "Recipient": recipient})
        )),
        "ValidationException"
    );
    let re = call(
        &mut c,
        "kms:ReEncrypt",
        json!({"CiphertextBlob": blob, "DestinationKeyId": key,
               "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
    );
    assert!(re.is_ok(), "{re:?}");
    assert_eq!(
        code(call(
            &mut c,
            "kms:ReEncrypt",
            json!({"CiphertextBlob": blob, "DestinationKeyId": key,
               "DestinationEncryptionAlgorithm": "RSAES_OAEP_SHA_256"})
        )),
        "InvalidKeyUsageException"
    );
    // ALL_KEY_MATERIAL lists the first key material too, without a RotationDate.
    call(&mut c, "kms:RotateKeyOnDemand", json!({"KeyId": key})).unwrap();
    let only = call(
        &mut c,
        "kms:ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ROTATIONS_ONLY"}),
    )
    .unwrap();
    assert_eq!(only["Rotations"].as_array().unwrap().len(), 1);
    let all = call(
        &mut c,
        "kms:ListKeyRotations",
        json!({"KeyId": key, "IncludeKeyMaterial": "ALL_KEY_MATERIAL"}),
    )
    .unwrap();
    let rows = all["Rotations"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["KeyMaterialState"], "NON_CURRENT");
    assert!(rows[0].get("RotationDate").is_none());
    assert_eq!(rows[1]["KeyMaterialState"], "CURRENT");
}

#[test]
fn list_aliases_pages_with_limit_and_marker_as_aws_does() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    for n in ["alias/a", "alias/b", "alias/c"] {
        call(
            &mut c,
            "kms:CreateAlias",
            json!({"AliasName": n, "TargetKeyId": key}),
        )
        .unwrap();
    }
    let names = |page: &Json| -> Vec<String> {
        page["Aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["AliasName"].as_str().unwrap().to_string())
            .collect()
    };
    let p1 = call(&mut c, "kms:ListAliases", json!({"Limit": 2})).unwrap();
    assert_eq!(names(&p1), ["alias/a", "alias/b"]);
    assert_eq!(p1["Truncated"], true);
    let p2 = call(
        &mut c,
        "kms:ListAliases",
        json!({"Limit": 2, "Marker": p1["NextMarker"]}),
    )
    .unwrap();
    assert_eq!(names(&p2), ["alias/c"]);
    assert_eq!(p2["Truncated"], false);
    assert!(p2.get("NextMarker").is_none());
    // Filtered by key, paging still walks the same order.
    let by_key = call(
        &mut c,
        "kms:ListAliases",
        json!({"KeyId": key, "Limit": 1, "Marker": p1["NextMarker"]}),
    )
    .unwrap();
    assert_eq!(names(&by_key), ["alias/c"]);
    assert_eq!(
        code_and_message(call(&mut c, "kms:ListAliases", json!({"Marker": "nope"}))).0,
        "InvalidMarkerException"
    );
    assert_eq!(
        code_and_message(call(&mut c, "kms:ListAliases", json!({"Limit": 0}))).0,
        "ValidationException"
    );
}

#[test]
fn list_resource_tags_pages_with_limit_and_marker_as_aws() {
    let mut c = cloud();
    let tags: Vec<Json> = (0..5)
        .map(|i| json!({"TagKey": format!("k{i}"), "TagValue": format!("v{i}")}))
        .collect();
    let key = call(&mut c, "kms:CreateKey", json!({"Tags": tags})).unwrap()["KeyMetadata"]["KeyId"]
        .clone();
    let all = call(&mut c, "kms:ListResourceTags", json!({"KeyId": key})).unwrap();
    assert_eq!(all["Tags"].as_array().unwrap().len(), 5);
    assert_eq!(all["Truncated"], false);
    assert!(all.get("NextMarker").is_none());
    let mut seen = Vec::new();
    let mut marker: Option<Json> = None;
    loop {
        let mut p = json!({"KeyId": key, "Limit": 2});
        if let Some(m) = &marker {
            p["Marker"] = m.clone();
        }
        let page = call(&mut c, "kms:ListResourceTags", p).unwrap();
        let items = page["Tags"].as_array().unwrap();
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|t| t["TagKey"].clone()));
        if page["Truncated"] == false {
            assert!(page.get("NextMarker").is_none());
            break;
        }
        marker = Some(page["NextMarker"].clone());
    }
    assert_eq!(
        seen,
        (0..5).map(|i| json!(format!("k{i}"))).collect::<Vec<_>>()
    );
    for (p, code) in [
        (json!({"KeyId": key, "Limit": 0}), "ValidationException"),
        (json!({"KeyId": key, "Limit": 51}), "ValidationException"),
        (
            json!({"KeyId": key, "Marker": "not-a-marker"}),
            "InvalidMarkerException",
        ),
    ] {
        assert_eq!(
            code_and_message(call(&mut c, "kms:ListResourceTags", p)).0,
            code
        );
    }
}
