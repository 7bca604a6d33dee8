//! The simulated cloud: KMS, S3, IAM and CloudTrail over one [`World`], with real cryptography,
//! real policy evaluation and a simulated clock.
//!
//! Every call goes through [`Cloud::run`]: authorize -> act -> record a CloudTrail event. Services
//! are `impl Cloud` blocks in their own files so S3 can call KMS as the caller, as AWS does.
//! This module imports no pipeline module; `provider::aws` adapts it to the engine.

pub mod blobs;
pub mod clock;
pub mod cloudtrail;
pub mod crypto;
pub mod error;
pub mod iam;
pub mod ids;
pub mod kms;
pub mod ops;
#[cfg(test)]
mod proptests;
pub mod s3;
#[cfg(any(debug_assertions, feature = "test-hooks"))]
pub mod test_hooks;
pub mod world;

/// Test-only: aborts the process here if `KEYFORM_CRASH_AFTER=write:N` names this durable write
/// (see [`test_hooks`]). Compiles to nothing in release builds.
#[inline]
pub fn crash_after_write() {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    test_hooks::crash_point(test_hooks::CrashKind::Write);
}

/// Test-only: aborts the process here if `KEYFORM_CRASH_AFTER=provider:N` names this provider
/// call (see [`test_hooks`]). Compiles to nothing in release builds.
#[inline]
pub fn crash_after_provider_call() {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    test_hooks::crash_point(test_hooks::CrashKind::Provider);
}

/// Test-only: reveals a secret the cloud just made to the file `KEYFORM_TEST_REVEAL_KEY_MATERIAL`
/// names (see [`test_hooks`]). Compiles to nothing in release builds.
#[inline]
pub(crate) fn reveal_secret(what: &str, bytes: &[u8]) {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    test_hooks::reveal_secret(what, bytes);
    #[cfg(not(any(debug_assertions, feature = "test-hooks")))]
    let _ = (what, bytes);
}

/// Test-only: once the workspace lock is held, waits for the file
/// `KEYFORM_TEST_PAUSE_AFTER_LOCK` names (see [`test_hooks`]). Compiles to nothing in release
/// builds.
#[inline]
pub fn pause_after_lock() {
    #[cfg(any(debug_assertions, feature = "test-hooks"))]
    test_hooks::pause_after_lock();
}

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

pub use blobs::BlobStore;
pub use error::{ErrorKind, SimError};
pub use world::World;

use crate::sim::clock::Millis;
use crate::sim::crypto::RootKey;
use crate::sim::world::EntityRef;

/// The name of the learner's own IAM user, present in every world.
pub const LAB_ADMIN: &str = "lab-admin";

/// The account id of a new world unless `init -account-id` says otherwise.
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// Who makes a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user of the world, by name.
    User(String),
    /// The account root user.
    Root,
    /// A role session (STS temporary credentials), by its access key id (`ASIA...`).
    Session(String),
    /// No credentials at all.
    Anonymous,
    /// An AWS service principal such as `cloudtrail.amazonaws.com`.
    Service(String),
}

/// Everything about a call besides its parameters.
#[derive(Debug, Clone)]
pub struct CallContext {
    pub principal: Principal,
    /// Set when a service calls another on the caller's behalf (`s3.amazonaws.com`).
    pub invoked_by: Option<String>,
    pub source_ip: String,
    pub user_agent: String,
    pub access_key_id: Option<String>,
    pub secure_transport: bool,
    /// Condition keys a service adds to its own calls (CloudTrail's `aws:SourceArn`).
    pub conditions: Vec<(String, String)>,
    /// The caller's account (`sim --account`, an access key of another account's user): the
    /// call runs with it in scope. `None`: the account in scope (the default account).
    pub account: Option<String>,
}

impl CallContext {
    pub fn user(name: &str) -> CallContext {
        CallContext {
            principal: Principal::User(name.to_string()),
            invoked_by: None,
            source_ip: "127.0.0.1".into(),
            user_agent: format!("keyform/{}", env!("CARGO_PKG_VERSION")),
            access_key_id: None,
            secure_transport: true,
            conditions: Vec::new(),
            account: None,
        }
    }

