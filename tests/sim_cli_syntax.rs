//! `keyform sim` speaks the AWS CLI: the same command lines (shorthand syntax, lists of
//! structures, maps, `--output table|text|json`, `--query`) print the same thing with
//! `keyform sim` as with the real AWS CLI v1 against `keyform serve`; plus what only sim has
//! (`--cli-input-json`, `--generate-cli-skeleton`, `--cli-binary-format`, `--profile`).

use std::process::Command;

use crate::support::Test;
use crate::support::wire::Served;

const MAIN: &str = "provider \"aws\" {\n  region = \"us-east-1\"\n}\n";

/// Runs one command line on a side: the AWS CLI against serve, or keyform sim.
trait Side {
    fn run(&self, args: &[String]) -> (i32, String, String);
    fn dir(&self) -> &std::path::Path;
}

struct Aws<'a> {
    py: &'a str,
    t: &'a Test,
    s: &'a Served,
}

impl Side for Aws<'_> {
    fn run(&self, args: &[String]) -> (i32, String, String) {
        let o = Command::new(self.py)
            .args(["-m", "awscli"])
            .args(args)
            .args(["--endpoint-url", &format!("http://{}", self.s.addr)])
            .current_dir(self.t.path())
            .env("AWS_ACCESS_KEY_ID", &self.s.admin.id)
            .env("AWS_SECRET_ACCESS_KEY", &self.s.admin.secret)
            .env("AWS_DEFAULT_REGION", &self.s.region)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("run the AWS CLI");
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
    fn dir(&self) -> &std::path::Path {
        self.t.path()
    }
}

struct Sim<'a>(&'a Test);

impl Side for Sim<'_> {
    fn run(&self, args: &[String]) -> (i32, String, String) {
        let mut all = vec!["sim"];
        all.extend(args.iter().map(String::as_str));
        let r = self.0.run(&all);
        (r.code, r.stdout, r.stderr)
    }
    fn dir(&self) -> &std::path::Path {
        self.0.path()
    }
}

fn words(s: &[&str]) -> Vec<String> {
    s.iter().map(|w| w.to_string()).collect()
}

