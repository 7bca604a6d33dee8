//! `module` blocks with local sources: each call's directory is loaded and built like the root
//! module, its resources join the root configuration under the module's address
//! (`module.k.aws_kms_key.this`), and its variables, locals and outputs stay in a [`Module`]
//! scope of their own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::addr::{ModulePath, ModuleStep};
use crate::config::validate::{is_identifier, list_items};
use crate::config::{Attr, Block, Config, Expr, Local, Output, SchemaSource, Variable};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};

/// Deepest module nesting accepted: a module that calls itself (`source = "./"`) must end in an
/// error, not a stack overflow.
const MAX_DEPTH: usize = 16;

/// A `module "name" { source = "./dir" ... }` block.
#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub span: Span,
    pub source: String,
    /// Input variables: every argument that is not a meta-argument.
    pub inputs: Vec<Attr>,
    pub depends_on: Vec<Expr>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
}

/// A child module instance's scope.
#[derive(Debug, Clone)]
pub struct Module {
    pub call: ModuleCall,
    /// The module's directory (where its `file()` calls read from).
    pub dir: PathBuf,
    /// `path.module`: the directory relative to the root module, as Terraform gives it.
    pub path_text: String,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
}

/// Reads a module block's static parts, reporting what keyform cannot do with it.
pub(super) fn call(b: &Block, diags: &mut Diagnostics) -> Option<ModuleCall> {
    let name = b.labels[0].clone();
    if !is_identifier(&name) {
        diags.push(
            Diagnostic::error(
                "Invalid module instance name",
                "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    for blk in &b.body.blocks {
        diags.push(
            Diagnostic::error(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{}\" are not expected here. A module block takes only arguments.",
                    blk.ident
                ),
            )
            .with_span(Some(blk.span)),
        );
    }
    if let (Some(_), Some(f)) = (b.body.attr("count"), b.body.attr("for_each")) {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
            )
            .with_span(Some(f.name_span)),
        );
    }
    // Meta-arguments keyform does not implement yet are refused by name, never ignored.
    for meta in ["providers"] {
        if let Some(a) = b.body.attr(meta) {
            diags.push(
                Diagnostic::error(
                    format!("\"{meta}\" on module blocks not supported by keyform yet"),
                    format!(
                        "keyform expands each module call once. Remove \"{meta}\" and write one module block per instance."
                    ),
                )
                .with_span(Some(a.name_span)),
            );
        }
    }
    let Some(src) = b.body.attr("source") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"source\" is required, but no definition was found.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let Some(source) = src.value.as_literal_str() else {
        diags.push(
            Diagnostic::error(
                "Invalid module source address",
                "The module source address must be a literal string.",
            )
            .with_span(src.value.span()),
        );
        return None;
    };
    if !(source.starts_with("./") || source.starts_with("../")) {
        diags.push(
            Diagnostic::error(
                "Module source not available in keyform",
                format!(
                    "The module source \"{source}\" needs a download (registry, git or http), which keyform never does: labs run offline. Copy the module into the lab directory and write source = \"./modules/NAME\"."
                ),
            )
            .with_span(src.value.span()),
        );
        return None;
    }
    if let Some(v) = b.body.attr("version") {
        diags.push(
            Diagnostic::error(
                "Invalid argument",
                "Cannot apply a version constraint to module \"".to_string()
                    + &name
                    + "\" (at a local path): only modules from a registry have versions. Remove the version argument.",
            )
            .with_span(Some(v.name_span)),
        );
    }
    const META: &[&str] = &[
        "source",
        "version",
        "count",
        "for_each",
        "providers",
        "depends_on",
    ];
    Some(ModuleCall {
        name,
        span: b.span,
        source,
        inputs: b
            .body
            .attrs
            .iter()
            .filter(|a| !META.contains(&a.name.as_str()))
            .cloned()
            .collect(),
        depends_on: b
            .body
            .attr("depends_on")
            .map(|a| list_items(&a.value))
            .unwrap_or_default(),
        count: b.body.attr("count").map(|a| a.value.clone()),
        for_each: b.body.attr("for_each").map(|a| a.value.clone()),
    })
}