    /// The same caller, as a principal of `account`.
    pub fn in_account(self, account: &str) -> CallContext {
        CallContext {
            account: Some(account.to_string()),
            ..self
        }
    }

    pub fn lab_admin() -> CallContext {
        CallContext::user(LAB_ADMIN)
    }

    /// The account root user.
    pub fn root() -> CallContext {
        CallContext {
            principal: Principal::Root,
            ..CallContext::lab_admin()
        }
    }

    /// A role session, by the access key id AssumeRole answered.
    pub fn session(access_key_id: &str) -> CallContext {
        CallContext {
            principal: Principal::Session(access_key_id.to_string()),
            access_key_id: Some(access_key_id.to_string()),
            ..CallContext::lab_admin()
        }
    }

    /// An AWS service acting as itself (CloudTrail delivering logs, KMS running a deletion).
    pub fn service(name: &str) -> CallContext {
        CallContext {
            principal: Principal::Service(name.to_string()),
            invoked_by: None,
            source_ip: name.to_string(),
            user_agent: name.to_string(),
            access_key_id: None,
            secure_transport: true,
            conditions: Vec::new(),
            account: None,
        }
    }

    pub fn anonymous() -> CallContext {
        CallContext {
            principal: Principal::Anonymous,
            ..CallContext::lab_admin()
        }
    }

    /// The same caller, as seen by a service acting for it.
    pub fn via(&self, service: &str) -> CallContext {
        CallContext {
            invoked_by: Some(service.to_string()),
            source_ip: service.to_string(),
            user_agent: service.to_string(),
            ..self.clone()
        }
    }
}

/// Metadata of one operation, for authorization and CloudTrail.
pub(crate) struct Op {
    pub service: &'static str,
    pub name: &'static str,
    pub params: Json,
    pub read_only: bool,
    /// S3 object-level calls are data events; everything else is a management event.
    pub data_event: bool,
}

/// Resources an operation touched, for the CloudTrail record.
#[derive(Default)]
pub(crate) struct Touched {
    pub resources: Vec<(String, String)>,
    pub response: Option<Json>,
    /// The event's `additionalEventData` (the grant that allowed a KMS call).
    pub additional: Option<Json>,
    /// KMS: the grants the request's `GrantTokens` name, tried first when a grant decides.
    pub grant_tokens: Vec<String>,
}

/// The simulated cloud of one world.
pub struct Cloud {
    pub world: World,
    pub(crate) root: RootKey,
    pub(crate) blobs: Box<dyn BlobStore>,
    touched: BTreeSet<EntityRef>,
    events_mark: usize,
    /// The clock at the last `take_delta`: moving it is a change to save even when nothing
    /// fell due (a `sim clock advance 6d` must not be forgotten by the next command).
    clock_mark: Millis,
    /// Set when key material was destroyed: the store must compact so no file keeps it.
    pub material_destroyed: bool,
    pub(crate) policy_cache:
        std::collections::HashMap<String, std::sync::Arc<policy::PolicyDocument>>,
    /// When set, every authorization decision is recorded here (`sim explain`).
    pub(crate) explain_log: Option<Vec<authz::Explanation>>,
    /// The first operation [`Cloud::call`] was asked for since this was last taken (serve's
    /// request log names it).
    pub first_operation: Option<&'static str>,
}

pub mod authz;
pub mod policy;

impl Cloud {
    pub fn new(world: World, root: RootKey, blobs: Box<dyn BlobStore>) -> Cloud {
        let events_mark = world.cloudtrail.events.len();
        let clock_mark = world.now;
        Cloud {
            world,
            root,
            blobs,
            touched: BTreeSet::new(),
            events_mark,
            clock_mark,
            material_destroyed: false,
            policy_cache: Default::default(),
            explain_log: None,
            first_operation: None,
        }
    }

    /// A fresh in-memory world (for `keyform test` and unit tests), bootstrapped with lab-admin.
    pub fn in_memory(
        account_id: &str,
        region: &str,
        now: Millis,
        ids: ids::IdGen,
    ) -> Result<Cloud, SimError> {
        let root = RootKey::ephemeral().map_err(|e| SimError::internal(e.to_string()))?;
        let mut c = Cloud::new(
            World::new(account_id, region, now, ids),
            root,
            Box::new(blobs::MemoryBlobs::default()),
        );
        c.bootstrap();
        Ok(c)
    }

