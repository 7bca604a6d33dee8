//! `keyform serve`: the simulated cloud of a working directory on the AWS wire protocols, so
//! boto3, the AWS CLI, SDKs and the Terraform AWS provider work against a lab world unchanged.
//!
//! One port, one router: the service comes from the SigV4 scope, else `X-Amz-Target` (KMS and
//! CloudTrail, JSON 1.1), else the form's `Action` (IAM and STS, query protocol), else S3
//! (REST XML). Every request becomes one [`Cloud::call`], so the policy evaluator, the clock
//! and CloudTrail are the ones `apply` and `sim` use; the caller is the IAM user whose access
//! key signed the request (unsigned requests are anonymous).
//!
//! While serving, the process holds the workspace lock (`keyform apply` or `sim` on the same
//! directory fail fast naming `keyform serve`), journals each request's world change before
//! answering, delivers CloudTrail logs at the end of each request, and snapshots the world
//! once the journal has grown as large as the snapshots, after a key's material is destroyed,
//! and on shutdown.
//!
//! Control endpoints (no AWS credentials, like moto's, but no web page can call them: see
//! [`control`]): `POST /_keyform/reset` (a fresh world; lab-admin keeps its access keys),
//! `POST /_keyform/clock/advance?by=8d`, `GET /_keyform/clock`, and `POST /moto-api/reset`
//! for moto's test suite.

pub mod cloudtrail;
pub mod control;
mod group_commit;
pub mod iam;
pub mod kms;
pub mod limits;
pub mod s3;
mod server;
pub mod sigv4;
pub mod xml;

pub use server::Server;

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use crate::sim::clock;
use crate::sim::{CallContext, Cloud, LAB_ADMIN, Principal, SimError};
use crate::state::State;
use crate::workspace::Workspace;
use sigv4::{AuthError, Credentials, RequestParts};

/// Why a change could not be saved, as the client sees it.
fn save_failed(e: crate::workspace::WorkspaceError) -> WireError {
    WireError::new(
        "InternalError",
        500,
        format!("keyform could not save the world: {e}"),
    )
}

/// The answer to a request whose change could not be made durable, in its protocol's terms.
fn unsaved_response(req: &Request, e: &WireError) -> Response {
    let creds = sigv4::parse(&req.parts());
    match protocol(req, creds.as_ref().ok().and_then(Option::as_ref)) {
        Ok(proto) => error_response(proto, req, e, &request_id()),
        Err(_) => s3::error_response(req, e, &request_id()),
    }
}

/// The largest request body accepted (AWS allows 5 GiB in one PUT; use multipart above this).
pub const MAX_BODY: usize = 256 * 1024 * 1024;
/// The port AWS-compatible local endpoints conventionally use.
pub const DEFAULT_PORT: u16 = 4566;

/// How signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// Every signed request must verify against its access key; unknown keys are refused.
    Strict,
    /// Unknown keys (moto's `FOOBARKEY`) act as lab-admin without verification, and unsigned
    /// KMS/IAM/STS/CloudTrail requests too; known keys are still verified.
    Lenient,
}

/// A problem starting the server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Workspace(#[from] crate::workspace::WorkspaceError),
    #[error("could not listen on {addr}: {message}")]
    Bind { addr: SocketAddr, message: String },
    #[error("{0}")]
    Other(String),
}

/// One HTTP request as the handlers see it (body already read, de-chunking still to do).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path exactly as sent (percent-encoded).
    pub raw_path: String,
    /// Query exactly as sent, without `?`.
    pub raw_query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub peer: IpAddr,
}

impl Request {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn parts(&self) -> RequestParts<'_> {
        RequestParts {
            method: &self.method,
            raw_path: &self.raw_path,
            raw_query: &self.raw_query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    /// The query decoded into pairs (`+` is a space, as in forms): the very pairs a SigV4
    /// signature over the query is checked against.
    pub fn query(&self) -> Vec<(String, String)> {
        sigv4::service_query_pairs(&self.raw_query)
    }
}

/// One HTTP response.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Who asked for what, for the request log (never sent).
    pub note: Option<Note>,
}

