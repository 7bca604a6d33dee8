//! The simulated cloud: KMS, S3, IAM and CloudTrail over one [`World`], with real cryptography,
//! real policy evaluation and a simulated clock.
//!
//! Every call goes through [`Cloud::run`]: authorize -> act -> record a CloudTrail event. Services
//! are `impl Cloud` blocks in their own files so S3 can call KMS as the caller, as AWS does.
//! This module imports no pipeline module; `provider::aws` adapts it to the engine.

pub mod api;
pub mod blobs;
pub mod clock;
pub mod cloudtrail;
pub mod crypto;
pub mod error;
pub mod iam;
pub mod ids;
pub mod kms;
pub mod s3;
pub mod world;

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
        }
    }

    pub fn lab_admin() -> CallContext {
        CallContext::user(LAB_ADMIN)
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
}

/// The simulated cloud of one world.
pub struct Cloud {
    pub world: World,
    pub(crate) root: RootKey,
    pub(crate) blobs: Box<dyn BlobStore>,
    touched: BTreeSet<EntityRef>,
    events_mark: usize,
    /// Set when key material was destroyed: the store must compact so no file keeps it.
    pub material_destroyed: bool,
    pub(crate) policy_cache:
        std::collections::HashMap<String, std::sync::Arc<policy::PolicyDocument>>,
    pub(crate) bucket_keys: s3::BucketKeyCache,
    /// When set, every authorization decision is recorded here (`sim explain`).
    pub(crate) explain_log: Option<Vec<authz::Explanation>>,
}

pub mod authz;
pub mod policy;

impl Cloud {
    pub fn new(world: World, root: RootKey, blobs: Box<dyn BlobStore>) -> Cloud {
        let events_mark = world.cloudtrail.events.len();
        Cloud {
            world,
            root,
            blobs,
            touched: BTreeSet::new(),
            events_mark,
            material_destroyed: false,
            policy_cache: Default::default(),
            bucket_keys: Default::default(),
            explain_log: None,
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

    /// Evaluates a call without any lasting effect: returns what it would answer and every
    /// authorization decision taken on the way (S3's calls to KMS included).
    pub fn explain_call(
        mut self,
        ctx: &CallContext,
        op: &str,
        params: &serde_json::Value,
        body: Option<&[u8]>,
    ) -> (Result<api::Response, SimError>, Vec<authz::Explanation>) {
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
    /// failed leaves no trace). Caches that may describe the discarded world are dropped; sealed
    /// object bodies written since stay in the blob store unreferenced.
    pub fn restore_world(&mut self, world: World) {
        self.world = world;
        self.touched.clear();
        self.events_mark = self.world.cloudtrail.events.len();
        self.policy_cache.clear();
        self.bucket_keys = Default::default();
    }

    pub(crate) fn touch(&mut self, r: EntityRef) {
        self.touched.insert(r);
    }

    /// True if anything changed since the last `take_delta`.
    pub fn is_dirty(&self) -> bool {
        !self.touched.is_empty() || self.world.cloudtrail.events.len() != self.events_mark
    }

    /// What changed since the last call, for the journal.
    pub fn take_delta(&mut self) -> Option<world::WorldDelta> {
        if !self.is_dirty() {
            return None;
        }
        let d = self.world.delta(&self.touched, self.events_mark);
        self.touched.clear();
        self.events_mark = self.world.cloudtrail.events.len();
        Some(d)
    }

    /// Runs one API operation: the closure authorizes and acts; the call is recorded either way.
    pub(crate) fn run<T>(
        &mut self,
        ctx: &CallContext,
        op: Op,
        f: impl FnOnce(&mut Cloud, &mut Touched) -> Result<T, SimError>,
    ) -> Result<T, SimError> {
        let mut touched = Touched::default();
        let result = f(self, &mut touched);
        let err = result.as_ref().err();
        self.record_event(ctx, &op, &touched, err);
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
        if let (Some(e), Json::Object(m)) = (err, &mut ev) {
            m.insert("errorCode".into(), json!(e.code));
            m.insert("errorMessage".into(), json!(e.message));
        }
        if let (Some(s), Json::Object(m)) = (&ctx.invoked_by, &mut ev)
            && let Some(Json::Object(ui)) = m.get_mut("userIdentity")
        {
            ui.entry("invokedBy").or_insert_with(|| json!(s));
        }
        self.world.cloudtrail.events.push(ev);
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
            Principal::Anonymous => "anonymous".into(),
            Principal::Service(s) => s.clone(),
        }
    }

    /// Moves the clock forward, then runs what fell due in time order.
    pub fn advance_clock(&mut self, by: Millis) -> Vec<String> {
        let target = self.world.now.saturating_add(by.max(0));
        let mut happened = Vec::new();
        loop {
            let next = self.next_due().filter(|t| *t <= target);
            let Some(t) = next else { break };
            self.world.now = self.world.now.max(t);
            happened.extend(self.run_due(t));
        }
        self.world.now = target;
        happened
    }

    fn next_due(&self) -> Option<Millis> {
        self.world
            .kms
            .keys
            .values()
            .filter_map(|k| match (k.state, k.deletion_date, k.rotation) {
                (world::KeyState::PendingDeletion, Some(d), _) => Some(d),
                (world::KeyState::Enabled, _, Some(r)) => Some(r.next),
                _ => None,
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
            .filter(|k| match (k.state, k.deletion_date, k.rotation) {
                (world::KeyState::PendingDeletion, Some(d), _) => d <= t,
                (world::KeyState::Enabled, _, Some(r)) => r.next <= t,
                _ => false,
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
