//! State as text: `state show`, `show`, `output`.

use std::fmt::Write;

use crate::addr::{InstanceAddr, Mode};
use crate::cli::render::plan::show_value;
use crate::state::ResourceInstance;
use crate::value::{Value, quote};

/// One instance as `keyform state show` prints it.
pub fn instance(addr: &InstanceAddr, r: &ResourceInstance, sensitive: &[&str]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {addr}:{}",
        if r.tainted { " (tainted)" } else { "" }
    );
    let kw = if addr.resource.mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{kw} \"{}\" \"{}\" {{",
        addr.resource.kind, addr.resource.name
    );
    let shown: Vec<(&String, &Value)> = r
        .attrs
        .iter()
        .filter(|(_, v)| !v.is_null() && !matches!(v, Value::List(l) if l.is_empty()))
        .collect();
    let width = shown
        .iter()
        .filter(|(_, v)| !is_block_list(v))
        .map(|(k, _)| k.len())
        .max()
        .unwrap_or(0);
    for (k, v) in &shown {
        if is_block_list(v) {
            continue;
        }
        let text = if sensitive.contains(&k.as_str()) {
            "(sensitive value)".to_string()
        } else {
            plain_value(v, 4, 4)
        };
        let _ = writeln!(out, "    {k:width$} = {text}");
    }
    for (k, v) in &shown {
        if let Value::List(items) = v
            && is_block_list(v)
        {
            for item in items {
                let _ = writeln!(out, "\n    {k} {{");
                if let Value::Object(m) = item {
                    let w = m.keys().map(String::len).max().unwrap_or(0);
                    for (ik, iv) in m.iter().filter(|(_, x)| !x.is_null()) {
                        let _ = writeln!(out, "        {ik:w$} = {}", plain_value(iv, 8, 4));
                    }
                }
                let _ = writeln!(out, "    }}");
            }
        }
    }
    out.push_str("}\n");
    out
}

fn is_block_list(v: &Value) -> bool {
    matches!(v, Value::List(l) if !l.is_empty() && l.iter().all(|x| matches!(x, Value::Object(_))))
}

/// `name = value` lines for `keyform output`.
pub fn output_line(name: &str, v: &Value, sensitive: bool) -> String {
    format!(
        "{name} = {}",
        if sensitive {
            "<sensitive>".to_string()
        } else {
            plain_value(v, 0, 2)
        }
    )
}

/// A value as `state show` and `output` print it: collections span lines, their entries
/// indented `unit` columns past `indent` (the column the value's line starts at).
pub fn plain_value(v: &Value, indent: usize, unit: usize) -> String {
    let inner = " ".repeat(indent + unit);
    let close = " ".repeat(indent);
    match v {
        Value::List(l) if !l.is_empty() => {
            let mut t = String::from("[\n");
            for item in l {
                let _ = writeln!(t, "{inner}{},", plain_value(item, indent + unit, unit));
            }
            let _ = write!(t, "{close}]");
            t
        }
        Value::Object(m) if !m.is_empty() => {
            let width = m.keys().map(|k| quote(k).len()).max().unwrap_or(0);
            let mut t = String::from("{\n");
            for (k, item) in m {
                let _ = writeln!(
                    t,
                    "{inner}{:width$} = {}",
                    quote(k),
                    plain_value(item, indent + unit, unit)
                );
            }
            let _ = write!(t, "{close}}}");
            t
        }
        Value::String(s) if s.contains('\n') => {
            let mut t = String::from("<<-EOT\n");
            for line in s.trim_end_matches('\n').lines() {
                let _ = writeln!(t, "{inner}{line}");
            }
            let _ = write!(t, "{close}EOT");
            t
        }
        other => show_value(other, false, 0),
    }
}

/// A string output's raw text (`output -raw`).
pub fn raw(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => v.to_string_lossy(),
        _ => None,
    }
}

/// Quoted address list for messages.
pub fn addr_list(a: &[String]) -> String {
    a.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")
}
