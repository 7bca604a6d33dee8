//! Damaged files under `.keyform/` and saved plans: truncated, bit-flipped, empty, valid JSON of
//! the wrong shape, hand-mangled fields, a newer format. Each is refused with an error naming
//! the file and the way out; the damaged file is left as it was (never silently reset); no
//! panic. Following the way out works.

use std::path::{Path, PathBuf};

use serde_json::{Value as Json, json};

use crate::support::{Run, Test};

const LAB: &str = "aerosecure-sse-kms";

/// An applied lab, applied twice so both backups exist (the second apply changes something).
fn applied() -> Test {
    let t = Test::lab(LAB);
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["sim", "clock", "advance", "1d"]).success();
    t
}

fn kf(t: &Test, name: &str) -> PathBuf {
    t.path().join(".keyform").join(name)
}

/// A command that must refuse the damage: exit 1, the file named, the way out given, the
/// file untouched, no panic.
#[track_caller]
fn refused(t: &Test, args: &[&str], file: &Path, needles: &[&str], what: &str) -> Run {
    let before = std::fs::read(file).ok();
    let r = t.run(args);
    let name = file.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        r.code, 1,
        "{what}: {args:?} must fail\nstderr:\n{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "{what}: panic\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(name),
        "{what}: the error names {name}:\n{}",
        r.stderr
    );
    for n in needles {
        assert!(r.stderr.contains(n), "{what}: lacks {n:?}:\n{}", r.stderr);
    }
    assert_eq!(
        std::fs::read(file).ok(),
        before,
        "{what}: the damaged file was changed"
    );
    r
}

