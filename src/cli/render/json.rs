//! Machine-readable output, all of it: Terraform's JSON plan and state formats (`show -json`) so
//! tools that read Terraform plans (checkov, OPA) read ours, JSON UI lines for `plan -json`,
//! diagnostics (`validate -json`, `test -json`), output values (`output -json`), the JSON
//! events of `keyform test -json`, and the AWS CLI's JSON for `keyform sim`.

use serde_json::{Value as Json, json};

use crate::addr::{InstanceAddr, InstanceKey, Mode};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::grade::report::{Message, Report, RunReport};
use crate::plan::{Action, Plan, ResourceChange};
use crate::state::State;
use crate::state::file::type_json;
use crate::value::{Map, Value};

const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/aws";

fn addr_fields(a: &InstanceAddr) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert("address".into(), json!(a.to_string()));
    m.insert(
        "mode".into(),
        json!(if a.resource.mode == Mode::Data {
            "data"
        } else {
            "managed"
        }),
    );
    m.insert("type".into(), json!(a.resource.kind));
    m.insert("name".into(), json!(a.resource.name));
    match &a.key {
        InstanceKey::Int(i) => {
            m.insert("index".into(), json!(i));
        }
        InstanceKey::Str(s) => {
            m.insert("index".into(), json!(s));
        }
        InstanceKey::None => {}
    }
    m.insert("provider_name".into(), json!(PROVIDER_NAME));
    m
}

fn sensitive_mask(attrs: &[String]) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|a| (a.clone(), Json::Bool(true)))
            .collect(),
    )
}

fn change_json(c: &ResourceChange) -> Json {
    let mut m = addr_fields(&c.addr);
    let before = c
        .before
        .as_ref()
        .map_or(Json::Null, |b| Value::Object(b.clone()).to_json());
    let after = c
        .after
        .as_ref()
        .map_or(Json::Null, |a| Value::Object(a.clone()).to_json());
    let after_unknown = c
        .after
        .as_ref()
        .map_or(json!({}), |a| Value::Object(a.clone()).unknown_mask());
    let mut change = json!({
        "actions": c.action.json_actions(),
        "before": before,
        "after": after,
        "after_unknown": after_unknown,
        "before_sensitive": if c.before.is_some() { sensitive_mask(&c.sensitive) } else { json!(false) },
        "after_sensitive": if c.after.is_some() { sensitive_mask(&c.sensitive) } else { json!(false) },
    });
    if !c.replace_paths.is_empty() {
        change["replace_paths"] =
            json!(c.replace_paths.iter().map(|p| vec![p]).collect::<Vec<_>>());
    }
    m.insert("change".into(), change);
    if c.action == Action::Read && c.reason.is_none() {
        m.insert("action_reason".into(), json!("read_because_config_unknown"));
    }
    if let Some(r) = &c.reason {
        let reason = match r {
            crate::plan::Reason::Tainted => "replace_because_tainted",
            crate::plan::Reason::ReplaceRequested => "replace_by_request",
            crate::plan::Reason::NoResourceConfig => "delete_because_no_resource_config",
            crate::plan::Reason::NoModuleInstance => "delete_because_no_module",
            crate::plan::Reason::NoInstanceKey => match c.addr.key {
                InstanceKey::Str(_) => "delete_because_each_key",
                _ => "delete_because_count_index",
            },
            crate::plan::Reason::Destroy => "delete_because_no_resource_config",
            crate::plan::Reason::ReadDependencyPending => "read_because_dependency_pending",
        };
        if !matches!(r, crate::plan::Reason::Destroy) {
            m.insert("action_reason".into(), json!(reason));
        }
    }
    Json::Object(m)
}

fn resource_values(a: &InstanceAddr, attrs: &Map, sensitive: &[String]) -> Json {
    let mut m = addr_fields(a);
    m.insert("schema_version".into(), json!(0));
    m.insert("values".into(), Value::Object(attrs.clone()).to_json());
    m.insert("sensitive_values".into(), sensitive_mask(sensitive));
    Json::Object(m)
}

