//! Plans as Terraform prints them: `+ ~ - -/+` per resource, attribute-level old -> new with
//! `# forces replacement`, sensitive values hidden, JSON documents diffed line by line.

use std::fmt::Write;
use std::time::Duration;

use similar::{ChangeTag, TextDiff};

use crate::addr::{InstanceKey, Mode};
use crate::cli::render::Style;
use crate::plan::{Action, Plan, PlanMode, Reason, ResourceChange};
use crate::schema::{AttrType, BodySchema};
use crate::value::{Map, Value, format_number, quote};

use super::plan_notes::{forget_text, import_header, moved_header};

/// Looks up the schema of a resource type for rendering.
pub type SchemaLookup<'a> =
    &'a dyn Fn(Mode, &str) -> Option<&'static crate::schema::ResourceSchema>;

const INDENT: &str = "    ";

/// The whole plan text, as `keyform plan` prints it.
pub fn render(plan: &Plan, schemas: SchemaLookup<'_>, style: Style) -> String {
    let mut buf = Vec::new();
    let _ = render_to(plan, schemas, style, &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes the plan text to `w` change by change, so a plan of thousands of resources is never
/// held in memory as one string.
pub fn render_to(
    plan: &Plan,
    schemas: SchemaLookup<'_>,
    style: Style,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut out = String::new();
    if !plan.drift.is_empty() {
        out.push_str(&render_drift(plan, schemas, style));
    }
    let effective: Vec<&ResourceChange> = plan.effective().collect();
    let output_changes: Vec<(&String, &crate::plan::OutputChange)> = plan
        .outputs
        .iter()
        .filter(|(_, o)| o.before != o.after)
        .collect();
    if effective.is_empty() && output_changes.is_empty() && plan.forget.is_empty() {
        if plan.mode == PlanMode::Destroy {
            out.push('\n');
            out.push_str(&style.bold("No changes."));
            out.push_str(" No objects need to be destroyed.\n\n");
            out.push_str("Either you have not created any objects yet or the existing objects were\nalready deleted outside of keyform.\n");
            return w.write_all(out.as_bytes());
        }
        out.push('\n');
        out.push_str(&style.bold("No changes."));
        out.push_str(" Your infrastructure matches the configuration.\n\n");
        out.push_str("keyform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n");
        return w.write_all(out.as_bytes());
    }
    if !effective.is_empty() || !plan.forget.is_empty() {
        let mut symbols: Vec<Action> = Vec::new();
        for c in effective.iter().filter(|c| c.action != Action::NoOp) {
            if !symbols.contains(&c.action) {
                symbols.push(c.action);
            }
        }
        symbols.sort_by_key(|a| legend_order(*a));
        // Moves and imports alone have no symbol: Terraform shows no legend for them.
        if !symbols.is_empty() || !plan.forget.is_empty() {
            out.push_str("\nkeyform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n");
        }
        for a in symbols {
            let _ = writeln!(out, "{} {}", padded_symbol(a, style), legend(a));
        }
        out.push_str("\nkeyform will perform the following actions:\n\n");
        // Forgotten instances sort in among the changes, as Terraform lists them.
        let mut listed: Vec<(&ResourceChange, bool)> = effective
            .iter()
            .map(|c| (*c, false))
            .chain(plan.forget.iter().map(|c| (c, true)))
            .collect();
        listed.sort_by(|a, b| a.0.addr.cmp(&b.0.addr));
        for (c, forgotten) in listed {
            if forgotten {
                out.push_str(&forget_text(&render_change(c, schemas, style), c));
                out.push('\n');
                continue;
            }
            let mut text = render_change(c, schemas, style);
            if let Some(from) = plan.moved_from(&c.addr) {
                text = moved_header(&text, from, c);
            }
            if let Some(id) = plan.import_id(&c.addr) {
                text = import_header(&text, id, plan.generated.contains(&c.addr), c, style);
            }
            out.push_str(&text);
            out.push('\n');
            w.write_all(out.as_bytes())?;
            out.clear();
        }
        let (add, change, destroy) = plan.counts();
        let imports = if plan.imports.is_empty() {
            String::new()
        } else {
            format!("{} to import, ", plan.imports.len())
        };
        let _ = writeln!(
            out,
            "{} {imports}{add} to add, {change} to change, {destroy} to destroy.",
            style.bold("Plan:")
        );
    }
    if !output_changes.is_empty() {
        out.push_str("\nChanges to Outputs:\n");
        let width = output_changes
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        // Output lines start with a two-column symbol, so their values sit at column 2.
        for (name, o) in output_changes {
            let (sym, body) = match (&o.before, &o.after) {
                (None, Some(a)) => ("+", value_text(a, o.sensitive, 2, "+")),
                (Some(b), None) => (
                    "-",
                    format!("{} -> null", value_text(b, o.sensitive, 2, "-")),
                ),
                (Some(b), Some(a)) => ("~", changed_value(b, a, o.sensitive, 2, style)),
                (None, None) => continue,
            };
            let _ = writeln!(out, "  {} {name:width$} = {body}", paint(sym, style));
        }
        if effective.is_empty() {
            out.push_str("\nYou can apply this plan to save these new output values to the keyform\nstate, without changing any real infrastructure.\n");
        }
    }
    w.write_all(out.as_bytes())
}

fn legend_order(a: Action) -> u8 {
    match a {
        Action::Create => 0,
        Action::Update => 1,
        Action::Delete => 2,
        Action::DeleteThenCreate => 3,
        Action::CreateThenDelete => 4,
        Action::Read => 5,
        Action::NoOp => 6,
    }
}

fn legend(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update in-place",
        Action::Delete => "destroy",
        Action::DeleteThenCreate => "destroy and then create replacement",
        Action::CreateThenDelete => "create replacement and then destroy",
        Action::Read => "read (data resources)",
        Action::NoOp => "no-op",
    }
}

fn paint(sym: &str, style: Style) -> String {
    match sym {
        "+" => style.green(sym),
        "-" => style.red(sym),
        "~" => style.yellow(sym),
        "<=" => style.cyan(sym),
        "-/+" | "+/-" => style.yellow(sym),
        _ => sym.to_string(),
    }
}

/// The action's symbol right-aligned in three columns, as Terraform prints it (`  +`, `-/+`,
/// ` <=`); padding is computed on the bare symbol so colour codes don't upset it.
fn padded_symbol(a: Action, style: Style) -> String {
    let sym = a.symbol();
    format!(
        "{}{}",
        " ".repeat(3usize.saturating_sub(sym.len())),
        paint(sym, style)
    )
}

fn header(c: &ResourceChange) -> String {
    let a = &c.addr;
    match (c.action, &c.reason) {
        (Action::Create, _) => format!("# {a} will be created"),
        (Action::Read, Some(Reason::ReadDependencyPending)) => format!(
            "# {a} will be read during apply\n  # (depends on a resource or a module with changes pending)"
        ),
        (Action::Read, _) => {
            format!("# {a} will be read during apply\n  # (config refers to values not yet known)")
        }
        (Action::Update, _) => format!("# {a} will be updated in-place"),
        (Action::Delete, Some(Reason::NoResourceConfig)) => {
            format!(
                "# {a} will be destroyed\n  # (because {} is not in configuration)",
                a.resource
            )
        }
        (Action::Delete, Some(Reason::NoModuleInstance)) => format!(
            "# {a} will be destroyed\n  # (because {} is not in configuration)",
            crate::addr::module_text(&a.resource.module)
        ),
        (Action::Delete, Some(Reason::NoInstanceKey)) => match &a.key {
            InstanceKey::Int(i) => format!(
                "# {a} will be destroyed\n  # (because index [{i}] is out of range for count)"
            ),
            InstanceKey::Str(k) => format!(
                "# {a} will be destroyed\n  # (because key [{}] is not in for_each map)",
                quote(k)
            ),
            InstanceKey::None => format!("# {a} will be destroyed"),
        },
        (Action::Delete, _) => format!("# {a} will be destroyed"),
        (_, Some(Reason::Tainted)) => format!("# {a} is tainted, so must be replaced"),
        (_, Some(Reason::ReplaceRequested)) => format!("# {a} will be replaced, as requested"),
        _ => format!("# {a} must be replaced"),
    }
}

/// One resource change block.
pub fn render_change(c: &ResourceChange, schemas: SchemaLookup<'_>, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}", style.bold(&header(c)));
    if let Some(n) = &c.note {
        let _ = writeln!(out, "  # (keyform: {n})");
    }
    let a = &c.addr.resource;
    let keyword = if a.mode == Mode::Data {
        "data"
    } else {
        "resource"
    };
    let _ = writeln!(
        out,
        "{} {keyword} \"{}\" \"{}\" {{",
        padded_symbol(c.action, style),
        a.kind,
        a.name
    );
    let schema = schemas(a.mode, &a.kind).map(|s| &s.body);
    let empty = Map::new();
    let before = c.before.as_ref().unwrap_or(&empty);
    let after = c.after.as_ref().unwrap_or(&empty);
    body(
        &mut out,
        c,
        schema,
        before,
        after,
        c.before.is_some(),
        c.after.is_some(),
        2,
        style,
    );
    let _ = writeln!(out, "    }}");
    out
}

/// What one attribute line shows.
enum Line {
    Attr {
        sym: &'static str,
        name: String,
        text: String,
    },
    Raw(String),
}

/// Attributes Terraform always shows in an update, changed or not, so the object can be
/// recognised.
const IMPORTANT: [&str; 3] = ["id", "name", "tags"];

/// The attributes and nested blocks of one object, in Terraform's order: attributes (sorted,
/// aligned to the longest non-null name, unchanged ones hidden except `id`, `name` and `tags`),
/// the hidden-attribute count, then nested blocks and the hidden-block count.
#[allow(clippy::too_many_arguments)]
fn body<'a>(
    out: &mut String,
    c: &ResourceChange,
    schema: Option<&BodySchema>,
    before: &'a Map,
    after: &'a Map,
    has_before: bool,
    has_after: bool,
    depth: usize,
    style: Style,
) {
    let pad = INDENT.repeat(depth - 1) + "  ";
    let block_names: Vec<&str> = schema
        .map(|s| s.blocks.iter().map(|b| b.name).collect())
        .unwrap_or_default();
    let mut names: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| !block_names.contains(&k.as_str()))
        .collect();
    names.sort();
    names.dedup();
    static NULL: Value = Value::Null;
    let value_of = |m: &'a Map, present: bool, name: &str| -> &'a Value {
        if present {
            m.get(name).unwrap_or(&NULL)
        } else {
            &NULL
        }
    };
    // Null on both sides is not an attribute of the object at all (Terraform neither shows nor
    // counts it, nor aligns to it).
    let names: Vec<&String> = names
        .into_iter()
        .filter(|n| {
            !(value_of(before, has_before, n).is_null() && value_of(after, has_after, n).is_null())
        })
        .collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let mut lines = Vec::new();
    let mut hidden = 0;
    for name in names {
        let bv = value_of(before, has_before, name);
        let av = value_of(after, has_after, name);
        let ty = schema.and_then(|s| s.attr(name)).map(|a| &a.ty);
        let sensitive = c.sensitive.iter().any(|s| s == name);
        let forces = c.replace_paths.iter().any(|p| p == name);
        let suffix = if forces {
            format!(" {}", style.red("# forces replacement"))
        } else {
            String::new()
        };
        let line = if !has_before {
            Line::Attr {
                sym: "+",
                name: name.clone(),
                text: value_text(av, sensitive, pad.len(), "+"),
            }
        } else if !has_after {
            Line::Attr {
                sym: "-",
                name: name.clone(),
                text: format!("{} -> null", value_text(bv, sensitive, pad.len(), "-")),
            }
        } else if bv == av {
            if !IMPORTANT.contains(&name.as_str()) {
                hidden += 1;
                continue;
            }
            Line::Attr {
                sym: " ",
                name: name.clone(),
                text: value_text(av, sensitive, pad.len(), " "),
            }
        } else if bv.is_null() {
            Line::Attr {
                sym: "+",
                name: name.clone(),
                text: format!("{}{suffix}", value_text(av, sensitive, pad.len(), "+")),
            }
        } else if av.is_null() {
            Line::Attr {
                sym: "-",
                name: name.clone(),
                text: format!(
                    "{} -> null{suffix}",
                    value_text(bv, sensitive, pad.len(), "-")
                ),
            }
        } else if ty == Some(&AttrType::Json) && !sensitive && !av.is_unknown() {
            Line::Raw(json_diff(name, bv, av, depth, &suffix, style))
        } else {
            Line::Attr {
                sym: "~",
                name: name.clone(),
                text: format!(
                    "{}{suffix}",
                    changed_value(bv, av, sensitive, pad.len(), style)
                ),
            }
        };
        lines.push(line);
    }
    let has_attrs = !lines.is_empty() || hidden > 0;
    for l in lines {
        match l {
            Line::Attr { sym, name, text } => {
                let _ = writeln!(out, "{pad}{} {name:width$} = {text}", paint(sym, style));
            }
            Line::Raw(s) => out.push_str(&s),
        }
    }
    if hidden > 0 {
        let _ = writeln!(out, "{pad}  {}", unchanged(hidden, "attribute"));
    }
    let mut hidden_blocks = 0;
    if let Some(s) = schema {
        for bs in &s.blocks {
            let bl = if has_before {
                list_of(before.get(bs.name))
            } else {
                Vec::new()
            };
            let al = if has_after {
                list_of(after.get(bs.name))
            } else {
                Vec::new()
            };
            let mut first = true;
            for i in 0..bl.len().max(al.len()) {
                let bi = bl.get(i).and_then(Value::as_object);
                let ai = al.get(i).and_then(Value::as_object);
                let (sym, hb, ha) = match (bi, ai) {
                    (Some(_), Some(_)) => ("~", true, true),
                    (None, Some(_)) => ("+", false, true),
                    (Some(_), None) => ("-", true, false),
                    (None, None) => continue,
                };
                if sym == "~" && bi == ai {
                    hidden_blocks += 1;
                    continue;
                }
                // One blank line between the attributes and each group of blocks.
                if first && has_attrs {
                    out.push('\n');
                }
                first = false;
                let _ = writeln!(out, "{pad}{} {} {{", paint(sym, style), bs.name);
                let empty = Map::new();
                body(
                    out,
                    c,
                    Some(&bs.body),
                    bi.unwrap_or(&empty),
                    ai.unwrap_or(&empty),
                    hb,
                    ha,
                    depth + 1,
                    style,
                );
                let _ = writeln!(out, "{pad}  }}");
            }
            if has_after
                && (al.iter().any(Value::is_wholly_unknown)
                    || after.get(bs.name).is_some_and(Value::is_wholly_unknown))
            {
                let _ = writeln!(out, "{pad}  # ({} blocks known after apply)", bs.name);
            }
        }
    }
    if hidden_blocks > 0 {
        let _ = writeln!(out, "\n{pad}  {}", unchanged(hidden_blocks, "block"));
    }
}