    /// Creates the lab-admin user with AdministratorAccess if missing.
    pub fn bootstrap(&mut self) {
        self.migrate_key_managers();
        if self.world.iam.users.contains_key(LAB_ADMIN) {
            return;
        }
        let user = self.new_user(LAB_ADMIN, "/");
        self.world.iam.users.insert(LAB_ADMIN.to_string(), user);
        if let Some(u) = self.world.iam.users.get_mut(LAB_ADMIN) {
            u.attached_policies
                .insert("arn:aws:iam::aws:policy/AdministratorAccess".into());
        }
        self.touch(EntityRef::User(LAB_ADMIN.into()));
    }

    /// Replaces the whole world with `world` (serve's reset). The old world's object bodies
    /// and upload parts are deleted, and the store must be compacted so no file keeps the
    /// old keys' material.
    pub fn replace_world(&mut self, world: World) {
        let blobs: Vec<String> = self
            .world
            .s3
            .objects
            .values()
            .flat_map(|m| m.values().map(|o| o.blob.clone()))
            .chain(
                self.world
                    .s3
                    .uploads
                    .values()
                    .flat_map(|u| u.parts.values().map(|p| p.blob.clone())),
            )
            .collect();
        for b in blobs {
            let _ = self.blobs.delete(&b);
        }
        self.world = world;
        self.touched.clear();
        self.events_mark = 0;
        self.clock_mark = self.world.now;
        self.material_destroyed = true;
        self.policy_cache.clear();
        self.bootstrap();
    }

    /// Worlds written before keys stored their manager read every key as CUSTOMER: the keys
    /// behind `alias/aws/...` are AWS managed.
    fn migrate_key_managers(&mut self) {
        let aws_keys: Vec<String> = self
            .world
            .kms
            .aliases
            .values()
            .filter(|a| a.name.starts_with("alias/aws/"))
            .map(|a| a.target_key_id.clone())
            .collect();
        for id in aws_keys {
            if let Some(k) = self.world.kms.keys.get_mut(&id)
                && k.key_manager != world::KeyManager::Aws
            {
                k.key_manager = world::KeyManager::Aws;
                self.touch(EntityRef::KmsKey(id));
            }
        }
    }

    /// Evaluates a call without any lasting effect: returns what it would answer and every
    /// authorization decision taken on the way (S3's calls to KMS included).
    pub fn explain_call(
        mut self,
        ctx: &CallContext,
        op: &str,
        params: &serde_json::Value,
        body: Option<&[u8]>,
    ) -> (Result<ops::Response, SimError>, Vec<authz::Explanation>) {
        let real = std::mem::replace(&mut self.blobs, Box::new(blobs::MemoryBlobs::default()));
        self.blobs = Box::new(blobs::Overlay::new(real));
        self.explain_log = Some(Vec::new());
        let r = self.call(ctx, op, params, body);
        (r, self.explain_log.take().unwrap_or_default())
    }

    pub fn now(&self) -> Millis {
        self.world.now
    }

    /// Puts back a world saved earlier with `world.clone()` (a `keyform test` run whose command
    /// failed leaves no trace). The change marks restart from it; sealed object bodies written
    /// since stay in the blob store, unreferenced.
    pub fn restore_world(&mut self, world: World) {
        self.world = world;
        self.touched.clear();
        self.events_mark = self.world.cloudtrail.events.len();
        self.clock_mark = self.world.now;
        self.policy_cache.clear();
    }

    /// Records a change to an entity; an entity of one account is recorded with the account
    /// in scope once the world has several.
    pub(crate) fn touch(&mut self, r: EntityRef) {
        let account = self.world.account_id.clone();
        self.touch_in(&account, r);
    }

    /// Records a change to an entity of `account` (in scope or not).
    pub(crate) fn touch_in(&mut self, account: &str, r: EntityRef) {
        let r = if r.per_account() && !self.world.accounts.is_empty() {
            EntityRef::In(account.to_string(), Box::new(r))
        } else {
            r
        };
        self.touched.insert(r);
    }

