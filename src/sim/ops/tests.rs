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
        .call(
            &CallContext::lab_admin(),
            "kms:Encrypt",
            &serde_json::json!({"KeyId": "k"}),
            None,
        )
        .unwrap_err();
    assert_eq!(
        e.message,
        "Missing required parameter in input: \"Plaintext\""
    );
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
        .call_json(
            &ctx,
            "clock:Advance",
            &serde_json::json!({"Duration": "1d"}),
        )
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

/// A world in which every operation of the table can succeed: two keys (one behind
/// `alias/one`), a key CloudTrail may use, a key pending deletion, a bucket with an SSE-KMS
/// object under a bucket default, an empty bucket, a log bucket CloudTrail may write to, a trail,
/// a user with an access key, a managed policy with two versions, and an open multipart upload.
struct Fixture {
    cloud: Cloud,
    k1: String,
    k2: String,
    k3: String,
    pending: String,
    blob: String,
    upload: String,
    part_etag: String,
    access_key: String,
    policy_arn: String,
    /// A managed policy with its one version.
    single_arn: String,
    /// An ECC_NIST_P256 signing key, a signature it made over "hi", an HMAC_256 key and a MAC
    /// it made over "hi".
    sign_key: String,
    signature: String,
    mac_key: String,
    mac: String,
    /// A grant on k1 for user u1, which u1 may retire, and its token.
    grant_id: String,
    grant_token: String,
    /// A key of origin EXTERNAL with material imported, and the token and wrapped material
    /// that imported it.
    external: String,
    import_token: String,
    wrapped_material: String,
}