/// Loads and builds the module of `call` (a call made in module `parent`), merging its
/// resources and nested modules into `root`.
pub(super) fn expand(
    root: &mut Config,
    sources: &mut SourceMap,
    parent: &[ModuleStep],
    parent_dir: &Path,
    call: ModuleCall,
    schemas: &dyn SchemaSource,
    diags: &mut Diagnostics,
) {
    let mut path: ModulePath = parent.to_vec();
    path.push(ModuleStep {
        name: call.name.clone(),
        key: crate::addr::InstanceKey::None,
    });
    if path.len() > MAX_DEPTH {
        diags.push(
            Diagnostic::error(
                "Module nesting too deep",
                format!(
                    "Modules are nested more than {MAX_DEPTH} levels deep here; a module probably calls itself. Check the source of module \"{}\".",
                    call.name
                ),
            )
            .with_span(Some(call.span)),
        );
        return;
    }
    let dir = parent_dir.join(&call.source);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(
                "Unreadable module directory",
                format!(
                    "The directory {} does not exist or cannot be read. Check the module's source path (relative to the calling module's directory).",
                    call.source
                ),
            )
            .with_span(Some(call.span)),
        );
        return;
    }
    let files = match crate::parse::list_files(&dir, ".tf") {
        Ok(f) => f,
        Err(d) => {
            diags.push(d.with_span(Some(call.span)));
            return;
        }
    };
    let mut parsed = Vec::new();
    for f in files {
        let display = crate::parse::display_name(&root.dir, &f);
        match crate::parse::load_file(sources, &f, display) {
            Ok(p) => parsed.push(p),
            Err(d) => diags.push(d),
        }
    }
    let mut child = Config::empty(&dir);
    child.sources = sources.clone();
    let mut calls = Vec::new();
    child.add_files(parsed, schemas, diags, &mut calls);
    for a in &call.inputs {
        if !child.variables.contains_key(&a.name) {
            diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!(
                        "An argument named \"{}\" is not expected here.{}",
                        a.name,
                        crate::diag::suggestion(
                            &a.name,
                            child.variables.keys().map(String::as_str)
                        )
                    ),
                )
                .with_span(Some(a.name_span)),
            );
        }
    }
    for v in child.variables.values() {
        if v.default.is_none() && !call.inputs.iter().any(|a| a.name == v.name) {
            diags.push(
                Diagnostic::error(
                    "Missing required argument",
                    format!(
                        "The argument \"{}\" is required, but no definition was found.",
                        v.name
                    ),
                )
                .with_span(Some(call.span)),
            );
        }
    }
    if child.provider.is_some() {
        diags.push(
            Diagnostic::warning(
                "Provider configuration in a module",
                "A module should receive its provider configuration from its caller; keyform uses the root module's provider \"aws\" block for every module.",
            )
            .with_span(Some(call.span)),
        );
    }
    for (addr, mut r) in std::mem::take(&mut child.resources) {
        let qualified = addr.in_module(&path);
        r.addr = qualified.clone();
        root.resources.insert(qualified, r);
    }
    for mut m in std::mem::take(&mut child.moves) {
        m.from = m.from.in_module(&path);
        m.to = m.to.in_module(&path);
        root.moves.push(m);
    }
    for i in &child.imports {
        diags.push(
            Diagnostic::error(
                "Invalid import configuration",
                format!(
                    "An import block was detected in \"{}\". Import blocks are only allowed in the root module.",
                    crate::addr::module_text(&path)
                ),
            )
            .with_span(Some(i.span)),
        );
    }
    for mut r in std::mem::take(&mut child.removed) {
        r.from = r.from.in_module(&path);
        root.removed.push(r);
    }
    let path_text = crate::parse::display_name(&root.dir, &dir)
        .trim_start_matches("./")
        .to_string();
    root.modules.insert(
        path.clone(),
        Module {
            call,
            dir: dir.clone(),
            path_text: normalize(&path_text),
            variables: child.variables,
            locals: child.locals,
            outputs: child.outputs,
        },
    );
    for c in calls {
        if root.modules.contains_key(&{
            let mut p = path.clone();
            p.push(ModuleStep {
                name: c.name.clone(),
                key: crate::addr::InstanceKey::None,
            });
            p
        }) {
            continue;
        }
        expand(root, sources, &path, &dir, c, schemas, diags);
    }
}

/// `modules/k/../k` -> `modules/k` (Terraform cleans the path it gives as `path.module`).
fn normalize(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            x => out.push(x),
        }
    }
    if out.is_empty() {
        ".".into()
    } else {
        out.join("/")
    }
}