/// `# (N unchanged attributes hidden)`.
fn unchanged(n: usize, what: &str) -> String {
    format!(
        "# ({n} unchanged {what}{} hidden)",
        if n == 1 { "" } else { "s" }
    )
}

fn list_of(v: Option<&Value>) -> Vec<Value> {
    match v {
        Some(Value::List(l)) => l.clone(),
        _ => Vec::new(),
    }
}

/// A value as plan text at nesting `depth`; non-empty collections span lines, like Terraform.
pub fn show_value(v: &Value, sensitive: bool, depth: usize) -> String {
    value_text(
        v,
        sensitive,
        INDENT.repeat(depth.saturating_sub(1)).len() + 2,
        "",
    )
}

/// A value whose line starts at column `col`; entries of collections get `sym` in front.
pub fn value_text(v: &Value, sensitive: bool, col: usize, sym: &str) -> String {
    if sensitive {
        return "(sensitive value)".into();
    }
    let inner = " ".repeat(col + 4);
    let close = " ".repeat(col + 2);
    let mark = if sym.is_empty() {
        String::new()
    } else {
        format!("{sym} ")
    };
    match v {
        Value::Unknown => "(known after apply)".into(),
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::String(s) if s.contains('\n') => {
            let mut t = String::from("<<-EOT\n");
            for line in s.trim_end_matches('\n').lines() {
                let _ = writeln!(t, "{inner}{line}");
            }
            let _ = write!(t, "{close}EOT");
            t
        }
        Value::String(s) => quote(s),
        Value::List(l) if l.is_empty() => "[]".into(),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::List(l) => {
            let mut t = String::from("[\n");
            for item in l {
                let _ = writeln!(t, "{inner}{mark}{},", value_text(item, false, col + 4, sym));
            }
            let _ = write!(t, "{close}]");
            t
        }
        Value::Object(m) => {
            let width = m.keys().map(|k| quote(k).len()).max().unwrap_or(0);
            let mut t = String::from("{\n");
            for (k, item) in m {
                let _ = writeln!(
                    t,
                    "{inner}{mark}{:width$} = {}",
                    quote(k),
                    value_text(item, false, col + 4, sym)
                );
            }
            let _ = write!(t, "{close}}}");
            t
        }
    }
}

