//! AES Key Wrap with Padding (RFC 5649) under a 256-bit AES key: the second half of KMS's
//! RSA_AES_KEY_WRAP_SHA_1 / RSA_AES_KEY_WRAP_SHA_256 wrapping algorithms, what
//! `openssl enc -id-aes256-wrap-pad -iv A65959A6` makes.
//!
//! Pure: which key and what the material is for are `import`'s. Unwrapping checks the
//! alternative initial value, the message length indicator and the zero padding, so a
//! ciphertext under another key or a damaged one is refused, never returned.

use aes::Aes256;
use aes::cipher::{Array, BlockCipherDecrypt, KeyInit};
use zeroize::Zeroizing;

/// RFC 5649's alternative initial value, before the 32-bit length.
const AIV: [u8; 4] = [0xA6, 0x59, 0x59, 0xA6];

/// Why an unwrap failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnwrapError {
    /// The wrapping key is not 256 bits.
    BadKey,
    /// Not a KWP ciphertext under this key (length, integrity check or padding).
    Invalid,
}

fn cipher(key: &[u8]) -> Result<Aes256, UnwrapError> {
    Aes256::new_from_slice(key).map_err(|_| UnwrapError::BadKey)
}

#[cfg(test)]
fn encrypt(c: &Aes256, a: [u8; 8], r: [u8; 8]) -> ([u8; 8], [u8; 8]) {
    use aes::cipher::BlockCipherEncrypt;
    let mut b = Array::from([0u8; 16]);
    b[..8].copy_from_slice(&a);
    b[8..].copy_from_slice(&r);
    c.encrypt_block(&mut b);
    split(&b)
}

fn decrypt(c: &Aes256, a: [u8; 8], r: [u8; 8]) -> ([u8; 8], [u8; 8]) {
    let mut b = Array::from([0u8; 16]);
    b[..8].copy_from_slice(&a);
    b[8..].copy_from_slice(&r);
    c.decrypt_block(&mut b);
    split(&b)
}

fn split(b: &[u8]) -> ([u8; 8], [u8; 8]) {
    let mut hi = [0u8; 8];
    let mut lo = [0u8; 8];
    hi.copy_from_slice(&b[..8]);
    lo.copy_from_slice(&b[8..16]);
    (hi, lo)
}

fn xor_t(a: &mut [u8; 8], t: u64) {
    for (x, y) in a.iter_mut().zip(t.to_be_bytes()) {
        *x ^= y;
    }
}

/// RFC 3394's wrapping process W: six rounds over the 64-bit blocks `r` from the initial
/// value `a`; returns the final `a` (the first block of the ciphertext).
#[cfg(test)]
fn w(c: &Aes256, mut a: [u8; 8], r: &mut [[u8; 8]]) -> [u8; 8] {
    let n = r.len() as u64;
    for j in 0..6u64 {
        for (i, ri) in r.iter_mut().enumerate() {
            let (hi, lo) = encrypt(c, a, *ri);
            a = hi;
            xor_t(&mut a, n * j + i as u64 + 1);
            *ri = lo;
        }
    }
    a
}

/// RFC 3394's unwrapping process W⁻¹; returns the recovered initial value.
fn w_inv(c: &Aes256, mut a: [u8; 8], r: &mut [[u8; 8]]) -> [u8; 8] {
    let n = r.len() as u64;
    for j in (0..6u64).rev() {
        for i in (0..r.len()).rev() {
            xor_t(&mut a, n * j + i as u64 + 1);
            let (hi, lo) = decrypt(c, a, r[i]);
            a = hi;
            r[i] = lo;
        }
    }
    a
}

fn blocks_of(b: &[u8]) -> Vec<[u8; 8]> {
    b.chunks(8)
        .map(|ch| {
            let mut x = [0u8; 8];
            x[..ch.len()].copy_from_slice(ch);
            x
        })
        .collect()
}

