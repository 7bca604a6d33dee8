//! Saved plans (`plan -out=FILE`): JSON carrying the prior state's lineage and serial, the
//! configuration digest and the variables, so `apply FILE` refuses a plan that went stale
//! ([`check_applicable`]).
//! Unknown values are stored as an `after_unknown` mask, as in Terraform's JSON plan.

use serde_json::{Value as Json, json};

use crate::addr::{InstanceAddr, InstanceKey, TargetAddr};
use crate::config::Config;
use crate::diag::Diagnostics;
use crate::plan::{Action, OutputChange, Plan, PlanMode, Reason, ResourceChange};
use crate::state::State;
use crate::value::{Map, Value};

/// Format version of saved plan files. Format 2 files carry a checksum of their content.
pub const PLAN_FORMAT: u64 = 2;

/// Why a plan file can't be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanFileError {
    #[error("not a keyform plan file: {0}")]
    Invalid(String),
    #[error("the plan file was written by a newer keyform (format {0}); upgrade keyform")]
    TooNew(u64),
}

fn enc(v: &Option<Map>) -> (Json, Json) {
    match v {
        None => (Json::Null, Json::Bool(false)),
        Some(m) => {
            let v = Value::Object(m.clone());
            (v.to_json(), v.unknown_mask())
        }
    }
}

/// Rebuilds a value from JSON and its unknown mask.
fn dec(v: &Json, mask: &Json) -> Value {
    match mask {
        Json::Bool(true) => Value::Unknown,
        Json::Object(mm) => match v {
            Json::Object(vm) => {
                let mut out = Map::new();
                for (k, x) in vm {
                    out.insert(k.clone(), dec(x, mm.get(k).unwrap_or(&Json::Bool(false))));
                }
                for (k, m) in mm {
                    if !out.contains_key(k) && m == &Json::Bool(true) {
                        out.insert(k.clone(), Value::Unknown);
                    }
                }
                Value::Object(out)
            }
            _ => Value::from_json(v),
        },
        Json::Array(ma) => match v {
            Json::Array(va) => Value::List(
                va.iter()
                    .enumerate()
                    .map(|(i, x)| dec(x, ma.get(i).unwrap_or(&Json::Bool(false))))
                    .collect(),
            ),
            _ => Value::from_json(v),
        },
        _ => Value::from_json(v),
    }
}

fn dec_map(v: &Json, mask: &Json) -> Option<Map> {
    if v.is_null() {
        return None;
    }
    match dec(v, mask) {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "no-op",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate => "delete-then-create",
        Action::CreateThenDelete => "create-then-delete",
        Action::Delete => "delete",
    }
}

fn action_from(s: &str) -> Option<Action> {
    Some(match s {
        "no-op" => Action::NoOp,
        "create" => Action::Create,
        "read" => Action::Read,
        "update" => Action::Update,
        "delete-then-create" => Action::DeleteThenCreate,
        "create-then-delete" => Action::CreateThenDelete,
        "delete" => Action::Delete,
        _ => return None,
    })
}

/// Encodes a plan for saving.
pub fn to_json(p: &Plan) -> Json {
    let change_json = |c: &ResourceChange| {
        let (b, bm) = enc(&c.before);
        let (a, am) = enc(&c.after);
        json!({
            "address": c.addr.to_string(), "action": action_name(c.action),
            "before": b, "before_unknown": bm, "after": a, "after_unknown": am,
            "replace_paths": c.replace_paths, "reason": c.reason, "dependencies": c.dependencies,
            "sensitive": c.sensitive, "note": c.note,
        })
    };
    let changes: Vec<Json> = p.changes.iter().map(change_json).collect();
    let drift: Vec<Json> = p.drift.iter().map(change_json).collect();
    let outputs: serde_json::Map<String, Json> = p
        .outputs
        .iter()
        .map(|(k, o)| {
            let opt = |v: &Option<Value>| v.as_ref().map_or((Json::Null, Json::Bool(false)), |x| (x.to_json(), x.unknown_mask()));
            let (b, bm) = opt(&o.before);
            let (a, am) = opt(&o.after);
            (k.clone(), json!({"before": b, "before_unknown": bm, "after": a, "after_unknown": am, "sensitive": o.sensitive, "has_before": o.before.is_some(), "has_after": o.after.is_some()}))
        })
        .collect();
    let mut j = json!({
        "keyform_plan_format": PLAN_FORMAT,
        "keyform_version": env!("CARGO_PKG_VERSION"),
        "mode": p.mode,
        "prior_lineage": p.prior_lineage,
        "prior_serial": p.prior_serial,
        "config_digest": p.config_digest,
        "variables": p.variables.iter().map(|(k, v)| (k.clone(), v.to_json())).collect::<serde_json::Map<_, _>>(),
        "targets": p.targets,
        "changes": changes,
        "drift": drift,
        "outputs": outputs,
        "moved": p.moved.iter().map(|(f, t)| json!([f.to_string(), t.to_string()])).collect::<Vec<_>>(),
        "forget": p.forget.iter().map(change_json).collect::<Vec<_>>(),
        "imports": p.imports.iter().map(|(a, id)| json!({"to": a.to_string(), "id": id})).collect::<Vec<_>>(),
    });
    // Applying a plan that changed after it was shown would do what nobody approved.
    crate::fsutil::seal_json(&mut j);
    j
}

