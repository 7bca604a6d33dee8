//! The JSON 1.1 protocol (KMS, and CloudTrail through [`super::cloudtrail`]): `POST /` with
//! `X-Amz-Target: <prefix>.<Operation>` and a JSON body; answers JSON with blobs in base64
//! and timestamps as epoch seconds; errors as `{"__type": code, "message": ...}`.

use serde_json::{Map, Value as Json, json};

use super::{Request, Response, Service, WireError};
use crate::sim::clock::parse_iso8601;
use crate::sim::{CallContext, ErrorKind};

const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Response members that are timestamps in the KMS and CloudTrail models (the sim keeps ISO 8601
/// strings; JSON 1.1 carries epoch seconds). Same-named string members (CloudTrail's
/// `TimeLoggingStarted`) are deliberately absent. Request timestamps come from the operation
/// table's parameter types.
const TIMESTAMPS: &[&str] = &[
    "CreationDate",
    "DeletionDate",
    "ValidTo",
    "ParametersValidTo",
    "LastUpdatedDate",
    "RotationDate",
    "NextRotationDate",
    "OnDemandRotationStartDate",
    "EventTime",
    "StartTime",
    "EndTime",
    "StartLoggingTime",
    "StopLoggingTime",
    "LatestDeliveryTime",
    "LatestNotificationTime",
    "LatestCloudWatchLogsDeliveryTime",
    "LatestDigestDeliveryTime",
];

/// Parameters AWS accepts that change nothing in the simulation, dropped before the call
/// (grant tokens of operations the sim does not check them on, pagination of lists the sim
/// returns whole, the default key origin).
/// Parameters the operation honours (ListKeys' Limit and Marker) are never dropped.
fn harmless(service: &str, op: &str, name: &str, v: &Json) -> bool {
    if crate::sim::ops::find(&format!("{service}:{op}"))
        .is_some_and(|o| o.params.iter().any(|p| p.name == name))
    {
        return false;
    }
    match name {
        // DryRunModifiers only shape a dry run, which is answered before the call.
        "GrantTokens" | "DryRunModifiers" => true,
        "DryRun" => v == &json!(false),
        "Origin" => v == &json!("AWS_KMS"),
        "Limit" | "Marker" => op.starts_with("List"),
        _ => false,
    }
}

/// Epoch seconds (with milliseconds when there are any) of an ISO 8601 time.
fn epoch(ms: i64) -> Json {
    if ms % 1000 == 0 {
        json!(ms / 1000)
    } else {
        json!(ms as f64 / 1000.0)
    }
}

/// Rewrites timestamp members of a response from ISO 8601 to epoch seconds.
pub fn timestamps_to_epoch(v: &mut Json) {
    match v {
        Json::Object(m) => {
            for (k, x) in m.iter_mut() {
                if TIMESTAMPS.contains(&k.as_str())
                    && let Some(ms) = x.as_str().and_then(parse_iso8601)
                {
                    *x = epoch(ms);
                } else {
                    timestamps_to_epoch(x);
                }
            }
        }
        Json::Array(a) => a.iter_mut().for_each(timestamps_to_epoch),
        _ => {}
    }
}

/// Rewrites the request members the operation table types as timestamps from epoch seconds
/// to the sim's ISO 8601.
fn timestamps_from_epoch(name: &str, m: &mut Map<String, Json>) {
    let Some(op) = crate::sim::ops::find(name) else {
        return;
    };
    for p in op
        .params
        .iter()
        .filter(|p| p.ty == crate::sim::ops::ParamType::Timestamp)
    {
        if let Some(v) = m.get_mut(p.name)
            && let Some(secs) = v.as_f64()
        {
            *v = json!(crate::sim::clock::iso8601((secs * 1000.0) as i64));
        }
    }
}

/// A JSON 1.1 error response.
pub fn json_error(e: &WireError, rid: &str) -> Response {
    Response::new(
        e.status,
        CONTENT_TYPE,
        json!({"__type": e.code, "message": e.message}).to_string(),
    )
    .header("x-amzn-requestid", rid)
}

/// A sim error in JSON 1.1 terms.
fn wire(e: crate::sim::SimError, service: &str, op: &str) -> WireError {
    match e.kind {
        ErrorKind::Parameter => {
            WireError::new("ValidationException", 400, format!("{op}: {}", e.message))
        }
        ErrorKind::Internal => WireError::new(
            if service == "kms" {
                "KMSInternalException"
            } else {
                "InternalFailure"
            },
            500,
            e.message,
        ),
        ErrorKind::Service => e.into(),
    }
}

/// Answers a KMS request.
pub fn handle(svc: &mut Service, req: &Request, ctx: &CallContext, rid: &str) -> Response {
    json_call(svc, req, ctx, rid, "kms", super::KMS_TARGETS)
}

/// Answers a JSON 1.1 request of `service` whose targets start with one of `prefixes`.
pub fn json_call(
    svc: &mut Service,
    req: &Request,
    ctx: &CallContext,
    rid: &str,
    service: &str,
    prefixes: &[&str],
) -> Response {
    match json_call_inner(svc, req, ctx, service, prefixes) {
        Ok(v) => Response::new(200, CONTENT_TYPE, v.to_string()).header("x-amzn-requestid", rid),
        Err(e) => json_error(&e, rid),
    }
}

fn json_call_inner(
    svc: &mut Service,
    req: &Request,
    ctx: &CallContext,
    service: &str,
    prefixes: &[&str],
) -> Result<Json, WireError> {
    if req.method != "POST" {
        return Err(WireError::new(
            "UnknownOperationException",
            400,
            format!("{service} takes POST / with an X-Amz-Target header"),
        ));
    }
    let op = req
        .header("x-amz-target")
        .and_then(|t| super::target_operation(t, prefixes))
        .ok_or_else(|| {
            WireError::new(
                "UnknownOperationException",
                400,
                format!(
                    "missing X-Amz-Target: {service} requests name their operation as X-Amz-Target: {}<Operation>",
                    prefixes.first().unwrap_or(&"")
                ),
            )
        })?
        .to_string();
    let mut params: Json = if req.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        serde_json::from_slice(&req.body).map_err(|e| {
            WireError::new(
                "SerializationException",
                400,
                format!("the request body is not valid JSON: {e}"),
            )
        })?
    };
    let Json::Object(m) = &mut params else {
        return Err(WireError::new(
            "SerializationException",
            400,
            "the request body must be a JSON object",
        ));
    };
    if m.get("DryRun") == Some(&json!(true)) {
        return Err(WireError::new(
            "DryRunOperationException",
            412,
            "The request would have succeeded, but the DryRun option is set.",
        ));
    }
    m.retain(|k, v| !harmless(service, &op, k, v));
    let name = format!("{service}:{op}");
    timestamps_from_epoch(&name, m);
    if crate::sim::ops::canonical(&name).is_none() {
        return Err(WireError::new(
            "UnsupportedOperationException",
            400,
            format!("keyform does not simulate {service}:{op}"),
        ));
    }
    let r = svc
        .cloud
        .call(ctx, &name, &params, None)
        .map_err(|e| wire(e, service, &op))?;
    let mut fields = r.fields;
    timestamps_to_epoch(&mut fields);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_epoch_seconds_by_member_name() {
        let mut v = json!({"KeyMetadata": {"CreationDate": "2026-01-01T00:00:00Z", "Description": "2026-01-01T00:00:00Z"},
                           "Events": [{"EventTime": "2026-01-01T00:00:01.500Z"}], "TimeLoggingStarted": "2026-01-01T00:00:00Z"});
        timestamps_to_epoch(&mut v);
        assert_eq!(v["KeyMetadata"]["CreationDate"], json!(1_767_225_600));
        assert_eq!(v["KeyMetadata"]["Description"], "2026-01-01T00:00:00Z");
        assert_eq!(v["Events"][0]["EventTime"], json!(1_767_225_601.5));
        assert_eq!(v["TimeLoggingStarted"], "2026-01-01T00:00:00Z");
    }
}