/// Every kind of damage to a JSON file, as (description, new bytes).
fn json_damage(orig: &[u8], extra: &[(&str, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("truncated to half".into(), orig[..orig.len() / 2].to_vec()),
        ("last byte missing".into(), orig[..orig.len() - 1].to_vec()),
        ("invalid JSON".into(), b"{\"version\": 4,,}".to_vec()),
        ("not UTF-8".into(), b"{\"x\": \"\xff\xfe\"}".to_vec()),
        ("a JSON list".into(), b"[]".to_vec()),
        ("a JSON string".into(), b"\"state\"".to_vec()),
        ("null".into(), b"null".to_vec()),
        ("an empty object".into(), b"{}".to_vec()),
        ("NUL bytes".into(), vec![0u8; 64]),
    ];
    // Bit flips spread over the file, inside names, values, structure and the checksum.
    for i in 0..12 {
        let mut b = orig.to_vec();
        let at = (i * 7919 + 13) % b.len();
        b[at] ^= 1 << (i % 7);
        out.push((format!("bit flip at byte {at}"), b));
    }
    out.push(("checksum removed".into(), unsealed(orig)));
    for (d, b) in extra {
        out.push(((*d).to_string(), b.clone()));
    }
    out
}

/// Rewrites a JSON file through `f` as a hand edit of an older, checksum-less format 1 file
/// would look, so the shape checks themselves are what is tested.
fn mangled(orig: &[u8], f: impl Fn(&mut Json)) -> Vec<u8> {
    let mut j: Json = serde_json::from_slice(orig).unwrap();
    let m = j.as_object_mut().unwrap();
    m.remove("keyform_checksum");
    for k in ["keyform_format", "keyform_plan_format"] {
        if m.contains_key(k) {
            m.insert(k.into(), json!(1));
        }
    }
    f(&mut j);
    serde_json::to_vec_pretty(&j).unwrap()
}

/// The file with only its checksum removed (a hand edit of a current file).
fn unsealed(orig: &[u8]) -> Vec<u8> {
    let mut j: Json = serde_json::from_slice(orig).unwrap();
    j.as_object_mut().unwrap().remove("keyform_checksum");
    serde_json::to_vec_pretty(&j).unwrap()
}

/// The cp commands the recovery hint gives, run as a user would.
fn follow_restore_hint(t: &Test, stderr: &str) {
    let start = stderr.find("`cp ").expect("a cp command in the hint") + 1;
    let end = start + stderr[start..].find('`').unwrap();
    let cmd = &stderr[start..end];
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(t.path())
        .status()
        .unwrap();
    assert!(st.success(), "{cmd}");
}

#[test]
fn damaged_state_files_are_refused_with_the_way_out() {
    let t = applied();
    let path = kf(&t, "state.json");
    let orig = std::fs::read(&path).unwrap();
    let extra = [
        (
            "resources of the wrong type",
            mangled(&orig, |j| j["resources"] = json!({})),
        ),
        (
            "serial not a number",
            mangled(&orig, |j| j["serial"] = json!("x")),
        ),
        (
            "an instance without attributes",
            mangled(&orig, |j| {
                j["resources"][0]["instances"][0]["attributes"] = json!(7)
            }),
        ),
        (
            "no lineage",
            mangled(&orig, |j| {
                j.as_object_mut().unwrap().remove("lineage");
            }),
        ),
        (
            "a duplicated resource",
            mangled(&orig, |j| {
                let r = j["resources"][0].clone();
                j["resources"].as_array_mut().unwrap().push(r);
            }),
        ),
        ("version 3", mangled(&orig, |j| j["version"] = json!(3))),
    ];
    let cases = json_damage(&orig, &extra);
    eprintln!("damaged state.json variants: {}", cases.len());
    for (what, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let r = refused(
            &t,
            &["plan"],
            &path,
            &["state.json.backup", "world.json.backup", "keyform plan"],
            &what,
        );
        assert!(r.stderr.contains("is damaged"), "{what}: {}", r.stderr);
        refused(&t, &["state", "list"], &path, &["state.json.backup"], &what);
        refused(
            &t,
            &["apply", "-auto-approve"],
            &path,
            &["state.json.backup"],
            &what,
        );
    }
    // Following the way out works: the previous pair is restored and plan runs.
    std::fs::write(&path, b"{").unwrap();
    let r = t.run(&["plan"]).status(1);
    follow_restore_hint(&t, &r.stderr);
    t.run(&["plan"]).success();
}

#[test]
fn a_state_or_world_from_a_newer_keyform_is_refused_as_such() {
    let t = applied();
    for (name, field) in [
        ("state.json", "keyform_format"),
        ("world.json", "keyform_format"),
    ] {
        let path = kf(&t, name);
        let orig = std::fs::read(&path).unwrap();
        // As a newer keyform would write it: its own checksum, which may not be ours.
        let newer = mangled(&orig, |j| {
            j[field] = json!(99);
            j["keyform_checksum"] = json!("a future checksum scheme");
        });
        std::fs::write(&path, &newer).unwrap();
        let r = refused(
            &t,
            &["plan"],
            &path,
            &["newer keyform", "99", "upgrade keyform"],
            name,
        );
        assert!(!r.stderr.contains("damaged"), "{}", r.stderr);
        std::fs::write(&path, &orig).unwrap();
        t.run(&["plan"]).success();
    }
}

#[test]
fn damaged_world_files_are_refused_with_the_way_out() {
    let t = applied();
    let path = kf(&t, "world.json");
    let orig = std::fs::read(&path).unwrap();
    let extra = [
        (
            "kms of the wrong type",
            mangled(&orig, |j| j["world"]["kms"] = json!(5)),
        ),
        (
            "no world",
            mangled(&orig, |j| {
                j.as_object_mut().unwrap().remove("world");
            }),
        ),
        (
            "journal_seq not a number",
            mangled(&orig, |j| j["journal_seq"] = json!("x")),
        ),
        (
            "format as text",
            mangled(&orig, |j| j["keyform_format"] = json!("1")),
        ),
    ];
    let cases = json_damage(&orig, &extra);
    eprintln!("damaged world.json variants: {}", cases.len());
    for (what, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let r = refused(
            &t,
            &["plan"],
            &path,
            &["world.json.backup", "state.json.backup"],
            &what,
        );
        assert!(r.stderr.contains("is damaged"), "{what}: {}", r.stderr);
        let r = t.run(&["sim", "kms", "list-keys"]);
        assert_ne!(r.code, 0, "{what}: sim must refuse too");
        assert!(r.stderr.contains("world.json"), "{what}: {}", r.stderr);
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    }
    std::fs::write(&path, b"").unwrap();
    let r = t.run(&["plan"]).status(1);
    follow_restore_hint(&t, &r.stderr);
    t.run(&["plan"]).success();
}

#[test]
fn a_missing_state_or_world_is_never_silently_recreated() {
    let t = applied();
    std::fs::remove_file(kf(&t, "world.json")).unwrap();
    for args in [&["plan"][..], &["apply", "-auto-approve"], &["init"]] {
        t.run(args)
            .status(1)
            .stderr_has("world.json")
            .stderr_has("is missing, but state.json is still there")
            .stderr_has("world.json.backup");
    }
    assert!(!kf(&t, "world.json").exists(), "no new world was made");
    let t = applied();
    std::fs::remove_file(kf(&t, "state.json")).unwrap();
    t.run(&["plan"])
        .status(1)
        .stderr_has("state.json")
        .stderr_has("is missing while world.json is there")
        .stderr_has("state.json.backup");
    assert!(!kf(&t, "state.json").exists());
}

#[test]
fn damaged_journals_are_refused_and_the_truncate_hint_keeps_the_intact_changes() {
    let t = Test::lab(LAB);
    t.run(&["init"]).success();
    // Leave a journal: crash the apply after its 4th record.
    let r = t.run_env(
        &["apply", "-auto-approve"],
        &[("KEYFORM_CRASH_AFTER", "write:4")],
    );
    assert_eq!(r.code, -1, "the apply was crashed");
    t.run(&["force-unlock"]).success();
    let path = kf(&t, "journal.jsonl");
    let orig = std::fs::read(&path).unwrap();
    let lines = orig.iter().filter(|&&b| b == b'\n').count();
    assert!(lines >= 4, "{lines} records");
    t.run(&["plan"]).success().stdout_has("1 to add");
    // A torn last record is what a crash leaves: the changes before it are kept.
    let second = orig.iter().position(|&b| b == b'\n').unwrap() + 1;
    std::fs::write(&path, &orig[..orig.len() - 10]).unwrap();
    t.run(&["plan"]).success();
    // Damage in the middle: refused with the exact truncate command.
    for (what, bytes) in [
        ("bit flip in record 2", {
            let mut b = orig.clone();
            b[second + 20] ^= 0x04;
            b
        }),
        ("record 2 cut short", {
            let mut b = orig[..second + 30].to_vec();
            b.extend_from_slice(b"\n");
            b.extend_from_slice(&orig[second..]);
            b
        }),
        ("NUL bytes in record 2", {
            let mut b = orig.clone();
            for x in &mut b[second + 5..second + 40] {
                *x = 0;
            }
            b
        }),
        ("garbage line", {
            let mut b = orig[..second].to_vec();
            b.extend_from_slice(b"not a record\n");
            b.extend_from_slice(&orig[second..]);
            b
        }),
    ] {
        std::fs::write(&path, &bytes).unwrap();
        refused(
            &t,
            &["plan"],
            &path,
            &[
                "line 2 is damaged",
                "The 1 change(s) before it are intact",
                &format!("truncate -s {second} "),
            ],
            what,
        );
    }
    // Following the hint: one change kept, the rest redone by apply.
    let r = t.run(&["plan"]).status(1);
    let start = r.stderr.find("`truncate").unwrap() + 1;
    let end = start + r.stderr[start..].find('`').unwrap();
    let st = std::process::Command::new("sh")
        .arg("-c")
        .arg(&r.stderr[start..end])
        .current_dir(t.path())
        .status()
        .unwrap();
    assert!(st.success());
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["plan", "-detailed-exitcode"]).status(0);
    // A record from a newer keyform.
    let text = r#"{"v":9,"seq":99}"#;
    let sum = &keyform::sim::crypto::sha256_hex(text.as_bytes())[..16];
    std::fs::write(&path, format!("{text} {sum}\n")).unwrap();
    refused(
        &t,
        &["plan"],
        &path,
        &["newer keyform", "upgrade keyform"],
        "newer",
    );
    // An empty journal is no journal.
    std::fs::write(&path, b"").unwrap();
    t.run(&["plan", "-detailed-exitcode"]).status(0);
}

