//! The one table of simulated operations: for each, its name, handler, typed input shape,
//! whether it changes the world, its CloudTrail event kind, and every authorization AWS
//! performs for it ([`access::Check`]). `sim`, test actions, `serve` and the provider all call
//! operations through [`Cloud::call`], so parameter validation is the same everywhere.
//!
//! # Adding an operation
//! 1. Write the handler in its service module (`src/sim/kms/...`) with the signature
//!    `fn(&mut Cloud, &CallContext, &Json) -> Result<Json, SimError>`; it authorizes in AWS's
//!    order through the service's prelude (`kms_prelude`, `s3_bucket_prelude`, ...).
//! 2. Add one row to the service's `OPS` in this folder (`kms.rs`, `s3.rs`, `iam.rs`,
//!    `cloudtrail.rs`): name, handler, parameters (`req`/`opt` with their [`ParamType`]),
//!    `mutates`, and its `checks` (action, resource, gate, condition keys) from the API
//!    reference's "Required permissions".
//! 3. Add a scenario for it to `ops/tests.rs`: the audit test runs every operation and fails
//!    when what was evaluated differs from the row's checks, or when a row has no scenario.
//!
//! Serve routes by name (JSON protocols) or by its REST routes (S3, `serve/s3/`); nothing else
//! needs to know the operation.

pub mod access;
#[cfg(test)]
mod authz_regressions;
mod clock;
mod cloudtrail;
#[cfg(test)]
mod cross_account;
mod iam;
mod kms;
pub mod param;
#[cfg(test)]
mod principal_rules;
mod s3;
mod shapes;
#[cfg(test)]
mod tests;

use serde_json::Value as Json;
use zeroize::Zeroizing;

pub use access::{By, Check, Gate, Res};
pub use param::{Param, ParamType};

use crate::sim::{CallContext, Cloud, SimError};

/// A JSON-in, JSON-out handler.
pub type JsonFn = fn(&mut Cloud, &CallContext, &Json) -> Result<Json, SimError>;
/// A handler that takes a request body (PutObject, UploadPart).
pub type PutBodyFn = fn(&mut Cloud, &CallContext, &Json, &[u8]) -> Result<Json, SimError>;
/// A handler that answers a body (GetObject).
pub type GetBodyFn =
    fn(&mut Cloud, &CallContext, &Json) -> Result<(Json, Zeroizing<Vec<u8>>), SimError>;

/// How an operation is carried out.
#[derive(Clone, Copy)]
pub enum Handler {
    Json(JsonFn),
    PutBody(PutBodyFn),
    GetBody(GetBodyFn),
}

/// What CloudTrail records for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Management,
    /// S3 object-level calls: delivered to a trail only when its event selectors ask.
    Data,
    /// Not an AWS call (the clock).
    None,
}

/// One operation of the simulated cloud.
pub struct Operation {
    /// `service:Operation`, with the service prefix as IAM spells it (`kms:Encrypt`).
    pub name: &'static str,
    pub handler: Handler,
    /// The input shape: anything else is refused before the call.
    pub params: &'static [Param],
    /// Changes the world (the journal, the lock, CloudTrail's readOnly).
    pub mutates: bool,
    pub event: EventKind,
    /// Every authorization AWS performs for the operation, in the order it performs them.
    pub checks: &'static [Check],
    /// Output members that are content bytes the caller asked for (base64 in the JSON, like
    /// Decrypt's `Plaintext`): the `sim` and test-file front ends add the text and
    /// `<Name>Base64` twins. GetObject's body is [`Response::body`].
    pub output_blobs: &'static [&'static str],
}

/// A response: JSON fields with AWS's names, plus the object body for GetObject.
#[derive(Debug)]
pub struct Response {
    pub fields: Json,
    pub body: Option<Zeroizing<Vec<u8>>>,
}