    /// True if anything changed since the last `take_delta`.
    pub fn is_dirty(&self) -> bool {
        !self.touched.is_empty()
            || self.world.cloudtrail.events.len() != self.events_mark
            || self.world.now != self.clock_mark
    }

    /// What changed since the last call, for the journal.
    pub fn take_delta(&mut self) -> Option<world::WorldDelta> {
        if !self.is_dirty() {
            return None;
        }
        let d = self.world.delta(&self.touched, self.events_mark);
        self.touched.clear();
        self.events_mark = self.world.cloudtrail.events.len();
        self.clock_mark = self.world.now;
        Some(d)
    }

    /// Runs one API operation: the closure authorizes and acts; the call is recorded either way.
    ///
    /// The error type is the service's (`SimError`, or a service error enum such as
    /// [`kms::KmsError`] when a caller needs to tell the failures apart); the event records it
    /// as AWS words it.
    pub(crate) fn run<T, E>(
        &mut self,
        ctx: &CallContext,
        op: Op,
        f: impl FnOnce(&mut Cloud, &mut Touched) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<SimError> + Into<SimError> + Clone,
    {
        if let Principal::User(name) = &ctx.principal
            && !self.world.iam.users.contains_key(name)
        {
            // Credentials of a user that does not exist never reach the service: nothing is
            // recorded, and the error is the one each service gives for unknown credentials.
            return Err(unknown_credentials(op.service).into());
        }
        if let Principal::Session(id) = &ctx.principal {
            match self.world.iam.sessions.get(id) {
                None => return Err(unknown_credentials(op.service).into()),
                // Expired credentials never reach the service either.
                Some(s) if s.expires <= self.world.now => {
                    return Err(expired_token(op.service).into());
                }
                Some(_) => {}
            }
        }
        let mut touched = Touched::default();
        let result = f(self, &mut touched);
        let err: Option<SimError> = result.as_ref().err().cloned().map(Into::into);
        self.record_event(ctx, &op, &touched, err.as_ref());
        result
    }

    fn record_event(&mut self, ctx: &CallContext, op: &Op, t: &Touched, err: Option<&SimError>) {
        if err.is_some_and(|e| e.kind == ErrorKind::Parameter) {
            return; // never reached the service
        }
        self.world.seq += 1;
        let (request_id, event_id) = (self.world.ids.uuid(), self.world.ids.uuid());
        let mut ev = json!({
            "eventVersion": "1.08",
            "userIdentity": self.user_identity(ctx),
            "eventTime": clock::iso8601(self.world.now),
            "eventSource": format!("{}.amazonaws.com", op.service),
            "eventName": op.name,
            "awsRegion": self.world.region,
            "sourceIPAddress": ctx.source_ip,
            "userAgent": ctx.user_agent,
            "requestParameters": op.params,
            "responseElements": t.response.clone().unwrap_or(Json::Null),
            "requestID": request_id,
            "eventID": event_id,
            "readOnly": op.read_only,
            "resources": t.resources.iter().map(|(ty, arn)| json!({
                "accountId": self.world.account_id, "type": ty, "ARN": arn
            })).collect::<Vec<_>>(),
            "eventType": "AwsApiCall",
            "managementEvent": !op.data_event,
            "recipientAccountId": self.world.account_id,
            "eventCategory": if op.data_event { "Data" } else { "Management" },
            "sequence": self.world.seq,
        });
        if let (Some(a), Json::Object(m)) = (&t.additional, &mut ev) {
            m.insert("additionalEventData".into(), a.clone());
        }
        if let (Some(e), Json::Object(m)) = (err, &mut ev) {
            // KMS answers AccessDeniedException but logs the denial as AccessDenied.
            let code = match (op.service, e.code.as_str()) {
                ("kms", "AccessDeniedException") => "AccessDenied",
                (_, c) => c,
            };
            m.insert("errorCode".into(), json!(code));
            m.insert("errorMessage".into(), json!(e.message));
        }
        if let (Some(s), Json::Object(m)) = (&ctx.invoked_by, &mut ev)
            && let Some(Json::Object(ui)) = m.get_mut("userIdentity")
        {
            ui.entry("invokedBy").or_insert_with(|| json!(s));
        }
        self.world
            .cloudtrail
            .events
            .push(crate::sim::world::TrailEvent::new(&ev));
    }

    fn user_identity(&self, ctx: &CallContext) -> Json {
        match &ctx.principal {
            Principal::User(name) => {
                let (arn, id) = self
                    .world
                    .iam
                    .users
                    .get(name)
                    .map(|u| (u.arn.clone(), u.user_id.clone()))
                    .unwrap_or_else(|| {
                        (
                            format!("arn:aws:iam::{}:user/{name}", self.world.account_id),
                            String::new(),
                        )
                    });
                let mut m = json!({
                    "type": "IAMUser", "principalId": id, "arn": arn,
                    "accountId": self.world.account_id, "userName": name,
                });
                if let (Some(k), Json::Object(o)) = (&ctx.access_key_id, &mut m) {
                    o.insert("accessKeyId".into(), json!(k));
                }
                m
            }
            Principal::Root => {
                let mut m = json!({
                    "type": "Root", "principalId": self.world.account_id,
                    "arn": self.world.root_arn(), "accountId": self.world.account_id,
                });
                if let (Some(k), Json::Object(o)) = (&ctx.access_key_id, &mut m) {
                    o.insert("accessKeyId".into(), json!(k));
                }
                m
            }
            Principal::Session(id) => match self.world.iam.sessions.get(id) {
                Some(s) => json!({
                    "type": "AssumedRole", "principalId": s.user_id(),
                    "arn": s.arn(&self.world.account_id), "accountId": self.world.account_id,
                    "accessKeyId": id,
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "principalId": s.role_id,
                            "arn": s.role_arn, "accountId": self.world.account_id,
                            "userName": s.role_name},
                        "attributes": {"creationDate": clock::iso8601(s.created),
                            "mfaAuthenticated": "false"},
                    },
                }),
                None => json!({"type": "AssumedRole", "accessKeyId": id,
                    "accountId": self.world.account_id}),
            },
            Principal::Anonymous => {
                json!({"type": "AWSAccount", "principalId": "", "accountId": "anonymous"})
            }
            Principal::Service(s) => json!({"type": "AWSService", "invokedBy": s}),
        }
    }

    /// The ARN of a principal, for messages and policy evaluation.
    pub fn principal_arn(&self, p: &Principal) -> String {
        match p {
            Principal::User(n) => self.world.iam.users.get(n).map_or_else(
                || format!("arn:aws:iam::{}:user/{n}", self.world.account_id),
                |u| u.arn.clone(),
            ),
            Principal::Root => self.world.root_arn(),
            Principal::Session(id) => self.world.iam.sessions.get(id).map_or_else(
                || {
                    format!(
                        "arn:aws:sts::{}:assumed-role/unknown/{id}",
                        self.world.account_id
                    )
                },
                |s| s.arn(&self.world.account_id),
            ),
            Principal::Anonymous => "anonymous".into(),
            Principal::Service(s) => s.clone(),
        }
    }

    /// Moves the clock forward by `by` (an advance: it counts towards the offset a served
    /// world keeps from the wall clock), running what fell due in time order.
    pub fn advance_clock(&mut self, by: Millis) -> Vec<String> {
        let by = by.max(0);
        self.world.clock_offset = self.world.clock_offset.saturating_add(by);
        self.move_clock_to(self.world.now.saturating_add(by))
    }

    /// A served working directory's clock: the wall clock plus every advance made. Moves the
    /// world's clock on to that time (never back), running what fell due on the way, so
    /// scheduled deletions and rotations happen on their own.
    pub fn follow_wall_clock(&mut self, wall: Millis) -> Vec<String> {
        let target = wall.saturating_add(self.world.clock_offset);
        if target <= self.world.now {
            return Vec::new();
        }
        self.move_clock_to(target)
    }

    fn move_clock_to(&mut self, target: Millis) -> Vec<String> {
        let target = target.max(self.world.now);
        let mut happened = Vec::new();
        loop {
            let next = self.next_due().filter(|t| *t <= target);
            let Some(t) = next else { break };
            self.world.now = self.world.now.max(t);
            happened.extend(self.run_due(t));
        }
        self.world.now = target;
        self.drop_expired_bucket_keys();
        happened
    }

    /// Expired bucket keys are useless; dropping them keeps no stale wrapped key around.
    fn drop_expired_bucket_keys(&mut self) {
        let now = self.world.now;
        let stale: Vec<String> = self
            .world
            .s3
            .buckets
            .values()
            .filter(|b| b.bucket_keys.iter().any(|e| e.expires <= now))
            .map(|b| b.name.clone())
            .collect();
        for name in stale {
            if let Some(b) = self.world.s3.buckets.get_mut(&name) {
                b.bucket_keys.retain(|e| e.expires > now);
            }
            self.touch(world::EntityRef::Bucket(name));
        }
    }

    fn next_due(&self) -> Option<Millis> {
        self.world
            .kms
            .keys
            .values()
            .filter_map(|k| {
                let due = match (k.state, k.deletion_date, k.rotation) {
                    (world::KeyState::PendingDeletion, Some(d), _) => Some(d),
                    (world::KeyState::Enabled, _, Some(r)) => Some(r.next),
                    _ => None,
                };
                match (due, k.material_expires()) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            })
            .min()
    }

    fn run_due(&mut self, t: Millis) -> Vec<String> {
        let mut out = Vec::new();
        let due: Vec<String> = self
            .world
            .kms
            .keys
            .values()
            .filter(|k| {
                k.material_expires().is_some_and(|e| e <= t)
                    || match (k.state, k.deletion_date, k.rotation) {
                        (world::KeyState::PendingDeletion, Some(d), _) => d <= t,
                        (world::KeyState::Enabled, _, Some(r)) => r.next <= t,
                        _ => false,
                    }
            })
            .map(|k| k.key_id.clone())
            .collect();
        for id in due {
            if let Some(msg) = self.kms_run_due(&id, t) {
                out.push(msg);
            }
        }
        out
    }
}