/// The resource changes listed under `key` of a saved plan.
fn changes_from(j: &Json, key: &str) -> Result<Vec<ResourceChange>, PlanFileError> {
    let bad = |m: &str| PlanFileError::Invalid(m.to_string());
    let mut changes = Vec::new();
    for c in j
        .get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let addr_s = c
            .get("address")
            .and_then(Json::as_str)
            .ok_or_else(|| bad("change without address"))?;
        let t: TargetAddr = addr_s
            .parse()
            .map_err(|e: crate::addr::AddrParseError| bad(&e.to_string()))?;
        let addr = InstanceAddr {
            resource: t.resource,
            key: t.key.unwrap_or(InstanceKey::None),
        };
        let action = c
            .get("action")
            .and_then(Json::as_str)
            .and_then(action_from)
            .ok_or_else(|| bad("unknown action"))?;
        let strs = |k: &str| -> Vec<String> {
            c.get(k)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let reason: Option<Reason> =
            serde_json::from_value(c.get("reason").cloned().unwrap_or(Json::Null))
                .map_err(|e| bad(&e.to_string()))?;
        changes.push(ResourceChange {
            addr,
            action,
            before: dec_map(
                c.get("before").unwrap_or(&Json::Null),
                c.get("before_unknown").unwrap_or(&Json::Null),
            ),
            after: dec_map(
                c.get("after").unwrap_or(&Json::Null),
                c.get("after_unknown").unwrap_or(&Json::Null),
            ),
            replace_paths: strs("replace_paths"),
            reason,
            dependencies: strs("dependencies"),
            sensitive: strs("sensitive"),
            note: c.get("note").and_then(Json::as_str).map(str::to_string),
        });
    }
    Ok(changes)
}

/// Decodes a saved plan.
pub fn from_json(j: &Json) -> Result<Plan, PlanFileError> {
    let bad = |m: &str| PlanFileError::Invalid(m.to_string());
    let format = j
        .get("keyform_plan_format")
        .and_then(Json::as_u64)
        .ok_or_else(|| bad("missing keyform_plan_format"))?;
    if format > PLAN_FORMAT {
        return Err(PlanFileError::TooNew(format));
    }
    match crate::fsutil::verify_json(j) {
        Some(false) => {
            return Err(bad(
                "its content no longer matches the checksum saved with it (corrupted or edited)",
            ));
        }
        None if format >= 2 => return Err(bad("its checksum is missing")),
        _ => {}
    }
    let s = |k: &str| {
        j.get(k)
            .and_then(Json::as_str)
            .map(str::to_string)
            .ok_or_else(|| bad(&format!("missing {k}")))
    };
    let mode: PlanMode = serde_json::from_value(j.get("mode").cloned().unwrap_or(Json::Null))
        .map_err(|e| bad(&e.to_string()))?;
    let mut changes = changes_from(j, "changes")?;
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));
    // Plans saved before drift was recorded have none.
    let drift = changes_from(j, "drift")?;
    let mut outputs = std::collections::BTreeMap::new();
    if let Some(Json::Object(o)) = j.get("outputs") {
        for (k, v) in o {
            let get = |has: &str, val: &str, mask: &str| {
                v.get(has)
                    .and_then(Json::as_bool)
                    .unwrap_or(false)
                    .then(|| {
                        dec(
                            v.get(val).unwrap_or(&Json::Null),
                            v.get(mask).unwrap_or(&Json::Null),
                        )
                    })
            };
            outputs.insert(
                k.clone(),
                OutputChange {
                    before: get("has_before", "before", "before_unknown"),
                    after: get("has_after", "after", "after_unknown"),
                    sensitive: v.get("sensitive").and_then(Json::as_bool).unwrap_or(false),
                },
            );
        }
    }
    Ok(Plan {
        mode,
        changes,
        drift,
        outputs,
        warnings: Diagnostics::new(),
        prior_lineage: s("prior_lineage")?,
        prior_serial: j
            .get("prior_serial")
            .and_then(Json::as_u64)
            .ok_or_else(|| bad("missing prior_serial"))?,
        variables: j
            .get("variables")
            .and_then(Json::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect()
            })
            .unwrap_or_default(),
        config_digest: s("config_digest")?,
        targets: j
            .get("targets")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        moved: addr_list(j, "moved")?
            .chunks(2)
            .filter_map(|p| match p {
                [f, t] => Some((f.clone(), t.clone())),
                _ => None,
            })
            .collect(),
        forget: changes_from(j, "forget")?,
        imports: imports_from(j)?,
        generated: Vec::new(),
    })
}