/// Every operation, sorted by name, built once (`call` looks names up on every call).
pub fn all() -> &'static [&'static Operation] {
    static ALL: std::sync::OnceLock<Vec<&'static Operation>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut v: Vec<&'static Operation> = kms::OPS
            .iter()
            .chain(s3::OPS)
            .chain(iam::OPS)
            .chain(cloudtrail::OPS)
            .chain(clock::OPS)
            .collect();
        v.sort_unstable_by_key(|o| o.name);
        v
    })
}

/// The operation of a canonical name.
pub fn find(name: &str) -> Option<&'static Operation> {
    let all = all();
    all.binary_search_by_key(&name, |o| o.name)
        .ok()
        .map(|i| all[i])
}

/// Every AWS operation name (the clock's are not AWS's), for listings and "did you mean".
pub fn operation_names() -> Vec<&'static str> {
    all()
        .iter()
        .filter(|o| o.event != EventKind::None)
        .map(|o| o.name)
        .collect()
}

/// The parameter names operation `op` (canonical) honours.
pub fn parameter_names(op: &str) -> Option<Vec<&'static str>> {
    find(op).map(|o| o.params.iter().map(|p| p.name).collect())
}

/// Finds the canonical name of an operation (service part case-insensitive).
pub fn canonical(name: &str) -> Option<&'static str> {
    let (svc, op) = name.split_once(':')?;
    if let Some(o) = find(name) {
        return Some(o.name);
    }
    all()
        .iter()
        .find(|o| {
            o.name
                .split_once(':')
                .is_some_and(|(s, n)| s.eq_ignore_ascii_case(svc) && n == op)
        })
        .map(|o| o.name)
}

impl Cloud {
    /// Calls an operation by name. `body` is the request body of PutObject and UploadPart.
    pub fn call(
        &mut self,
        ctx: &CallContext,
        op: &str,
        params: &Json,
        body: Option<&[u8]>,
    ) -> Result<Response, SimError> {
        let Some(o) = canonical(op).and_then(find) else {
            let names = operation_names();
            let hint = crate::diag::suggestion(op, names.iter().copied());
            return Err(SimError::param(format!(
                "Unknown operation {op:?}: operations are named service:Operation, like kms:Encrypt.{hint}"
            )));
        };
        if !params.is_object() && !params.is_null() {
            return Err(SimError::param(format!(
                "Parameters of {} must be an object of AWS parameter names",
                o.name
            )));
        }
        let empty = Json::Object(Default::default());
        let params = if params.is_null() { &empty } else { params };
        self.first_operation.get_or_insert(o.name);
        param::validate(o.params, params)?;
        // The call runs in its caller's account; the default account is back in scope after.
        let home = self.world.account_id.clone();
        // A role session's credentials are its role's account's, whichever account that is.
        let account = ctx.account.clone().or_else(|| match &ctx.principal {
            crate::sim::Principal::Session(id) if !self.world.accounts.is_empty() => {
                self.world.session_account(id)
            }
            _ => None,
        });
        if let Some(a) = &account
            && !self.world.enter(a)
        {
            return Err(SimError::param(format!(
                "This world has no account {a} (its accounts: {}).",
                self.world.account_ids().join(", ")
            )));
        }
        let r = self.dispatch(o, ctx, params, body);
        self.world.enter(&home);
        r
    }

    fn dispatch(
        &mut self,
        o: &Operation,
        ctx: &CallContext,
        params: &Json,
        body: Option<&[u8]>,
    ) -> Result<Response, SimError> {
        match o.handler {
            Handler::Json(f) => Ok(Response {
                fields: f(self, ctx, params)?,
                body: None,
            }),
            Handler::PutBody(f) => Ok(Response {
                fields: f(self, ctx, params, body.unwrap_or_default())?,
                body: None,
            }),
            Handler::GetBody(f) => {
                let (fields, body) = f(self, ctx, params)?;
                Ok(Response {
                    fields,
                    body: Some(body),
                })
            }
        }
    }

    /// [`Cloud::call`] for operations without a response body (the provider's calls).
    pub fn call_json(
        &mut self,
        ctx: &CallContext,
        op: &str,
        params: &Json,
    ) -> Result<Json, SimError> {
        self.call(ctx, op, params, None).map(|r| r.fields)
    }
}
