//! Static checks of blocks against what they may contain: meta-arguments, schemas, labels.
//!
//! Only what needs no evaluation is checked here; value checks (ranges, types of computed
//! expressions) happen in `eval` once values are known.

use crate::addr::{Mode, ResourceAddr};
use crate::config::types::TypeConstraint;
use crate::config::{
    Block, Body, Check, Expr, IgnoreChanges, Lifecycle, Output, Resource, SchemaSource, Variable,
};
use crate::diag::{Diagnostic, Diagnostics, suggestion};
use crate::schema::BodySchema;

fn unsupported_arg(name: &str, context: &str, allowed: &[&str]) -> String {
    format!(
        "An argument named \"{name}\" is not expected {context}.{}",
        suggestion(name, allowed.iter().copied())
    )
}

/// Reports attributes and blocks of `body` that are not in the allowed lists.
pub(crate) fn only(
    body: &Body,
    attrs: &[&str],
    blocks: &[&str],
    context: &str,
    diags: &mut Diagnostics,
) {
    for a in &body.attrs {
        if attrs.contains(&a.name.as_str()) {
            continue;
        }
        let hint = if blocks.contains(&a.name.as_str()) {
            format!(" Write it as a block: {} {{ ... }}.", a.name)
        } else {
            suggestion(&a.name, attrs.iter().copied())
        };
        diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected {context}.{hint}",
                    a.name
                ),
            )
            .with_span(Some(a.name_span)),
        );
    }
    for b in &body.blocks {
        if blocks.contains(&b.ident.as_str()) {
            continue;
        }
        let hint = if attrs.contains(&b.ident.as_str()) {
            format!(" Write it as an argument: {} = ....", b.ident)
        } else {
            suggestion(&b.ident, blocks.iter().copied())
        };
        diags.push(
            Diagnostic::error(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{}\" are not expected {context}.{hint}",
                    b.ident
                ),
            )
            .with_span(Some(b.span)),
        );
    }
}

pub(super) fn terraform_block(b: &Block, diags: &mut Diagnostics) {
    // Terraform settings are accepted so a lab stays valid Terraform; keyform needs none of them.
    only(
        &b.body,
        &["required_version", "experiments"],
        &["required_providers", "backend", "cloud"],
        "in a terraform block",
        diags,
    );
}

pub(super) fn provider_block(b: &Block, diags: &mut Diagnostics) {
    only(
        &b.body,
        &[
            "region",
            "access_key",
            "secret_key",
            "profile",
            "shared_credentials_files",
            "shared_config_files",
            "skip_credentials_validation",
            "skip_metadata_api_check",
            "skip_requesting_account_id",
            "skip_region_validation",
            "s3_use_path_style",
            "allowed_account_ids",
            "token",
            "max_retries",
        ],
        &["default_tags", "endpoints", "assume_role"],
        "in the provider \"aws\" block",
        diags,
    );
}

fn literal_bool(e: &Expr, what: &str, diags: &mut Diagnostics) -> bool {
    match e.as_literal_bool() {
        Some(b) => b,
        None => {
            diags.push(
                Diagnostic::error(
                    "Invalid value",
                    format!(
                        "{what} must be a literal true or false; expressions are not allowed here."
                    ),
                )
                .with_span(e.span()),
            );
            false
        }
    }
}

fn literal_string(e: &Expr, what: &str, diags: &mut Diagnostics) -> Option<String> {
    let s = e.as_literal_str();
    if s.is_none() {
        diags.push(
            Diagnostic::error("Invalid value", format!("{what} must be a literal string."))
                .with_span(e.span()),
        );
    }
    s
}

