//! A run's `action` blocks: evaluating the caller and parameters, calling the simulated cloud
//! (or advancing its clock) with test-file conventions for byte values, and comparing the
//! outcome with `expect_error`.
//!
//! Which members are bytes comes from the operation table (`sim::ops`): `Content` parameters
//! take text or `<Name>Base64`, body operations take `Body`/`BodyBase64`, and content outputs
//! get both twins. The clock is the table's `clock:Advance`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value as Json;

use super::keep::Wanted;
use super::{FileRun, line_of, one_line};
use crate::eval::Namespace;
use crate::grade::file::{ActionBlock, CLOCK_ADVANCE, Caller};
use crate::grade::report::{ActionOutcome, Message, MessageKind};
use crate::sim::{CallContext, Cloud};
use crate::value::{Map, Value};

impl FileRun<'_> {
    /// Calls one action; returns its value for `action.NAME`, its outcome, and a message when
    /// the outcome is not the expected one.
    pub(super) fn action(
        &mut self,
        a: &ActionBlock,
        ns: &Namespace,
        wanted: &Wanted,
        command: crate::grade::file::Command,
        not_called: &std::collections::BTreeMap<String, String>,
    ) -> (Value, ActionOutcome, Option<Message>) {
        let mut outcome = ActionOutcome {
            name: a.name.clone(),
            call: a.call.to_string(),
            caller: match a.caller {
                Caller::Credentials(_) => "temporary credentials".to_string(),
                _ => crate::sim::LAB_ADMIN.to_string(),
            },
            error: None,
            as_expected: false,
        };
        let prepared = self.prepare(a, ns);
        let (ctx, params) = match prepared {
            Ok(x) => x,
            Err(why) => {
                outcome.error = Some("NotCalled".into());
                // Parameters that read a missing premise: the action is not graded.
                let premises = self.premises(command, not_called);
                let needs = a.params.iter().chain(match &a.caller {
                    Caller::User(e) => Some(e),
                    _ => None,
                });
                if let Some(text) = needs.into_iter().find_map(|e| premises.missing(e)) {
                    let m = Message {
                        kind: MessageKind::Premise,
                        location: line_of(self.session, Some(a.span)),
                        text,
                    };
                    return (Value::Unknown, outcome, Some(m));
                }
                let m = self.action_message(a, &outcome.caller, why);
                return (Value::Unknown, outcome, Some(m));
            }
        };
        // `credentials = ...`: messages name the session, as AWS's own messages do.
        if let crate::sim::Principal::Session(id) = &ctx.principal
            && let Some(s) = self.cloud.world.iam.sessions.get(id)
        {
            outcome.caller = format!("assumed-role/{}/{}", s.role_name, s.session_name);
        }
        // `as = "root"` and `as = "role/NAME"` (lab-admin assumes the role first).
        let ctx = match &ctx.principal {
            crate::sim::Principal::User(u)
                if u == crate::sim::iam::ROOT_CALLER || u.starts_with("role/") =>
            {
                outcome.caller = u.clone();
                match self.cloud.caller_named(u) {
                    Ok(c) => c,
                    Err(e) => {
                        outcome.error = Some(e.code.clone());
                        let why = format!("could not act as {u}: {}: {}", e.code, e.message);
                        let m = self.action_message(a, &outcome.caller, why);
                        return (Value::Unknown, outcome, Some(m));
                    }
                }
            }
            _ => ctx,
        };
        outcome.caller = match &ctx.principal {
            crate::sim::Principal::User(u) => u.clone(),
            crate::sim::Principal::Root => crate::sim::iam::ROOT_CALLER.into(),
            crate::sim::Principal::Session(_) => outcome.caller.clone(),
            crate::sim::Principal::Anonymous => "anonymous".into(),
            crate::sim::Principal::Service(s) => s.clone(),
        };
        let result = if a.call == CLOCK_ADVANCE {
            self.advance(&params)
        } else {
            call(&mut self.cloud, &ctx, a.call, params, wanted)
        };
        // A trail delivers at the end of each command or clock step: actions are both.
        self.cloud.deliver_trails();
        let (value, error) = match result {
            Ok(mut v) => {
                // Only what the file can read is kept: bodies nothing refers to are dropped.
                wanted.prune(&mut v);
                v.insert("error".into(), Value::Null);
                (Value::Object(v), None)
            }
            Err((code, message)) => {
                let mut v = Map::new();
                v.insert("error".into(), Value::String(code.clone()));
                (Value::Object(v), Some((code, message)))
            }
        };
        outcome.error = error.as_ref().map(|(c, _)| c.clone());
        let why = match (&a.expect_error, &error) {
            (None, None) => None,
            (Some(want), Some((got, _))) if want == got => None,
            (Some(want), None) => Some(format!("expected {want}, got success")),
            (Some(want), Some((got, msg))) => Some(format!("expected {want}, got {got}: {msg}")),
            (None, Some((got, msg))) => Some(format!("expected success, got {got}: {msg}")),
        };
        outcome.as_expected = why.is_none();
        let m = why.map(|w| self.action_message(a, &outcome.caller, w));
        (value, outcome, m)
    }

    fn action_message(&self, a: &ActionBlock, caller: &str, why: String) -> Message {
        let who = if a.call == CLOCK_ADVANCE {
            String::new()
        } else {
            format!(" as {caller}")
        };
        Message {
            kind: MessageKind::Action,
            location: line_of(self.session, Some(a.span)),
            text: format!("action \"{}\" ({}{who}): {why}", a.name, a.call),
        }
    }

    /// The caller and the evaluated parameters of an action.
    fn prepare(&self, a: &ActionBlock, ns: &Namespace) -> Result<(CallContext, Value), String> {
        let ev = self.evaluator(ns);
        let ctx = match &a.caller {
            Caller::Admin => CallContext::lab_admin(),
            Caller::Anonymous => CallContext::anonymous(),
            Caller::Credentials(e) => match ev.eval(e) {
                Ok(v) if v.is_unknown() => {
                    return Err(
                        "its credentials depend on a value that is not known (did the action that obtained them run?)".into(),
                    );
                }
                Ok(v) => self.temporary_credentials(a.call, &v)?,
                Err(d) => {
                    return Err(format!(
                        "its credentials could not be evaluated (did the action that obtained them succeed?): {}",
                        one_line(&d)
                    ));
                }
            },
            Caller::User(e) => match ev.eval(e) {
                Ok(Value::String(u)) if !u.is_empty() => CallContext::user(&u),
                Ok(v) if v.is_unknown() => {
                    return Err("its caller (as) depends on a value that is not known".into());
                }
                Ok(v) => {
                    return Err(format!(
                        "as must be an IAM user name (a string), got {}",
                        v.type_name()
                    ));
                }
                Err(d) => {
                    return Err(format!(
                        "its caller could not be evaluated: {}",
                        one_line(&d)
                    ));
                }
            },
        };
        let params = match &a.params {
            None => Value::Object(Map::new()),
            Some(e) => ev
                .eval(e)
                .map_err(|d| format!("its params could not be evaluated: {}", one_line(&d)))?,
        };
        if params.is_unknown() {
            return Err("its params depend on values known only after apply (or on an action that did not run)".into());
        }
        match params {
            Value::Object(_) => Ok((ctx, params)),
            Value::Null => Ok((ctx, Value::Object(Map::new()))),
            other => Err(format!(
                "params must be an object of AWS parameter names, like {{ Bucket = \"b\", Key = \"k\" }}, not {}",
                other.type_name()
            )),
        }
    }

    /// The session that `credentials = ...` names: an object with the `AccessKeyId`,
    /// `SecretAccessKey` and `SessionToken` an STS call returned. The secret and the token
    /// must be the session's, as a signed request needs them; else the service's
    /// unknown-credentials error (expiry is checked by the call itself, as for any session).
    fn temporary_credentials(&self, call: &str, v: &Value) -> Result<CallContext, String> {
        let field = |name: &str| match v.get(name) {
            Some(Value::String(s)) => Ok(s.as_str()),
            _ => Err(format!(
                "credentials must be an STS Credentials object (AccessKeyId, SecretAccessKey, SessionToken), like credentials = action.assume.Credentials; it has no string {name}"
            )),
        };
        let id = field("AccessKeyId")?;
        let secret = field("SecretAccessKey")?;
        let token = field("SessionToken")?;
        let valid = self.cloud.session_key(id).is_some_and(|k| {
            k.secret.as_str() == secret
                && crate::sim::crypto::sha256_hex(token.as_bytes()) == k.token_sha256
        });
        if !valid {
            let service = call.split(':').next().unwrap_or_default();
            let e = crate::sim::unknown_credentials(service);
            return Err(format!("{}: {}", e.code, e.message));
        }
        Ok(CallContext::session(id))
    }

    fn advance(&mut self, params: &Value) -> Result<Map, (String, String)> {
        let bad = |m: String| ("ParamValidation".to_string(), m);
        let d = match params.get("Duration") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(bad(format!(
                    "Duration must be a string like \"8d\" or \"36h\", not {}",
                    other.type_name()
                )));
            }
            None => {
                return Err(bad(
                    "Missing required parameter in input: \"Duration\" (like Duration = \"8d\")"
                        .into(),
                ));
            }
        };
        if let Some(k) = params
            .as_object()
            .and_then(|m| m.keys().find(|k| *k != "Duration"))
        {
            return Err(bad(format!(
                "Unknown parameter in input: \"{k}\", must be one of: Duration"
            )));
        }
        let r = self
            .cloud
            .call_json(
                &CallContext::lab_admin(),
                "clock:Advance",
                &serde_json::json!({"Duration": d}),
            )
            .map_err(|e| bad(e.message))?;
        Ok(match Value::from_json(&r) {
            Value::Object(m) => m,
            _ => Map::new(),
        })
    }
}