/// The imports of a saved plan: `[{"to": address, "id": import id}]`.
fn imports_from(j: &Json) -> Result<Vec<(InstanceAddr, String)>, PlanFileError> {
    let bad = |m: &str| PlanFileError::Invalid(m.to_string());
    let mut out = Vec::new();
    for item in j
        .get("imports")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let (Some(to), Some(id)) = (
            item.get("to").and_then(Json::as_str),
            item.get("id").and_then(Json::as_str),
        ) else {
            return Err(bad("an import is not {\"to\", \"id\"}"));
        };
        let t: TargetAddr = to
            .parse()
            .map_err(|e: crate::addr::AddrParseError| bad(&e.to_string()))?;
        out.push((
            InstanceAddr {
                resource: t.resource,
                key: t.key.unwrap_or(InstanceKey::None),
            },
            id.to_string(),
        ));
    }
    Ok(out)
}

/// The addresses of a list of address pairs, flattened, in a saved plan; plans saved before
/// moves existed have none.
fn addr_list(j: &Json, key: &str) -> Result<Vec<InstanceAddr>, PlanFileError> {
    let bad = |m: &str| PlanFileError::Invalid(m.to_string());
    let mut out = Vec::new();
    let mut push = |x: &Json| -> Result<(), PlanFileError> {
        let s = x
            .as_str()
            .ok_or_else(|| bad("an address is not a string"))?;
        let t: TargetAddr = s
            .parse()
            .map_err(|e: crate::addr::AddrParseError| bad(&e.to_string()))?;
        out.push(InstanceAddr {
            resource: t.resource,
            key: t.key.unwrap_or(InstanceKey::None),
        });
        Ok(())
    };
    for item in j.get(key).and_then(Json::as_array).into_iter().flatten() {
        match item {
            Json::Array(pair) => {
                for x in pair {
                    push(x)?;
                }
            }
            x => push(x)?,
        }
    }
    Ok(out)
}

/// SHA-256 over every configuration file's name and text. Variable files are left out: their
/// values are recorded in the plan itself, and `apply PLANFILE` is not given them again.
pub fn config_digest(cfg: &Config) -> String {
    let mut all = Vec::new();
    for (_, f) in cfg
        .sources
        .files()
        .filter(|(_, f)| f.display.ends_with(".tf"))
    {
        all.extend_from_slice(f.display.as_bytes());
        all.push(0);
        all.extend_from_slice(f.text.as_bytes());
        all.push(0);
    }
    crate::sim::crypto::sha256_hex(&all)
}

/// Why a saved plan can no longer be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotApplicable {
    /// Another operation changed the state after the plan was made (its lineage or serial).
    StateChanged {
        planned_serial: u64,
        state_serial: u64,
    },
    /// The configuration files changed after the plan was made.
    ConfigChanged,
}

/// Whether `plan` still applies to `state` and `cfg`: it must have been made from exactly this
/// state (lineage and serial) and these configuration files (their digest).
pub fn check_applicable(plan: &Plan, state: &State, cfg: &Config) -> Result<(), NotApplicable> {
    if plan.prior_lineage != state.lineage || plan.prior_serial != state.serial {
        return Err(NotApplicable::StateChanged {
            planned_serial: plan.prior_serial,
            state_serial: state.serial,
        });
    }
    if plan.config_digest != config_digest(cfg) {
        return Err(NotApplicable::ConfigChanged);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_survive_a_round_trip() {
        let mut after = Map::new();
        after.insert("arn".into(), Value::Unknown);
        after.insert("tags".into(), Value::from_json(&json!({"a": "b"})));
        let p = Plan {
            mode: PlanMode::Normal,
            changes: vec![ResourceChange {
                addr: crate::addr::ResourceAddr::managed("aws_kms_key", "k")
                    .instance(InstanceKey::Int(2)),
                action: Action::Create,
                before: None,
                after: Some(after),
                replace_paths: vec![],
                reason: None,
                dependencies: vec!["x.y".into()],
                sensitive: vec![],
                note: None,
            }],
            drift: vec![],
            outputs: Default::default(),
            warnings: Diagnostics::new(),
            prior_lineage: "l".into(),
            prior_serial: 4,
            variables: Default::default(),
            config_digest: "d".into(),
            targets: vec![],
            moved: vec![],
            forget: vec![],
            imports: vec![],
            generated: vec![],
        };
        let back = from_json(&to_json(&p)).unwrap();
        assert_eq!(back.changes, p.changes);
        assert_eq!(back.prior_serial, 4);
    }
}