/// A value changed in place, its line starting at column `col`: maps and lists element by
/// element, anything else `old -> new`.
fn changed_value(
    before: &Value,
    after: &Value,
    sensitive: bool,
    col: usize,
    style: Style,
) -> String {
    match (before, after, sensitive) {
        (Value::Object(bm), Value::Object(am), false) => map_diff(bm, am, col, style),
        (Value::List(bl), Value::List(al), false) if bl.len() * al.len() <= 250_000 => {
            list_diff(bl, al, col, style)
        }
        _ => format!(
            "{} -> {}",
            value_text(before, sensitive, col, ""),
            value_text(after, sensitive, col, "")
        ),
    }
}

/// A list changed in place, as Terraform shows it: elements removed (`-`) and added (`+`)
/// against the longest common subsequence, one unchanged element of context either side of a
/// change, and a count of the unchanged elements hidden.
fn list_diff(before: &[Value], after: &[Value], col: usize, style: Style) -> String {
    let ops = lcs_ops(before, after);
    let item_pad = " ".repeat(col + 4);
    let mut t = String::from("[\n");
    let mut unchanged: Vec<&Value> = Vec::new();
    let mut render_next = false;
    let hidden_line = |t: &mut String, n: usize| {
        let _ = writeln!(
            t,
            "{item_pad}  # ({n} unchanged element{} hidden)",
            if n == 1 { "" } else { "s" }
        );
    };
    for (sym, v) in ops {
        if sym == " " && !render_next {
            unchanged.push(v);
            continue;
        }
        render_next = false;
        if unchanged.len() > 1 {
            hidden_line(&mut t, unchanged.len() - 1);
        }
        if let Some(last) = unchanged.last() {
            let _ = writeln!(t, "{item_pad}  {},", value_text(last, false, col + 4, " "));
        }
        unchanged.clear();
        if sym != " " {
            render_next = true;
        }
        let _ = writeln!(
            t,
            "{item_pad}{} {},",
            paint(sym, style),
            value_text(v, false, col + 4, sym)
        );
    }
    if !unchanged.is_empty() {
        hidden_line(&mut t, unchanged.len());
    }
    let _ = write!(t, "{}]", " ".repeat(col + 2));
    t
}

