//! `keyform serve` under load (`cargo bench -- serve`): a load generator that is not the
//! bottleneck. N keep-alive connections on loopback, one thread each, resending a request
//! signed once per connection (SigV4 carries no nonce; the server still verifies every copy),
//! bounded in time. Against `keyform serve` as users run it (strict auth: every signature
//! verified, every request journaled durably and recorded in CloudTrail) and, when
//! `KEYFORM_MOTO_SERVER` names moto's `moto_server` (scripts/serve-load.sh sets it up), moto
//! under the same generator in the same run.
//!
//! `KEYFORM_LOAD_SECONDS` sets the time per figure (default 2).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use keyform::serve::sigv4;

const REGION: &str = "us-east-1";
const BUCKET: &str = "load-bench";

/// One request shape the generator repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    KmsEncrypt,
    S3Put(usize),
    S3Get(usize),
}

impl Op {
    fn label(self) -> String {
        match self {
            Op::KmsEncrypt => "KMS Encrypt".into(),
            Op::S3Put(n) => format!("S3 PutObject {}", size_label(n)),
            Op::S3Get(n) => format!("S3 GetObject {}", size_label(n)),
        }
    }
}

fn size_label(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} KiB", n >> 10)
    }
}

/// Where requests go and how they are signed.
#[derive(Clone)]
struct Target {
    addr: SocketAddr,
    id: String,
    secret: String,
}

/// A request ready to send, bytes and all.
struct Wire(Vec<u8>);

fn amz_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

fn signed(
    t: &Target,
    method: &str,
    path: &str,
    mut headers: Vec<(String, String)>,
    body: &[u8],
    service: &str,
) -> Wire {
    headers.push(("host".into(), t.addr.to_string()));
    sigv4::sign(
        method,
        path,
        "",
        &mut headers,
        body,
        &t.id,
        &t.secret,
        REGION,
        service,
        &amz_now(),
    );
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (n, v) in &headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    Wire(bytes)
}

fn kms_request(t: &Target, target: &str, body: &serde_json::Value) -> Wire {
    signed(
        t,
        "POST",
        "/",
        vec![
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            ("x-amz-target".into(), format!("TrentService.{target}")),
        ],
        body.to_string().as_bytes(),
        "kms",
    )
}

fn s3_request(t: &Target, method: &str, path: &str, body: &[u8]) -> Wire {
    signed(t, method, path, Vec::new(), body, "s3")
}

/// One keep-alive connection (reconnecting when the server closes it, as HTTP/1.0 servers do).
struct Conn {
    addr: SocketAddr,
    reader: Option<BufReader<TcpStream>>,
}

/// A response: status and body.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Conn {
    fn new(addr: SocketAddr) -> Conn {
        Conn { addr, reader: None }
    }

    fn send(&mut self, w: &Wire) -> std::io::Result<Answer> {
        if self.reader.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            self.reader = Some(BufReader::with_capacity(1 << 16, s));
        }
        let result = self.exchange(w);
        if !matches!(result, Ok((_, true))) {
            self.reader = None;
        }
        result.map(|(a, _)| a)
    }

    /// Sends and reads one answer; true if the connection stays open.
    fn exchange(&mut self, w: &Wire) -> std::io::Result<(Answer, bool)> {
        let r = self
            .reader
            .as_mut()
            .ok_or_else(|| std::io::Error::other("not connected"))?;
        r.get_mut().write_all(&w.0)?;
        let mut line = String::new();
        r.read_line(&mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut keep = line.starts_with("HTTP/1.1");
        let mut len = 0usize;
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                let (n, v) = (n.trim().to_ascii_lowercase(), v.trim());
                match n.as_str() {
                    "content-length" => len = v.parse().unwrap_or(0),
                    "connection" => keep = !v.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body)?;
        Ok((Answer { status, body }, keep))
    }
}

