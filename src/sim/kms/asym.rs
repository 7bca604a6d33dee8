//! The cryptography of asymmetric and HMAC KMS keys, with the RustCrypto crates: key
//! generation (PKCS#8 private key, DER SubjectPublicKeyInfo public key), RSA and ECDSA
//! signatures over a message or a digest, RSAES-OAEP encryption, and HMAC.
//!
//! Everything here is pure: which key, whether the caller may, and the AWS errors are the
//! operations' (`sign_ops`, `crypto_ops`). A secret returned here is zeroized on drop; the
//! caller seals it under the key's material before it goes into the world.

use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::{Oaep, Pkcs1v15Sign, PrivateKey as RsaPrivateKey, Pss, PublicKey as RsaPublicKey};
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use super::keyspec::{Hash, KeyKind};

/// Why an asymmetric operation failed (the operation turns it into AWS's error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AsymError {
    /// The signature or MAC does not verify, or is not even well formed.
    BadSignature,
    /// The ciphertext does not decrypt under this key and algorithm.
    BadCiphertext,
    /// The plaintext is longer than the algorithm allows for the key.
    TooLong,
    /// The stored key could not be read back, or the RNG failed.
    Internal(String),
}

fn internal(e: impl std::fmt::Display) -> AsymError {
    AsymError::Internal(e.to_string())
}

/// A new key: its secret (PKCS#8 DER for asymmetric keys, the raw key for HMAC) and, for
/// asymmetric keys, its public key as DER SubjectPublicKeyInfo.
pub(crate) struct NewKey {
    pub secret: Zeroizing<Vec<u8>>,
    pub public: Option<Vec<u8>>,
}

macro_rules! ec_generate {
    ($curve:ident) => {{
        let sk = <$curve::ecdsa::SigningKey as rsa::Generate>::try_generate().map_err(internal)?;
        let der = sk.to_pkcs8_der().map_err(internal)?;
        let public = sk
            .verifying_key()
            .to_public_key_der()
            .map_err(internal)?
            .into_vec();
        NewKey {
            secret: Zeroizing::new(der.as_bytes().to_vec()),
            public: Some(public),
        }
    }};
}

/// Generates a key of `kind` from the OS RNG.
pub(crate) fn generate(kind: KeyKind) -> Result<NewKey, AsymError> {
    Ok(match kind {
        KeyKind::Symmetric => {
            return Err(AsymError::Internal(
                "symmetric keys have no asymmetric material".into(),
            ));
        }
        KeyKind::Rsa(bits) => {
            let sk = RsaPrivateKey::new(&mut getrandom::SysRng, bits).map_err(internal)?;
            let der = sk.to_pkcs8_der().map_err(internal)?;
            let public = sk
                .to_public_key()
                .to_public_key_der()
                .map_err(internal)?
                .into_vec();
            NewKey {
                secret: Zeroizing::new(der.as_bytes().to_vec()),
                public: Some(public),
            }
        }
        KeyKind::P256 => ec_generate!(p256),
        KeyKind::P384 => ec_generate!(p384),
        KeyKind::P521 => ec_generate!(p521),
        KeyKind::K256 => ec_generate!(k256),
        KeyKind::Hmac(hash) => {
            let mut k = Zeroizing::new(vec![0u8; hash.len()]);
            getrandom::fill(&mut k).map_err(internal)?;
            NewKey {
                secret: k,
                public: None,
            }
        }
    })
}

/// The digest of `message` with `hash`.
pub(crate) fn digest(hash: Hash, message: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha224 => Sha224::digest(message).to_vec(),
        Hash::Sha256 => Sha256::digest(message).to_vec(),
        Hash::Sha384 => Sha384::digest(message).to_vec(),
        Hash::Sha512 => Sha512::digest(message).to_vec(),
    }
}

/// An RSA signature scheme with its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaPadding {
    Pss,
    Pkcs1v15,
}

/// Runs `$body` with `$h` the hash type of `$hash`.
macro_rules! with_hash {
    ($hash:expr, $h:ident => $body:expr) => {
        match $hash {
            Hash::Sha224 => {
                type $h = Sha224;
                $body
            }
            Hash::Sha256 => {
                type $h = Sha256;
                $body
            }
            Hash::Sha384 => {
                type $h = Sha384;
                $body
            }
            Hash::Sha512 => {
                type $h = Sha512;
                $body
            }
        }
    };
}

macro_rules! ec_sign {
    ($curve:ident, $secret:expr, $digest:expr) => {{
        use ecdsa::signature::hazmat::PrehashSigner;
        let sk = $curve::ecdsa::SigningKey::from_pkcs8_der($secret).map_err(internal)?;
        let sig: $curve::ecdsa::Signature = sk.sign_prehash($digest).map_err(internal)?;
        sig.to_der().as_bytes().to_vec()
    }};
}

