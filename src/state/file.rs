//! The state file format: Terraform's `terraform.tfstate` version 4 shape, so tools that read
//! Terraform state read ours, plus keyform's own format version.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr};
use crate::state::{OutputState, ResourceInstance, State, StateOp};
use crate::value::Value;

/// Terraform's state format version.
pub const TF_STATE_VERSION: u64 = 4;
/// keyform's own format version of the files it writes. Format 2 state files carry a checksum
/// of their content (format 1 files, without one, are still read).
pub const KEYFORM_FORMAT: u64 = 2;
const PROVIDER: &str = "provider[\"registry.terraform.io/hashicorp/aws\"]";

/// Why a state file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateFileError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error(
        "written by a newer keyform (format {found}, this keyform reads up to {KEYFORM_FORMAT}); upgrade keyform"
    )]
    TooNew { found: u64 },
    #[error("not a state file: {0}")]
    Shape(String),
}

fn key_json(k: &InstanceKey) -> Option<Json> {
    match k {
        InstanceKey::None => None,
        InstanceKey::Int(i) => Some(json!(i)),
        InstanceKey::Str(s) => Some(json!(s)),
    }
}

fn mode_str(m: Mode) -> &'static str {
    match m {
        Mode::Managed => "managed",
        Mode::Data => "data",
    }
}

/// Attributes of type dynamic (`terraform_data`'s), which Terraform's state writes as
/// `{"value": ..., "type": ...}`.
fn dynamic_attrs(kind: &str) -> &'static [&'static str] {
    if crate::provider::terraform::is_builtin(kind) {
        &["input", "output", "triggers_replace"]
    } else {
        &[]
    }
}

fn attrs_json(kind: &str, attrs: &crate::value::Map) -> Json {
    let mut j = Value::Object(attrs.clone()).to_json();
    for name in dynamic_attrs(kind) {
        if let Some(v) = attrs.get(*name).filter(|v| !v.is_null()) {
            j[*name] = json!({"value": v.to_json(), "type": type_json(v)});
        }
    }
    j
}

/// The JSON of one instance of a resource of type `kind` (used in the state file and the
/// journal).
pub fn instance_json(kind: &str, r: &ResourceInstance) -> Json {
    let mut m = json!({
        "schema_version": 0,
        "attributes": attrs_json(kind, &r.attrs),
        "sensitive_attributes": [],
    });
    // Terraform leaves "dependencies" out when there are none.
    if !r.dependencies.is_empty() {
        m["dependencies"] = json!(r.dependencies);
    }
    if r.tainted {
        m["status"] = json!("tainted");
    }
    m
}

fn instance_from(kind: &str, j: &Json) -> Result<ResourceInstance, StateFileError> {
    let attrs = match j.get("attributes").map(Value::from_json) {
        Some(Value::Object(mut m)) => {
            for name in dynamic_attrs(kind) {
                if let Some(Json::Object(w)) = j["attributes"].get(*name)
                    && let Some(v) = w.get("value")
                    && w.contains_key("type")
                {
                    m.insert((*name).to_string(), Value::from_json(v));
                }
            }
            m
        }
        _ => {
            return Err(StateFileError::Shape(
                "an instance has no attributes object".into(),
            ));
        }
    };
    let dependencies = j
        .get("dependencies")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(ResourceInstance {
        attrs,
        dependencies,
        tainted: j.get("status").and_then(Json::as_str) == Some("tainted"),
    })
}

/// Encodes a state as Terraform-shaped JSON.
pub fn to_json(s: &State) -> Json {
    let mut groups: BTreeMap<&ResourceAddr, Vec<(&InstanceKey, &ResourceInstance)>> =
        BTreeMap::new();
    for (a, r) in &s.resources {
        groups.entry(&a.resource).or_default().push((&a.key, r));
    }
    let resources: Vec<Json> = groups
        .into_iter()
        .map(|(addr, instances)| {
            let mut r = json!({
                "mode": mode_str(addr.mode),
                "type": addr.kind,
                "name": addr.name,
                "provider": if crate::provider::terraform::is_builtin(&addr.kind) {
                    crate::provider::terraform::PROVIDER
                } else {
                    PROVIDER
                },
                "instances": instances.into_iter().map(|(k, r)| {
                    let mut ij = instance_json(&addr.kind, r);
                    if let Some(kj) = key_json(k) {
                        ij["index_key"] = kj;
                    }
                    ij
                }).collect::<Vec<_>>(),
            });
            // Terraform writes "module" only for resources of child modules.
            if !addr.module.is_empty() {
                r["module"] = json!(crate::addr::module_text(&addr.module));
            }
            r
        })
        .collect();
    let outputs: serde_json::Map<String, Json> = s
        .outputs
        .iter()
        .map(|(n, o)| {
            // Terraform writes "sensitive" only when true.
            let mut j = json!({"value": o.value.to_json(), "type": type_json(&o.value)});
            if o.sensitive {
                j["sensitive"] = json!(true);
            }
            (n.clone(), j)
        })
        .collect();
    json!({
        "version": TF_STATE_VERSION,
        "terraform_version": "1.11.4",
        "keyform_format": KEYFORM_FORMAT,
        "keyform_version": env!("CARGO_PKG_VERSION"),
        "serial": s.serial,
        "lineage": s.lineage,
        "outputs": outputs,
        "resources": resources,
        "check_results": null,
    })
}

