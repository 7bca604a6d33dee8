//! The `Test` builder: files in a temp dir, a command, and assertions on its output.

#![allow(dead_code)]

pub(crate) mod wire;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working directory with files, in which keyform commands run.
pub(crate) struct Test {
    pub dir: tempfile::TempDir,
}

/// What one keyform run printed and returned.
pub(crate) struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            code: o.status.code().unwrap_or(-1),
        }
    }

    #[track_caller]
    pub(crate) fn success(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub(crate) fn status(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub(crate) fn stdout_has(self, s: &str) -> Run {
        assert!(
            self.stdout.contains(s),
            "stdout lacks {s:?}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub(crate) fn stderr_has(self, s: &str) -> Run {
        assert!(
            self.stderr.contains(s),
            "stderr lacks {s:?}\nstderr:\n{}\nstdout:\n{}",
            self.stderr,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub(crate) fn stderr_lacks(self, s: &str) -> Run {
        assert!(
            !self.stderr.contains(s),
            "stderr has {s:?}\nstderr:\n{}",
            self.stderr
        );
        self
    }

    /// Exact stdout, shown as a diff-friendly pair when it differs.
    #[track_caller]
    pub(crate) fn stdout_is(self, expected: &str) -> Run {
        assert!(
            self.stdout == expected,
            "stdout differs\n--- expected\n{expected}\n--- actual\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// One resource change block of a rendered plan: from its `  # ADDR ...` comment line to
    /// the closing `    }` line, inclusive. Panics if the plan has no such block.
    #[track_caller]
    pub(crate) fn block(&self, addr: &str) -> String {
        let head = format!("  # {addr} ");
        let lines: Vec<&str> = self.stdout.lines().collect();
        let Some(start) = lines.iter().position(|l| l.starts_with(&head)) else {
            panic!("no change block for {addr} in stdout:\n{}", self.stdout);
        };
        let end = lines[start..]
            .iter()
            .position(|l| *l == "    }")
            .map(|i| start + i)
            .unwrap_or_else(|| panic!("unterminated block for {addr}:\n{}", self.stdout));
        let mut out = lines[start..=end].join("\n");
        out.push('\n');
        out
    }

    #[track_caller]
    pub(crate) fn stdout_lacks(self, s: &str) -> Run {
        assert!(
            !self.stdout.contains(s),
            "stdout has {s:?}\nstdout:\n{}",
            self.stdout
        );
        self
    }
}

/// `tests/fixtures` of this crate.
pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

pub(crate) fn keyform_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_keyform"))
}

impl Test {
    pub(crate) fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A test directory holding a copy of `tests/fixtures/<rel>`.
    pub(crate) fn fixture(rel: &str) -> Test {
        let t = Test::new();
        copy_dir(&fixtures_dir().join(rel), t.path());
        t
    }

    /// A test directory holding a copy of a bundled lab's files (not its .keyform).
    pub(crate) fn lab(name: &str) -> Test {
        let t = Test::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("labs")
            .join(name);
        copy_dir(&src, t.path());
        t
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn file(self, name: &str, text: &str) -> Test {
        self.write(name, text);
        self
    }

    pub(crate) fn write(&self, name: &str, text: &str) {
        let p = self.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write fixture");
    }

    pub(crate) fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_default()
    }

    /// Runs `keyform ARGS` in the test directory (no terminal, no colour).
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = Command::new(keyform_bin());
        c.args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("KEYFORM_AS");
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(std::process::Stdio::null());
        Run::from(c.output().expect("run keyform"))
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    for e in std::fs::read_dir(src).expect("read lab dir").flatten() {
        let p = e.path();
        let name = e.file_name();
        if name == ".keyform" {
            continue;
        }
        let target = dst.join(&name);
        if p.is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}
