//! A running `keyform serve` for tests (killed on drop) and a minimal HTTP/1.1 client that
//! signs requests with SigV4 the way AWS SDKs do, so the wire protocols are tested without
//! Python.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::{Test, keyform_bin};
use keyform::serve::sigv4;

/// `keyform serve -port=0` in a test directory.
pub(crate) struct Served {
    pub child: Child,
    pub addr: String,
    pub admin: Creds,
    pub region: String,
    /// Everything serve printed to stdout before it was ready.
    pub banner: String,
    /// The control token serve printed (`X-Keyform-Token`).
    pub control_token: String,
    /// What serve wrote to stderr so far (its request log), drained so it never blocks.
    pub log: std::sync::Arc<std::sync::Mutex<String>>,
}

#[derive(Clone, Debug)]
pub(crate) struct Creds {
    pub id: String,
    pub secret: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts serve in `t`'s directory (extra flags appended) and waits until it is ready.
    pub(crate) fn start(t: &Test, flags: &[&str]) -> Served {
        let ready = t.path().join("serve.ready");
        let _ = std::fs::remove_file(&ready);
        let mut child = Command::new(keyform_bin())
            .arg("serve")
            .arg("-port=0")
            .arg("-ready-file=serve.ready")
            .args(flags)
            .current_dir(t.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start keyform serve");
        let stdout = child.stdout.take().expect("serve stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut banner = String::new();
        let start = Instant::now();
        let mut export = None;
        while export.is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "serve did not print its export line"
            );
            match lines.next() {
                Some(Ok(l)) => {
                    banner.push_str(&l);
                    banner.push('\n');
                    if l.starts_with("export ") {
                        export = Some(l);
                    }
                }
                _ => {
                    let mut err = String::new();
                    if let Some(mut e) = child.stderr.take() {
                        let _ = e.read_to_string(&mut err);
                    }
                    panic!("keyform serve exited before it was ready:\n{banner}\n{err}");
                }
            }
        }
        // Keep draining stdout and stderr so serve never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let log = log.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    if let Ok(mut g) = log.lock() {
                        g.push_str(&l);
                        g.push('\n');
                    }
                }
            });
        }
        while !ready.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "serve never wrote its ready file"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let addr = std::fs::read_to_string(&ready).expect("ready file");
        let export = export.unwrap_or_default();
        let var = |name: &str| {
            export
                .split_whitespace()
                .find_map(|w| w.strip_prefix(&format!("{name}=")))
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(var("AWS_ENDPOINT_URL"), format!("http://{addr}"));
        let control_token = banner
            .lines()
            .find_map(|l| l.strip_prefix("control token: "))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or_default()
            .to_string();
        Served {
            log,
            control_token,
            child,
            admin: Creds {
                id: var("AWS_ACCESS_KEY_ID"),
                secret: var("AWS_SECRET_ACCESS_KEY"),
            },
            region: var("AWS_DEFAULT_REGION"),
            addr,
            banner,
        }
    }

    /// A client signing as `creds` (None: unsigned).
    pub(crate) fn client(&self, creds: Option<&Creds>) -> Client {
        Client {
            addr: self.addr.clone(),
            creds: creds.cloned(),
            region: self.region.clone(),
        }
    }
}

/// One HTTP response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// Parses a raw HTTP/1.1 response.
    pub(crate) fn parse(raw: &[u8]) -> Reply {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|c| c.parse().ok())
            .expect("status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> Json {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `<Code>` of an XML error body.
    pub(crate) fn xml_code(&self) -> String {
        let t = self.text();
        t.split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or("")
            .to_string()
    }
}

#[derive(Clone)]
pub(crate) struct Client {
    pub addr: String,
    pub creds: Option<Creds>,
    pub region: String,
}

pub(crate) fn now_amz() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    sigv4::amz_date(secs)
}

impl Client {
    /// Sends one request, signed for `service` when the client has credentials.
    pub(crate) fn send(
        &self,
        service: &str,
        method: &str,
        path: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: &[u8],
    ) -> Reply {
        let headers = self.signed(service, method, path, query, headers, body);
        self.raw(method, path, query, &headers, body)
    }

    /// The headers of a request (with `host`), signed for `service` when the client has
    /// credentials: what [`Client::send`] sends.
    pub(crate) fn signed(
        &self,
        service: &str,
        method: &str,
        path: &str,
        query: &str,
        mut headers: Vec<(String, String)>,
        body: &[u8],
    ) -> Vec<(String, String)> {
        headers.insert(0, ("host".into(), self.addr.clone()));
        if let Some(c) = &self.creds {
            sigv4::sign(
                method,
                path,
                query,
                &mut headers,
                body,
                &c.id,
                &c.secret,
                &self.region,
                service,
                &now_amz(),
            );
        }
        headers
    }

    /// Sends a request exactly as given (headers already signed or not).
    pub(crate) fn raw(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Reply {
        let mut s = TcpStream::connect(&self.addr).expect("connect to serve");
        s.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let target = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        s.write_all(head.as_bytes()).expect("write request");
        s.write_all(body).expect("write body");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read response");
        Reply::parse(&raw)
    }

    /// Sends only a request's head, announcing `declared` body bytes, then closes the sending
    /// side: the answer shows what serve decided before any of the body arrived.
    pub(crate) fn head_only(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        declared: usize,
    ) -> Reply {
        let mut s = TcpStream::connect(&self.addr).expect("connect to serve");
        s.set_read_timeout(Some(Duration::from_secs(60))).ok();
        let mut head = format!("{method} {target} HTTP/1.1\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!("content-length: {declared}\r\n\r\n"));
        s.write_all(head.as_bytes()).expect("write request");
        s.shutdown(std::net::Shutdown::Write).expect("half-close");
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Reply::parse(&raw)
    }

    /// A KMS (JSON 1.1) call.
    pub(crate) fn kms(&self, op: &str, params: Json) -> Reply {
        self.send(
            "kms",
            "POST",
            "/",
            "",
            vec![
                ("content-type".into(), "application/x-amz-json-1.1".into()),
                ("x-amz-target".into(), format!("TrentService.{op}")),
            ],
            params.to_string().as_bytes(),
        )
    }

    /// A CloudTrail (JSON 1.1) call, with botocore's long target.
    pub(crate) fn cloudtrail(&self, op: &str, params: Json) -> Reply {
        self.json_target(
            "cloudtrail",
            &format!("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{op}"),
            params,
        )
    }

    /// A JSON 1.1 call of `service` with exactly this `X-Amz-Target`.
    pub(crate) fn json_target(&self, service: &str, target: &str, params: Json) -> Reply {
        self.send(
            service,
            "POST",
            "/",
            "",
            vec![
                ("content-type".into(), "application/x-amz-json-1.1".into()),
                ("x-amz-target".into(), target.to_string()),
            ],
            params.to_string().as_bytes(),
        )
    }

    /// An IAM (or STS) query call: `Action=...&Version=...&params`.
    pub(crate) fn query(&self, service: &str, action: &str, params: &[(&str, &str)]) -> Reply {
        let version = if service == "sts" {
            "2011-06-15"
        } else {
            "2010-05-08"
        };
        let mut pairs = vec![("Action", action), ("Version", version)];
        pairs.extend_from_slice(params);
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        self.send(
            service,
            "POST",
            "/",
            "",
            vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded; charset=utf-8".into(),
            )],
            body.as_bytes(),
        )
    }

    /// An S3 call on a path (already encoded) and query.
    pub(crate) fn s3(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let h = headers
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        self.send("s3", method, path, query, h, body)
    }
}