/// Requests/s and latency of one figure.
struct Stats {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

fn load(t: &Target, wire: &Wire, connections: usize, seconds: Duration) -> Stats {
    let started = Instant::now();
    let deadline = started + seconds;
    let per_thread: Vec<(Vec<Duration>, usize)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..connections)
            .map(|_| {
                scope.spawn(|| {
                    let mut conn = Conn::new(t.addr);
                    let mut lat = Vec::with_capacity(1 << 16);
                    let mut errors = 0;
                    while Instant::now() < deadline {
                        let t0 = Instant::now();
                        match conn.send(wire) {
                            Ok(a) if a.status == 200 => lat.push(t0.elapsed()),
                            _ => errors += 1,
                        }
                    }
                    (lat, errors)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed();
    let errors = per_thread.iter().map(|p| p.1).sum();
    let mut lat: Vec<Duration> = per_thread.into_iter().flat_map(|p| p.0).collect();
    lat.sort();
    let pct = |p: usize| {
        lat.get((lat.len() * p / 100).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Stats {
        per_second: lat.len() as f64 / elapsed.as_secs_f64(),
        p50: pct(50),
        p99: pct(99),
        errors,
    }
}

/// The request of `op`, after creating what it needs (a key, the bucket, the object).
fn prepare(t: &Target, op: Op) -> Result<Wire, String> {
    let mut c = Conn::new(t.addr);
    let mut call = |w: Wire| -> Result<Vec<u8>, String> {
        let a = c.send(&w).map_err(|e| e.to_string())?;
        if a.status != 200 {
            return Err(format!(
                "status {}: {}",
                a.status,
                String::from_utf8_lossy(&a.body)
            ));
        }
        Ok(a.body)
    };
    match op {
        Op::KmsEncrypt => {
            let created = call(kms_request(t, "CreateKey", &serde_json::json!({})))?;
            let v: serde_json::Value =
                serde_json::from_slice(&created).map_err(|e| e.to_string())?;
            let key = v["KeyMetadata"]["KeyId"]
                .as_str()
                .ok_or("CreateKey returned no KeyId")?
                .to_string();
            let plaintext = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
            Ok(kms_request(
                t,
                "Encrypt",
                &serde_json::json!({"KeyId": key, "Plaintext": plaintext}),
            ))
        }
        Op::S3Put(n) | Op::S3Get(n) => {
            // An existing bucket answers 200 (us-east-1) on keyform and moto alike.
            let _ = call(s3_request(t, "PUT", &format!("/{BUCKET}"), b""));
            let path = format!("/{BUCKET}/object-{n}");
            let body = vec![0x5a; n];
            if matches!(op, Op::S3Get(_)) {
                call(s3_request(t, "PUT", &path, &body))?;
                Ok(s3_request(t, "GET", &path, b""))
            } else {
                Ok(s3_request(t, "PUT", &path, &body))
            }
        }
    }
}

/// A server process, stopped on drop.
struct Proc {
    child: Child,
    _dir: tempfile::TempDir,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_file(p: &Path) -> Option<String> {
    for _ in 0..300 {
        if let Ok(s) = std::fs::read_to_string(p)
            && !s.trim().is_empty()
        {
            return Some(s.trim().to_string());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn start_keyform() -> Result<(Proc, Target), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let out = dir.path().join("serve.out");
    let child = Command::new(super::keyform_bin())
        .args(["serve", "-port=0", "-quiet", "-ready-file=addr"])
        .current_dir(dir.path())
        .stdout(std::fs::File::create(&out).map_err(|e| e.to_string())?)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("keyform serve: {e}"))?;
    let addr = wait_for_file(&dir.path().join("addr")).ok_or("keyform serve did not start")?;
    let banner = std::fs::read_to_string(&out).unwrap_or_default();
    let var = |name: &str| {
        banner
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    let target = Target {
        addr: addr.parse().map_err(|e| format!("address {addr}: {e}"))?,
        id: var("AWS_ACCESS_KEY_ID").ok_or("no access key in serve's banner")?,
        secret: var("AWS_SECRET_ACCESS_KEY").ok_or("no secret in serve's banner")?,
    };
    Ok((Proc { child, _dir: dir }, target))
}

fn start_moto(moto_server: &str) -> Result<(Proc, Target), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = Command::new(moto_server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{moto_server}: {e}"))?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let proc = Proc { child, _dir: dir };
    for _ in 0..300 {
        if TcpStream::connect(addr).is_ok() {
            let target = Target {
                addr,
                id: "testing".into(),
                secret: "testing".into(),
            };
            return Ok((proc, target));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("moto_server did not start".into())
}

fn fmt_stats(s: &Stats) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut out = format!(
        "{:.0}/s p50 {:.2} p99 {:.2} ms",
        s.per_second,
        ms(s.p50),
        ms(s.p99)
    );
    if s.errors > 0 {
        out.push_str(&format!(" ({} errors)", s.errors));
    }
    out
}

pub(crate) fn bench(r: &mut super::Report, filter: &Option<String>) {
    if !filter
        .as_ref()
        .is_none_or(|f| "serve load requests".contains(f.as_str()))
    {
        return;
    }
    let seconds = Duration::from_secs_f64(
        std::env::var("KEYFORM_LOAD_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2.0),
    );
    let (_keyform, kf) = match start_keyform() {
        Ok(x) => x,
        Err(e) => {
            println!("serve load: keyform serve could not start: {e}");
            return;
        }
    };
    let moto = match std::env::var("KEYFORM_MOTO_SERVER") {
        Ok(bin) => match start_moto(&bin) {
            Ok(m) => Some(m),
            Err(e) => {
                println!("serve load: moto_server left out: {e}");
                None
            }
        },
        Err(_) => {
            println!(
                "serve load: moto_server left out (scripts/serve-load.sh runs it side by side)"
            );
            None
        }
    };
    let ops = [
        Op::KmsEncrypt,
        Op::S3Put(4 << 10),
        Op::S3Get(4 << 10),
        Op::S3Put(1 << 20),
        Op::S3Get(1 << 20),
    ];
    for op in ops {
        let kw = match prepare(&kf, op) {
            Ok(w) => w,
            Err(e) => {
                println!(
                    "serve load: {} could not be prepared on keyform: {e}",
                    op.label()
                );
                continue;
            }
        };
        let mw = moto.as_ref().map(|(_, t)| (t, prepare(t, op)));
        for conns in [1, 4, 16] {
            let k = load(&kf, &kw, conns, seconds);
            let (target, verdict) = if op == Op::KmsEncrypt && conns == 16 {
                (
                    ">= 10,000/s",
                    if k.per_second >= 10_000.0 {
                        "meets"
                    } else {
                        "MISSES"
                    },
                )
            } else {
                ("", "")
            };
            let name = format!("serve {} x{conns}", op.label());
            r.row(&name, fmt_stats(&k), target, verdict);
            if let Some((t, Ok(w))) = &mw {
                let m = load(t, w, conns, seconds);
                r.row(
                    &format!("moto  {} x{conns}", op.label()),
                    fmt_stats(&m),
                    "",
                    "",
                );
                let ratio = k.per_second / m.per_second.max(f64::MIN_POSITIVE);
                let (target, verdict) = if op == Op::KmsEncrypt && conns == 16 {
                    (">= 30x", if ratio >= 30.0 { "meets" } else { "MISSES" })
                } else {
                    ("", "")
                };
                r.row(
                    &format!("  keyform/moto {} x{conns}", op.label()),
                    format!("{ratio:.1}x"),
                    target,
                    verdict,
                );
            }
        }
    }
}