macro_rules! ec_verify {
    ($curve:ident, $public:expr, $digest:expr, $sig:expr) => {{
        use ecdsa::signature::hazmat::PrehashVerifier;
        let vk = $curve::ecdsa::VerifyingKey::from_public_key_der($public).map_err(internal)?;
        let sig = $curve::ecdsa::Signature::from_der($sig).map_err(|_| AsymError::BadSignature)?;
        vk.verify_prehash($digest, &sig)
            .map_err(|_| AsymError::BadSignature)?;
    }};
}

/// Signs `digest` (already the hash of the message) with the key's secret. ECDSA signatures
/// are DER-encoded, as KMS returns them.
pub(crate) fn sign(
    kind: KeyKind,
    secret: &[u8],
    padding: RsaPadding,
    hash: Hash,
    digest: &[u8],
) -> Result<Vec<u8>, AsymError> {
    Ok(match kind {
        KeyKind::Rsa(_) => {
            let sk = RsaPrivateKey::from_pkcs8_der(secret).map_err(internal)?;
            match padding {
                RsaPadding::Pss => with_hash!(hash, H => sk
                    .sign_with_rng(&mut getrandom::SysRng, Pss::<H>::new(), digest))
                .map_err(internal)?,
                RsaPadding::Pkcs1v15 => {
                    with_hash!(hash, H => sk.sign(Pkcs1v15Sign::new::<H>(), digest))
                        .map_err(internal)?
                }
            }
        }
        KeyKind::P256 => ec_sign!(p256, secret, digest),
        KeyKind::P384 => ec_sign!(p384, secret, digest),
        KeyKind::P521 => ec_sign!(p521, secret, digest),
        KeyKind::K256 => ec_sign!(k256, secret, digest),
        KeyKind::Symmetric | KeyKind::Hmac(_) => {
            return Err(AsymError::Internal("not a signing key".into()));
        }
    })
}

/// Verifies `signature` over `digest` with the key's public key (DER SubjectPublicKeyInfo).
pub(crate) fn verify(
    kind: KeyKind,
    public: &[u8],
    padding: RsaPadding,
    hash: Hash,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), AsymError> {
    match kind {
        KeyKind::Rsa(_) => {
            let pk = RsaPublicKey::from_public_key_der(public).map_err(internal)?;
            let r = match padding {
                RsaPadding::Pss => {
                    with_hash!(hash, H => pk.verify(Pss::<H>::new(), digest, signature))
                }
                RsaPadding::Pkcs1v15 => {
                    with_hash!(hash, H => pk.verify(Pkcs1v15Sign::new::<H>(), digest, signature))
                }
            };
            r.map_err(|_| AsymError::BadSignature)?;
        }
        KeyKind::P256 => ec_verify!(p256, public, digest, signature),
        KeyKind::P384 => ec_verify!(p384, public, digest, signature),
        KeyKind::P521 => ec_verify!(p521, public, digest, signature),
        KeyKind::K256 => ec_verify!(k256, public, digest, signature),
        KeyKind::Symmetric | KeyKind::Hmac(_) => {
            return Err(AsymError::Internal("not a signing key".into()));
        }
    }
    Ok(())
}

/// The hash of an RSAES-OAEP algorithm (MGF1 uses the same hash, as in KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OaepHash {
    Sha1,
    Sha256,
}

impl OaepHash {
    fn len(self) -> usize {
        match self {
            OaepHash::Sha1 => 20,
            OaepHash::Sha256 => 32,
        }
    }
}

/// The largest plaintext RSAES-OAEP takes for a `bits`-bit key: k - 2 hLen - 2 bytes
/// (RSA_2048: 214 with SHA-1, 190 with SHA-256).
pub(crate) fn oaep_max(bits: usize, hash: OaepHash) -> usize {
    bits / 8 - 2 * hash.len() - 2
}

/// Encrypts `plaintext` to the public key with RSAES-OAEP.
pub(crate) fn rsa_encrypt(
    public: &[u8],
    bits: usize,
    hash: OaepHash,
    plaintext: &[u8],
) -> Result<Vec<u8>, AsymError> {
    if plaintext.len() > oaep_max(bits, hash) {
        return Err(AsymError::TooLong);
    }
    let pk = RsaPublicKey::from_public_key_der(public).map_err(internal)?;
    match hash {
        OaepHash::Sha1 => pk.encrypt(&mut getrandom::SysRng, Oaep::<sha1::Sha1>::new(), plaintext),
        OaepHash::Sha256 => pk.encrypt(&mut getrandom::SysRng, Oaep::<Sha256>::new(), plaintext),
    }
    .map_err(internal)
}

