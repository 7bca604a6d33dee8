//! Identifiers: key ids, request ids, IAM unique ids. Seeded in test worlds so reports are
//! reproducible; never used for key material or nonces (those come from the OS RNG).

use serde::{Deserialize, Serialize};

/// Generator state, persisted with the world.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IdGen {
    /// None: identifiers come from the OS RNG.
    seed_state: Option<u64>,
}

/// Words of OS randomness drawn per system call: identifiers are minted by the thousand
/// (ten per resource in a large apply), and one `getrandom` call each would dominate.
const RANDOM_BATCH: usize = 64;

thread_local! {
    static RANDOM_WORDS: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A fresh 64-bit word from the OS RNG, drawn in batches.
fn os_random_u64() -> u64 {
    RANDOM_WORDS.with(|cell| {
        let mut words = cell.borrow_mut();
        if words.is_empty() {
            let mut b = [0u8; RANDOM_BATCH * 8];
            if getrandom::fill(&mut b).is_err() {
                // Identifiers need uniqueness, not secrecy: fall back to the clock.
                return std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64);
            }
            words.extend(b.chunks_exact(8).map(|c| {
                let mut w = [0u8; 8];
                w.copy_from_slice(c);
                u64::from_le_bytes(w)
            }));
        }
        words.pop().unwrap_or_default()
    })
}

impl IdGen {
    pub fn random() -> IdGen {
        IdGen { seed_state: None }
    }

    pub fn seeded(seed: u64) -> IdGen {
        IdGen {
            seed_state: Some(seed),
        }
    }

    fn next_u64(&mut self) -> u64 {
        match &mut self.seed_state {
            Some(s) => {
                // splitmix64: tiny, fast and well distributed; identifiers only.
                *s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = *s;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
            None => os_random_u64(),
        }
    }

    fn bytes16(&mut self) -> [u8; 16] {
        let a = self.next_u64().to_le_bytes();
        let b = self.next_u64().to_le_bytes();
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&a);
        out[8..].copy_from_slice(&b);
        out
    }

    /// A UUID v4 string.
    pub fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.bytes16())
            .into_uuid()
            .to_string()
    }

    /// `n` characters from `alphabet`.
    pub fn chars(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n)
            .map(|_| alphabet[(self.next_u64() % alphabet.len() as u64) as usize] as char)
            .collect()
    }

    /// IAM-style unique id: prefix + 17 characters of A-Z and 2-7 (e.g. `AIDA...`).
    pub fn iam_id(&mut self, prefix: &str) -> String {
        format!(
            "{prefix}{}",
            self.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17)
        )
    }

    /// Hex string of `n` characters (request ids, hashes of nothing secret).
    pub fn hex(&mut self, n: usize) -> String {
        self.chars(b"0123456789abcdef", n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_generators_repeat_and_random_ones_differ() {
        let (mut a, mut b) = (IdGen::seeded(7), IdGen::seeded(7));
        assert_eq!(a.uuid(), b.uuid());
        let mut r = IdGen::random();
        assert_ne!(r.uuid(), r.uuid());
        assert!(a.iam_id("AIDA").starts_with("AIDA"));
        assert_eq!(a.iam_id("AIDA").len(), 21);
    }
}
