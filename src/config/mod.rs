//! Static configuration: the blocks of every `*.tf` file, unevaluated, each beside its span.
//!
//! `build` turns parsed files into a [`Config`] and checks what can be checked without evaluating:
//! block kinds, labels, duplicate addresses, meta-arguments and each resource body against its
//! schema (`validate`). Expressions stay unevaluated; `eval` owns their meaning.

mod body;
pub mod import;
pub mod inputs;
pub mod module;
pub mod refactor;
pub mod terraform;
pub mod types;
mod validate;

pub(crate) use validate::{checks, only};

pub use body::{Attr, Block, Body, Expr};
pub use module::{Module, ModuleCall};
pub use types::TypeConstraint;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::addr::{Mode, ModulePath, ModuleStep, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span, suggestion};
use crate::parse::ParsedFile;
// The lookup lives with the schemas (a base module); re-exported where config's users find it.
pub use crate::schema::SchemaSource;

/// The whole configuration of one directory.
#[derive(Debug, Clone)]
pub struct Config {
    pub dir: PathBuf,
    pub sources: SourceMap,
    pub provider: Option<Body>,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub resources: BTreeMap<ResourceAddr, Resource>,
    pub outputs: BTreeMap<String, Output>,
    /// Child modules by path (`module.k`, `module.k.module.inner`); their resources are in
    /// `resources` under module addresses.
    pub modules: BTreeMap<ModulePath, Module>,
    /// Module calls of the root module, by name (also in `modules`).
    pub module_calls: Vec<String>,
    /// `moved` blocks of every module, addresses from the root.
    pub moves: Vec<refactor::Moved>,
    /// `removed` blocks of every module, addresses from the root.
    pub removed: Vec<refactor::Removed>,
    /// `check` blocks of the root module, by name.
    pub checks: BTreeMap<String, CheckBlock>,
    /// `import` blocks (root module only, as in Terraform).
    pub imports: Vec<import::Import>,
}

/// `check "name" { assert { ... } }`: conditions reported as warnings, never errors.
#[derive(Debug, Clone)]
pub struct CheckBlock {
    pub name: String,
    pub span: Span,
    pub asserts: Vec<Check>,
}

/// `variable "name" { ... }`.
#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub span: Span,
    pub ty: Option<TypeConstraint>,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<Check>,
}

/// A `condition` + `error_message` pair (validation, precondition, postcondition, assert).
#[derive(Debug, Clone)]
pub struct Check {
    pub condition: Expr,
    pub error_message: Expr,
    pub span: Span,
}

/// One entry of a `locals` block.
#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub span: Span,
    pub value: Expr,
}

/// `output "name" { ... }`.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub span: Span,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<Check>,
}

/// `ignore_changes` of a lifecycle block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    Attrs(Vec<String>),
}

impl IgnoreChanges {
    pub fn ignores(&self, attr: &str) -> bool {
        match self {
            IgnoreChanges::None => false,
            IgnoreChanges::All => true,
            IgnoreChanges::Attrs(a) => a.iter().any(|x| x == attr),
        }
    }
}

/// `lifecycle { ... }`.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    pub prevent_destroy_span: Option<Span>,
    pub create_before_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub preconditions: Vec<Check>,
    pub postconditions: Vec<Check>,
}

/// A `resource` or `data` block.
#[derive(Debug, Clone)]
pub struct Resource {
    pub addr: ResourceAddr,
    /// The block header, where errors about the whole resource point.
    pub span: Span,
    /// Schema arguments and nested blocks (meta-arguments removed).
    pub body: Body,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Lifecycle,
}

impl Config {
    /// Builds the configuration from parsed files, collecting every static error.
    /// Terraform refuses an output that shows a sensitive attribute (an access key's secret)
    /// unless the output is itself `sensitive = true`.
    fn check_sensitive_outputs(&self, schemas: &dyn SchemaSource, diags: &mut Diagnostics) {
        for o in self.outputs.values().filter(|o| !o.sensitive) {
            for (addr, attr, span) in
                crate::eval::refs::resource_attributes(o.value.file, &o.value.expr)
            {
                let sensitive = schemas
                    .resource_schema(Mode::Managed, &addr.kind)
                    .and_then(|s| s.body.attr(&attr))
                    .is_some_and(|a| a.sensitive);
                if sensitive {
                    diags.push(
                        Diagnostic::error(
                            "Output refers to sensitive values",
                            format!(
                                "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, Terraform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true\n\n(output \"{}\" reads {addr}.{attr})",
                                o.name
                            ),
                        )
                        .with_span(Some(span)),
                    );
                    break;
                }
            }
        }
    }