#[test]
fn a_damaged_missing_or_replaced_root_key_is_refused_never_replaced() {
    let t = applied();
    let path = kf(&t, "root.key");
    let orig = std::fs::read(&path).unwrap();
    let mut flipped = orig.clone();
    flipped[5] ^= 0x10;
    let cases: Vec<(&str, Option<Vec<u8>>, &str)> = vec![
        ("missing", None, "is missing"),
        ("empty", Some(Vec::new()), "0 bytes"),
        ("truncated", Some(orig[..16].to_vec()), "16 bytes"),
        (
            "extended",
            Some([orig.clone(), vec![0]].concat()),
            "33 bytes",
        ),
        ("bit flip", Some(flipped), "does not open the key material"),
        (
            "another key",
            Some(vec![7u8; 32]),
            "does not open the key material",
        ),
    ];
    for (what, bytes, needle) in cases {
        match &bytes {
            Some(b) => write_private(&path, b),
            None => std::fs::remove_file(&path).unwrap(),
        }
        for args in [&["plan"][..], &["init"]] {
            let r = t.run(args);
            assert_eq!(r.code, 1, "{what}: {args:?}: {}", r.stderr);
            assert!(
                r.stderr.contains("root.key") && r.stderr.contains(needle),
                "{what}: {}",
                r.stderr
            );
            assert!(r.stderr.contains("put the original file back"), "{what}");
        }
        assert_eq!(std::fs::read(&path).ok(), bytes, "{what}: never replaced");
    }
    write_private(&path, &orig);
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    t.run(&["plan"]).status(1).stderr_has("chmod 600");
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    t.run(&["plan"]).success();
}

