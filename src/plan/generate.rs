//! `plan -generate-config-out=FILE`: configuration for the targets of `import` blocks that have
//! none, written from the imported objects as Terraform 1.11 writes it (every argument of the
//! schema in name order, unset ones as `null`, computed-only attributes left out), serialised
//! with the `hcl` crate and laid out by `keyform fmt`.

use std::collections::BTreeMap;

use crate::addr::{InstanceAddr, InstanceKey, Mode};
use crate::config::Config;
use crate::config::import::ImportKey;
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::walk::RawVar;
use crate::provider::Provider;
use crate::schema::{BodySchema, SchemaSource};
use crate::value::{Map, Value};

/// The generated file: its text and the instances it configures (empty: nothing to write).
pub struct Generated {
    pub text: String,
    pub addrs: Vec<InstanceAddr>,
}

fn expression(v: &Value) -> hcl::Expression {
    match v {
        Value::Null | Value::Unknown => hcl::Expression::Null,
        Value::Bool(b) => hcl::Expression::Bool(*b),
        Value::Number(n) => match v.as_i64() {
            Some(i) => hcl::Expression::Number(hcl::Number::from(i)),
            None => {
                hcl::Number::from_f64(*n).map_or(hcl::Expression::Null, hcl::Expression::Number)
            }
        },
        Value::String(s) => hcl::Expression::String(s.clone()),
        Value::List(items) => hcl::Expression::Array(items.iter().map(expression).collect()),
        Value::Object(m) => hcl::Expression::Object(
            m.iter()
                .map(|(k, v)| {
                    let key = match hcl::Identifier::new(k.as_str()) {
                        Ok(id) => hcl::ObjectKey::Identifier(id),
                        Err(_) => hcl::ObjectKey::Expression(hcl::Expression::String(k.clone())),
                    };
                    (key, expression(v))
                })
                .collect(),
        ),
    }
}

/// The arguments and nested blocks of one object, as Terraform generates them.
fn fill(mut b: hcl::BlockBuilder, schema: &BodySchema, m: &Map) -> hcl::BlockBuilder {
    let mut attrs: Vec<_> = schema
        .attrs
        .iter()
        .filter(|a| a.is_argument() && a.name != "id")
        .collect();
    attrs.sort_by_key(|a| a.name);
    for a in attrs {
        let v = if a.sensitive {
            &Value::Null
        } else {
            m.get(a.name).unwrap_or(&Value::Null)
        };
        b = b.add_attribute((a.name, expression(v)));
    }
    let mut blocks: Vec<_> = schema.blocks.iter().collect();
    blocks.sort_by_key(|x| x.name);
    for bs in blocks {
        for item in m.get(bs.name).and_then(Value::as_list).unwrap_or_default() {
            if let Value::Object(inner) = item {
                b = b.add_block(fill(hcl::Block::builder(bs.name), &bs.body, inner).build());
            }
        }
    }
    b
}

/// One `resource` block for `addr` holding `state`, with Terraform's comment above it.
pub fn resource_text(addr: &InstanceAddr, schema: &BodySchema, state: &Map, id: &str) -> String {
    let block = fill(
        hcl::Block::builder("resource")
            .add_label(addr.resource.kind.as_str())
            .add_label(addr.resource.name.as_str()),
        schema,
        state,
    )
    .build();
    let body = hcl::Body::builder().add_block(block).build();
    let text = hcl::format::to_string(&body).unwrap_or_default();
    let text = crate::fmt::format_source(&text).unwrap_or(text);
    format!(
        "# __generated__ by keyform from {}\n{text}",
        crate::value::quote(id)
    )
}

/// An import id written as a literal, or from root variables (the only values known before
/// anything is planned).
fn known_id(
    cfg: &Config,
    inputs: &BTreeMap<String, RawVar>,
    e: &crate::config::Expr,
) -> Option<String> {
    if let Some(s) = e.as_literal_str() {
        return Some(s);
    }
    super::eval_with_vars(cfg, inputs, e)?.to_string_lossy()
}

/// Generates configuration for every import block whose target has no resource block.
pub fn generate(
    cfg: &Config,
    inputs: &BTreeMap<String, RawVar>,
    provider: &mut dyn Provider,
    schemas: &dyn SchemaSource,
) -> Result<Generated, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut parts = Vec::new();
    let mut addrs = Vec::new();
    for i in cfg
        .imports
        .iter()
        .filter(|i| !cfg.resources.contains_key(&i.to.config_addr()))
    {
        let keyed = i.for_each.is_some()
            || !matches!(i.key, ImportKey::Literal(InstanceKey::None))
            || !i.to.module.is_empty();
        if keyed {
            diags.push(
                Diagnostic::error(
                    "Cannot generate configuration",
                    format!("keyform generates configuration only for a whole resource of the root module, not for {} (an instance key, for_each or a module address). Write its resource block instead.", i.to),
                )
                .with_span(i.to_span),
            );
            continue;
        }
        let Some(schema) = schemas.resource_schema(Mode::Managed, &i.to.kind) else {
            diags.push(
                Diagnostic::error(
                    "Invalid resource type",
                    format!(
                        "The provider does not support resource type {:?}.",
                        i.to.kind
                    ),
                )
                .with_span(i.to_span),
            );
            continue;
        };
        let Some(id) = known_id(cfg, inputs, &i.id) else {
            diags.push(
                Diagnostic::error(
                    "Invalid import id argument",
                    "To generate configuration, the import id must be a string known before planning (a literal or made of root variables).",
                )
                .with_span(i.id.span()),
            );
            continue;
        };
        let addr = i.to.instance(InstanceKey::None);
        match provider.import(&i.to.kind, &id) {
            Ok(Some(state)) => {
                parts.push(resource_text(&addr, &schema.body, &state, &id));
                addrs.push(addr);
            }
            Ok(None) => diags.push(
                Diagnostic::error(
                    "Cannot import non-existent remote object",
                    format!("While attempting to import an existing object to \"{addr}\", the provider detected that no object exists with the given id. Only pre-existing objects can be imported; check that the id is correct and that it is associated with the provider's configured region or endpoint, or use \"keyform apply\" to create a new remote object for this resource."),
                )
                .with_span(Some(i.span)),
            ),
            Err(e) => diags.push(
                Diagnostic::error("Error importing object", e.message).with_span(Some(i.span)),
            ),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    if parts.is_empty() {
        return Ok(Generated {
            text: String::new(),
            addrs,
        });
    }
    let text = format!(
        "# __generated__ by keyform\n# Please review these resources and move them into your main configuration files.\n\n{}",
        parts.join("\n")
    );
    Ok(Generated { text, addrs })
}