    pub fn build(
        dir: &Path,
        mut sources: SourceMap,
        files: Vec<ParsedFile>,
        schemas: &dyn SchemaSource,
    ) -> Result<Config, Diagnostics> {
        Config::build_in(dir, &mut sources, files, schemas)
    }

    /// Builds the configuration, loading the files of local modules into `sources` (so that
    /// diagnostics about them can be shown whether or not the build succeeds).
    pub fn build_in(
        dir: &Path,
        sources: &mut SourceMap,
        files: Vec<ParsedFile>,
        schemas: &dyn SchemaSource,
    ) -> Result<Config, Diagnostics> {
        let mut diags = Diagnostics::new();
        let mut cfg = Config::empty(dir);
        cfg.sources = sources.clone();
        let mut calls = Vec::new();
        cfg.add_files(files, schemas, &mut diags, &mut calls);
        cfg.check_sensitive_outputs(schemas, &mut diags);
        cfg.module_calls = calls.iter().map(|c| c.name.clone()).collect();
        for c in calls {
            module::expand(&mut cfg, sources, &[], dir, c, schemas, &mut diags);
        }
        cfg.sources = sources.clone();
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(cfg)
        }
    }

    pub(crate) fn empty(dir: &Path) -> Config {
        Config {
            dir: dir.to_path_buf(),
            sources: SourceMap::new(),
            provider: None,
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
            modules: BTreeMap::new(),
            module_calls: Vec::new(),
            moves: Vec::new(),
            removed: Vec::new(),
            checks: BTreeMap::new(),
            imports: Vec::new(),
        }
    }

    /// Adds the blocks of `files`; module calls are collected into `calls` (expanded later).
    pub(crate) fn add_files(
        &mut self,
        files: Vec<ParsedFile>,
        schemas: &dyn SchemaSource,
        diags: &mut Diagnostics,
        calls: &mut Vec<ModuleCall>,
    ) {
        for f in files {
            let dummy = Span::new(f.file, 0..0);
            let body = Body::from_hcl(f.file, f.body, dummy, diags);
            for a in &body.attrs {
                diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!(
                            "An argument named \"{}\" is not expected at the top level of a configuration file. Put it inside a resource, variable, locals or output block.",
                            a.name
                        ),
                    )
                    .with_span(Some(a.name_span)),
                );
            }
            for b in body.blocks {
                if b.ident == "module" {
                    if !expect_labels(&b, &["name"], diags) {
                        continue;
                    }
                    if let Some(c) = module::call(&b, diags) {
                        if let Some(prev) = calls.iter().find(|p| p.name == c.name) {
                            diags.push(
                                Diagnostic::error(
                                    "Duplicate module call",
                                    format!(
                                        "A module call named \"{}\" was already defined at {}. Module calls must have unique names within a module.",
                                        c.name,
                                        self.range_text(prev.span)
                                    ),
                                )
                                .with_span(Some(b.span)),
                            );
                        } else {
                            calls.push(c);
                        }
                    }
                    continue;
                }
                self.add_block(b, schemas, diags);
            }
        }
    }

    /// The variables of module `path` (the root module's for an empty path).
    pub fn variables_of(&self, path: &[ModuleStep]) -> Option<&BTreeMap<String, Variable>> {
        if path.is_empty() {
            Some(&self.variables)
        } else {
            self.modules.get(path).map(|m| &m.variables)
        }
    }

    /// The locals of module `path`.
    pub fn locals_of(&self, path: &[ModuleStep]) -> Option<&BTreeMap<String, Local>> {
        if path.is_empty() {
            Some(&self.locals)
        } else {
            self.modules.get(path).map(|m| &m.locals)
        }
    }

    /// The outputs of module `path`.
    pub fn outputs_of(&self, path: &[ModuleStep]) -> Option<&BTreeMap<String, Output>> {
        if path.is_empty() {
            Some(&self.outputs)
        } else {
            self.modules.get(path).map(|m| &m.outputs)
        }
    }

    /// The directory of module `path`.
    pub fn dir_of(&self, path: &[ModuleStep]) -> &Path {
        self.modules.get(path).map_or(&self.dir, |m| &m.dir)
    }

    /// Names of the module calls made in module `path`.
    pub fn calls_in<'a>(&'a self, path: &'a [ModuleStep]) -> impl Iterator<Item = &'a str> + 'a {
        self.modules
            .iter()
            .filter(move |(p, _)| p.len() == path.len() + 1 && p.starts_with(path))
            .map(|(_, m)| m.call.name.as_str())
    }

    fn add_block(&mut self, b: Block, schemas: &dyn SchemaSource, diags: &mut Diagnostics) {
        const TOP: &[&str] = &[
            "terraform",
            "provider",
            "variable",
            "locals",
            "resource",
            "data",
            "output",
            "module",
        ];
        match b.ident.as_str() {
            "terraform" => {
                validate::terraform_block(&b, diags);
                terraform::check(&b, diags);
            }
            "provider" => {
                if !expect_labels(&b, &["name"], diags) {
                    return;
                }
                if b.labels[0] != "aws" {
                    diags.push(
                        Diagnostic::error(
                            "Unsupported provider",
                            format!(
                                "keyform simulates the \"aws\" provider only; provider \"{}\" is not available. Remove this block.",
                                b.labels[0]
                            ),
                        )
                        .with_span(Some(b.span)),
                    );
                    return;
                }
                if b.body.attr("alias").is_some() {
                    diags.push(
                        Diagnostic::error(
                            "Provider aliases not supported by keyform",
                            "keyform simulates one AWS account and region per lab; remove the alias and the second provider block.",
                        )
                        .with_span(Some(b.span)),
                    );
                    return;
                }
                validate::provider_block(&b, diags);
                if self.provider.is_some() {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate provider configuration",
                            "A provider \"aws\" block was already given. Keep only one.",
                        )
                        .with_span(Some(b.span)),
                    );
                }
                self.provider = Some(b.body);
            }
            "variable" => {
                if !expect_labels(&b, &["name"], diags) {
                    return;
                }
                if let Some(v) = validate::variable(&b, diags) {
                    if let Some(prev) = self.variables.get(&v.name) {
                        diags.push(
                            Diagnostic::error(
                                "Duplicate variable declaration",
                                format!(
                                    "A variable named \"{}\" was already declared at {}. Variable names must be unique within a module.",
                                    v.name,
                                    self.range_text(prev.span)
                                ),
                            )
                            .with_span(Some(b.span)),
                        );
                    } else {
                        self.variables.insert(v.name.clone(), v);
                    }
                }
            }
            "locals" => {
                if !expect_labels(&b, &[], diags) {
                    return;
                }
                for blk in &b.body.blocks {
                    diags.push(
                        Diagnostic::error(
                            "Unexpected block in locals",
                            "A locals block holds only name = value assignments.",
                        )
                        .with_span(Some(blk.span)),
                    );
                }
                for a in &b.body.attrs {
                    if let Some(prev) = self.locals.get(&a.name) {
                        diags.push(
                            Diagnostic::error(
                                "Duplicate local value definition",
                                format!(
                                    "A local value named \"{}\" was already defined at {}. Local value names must be unique within a module.",
                                    a.name,
                                    self.range_text(prev.span)
                                ),
                            )
                            .with_span(Some(a.name_span)),
                        );
                        continue;
                    }
                    self.locals.insert(
                        a.name.clone(),
                        Local {
                            name: a.name.clone(),
                            span: a.name_span,
                            value: a.value.clone(),
                        },
                    );
                }
            }
            "output" => {
                if !expect_labels(&b, &["name"], diags) {
                    return;
                }
                if let Some(o) = validate::output(&b, diags) {
                    if let Some(prev) = self.outputs.get(&o.name) {
                        diags.push(
                            Diagnostic::error(
                                "Duplicate output definition",
                                format!(
                                    "An output named \"{}\" was already defined at {}. Output names must be unique within a module.",
                                    o.name,
                                    self.range_text(prev.span)
                                ),
                            )
                            .with_span(Some(b.span)),
                        );
                    } else {
                        self.outputs.insert(o.name.clone(), o);
                    }
                }
            }
            "resource" | "data" => {
                if !expect_labels(&b, &["type", "name"], diags) {
                    return;
                }
                let mode = if b.ident == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                };
                if let Some(r) = validate::resource(b, mode, schemas, diags) {
                    if let Some(prev) = self.resources.get(&r.addr) {
                        let (block, what) = if mode == Mode::Data {
                            ("data", "data resource")
                        } else {
                            ("resource", "resource")
                        };
                        diags.push(
                            Diagnostic::error(
                                format!("Duplicate {block} \"{}\" configuration", r.addr.kind),
                                format!(
                                    "A {} {what} named \"{}\" was already declared at {}. Resource names must be unique per type in each module.",
                                    r.addr.kind,
                                    r.addr.name,
                                    self.range_text(prev.span)
                                ),
                            )
                            .with_span(Some(r.span)),
                        );
                    } else {
                        self.resources.insert(r.addr.clone(), r);
                    }
                }
            }
            "moved" => {
                if expect_labels(&b, &[], diags)
                    && let Some(m) = refactor::moved(&b, diags)
                {
                    self.moves.push(m);
                }
            }
            "removed" => {
                if expect_labels(&b, &[], diags)
                    && let Some(r) = refactor::removed(&b, diags)
                {
                    if let refactor::Endpoint::Resource(t) = &r.from
                        && self.resources.contains_key(&t.resource)
                    {
                        diags.push(
                            Diagnostic::error(
                                "Removed resource block still exists",
                                format!("This statement declares the removal of the resource {}, but that resource block still exists in the configuration. Please remove the resource block.", t.resource),
                            )
                            .with_span(Some(r.span)),
                        );
                    }
                    self.removed.push(r);
                }
            }
            "check" => {
                if !expect_labels(&b, &["name"], diags) {
                    return;
                }
                validate::only(&b.body, &[], &["assert", "data"], "in a check block", diags);
                // A check's scoped data source is read like any data source of the module.
                for d in b.body.blocks_named("data") {
                    if expect_labels(d, &["type", "name"], diags)
                        && let Some(r) = validate::resource(d.clone(), Mode::Data, schemas, diags)
                    {
                        self.resources.insert(r.addr.clone(), r);
                    }
                }
                let asserts = checks(&b.body, "assert", diags);
                if asserts.is_empty() {
                    diags.push(
                        Diagnostic::error(
                            "Missing required block",
                            "A check block needs at least one assert block.",
                        )
                        .with_span(Some(b.span)),
                    );
                }
                let name = b.labels[0].clone();
                if self.checks.contains_key(&name) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate check \"".to_string() + &name + "\" configuration",
                            "Check block names must be unique within a module.",
                        )
                        .with_span(Some(b.span)),
                    );
                }
                self.checks.insert(
                    name.clone(),
                    CheckBlock {
                        name,
                        span: b.span,
                        asserts,
                    },
                );
            }
            "import" => {
                if expect_labels(&b, &[], diags)
                    && let Some(i) = import::import(&b, diags)
                {
                    self.imports.push(i);
                }
            }
            other => diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!(
                        "Blocks of type \"{other}\" are not expected here.{}",
                        suggestion(other, TOP.iter().copied())
                    ),
                )
                .with_span(Some(b.span)),
            ),
        }
    }

    /// A span as Terraform writes ranges in messages: `main.tf:1,1-27` (end column exclusive),
    /// or `main.tf:1,1-3,2` when it spans lines.
    pub(crate) fn range_text(&self, span: Span) -> String {
        let Some(f) = self.sources.get(span.file) else {
            return String::from("an earlier block");
        };
        let (l1, c1) = f.line_col(span.start);
        let (l2, c2) = f.line_col(span.end.max(span.start));
        if l1 == l2 {
            format!("{}:{l1},{c1}-{c2}", f.display)
        } else {
            format!("{}:{l1},{c1}-{l2},{c2}", f.display)
        }
    }

    /// Resource blocks of one mode.
    pub fn resources_of(&self, mode: Mode) -> impl Iterator<Item = &Resource> {
        self.resources.values().filter(move |r| r.addr.mode == mode)
    }
}

fn expect_labels(b: &Block, names: &[&str], diags: &mut Diagnostics) -> bool {
    if b.labels.len() == names.len() {
        if b.labels.iter().all(|l| !l.is_empty()) {
            return true;
        }
        diags.push(
            Diagnostic::error(
                "Invalid block label",
                format!("Labels of a {} block must not be empty.", b.ident),
            )
            .with_span(Some(b.span)),
        );
        return false;
    }
    let detail = if names.is_empty() {
        format!("A {} block takes no labels. Remove them.", b.ident)
    } else {
        format!(
            "A {} block expects {} label{}: {}.",
            b.ident,
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        )
    };
    let summary = if b.labels.len() > names.len() {
        "Extraneous label"
    } else {
        "Missing label"
    };
    diags.push(
        Diagnostic::error(format!("{summary} for {}", b.ident), detail).with_span(Some(b.span)),
    );
    false
}
