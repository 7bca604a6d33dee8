//! CloudTrail on the JSON 1.1 protocol (`X-Amz-Target:
//! com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Operation>` as botocore sends it, or
//! `CloudTrail_20131101.<Operation>` as the JavaScript v3 and Rust SDKs do), sharing KMS's
//! handling in [`super::kms::json_call`].

use super::{Request, Response, Service};
use crate::sim::CallContext;

/// Answers a CloudTrail request.
pub fn handle(svc: &mut Service, req: &Request, ctx: &CallContext, rid: &str) -> Response {
    super::kms::json_call(svc, req, ctx, rid, "cloudtrail", super::CLOUDTRAIL_TARGETS)
}
