//! KMS's operations: handler, input shape and the authorizations AWS performs for each (KMS API
//! reference "Required permissions" and the Service Authorization Reference).

use super::access::{KMS_CRYPTO, KMS_KEY, KMS_KEY_BY_ALIAS, KMS_MAC, KMS_SIGN, Res, identity, key};
use super::param::ParamType::{self, *};
use super::param::{opt, req};
use super::{EventKind::Management, Handler::Json, Operation};
use crate::sim::Cloud;

const TAGS: ParamType = super::shapes::KMS_TAGS;
const STRINGS: ParamType = List(&String);
const ALGORITHMS: ParamType = Enum(&[
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
]);
const KEY_SPECS: ParamType = Enum(&[
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
]);
const SIGNING_ALGORITHMS: ParamType = Enum(&[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
]);
const MAC_ALGORITHMS: ParamType = Enum(&[
    "HMAC_SHA_224",
    "HMAC_SHA_256",
    "HMAC_SHA_384",
    "HMAC_SHA_512",
]);
const MESSAGE_TYPES: ParamType = Enum(&["RAW", "DIGEST"]);
const GRANT_OPERATIONS: ParamType = List(&Enum(&[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
    "Encapsulate",
    "Decapsulate",
]));
/// The condition keys of CreateGrant (Service Authorization Reference).
const KMS_CREATE_GRANT: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:GrantOperations",
    "kms:GranteePrincipal",
    "kms:RetiringPrincipal?",
    "kms:GrantIsForAWSResource",
    "kms:GrantConstraintType?",
    "kms:ViaService?",
];
/// The condition keys of ListGrants and RevokeGrant.
const KMS_GRANT_ADMIN: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:GrantIsForAWSResource",
    "kms:ViaService?",
];

/// A KMS management operation (recorded as a management event).
const fn op(
    name: &'static str,
    handler: super::JsonFn,
    params: &'static [super::param::Param],
    mutates: bool,
    checks: &'static [super::access::Check],
) -> Operation {
    Operation {
        name,
        handler: Json(handler),
        params,
        mutates,
        event: Management,
        checks,
        output_blobs: &[],
    }
}

const KEY_ID: super::param::Param = req("KeyId", String);