/// The error a service answers to credentials of no existing user (`--as` a user that is not
/// in the world): S3's InvalidAccessKeyId, IAM's InvalidClientTokenId, and KMS's and
/// CloudTrail's UnrecognizedClientException, with AWS's messages.
pub fn unknown_credentials(service: &str) -> SimError {
    match service {
        "s3" => s3::S3Error::InvalidAccessKeyId.into(),
        "iam" | "sts" => iam::IamError::InvalidClientTokenId.into(),
        "cloudtrail" => cloudtrail::CloudTrailError::UnrecognizedClient.into(),
        _ => kms::KmsError::UnrecognizedClient.into(),
    }
}

/// The error a service answers to temporary credentials past their expiry, with AWS's code
/// and message.
pub fn expired_token(service: &str) -> SimError {
    iam::IamError::ExpiredToken {
        service: match service {
            "s3" => iam::TokenService::S3,
            "iam" | "sts" => iam::TokenService::Iam,
            _ => iam::TokenService::Json,
        },
    }
    .into()
}

/// Reads a required string parameter.
pub(crate) fn req_str<'a>(p: &'a Json, name: &str) -> Result<&'a str, SimError> {
    match p.get(name) {
        Some(Json::String(s)) => Ok(s),
        Some(Json::Null) | None => Err(SimError::param(format!(
            "Missing required parameter in input: \"{name}\""
        ))),
        Some(other) => Err(SimError::param(format!(
            "Invalid type for parameter {name}, value: {other}, type: {}, valid types: <class 'str'>",
            json_type(other)
        ))),
    }
}