/// The edit from `before` to `after`: (" ", kept), ("-", removed), ("+", added), removals
/// before additions where both happen at one place.
fn lcs_ops<'v>(before: &'v [Value], after: &'v [Value]) -> Vec<(&'static str, &'v Value)> {
    let (n, m) = (before.len(), after.len());
    // lcs[i][j]: length of the longest common subsequence of before[i..] and after[j..].
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if before[i] == after[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && before[i] == after[j] {
            out.push((" ", &before[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push(("-", &before[i]));
            i += 1;
        } else {
            out.push(("+", &after[j]));
            j += 1;
        }
    }
    out
}

/// An object attribute changed in place: one line per added, removed or changed key.
fn map_diff(before: &Map, after: &Map, col: usize, style: Style) -> String {
    let inner = " ".repeat(col + 4);
    let close = " ".repeat(col + 2);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let width = keys.iter().map(|k| quote(k).len()).max().unwrap_or(0);
    let mut t = String::from("{\n");
    let mut hidden = 0;
    for k in keys {
        let (b, a) = (before.get(k), after.get(k));
        let line = match (b, a) {
            (None, Some(a)) => format!(
                "{} {:width$} = {}",
                paint("+", style),
                quote(k),
                value_text(a, false, col + 4, "+")
            ),
            (Some(b), None) => format!(
                "{} {:width$} = {} -> null",
                paint("-", style),
                quote(k),
                value_text(b, false, col + 4, "-")
            ),
            (Some(b), Some(a)) if b != a => {
                format!(
                    "{} {:width$} = {} -> {}",
                    paint("~", style),
                    quote(k),
                    value_text(b, false, col + 4, ""),
                    value_text(a, false, col + 4, "")
                )
            }
            _ => {
                hidden += 1;
                continue;
            }
        };
        let _ = writeln!(t, "{inner}{line}");
    }
    if hidden > 0 {
        let _ = writeln!(
            t,
            "{inner}  # ({hidden} unchanged element{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    let _ = write!(t, "{close}}}");
    t
}

/// A JSON document change, line by line (bounded: a hostile document can't stall the diff).
fn json_diff(
    name: &str,
    before: &Value,
    after: &Value,
    depth: usize,
    suffix: &str,
    style: Style,
) -> String {
    let pretty = |v: &Value| {
        v.as_str()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|j| serde_json::to_string_pretty(&j).ok())
            .unwrap_or_else(|| v.to_string_lossy().unwrap_or_default())
    };
    let (b, a) = (pretty(before), pretty(after));
    let pad = INDENT.repeat(depth - 1) + "  ";
    let mut out = format!("{pad}{} {name} = <<-EOT{suffix}\n", paint("~", style));
    let diff = TextDiff::configure()
        .timeout(Duration::from_millis(200))
        .diff_lines(&b, &a);
    for ch in diff.iter_all_changes() {
        let line = ch.value().trim_end_matches('\n');
        let (sym, text) = match ch.tag() {
            ChangeTag::Equal => (" ", line.to_string()),
            ChangeTag::Delete => ("-", style.red(line)),
            ChangeTag::Insert => ("+", style.green(line)),
        };
        let _ = writeln!(out, "{pad}    {} {text}", paint(sym, style));
    }
    let _ = writeln!(out, "{pad}  EOT");
    out
}

fn render_drift(plan: &Plan, schemas: SchemaLookup<'_>, style: Style) -> String {
    let mut out = String::new();
    out.push('\n');
    out.push_str(&style.bold("Note: Objects have changed outside of keyform"));
    out.push_str("\n\nkeyform detected the following changes made outside of keyform since the\nlast \"keyform apply\" which may have affected this plan:\n\n");
    out.push_str(&drift_blocks(&plan.drift, schemas, style));
    out.push_str("\nUnless you have made equivalent changes to your configuration, or ignored the\nrelevant attributes using ignore_changes, the following plan may include\nactions to undo or respond to these changes.\n\n");
    out.push_str(&"─".repeat(77));
    out.push('\n');
    out
}

/// Each object refresh found changed (`# ADDR has changed`, with the differences) or deleted.
pub fn drift_blocks(drift: &[ResourceChange], schemas: SchemaLookup<'_>, style: Style) -> String {
    let mut out = String::new();
    for c in drift {
        let head = if c.action == Action::Delete {
            format!("# {} has been deleted", c.addr)
        } else {
            format!("# {} has changed", c.addr)
        };
        let _ = writeln!(out, "  {}", style.bold(&head));
        let a = &c.addr.resource;
        let sym = if c.action == Action::Delete { "-" } else { "~" };
        let _ = writeln!(
            out,
            "  {} resource \"{}\" \"{}\" {{",
            paint(sym, style),
            a.kind,
            a.name
        );
        let schema = schemas(a.mode, &a.kind).map(|s| &s.body);
        let empty = Map::new();
        let before = c.before.as_ref().unwrap_or(&empty);
        let after = c.after.as_ref().unwrap_or(&empty);
        let deleted = c.action == Action::Delete;
        body(&mut out, c, schema, before, after, true, !deleted, 2, style);
        let _ = writeln!(out, "    }}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_like_terraform() {
        assert_eq!(show_value(&Value::from("x"), false, 2), "\"x\"");
        assert_eq!(show_value(&Value::Unknown, false, 2), "(known after apply)");
        assert_eq!(
            show_value(&Value::from("secret"), true, 2),
            "(sensitive value)"
        );
        let m = Value::from_json(&serde_json::json!({"Name": "lab"}));
        assert_eq!(
            value_text(&m, false, 6, "+"),
            "{\n          + \"Name\" = \"lab\"\n        }"
        );
    }
}
