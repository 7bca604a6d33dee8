//! The fuzz targets of fuzz/ (HCL loading and evaluation, test files, state/world/journal
//! files, saved plans, policy documents, ciphertext blobs and Decrypt), run here as bounded
//! proptests so every `cargo test` exercises them on stable Rust: inputs are the fuzz seeds
//! (fuzz/seeds/<target>/) mutated at random (bit flips, byte changes, insertions, deletions,
//! splices of another seed), plus raw random bytes. The long runs are cargo-fuzz's (see the
//! README's Reliability section).

use std::path::{Path, PathBuf};

use proptest::prelude::*;

#[path = "../fuzz/harness.rs"]
mod harness;

/// The seeds of one target: fuzz/seeds/<target>/ plus, for the HCL and test-file targets, the
/// bundled labs' files (solutions, starters, tests), read where they live so no copy goes stale.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("fuzz/seeds").join(target);
    let mut files: Vec<PathBuf> = files_in(&dir);
    let lab_files = |f: &dyn Fn(&Path) -> Vec<PathBuf>| -> Vec<PathBuf> {
        files_in(&root.join("labs"))
            .iter()
            .flat_map(|lab| f(lab))
            .collect()
    };
    match target {
        "hcl" => files.extend(lab_files(&|lab: &Path| {
            [lab.join("main.tf"), lab.join("starter/main.tf")]
                .into_iter()
                .filter(|p| p.is_file())
                .collect()
        })),
        "test_file" => files.extend(lab_files(&|lab: &Path| files_in(&lab.join("tests")))),
        _ => {}
    }
    files.sort();
    assert!(!files.is_empty(), "no seeds for {target}");
    files
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect()
}

/// The entries of `dir` (files and folders), or nothing when it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// One mutation of a seed.
#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    /// Replace a range with a range of another seed.
    Splice(usize, usize, usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<usize>();
    prop_oneof![
        (pos, 0u8..8).prop_map(|(p, b)| Mutation::FlipBit(p, b)),
        (pos, any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
        (
            pos,
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                // Tokens that mean something to the parsers.
                proptest::sample::select(vec![
                    b"{".to_vec(),
                    b"}".to_vec(),
                    b"[".to_vec(),
                    b"\"".to_vec(),
                    b"${".to_vec(),
                    b"%{".to_vec(),
                    b"\n".to_vec(),
                    b"null".to_vec(),
                    b"1e308".to_vec(),
                    b"-1".to_vec(),
                    b"\\u0000".to_vec(),
                    b"*".to_vec(),
                ]),
            ]
        )
            .prop_map(|(p, b)| Mutation::Insert(p, b)),
        (pos, 1usize..64).prop_map(|(p, n)| Mutation::Delete(p, n)),
        (pos, 0usize..64, any::<usize>(), any::<usize>())
            .prop_map(|(p, n, s, q)| Mutation::Splice(p, n, s, q)),
        pos.prop_map(Mutation::Truncate),
    ]
}

fn mutate(seeds: &[Vec<u8>], pick: usize, ms: &[Mutation]) -> Vec<u8> {
    let mut b = seeds[pick % seeds.len()].clone();
    for m in ms {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
        match m {
            Mutation::FlipBit(p, bit) if !b.is_empty() => {
                let i = p % b.len();
                b[i] ^= 1 << bit;
            }
            Mutation::SetByte(p, v) if !b.is_empty() => {
                let i = p % b.len();
                b[i] = *v;
            }
            Mutation::Insert(p, bytes) => {
                let i = at(*p, b.len());
                b.splice(i..i, bytes.iter().copied());
            }
            Mutation::Delete(p, n) => {
                let i = at(*p, b.len());
                let end = (i + n).min(b.len());
                b.drain(i..end);
            }
            Mutation::Splice(p, n, s, q) => {
                let other = &seeds[s % seeds.len()];
                let from = at(*q, other.len());
                let piece = &other[from..(from + 64).min(other.len())];
                let i = at(*p, b.len());
                let end = (i + n).min(b.len());
                b.splice(i..end, piece.iter().copied());
            }
            Mutation::Truncate(p) => {
                let i = at(*p, b.len());
                b.truncate(i);
            }
            _ => {}
        }
    }
    b
}

/// Inputs for one target: mutated seeds most of the time, raw bytes sometimes.
fn inputs(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let s = seeds(target);
    prop_oneof![
        9 => (any::<usize>(), proptest::collection::vec(mutation(), 1..6))
            .prop_map(move |(pick, ms)| mutate(&s, pick, &ms)),
        1 => proptest::collection::vec(any::<u8>(), 0..512),
    ]
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[test]
fn every_seed_runs_unchanged() {
    for (target, f) in [
        ("hcl", harness::hcl as fn(&[u8])),
        ("test_file", harness::test_file),
        ("state", harness::state),
        ("saved_plan", harness::saved_plan),
        ("policy", harness::policy),
        ("ciphertext", harness::ciphertext),
    ] {
        for s in seeds(target) {
            f(&s);
        }
    }
}

proptest! {
    #![proptest_config(config(150))]

    #[test]
    fn fuzz_hcl(data in inputs("hcl")) {
        harness::hcl(&data);
    }

    #[test]
    fn fuzz_test_file(data in inputs("test_file")) {
        harness::test_file(&data);
    }

    #[test]
    fn fuzz_state(data in inputs("state")) {
        harness::state(&data);
    }
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn fuzz_saved_plan(data in inputs("saved_plan")) {
        harness::saved_plan(&data);
    }

    #[test]
    fn fuzz_policy(data in inputs("policy")) {
        harness::policy(&data);
    }

    #[test]
    fn fuzz_ciphertext(data in inputs("ciphertext")) {
        harness::ciphertext(&data);
    }
}
