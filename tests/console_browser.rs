//! The console in a real browser: headless Chromium, driven through WebDriver (Debian's
//! chromium-driver) with fantoccini, plays seed 001 by clicking (the key with a key user, the
//! bucket with SSE-KMS default encryption, the upload and its encryption properties,
//! AccessDenied for S3-Admin-User, the object opened by S3-KMS-Admin-User, the key's deletion)
//! and seed 004's CloudTrail check (the encryption event names the key and the file); then
//! the root user signs in, filters the event history by user and deletes the object.
//!
//! With `KEYFORM_SCREENSHOTS=DIR` the pages are saved there as PNG (the README's are taken so:
//! `KEYFORM_SCREENSHOTS=$PWD/tests/screenshots cargo test --test integration -- console_browser`).

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::{Test, keyform_bin};

const CHROMEDRIVER: &str = env!("KEYFORM_TOOL_CHROMIUM");
const BROWSER: &str = env!("KEYFORM_TOOL_CHROMIUM_BROWSER");

/// A child process killed on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// chromedriver on a free loopback port, once it accepts connections.
fn start_chromedriver() -> (Killed, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "chromedriver did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Killed(child), format!("http://127.0.0.1:{port}"))
}

/// `keyform console` in `t`: its base URL, account id, lab-admin's password and the root
/// user's email address and password.
struct Console {
    _child: Killed,
    base: String,
    account: String,
    admin_password: String,
    root_email: String,
    root_password: String,
}

fn start_console(t: &Test) -> Console {
    let mut child = Command::new(keyform_bin())
        .args(["console", "-port=0", "-ready-file=console.ready"])
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start keyform console");
    let out = child.stdout.take().expect("console stdout");
    let child = Killed(child);
    let mut lines = BufReader::new(out).lines();
    let line = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("console: "))
        .expect("keyform console printed its URL");
    // console root user: EMAIL (password, shown once: PW)
    let root_line = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.starts_with("console root user: "))
        .expect("keyform console printed the root user's sign-in");
    std::thread::spawn(move || for _ in lines {});
    let root_email = root_line["console root user: ".len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let root_password = root_line
        .split("shown once: ")
        .nth(1)
        .and_then(|r| r.strip_suffix(')'))
        .expect("the root user's password in its line")
        .to_string();
    // console: http://127.0.0.1:PORT/_console/ (account ID; lab-admin's console password, shown once: PW)
    let url = line["console: ".len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default();
    let base = url.trim_end_matches("/_console/").to_string();
    let account = line
        .split("(account ")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .unwrap_or_default()
        .to_string();
    let admin_password = line
        .split("shown once: ")
        .nth(1)
        .and_then(|r| r.strip_suffix(')'))
        .expect("lab-admin's password in the console line")
        .to_string();
    let start = Instant::now();
    while !t.path().join("console.ready").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "console not ready"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Console {
        _child: child,
        base,
        account,
        admin_password,
        root_email,
        root_password,
    }
}

/// A browser session and the console it drives.
struct Browser<'a> {
    c: Client,
    console: &'a Console,
    shots: Option<std::path::PathBuf>,
}

