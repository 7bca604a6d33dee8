//! Embeds the bundled labs (README, starter and tests, never the reference `main.tf`) into the
//! binary, so `keyform lab start NAME` works from an installed keyform.

use std::fmt::Write as _;
use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            collect(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p.to_string_lossy().into_owned()));
        }
    }
}

fn main() {
    let labs = Path::new("labs");
    println!("cargo:rerun-if-changed=labs");
    let mut code = String::from(
        "/// (lab name, [(relative path, contents)]) of every bundled lab.\npub(crate) static LABS: &[(&str, &[(&str, &str)])] = &[\n",
    );
    let mut names: Vec<_> = std::fs::read_dir(labs)
        .map(|r| r.flatten().filter(|e| e.path().is_dir()).collect())
        .unwrap_or_default();
    // A lab is a directory with a reference solution (labs/ci holds the CI workflow).
    names.retain(|e| e.path().join("main.tf").is_file());
    names.sort_by_key(|e| e.file_name());
    for lab in names {
        let lab_dir = lab.path();
        let name = lab.file_name().to_string_lossy().into_owned();
        let mut files = Vec::new();
        let readme = lab_dir.join("README.md");
        if readme.is_file() {
            files.push((
                "README.md".to_string(),
                readme.to_string_lossy().into_owned(),
            ));
        }
        // The starter becomes the learner's working directory; tests come along to grade it.
        let mut starter = Vec::new();
        collect(
            &lab_dir.join("starter"),
            &lab_dir.join("starter"),
            &mut starter,
        );
        files.extend(starter);
        let mut tests = Vec::new();
        collect(&lab_dir.join("tests"), &lab_dir.join("tests"), &mut tests);
        files.extend(tests.into_iter().map(|(r, p)| (format!("tests/{r}"), p)));
        let _ = writeln!(code, "    ({name:?}, &[");
        for (rel, path) in files {
            let abs = std::fs::canonicalize(&path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or(path);
            let _ = writeln!(code, "        ({rel:?}, include_str!({abs:?})),");
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    let out =
        std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("labs.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=could not write {}: {e}", out.display());
    }
}