/// Reads an optional string parameter.
pub(crate) fn opt_str<'a>(p: &'a Json, name: &str) -> Result<Option<&'a str>, SimError> {
    match p.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s)),
        Some(other) => Err(SimError::param(format!(
            "Invalid type for parameter {name}, value: {other}, type: {}, valid types: <class 'str'>",
            json_type(other)
        ))),
    }
}

/// Reads an optional integer parameter (numbers or numeric strings).
pub(crate) fn opt_int(p: &Json, name: &str) -> Result<Option<i64>, SimError> {
    match p.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| SimError::param(format!("Invalid type for parameter {name}, value: {n}, type: <class 'float'>, valid types: <class 'int'>"))),
        Some(Json::String(s)) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| SimError::param(format!("Invalid type for parameter {name}, value: {s}, type: <class 'str'>, valid types: <class 'int'>"))),
        Some(other) => Err(SimError::param(format!("Invalid type for parameter {name}, value: {other}, valid types: <class 'int'>"))),
    }
}

/// Reads an optional boolean parameter.
pub(crate) fn opt_bool(p: &Json, name: &str) -> Result<Option<bool>, SimError> {
    match p.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(Json::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(other) => Err(SimError::param(format!(
            "Invalid type for parameter {name}, value: {other}, valid types: <class 'bool'>"
        ))),
    }
}