/// The story both sides tell; returns what each step printed (stdout, or the stderr of a
/// step that must fail).
fn story(side: &dyn Side) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut step = |args: Vec<String>, fails: bool, record: bool| {
        let (code, stdout, stderr) = side.run(&args);
        assert_eq!(
            code != 0,
            fails,
            "{}: exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            args.join(" ")
        );
        let shown = if fails {
            stderr.trim().to_string()
        } else {
            stdout
        };
        if record {
            out.push((args.join(" "), shown.clone()));
        }
        shown
    };
    let b = "cli-syntax-bucket";
    step(
        words(&["s3api", "create-bucket", "--bucket", b]),
        false,
        true,
    );
    step(
        words(&[
            "s3api",
            "put-public-access-block",
            "--bucket",
            b,
            "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false",
        ]),
        false,
        true,
    );
    for o in ["table", "json", "text"] {
        step(
            words(&[
                "s3api",
                "get-public-access-block",
                "--bucket",
                b,
                "--output",
                o,
            ]),
            false,
            true,
        );
    }
    step(
        words(&[
            "s3api",
            "put-bucket-encryption",
            "--bucket",
            b,
            "--server-side-encryption-configuration",
            "Rules=[{ApplyServerSideEncryptionByDefault={SSEAlgorithm=AES256},BucketKeyEnabled=false}]",
        ]),
        false,
        true,
    );
    step(
        words(&[
            "s3api",
            "get-bucket-encryption",
            "--bucket",
            b,
            "--output",
            "table",
        ]),
        false,
        true,
    );
    let id = step(
        words(&[
            "kms",
            "create-key",
            "--description",
            "lab key",
            "--tags",
            "TagKey=team,TagValue=blue",
            "TagKey=env,TagValue=lab",
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text",
        ]),
        false,
        false,
    );
    let id = id.trim().to_string();
    for o in ["table", "text"] {
        step(
            words(&["kms", "list-resource-tags", "--key-id", &id, "--output", o]),
            false,
            true,
        );
    }
    let ct = step(
        words(&[
            "kms",
            "encrypt",
            "--key-id",
            &id,
            "--plaintext",
            "hello",
            "--encryption-context",
            "purpose=test,team=blue",
            "--query",
            "CiphertextBlob",
            "--output",
            "text",
        ]),
        false,
        false,
    );
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(ct.trim())
        .expect("ciphertext is base64");
    std::fs::write(side.dir().join("ct.bin"), bytes).expect("write ct.bin");
    step(
        words(&[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            "fileb://ct.bin",
            "--encryption-context",
            "purpose=test,team=blue",
            "--query",
            "Plaintext",
            "--output",
            "text",
        ]),
        false,
        true,
    );
    step(
        words(&[
            "iam",
            "create-role",
            "--role-name",
            "Auditor",
            "--assume-role-policy-document",
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}"#,
            "--tags",
            "Key=team,Value=blue",
            "Key=room,Value=101",
            "--query",
            "Role.Tags",
            "--output",
            "table",
        ]),
        false,
        true,
    );
    // Shorthand mistakes fail before any call, with the AWS CLI's caret message.
    step(
        words(&[
            "kms",
            "tag-resource",
            "--key-id",
            &id,
            "--tags",
            "TagKey=a,TagValue=b,TagKey=c",
        ]),
        true,
        true,
    );
    step(
        words(&[
            "s3api",
            "put-public-access-block",
            "--bucket",
            b,
            "--public-access-block-configuration",
            "BlockPublicAcls=maybe",
        ]),
        true,
        true,
    );
    out
}

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and awscli (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn sim_prints_what_the_aws_cli_prints_for_the_same_command_lines() {
    let py = env!("KEYFORM_TOOL_BOTO3");
    let served_dir = Test::new().file("main.tf", MAIN);
    let s = Served::start(&served_dir, &[]);
    let aws = story(&Aws {
        py,
        t: &served_dir,
        s: &s,
    });
    let sim_dir = Test::new().file("main.tf", MAIN);
    let sim = story(&Sim(&sim_dir));
    assert_eq!(aws.len(), sim.len());
    for ((cmd, a), (_, k)) in aws.iter().zip(&sim) {
        // JSON is compared as values: sim prints members in sorted order.
        if let (Ok(x), Ok(y)) = (
            serde_json::from_str::<serde_json::Value>(a),
            serde_json::from_str::<serde_json::Value>(k),
        ) {
            assert_eq!(x, y, "`{cmd}` prints different JSON");
            continue;
        }
        assert_eq!(
            a, k,
            "`{cmd}` prints differently\n--- aws\n{a}\n--- keyform sim\n{k}"
        );
    }
}

#[test]
fn cli_input_json_skeletons_binary_formats_and_profiles() {
    let t = Test::new().file("main.tf", MAIN);
    // --generate-cli-skeleton prints the input and calls nothing.
    let sk = t
        .run(&["sim", "kms", "encrypt", "--generate-cli-skeleton"])
        .success();
    let v: serde_json::Value = serde_json::from_str(&sk.stdout).expect("skeleton is JSON");
    assert_eq!(v["EncryptionContext"], serde_json::json!({"KeyName": ""}));
    assert_eq!(v["KeyId"], "");
    // ... and a filled-in skeleton is a whole call; the command line wins over the file.
    let id = t
        .run(&[
            "sim",
            "kms",
            "create-key",
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text",
        ])
        .success()
        .stdout
        .trim()
        .to_string();
    t.write(
        "in.json",
        &format!(r#"{{"KeyId": "{id}", "Plaintext": "from the file", "EncryptionContext": {{"a": "b"}}}}"#),
    );
    let ct = t
        .run(&[
            "sim",
            "kms",
            "encrypt",
            "--cli-input-json",
            "file://in.json",
            "--plaintext",
            "from the line",
            "--query",
            "CiphertextBlob",
            "--output",
            "text",
        ])
        .success()
        .stdout;
    t.run(&[
        "sim",
        "kms",
        "decrypt",
        "--ciphertext-blob",
        ct.trim(),
        "--encryption-context",
        "a=b",
        "--query",
        "Plaintext",
        "--output",
        "text",
    ])
    .success()
    .stdout_is("ZnJvbSB0aGUgbGluZQ==\n");
    // --cli-binary-format base64 takes binary parameters as base64 (AWS CLI v2's default).
    let ct = t
        .run(&[
            "sim",
            "kms",
            "encrypt",
            "--key-id",
            &id,
            "--plaintext",
            "aGk=",
            "--cli-binary-format",
            "base64",
            "--query",
            "CiphertextBlob",
            "--output",
            "text",
        ])
        .success()
        .stdout;
    t.run(&[
        "sim",
        "kms",
        "decrypt",
        "--ciphertext-blob",
        ct.trim(),
        "--query",
        "Plaintext",
        "--output",
        "text",
    ])
    .success()
    .stdout_is("aGk=\n");
    t.run(&[
        "sim",
        "kms",
        "encrypt",
        "--key-id",
        &id,
        "--plaintext",
        "not base64!",
        "--cli-binary-format",
        "base64",
    ])
    .status(252)
    .stderr_has("Invalid base64");
    // --output yaml, as AWS CLI v2 prints it.
    t.run(&[
        "sim",
        "kms",
        "describe-key",
        "--key-id",
        &id,
        "--output",
        "yaml",
    ])
    .success()
    .stdout_has("KeyMetadata:\n  AWSAccountId: '123456789012'\n")
    .stdout_has("  EncryptionAlgorithms:\n  - SYMMETRIC_DEFAULT\n");
    // --profile: a role_arn profile is a session of the role; a profile no file names is the
    // user of that name; an access key no user owns is refused as AWS refuses it.
    t.run(&["sim", "iam", "create-user", "--user-name", "bob"])
        .success();
    t.write(
        "aws-config",
        "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = default\n\n[profile stranger]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    );
    let env = [
        ("AWS_CONFIG_FILE", "aws-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    t.run_env(
        &[
            "sim",
            "sts",
            "get-caller-identity",
            "--profile",
            "bob",
            "--query",
            "Arn",
            "--output",
            "text",
        ],
        &env,
    )
    .success()
    .stdout_is("arn:aws:iam::123456789012:user/bob\n");
    t.run_env(
        &["sim", "sts", "get-caller-identity", "--profile", "auditor"],
        &env,
    )
    .status(252)
    .stderr_has("there is no IAM role named \"Auditor\"")
    .stderr_has("--profile auditor");
    t.run_env(
        &["sim", "sts", "get-caller-identity", "--profile", "stranger"],
        &env,
    )
    .status(254)
    .stderr_has("InvalidClientTokenId");
}

/// A `role_arn` profile is assumed by its `source_profile`'s identity, as the AWS CLI does it:
/// the trust policy decides for that identity, not for lab-admin.
#[test]
fn a_role_profile_is_assumed_by_its_source_profile() {
    let t = Test::new().file("main.tf", MAIN);
    t.run(&["sim", "iam", "create-user", "--user-name", "app-host"])
        .success();
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"arn:aws:iam::123456789012:user/app-host"}}]}"#;
    t.run(&[
        "sim",
        "iam",
        "create-role",
        "--role-name",
        "app",
        "--assume-role-policy-document",
        trust,
    ])
    .success();
    t.write(
        "aws-config",
        "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = app-host\nrole_session_name = worker\n\n[profile admin-app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = default\n\n[profile ghost-app]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = nobody\n\n[profile loop]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = loop2\n\n[profile loop2]\nrole_arn = arn:aws:iam::123456789012:role/app\nsource_profile = loop\n",
    );
    let env = [
        ("AWS_CONFIG_FILE", "aws-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ];
    let who = |profile: &str| {
        t.run_env(
            &[
                "sim",
                "sts",
                "get-caller-identity",
                "--profile",
                profile,
                "--query",
                "Arn",
                "--output",
                "text",
            ],
            &env,
        )
    };
    who("app")
        .success()
        .stdout_is("arn:aws:sts::123456789012:assumed-role/app/worker\n");
    // `default` without keys is lab-admin, whom the trust policy does not name.
    who("admin-app")
        .status(254)
        .stderr_has("(AccessDenied) when calling the AssumeRole operation");
    who("ghost-app")
        .status(252)
        .stderr_has("source_profile \"nobody\" has no credentials");
    who("loop").status(252).stderr_has("loop of profiles");
}

#[test]
fn high_level_s3_commands_move_folders_with_sse_kms() {
    let t = Test::new()
        .file("main.tf", MAIN)
        .file("site/index.html", "<h1>hi</h1>\n")
        .file("site/css/a.css", "body {}\n")
        .file("one.txt", "one\n");
    t.run(&["sim", "s3", "mb", "s3://web-bucket-1"])
        .success()
        .stdout_is("make_bucket: web-bucket-1\n");
    let id = t
        .run(&[
            "sim",
            "kms",
            "create-key",
            "--query",
            "KeyMetadata.KeyId",
            "--output",
            "text",
        ])
        .success()
        .stdout
        .trim()
        .to_string();
    t.run(&[
        "sim",
        "s3",
        "cp",
        "one.txt",
        "s3://web-bucket-1/",
        "--sse",
        "aws:kms",
        "--sse-kms-key-id",
        &id,
    ])
    .success()
    .stdout_is("upload: ./one.txt to s3://web-bucket-1/one.txt\n");
    t.run(&[
        "sim",
        "s3api",
        "head-object",
        "--bucket",
        "web-bucket-1",
        "--key",
        "one.txt",
        "--query",
        "[ServerSideEncryption, SSEKMSKeyId]",
        "--output",
        "text",
    ])
    .success()
    .stdout_has("aws:kms\t")
    .stdout_has(&id);
    // Bucket to bucket: one CopyObject, re-encrypted under the key named; mv removes the source.
    t.run(&[
        "sim",
        "s3",
        "cp",
        "s3://web-bucket-1/one.txt",
        "s3://web-bucket-1/copies/",
        "--sse",
        "aws:kms",
        "--sse-kms-key-id",
        &id,
    ])
    .success()
    .stdout_is("copy: s3://web-bucket-1/one.txt to s3://web-bucket-1/copies/one.txt\n");
    t.run(&[
        "sim",
        "s3api",
        "get-object",
        "--bucket",
        "web-bucket-1",
        "--key",
        "copies/one.txt",
        "copied.txt",
        "--query",
        "SSEKMSKeyId",
        "--output",
        "text",
    ])
    .success()
    .stdout_has(&id);
    assert_eq!(t.read("copied.txt"), t.read("one.txt"));
    t.run(&[
        "sim",
        "s3",
        "mv",
        "s3://web-bucket-1/copies",
        "s3://web-bucket-1/moved",
        "--recursive",
    ])
    .success()
    .stdout_is("move: s3://web-bucket-1/copies/one.txt to s3://web-bucket-1/moved/one.txt\n");
    t.run(&[
        "sim",
        "s3api",
        "get-object",
        "--bucket",
        "web-bucket-1",
        "--key",
        "copies/one.txt",
        "gone.txt",
    ])
    .status(254)
    .stderr_has("(NoSuchKey) when calling the GetObject operation");
    t.run(&["sim", "s3", "rm", "s3://web-bucket-1/moved/one.txt"])
        .success();
    t.run(&["sim", "s3", "sync", "site", "s3://web-bucket-1/site"])
        .success()
        .stdout_is("upload: ./site/css/a.css to s3://web-bucket-1/site/css/a.css\nupload: ./site/index.html to s3://web-bucket-1/site/index.html\n");
    // Nothing changed: nothing to upload.
    t.run(&["sim", "s3", "sync", "site", "s3://web-bucket-1/site"])
        .success()
        .stdout_is("");
    let ls = t.run(&["sim", "s3", "ls", "s3://web-bucket-1"]).success();
    assert!(
        ls.stdout.contains("                           PRE site/\n"),
        "{}",
        ls.stdout
    );
    assert!(
        ls.stdout.ends_with("          4 one.txt\n"),
        "{}",
        ls.stdout
    );
    t.run(&["sim", "s3", "ls", "s3://web-bucket-1", "--recursive"])
        .success()
        .stdout_has(" site/css/a.css\n");
    t.run(&[
        "sim",
        "s3",
        "cp",
        "s3://web-bucket-1/site",
        "out",
        "--recursive",
    ])
    .success();
    assert_eq!(t.read("out/css/a.css"), "body {}\n");
    t.run(&["sim", "s3", "mv", "s3://web-bucket-1/one.txt", "back.txt"])
        .success()
        .stdout_is("move: s3://web-bucket-1/one.txt to ./back.txt\n");
    assert_eq!(t.read("back.txt"), "one\n");
    // A bucket with objects is not removed without --force, as in AWS.
    t.run(&["sim", "s3", "rb", "s3://web-bucket-1"])
        .status(254)
        .stderr_has("BucketNotEmpty");
    t.run(&["sim", "s3", "rb", "s3://web-bucket-1", "--force"])
        .success()
        .stdout_has("remove_bucket: web-bucket-1\n");
    // Who calls matters as for s3api: a user without permissions is denied.
    t.run(&["sim", "iam", "create-user", "--user-name", "nobody"])
        .success();
    t.run(&["sim", "s3", "ls", "--as", "nobody"])
        .status(254)
        .stderr_has("AccessDenied");
}