fn write_private(path: &Path, bytes: &[u8]) {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .unwrap();
    std::io::Write::write_all(&mut f, bytes).unwrap();
}

#[test]
fn damaged_plan_files_are_refused_with_the_way_out() {
    let t = Test::lab(LAB);
    t.run(&["plan", "-out=lab.tfplan"]).success();
    let path = t.path().join("lab.tfplan");
    let orig = std::fs::read(&path).unwrap();
    let extra = [
        ("an action nobody approved", {
            let mut j: Json = serde_json::from_slice(&orig).unwrap();
            j["changes"][0]["action"] = json!("delete");
            serde_json::to_vec(&j).unwrap()
        }),
        (
            "newer format",
            mangled(&orig, |j| j["keyform_plan_format"] = json!(7)),
        ),
    ];
    let cases = json_damage(&orig, &extra);
    eprintln!("damaged plan file variants: {}", cases.len());
    for (what, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        for args in [&["apply", "lab.tfplan"][..], &["show", "lab.tfplan"]] {
            let r = refused(&t, args, &path, &["Failed to read plan file"], &what);
            assert!(
                r.stderr.contains("keyform plan -out=FILE") || r.stderr.contains("upgrade keyform"),
                "{what}: {}",
                r.stderr
            );
        }
    }
    // Nothing was applied from any of them.
    t.run(&["state", "list"]).success();
    assert!(
        t.run(&["state", "list"]).stdout.is_empty(),
        "no damaged plan applied anything"
    );
    std::fs::write(&path, &orig).unwrap();
    t.run(&["apply", "lab.tfplan"]).success();
}

/// In-process: flipping each bit position of state.json and world.json is detected on load,
/// never believed and never a panic.
#[test]
fn every_single_byte_flip_of_state_and_world_is_detected() {
    let t = applied();
    let mut tried = 0;
    for name in ["state.json", "world.json"] {
        let path = kf(&t, name);
        let orig = std::fs::read(&path).unwrap();
        // Every byte of the state; a stride through the (larger) world.
        let stride = if name == "state.json" { 1 } else { 3 };
        for at in (0..orig.len()).step_by(stride) {
            let mut b = orig.clone();
            b[at] ^= 1 << (at % 8);
            std::fs::write(&path, &b).unwrap();
            let mut ws = keyform::workspace::Workspace::at(t.path());
            assert!(
                ws.load().is_err(),
                "{name}: flipping bit {} of byte {at} ({:?}) went unnoticed",
                at % 8,
                orig[at] as char
            );
            tried += 1;
        }
        std::fs::write(&path, &orig).unwrap();
    }
    eprintln!("byte flips tried: {tried}");
    assert!(keyform::workspace::Workspace::at(t.path()).load().is_ok());
}