/// Terraform's JSON type description of a value (for outputs).
pub fn type_json(v: &Value) -> Json {
    match v {
        Value::Null | Value::Unknown => json!("dynamic"),
        Value::Bool(_) => json!("bool"),
        Value::Number(_) => json!("number"),
        Value::String(_) => json!("string"),
        Value::List(l) => json!(["tuple", l.iter().map(type_json).collect::<Vec<_>>()]),
        Value::Object(m) => json!([
            "object",
            m.iter()
                .map(|(k, v)| (k.clone(), type_json(v)))
                .collect::<serde_json::Map<_, _>>()
        ]),
    }
}

/// The keyform format version a state file declares (files without one are format 1).
pub fn format_of(j: &Json) -> Result<u64, StateFileError> {
    match j.get("keyform_format") {
        None => Ok(KEYFORM_FORMAT),
        Some(v) => v.as_u64().ok_or_else(|| {
            StateFileError::Shape("\"keyform_format\" is not a whole number".into())
        }),
    }
}

/// Decodes a state file's JSON.
pub fn from_json(j: &Json) -> Result<State, StateFileError> {
    if !j.is_object() {
        return Err(StateFileError::Shape("expected a JSON object".into()));
    }
    let format = format_of(j)?;
    if format > KEYFORM_FORMAT {
        return Err(StateFileError::TooNew { found: format });
    }
    if j.get("version").and_then(Json::as_u64) != Some(TF_STATE_VERSION) {
        return Err(StateFileError::Shape("\"version\" must be 4".into()));
    }
    let lineage = j
        .get("lineage")
        .and_then(Json::as_str)
        .ok_or_else(|| StateFileError::Shape("missing lineage".into()))?;
    let mut s = State::new(lineage.to_string());
    s.serial = j
        .get("serial")
        .and_then(Json::as_u64)
        .ok_or_else(|| StateFileError::Shape("missing serial".into()))?;
    // A present field of the wrong type is damage, never "nothing there": reading it as empty
    // would silently forget every resource.
    fn list<'j>(v: Option<&'j Json>, what: &str) -> Result<&'j [Json], StateFileError> {
        match v {
            None | Some(Json::Null) => Ok(&[]),
            Some(Json::Array(a)) => Ok(a),
            Some(_) => Err(StateFileError::Shape(format!("{what} is not a list"))),
        }
    }
    for r in list(j.get("resources"), "\"resources\"")? {
        let field = |k: &str| {
            r.get(k)
                .and_then(Json::as_str)
                .ok_or_else(|| StateFileError::Shape(format!("a resource has no \"{k}\"")))
        };
        let mode = match field("mode")? {
            "managed" => Mode::Managed,
            "data" => Mode::Data,
            other => {
                return Err(StateFileError::Shape(format!(
                    "unknown resource mode {other:?}"
                )));
            }
        };
        let module = match r.get("module") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::String(t)) => crate::addr::parse_module_text(t)
                .map_err(|e| StateFileError::Shape(e.to_string()))?,
            Some(_) => return Err(StateFileError::Shape("\"module\" is not a string".into())),
        };
        let addr = ResourceAddr {
            module,
            mode,
            kind: field("type")?.to_string(),
            name: field("name")?.to_string(),
        };
        for i in list(r.get("instances"), "\"instances\"")? {
            let key = match i.get("index_key") {
                None | Some(Json::Null) => InstanceKey::None,
                Some(Json::Number(n)) => InstanceKey::Int(
                    n.as_u64()
                        .ok_or_else(|| StateFileError::Shape("bad index_key".into()))?,
                ),
                Some(Json::String(k)) => InstanceKey::Str(k.clone()),
                Some(_) => return Err(StateFileError::Shape("bad index_key".into())),
            };
            let at = addr.instance(key);
            if s.resources.contains_key(&at) {
                return Err(StateFileError::Shape(format!("{at} appears twice")));
            }
            s.resources.insert(at, instance_from(&addr.kind, i)?);
        }
    }
    match j.get("outputs") {
        None | Some(Json::Null) | Some(Json::Object(_)) => {}
        Some(_) => return Err(StateFileError::Shape("\"outputs\" is not an object".into())),
    }
    if let Some(Json::Object(outs)) = j.get("outputs") {
        for (n, o) in outs {
            s.outputs.insert(
                n.clone(),
                OutputState {
                    value: o.get("value").map(Value::from_json).unwrap_or_default(),
                    sensitive: o.get("sensitive").and_then(Json::as_bool).unwrap_or(false),
                },
            );
        }
    }
    Ok(s)
}

