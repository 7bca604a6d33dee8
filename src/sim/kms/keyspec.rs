//! Key specs and key usages as KMS pairs them: which usages a spec takes, which algorithms a
//! key of a spec and usage offers (DescribeKey's `EncryptionAlgorithms`, `SigningAlgorithms`,
//! `MacAlgorithms`), and what each signing, encryption and MAC algorithm means.

use super::KmsError;
use super::asym::{OaepHash, RsaPadding};

/// A hash function, by what KMS calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// The digest length in bytes.
    pub(crate) fn len(self) -> usize {
        match self {
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// What kind of key material a key spec means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Symmetric,
    /// RSA with a modulus of this many bits.
    Rsa(usize),
    P256,
    P384,
    P521,
    K256,
    /// HMAC with this hash (the key is as long as the digest, as KMS's are).
    Hmac(Hash),
}

impl KeyKind {
    /// The kind of a key spec keyform simulates (None: a spec of the model it does not).
    pub(crate) fn of(spec: &str) -> Option<KeyKind> {
        Some(match spec {
            "SYMMETRIC_DEFAULT" => KeyKind::Symmetric,
            "RSA_2048" => KeyKind::Rsa(2048),
            "RSA_3072" => KeyKind::Rsa(3072),
            "RSA_4096" => KeyKind::Rsa(4096),
            "ECC_NIST_P256" => KeyKind::P256,
            "ECC_NIST_P384" => KeyKind::P384,
            "ECC_NIST_P521" => KeyKind::P521,
            "ECC_SECG_P256K1" => KeyKind::K256,
            "HMAC_224" => KeyKind::Hmac(Hash::Sha224),
            "HMAC_256" => KeyKind::Hmac(Hash::Sha256),
            "HMAC_384" => KeyKind::Hmac(Hash::Sha384),
            "HMAC_512" => KeyKind::Hmac(Hash::Sha512),
            _ => return None,
        })
    }

    /// The usages KMS accepts for the spec (KEY_AGREEMENT, which KMS also takes for the NIST
    /// curves, is not simulated).
    fn usages(self) -> &'static [&'static str] {
        match self {
            KeyKind::Symmetric => &["ENCRYPT_DECRYPT"],
            KeyKind::Rsa(_) => &["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
            KeyKind::P256 | KeyKind::P384 | KeyKind::P521 | KeyKind::K256 => &["SIGN_VERIFY"],
            KeyKind::Hmac(_) => &["GENERATE_VERIFY_MAC"],
        }
    }
}

/// Checks a CreateKey spec and usage pair as KMS does.
pub(crate) fn check_pair(spec: &str, usage: &str) -> Result<KeyKind, KmsError> {
    let Some(kind) = KeyKind::of(spec) else {
        return Err(KmsError::UnsupportedKeySpec {
            spec: spec.into(),
            usage: usage.into(),
        });
    };
    if kind.usages().contains(&usage) {
        return Ok(kind);
    }
    let agreement =
        usage == "KEY_AGREEMENT" && matches!(kind, KeyKind::P256 | KeyKind::P384 | KeyKind::P521);
    if agreement {
        return Err(KmsError::UnsupportedKeySpec {
            spec: spec.into(),
            usage: usage.into(),
        });
    }
    Err(KmsError::IncompatibleUsage {
        spec: spec.into(),
        usage: usage.into(),
    })
}

const RSA_SIGNING: &[&str] = &[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
];
const RSA_ENCRYPTION: &[&str] = &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];

/// The algorithms a key offers: (encryption, signing, MAC).
pub(crate) fn algorithms(
    kind: KeyKind,
    usage: &str,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    const NONE: &[&str] = &[];
    match (kind, usage) {
        (KeyKind::Symmetric, _) => (&["SYMMETRIC_DEFAULT"], NONE, NONE),
        (KeyKind::Rsa(_), "ENCRYPT_DECRYPT") => (RSA_ENCRYPTION, NONE, NONE),
        (KeyKind::Rsa(_), _) => (NONE, RSA_SIGNING, NONE),
        (KeyKind::P256 | KeyKind::K256, _) => (NONE, &["ECDSA_SHA_256"], NONE),
        (KeyKind::P384, _) => (NONE, &["ECDSA_SHA_384"], NONE),
        (KeyKind::P521, _) => (NONE, &["ECDSA_SHA_512"], NONE),
        (KeyKind::Hmac(Hash::Sha224), _) => (NONE, NONE, &["HMAC_SHA_224"]),
        (KeyKind::Hmac(Hash::Sha256), _) => (NONE, NONE, &["HMAC_SHA_256"]),
        (KeyKind::Hmac(Hash::Sha384), _) => (NONE, NONE, &["HMAC_SHA_384"]),
        (KeyKind::Hmac(Hash::Sha512), _) => (NONE, NONE, &["HMAC_SHA_512"]),
    }
}

/// Signing algorithms of the API model.
pub(crate) const SIGNING_ALGORITHMS: &[&str] = &[
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "ECDSA_SHA_256",
    "ECDSA_SHA_384",
    "ECDSA_SHA_512",
    "SM2DSA",
    "ML_DSA_SHAKE_256",
    "ED25519_SHA_512",
    "ED25519_PH_SHA_512",
];

/// MAC algorithms of the API model.
pub(crate) const MAC_ALGORITHMS: &[&str] = &[
    "HMAC_SHA_224",
    "HMAC_SHA_256",
    "HMAC_SHA_384",
    "HMAC_SHA_512",
];

/// Encryption algorithms of the API model.
pub(crate) const ENCRYPTION_ALGORITHMS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSAES_OAEP_SHA_1",
    "RSAES_OAEP_SHA_256",
    "SM2PKE",
];

/// What a signing algorithm means: its padding (for RSA) and hash.
pub(crate) fn signing(algorithm: &str) -> Option<(RsaPadding, Hash)> {
    Some(match algorithm {
        "RSASSA_PSS_SHA_256" => (RsaPadding::Pss, Hash::Sha256),
        "RSASSA_PSS_SHA_384" => (RsaPadding::Pss, Hash::Sha384),
        "RSASSA_PSS_SHA_512" => (RsaPadding::Pss, Hash::Sha512),
        "RSASSA_PKCS1_V1_5_SHA_256" => (RsaPadding::Pkcs1v15, Hash::Sha256),
        "RSASSA_PKCS1_V1_5_SHA_384" => (RsaPadding::Pkcs1v15, Hash::Sha384),
        "RSASSA_PKCS1_V1_5_SHA_512" => (RsaPadding::Pkcs1v15, Hash::Sha512),
        // ECDSA has no padding; the field is unused for it.
        "ECDSA_SHA_256" => (RsaPadding::Pss, Hash::Sha256),
        "ECDSA_SHA_384" => (RsaPadding::Pss, Hash::Sha384),
        "ECDSA_SHA_512" => (RsaPadding::Pss, Hash::Sha512),
        _ => return None,
    })
}

/// The OAEP hash of an RSA encryption algorithm.
pub(crate) fn oaep(algorithm: &str) -> Option<OaepHash> {
    match algorithm {
        "RSAES_OAEP_SHA_1" => Some(OaepHash::Sha1),
        "RSAES_OAEP_SHA_256" => Some(OaepHash::Sha256),
        _ => None,
    }
}