pub(super) const OPS: &[Operation] = &[
    op(
        "kms:CreateKey",
        Cloud::kms_create_key,
        &[
            opt("Policy", PolicyDocument),
            opt("Description", String),
            opt(
                "KeyUsage",
                Enum(&["ENCRYPT_DECRYPT", "SIGN_VERIFY", "GENERATE_VERIFY_MAC"]),
            ),
            opt("KeySpec", KEY_SPECS),
            opt("CustomerMasterKeySpec", KEY_SPECS),
            opt("BypassPolicyLockoutSafetyCheck", Boolean),
            opt("Tags", TAGS),
            opt("MultiRegion", Boolean),
            opt(
                "Origin",
                Enum(&["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"]),
            ),
            opt("CustomKeyStoreId", String),
            opt("XksKeyId", String),
        ],
        true,
        &[identity("kms:CreateKey", Res::Star).with(&[
            "kms:CallerAccount",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:KeyOrigin",
            "kms:MultiRegion",
        ])],
    ),
    op(
        "kms:DescribeKey",
        Cloud::kms_describe_key,
        &[KEY_ID, opt("GrantTokens", STRINGS)],
        false,
        &[key("kms:DescribeKey").with(KMS_KEY_BY_ALIAS)],
    ),
    op(
        "kms:ListKeys",
        Cloud::kms_list_keys,
        &[
            opt("Limit", Integer),
            opt("Marker", String),
            opt("ResourceOwners", STRINGS),
        ],
        false,
        &[identity("kms:ListKeys", Res::Star).with(&["kms:CallerAccount"])],
    ),
    op(
        "kms:ListAliases",
        Cloud::kms_list_aliases,
        &[
            opt("KeyId", String),
            opt("Limit", Integer),
            opt("Marker", String),
        ],
        false,
        &[identity("kms:ListAliases", Res::Star).with(&["kms:CallerAccount"])],
    ),
    op(
        "kms:CreateAlias",
        Cloud::kms_create_alias,
        &[req("AliasName", String), req("TargetKeyId", String)],
        true,
        &[
            identity("kms:CreateAlias", Res::Alias).with(&["kms:CallerAccount"]),
            key("kms:CreateAlias").with(KMS_KEY).when("the target key"),
        ],
    ),
    op(
        "kms:UpdateAlias",
        Cloud::kms_update_alias,
        &[req("AliasName", String), req("TargetKeyId", String)],
        true,
        &[
            identity("kms:UpdateAlias", Res::Alias).with(&["kms:CallerAccount"]),
            key("kms:UpdateAlias")
                .with(KMS_KEY)
                .when("the key the alias points to now"),
            key("kms:UpdateAlias")
                .with(KMS_KEY)
                .when("the new target key"),
        ],
    ),
    op(
        "kms:DeleteAlias",
        Cloud::kms_delete_alias,
        &[req("AliasName", String)],
        true,
        &[
            identity("kms:DeleteAlias", Res::Alias).with(&["kms:CallerAccount"]),
            key("kms:DeleteAlias")
                .with(KMS_KEY)
                .when("the key the alias points to"),
        ],
    ),
    op(
        "kms:EnableKey",
        Cloud::kms_enable_key,
        &[KEY_ID],
        true,
        &[key("kms:EnableKey").with(KMS_KEY)],
    ),
    op(
        "kms:DisableKey",
        Cloud::kms_disable_key,
        &[KEY_ID],
        true,
        &[key("kms:DisableKey").with(KMS_KEY)],
    ),
    op(
        "kms:ScheduleKeyDeletion",
        Cloud::kms_schedule_key_deletion,
        &[KEY_ID, opt("PendingWindowInDays", Integer)],
        true,
        &[key("kms:ScheduleKeyDeletion").with(KMS_KEY)],
    ),
    op(
        "kms:CancelKeyDeletion",
        Cloud::kms_cancel_key_deletion,
        &[KEY_ID],
        true,
        &[key("kms:CancelKeyDeletion").with(KMS_KEY)],
    ),
    op(
        "kms:EnableKeyRotation",
        Cloud::kms_enable_key_rotation,
        &[KEY_ID, opt("RotationPeriodInDays", Integer)],
        true,
        &[key("kms:EnableKeyRotation").with(KMS_KEY)],
    ),
    op(
        "kms:DisableKeyRotation",
        Cloud::kms_disable_key_rotation,
        &[KEY_ID],
        true,
        &[key("kms:DisableKeyRotation").with(KMS_KEY)],
    ),
    op(
        "kms:GetKeyRotationStatus",
        Cloud::kms_get_key_rotation_status,
        &[KEY_ID],
        false,
        &[key("kms:GetKeyRotationStatus").with(KMS_KEY)],
    ),
    op(
        "kms:RotateKeyOnDemand",
        Cloud::kms_rotate_key_on_demand,
        &[KEY_ID],
        true,
        &[key("kms:RotateKeyOnDemand").with(KMS_KEY)],
    ),
    op(
        "kms:ListKeyRotations",
        Cloud::kms_list_key_rotations,
        &[
            KEY_ID,
            opt(
                "IncludeKeyMaterial",
                Enum(&["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"]),
            ),
        ],
        false,
        &[key("kms:ListKeyRotations").with(KMS_KEY)],
    ),
    op(
        "kms:GetKeyPolicy",
        Cloud::kms_get_key_policy,
        &[KEY_ID, opt("PolicyName", String)],
        false,
        &[key("kms:GetKeyPolicy").with(KMS_KEY)],
    ),
    op(
        "kms:ListKeyPolicies",
        Cloud::kms_list_key_policies,
        &[KEY_ID, opt("Limit", Integer), opt("Marker", String)],
        false,
        &[key("kms:ListKeyPolicies").with(KMS_KEY)],
    ),
    op(
        "kms:GenerateRandom",
        Cloud::kms_generate_random,
        &[
            opt("NumberOfBytes", Integer),
            opt("CustomKeyStoreId", String),
            opt("Recipient", super::shapes::KMS_RECIPIENT),
        ],
        false,
        &[identity("kms:GenerateRandom", Res::Star).with(&["kms:CallerAccount"])],
    ),
    op(
        "kms:PutKeyPolicy",
        Cloud::kms_put_key_policy,
        &[
            KEY_ID,
            opt("PolicyName", String),
            req("Policy", PolicyDocument),
            opt("BypassPolicyLockoutSafetyCheck", Boolean),
        ],
        true,
        &[key("kms:PutKeyPolicy").with(KMS_KEY)],
    ),
    op(
        "kms:UpdateKeyDescription",
        Cloud::kms_update_key_description,
        &[KEY_ID, req("Description", String)],
        true,
        &[key("kms:UpdateKeyDescription").with(KMS_KEY)],
    ),
    op(
        "kms:TagResource",
        Cloud::kms_tag_resource,
        &[KEY_ID, req("Tags", TAGS)],
        true,
        &[key("kms:TagResource").with(KMS_KEY)],
    ),
    op(
        "kms:UntagResource",
        Cloud::kms_untag_resource,
        &[KEY_ID, req("TagKeys", STRINGS)],
        true,
        &[key("kms:UntagResource").with(KMS_KEY)],
    ),
    op(
        "kms:ListResourceTags",
        Cloud::kms_list_resource_tags,
        &[KEY_ID, opt("Limit", Integer), opt("Marker", String)],
        false,
        &[key("kms:ListResourceTags").with(KMS_KEY)],
    ),
    op(
        "kms:Encrypt",
        Cloud::kms_encrypt,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            req("Plaintext", Content),
            opt("EncryptionContext", StringMap),
            opt("EncryptionAlgorithm", ALGORITHMS),
        ],
        false,
        &[key("kms:Encrypt").with(KMS_CRYPTO)],
    ),
    Operation {
        output_blobs: &["Plaintext"],
        ..op(
            "kms:Decrypt",
            Cloud::kms_decrypt,
            &[
                opt("GrantTokens", STRINGS),
                req("CiphertextBlob", Blob),
                opt("EncryptionContext", StringMap),
                opt("KeyId", String),
                opt("EncryptionAlgorithm", ALGORITHMS),
                opt("Recipient", super::shapes::KMS_RECIPIENT),
            ],
            false,
            &[key("kms:Decrypt")
                .with(KMS_CRYPTO)
                .when("the key the ciphertext names")],
        )
    },
    op(
        "kms:ReEncrypt",
        Cloud::kms_re_encrypt,
        &[
            opt("GrantTokens", STRINGS),
            req("CiphertextBlob", Blob),
            opt("SourceEncryptionContext", StringMap),
            opt("SourceKeyId", String),
            req("DestinationKeyId", String),
            opt("DestinationEncryptionContext", StringMap),
            opt("SourceEncryptionAlgorithm", ALGORITHMS),
            opt("DestinationEncryptionAlgorithm", ALGORITHMS),
        ],
        false,
        &[
            key("kms:ReEncryptFrom")
                .with(KMS_CRYPTO)
                .when("the key the ciphertext names"),
            key("kms:ReEncryptTo")
                .with(KMS_CRYPTO)
                .when("the destination key"),
        ],
    ),
    Operation {
        output_blobs: &["Plaintext"],
        ..op(
            "kms:GenerateDataKey",
            Cloud::kms_generate_data_key,
            &[
                opt("GrantTokens", STRINGS),
                KEY_ID,
                opt("EncryptionContext", StringMap),
                opt("NumberOfBytes", Integer),
                opt("KeySpec", Enum(&["AES_256", "AES_128"])),
                opt("Recipient", super::shapes::KMS_RECIPIENT),
            ],
            false,
            &[key("kms:GenerateDataKey").with(KMS_CRYPTO)],
        )
    },
    op(
        "kms:GenerateDataKeyWithoutPlaintext",
        Cloud::kms_generate_data_key_without_plaintext,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            opt("EncryptionContext", StringMap),
            opt("NumberOfBytes", Integer),
            opt("KeySpec", Enum(&["AES_256", "AES_128"])),
        ],
        false,
        &[key("kms:GenerateDataKeyWithoutPlaintext").with(KMS_CRYPTO)],
    ),
    op(
        "kms:Sign",
        Cloud::kms_sign,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            req("Message", Content),
            opt("MessageType", MESSAGE_TYPES),
            req("SigningAlgorithm", SIGNING_ALGORITHMS),
        ],
        false,
        &[key("kms:Sign").with(KMS_SIGN)],
    ),
    op(
        "kms:Verify",
        Cloud::kms_verify,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            req("Message", Content),
            opt("MessageType", MESSAGE_TYPES),
            req("Signature", Blob),
            req("SigningAlgorithm", SIGNING_ALGORITHMS),
        ],
        false,
        &[key("kms:Verify").with(KMS_SIGN)],
    ),
    op(
        "kms:GetPublicKey",
        Cloud::kms_get_public_key,
        &[KEY_ID, opt("GrantTokens", STRINGS)],
        false,
        &[key("kms:GetPublicKey").with(KMS_KEY_BY_ALIAS)],
    ),
    op(
        "kms:GenerateMac",
        Cloud::kms_generate_mac,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            req("Message", Content),
            req("MacAlgorithm", MAC_ALGORITHMS),
        ],
        false,
        &[key("kms:GenerateMac").with(KMS_MAC)],
    ),
    op(
        "kms:VerifyMac",
        Cloud::kms_verify_mac,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            req("Message", Content),
            req("MacAlgorithm", MAC_ALGORITHMS),
            req("Mac", Blob),
        ],
        false,
        &[key("kms:VerifyMac").with(KMS_MAC)],
    ),
    op(
        "kms:CreateGrant",
        Cloud::kms_create_grant,
        &[
            opt("GrantTokens", STRINGS),
            KEY_ID,
            opt("GranteePrincipal", String),
            opt("RetiringPrincipal", String),
            req("Operations", GRANT_OPERATIONS),
            opt("Constraints", Structure),
            opt("Name", String),
            opt("GranteeServicePrincipal", String),
            opt("RetiringServicePrincipal", String),
        ],
        true,
        &[key("kms:CreateGrant").with(KMS_CREATE_GRANT)],
    ),
    op(
        "kms:ListGrants",
        Cloud::kms_list_grants,
        &[
            KEY_ID,
            opt("Limit", Integer),
            opt("Marker", String),
            opt("GrantId", String),
            opt("GranteePrincipal", String),
            opt("GranteeServicePrincipal", String),
        ],
        false,
        &[key("kms:ListGrants").with(KMS_GRANT_ADMIN)],
    ),
    op(
        "kms:ListRetirableGrants",
        Cloud::kms_list_retirable_grants,
        &[
            opt("Limit", Integer),
            opt("Marker", String),
            opt("RetiringPrincipal", String),
            opt("RetiringServicePrincipal", String),
        ],
        false,
        &[identity("kms:ListRetirableGrants", Res::Star).with(&["kms:CallerAccount"])],
    ),
    op(
        "kms:RetireGrant",
        Cloud::kms_retire_grant,
        &[
            opt("GrantToken", String),
            opt("KeyId", String),
            opt("GrantId", String),
        ],
        true,
        &[key("kms:RetireGrant")
            .with(KMS_KEY)
            .when("the caller is neither the retiring principal nor a grantee allowed to retire")],
    ),
    op(
        "kms:RevokeGrant",
        Cloud::kms_revoke_grant,
        &[KEY_ID, req("GrantId", String)],
        true,
        &[key("kms:RevokeGrant").with(KMS_GRANT_ADMIN)],
    ),
    op(
        "kms:GetParametersForImport",
        Cloud::kms_get_parameters_for_import,
        &[
            KEY_ID,
            req(
                "WrappingAlgorithm",
                Enum(&[
                    "RSAES_PKCS1_V1_5",
                    "RSAES_OAEP_SHA_1",
                    "RSAES_OAEP_SHA_256",
                    "RSA_AES_KEY_WRAP_SHA_1",
                    "RSA_AES_KEY_WRAP_SHA_256",
                    "SM2PKE",
                ]),
            ),
            req(
                "WrappingKeySpec",
                Enum(&["RSA_2048", "RSA_3072", "RSA_4096", "SM2"]),
            ),
        ],
        false,
        &[key("kms:GetParametersForImport").with(&[
            "kms:CallerAccount",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:KeyOrigin",
            "kms:ResourceAliases?",
            "kms:WrappingAlgorithm",
            "kms:WrappingKeySpec",
        ])],
    ),
    op(
        "kms:ImportKeyMaterial",
        Cloud::kms_import_key_material,
        &[
            KEY_ID,
            req("ImportToken", Blob),
            req("EncryptedKeyMaterial", Blob),
            opt("ValidTo", Timestamp),
            opt(
                "ExpirationModel",
                Enum(&["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"]),
            ),
            opt(
                "ImportType",
                Enum(&["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"]),
            ),
            opt("KeyMaterialDescription", String),
            opt("KeyMaterialId", String),
        ],
        true,
        &[key("kms:ImportKeyMaterial").with(&[
            "kms:CallerAccount",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:KeyOrigin",
            "kms:ResourceAliases?",
            "kms:ExpirationModel",
            "kms:ValidTo?",
        ])],
    ),
    op(
        "kms:DeleteImportedKeyMaterial",
        Cloud::kms_delete_imported_key_material,
        &[KEY_ID, opt("KeyMaterialId", String)],
        true,
        &[key("kms:DeleteImportedKeyMaterial").with(KMS_KEY)],
    ),
];