/// Wraps `plain` (1 byte to 4 GiB) under the 256-bit `key` (keyform only unwraps; tests wrap
/// as a client would).
#[cfg(test)]
pub(crate) fn wrap(key: &[u8], plain: &[u8]) -> Result<Vec<u8>, UnwrapError> {
    let c = cipher(key)?;
    let mli = u32::try_from(plain.len()).map_err(|_| UnwrapError::Invalid)?;
    if mli == 0 {
        return Err(UnwrapError::Invalid);
    }
    let mut a = [0u8; 8];
    a[..4].copy_from_slice(&AIV);
    a[4..].copy_from_slice(&mli.to_be_bytes());
    // The last block is zero-padded (blocks_of pads it).
    let mut r = Zeroizing::new(blocks_of(plain));
    let a = if r.len() == 1 {
        let (hi, lo) = encrypt(&c, a, r[0]);
        r[0] = lo;
        hi
    } else {
        w(&c, a, &mut r)
    };
    let mut out = a.to_vec();
    r.iter().for_each(|b| out.extend_from_slice(b));
    Ok(out)
}

/// Unwraps a KWP ciphertext under the 256-bit `key`.
pub(crate) fn unwrap(key: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, UnwrapError> {
    let c = cipher(key)?;
    if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
        return Err(UnwrapError::Invalid);
    }
    let blocks = blocks_of(wrapped);
    let mut r = Zeroizing::new(blocks[1..].to_vec());
    let a = if r.len() == 1 {
        let (hi, lo) = decrypt(&c, blocks[0], r[0]);
        r[0] = lo;
        hi
    } else {
        w_inv(&c, blocks[0], &mut r)
    };
    let plain: Zeroizing<Vec<u8>> = Zeroizing::new(r.iter().flatten().copied().collect());
    let mli = u32::from_be_bytes([a[4], a[5], a[6], a[7]]) as usize;
    let ok = a[..4] == AIV
        && mli > plain.len() - 8
        && mli <= plain.len()
        && plain[mli..].iter().all(|&b| b == 0);
    if !ok {
        return Err(UnwrapError::Invalid);
    }
    Ok(Zeroizing::new(plain[..mli].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).unwrap()
    }

    #[test]
    fn w_is_rfc_3394_on_its_256_bit_vector() {
        // RFC 3394 4.6: 256 bits of key data with a 256-bit KEK.
        let c = cipher(&unhex(
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        ))
        .unwrap();
        let data = unhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
        let mut r = blocks_of(&data);
        let a = w(&c, [0xA6; 8], &mut r);
        let mut got = a.to_vec();
        r.iter().for_each(|b| got.extend_from_slice(b));
        let want = unhex(
            "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21",
        );
        assert_eq!(got, want);
        let mut back = blocks_of(&want[8..]);
        assert_eq!(w_inv(&c, a, &mut back), [0xA6; 8]);
        assert_eq!(back.concat(), data);
    }

    #[test]
    fn round_trips_every_length_and_refuses_other_keys_and_damage() {
        let key = [0x42u8; 32];
        for len in [1usize, 7, 8, 9, 16, 31, 32, 33, 64, 1217] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let w = wrap(&key, &plain).unwrap();
            assert_eq!(w.len(), len.div_ceil(8) * 8 + 8, "length {len}");
            assert_eq!(&unwrap(&key, &w).unwrap()[..], &plain[..], "length {len}");
            assert_eq!(unwrap(&[0x43u8; 32], &w), Err(UnwrapError::Invalid));
            for at in [0, w.len() / 2, w.len() - 1] {
                let mut bad = w.clone();
                bad[at] ^= 1;
                assert_eq!(unwrap(&key, &bad), Err(UnwrapError::Invalid), "{len} {at}");
            }
        }
        assert_eq!(unwrap(&key, &[0u8; 12]), Err(UnwrapError::Invalid));
        assert_eq!(unwrap(&key[..16], &[0u8; 16]), Err(UnwrapError::BadKey));
    }
}
