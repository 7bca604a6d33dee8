//! The query protocol (IAM and STS): form-encoded `Action=<Op>&Version=...` with lists as
//! `X.member.N`; answers `<OpResponse><OpResult>...</OpResult><ResponseMetadata>` XML with
//! policy documents URL-encoded, and errors as `<ErrorResponse>`.

use serde_json::{Map, Value as Json, json};

use super::xml::Writer;
use super::{Request, Response, Service, WireError};
use crate::sim::{CallContext, ErrorKind};

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn namespace(service: &str) -> &'static str {
    if service == "sts" { STS_NS } else { IAM_NS }
}

/// A query-protocol error response.
pub fn query_error(service: &str, e: &WireError, rid: &str) -> Response {
    let mut w = Writer::document();
    w.open_ns("ErrorResponse", namespace(service))
        .open("Error")
        .leaf(
            "Type",
            if e.status >= 500 {
                "Receiver"
            } else {
                "Sender"
            },
        )
        .leaf("Code", &e.code)
        .leaf("Message", &e.message)
        .close("Error")
        .leaf("RequestId", rid)
        .close("ErrorResponse");
    Response::new(e.status, "text/xml", w.out).header("x-amzn-requestid", rid)
}

/// Turns form pairs into the sim's JSON parameters: `A.member.N.B` into lists of objects,
/// `A.member.N` into lists of strings.
pub fn expand(pairs: &[(String, String)]) -> Json {
    fn insert(target: &mut Json, path: &[&str], value: &str) {
        match path {
            [] => *target = json!(value),
            ["member", n, rest @ ..] => {
                let i = n.parse::<usize>().unwrap_or(1).max(1) - 1;
                if !target.is_array() {
                    *target = json!([]);
                }
                if let Json::Array(a) = target {
                    while a.len() <= i {
                        a.push(Json::Null);
                    }
                    insert(&mut a[i], rest, value);
                }
            }
            [name, rest @ ..] => {
                if !target.is_object() {
                    *target = Json::Object(Map::new());
                }
                if let Json::Object(m) = target {
                    insert(m.entry(name.to_string()).or_insert(Json::Null), rest, value);
                }
            }
        }
    }
    let mut out = Json::Object(Map::new());
    for (k, v) in pairs {
        let path: Vec<&str> = k.split('.').collect();
        insert(&mut out, &path, v);
    }
    out
}

/// Answers an IAM or STS request.
pub fn handle(
    svc: &mut Service,
    req: &Request,
    ctx: &CallContext,
    service: &'static str,
    rid: &str,
) -> Response {
    let pairs: Vec<(String, String)> = if req.method == "POST" {
        serde_urlencoded::from_bytes(&req.body).unwrap_or_default()
    } else {
        req.query()
    };
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let Some(action) = get("Action") else {
        return query_error(
            service,
            &WireError::new(
                "MissingAction",
                400,
                "Missing Action: query requests name their operation as Action=<Operation>",
            ),
            rid,
        );
    };
    let version = get("Version").unwrap_or_default();
    let rest: Vec<(String, String)> = pairs
        .iter()
        // Paging members go to the operations that page (ListPolicies); the others answer one
        // page holding everything, so the SDKs' paginators stop after it.
        .filter(|(k, _)| match k.as_str() {
            "Action" | "Version" => false,
            "Marker" | "MaxItems" => action == "ListPolicies",
            _ => true,
        })
        .cloned()
        .collect();
    let params = expand(&rest);
    match call(svc, ctx, service, &action, &version, &params) {
        Ok(fields) => {
            let mut w = Writer::document();
            let resp = format!("{action}Response");
            w.open_ns(&resp, namespace(service));
            // Operations whose model has an (empty) output shape still answer its element.
            if action == "UpdateRole" && fields.as_object().is_some_and(|m| m.is_empty()) {
                let result = format!("{action}Result");
                w.open(&result).close(&result);
            } else if fields.as_object().is_some_and(|m| !m.is_empty()) {
                w.json(&format!("{action}Result"), &fields, &|name, v| {
                    // IAM URL-encodes policy documents in responses (botocore unquotes them).
                    if matches!(name, "PolicyDocument" | "Document") {
                        super::sigv4::uri_encode(&v, false)
                    } else {
                        v
                    }
                });
            }
            w.open("ResponseMetadata")
                .leaf("RequestId", rid)
                .close("ResponseMetadata")
                .close(&resp);
            Response::new(200, "text/xml", w.out).header("x-amzn-requestid", rid)
        }
        Err(e) => query_error(service, &e, rid),
    }
}

fn call(
    svc: &mut Service,
    ctx: &CallContext,
    service: &str,
    action: &str,
    version: &str,
    params: &Json,
) -> Result<Json, WireError> {
    let name = format!("{service}:{action}");
    if crate::sim::ops::canonical(&name).is_none() {
        return Err(WireError::new(
            "InvalidAction",
            400,
            format!(
                "Could not find operation {action} for version {version}: keyform simulates these {service} operations: {}",
                crate::sim::ops::operation_names()
                    .into_iter()
                    .filter_map(|n| n.strip_prefix(&format!("{service}:")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    svc.cloud
        .call(ctx, &name, params, None)
        .map(|r| r.fields)
        .map_err(|e| match e.kind {
            ErrorKind::Parameter => {
                WireError::new("ValidationError", 400, format!("{action}: {}", e.message))
            }
            ErrorKind::Internal => WireError::new("ServiceFailure", 500, e.message),
            ErrorKind::Service => e.into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_lists_expand_to_json_lists() {
        let pairs: Vec<(String, String)> = [
            ("UserName", "bob"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "red"),
            ("Tags.member.2.Key", "env"),
            ("TagKeys.member.1", "a"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(
            expand(&pairs),
            json!({"UserName": "bob", "Tags": [{"Key": "team", "Value": "red"}, {"Key": "env"}], "TagKeys": ["a"]})
        );
    }
}