/// Calls an operation with test-file conventions for byte parameters and results.
fn call(
    cloud: &mut Cloud,
    ctx: &CallContext,
    op: &str,
    params: Value,
    wanted: &Wanted,
) -> Result<Map, (String, String)> {
    let (json, body) = wire_params(op, params).map_err(|m| ("ParamValidation".to_string(), m))?;
    let resp = cloud
        .call(ctx, op, &json, body.as_deref())
        .map_err(|e| (e.code, e.message))?;
    let mut out = match Value::from_json(&resp.fields) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    // A body's text and base64 twins are made only when the file reads them.
    if let Some(b) = &resp.body {
        if wanted.wants("BodyBase64") {
            out.insert("BodyBase64".into(), Value::String(B64.encode(&**b)));
        }
        if wanted.wants("Body") {
            let text = std::str::from_utf8(b).map_or_else(|_| B64.encode(&**b), str::to_string);
            out.insert("Body".into(), Value::String(text));
        }
    }
    let content = crate::sim::ops::find(op).map_or(&[][..], |o| o.output_blobs);
    for name in content.iter().filter(|n| **n != "Body") {
        if let Some(Value::String(b64)) = out.get(*name).cloned() {
            out.insert(format!("{name}Base64"), Value::String(b64.clone()));
            if let Some(text) = B64
                .decode(&b64)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
            {
                out.insert((*name).to_string(), Value::String(text));
            }
        }
    }
    Ok(out)
}