fn fixture() -> Fixture {
    use serde_json::json;
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        0,
        crate::sim::ids::IdGen::seeded(7),
    )
    .unwrap();
    let ctx = CallContext::lab_admin();
    let call = |c: &mut Cloud, op: &str, p: Json| -> Json {
        c.call_json(&ctx, op, &p)
            .unwrap_or_else(|e| panic!("fixture {op}: {} {}", e.code, e.message))
    };
    let key = |c: &mut Cloud, p: Json| -> String {
        call(c, "kms:CreateKey", p)["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let k1 = key(&mut c, json!({}));
    let k2 = key(&mut c, json!({}));
    let trail_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "kms:GenerateDataKey*", "Resource": "*"}]});
    let k3 = key(&mut c, json!({"Policy": trail_policy.to_string()}));
    let pending = key(&mut c, json!({}));
    let call = |c: &mut Cloud, op: &str, p: Json| -> Json {
        c.call_json(&ctx, op, &p)
            .unwrap_or_else(|e| panic!("fixture {op}: {} {}", e.code, e.message))
    };
    call(
        &mut c,
        "kms:ScheduleKeyDeletion",
        json!({"KeyId": pending, "PendingWindowInDays": 7}),
    );
    call(
        &mut c,
        "kms:CreateAlias",
        json!({"AliasName": "alias/one", "TargetKeyId": k1}),
    );
    let blob = call(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": k1, "Plaintext": "aGk=", "EncryptionContext": {"a": "b"}}),
    )["CiphertextBlob"]
        .as_str()
        .unwrap()
        .to_string();
    for b in ["bkt", "empty", "logs"] {
        call(&mut c, "s3:CreateBucket", json!({"Bucket": b}));
    }
    call(
        &mut c,
        "s3:PutBucketEncryption",
        json!({"Bucket": "bkt", "ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k1}}]}}),
    );
    call(
        &mut c,
        "s3:PutPublicAccessBlock",
        json!({"Bucket": "bkt", "PublicAccessBlockConfiguration": {"BlockPublicAcls": true}}),
    );
    c.call(
        &ctx,
        "s3:PutObject",
        &json!({"Bucket": "bkt", "Key": "o"}),
        Some(b"x"),
    )
    .unwrap();
    let logs_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::logs"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"}]});
    call(
        &mut c,
        "s3:PutBucketPolicy",
        json!({"Bucket": "logs", "Policy": logs_policy.to_string()}),
    );
    call(
        &mut c,
        "cloudtrail:CreateTrail",
        json!({"Name": "trail", "S3BucketName": "logs"}),
    );
    let upload = call(
        &mut c,
        "s3:CreateMultipartUpload",
        json!({"Bucket": "bkt", "Key": "m", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": k1}),
    )["UploadId"]
        .as_str()
        .unwrap()
        .to_string();
    let part_etag = c
        .call(
            &ctx,
            "s3:UploadPart",
            &json!({"Bucket": "bkt", "Key": "m", "UploadId": upload, "PartNumber": 1}),
            Some(b"part"),
        )
        .unwrap()
        .fields["ETag"]
        .as_str()
        .unwrap()
        .to_string();
    let call = |c: &mut Cloud, op: &str, p: Json| -> Json {
        c.call_json(&ctx, op, &p)
            .unwrap_or_else(|e| panic!("fixture {op}: {} {}", e.code, e.message))
    };
    call(&mut c, "iam:CreateUser", json!({"UserName": "u1"}));
    call(&mut c, "iam:CreateUser", json!({"UserName": "bare"}));
    let access_key =
        call(&mut c, "iam:CreateAccessKey", json!({"UserName": "u1"}))["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_string();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        .to_string();
    call(
        &mut c,
        "iam:PutUserPolicy",
        json!({"UserName": "u1", "PolicyName": "inline", "PolicyDocument": doc}),
    );
    let policy_arn = call(
        &mut c,
        "iam:CreatePolicy",
        json!({"PolicyName": "p", "PolicyDocument": doc}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    let single_arn = call(
        &mut c,
        "iam:CreatePolicy",
        json!({"PolicyName": "single", "PolicyDocument": doc}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &mut c,
        "iam:CreatePolicyVersion",
        json!({"PolicyArn": policy_arn, "PolicyDocument": doc, "SetAsDefault": true}),
    );
    call(
        &mut c,
        "iam:AttachUserPolicy",
        json!({"UserName": "u1", "PolicyArn": policy_arn}),
    );
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
    .to_string();
    for r in ["r1", "bare-role"] {
        call(
            &mut c,
            "iam:CreateRole",
            json!({"RoleName": r, "AssumeRolePolicyDocument": trust}),
        );
    }
    call(
        &mut c,
        "iam:PutRolePolicy",
        json!({"RoleName": "r1", "PolicyName": "inline", "PolicyDocument": doc}),
    );
    call(
        &mut c,
        "iam:AttachRolePolicy",
        json!({"RoleName": "r1", "PolicyArn": policy_arn}),
    );
    for g in ["g1", "bare-group"] {
        call(&mut c, "iam:CreateGroup", json!({"GroupName": g}));
    }
    call(
        &mut c,
        "iam:AddUserToGroup",
        json!({"GroupName": "g1", "UserName": "u1"}),
    );
    call(
        &mut c,
        "iam:PutGroupPolicy",
        json!({"GroupName": "g1", "PolicyName": "inline", "PolicyDocument": doc}),
    );
    call(
        &mut c,
        "iam:AttachGroupPolicy",
        json!({"GroupName": "g1", "PolicyArn": policy_arn}),
    );
    call(
        &mut c,
        "iam:CreateLoginProfile",
        json!({"UserName": "u1", "Password": "Fixture-passw0rd"}),
    );
    let sign_key = key(
        &mut c,
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    );
    let signature = call(
        &mut c,
        "kms:Sign",
        json!({"KeyId": sign_key, "Message": "aGk=", "SigningAlgorithm": "ECDSA_SHA_256"}),
    )["Signature"]
        .as_str()
        .unwrap()
        .to_string();
    let mac_key = key(
        &mut c,
        json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"}),
    );
    let mac = call(
        &mut c,
        "kms:GenerateMac",
        json!({"KeyId": mac_key, "Message": "aGk=", "MacAlgorithm": "HMAC_SHA_256"}),
    )["Mac"]
        .as_str()
        .unwrap()
        .to_string();
    let grant = call(
        &mut c,
        "kms:CreateGrant",
        json!({"KeyId": k1, "GranteePrincipal": "arn:aws:iam::123456789012:user/u1",
               "RetiringPrincipal": "arn:aws:iam::123456789012:user/u1",
               "Operations": ["Decrypt"]}),
    );
    let grant_id = grant["GrantId"].as_str().unwrap().to_string();
    let grant_token = grant["GrantToken"].as_str().unwrap().to_string();
    let external = key(&mut c, json!({"Origin": "EXTERNAL"}));
    let params = call(
        &mut c,
        "kms:GetParametersForImport",
        json!({"KeyId": external, "WrappingAlgorithm": "RSAES_OAEP_SHA_1",
               "WrappingKeySpec": "RSA_2048"}),
    );
    let import_token = params["ImportToken"].as_str().unwrap().to_string();
    let public = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        params["PublicKey"].as_str().unwrap(),
    )
    .unwrap();
    let wrapped_material = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        crate::sim::kms::wrap_for_tests(&public, &[3u8; 32]),
    );
    call(
        &mut c,
        "kms:ImportKeyMaterial",
        json!({"KeyId": external, "ImportToken": import_token,
               "EncryptedKeyMaterial": wrapped_material,
               "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
    );
    Fixture {
        external,
        import_token,
        wrapped_material,
        grant_id,
        grant_token,
        sign_key,
        signature,
        mac_key,
        mac,
        cloud: c,
        k1,
        k2,
        k3,
        pending,
        blob,
        upload,
        part_etag,
        access_key,
        policy_arn,
        single_arn,
    }
}

/// The request (and body) that makes operation `op` perform every check its row declares.
fn scenario(op: &str, f: &Fixture) -> Option<(Json, Option<&'static [u8]>)> {
    use serde_json::json;
    let (k1, k2, k3) = (&f.k1, &f.k2, &f.k3);
    let ctx = json!({"a": "b"});
    let root_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}]})
    .to_string();
    let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
        .to_string();
    let trust_doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:user/u1"}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let p = match op {
        "kms:CreateKey" => json!({"Description": "d"}),
        "kms:DescribeKey" => json!({"KeyId": "alias/one"}),
        "kms:ListKeys" | "kms:ListAliases" => json!({}),
        "kms:CreateAlias" => json!({"AliasName": "alias/new", "TargetKeyId": k2}),
        "kms:UpdateAlias" => json!({"AliasName": "alias/one", "TargetKeyId": k2}),
        "kms:DeleteAlias" => json!({"AliasName": "alias/one"}),
        "kms:ScheduleKeyDeletion" => json!({"KeyId": k2, "PendingWindowInDays": 7}),
        "kms:CancelKeyDeletion" => json!({"KeyId": f.pending}),
        "kms:EnableKeyRotation" => json!({"KeyId": k1, "RotationPeriodInDays": 90}),
        "kms:EnableKey"
        | "kms:DisableKey"
        | "kms:DisableKeyRotation"
        | "kms:GetKeyRotationStatus"
        | "kms:RotateKeyOnDemand"
        | "kms:ListKeyRotations"
        | "kms:ListKeyPolicies"
        | "kms:ListResourceTags" => json!({"KeyId": k1}),
        "kms:GetKeyPolicy" => json!({"KeyId": k1, "PolicyName": "default"}),
        "kms:GenerateRandom" => json!({"NumberOfBytes": 16}),
        "kms:PutKeyPolicy" => json!({"KeyId": k2, "Policy": root_policy}),
        "kms:UpdateKeyDescription" => json!({"KeyId": k1, "Description": "x"}),
        "kms:TagResource" => json!({"KeyId": k1, "Tags": [{"TagKey": "a", "TagValue": "b"}]}),
        "kms:UntagResource" => json!({"KeyId": k1, "TagKeys": ["a"]}),
        "kms:Encrypt" => {
            json!({"KeyId": "alias/one", "Plaintext": "aGk=", "EncryptionContext": ctx})
        }
        "kms:Decrypt" => json!({"CiphertextBlob": f.blob, "EncryptionContext": ctx}),
        "kms:ReEncrypt" => json!({"CiphertextBlob": f.blob, "SourceEncryptionContext": ctx,
                                  "DestinationKeyId": k2, "DestinationEncryptionContext": ctx}),
        "kms:GenerateDataKey" | "kms:GenerateDataKeyWithoutPlaintext" => {
            json!({"KeyId": k1, "KeySpec": "AES_256", "EncryptionContext": ctx})
        }
        "kms:Sign" => json!({"KeyId": f.sign_key, "Message": "aGk=",
                             "SigningAlgorithm": "ECDSA_SHA_256"}),
        "kms:Verify" => json!({"KeyId": f.sign_key, "Message": "aGk=", "Signature": f.signature,
                               "SigningAlgorithm": "ECDSA_SHA_256"}),
        "kms:GetPublicKey" => json!({"KeyId": f.sign_key}),
        "kms:GenerateMac" => json!({"KeyId": f.mac_key, "Message": "aGk=",
                                    "MacAlgorithm": "HMAC_SHA_256"}),
        "kms:VerifyMac" => json!({"KeyId": f.mac_key, "Message": "aGk=", "Mac": f.mac,
                                  "MacAlgorithm": "HMAC_SHA_256"}),
        "kms:CreateGrant" => json!({"KeyId": k1, "Name": "g",
            "GranteePrincipal": "arn:aws:iam::123456789012:role/r1",
            "RetiringPrincipal": "arn:aws:iam::123456789012:user/u1",
            "Operations": ["Encrypt", "Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"a": "b"}}}),
        "kms:ListGrants" => json!({"KeyId": k1, "Limit": 10}),
        "kms:ListRetirableGrants" => {
            json!({"RetiringPrincipal": "arn:aws:iam::123456789012:user/u1"})
        }
        "kms:RetireGrant" => json!({"GrantToken": f.grant_token}),
        "kms:RevokeGrant" => json!({"KeyId": k1, "GrantId": f.grant_id}),
        "kms:GetParametersForImport" => json!({"KeyId": f.external,
            "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
        "kms:ImportKeyMaterial" => json!({"KeyId": f.external, "ImportToken": f.import_token,
            "EncryptedKeyMaterial": f.wrapped_material, "ValidTo": "1970-01-05T00:00:00Z"}),
        "kms:DeleteImportedKeyMaterial" => json!({"KeyId": f.external}),
        "s3:CreateBucket" => json!({"Bucket": "new-bucket"}),
        "s3:DeleteBucket" => json!({"Bucket": "empty"}),
        "s3:ListBuckets" => json!({}),
        "s3:HeadBucket"
        | "s3:GetBucketLocation"
        | "s3:GetBucketEncryption"
        | "s3:DeleteBucketEncryption"
        | "s3:GetPublicAccessBlock"
        | "s3:DeletePublicAccessBlock" => json!({"Bucket": "bkt"}),
        "s3:GetBucketPolicy" | "s3:DeleteBucketPolicy" => json!({"Bucket": "logs"}),
        "s3:PutBucketEncryption" => json!({"Bucket": "bkt", "ServerSideEncryptionConfiguration":
            {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}}),
        "s3:PutPublicAccessBlock" => json!({"Bucket": "bkt",
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true}}),
        "s3:PutBucketPolicy" => json!({"Bucket": "bkt", "Policy": json!({"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                           "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bkt/*"}]}).to_string()}),
        "s3:PutBucketVersioning" => {
            json!({"Bucket": "bkt", "VersioningConfiguration": {"Status": "Enabled"}})
        }
        "s3:GetBucketVersioning" => json!({"Bucket": "bkt"}),
        "s3:ListObjectVersions" => {
            json!({"Bucket": "bkt", "Prefix": "o", "Delimiter": "/", "MaxKeys": 10})
        }
        "s3:ListObjectsV2" => {
            json!({"Bucket": "bkt", "Prefix": "o", "Delimiter": "/", "MaxKeys": 10})
        }
        "s3:PutObject" => {
            let p = json!({"Bucket": "bkt", "Key": "n", "ServerSideEncryption": "aws:kms",
                           "SSEKMSKeyId": "alias/one", "IfNoneMatch": "*"});
            return Some((p, Some(b"body")));
        }
        "s3:GetObject" | "s3:HeadObject" | "s3:DeleteObject" => {
            json!({"Bucket": "bkt", "Key": "o"})
        }
        "s3:DeleteObjects" => json!({"Bucket": "bkt", "Delete": {"Objects": [{"Key": "o"}]}}),
        "s3:CreateMultipartUpload" => json!({"Bucket": "bkt", "Key": "m2",
            "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": k1}),
        "s3:UploadPart" => {
            let p = json!({"Bucket": "bkt", "Key": "m", "UploadId": f.upload, "PartNumber": 2});
            return Some((p, Some(b"part")));
        }
        "s3:CompleteMultipartUpload" => json!({"Bucket": "bkt", "Key": "m", "UploadId": f.upload,
            "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": f.part_etag}]},
            "IfNoneMatch": "*"}),
        "s3:AbortMultipartUpload" => json!({"Bucket": "bkt", "Key": "m", "UploadId": f.upload}),
        "sts:GetCallerIdentity"
        | "iam:ListUsers"
        | "cloudtrail:DescribeTrails"
        | "cloudtrail:ListTrails" => json!({}),
        "iam:CreateUser" => json!({"UserName": "u2"}),
        "iam:GetUser"
        | "iam:UpdateUser"
        | "iam:ListUserPolicies"
        | "iam:ListAttachedUserPolicies"
        | "iam:CreateAccessKey"
        | "iam:ListAccessKeys" => {
            json!({"UserName": "u1"})
        }
        "iam:DeleteUser" => json!({"UserName": "bare"}),
        "iam:PutUserPolicy" => json!({"UserName": "u1", "PolicyName": "p2", "PolicyDocument": doc}),
        "iam:GetUserPolicy" | "iam:DeleteUserPolicy" => {
            json!({"UserName": "u1", "PolicyName": "inline"})
        }
        "iam:CreatePolicy" => json!({"PolicyName": "p2", "PolicyDocument": doc}),
        "iam:DeletePolicy" => json!({"PolicyArn": f.single_arn}),
        "iam:GetPolicy" | "iam:ListPolicyVersions" | "iam:ListEntitiesForPolicy" => {
            json!({"PolicyArn": f.policy_arn})
        }
        "iam:ListPolicies" => json!({"Scope": "All", "OnlyAttached": true}),
        "iam:GetPolicyVersion" => json!({"PolicyArn": f.policy_arn, "VersionId": "v2"}),
        "iam:DeletePolicyVersion" => json!({"PolicyArn": f.policy_arn, "VersionId": "v1"}),
        "iam:CreatePolicyVersion" => json!({"PolicyArn": f.policy_arn, "PolicyDocument": doc}),
        "iam:AttachUserPolicy" | "iam:DetachUserPolicy" => {
            json!({"UserName": "u1", "PolicyArn": f.policy_arn})
        }
        "iam:DeleteAccessKey" => json!({"UserName": "u1", "AccessKeyId": f.access_key}),
        "iam:UpdateAccessKey" => {
            json!({"UserName": "u1", "AccessKeyId": f.access_key, "Status": "Inactive"})
        }
        "sts:AssumeRole" => json!({"RoleArn": "arn:aws:iam::123456789012:role/r1",
            "RoleSessionName": "s1", "ExternalId": "x",
            "Tags": [{"Key": "project", "Value": "alpha"}], "TransitiveTagKeys": ["project"]}),
        "iam:CreateRole" => json!({"RoleName": "r2", "AssumeRolePolicyDocument": trust_doc}),
        "iam:ListRoles" | "iam:ListGroups" => json!({}),
        "iam:GetRole"
        | "iam:UpdateRole"
        | "iam:ListRolePolicies"
        | "iam:ListAttachedRolePolicies" => json!({"RoleName": "r1"}),
        "iam:UpdateAssumeRolePolicy" => json!({"RoleName": "r1", "PolicyDocument": trust_doc}),
        "iam:DeleteRole" => json!({"RoleName": "bare-role"}),
        "iam:PutRolePolicy" => json!({"RoleName": "r1", "PolicyName": "p2", "PolicyDocument": doc}),
        "iam:GetRolePolicy" | "iam:DeleteRolePolicy" => {
            json!({"RoleName": "r1", "PolicyName": "inline"})
        }
        "iam:AttachRolePolicy" | "iam:DetachRolePolicy" => {
            json!({"RoleName": "r1", "PolicyArn": f.policy_arn})
        }
        "iam:CreateGroup" => json!({"GroupName": "g2"}),
        "iam:GetGroup" | "iam:ListGroupPolicies" | "iam:ListAttachedGroupPolicies" => {
            json!({"GroupName": "g1"})
        }
        "iam:DeleteGroup" => json!({"GroupName": "bare-group"}),
        "iam:AddUserToGroup" | "iam:RemoveUserFromGroup" => {
            json!({"GroupName": "g1", "UserName": "u1"})
        }
        "iam:ListGroupsForUser" => json!({"UserName": "u1"}),
        "iam:PutGroupPolicy" => {
            json!({"GroupName": "g1", "PolicyName": "p2", "PolicyDocument": doc})
        }
        "iam:GetGroupPolicy" | "iam:DeleteGroupPolicy" => {
            json!({"GroupName": "g1", "PolicyName": "inline"})
        }
        "iam:AttachGroupPolicy" | "iam:DetachGroupPolicy" => {
            json!({"GroupName": "g1", "PolicyArn": f.policy_arn})
        }
        "iam:CreateLoginProfile" => {
            json!({"UserName": "bare", "Password": "An0ther-passw0rd", "PasswordResetRequired": true})
        }
        "iam:GetLoginProfile" | "iam:DeleteLoginProfile" => json!({"UserName": "u1"}),
        "iam:UpdateLoginProfile" => json!({"UserName": "u1", "Password": "New-passw0rd"}),
        "cloudtrail:CreateTrail" => {
            json!({"Name": "trail2", "S3BucketName": "logs", "KmsKeyId": k3})
        }
        "cloudtrail:UpdateTrail" => {
            json!({"Name": "trail", "S3BucketName": "logs", "KmsKeyId": k3})
        }
        "cloudtrail:DeleteTrail"
        | "cloudtrail:GetTrail"
        | "cloudtrail:GetTrailStatus"
        | "cloudtrail:StartLogging"
        | "cloudtrail:StopLogging" => json!({"Name": "trail"}),
        "cloudtrail:PutEventSelectors" => json!({"TrailName": "trail", "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": true}]}),
        "cloudtrail:GetEventSelectors" => json!({"TrailName": "trail"}),
        "cloudtrail:LookupEvents" => json!({}),
        "clock:Get" => json!({}),
        "clock:Advance" => json!({"Duration": "1s"}),
        _ => return None,
    };
    Some((p, None))
}

/// Further requests of an operation whose row declares alternatives (naming a version makes
/// GetObject s3:GetObjectVersion): each runs on a fresh fixture, and together with the
/// primary scenario they must evaluate every check of the row.
fn more_scenarios(op: &str) -> Vec<(Json, Option<&'static [u8]>)> {
    use serde_json::json;
    let versioned = json!({"Bucket": "bkt", "Key": "o", "VersionId": "null"});
    match op {
        "s3:GetObject" | "s3:HeadObject" | "s3:DeleteObject" => vec![(versioned, None)],
        "s3:DeleteObjects" => vec![(
            json!({"Bucket": "bkt", "Delete": {"Objects": [{"Key": "o", "VersionId": "null"}]}}),
            None,
        )],
        _ => Vec::new(),
    }
}

/// Who an evaluation was for, as the table says it.
fn evaluated_by(e: &crate::sim::authz::Explanation) -> By {
    use crate::sim::policy::Caller;
    let via = e
        .request
        .conditions
        .get("aws:CalledVia")
        .and_then(|v| v.first());
    match (&e.request.caller, via) {
        (Caller::Service(s), _) => By::Service(leak(s)),
        (_, Some(s)) => By::CallerVia(leak(s)),
        _ => By::Caller,
    }
}

/// Service names are few and fixed: comparing with the table's `&'static str`s.
fn leak(s: &str) -> &'static str {
    ["s3.amazonaws.com", "cloudtrail.amazonaws.com"]
        .into_iter()
        .find(|x| *x == s)
        .unwrap_or("other")
}

/// Whether a condition key of a request is one the check declares.
fn declared(check: &Check, key: &str) -> bool {
    check.conditions.iter().any(|d| {
        let d = d.trim_end_matches('?');
        if d.ends_with(':') || d.ends_with('/') {
            key.starts_with(d)
        } else {
            d == key
        }
    })
}

#[test]
fn every_operation_performs_exactly_the_checks_its_row_declares_with_the_whole_request_context() {
    let mut audited = 0;
    let mut checks = 0;
    for o in all() {
        let first = fixture();
        let primary =
            scenario(o.name, &first).unwrap_or_else(|| panic!("{} has no audit scenario", o.name));
        let mut runs = vec![primary];
        runs.extend(more_scenarios(o.name));
        let mut log = Vec::new();
        let mut first = Some(first);
        for (params, body) in runs {
            // The primary scenario names the first fixture's blobs and uploads.
            let mut f = first.take().unwrap_or_else(fixture);
            f.cloud.explain_log = Some(Vec::new());
            let r = f
                .cloud
                .call(&CallContext::lab_admin(), o.name, &params, body);
            if let Err(e) = &r {
                panic!(
                    "{}: the audit scenario {params} failed: {} {}",
                    o.name, e.code, e.message
                );
            }
            log.extend(f.cloud.explain_log.take().unwrap_or_default());
        }
        let mut seen = std::collections::BTreeSet::new();
        for e in &log {
            let res = Res::of_arn(&e.request.resource)
                .unwrap_or_else(|| panic!("{}: unknown resource {}", o.name, e.request.resource));
            let by = evaluated_by(e);
            let check = o
                .checks
                .iter()
                .find(|c| c.action == e.request.action && c.resource == res && c.by == by)
                .unwrap_or_else(|| {
                    panic!(
                        "{} evaluated {} on {:?} by {:?}, which its row does not declare",
                        o.name, e.request.action, res, by
                    )
                });
            seen.insert((check.action, check.resource, check.by));
            let keys = &e.request.conditions;
            for k in keys.keys() {
                if !k.starts_with("aws:") {
                    assert!(
                        declared(check, k),
                        "{}: {} carries {k}, which its row does not declare",
                        o.name,
                        check.action
                    );
                }
            }
            for d in check.conditions.iter().filter(|d| !d.ends_with('?')) {
                assert!(
                    keys.keys().any(|k| k.starts_with(*d)),
                    "{}: {} lacks the declared key {d}: {keys:?}",
                    o.name,
                    check.action
                );
            }
            let global: &[&str] = match by {
                By::Caller => access::GLOBAL_KEYS,
                By::CallerVia(_) => &access::GLOBAL_KEYS[3..],
                By::Service(_) => &["aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion"],
            };
            for g in global
                .iter()
                .filter(|g| **g != "aws:SourceIp" || by == By::Caller)
            {
                assert!(
                    keys.contains_key(*g),
                    "{}: {} lacks the global key {g}",
                    o.name,
                    check.action
                );
            }
        }
        for c in o.checks {
            assert!(
                seen.contains(&(c.action, c.resource, c.by)),
                "{} declares {} on {:?} by {:?} ({}), which its scenario never evaluated",
                o.name,
                c.action,
                c.resource,
                c.by,
                c.when
            );
        }
        audited += 1;
        checks += o.checks.len();
    }
    // The size of the audit (operations x checks), as README reports it.
    assert_eq!((audited, checks), (all().len(), checks));
    eprintln!("audited {audited} operations, {checks} checks");
}