/// The modulus length in bytes of an RSA private key (PKCS#8 DER): the length of its
/// ciphertexts.
pub(crate) fn rsa_size(secret: &[u8]) -> Result<usize, AsymError> {
    use rsa::traits::PublicKeyParts;
    let sk = RsaPrivateKey::from_pkcs8_der(secret).map_err(internal)?;
    Ok(sk.size())
}

/// Decrypts an RSAES-OAEP ciphertext with the private key.
pub(crate) fn rsa_decrypt(
    secret: &[u8],
    hash: OaepHash,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, AsymError> {
    let sk = RsaPrivateKey::from_pkcs8_der(secret).map_err(internal)?;
    match hash {
        OaepHash::Sha1 => sk.decrypt(Oaep::<sha1::Sha1>::new(), ciphertext),
        OaepHash::Sha256 => sk.decrypt(Oaep::<Sha256>::new(), ciphertext),
    }
    .map(Zeroizing::new)
    .map_err(|_| AsymError::BadCiphertext)
}

macro_rules! hmac_of {
    ($h:ty, $key:expr, $msg:expr) => {{
        let mut m = <Hmac<$h> as KeyInit>::new_from_slice($key).map_err(internal)?;
        m.update($msg);
        m.finalize().into_bytes().to_vec()
    }};
}

/// The HMAC of `message` under `key` with `hash`.
pub(crate) fn hmac(hash: Hash, key: &[u8], message: &[u8]) -> Result<Vec<u8>, AsymError> {
    Ok(match hash {
        Hash::Sha224 => hmac_of!(Sha224, key, message),
        Hash::Sha256 => hmac_of!(Sha256, key, message),
        Hash::Sha384 => hmac_of!(Sha384, key, message),
        Hash::Sha512 => hmac_of!(Sha512, key, message),
    })
}

/// Checks a MAC in constant time.
pub(crate) fn hmac_verify(
    hash: Hash,
    key: &[u8],
    message: &[u8],
    mac: &[u8],
) -> Result<(), AsymError> {
    use subtle::ConstantTimeEq;
    let want = hmac(hash, key, message)?;
    if want.len() == mac.len() && bool::from(want.ct_eq(mac)) {
        Ok(())
    } else {
        Err(AsymError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_signatures_verify_and_a_changed_digest_does_not() {
        for kind in [KeyKind::P256, KeyKind::P384, KeyKind::P521, KeyKind::K256] {
            let k = generate(kind).unwrap();
            let pubk = k.public.unwrap();
            let d = digest(Hash::Sha256, b"release-1.0.tar.gz");
            let sig = sign(kind, &k.secret, RsaPadding::Pss, Hash::Sha256, &d).unwrap();
            verify(kind, &pubk, RsaPadding::Pss, Hash::Sha256, &d, &sig).unwrap();
            let other = digest(Hash::Sha256, b"release-1.1.tar.gz");
            assert_eq!(
                verify(kind, &pubk, RsaPadding::Pss, Hash::Sha256, &other, &sig),
                Err(AsymError::BadSignature),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn rsa_signs_with_both_paddings_and_oaep_round_trips_within_its_limit() {
        let k = generate(KeyKind::Rsa(2048)).unwrap();
        let pubk = k.public.clone().unwrap();
        let d = digest(Hash::Sha384, b"artifact");
        for pad in [RsaPadding::Pss, RsaPadding::Pkcs1v15] {
            let sig = sign(KeyKind::Rsa(2048), &k.secret, pad, Hash::Sha384, &d).unwrap();
            assert_eq!(sig.len(), 256);
            verify(KeyKind::Rsa(2048), &pubk, pad, Hash::Sha384, &d, &sig).unwrap();
        }
        for h in [OaepHash::Sha1, OaepHash::Sha256] {
            let max = oaep_max(2048, h);
            let pt = vec![7u8; max];
            let ct = rsa_encrypt(&pubk, 2048, h, &pt).unwrap();
            assert_eq!(&*rsa_decrypt(&k.secret, h, &ct).unwrap(), &pt[..]);
            assert_eq!(
                rsa_encrypt(&pubk, 2048, h, &vec![7u8; max + 1]),
                Err(AsymError::TooLong)
            );
        }
        assert_eq!(oaep_max(2048, OaepHash::Sha1), 214);
        assert_eq!(oaep_max(4096, OaepHash::Sha256), 446);
    }

    #[test]
    fn hmac_matches_the_rfc_4231_vector_and_refuses_a_changed_mac() {
        // RFC 4231 test case 2.
        let mac = hmac(Hash::Sha256, b"Jefe", b"what do ya want for nothing?").unwrap();
        assert_eq!(
            hex::encode(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mut bad = mac.clone();
        bad[0] ^= 1;
        assert_eq!(
            hmac_verify(Hash::Sha256, b"Jefe", b"what do ya want for nothing?", &bad),
            Err(AsymError::BadSignature)
        );
    }
}