/// Parses state file text.
pub fn parse(text: &str) -> Result<State, StateFileError> {
    let j: Json = serde_json::from_str(text).map_err(|e| StateFileError::Json(e.to_string()))?;
    from_json(&j)
}

/// A state op as journal JSON.
pub fn op_json(op: &StateOp) -> Json {
    match op {
        StateOp::Put(a, r) => {
            json!({"op": "put", "addr": a.to_string(), "instance": instance_json(&a.resource.kind, r)})
        }
        StateOp::Remove(a) => json!({"op": "rm", "addr": a.to_string()}),
        StateOp::Outputs(o) => {
            json!({"op": "outputs", "outputs": o.iter().map(|(k, v)| (k.clone(), json!({"value": v.value.to_json(), "sensitive": v.sensitive}))).collect::<serde_json::Map<_, _>>()})
        }
    }
}

/// A journal JSON entry back to a state op.
pub fn op_from_json(j: &Json) -> Result<StateOp, StateFileError> {
    let addr = || -> Result<InstanceAddr, StateFileError> {
        let s = j
            .get("addr")
            .and_then(Json::as_str)
            .ok_or_else(|| StateFileError::Shape("journal op without addr".into()))?;
        let t: crate::addr::TargetAddr = s
            .parse()
            .map_err(|e: crate::addr::AddrParseError| StateFileError::Shape(e.to_string()))?;
        Ok(InstanceAddr {
            resource: t.resource,
            key: t.key.unwrap_or(InstanceKey::None),
        })
    };
    match j.get("op").and_then(Json::as_str) {
        Some("put") => {
            let a = addr()?;
            let inst = instance_from(&a.resource.kind, j.get("instance").unwrap_or(&Json::Null))?;
            Ok(StateOp::Put(a, inst))
        }
        Some("rm") => Ok(StateOp::Remove(addr()?)),
        Some("outputs") => {
            let mut m = BTreeMap::new();
            if let Some(Json::Object(o)) = j.get("outputs") {
                for (k, v) in o {
                    m.insert(
                        k.clone(),
                        OutputState {
                            value: v.get("value").map(Value::from_json).unwrap_or_default(),
                            sensitive: v.get("sensitive").and_then(Json::as_bool).unwrap_or(false),
                        },
                    );
                }
            }
            Ok(StateOp::Outputs(m))
        }
        _ => Err(StateFileError::Shape("unknown journal op".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_through_terraform_shape() {
        let mut s = State::new("l-1".into());
        s.serial = 3;
        let mut attrs = crate::value::Map::new();
        attrs.insert("id".into(), Value::from("k"));
        let a = ResourceAddr::managed("aws_iam_user", "u").instance(InstanceKey::Str("bob".into()));
        s.resources.insert(
            a,
            ResourceInstance {
                attrs,
                dependencies: vec!["aws_kms_key.k".into()],
                tainted: true,
            },
        );
        s.outputs.insert(
            "o".into(),
            OutputState {
                value: Value::from("v"),
                sensitive: true,
            },
        );
        let j = to_json(&s);
        assert_eq!(j["resources"][0]["instances"][0]["index_key"], json!("bob"));
        assert_eq!(from_json(&j).unwrap(), s);
    }

    #[test]
    fn module_resources_and_dynamic_values_round_trip_in_terraforms_shape() {
        let mut s = State::new("l-2".into());
        let mut attrs = crate::value::Map::new();
        attrs.insert("id".into(), Value::from("d"));
        attrs.insert("input".into(), Value::List(vec![Value::Number(1.0)]));
        attrs.insert("output".into(), Value::Null);
        let path = crate::addr::parse_module_text("module.k.module.inner").unwrap();
        let a = ResourceAddr::managed("terraform_data", "this")
            .in_module(&path)
            .instance(InstanceKey::None);
        s.resources.insert(
            a.clone(),
            ResourceInstance {
                attrs,
                dependencies: Vec::new(),
                tainted: false,
            },
        );
        let j = to_json(&s);
        let r = &j["resources"][0];
        assert_eq!(r["module"], json!("module.k.module.inner"));
        assert_eq!(
            r["provider"],
            json!("provider[\"terraform.io/builtin/terraform\"]")
        );
        assert_eq!(
            r["instances"][0]["attributes"]["input"],
            json!({"value": [1], "type": ["tuple", ["number"]]})
        );
        assert!(r["instances"][0].get("dependencies").is_none());
        assert_eq!(from_json(&j).unwrap(), s);
        let op = StateOp::Put(a, s.resources.values().next().unwrap().clone());
        assert_eq!(op_from_json(&op_json(&op)).unwrap(), op);
    }

    #[test]
    fn newer_formats_are_refused() {
        let j = json!({"version": 4, "keyform_format": 99, "serial": 1, "lineage": "x"});
        assert_eq!(
            from_json(&j).unwrap_err(),
            StateFileError::TooNew { found: 99 }
        );
    }
}