/// The `condition` + `error_message` blocks named `block` of a body (validation,
/// precondition, postcondition; test files' assert).
pub(crate) fn checks(body: &Body, block: &str, diags: &mut Diagnostics) -> Vec<Check> {
    let mut out = Vec::new();
    for b in body.blocks_named(block) {
        only(
            &b.body,
            &["condition", "error_message"],
            &[],
            &format!("in a {block} block"),
            diags,
        );
        let (Some(c), Some(m)) = (b.body.attr("condition"), b.body.attr("error_message")) else {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!(
                        "{} {block} block needs both \"condition\" and \"error_message\".",
                        if block.starts_with(['a', 'e', 'i', 'o', 'u']) {
                            "An"
                        } else {
                            "A"
                        }
                    ),
                )
                .with_span(Some(b.span)),
            );
            continue;
        };
        out.push(Check {
            condition: c.value.clone(),
            error_message: m.value.clone(),
            span: b.span,
        });
    }
    out
}

pub(super) fn variable(b: &Block, diags: &mut Diagnostics) -> Option<Variable> {
    let name = b.labels[0].clone();
    if !is_identifier(&name) {
        diags.push(
            Diagnostic::error(
                "Invalid variable name",
                "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    if [
        "source",
        "version",
        "providers",
        "count",
        "for_each",
        "lifecycle",
        "depends_on",
        "locals",
    ]
    .contains(&name.as_str())
    {
        diags.push(
            Diagnostic::error(
                "Invalid variable name",
                format!("The variable name \"{name}\" is reserved due to its special meaning inside module blocks."),
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    only(
        &b.body,
        &[
            "type",
            "default",
            "description",
            "sensitive",
            "nullable",
            "ephemeral",
        ],
        &["validation"],
        "in a variable block",
        diags,
    );
    let ty = b
        .body
        .attr("type")
        .and_then(|a| match TypeConstraint::parse(&a.value.expr) {
            Ok(t) => Some(t),
            Err(m) => {
                diags.push(
                    Diagnostic::error("Invalid type specification", m).with_span(a.value.span()),
                );
                None
            }
        });
    Some(Variable {
        name,
        span: b.span,
        ty,
        default: b.body.attr("default").map(|a| a.value.clone()),
        description: b
            .body
            .attr("description")
            .and_then(|a| literal_string(&a.value, "description", diags)),
        sensitive: b
            .body
            .attr("sensitive")
            .is_some_and(|a| literal_bool(&a.value, "sensitive", diags)),
        nullable: b
            .body
            .attr("nullable")
            .is_none_or(|a| literal_bool(&a.value, "nullable", diags)),
        validations: checks(&b.body, "validation", diags),
    })
}

pub(super) fn output(b: &Block, diags: &mut Diagnostics) -> Option<Output> {
    only(
        &b.body,
        &[
            "value",
            "description",
            "sensitive",
            "depends_on",
            "ephemeral",
        ],
        &["precondition"],
        "in an output block",
        diags,
    );
    let Some(value) = b.body.attr("value") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"value\" is required, but no definition was found.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    Some(Output {
        name: b.labels[0].clone(),
        span: b.span,
        value: value.value.clone(),
        description: b
            .body
            .attr("description")
            .and_then(|a| literal_string(&a.value, "description", diags)),
        sensitive: b
            .body
            .attr("sensitive")
            .is_some_and(|a| literal_bool(&a.value, "sensitive", diags)),
        depends_on: b
            .body
            .attr("depends_on")
            .map(|a| list_items(&a.value))
            .unwrap_or_default(),
        preconditions: checks(&b.body, "precondition", diags),
    })
}

/// The elements of a list expression, each as its own `Expr`.
pub(super) fn list_items(e: &Expr) -> Vec<Expr> {
    match &e.expr {
        hcl_edit::expr::Expression::Array(a) => a
            .iter()
            .map(|x| Expr {
                file: e.file,
                expr: x.clone(),
            })
            .collect(),
        _ => vec![e.clone()],
    }
}

pub(super) fn resource(
    b: Block,
    mode: Mode,
    schemas: &dyn SchemaSource,
    diags: &mut Diagnostics,
) -> Option<Resource> {
    let (kind, name) = (b.labels[0].clone(), b.labels[1].clone());
    if !is_identifier(&name) {
        diags.push(
            Diagnostic::error(
                "Invalid resource name",
                "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    let what = if mode == Mode::Data {
        "data source"
    } else {
        "resource type"
    };
    let Some(schema) = schemas.resource_schema(mode, &kind) else {
        let detail = if schemas.is_known_unsupported(mode, &kind) {
            format!(
                "The {what} \"{kind}\" exists in the AWS provider but is not supported by keyform. Supported: {}.",
                schemas.resource_kinds(mode).join(", ")
            )
        } else {
            let kinds = schemas.resource_kinds(mode);
            format!(
                "The provider hashicorp/aws does not support {what} \"{kind}\".{}",
                suggestion(&kind, kinds.iter().copied())
            )
        };
        diags.push(
            Diagnostic::error(
                if mode == Mode::Data {
                    "Invalid data source"
                } else {
                    "Invalid resource type"
                },
                detail,
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let addr = ResourceAddr {
        module: Vec::new(),
        mode,
        kind: kind.clone(),
        name,
    };
    let mut body = b.body;
    let mut r = Resource {
        addr,
        span: b.span,
        body: Body {
            attrs: Vec::new(),
            blocks: Vec::new(),
            file: body.file,
            span: body.span,
        },
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        lifecycle: Lifecycle::default(),
    };
    for a in body.attrs.drain(..) {
        match a.name.as_str() {
            "count" => r.count = Some(a.value),
            "for_each" => r.for_each = Some(a.value),
            "depends_on" => r.depends_on = list_items(&a.value),
            "provider" => {}
            _ => r.body.attrs.push(a),
        }
    }
    if let (Some(_), Some(fe)) = (&r.count, &r.for_each) {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .with_span(fe.span()),
        );
    }
    for blk in body.blocks.drain(..) {
        match blk.ident.as_str() {
            "lifecycle" if mode == Mode::Managed => {
                r.lifecycle = lifecycle(&blk, &schema.body, diags);
            }
            "provisioner" | "connection" => diags.push(
                Diagnostic::error(
                    "Provisioners not supported by keyform",
                    "keyform simulates the cloud; there is no machine to run provisioners on. Remove this block.",
                )
                .with_span(Some(blk.span)),
            ),
            _ => r.body.blocks.push(blk),
        }
    }
    check_body(
        &r.body,
        &schema.body,
        &format!("in {what} \"{kind}\""),
        diags,
    );
    Some(r)
}

fn lifecycle(b: &Block, schema: &BodySchema, diags: &mut Diagnostics) -> Lifecycle {
    only(
        &b.body,
        &[
            "prevent_destroy",
            "create_before_destroy",
            "ignore_changes",
            "replace_triggered_by",
        ],
        &["precondition", "postcondition"],
        "in a lifecycle block",
        diags,
    );
    let mut l = Lifecycle::default();
    if let Some(a) = b.body.attr("prevent_destroy") {
        l.prevent_destroy = literal_bool(&a.value, "prevent_destroy", diags);
        l.prevent_destroy_span = Some(a.span);
    }
    if let Some(a) = b.body.attr("create_before_destroy") {
        l.create_before_destroy = literal_bool(&a.value, "create_before_destroy", diags);
    }
    if let Some(a) = b.body.attr("replace_triggered_by") {
        diags.push(
            Diagnostic::error(
                "replace_triggered_by not supported by keyform",
                "Use -replace=ADDRESS on the command line instead.",
            )
            .with_span(Some(a.name_span)),
        );
    }
    if let Some(a) = b.body.attr("ignore_changes") {
        l.ignore_changes = match &a.value.expr {
            hcl_edit::expr::Expression::Variable(v) if v.value().as_str() == "all" => {
                IgnoreChanges::All
            }
            hcl_edit::expr::Expression::Array(items) => {
                let mut names = Vec::new();
                for item in items.iter() {
                    let e = Expr {
                        file: a.value.file,
                        expr: item.clone(),
                    };
                    match e.as_traversal_text().or_else(|| e.as_literal_str()) {
                        Some(n) => {
                            // Only the first step names a schema attribute or block (the rest
                            // may index into a map, like tags["Owner"]).
                            let first = n.split(['.', '[']).next().unwrap_or_default();
                            let known = schema.attrs.iter().map(|a| a.name);
                            let known = known.chain(schema.blocks.iter().map(|b| b.name));
                            if schema.attr(first).is_none()
                                && !schema.blocks.iter().any(|b| b.name == first)
                            {
                                diags.push(
                                    Diagnostic::error(
                                        "Unsupported attribute",
                                        format!(
                                            "This object has no argument, nested block, or exported attribute named \"{first}\".{}",
                                            suggestion(first, known)
                                        ),
                                    )
                                    .with_span(e.span()),
                                );
                            }
                            names.push(n);
                        }
                        None => diags.push(
                            Diagnostic::error(
                                "Invalid ignore_changes entry",
                                "Each entry must be an attribute name, such as tags or description.",
                            )
                            .with_span(e.span()),
                        ),
                    }
                }
                IgnoreChanges::Attrs(names)
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid ignore_changes",
                        "ignore_changes must be a list of attribute names or the keyword all.",
                    )
                    .with_span(a.value.span()),
                );
                IgnoreChanges::None
            }
        };
    }
    l.preconditions = checks(&b.body, "precondition", diags);
    l.postconditions = checks(&b.body, "postcondition", diags);
    l
}

/// Checks a body against its schema: unknown, unsupported and missing arguments, block counts.
pub(crate) fn check_body(body: &Body, schema: &BodySchema, context: &str, diags: &mut Diagnostics) {
    for a in &body.attrs {
        match schema.attr(&a.name) {
            Some(s) if s.is_argument() => {}
            Some(_) => diags.push(
                Diagnostic::error(
                    "Value for unconfigurable attribute",
                    format!(
                        "Can't configure a value for \"{}\": its value will be decided automatically based on the result of applying this configuration.",
                        a.name
                    ),
                )
                .with_span(Some(a.name_span)),
            ),
            None if schema.unsupported.contains(&a.name.as_str()) => diags.push(
                Diagnostic::error(
                    "Argument not supported by keyform",
                    format!(
                        "The AWS provider accepts \"{}\" {context}, but keyform does not simulate it, so it would be silently ignored. Remove it.",
                        a.name
                    ),
                )
                .with_span(Some(a.name_span)),
            ),
            None => {
                let names: Vec<&str> = schema.argument_names().collect();
                diags.push(
                    Diagnostic::error("Unsupported argument", unsupported_arg(&a.name, context, &names))
                        .with_span(Some(a.name_span)),
                );
            }
        }
    }
    for s in schema.attrs.iter().filter(|s| s.required) {
        if body.attr(s.name).is_none() {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!(
                        "The argument \"{}\" is required, but no definition was found.",
                        s.name
                    ),
                )
                .with_span(Some(body.span)),
            );
        }
    }
    // An argument set to a literal null is unset, as in Terraform (generated configuration
    // writes every optional argument, `bucket_prefix = null` beside `bucket`).
    let set = |name: &str| {
        body.attr(name)
            .is_some_and(|a| !matches!(a.value.expr, hcl_edit::expr::Expression::Null(_)))
    };
    for s in &schema.attrs {
        if !set(s.name) {
            continue;
        }
        for other in s.conflicts_with {
            if s.name < *other && set(other) {
                diags.push(
                    Diagnostic::error(
                        "Conflicting configuration arguments",
                        format!(
                            "\"{}\": conflicts with {}. Set only one of them.",
                            s.name, other
                        ),
                    )
                    .with_span(body.attr(s.name).map(|a| a.name_span)),
                );
            }
        }
        for other in s.required_with {
            if body.attr(other).is_none() {
                diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        format!(
                            "\"{}\": all of `{}` must be specified.",
                            s.name,
                            [s.name, other].join(",")
                        ),
                    )
                    .with_span(body.attr(s.name).map(|a| a.name_span)),
                );
            }
        }
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut dynamic_seen: std::collections::BTreeSet<String> = Default::default();
    for b in &body.blocks {
        let (name, inner) = if b.ident == "dynamic" {
            let Some(label) = b.labels.first() else {
                diags.push(
                    Diagnostic::error(
                        "Missing label for dynamic",
                        "A dynamic block expects 1 label: the block type to generate.",
                    )
                    .with_span(Some(b.span)),
                );
                continue;
            };
            dynamic_seen.insert(label.clone());
            only(
                &b.body,
                &["for_each", "iterator", "labels"],
                &["content"],
                "in a dynamic block",
                diags,
            );
            if b.body.attr("for_each").is_none() {
                diags.push(
                    Diagnostic::error(
                        "Missing required argument",
                        "A dynamic block requires \"for_each\".",
                    )
                    .with_span(Some(b.span)),
                );
            }
            let Some(content) = b.body.blocks_named("content").next() else {
                diags.push(
                    Diagnostic::error(
                        "Missing content block",
                        "A dynamic block requires a nested content block.",
                    )
                    .with_span(Some(b.span)),
                );
                continue;
            };
            (label.as_str(), Some(&content.body))
        } else {
            (b.ident.as_str(), None)
        };
        let Some(bs) = schema.block(name) else {
            let detail = if schema.unsupported.contains(&name) {
                format!(
                    "The AWS provider accepts \"{name}\" blocks {context}, but keyform does not simulate them, so they would be silently ignored. Remove this block."
                )
            } else {
                format!(
                    "Blocks of type \"{name}\" are not expected {context}.{}",
                    suggestion(name, schema.blocks.iter().map(|b| b.name))
                )
            };
            let summary = if schema.unsupported.contains(&name) {
                "Block not supported by keyform"
            } else {
                "Unsupported block type"
            };
            diags.push(Diagnostic::error(summary, detail).with_span(Some(b.span)));
            continue;
        };
        if b.ident != "dynamic" {
            if !b.labels.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "Extraneous label",
                        format!("A {name} block takes no labels."),
                    )
                    .with_span(Some(b.span)),
                );
            }
            *counts.entry(bs.name).or_default() += 1;
        }
        check_body(
            inner.unwrap_or(&b.body),
            &bs.body,
            &format!("in a {name} block"),
            diags,
        );
    }
    for bs in &schema.blocks {
        if dynamic_seen.contains(bs.name) {
            continue; // counted after expansion
        }
        let n = counts.get(bs.name).copied().unwrap_or(0);
        if n < bs.min_items {
            diags.push(
                Diagnostic::error(
                    format!("Insufficient {} blocks", bs.name),
                    format!(
                        "At least {} \"{}\" block{} required {context}.",
                        bs.min_items,
                        bs.name,
                        if bs.min_items == 1 { " is" } else { "s are" }
                    ),
                )
                .with_span(Some(body.span)),
            );
        } else if n > bs.max_items {
            let extra = body
                .blocks
                .iter()
                .filter(|b| b.ident == bs.name)
                .nth(bs.max_items);
            diags.push(
                Diagnostic::error(
                    format!("Too many {} blocks", bs.name),
                    format!(
                        "No more than {} \"{}\" block{} allowed {context}.",
                        bs.max_items,
                        bs.name,
                        if bs.max_items == 1 { " is" } else { "s are" }
                    ),
                )
                .with_span(Some(extra.map_or(body.span, |b| b.span))),
            );
        }
    }
}

/// Terraform identifiers: letters, digits, `_` and `-`, not starting with a digit or dash.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}