/// Reads an optional string map parameter (encryption contexts, tags).
pub(crate) fn opt_str_map(
    p: &Json,
    name: &str,
) -> Result<std::collections::BTreeMap<String, String>, SimError> {
    match p.get(name) {
        None | Some(Json::Null) => Ok(Default::default()),
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Json::String(s) => Ok((k.clone(), s.clone())),
                other => Err(SimError::param(format!("Invalid type for parameter {name}.{k}, value: {other}, valid types: <class 'str'>"))),
            })
            .collect(),
        Some(other) => Err(SimError::param(format!("Invalid type for parameter {name}, value: {other}, valid types: <class 'dict'>"))),
    }
}

fn json_type(v: &Json) -> &'static str {
    match v {
        Json::Null => "<class 'NoneType'>",
        Json::Bool(_) => "<class 'bool'>",
        Json::Number(_) => "<class 'int'>",
        Json::String(_) => "<class 'str'>",
        Json::Array(_) => "<class 'list'>",
        Json::Object(_) => "<class 'dict'>",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::{DAY, iso8601};

    fn cloud() -> Cloud {
        Cloud::in_memory(
            DEFAULT_ACCOUNT,
            "us-east-1",
            1_767_225_600_000,
            ids::IdGen::seeded(3),
        )
        .unwrap()
    }

    fn ok(c: &mut Cloud, op: &str, p: Json) -> Json {
        c.call(&CallContext::lab_admin(), op, &p, None)
            .unwrap_or_else(|e| panic!("{op}: {e}"))
            .fields
    }

    #[test]
    fn credentials_of_no_user_are_refused_as_each_service_does_and_not_recorded() {
        let mut c = cloud();
        let before = c.world.cloudtrail.events.len();
        let ghost = CallContext::user("ghost");
        for (op, code) in [
            ("kms:ListKeys", "UnrecognizedClientException"),
            ("s3:ListBuckets", "InvalidAccessKeyId"),
            ("iam:ListUsers", "InvalidClientTokenId"),
            ("cloudtrail:DescribeTrails", "UnrecognizedClientException"),
        ] {
            let e = c.call(&ghost, op, &json!({}), None).unwrap_err();
            assert_eq!(
                (e.kind, e.code.as_str()),
                (ErrorKind::Service, code),
                "{op}"
            );
        }
        assert_eq!(c.world.cloudtrail.events.len(), before);
    }

    #[test]
    fn key_manager_is_stored_and_old_worlds_are_migrated() {
        let mut c = cloud();
        let k = ok(&mut c, "kms:CreateKey", json!({}));
        assert_eq!(k["KeyMetadata"]["KeyManager"], "CUSTOMER");
        ok(
            &mut c,
            "s3:CreateBucket",
            json!({"Bucket": "managed-key-bucket"}),
        );
        c.call(
            &CallContext::lab_admin(),
            "s3:PutObject",
            &json!({"Bucket": "managed-key-bucket", "Key": "k", "ServerSideEncryption": "aws:kms"}),
            Some(b"x"),
        )
        .unwrap();
        let d = ok(&mut c, "kms:DescribeKey", json!({"KeyId": "alias/aws/s3"}));
        assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
        // A world written before KeyManager was stored: every key reads as CUSTOMER...
        let mut w = serde_json::to_value(&c.world).unwrap();
        for k in w["kms"]["keys"].as_object_mut().unwrap().values_mut() {
            k.as_object_mut().unwrap().remove("key_manager");
        }
        let old: World = serde_json::from_value(w).unwrap();
        let mut c2 = Cloud::new(
            old,
            RootKey::ephemeral().unwrap(),
            Box::new(blobs::MemoryBlobs::default()),
        );
        // ...until loading fixes the keys behind alias/aws/*.
        c2.bootstrap();
        let d = ok(&mut c2, "kms:DescribeKey", json!({"KeyId": "alias/aws/s3"}));
        assert_eq!(d["KeyMetadata"]["KeyManager"], "AWS");
        let id = k["KeyMetadata"]["KeyId"].as_str().unwrap();
        let d = ok(&mut c2, "kms:DescribeKey", json!({"KeyId": id}));
        assert_eq!(d["KeyMetadata"]["KeyManager"], "CUSTOMER");
    }

    #[test]
    fn alias_and_managed_policy_update_dates_follow_updates() {
        let mut c = cloud();
        let created = iso8601(c.now());
        let a = ok(&mut c, "kms:CreateKey", json!({}));
        let b = ok(&mut c, "kms:CreateKey", json!({}));
        let id = |k: &Json| k["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        ok(
            &mut c,
            "kms:CreateAlias",
            json!({"AliasName": "alias/x", "TargetKeyId": id(&a)}),
        );
        c.advance_clock(DAY);
        ok(
            &mut c,
            "kms:UpdateAlias",
            json!({"AliasName": "alias/x", "TargetKeyId": id(&b)}),
        );
        let l = ok(&mut c, "kms:ListAliases", json!({}));
        let alias = l["Aliases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["AliasName"] == "alias/x")
            .unwrap();
        assert_eq!(alias["CreationDate"], created.as_str());
        assert_eq!(alias["LastUpdatedDate"], iso8601(c.now()).as_str());

        let doc = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}).to_string();
        let p = ok(
            &mut c,
            "iam:CreatePolicy",
            json!({"PolicyName": "p", "PolicyDocument": doc}),
        );
        let arn = p["Policy"]["Arn"].as_str().unwrap().to_string();
        assert_eq!(p["Policy"]["UpdateDate"], p["Policy"]["CreateDate"]);
        c.advance_clock(DAY);
        ok(
            &mut c,
            "iam:CreatePolicyVersion",
            json!({"PolicyArn": arn, "PolicyDocument": doc}),
        );
        let g = ok(&mut c, "iam:GetPolicy", json!({"PolicyArn": arn}));
        assert_eq!(
            g["Policy"]["UpdateDate"], g["Policy"]["CreateDate"],
            "a non-default version changes nothing"
        );
        ok(
            &mut c,
            "iam:CreatePolicyVersion",
            json!({"PolicyArn": arn, "PolicyDocument": doc, "SetAsDefault": true}),
        );
        let g = ok(&mut c, "iam:GetPolicy", json!({"PolicyArn": arn}));
        assert_eq!(g["Policy"]["UpdateDate"], iso8601(c.now()).as_str());
        assert_ne!(g["Policy"]["UpdateDate"], g["Policy"]["CreateDate"]);
    }

    #[test]
    fn moving_the_clock_is_a_change_to_save_even_when_nothing_falls_due() {
        let mut c = cloud();
        let _ = c.take_delta();
        assert!(!c.is_dirty());
        c.advance_clock(6 * DAY);
        assert!(c.is_dirty());
        let d = c.take_delta().unwrap();
        assert_eq!(d.now, 1_767_225_600_000 + 6 * DAY);
        assert!(!c.is_dirty());
    }

    #[test]
    fn a_followed_clock_is_the_wall_clock_plus_every_advance_and_never_goes_back() {
        let mut c = cloud();
        let t0 = c.now();
        c.advance_clock(DAY);
        assert_eq!(c.world.clock_offset, DAY);
        // The wall clock an hour after the start: world time is that plus the day advanced.
        c.follow_wall_clock(t0 + 3_600_000);
        assert_eq!(c.now(), t0 + DAY + 3_600_000);
        // A wall clock behind the world's time moves nothing.
        c.follow_wall_clock(t0);
        assert_eq!(c.now(), t0 + DAY + 3_600_000);
        assert_eq!(c.world.clock_offset, DAY, "following is not an advance");
        assert_eq!(
            c.take_delta().unwrap().clock_offset,
            DAY,
            "the offset is journaled"
        );
    }
}