fn outputs_json(outputs: impl Iterator<Item = (String, Value, bool)>) -> Json {
    Json::Object(
        outputs
            .map(|(k, v, sensitive)| {
                (
                    k,
                    json!({"sensitive": sensitive, "value": v.to_json(), "type": type_json(&v)}),
                )
            })
            .collect(),
    )
}

/// Terraform's state representation (`show -json` without a plan).
pub fn state_json(s: &State) -> Json {
    let resources: Vec<Json> = s
        .resources
        .iter()
        .map(|(a, r)| resource_values(a, &r.attrs, &[]))
        .collect();
    json!({
        "format_version": "1.0",
        "terraform_version": "1.11.4",
        "values": {
            "outputs": outputs_json(s.outputs.iter().map(|(k, o)| (k.clone(), o.value.clone(), o.sensitive))),
            "root_module": {"resources": resources},
        },
    })
}

/// Terraform's JSON plan representation.
pub fn plan_json(p: &Plan, prior: &State) -> Json {
    let planned: Vec<Json> = p
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Delete | Action::Read))
        .filter_map(|c| {
            c.after
                .as_ref()
                .map(|a| resource_values(&c.addr, a, &c.sensitive))
        })
        .collect();
    let output_changes: serde_json::Map<String, Json> = p
        .outputs
        .iter()
        .map(|(k, o)| {
            let actions: &[&str] = match (&o.before, &o.after) {
                (None, Some(_)) => &["create"],
                (Some(_), None) => &["delete"],
                (Some(b), Some(a)) if b == a => &["no-op"],
                _ => &["update"],
            };
            (
                k.clone(),
                json!({
                    "actions": actions,
                    "before": o.before.as_ref().map_or(Json::Null, Value::to_json),
                    "after": o.after.as_ref().map_or(Json::Null, Value::to_json),
                    "after_unknown": o.after.as_ref().is_some_and(Value::is_wholly_unknown),
                    "before_sensitive": o.sensitive,
                    "after_sensitive": o.sensitive,
                }),
            )
        })
        .collect();
    json!({
        "format_version": "1.2",
        "terraform_version": "1.11.4",
        "planned_values": {
            "outputs": outputs_json(p.outputs.iter().filter_map(|(k, o)| o.after.clone().map(|v| (k.clone(), v, o.sensitive)))),
            "root_module": {"resources": planned},
        },
        "resource_changes": p.changes.iter().map(change_json).collect::<Vec<_>>(),
        "output_changes": output_changes,
        "prior_state": state_json(prior),
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": PROVIDER_NAME}}},
        "variables": p.variables.iter().map(|(k, v)| (k.clone(), json!({"value": v.to_json()}))).collect::<serde_json::Map<String, Json>>(),
        "applyable": p.has_changes(),
        "complete": true,
        "errored": false,
    })
}

/// One JSON UI line (`plan -json`).
pub fn ui_line(level: &str, message: &str, kind: &str, extra: Json) -> String {
    let mut m =
        json!({"@level": level, "@message": message, "@module": "keyform.ui", "type": kind});
    if let (Json::Object(o), Json::Object(e)) = (&mut m, extra) {
        o.extend(e);
    }
    m.to_string()
}

/// JSON UI lines for a plan.
pub fn plan_ui_lines(p: &Plan) -> Vec<String> {
    let mut out = vec![ui_line(
        "info",
        &format!("keyform {}", env!("CARGO_PKG_VERSION")),
        "version",
        json!({"terraform": "1.11.4", "ui": "1.2"}),
    )];
    for c in p.effective() {
        let action = match c.action {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
            Action::Read => "read",
            Action::NoOp => "noop",
        };
        out.push(ui_line(
            "info",
            &format!("{}: Plan to {action}", c.addr),
            "planned_change",
            json!({"change": {"resource": {"addr": c.addr.to_string(), "resource_type": c.addr.resource.kind, "resource_name": c.addr.resource.name}, "action": action}}),
        ));
    }
    let (add, change, remove) = p.counts();
    out.push(ui_line(
        "info",
        &format!("Plan: {add} to add, {change} to change, {remove} to destroy."),
        "change_summary",
        json!({"changes": {"add": add, "change": change, "remove": remove, "operation": "plan"}}),
    ));
    out
}