/// What the request log says of a request besides its status and time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Note {
    /// The IAM user, `anonymous`, or `-` when the request was refused before anyone was
    /// authenticated.
    pub caller: String,
    /// `service:Operation` (`kms:Encrypt`), `keyform:<control path>`, or `<service>:-`
    /// when no operation was reached.
    pub operation: String,
}

/// A principal as the request log names it.
fn caller_name(p: &Principal) -> String {
    match p {
        Principal::User(u) => u.clone(),
        Principal::Anonymous => "anonymous".into(),
        Principal::Service(s) => s.clone(),
        Principal::Root => "root".into(),
        Principal::Session(s) => format!("session/{s}"),
    }
}

/// One request log line: wall-clock time, caller, operation, status, milliseconds.
pub fn log_line(now: clock::Millis, resp: &Response, millis: u128) -> String {
    let (caller, op) = resp
        .note
        .as_ref()
        .map_or(("-", "-"), |n| (n.caller.as_str(), n.operation.as_str()));
    let t = clock::iso8601(now - now.rem_euclid(1000));
    format!("{t} {caller} {op} {} {millis}ms", resp.status)
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            note: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// Which wire protocol a request speaks, with the service it is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1_1: `kms` or `cloudtrail`.
    Json(&'static str),
    /// awsQuery: `iam` or `sts`.
    Query(&'static str),
    RestXml,
}

/// The `X-Amz-Target` prefixes KMS answers to (every SDK sends botocore's `targetPrefix`).
impl Protocol {
    /// The service the request is for.
    pub fn service(self) -> &'static str {
        match self {
            Protocol::Json(s) | Protocol::Query(s) => s,
            Protocol::RestXml => "s3",
        }
    }
}

const KMS_TARGETS: &[&str] = &["TrentService."];
/// The `X-Amz-Target` prefixes CloudTrail answers to: botocore and the AWS CLI send the
/// model's long `targetPrefix`; the SDKs generated from Smithy (JavaScript v3, Rust, Go v2,
/// Java v2) send the service shape's name alone.
const CLOUDTRAIL_TARGETS: &[&str] = &[
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
    "CloudTrail_20131101.",
];

/// The operation an `X-Amz-Target` names, when it starts with one of `prefixes`.
pub(crate) fn target_operation<'a>(target: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes
        .iter()
        .find_map(|p| target.strip_prefix(p))
        .filter(|op| !op.is_empty() && op.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// An error in the protocol's terms: its code, status and message.
#[derive(Debug, Clone)]
pub struct WireError {
    pub code: String,
    pub status: u16,
    pub message: String,
    /// Further elements of an S3 error body (`HeadersNotSigned`), in order.
    pub details: Vec<(String, String)>,
}

impl WireError {
    pub fn new(code: &str, status: u16, message: impl Into<String>) -> WireError {
        WireError {
            code: code.into(),
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds an element to an S3 error body.
    pub fn detail(mut self, name: &str, value: impl Into<String>) -> WireError {
        self.details.push((name.to_string(), value.into()));
        self
    }
}

impl From<SimError> for WireError {
    fn from(e: SimError) -> WireError {
        WireError::new(&e.code, e.status, e.message)
    }
}

/// A fresh request id (UUID form, as the JSON and query protocols use).
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The wall clock in epoch seconds (signatures are checked against it, never the sim clock).
fn wall_secs() -> i64 {
    clock::wall_clock_now() / 1000
}

/// The world of one working directory, served.
pub struct Service {
    ws: Workspace,
    state: State,
    pub cloud: Cloud,
    auth: AuthMode,
    /// Printed at start; lets control requests in from any peer (see [`control`]).
    control_token: Zeroizing<String>,
    /// The web console's sessions (mounted under `/_console/`).
    console: crate::console::Console,
}

impl Service {
    /// Opens (creating if needed) the world of `dir` and takes its lock for as long as the
    /// service lives.
    /// A new world is created in `region_if_new`.
    pub fn open(dir: &Path, auth: AuthMode, region_if_new: &str) -> Result<Service, ServeError> {
        let mut ws = Workspace::at(dir);
        // Locked before the world is created, so no other command creates one meanwhile.
        ws.lock("serve", std::time::Duration::ZERO)?;
        if !ws.exists() {
            ws.init(crate::sim::DEFAULT_ACCOUNT, region_if_new)?;
        }
        let (state, cloud) = ws.load()?;
        let mut s = Service {
            ws,
            state,
            cloud,
            auth,
            control_token: control::new_token()?,
            console: crate::console::Console::for_dir(dir),
        };
        // Replay of the journal is folded in now, so the first request starts clean.
        s.snapshot()?;
        Ok(s)
    }

    /// The world's region (the one clients must sign for).
    pub fn region(&self) -> String {
        self.cloud.world.region.clone()
    }

    /// The control token (`X-Keyform-Token`), for `keyform serve` to print.
    pub fn control_token(&self) -> &str {
        &self.control_token
    }

    /// lab-admin's access key id and secret: its first key, or a new one.
    pub fn admin_key(&mut self) -> Result<(String, Zeroizing<String>), ServeError> {
        let existing = self
            .cloud
            .world
            .iam
            .users
            .get(LAB_ADMIN)
            .and_then(|u| u.access_keys.iter().find(|k| k.status == "Active"))
            .map(|k| k.id.clone());
        let id = match existing {
            Some(id) => id,
            None => {
                let r = self
                    .cloud
                    .call(
                        &CallContext::lab_admin(),
                        "iam:CreateAccessKey",
                        &json!({"UserName": LAB_ADMIN}),
                        None,
                    )
                    .map_err(|e| {
                        ServeError::Other(format!("could not create lab-admin's access key: {e}"))
                    })?;
                self.persist().map_err(|e| ServeError::Other(e.message))?;
                r.fields
                    .pointer("/AccessKey/AccessKeyId")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string()
            }
        };
        let info = self.cloud.access_key(&id).ok_or_else(|| {
            ServeError::Other(format!(
                "the secret of lab-admin's access key {id} cannot be recovered (was .keyform/root.key replaced?)"
            ))
        })?;
        Ok((id, info.secret))
    }

    /// Gives lab-admin a console password if it has none, saved at once; the password is
    /// returned for printing (None: lab-admin already has one).
    pub fn console_password(&mut self) -> Result<Option<Zeroizing<String>>, ServeError> {
        let pw = crate::console::ensure_admin_password(&mut self.cloud).map_err(|e| {
            ServeError::Other(format!("could not set lab-admin's console password: {e}"))
        })?;
        self.persist().map_err(|e| ServeError::Other(e.message))?;
        Ok(pw)
    }

    /// Gives the root user a console password if it has none, saved at once (a snapshot: the
    /// root user's sign-in is no journaled entity); its email address and the password are
    /// returned for printing (None: it already has one).
    pub fn root_password(&mut self) -> Result<Option<(String, Zeroizing<String>)>, ServeError> {
        let got = crate::console::ensure_root_password(&mut self.cloud).map_err(|e| {
            ServeError::Other(format!(
                "could not set the root user's console password: {e}"
            ))
        })?;
        if got.is_some() {
            self.snapshot()?;
        }
        Ok(got)
    }

    /// Writes the snapshots and empties the journal.
    pub fn snapshot(&mut self) -> Result<(), ServeError> {
        self.ws.snapshot(&self.state, &mut self.cloud)?;
        Ok(())
    }

    /// From now on requests' journal records are made durable by the server's group commit
    /// ([`group_commit`]) before each answer, instead of one fsync inside each request.
    pub fn defer_journal_syncs(&mut self) {
        self.ws.defer_journal_syncs();
    }

    /// Journal records written so far: a request handled now is durable once this many are.
    pub fn journal_written(&self) -> u64 {
        self.ws.journal_written()
    }

    /// What the group commit must fsync before answering the requests handled so far.
    pub fn pending_sync(&self) -> Result<crate::workspace::PendingSync, WireError> {
        self.ws.pending_sync().map_err(save_failed)
    }

    /// Records that a group commit made every record up to `upto` durable.
    pub fn journal_synced(&mut self, upto: u64) {
        self.ws.journal_synced(upto);
    }

    /// Delivers CloudTrail logs and records what the request changed (durably, unless the
    /// server's group commit does that before answering).
    fn persist(&mut self) -> Result<(), WireError> {
        self.cloud.deliver_trails();
        if self.cloud.material_destroyed || self.ws.journal_outgrew_snapshot() {
            self.ws
                .snapshot(&self.state, &mut self.cloud)
                .map_err(save_failed)?;
        } else if let Some(d) = self.cloud.take_delta() {
            self.ws.commit_world(&self.state, d).map_err(save_failed)?;
        }
        Ok(())
    }

    /// Answers one request.
    pub fn handle(&mut self, req: &Request) -> Response {
        // A served world runs at the wall clock plus every advance made (README "Use your
        // own tools"): what fell due since the last request happens now.
        self.cloud.follow_wall_clock(clock::wall_clock_now());
        let path = req.raw_path.as_str();
        if control::is_control(path) {
            let mut resp = self.control(req);
            resp.note = Some(Note {
                caller: "control".into(),
                operation: format!("keyform:{path}"),
            });
            return resp;
        }
        if crate::console::is_console(path) {
            let mut resp = self
                .console
                .handle(&mut self.cloud, req, clock::wall_clock_now());
            if let Err(e) = self.persist() {
                resp = Response::new(500, "text/plain; charset=utf-8", e.message);
            }
            return resp;
        }
        let creds = sigv4::parse(&req.parts());
        let proto = protocol(req, creds.as_ref().ok().and_then(Option::as_ref));
        let rid = request_id();
        self.cloud.first_operation = None;
        match proto {
            Err(e) => s3::error_response(req, &e, &rid),
            Ok(proto) => match self.authenticate(req, creds, proto, Phase::Full) {
                Err(e) => {
                    let mut resp = error_response(proto, req, &e, &rid);
                    resp.note = Some(Note {
                        caller: "-".into(),
                        operation: format!("{}:-", proto.service()),
                    });
                    resp
                }
                Ok((ctx, chunks)) => {
                    let mut resp = match proto {
                        Protocol::Json("kms") => kms::handle(self, req, &ctx, &rid),
                        Protocol::Json(_) => cloudtrail::handle(self, req, &ctx, &rid),
                        Protocol::Query(svc) => iam::handle(self, req, &ctx, svc, &rid),
                        Protocol::RestXml => s3::handle(self, req, &ctx, chunks.as_ref(), &rid),
                    };
                    if let Err(e) = self.persist() {
                        resp = error_response(proto, req, &e, &rid);
                    }
                    resp.note = Some(Note {
                        caller: caller_name(&ctx.principal),
                        operation: self
                            .cloud
                            .first_operation
                            .take()
                            .map_or_else(|| format!("{}:-", proto.service()), str::to_string),
                    });
                    resp
                }
            },
        }
    }

    /// Decides from a request's head (its body still unread) whether to read the body, and how
    /// much of it: an unauthenticated sender is refused before one byte of a body is buffered,
    /// and an anonymous one may send less than a signed one.
    pub fn admit(&self, head: &Request) -> limits::Admission {
        use limits::{Admission, BodyLimit};
        if control::is_control(&head.raw_path) {
            return Admission::Read(BodyLimit::Control, None);
        }
        if crate::console::is_console(&head.raw_path) {
            // An upload's worth of body only for a signed-in console session.
            let signed_in = self.console.signed_in(head, clock::wall_clock_now());
            let limit = if signed_in {
                BodyLimit::Anonymous
            } else {
                BodyLimit::Control
            };
            return Admission::Read(limit, None);
        }
        let creds = sigv4::parse(&head.parts());
        let signed = matches!(creds, Ok(Some(_)));
        let form = head
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        if !signed && form && head.header("x-amz-target").is_none() {
            // The protocol (IAM or STS) is in the form: read a small body to find it.
            return Admission::Read(BodyLimit::Rpc, Some(Protocol::Query("iam")));
        }
        let rid = request_id();
        let proto = match protocol(head, creds.as_ref().ok().and_then(Option::as_ref)) {
            Ok(p) => p,
            Err(e) => return Admission::Refuse(s3::error_response(head, &e, &rid)),
        };
        match self.authenticate(head, creds, proto, Phase::Head) {
            Err(e) => {
                let mut resp = error_response(proto, head, &e, &rid);
                resp.note = Some(Note {
                    caller: "-".into(),
                    operation: format!("{}:-", proto.service()),
                });
                Admission::Refuse(resp)
            }
            Ok((ctx, _)) => Admission::Read(
                match (proto, ctx.principal) {
                    (Protocol::RestXml, Principal::Anonymous) => BodyLimit::Anonymous,
                    (Protocol::RestXml, _) => BodyLimit::Signed,
                    _ => BodyLimit::Rpc,
                },
                Some(proto),
            ),
        }
    }

    /// Who a request is from, after checking its signature; for a signed `aws-chunked` body,
    /// how to check its chunks.
    fn authenticate(
        &self,
        req: &Request,
        creds: Result<Option<Credentials>, AuthError>,
        proto: Protocol,
        phase: Phase,
    ) -> Result<(CallContext, Option<sigv4::ChunkVerifier>), WireError> {
        let service = match proto {
            Protocol::Json(s) | Protocol::Query(s) => s,
            Protocol::RestXml => "s3",
        };
        let base = |principal: Principal, key: Option<&str>| CallContext {
            principal,
            invoked_by: None,
            source_ip: req.peer.to_canonical().to_string(),
            user_agent: req.header("user-agent").unwrap_or("").to_string(),
            access_key_id: key.map(str::to_string),
            // Loopback never leaves this machine: it counts as TLS, so policies requiring
            // aws:SecureTransport keep working for local clients; any other peer spoke plain
            // HTTP over a network (README: "Use your own tools").
            secure_transport: req.peer.to_canonical().is_loopback(),
            conditions: Vec::new(),
            account: None,
        };
        let creds = creds.map_err(|e| auth_error(proto, &e))?;
        let Some(cred) = creds else {
            // A query-protocol form signed with Signature Version 2 is not unsigned.
            if matches!(proto, Protocol::Query(_))
                && sigv4::is_sigv2(
                    &serde_urlencoded::from_bytes::<Vec<(String, String)>>(&req.body)
                        .unwrap_or_default(),
                )
            {
                return Err(auth_error(proto, &AuthError::UnsupportedScheme));
            }
            if service == "s3" {
                return Ok((base(Principal::Anonymous, None), None));
            }
            // A web page must not act as lab-admin through a lenient server (a cross-site
            // form POST of `Action=CreateAccessKey` needs no preflight).
            if self.auth == AuthMode::Lenient && control::from_web_page(req).is_none() {
                return Ok((base(Principal::User(LAB_ADMIN.into()), None), None));
            }
            return Err(match proto {
                Protocol::Query(_) => WireError::new(
                    "MissingAuthenticationToken",
                    403,
                    "Request is missing Authentication Token",
                ),
                _ => WireError::new(
                    "MissingAuthenticationTokenException",
                    400,
                    "Missing Authentication Token",
                ),
            });
        };
        let (secret, principal, account) = if cred.access_key_id.starts_with("ASIA") {
            // Temporary credentials: the session token must come with them, and they expire.
            let Some(key) = self.cloud.session_key(&cred.access_key_id) else {
                return Err(crate::sim::unknown_credentials(service).into());
            };
            let token = req
                .header("x-amz-security-token")
                .map(str::to_string)
                .or_else(|| {
                    req.query()
                        .into_iter()
                        .find(|(k, _)| k == "X-Amz-Security-Token")
                        .map(|(_, v)| v)
                });
            let token_ok = token
                .is_some_and(|t| crate::sim::crypto::sha256_hex(t.as_bytes()) == key.token_sha256);
            if !token_ok {
                return Err(crate::sim::unknown_credentials(service).into());
            }
            if key.expires <= self.cloud.world.now {
                return Err(crate::sim::expired_token(service).into());
            }
            let account = self.cloud.world.session_account(&cred.access_key_id);
            (
                key.secret,
                Principal::Session(cred.access_key_id.clone()),
                account,
            )
        } else {
            let Some(key) = self
                .cloud
                .access_key(&cred.access_key_id)
                .filter(|k| k.status == "Active")
            else {
                if self.auth == AuthMode::Lenient {
                    return Ok((
                        base(Principal::User(LAB_ADMIN.into()), Some(&cred.access_key_id)),
                        None,
                    ));
                }
                return Err(crate::sim::unknown_credentials(service).into());
            };
            (key.secret, Principal::User(key.user), Some(key.account))
        };
        let parts = req.parts();
        match phase {
            Phase::Full => sigv4::verify(&parts, &cred, &secret, wall_secs()),
            Phase::Head => sigv4::check_claims(&parts, &cred, wall_secs()).and_then(|()| {
                if sigv4::signature_needs_body(&parts, &cred) {
                    Ok(())
                } else {
                    sigv4::check_signature(&parts, &cred, &secret)
                }
            }),
        }
        .map_err(|e| auth_error(proto, &e))?;
        let region = self.cloud.world.region.clone();
        if self.auth == AuthMode::Strict
            && !matches!(service, "iam" | "sts")
            && cred.region != region
        {
            let msg = format!(
                "the region '{}' is wrong; expecting '{region}' (this world is in {region}: set AWS_DEFAULT_REGION={region})",
                cred.region
            );
            return Err(match proto {
                Protocol::RestXml => WireError::new(
                    "AuthorizationHeaderMalformed",
                    400,
                    format!("The authorization header is malformed; {msg}"),
                ),
                _ => WireError::new(
                    "InvalidSignatureException",
                    400,
                    format!("Credential should be scoped to a valid region: {msg}"),
                ),
            });
        }
        let signed_chunks = req
            .header("x-amz-content-sha256")
            .is_some_and(|h| h.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
        let chunks = signed_chunks.then(|| sigv4::ChunkVerifier {
            key: sigv4::signing_key(&secret, &cred.date, &cred.region, &cred.service),
            amz_date: cred.amz_date.clone(),
            scope: cred.scope(),
            seed: cred.signature.clone(),
        });
        // The call runs in the account the credentials belong to.
        let mut ctx = base(principal, Some(&cred.access_key_id));
        ctx.account = account.filter(|a| *a != self.cloud.world.account_id);
        Ok((ctx, chunks))
    }
}

/// How much of a request authentication sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The head only: everything but what needs the body (a body-hashed signature, the hash
    /// of the body).
    Head,
    /// The whole request.
    Full,
}

/// Picks the protocol: the SigV4 scope's service, else `X-Amz-Target`, else a form
/// `Action`, else S3.
fn protocol(req: &Request, cred: Option<&Credentials>) -> Result<Protocol, WireError> {
    let target = req.header("x-amz-target").unwrap_or("");
    let by_target = if target_operation(target, KMS_TARGETS).is_some() {
        Some(Protocol::Json("kms"))
    } else if target_operation(target, CLOUDTRAIL_TARGETS).is_some() {
        Some(Protocol::Json("cloudtrail"))
    } else {
        None
    };
    let form_version = || -> Option<String> {
        let is_form = req
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
        let pairs: Vec<(String, String)> = if is_form {
            serde_urlencoded::from_bytes(&req.body).unwrap_or_default()
        } else {
            req.query()
        };
        if !pairs.iter().any(|(k, _)| k == "Action") {
            return None;
        }
        pairs
            .into_iter()
            .find(|(k, _)| k == "Version")
            .map(|(_, v)| v)
    };
    let svc = match cred {
        Some(c) => c.service.as_str(),
        None => {
            if let Some(p) = by_target {
                return Ok(p);
            }
            match form_version().as_deref() {
                Some("2010-05-08") => return Ok(Protocol::Query("iam")),
                Some("2011-06-15") => return Ok(Protocol::Query("sts")),
                _ => return Ok(Protocol::RestXml),
            }
        }
    };
    match svc {
        "kms" | "cloudtrail" => Ok(by_target.unwrap_or(if svc == "kms" {
            Protocol::Json("kms")
        } else {
            Protocol::Json("cloudtrail")
        })),
        "iam" => Ok(Protocol::Query("iam")),
        "sts" => Ok(Protocol::Query("sts")),
        "s3" => Ok(Protocol::RestXml),
        other => Err(WireError::new(
            "NotImplemented",
            501,
            format!(
                "keyform serve simulates kms, s3, iam, sts and cloudtrail; requests signed for service '{other}' are not simulated"
            ),
        )),
    }
}

/// An authentication failure in the protocol's terms (AWS's codes and statuses).
fn auth_error(proto: Protocol, e: &AuthError) -> WireError {
    const NOT_SIGNED: &str = "There were headers present in the request which were not signed";
    const USE_V4: &str = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
    match (proto, e) {
        (Protocol::RestXml, AuthError::UnsignedHeaders(h)) => {
            WireError::new("AccessDenied", 403, NOT_SIGNED).detail("HeadersNotSigned", h.join(", "))
        }
        (Protocol::RestXml, AuthError::UnsupportedScheme) => {
            WireError::new("InvalidRequest", 400, USE_V4)
        }
        (Protocol::RestXml, AuthError::MissingContentSha256) => WireError::new(
            "InvalidRequest",
            400,
            "Missing required header for this request: x-amz-content-sha256",
        ),
        (Protocol::Query(_), AuthError::UnsignedHeaders(h)) => WireError::new(
            "IncompleteSignature",
            400,
            format!("{NOT_SIGNED}: {}", h.join(", ")),
        ),
        (Protocol::Json(_), AuthError::UnsignedHeaders(h)) => WireError::new(
            "IncompleteSignatureException",
            400,
            format!("{NOT_SIGNED}: {}", h.join(", ")),
        ),
        (Protocol::Query(_), AuthError::UnsupportedScheme | AuthError::MissingContentSha256) => {
            WireError::new("IncompleteSignature", 400, USE_V4)
        }
        (Protocol::Json(_), AuthError::UnsupportedScheme | AuthError::MissingContentSha256) => {
            WireError::new("IncompleteSignatureException", 400, USE_V4)
        }
        (Protocol::RestXml, AuthError::Malformed(m)) => {
            WireError::new("AuthorizationHeaderMalformed", 400, m.clone())
        }
        (Protocol::RestXml, AuthError::Mismatch(m)) => {
            WireError::new("SignatureDoesNotMatch", 403, m.clone())
        }
        (Protocol::RestXml, AuthError::Skewed(_)) => WireError::new(
            "RequestTimeTooSkewed",
            403,
            "The difference between the request time and the current time is too large.",
        ),
        (Protocol::RestXml, AuthError::Expired(_)) => {
            WireError::new("AccessDenied", 403, "Request has expired")
        }
        (_, AuthError::ContentMismatch) => WireError::new(
            "XAmzContentSHA256Mismatch",
            400,
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
        (Protocol::Query(_), AuthError::Malformed(m)) => {
            WireError::new("IncompleteSignature", 400, m.clone())
        }
        (
            Protocol::Query(_),
            AuthError::Mismatch(m) | AuthError::Skewed(m) | AuthError::Expired(m),
        ) => WireError::new("SignatureDoesNotMatch", 403, m.clone()),
        (Protocol::Json(_), AuthError::Malformed(m)) => {
            WireError::new("IncompleteSignatureException", 400, m.clone())
        }
        (
            Protocol::Json(_),
            AuthError::Mismatch(m) | AuthError::Skewed(m) | AuthError::Expired(m),
        ) => WireError::new("InvalidSignatureException", 400, m.clone()),
    }
}

/// An error response in the protocol's shape.
pub fn error_response(proto: Protocol, req: &Request, e: &WireError, rid: &str) -> Response {
    match proto {
        Protocol::Json(_) => kms::json_error(e, rid),
        Protocol::Query(svc) => iam::query_error(svc, e, rid),
        Protocol::RestXml => s3::error_response(req, e, rid),
    }
}

#[cfg(test)]
mod tests;
