//! The `sim explain` reasoning of a failed call, for its error page: every authorization
//! decision taken on the way (S3's call to KMS included), each with the request context and
//! every policy statement considered, as `keyform sim explain` prints them.

use serde_json::{Value as Json, json};

use crate::sim::authz::Explanation;
use crate::sim::policy::Caller;

pub(super) fn to_json(explained: &[Explanation]) -> Json {
    Json::Array(
        explained
            .iter()
            .map(|e| {
                let caller = match &e.request.caller {
                    Caller::Principal { arn, .. } => arn.clone(),
                    Caller::Anonymous => "anonymous".into(),
                    Caller::Service(s) => s.clone(),
                };
                let context: Vec<String> = e
                    .request
                    .conditions
                    .iter()
                    .map(|(k, v)| format!("{k} = {}", v.join(", ")))
                    .collect();
                let statements: Vec<Json> = e
                    .traces
                    .iter()
                    .map(|t| json!({"applies": t.matched, "text": t.to_string()}))
                    .collect();
                json!({
                    "action": e.request.action, "resource": e.request.resource,
                    "caller": caller, "context": context, "statements": statements,
                    "allowed": e.decision.is_allowed(), "message": e.message,
                })
            })
            .collect(),
    )
}