impl Browser<'_> {
    async fn go(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.console.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    /// The element once the page shows it (after a click's navigation).
    async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .c
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => e,
            Err(e) => {
                let page = self.c.source().await.unwrap_or_default();
                panic!("no {css} on the page ({e}):\n{page}")
            }
        }
    }

    /// An element's text; found again when the page changed under it (a stale element
    /// while a click's navigation lands).
    async fn text(&self, css: &str) -> String {
        let start = Instant::now();
        loop {
            match self.wait(css).await.text().await {
                Ok(t) => return t,
                Err(e) => assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "text of {css}: {e}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn fill(&self, css: &str, value: &str) {
        let e = self.wait(css).await;
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    /// Clicks an element; found again when the page changed under it.
    async fn click(&self, css: &str) {
        let start = Instant::now();
        loop {
            match self.wait(css).await.click().await {
                Ok(()) => return,
                Err(e) => assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "click {css}: {e}"
                ),
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the browser has navigated to a URL containing `part`.
    async fn wait_url(&self, part: &str) {
        let start = Instant::now();
        while !self
            .c
            .current_url()
            .await
            .is_ok_and(|u| u.as_str().contains(part))
        {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never reached {part}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn shot(&self, name: &str) {
        if let Some(dir) = &self.shots {
            let png = self.c.screenshot().await.expect("screenshot");
            std::fs::create_dir_all(dir).expect("screenshot dir");
            std::fs::write(dir.join(name), png).expect("write screenshot");
        }
    }

    async fn sign_in(&self, user: &str, password: &str) {
        self.go("/_console/signin").await;
        self.fill("#account", &self.console.account).await;
        self.fill("#username", user).await;
        self.fill("#password", password).await;
        self.click("#signin").await;
        let who = self.text("#identity").await;
        assert!(who.starts_with(user), "signed in as {who}, wanted {user}");
    }

    async fn sign_in_root(&self) {
        self.go("/_console/signin").await;
        self.click("#signin-root-tab").await;
        self.fill("#root-email", &self.console.root_email).await;
        self.fill("#root-password", &self.console.root_password)
            .await;
        self.click("#root-signin").await;
        let who = self.text("#identity").await;
        assert!(
            who.starts_with("Root user"),
            "signed in as {who}, wanted the root user"
        );
    }

    async fn sign_out(&self) {
        self.click("#signout").await;
        self.wait("#signin").await;
    }
}

async fn browser(profile: &std::path::Path, driver: &str) -> Client {
    let mut caps = serde_json::Map::new();
    let mut opts = json!({"args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--window-size=1100,760", "--hide-scrollbars",
        format!("--user-data-dir={}", profile.display()),
    ]});
    if !BROWSER.is_empty() {
        opts["binary"] = json!(BROWSER);
    }
    caps.insert("goog:chromeOptions".into(), opts);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a Chromium session from chromedriver")
}

const KMS_USER: &str = "S3-KMS-Admin-User";
const S3_USER: &str = "S3-Admin-User";
const PASSWORD: &str = "Seed-001-passw0rd!";

#[test]
#[cfg_attr(
    not(kf_chromium),
    ignore = "skipped: Chromium and chromedriver are not installed (.ci/install-browser)"
)]
fn seed_001_and_004_by_clicking_in_chromium() {
    let t = Test::new();
    let file = t.path().join("encryption-test-file.txt");
    std::fs::write(&file, "kms encryption test file\n").expect("test file");
    let console = start_console(&t);
    let (_driver, driver_url) = start_chromedriver();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let c = browser(&t.path().join("chromium-profile"), &driver_url).await;
        let b = Browser {
            c,
            console: &console,
            shots: std::env::var_os("KEYFORM_SCREENSHOTS").map(Into::into),
        };
        play(&b, &file).await;
        let _ = b.c.close().await;
    });
}

async fn play(b: &Browser<'_>, file: &std::path::Path) {
    let admin_pw = b.console.admin_password.clone();
    b.go("/_console/").await;
    b.wait("#signin").await;
    b.shot("signin.png").await;
    b.sign_in("lab-admin", &admin_pw).await;

    // Steps 4 and 5's IAM users: AmazonS3FullAccess and a console password each.
    for u in [S3_USER, KMS_USER] {
        b.click("#nav-iam").await;
        b.fill("#user-name", u).await;
        b.fill("#user-password", PASSWORD).await;
        b.click("#user-policy option[value='arn:aws:iam::aws:policy/AmazonS3FullAccess']")
            .await;
        b.click("#create-user-submit").await;
        assert_eq!(b.text("#entity-name").await, u);
        assert!(b.text("#attached").await.contains("AmazonS3FullAccess"));
        assert!(b.text("#console-access").await.contains("enabled"));
    }
    b.shot("iam-user.png").await;

    // 1. The customer managed key, S3-KMS-Admin-User its key user.
    b.click("#nav-kms").await;
    b.fill("#alias", "my-s3-encryption-key").await;
    b.fill("#description", "seed 001").await;
    b.fill("#tags", "Project=aerosecure").await;
    b.fill("#key_users", KMS_USER).await;
    b.click("#create-key-next").await;
    // The review step: the key policy the wizard writes, before anything is created.
    let preview = b
        .wait("#policy-preview")
        .await
        .prop("value")
        .await
        .expect("policy preview")
        .unwrap_or_default();
    assert!(
        preview.contains("Allow use of the key") && preview.contains(KMS_USER),
        "{preview}"
    );
    assert_eq!(b.text("#review-spec").await, "SYMMETRIC_DEFAULT");
    b.shot("kms-review.png").await;
    b.click("#create-key-submit").await;
    let key_id = b.text("#key-id").await;
    let key_arn = b.text("#key-arn").await;
    let users = b.text("#key-users").await;
    assert!(users.contains(&format!("user/{KMS_USER}")), "{users}");
    b.click("#policy-json-view").await;
    let policy = b
        .wait("#policy-editor")
        .await
        .prop("value")
        .await
        .expect("policy");
    let policy = policy.unwrap_or_default();
    assert!(policy.contains("Allow use of the key"), "{policy}");
    b.click("#policy-default-view").await;
    b.wait("#key-users").await;
    assert!(
        b.text("#aliases")
            .await
            .contains("alias/my-s3-encryption-key"),
        "the alias is listed"
    );
    assert!(b.text("#tags").await.contains("aerosecure"));
    // Rotate now: the on-demand rotation in the key's rotation history.
    b.click("#rotate-now").await;
    let rotations = b.text("#rotations").await;
    assert!(rotations.contains("ON_DEMAND"), "{rotations}");
    b.shot("kms-key.png").await;
    b.click("#nav-kms").await;
    assert!(b.text("#keys").await.contains(&key_id));
    b.shot("kms-keys.png").await;

    // 2. The bucket, SSE-KMS with that key by default.
    b.click("#nav-s3").await;
    b.fill("#bucket-name", "aerosecure-kms-demo").await;
    b.click("#create-bucket").await;
    b.wait("#bucket").await;
    b.click("#sse-kms").await;
    b.fill("#sse-key", "alias/my-s3-encryption-key").await;
    b.click("#save-encryption").await;
    let enc = b.text("#encryption-type").await;
    assert!(enc.contains("(SSE-KMS)"), "{enc}");

    // 3. The upload, and its properties: SSE-KMS with the key's ARN.
    b.wait("#upload-file")
        .await
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    b.click("#upload").await;
    assert_eq!(b.text("#object-key").await, "encryption-test-file.txt");
    assert!(b.text("#object-sse").await.contains("(SSE-KMS)"));
    assert_eq!(b.text("#object-kms-key").await, key_arn);
    b.shot("s3-object.png").await;
    let object_url = b.c.current_url().await.expect("url").to_string();
    b.click("a[href^='/_console/s3/bucket']").await;
    b.wait("#default-encryption").await;
    b.shot("s3-bucket.png").await;

    // 4. S3-Admin-User: S3 allows, the key policy does not name them.
    b.sign_out().await;
    b.sign_in(S3_USER, PASSWORD).await;
    b.c.goto(&object_url).await.expect("object page");
    b.click("#open").await;
    assert_eq!(b.text("#error-code").await, "AccessDenied");
    let msg = b.text("#error-message").await;
    assert!(msg.contains("kms:Decrypt"), "{msg}");
    // The reasoning, one click away: S3 allowed, the key policy did not.
    b.click("#why").await;
    let why = b.text("#explain").await;
    assert!(
        why.contains("s3:GetObject") && why.contains("ALLOW"),
        "{why}"
    );
    assert!(why.contains("kms:Decrypt") && why.contains("DENY"), "{why}");
    b.shot("access-denied.png").await;

    // 5. S3-KMS-Admin-User, a key user, opens it.
    b.sign_out().await;
    b.sign_in(KMS_USER, PASSWORD).await;
    b.c.goto(&object_url).await.expect("object page");
    b.click("#open").await;
    assert_eq!(b.text("#object-content").await, "kms encryption test file");

    // 6. Clean-up: the key's deletion, 7 days out.
    b.sign_out().await;
    b.sign_in("lab-admin", &admin_pw).await;
    b.go(&format!("/_console/kms/key?id={key_id}")).await;
    b.fill("#pending-days", "7").await;
    b.click("#schedule-deletion").await;
    b.wait("#deletion-date").await;
    assert_eq!(b.text("#key-state").await, "PendingDeletion");

    // Seed 004: the event history shows the encryption event with the key and the file.
    b.click("#nav-cloudtrail").await;
    b.click("#attribute option[value='EventName']").await;
    b.fill("#value", "GenerateDataKey").await;
    b.click("#lookup").await;
    b.wait_url("value=GenerateDataKey").await;
    b.click(".event-name").await;
    let events = b.text("#events").await;
    assert!(events.contains("GenerateDataKey"), "{events}");
    assert!(events.contains(&key_arn), "{events}");
    assert!(events.contains("encryption-test-file.txt"), "{events}");
    b.shot("cloudtrail.png").await;

    // The root user: the S3-Admin-User's sign-ins in a time range, then the object deleted.
    b.sign_out().await;
    b.sign_in_root().await;
    b.click("#nav-cloudtrail").await;
    b.click("#attribute option[value='Username']").await;
    b.fill("#value", S3_USER).await;
    b.click("#lookup").await;
    b.wait_url("attribute=Username").await;
    let users = b.text("#events").await;
    assert!(
        users.contains("ConsoleLogin") && users.contains(S3_USER),
        "{users}"
    );
    assert!(!users.contains("GenerateDataKey"), "{users}");
    b.click("#nav-trails").await;
    b.wait("#create-trail").await;
    b.c.goto(&object_url).await.expect("object page");
    b.fill("#delete-confirm", "delete").await;
    b.click("#delete-object").await;
    let objects = b.text("#objects").await;
    assert!(objects.contains("No objects."), "{objects}");
}

#[test]
#[cfg_attr(
    not(kf_chromium),
    ignore = "skipped: Chromium and chromedriver are not installed (.ci/install-browser)"
)]
fn the_lab_panel_shows_the_readme_and_checks_the_work_in_chromium() {
    let t = Test::lab("aerosecure-sse-kms");
    let console = start_console(&t);
    let (_driver, driver_url) = start_chromedriver();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let c = browser(&t.path().join("chromium-profile"), &driver_url).await;
        let b = Browser {
            c,
            console: &console,
            shots: std::env::var_os("KEYFORM_SCREENSHOTS").map(Into::into),
        };
        b.sign_in("lab-admin", &console.admin_password).await;
        // The lab's README beside the console's pages.
        b.click("#nav-kms").await;
        let side = b.text("#lab-side-readme").await;
        assert!(
            side.contains("AeroSecure") || side.contains("KMS"),
            "{side}"
        );
        b.shot("lab-side.png").await;
        b.click("#nav-lab").await;
        let readme = b.text("#lab-readme").await;
        assert!(
            readme.contains("AeroSecure") || readme.contains("KMS"),
            "{readme}"
        );
        b.click("#check-my-work").await;
        let score = b.text("#lab-score").await;
        // The reference solution passes every graded check.
        assert!(score.contains("11 / 11"), "{score}");
        assert!(
            b.text("#lab-checks")
                .await
                .contains("symmetric_key_with_alias")
        );
        b.shot("lab-panel.png").await;
        let _ = b.c.close().await;
    });
}