/// Parameters on the wire: `Body`/`BodyBase64` of a body operation (PutObject, UploadPart)
/// become the request body; a `Content` parameter's text becomes base64 and its
/// `<Name>Base64` passes through as `<Name>`.
fn wire_params(op: &str, params: Value) -> Result<(Json, Option<Vec<u8>>), String> {
    let Value::Object(mut m) = params else {
        return Ok((Json::Object(Default::default()), None));
    };
    let text = |v: Value, name: &str| match v {
        Value::String(s) => Ok(s),
        other => Err(format!(
            "{name} must be a string, not {}",
            other.type_name()
        )),
    };
    let b64 = |s: String, name: &str| {
        B64.decode(s.trim()).map_err(|_| {
            format!("{name} must be base64, like the CiphertextBlob an action returned")
        })
    };
    let Some(o) = crate::sim::ops::find(op) else {
        return Ok((Value::Object(m).to_json(), None));
    };
    let mut body = None;
    if matches!(o.handler, crate::sim::ops::Handler::PutBody(_)) {
        match (m.remove("Body"), m.remove("BodyBase64")) {
            (Some(_), Some(_)) => return Err("give Body (text) or BodyBase64, not both".into()),
            (Some(v), None) => body = Some(text(v, "Body")?.into_bytes()),
            (None, Some(v)) => body = Some(b64(text(v, "BodyBase64")?, "BodyBase64")?),
            (None, None) => {}
        }
    }
    for p in o
        .params
        .iter()
        .filter(|p| p.ty == crate::sim::ops::ParamType::Content)
    {
        let twin = format!("{}Base64", p.name);
        match (m.remove(p.name), m.remove(&twin)) {
            (Some(_), Some(_)) => {
                return Err(format!("give {} (text) or {twin}, not both", p.name));
            }
            (Some(v), None) => {
                let t = text(v, p.name)?;
                m.insert(p.name.into(), Value::String(B64.encode(t.as_bytes())));
            }
            (None, Some(v)) => {
                let t = text(v, &twin)?;
                b64(t.clone(), &twin)?;
                m.insert(p.name.into(), Value::String(t));
            }
            (None, None) => {}
        }
    }
    Ok((Value::Object(m).to_json(), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, &str)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string())))
                .collect(),
        )
    }

    #[test]
    fn text_parameters_become_bytes_on_the_wire() {
        let (j, body) =
            wire_params("s3:PutObject", obj(&[("Bucket", "b"), ("Body", "héllo")])).unwrap();
        assert_eq!(j, serde_json::json!({"Bucket": "b"}));
        assert_eq!(body.unwrap(), "héllo".as_bytes());
        let (_, body) = wire_params("s3:PutObject", obj(&[("BodyBase64", "AAEC")])).unwrap();
        assert_eq!(body.unwrap(), vec![0, 1, 2]);
        let (j, _) = wire_params("kms:Encrypt", obj(&[("Plaintext", "hi")])).unwrap();
        assert_eq!(j["Plaintext"], "aGk=");
        let (j, _) = wire_params("kms:Encrypt", obj(&[("PlaintextBase64", "AAEC")])).unwrap();
        assert_eq!(j["Plaintext"], "AAEC");
        assert_eq!(
            wire_params("kms:Encrypt", obj(&[("PlaintextBase64", "%%")])).unwrap_err(),
            "PlaintextBase64 must be base64, like the CiphertextBlob an action returned"
        );
        assert_eq!(
            wire_params(
                "s3:PutObject",
                obj(&[("Body", "a"), ("BodyBase64", "AA==")])
            )
            .unwrap_err(),
            "give Body (text) or BodyBase64, not both"
        );
    }
}