/// One diagnostic as Terraform's JSON shows it: severity, summary, detail and, when it points
/// into a file, its range.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) -> Json {
    let mut j = json!({
        "severity": if d.is_error() { "error" } else { "warning" },
        "summary": d.summary,
        "detail": d.detail,
    });
    if let Some((file, line, col)) = d.span.and_then(|s| sources.locate(s)) {
        j["range"] = json!({"filename": file, "start": {"line": line, "column": col}});
    }
    j
}

/// `validate -json`: Terraform's validation result document.
pub fn validate_output(diags: &Diagnostics, sources: &SourceMap) -> String {
    let list: Vec<Json> = diags.iter().map(|d| diagnostic(d, sources)).collect();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    serde_json::to_string_pretty(&json!({
        "format_version": "1.0", "valid": errors == 0, "error_count": errors,
        "warning_count": diags.iter().count() - errors, "diagnostics": list,
    }))
    .unwrap_or_default()
}

/// `output -json` without a name: every output with its sensitivity, type and value.
pub fn outputs(s: &State) -> String {
    let m = outputs_json(
        s.outputs
            .iter()
            .map(|(k, o)| (k.clone(), o.value.clone(), o.sensitive)),
    );
    serde_json::to_string_pretty(&m).unwrap_or_default()
}

/// `output -json NAME`: the value alone.
pub fn value(v: &Value) -> String {
    v.to_json().to_string()
}

/// `test -json`: a diagnostic event (the configuration's errors, before the runs).
pub fn test_diagnostic(d: &Diagnostic, sources: &SourceMap) -> String {
    let mut j = diagnostic(d, sources);
    j["type"] = json!("diagnostic");
    j.to_string()
}

/// `test -json`: a run is starting.
pub fn run_started(file: &str, run: &str) -> String {
    json!({"type": "run_started", "file": file, "run": run}).to_string()
}

/// `test -json`: a run finished, with its status, points and messages.
pub fn run_finished(file: &str, r: &RunReport) -> String {
    json!({
        "type": "run_finished",
        "file": file,
        "run": r.name,
        "status": r.status.as_str(),
        "points": r.earned(),
        "max_points": r.points,
        "messages": r.messages.iter().map(Message::render).collect::<Vec<_>>(),
        "needs": r.premise(),
    })
    .to_string()
}

/// `test -json`: the closing summary.
pub fn test_summary(report: &Report) -> String {
    json!({
        "type": "summary",
        "status": if report.all_passed() { "pass" } else { "fail" },
        "passed": report.passed(),
        "failed": report.failed(),
        "not_graded": report.not_graded(),
        "score": report.score(),
        "total": report.total(),
    })
    .to_string()
}

/// A `keyform sim` response as the AWS CLI prints it (four-space indentation).
pub fn aws_cli(v: &Json) -> Option<String> {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::report::tests::report;

    #[test]
    fn json_events_carry_status_points_and_messages() {
        let r = report();
        assert_eq!(
            run_finished("tests/a.tftest.hcl", &r.files[0].runs[1]),
            r#"{"file":"tests/a.tftest.hcl","max_points":3,"messages":["tests/a.tftest.hcl:7: keys <must> be \"rotated\""],"needs":null,"points":0,"run":"reads","status":"fail","type":"run_finished"}"#
        );
        assert_eq!(
            run_finished("tests/a.tftest.hcl", &r.files[0].runs[3]),
            r#"{"file":"tests/a.tftest.hcl","max_points":2,"messages":["tests/a.tftest.hcl:9: not graded: needs aws_kms_key.lab"],"needs":"needs aws_kms_key.lab","points":0,"run":"decrypts","status":"not_graded","type":"run_finished"}"#
        );
        assert_eq!(
            test_summary(&r),
            r#"{"failed":2,"not_graded":1,"passed":1,"score":1,"status":"fail","total":8,"type":"summary"}"#
        );
    }
}
