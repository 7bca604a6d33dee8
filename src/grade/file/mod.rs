//! Test files (`*.tftest.hcl`): parsing and strict static validation into [`TestFile`].
//!
//! The shape is `terraform test`'s (`variables`, `run` with `command`, `variables`,
//! `expect_failures` and `assert`) plus keyform's scenario `action` blocks and `points`.
//! Everything that can be checked without evaluating is checked here, with the position and a
//! "did you mean": unknown blocks and arguments, labels, commands, operations, callers, points,
//! `expect_failures` references and references to actions and runs that do not exist (yet).
//! Expressions stay unevaluated; `run` evaluates them.
//!
//! `action` checks action blocks and operation names, `refs` references to actions and runs.

mod action;
mod plan_options;
pub(crate) mod refs;

use action::action_block;
pub use action::call_names;
use refs::check_refs;

use std::collections::BTreeSet;
use std::path::Path;

use crate::addr::ResourceAddr;
use crate::config::{Attr, Block, Body, Check, Expr, only};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span, suggestion};

/// The pseudo-operation that moves the simulated clock (`params = { Duration = "8d" }`).
pub const CLOCK_ADVANCE: &str = "clock:Advance";

/// What a run does before its actions and asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Plan only: asserts see planned values, unknown where only apply can tell.
    Plan,
    /// Plan and apply (the default).
    Apply,
    /// Destroy everything the state holds (KMS keys are scheduled for deletion).
    Destroy,
    /// Nothing: actions and asserts run against the world as earlier runs left it.
    None,
}

impl Command {
    /// The word used in test files.
    pub fn as_str(self) -> &'static str {
        match self {
            Command::Plan => "plan",
            Command::Apply => "apply",
            Command::Destroy => "destroy",
            Command::None => "none",
        }
    }
}

/// What an `expect_failures` entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// `var.NAME`: a variable validation.
    Var(String),
    /// `output.NAME`: an output precondition.
    Output(String),
    /// `TYPE.NAME` or `data.TYPE.NAME`: a resource's precondition or postcondition.
    Resource(ResourceAddr),
    /// `check.NAME`: an assertion of a check block (a warning outside tests).
    Check(String),
}

/// One `expect_failures` entry as written.
#[derive(Debug, Clone)]
pub struct ExpectedFailure {
    pub target: Expected,
    /// The reference as written (`var.bucket_name`), for messages.
    pub text: String,
    pub span: Span,
}

/// Who an action calls as.
#[derive(Debug, Clone)]
pub enum Caller {
    /// The learner's own identity, lab-admin (the default).
    Admin,
    /// An IAM user of the world, by name (`as = "S3-Admin-User"`).
    User(Expr),
    /// No credentials (`anonymous = true`).
    Anonymous,
    /// Temporary credentials an earlier action obtained (`credentials =
    /// action.assume.Credentials`: `AccessKeyId`, `SecretAccessKey`, `SessionToken`).
    Credentials(Expr),
}

/// `action "NAME" { call = "service:Operation" ... }`.
#[derive(Debug, Clone)]
pub struct ActionBlock {
    pub name: String,
    pub span: Span,
    /// The canonical operation name, or [`CLOCK_ADVANCE`].
    pub call: &'static str,
    pub params: Option<Expr>,
    pub caller: Caller,
    /// The error code the call must fail with; None: it must succeed.
    pub expect_error: Option<String>,
}

/// `run "NAME" { ... }`.
#[derive(Debug, Clone)]
pub struct RunBlock {
    pub name: String,
    pub span: Span,
    pub command: Command,
    pub variables: Vec<Attr>,
    /// Weight in the score (default 1).
    pub points: u32,
    pub expect_failures: Vec<ExpectedFailure>,
    /// `module { source = "./setup" }`: the local module this run plans and applies instead
    /// of the configuration under test (with its own state, in the same world).
    pub module: Option<RunModule>,
    /// `plan_options { refresh, replace, target }` for the run's plan or apply.
    pub plan_options: crate::plan::PlanOptions,
    pub actions: Vec<ActionBlock>,
    pub asserts: Vec<Check>,
}

/// A run block's `module` block.
#[derive(Debug, Clone)]
pub struct RunModule {
    /// The local path as written (`./testing/setup`), relative to the configuration.
    pub source: String,
    pub span: Span,
}

/// One parsed and validated test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The name shown in reports (`tests/main.tftest.hcl`).
    pub name: String,
    /// File-level `variables { ... }`.
    pub variables: Vec<Attr>,
    pub runs: Vec<RunBlock>,
}

impl TestFile {
    /// The sum of the runs' points.
    pub fn total_points(&self) -> u64 {
        self.runs.iter().map(|r| u64::from(r.points)).sum()
    }
}

/// Largest `points` value accepted: scores stay far from overflow.
const MAX_POINTS: i64 = 1_000_000;

/// Reads, parses and validates one test file, adding it to `sources`.
pub fn load(sources: &mut SourceMap, path: &Path, name: String) -> Result<TestFile, Diagnostics> {
    let parsed = crate::parse::load_file(sources, path, name.clone()).map_err(Diagnostics::from)?;
    from_parsed(parsed, name)
}

/// Parses and validates test-file text already in memory.
pub fn parse_text(
    sources: &mut SourceMap,
    name: &str,
    text: &str,
) -> Result<TestFile, Diagnostics> {
    let parsed = crate::parse::parse_text(sources, Path::new(name), name.into(), text.into())
        .map_err(Diagnostics::from)?;
    from_parsed(parsed, name.to_string())
}

fn from_parsed(parsed: crate::parse::ParsedFile, name: String) -> Result<TestFile, Diagnostics> {
    let mut diags = Diagnostics::new();
    let top = Span::new(parsed.file, 0..0);
    let body = Body::from_hcl(parsed.file, parsed.body, top, &mut diags);
    let mut file = TestFile {
        name,
        variables: Vec::new(),
        runs: Vec::new(),
    };
    for a in &body.attrs {
        diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!(
                    "An argument named \"{}\" is not expected at the top level of a test file, which holds a variables block and run blocks.",
                    a.name
                ),
            )
            .with_span(Some(a.name_span)),
        );
    }
    let mut seen_vars = false;
    for b in &body.blocks {
        match b.ident.as_str() {
            "variables" => {
                if let Some(v) = variables_block(b, seen_vars, &mut diags) {
                    file.variables = v;
                }
                seen_vars = true;
            }
            "run" => {
                let earlier: Vec<&str> = file.runs.iter().map(|r| r.name.as_str()).collect();
                if let Some(r) = run_block(b, &earlier, &mut diags) {
                    file.runs.push(r);
                }
            }
            "provider" | "mock_provider" | "override_resource" | "override_data"
            | "override_module" | "test" => diags.push(
                Diagnostic::error(
                    format!("\"{}\" blocks are not supported by keyform test", b.ident),
                    "Every test file runs against its own simulated AWS account, with the configuration's own provider block. Remove this block.",
                )
                .with_span(Some(b.span)),
            ),
            other => diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!(
                        "Blocks of type \"{other}\" are not expected in a test file.{}",
                        suggestion(other, ["run", "variables"])
                    ),
                )
                .with_span(Some(b.span)),
            ),
        }
    }
    if file.runs.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(
                "No run blocks",
                "A test file needs at least one run block, like run \"provision\" { command = apply }.",
            )
            .with_span(Some(top)),
        );
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(file)
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks a block has exactly one label that is a valid name.
fn one_name(b: &Block, what: &str, diags: &mut Diagnostics) -> Option<String> {
    match b.labels.as_slice() {
        [name] if is_identifier(name) => Some(name.clone()),
        [name] => {
            diags.push(
                Diagnostic::error(
                    format!("Invalid {what} name"),
                    format!(
                        "\"{name}\" is not a valid {what} name: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes, so that {} can refer to it.",
                        if what == "run" { "run.NAME" } else { "action.NAME" }
                    ),
                )
                .with_span(Some(b.span)),
            );
            None
        }
        labels => {
            diags.push(
                Diagnostic::error(
                    format!(
                        "{} for {what}",
                        if labels.is_empty() { "Missing name" } else { "Extraneous label" }
                    ),
                    format!("A {what} block takes exactly one label, its name: {what} \"name\" {{ ... }}."),
                )
                .with_span(Some(b.span)),
            );
            None
        }
    }
}

fn variables_block(b: &Block, duplicate: bool, diags: &mut Diagnostics) -> Option<Vec<Attr>> {
    if duplicate {
        diags.push(
            Diagnostic::error(
                "Duplicate variables block",
                "Only one variables block is allowed here; merge them into one.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    if !b.labels.is_empty() {
        diags.push(
            Diagnostic::error(
                "Extraneous label for variables",
                "A variables block takes no labels: variables { name = value }.",
            )
            .with_span(Some(b.span)),
        );
    }
    for inner in &b.body.blocks {
        diags.push(
            Diagnostic::error(
                "Unexpected block in variables",
                "A variables block holds only name = value assignments.",
            )
            .with_span(Some(inner.span)),
        );
    }
    Some(b.body.attrs.clone())
}

fn run_block(b: &Block, earlier: &[&str], diags: &mut Diagnostics) -> Option<RunBlock> {
    let name = one_name(b, "run", diags)?;
    if earlier.contains(&name.as_str()) {
        diags.push(
            Diagnostic::error(
                "Duplicate run block",
                format!("A run block named \"{name}\" was already declared in this file; run names must be unique within a file."),
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    only(
        &b.body,
        &["command", "points", "expect_failures"],
        &["variables", "assert", "action", "plan_options", "module"],
        "in a run block",
        diags,
    );
    let command = b
        .body
        .attr("command")
        .map_or(Some(Command::Apply), |a| command(&a.value, diags));
    let points = b
        .body
        .attr("points")
        .map_or(Some(1), |a| points(&a.value, diags));
    let mut variables = None;
    for v in b.body.blocks_named("variables") {
        variables = variables_block(v, variables.is_some(), diags).or(variables);
    }
    let expect_failures = b
        .body
        .attr("expect_failures")
        .map(|a| expect_failures(&a.value, diags))
        .unwrap_or_default();
    let mut opts = crate::plan::PlanOptions::default();
    for p in b.body.blocks_named("plan_options") {
        opts = plan_options::plan_options(p, diags);
    }
    let mut module = None;
    for m in b.body.blocks_named("module") {
        module = run_module(m, diags);
    }
    let mut actions: Vec<ActionBlock> = Vec::new();
    let mut before: BTreeSet<String> = BTreeSet::new();
    for a in b.body.blocks_named("action") {
        if let Some(x) = action_block(a, &before, &name, diags) {
            before.insert(x.name.clone());
            actions.push(x);
        }
    }
    let asserts = asserts(&b.body, diags);
    // References to actions and runs must name something that exists by then.
    let action_names: Vec<&str> = actions.iter().map(|a| a.name.as_str()).collect();
    let mut exprs: Vec<(&Expr, &[&str])> = Vec::new();
    for v in variables.iter().flatten() {
        exprs.push((&v.value, &[]));
    }
    for (i, a) in actions.iter().enumerate() {
        for e in a.params.iter().chain(match &a.caller {
            Caller::User(e) | Caller::Credentials(e) => Some(e),
            _ => None,
        }) {
            exprs.push((e, &action_names[..i]));
        }
    }
    for c in &asserts {
        exprs.push((&c.condition, &action_names));
        exprs.push((&c.error_message, &action_names));
    }
    // Where each action is declared, so "declared before this point" is one lookup.
    let position: std::collections::HashMap<&str, usize> = action_names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i))
        .collect();
    for (e, visible) in exprs {
        check_refs(e, visible, &position, earlier, &name, diags);
    }
    Some(RunBlock {
        name,
        span: b.span,
        command: command?,
        variables: variables.unwrap_or_default(),
        points: points?,
        expect_failures,
        module,
        plan_options: opts,
        actions,
        asserts,
    })
}

/// `module { source = "./path" }`: local sources only, as keyform loads no registry modules.
fn run_module(b: &Block, diags: &mut Diagnostics) -> Option<RunModule> {
    only(
        &b.body,
        &["source", "version"],
        &[],
        "in a module block",
        diags,
    );
    if let Some(v) = b.body.attr("version") {
        diags.push(
            Diagnostic::error(
                "Invalid module source",
                "version applies to registry modules; keyform tests only local modules, so a run's module block takes just source = \"./PATH\".",
            )
            .with_span(Some(v.name_span)),
        );
    }
    let Some(a) = b.body.attr("source") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "A run's module block needs \"source\", the local path of the module to run, like source = \"./testing/setup\".",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    match a.value.as_literal_str() {
        Some(s) if s.starts_with("./") || s.starts_with("../") => Some(RunModule {
            source: s,
            span: a.value.span().unwrap_or(b.span),
        }),
        _ => {
            diags.push(
                Diagnostic::error(
                    "Invalid module source",
                    "A run's module source must be a local path starting with ./ or ../ (keyform downloads no modules: vendor the module into the lab directory).",
                )
                .with_span(a.value.span()),
            );
            None
        }
    }
}

fn command(e: &Expr, diags: &mut Diagnostics) -> Option<Command> {
    let word = e.as_traversal_text().or_else(|| e.as_literal_str());
    let c = match word.as_deref() {
        Some("plan") => Some(Command::Plan),
        Some("apply") => Some(Command::Apply),
        Some("destroy") => Some(Command::Destroy),
        Some("none") => Some(Command::None),
        _ => None,
    };
    if c.is_none() {
        let hint = word
            .as_deref()
            .map(|w| suggestion(w, ["plan", "apply", "destroy", "none"]))
            .unwrap_or_default();
        diags.push(
            Diagnostic::error(
                "Invalid command",
                format!(
                    "The command must be plan, apply, destroy or none{}.{hint}",
                    word.map(|w| format!(", not \"{w}\"")).unwrap_or_default()
                ),
            )
            .with_span(e.span()),
        );
    }
    c
}

fn points(e: &Expr, diags: &mut Diagnostics) -> Option<u32> {
    let n = crate::config::types::literal_value(&e.expr).and_then(|v| match v {
        crate::value::Value::Number(f) if f.fract() == 0.0 => Some(f as i64),
        _ => None,
    });
    match n {
        Some(n) if (0..=MAX_POINTS).contains(&n) => u32::try_from(n).ok(),
        _ => {
            diags.push(
                Diagnostic::error(
                    "Invalid points",
                    format!(
                        "points must be a whole number from 0 to {MAX_POINTS}, like points = 3."
                    ),
                )
                .with_span(e.span()),
            );
            None
        }
    }
}

fn expect_failures(e: &Expr, diags: &mut Diagnostics) -> Vec<ExpectedFailure> {
    let hcl_edit::expr::Expression::Array(items) = &e.expr else {
        diags.push(
            Diagnostic::error(
                "Invalid expect_failures",
                "expect_failures must be a list of references, like [var.bucket_name, aws_kms_key.lab, output.key_arn, check.rotation].",
            )
            .with_span(e.span()),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.iter() {
        let x = Expr {
            file: e.file,
            expr: item.clone(),
        };
        let span = x.span().or(e.span()).unwrap_or(Span::new(e.file, 0..0));
        let text = x.as_traversal_text();
        let parts: Vec<&str> = text
            .as_deref()
            .map_or(Vec::new(), |t| t.split('.').collect());
        let target = match parts.as_slice() {
            ["var", n] => Some(Expected::Var((*n).to_string())),
            ["output", n] => Some(Expected::Output((*n).to_string())),
            ["check", n] => Some(Expected::Check((*n).to_string())),
            ["data", k, n] => Some(Expected::Resource(ResourceAddr::data(*k, *n))),
            [k, n] if k.contains('_') && !n.contains('[') => {
                Some(Expected::Resource(ResourceAddr::managed(*k, *n)))
            }
            _ => None,
        };
        match (target, text) {
            (Some(target), Some(text)) => out.push(ExpectedFailure { target, text, span }),
            _ => diags.push(
                Diagnostic::error(
                    "Invalid expect_failures reference",
                    "Each entry must name a variable (var.NAME), an output (output.NAME), a resource (TYPE.NAME or data.TYPE.NAME) or a check block (check.NAME) whose validation, condition or assertion is expected to fail.",
                )
                .with_span(Some(span)),
            ),
        }
    }
    out
}

fn asserts(body: &Body, diags: &mut Diagnostics) -> Vec<Check> {
    for b in body.blocks_named("assert").filter(|b| !b.labels.is_empty()) {
        diags.push(
            Diagnostic::error(
                "Extraneous label for assert",
                "An assert block takes no labels: assert { condition = ... error_message = \"...\" }.",
            )
            .with_span(Some(b.span)),
        );
    }
    crate::config::checks(body, "assert", diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<TestFile, Diagnostics> {
        parse_text(&mut SourceMap::new(), "tests/t.tftest.hcl", text)
    }

    /// Every error as `line:col summary: detail`.
    fn errors(text: &str) -> Vec<String> {
        let mut sources = SourceMap::new();
        let d = parse_text(&mut sources, "tests/t.tftest.hcl", text).unwrap_err();
        d.iter()
            .map(|d| {
                let at = d
                    .span
                    .and_then(|s| sources.locate(s))
                    .map(|(f, l, c)| format!("{f}:{l}:{c}: "))
                    .unwrap_or_default();
                format!("{at}{}: {}", d.summary, d.detail)
            })
            .collect()
    }

    #[test]
    fn the_issue_example_parses() {
        let f = parse(
            r#"
variables { bucket_name = "aerosecure-sensitive" }

run "provision" {
  command = apply
  assert {
    condition     = aws_kms_key.lab.enable_key_rotation
    error_message = "rotation must be enabled on the lab key"
  }
}

run "key_rights_are_needed_to_read" {
  points = 3
  expect_failures = [var.bucket_name, aws_kms_key.lab, data.aws_iam_policy_document.p, output.key_arn, check.rotation]
  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "test.txt", Body = "kms encryption test file" }
  }
  action "admin_reads" {
    call         = "s3:GetObject"
    as           = "S3-Admin-User"
    params       = { Bucket = var.bucket_name, Key = "test.txt" }
    expect_error = "AccessDenied"
  }
  action "anon" {
    call      = "S3:GetObject"
    anonymous = true
    params    = { Bucket = var.bucket_name, Key = action.upload.ETag }
  }
  action "one_week_later" {
    call   = "clock:Advance"
    params = { Duration = "8d" }
  }
  assert {
    condition     = action.upload.ServerSideEncryption == "aws:kms" && run.provision.key_arn != ""
    error_message = "uploads must default to SSE-KMS with the lab key"
  }
}
"#,
        )
        .unwrap();
        assert_eq!(f.variables.len(), 1);
        assert_eq!(f.total_points(), 4);
        let [p, k] = f.runs.as_slice() else {
            panic!("two runs expected")
        };
        assert_eq!(
            (p.name.as_str(), p.command, p.points),
            ("provision", Command::Apply, 1)
        );
        assert_eq!(p.asserts.len(), 1);
        assert_eq!(k.command, Command::Apply);
        let targets: Vec<&Expected> = k.expect_failures.iter().map(|e| &e.target).collect();
        assert_eq!(
            targets,
            [
                &Expected::Var("bucket_name".into()),
                &Expected::Resource(ResourceAddr::managed("aws_kms_key", "lab")),
                &Expected::Resource(ResourceAddr::data("aws_iam_policy_document", "p")),
                &Expected::Output("key_arn".into()),
                &Expected::Check("rotation".into()),
            ]
        );
        let calls: Vec<&str> = k.actions.iter().map(|a| a.call).collect();
        assert_eq!(
            calls,
            [
                "s3:PutObject",
                "s3:GetObject",
                "s3:GetObject",
                "clock:Advance"
            ]
        );
        assert!(matches!(k.actions[0].caller, Caller::Admin));
        assert!(matches!(k.actions[1].caller, Caller::User(_)));
        assert!(matches!(k.actions[2].caller, Caller::Anonymous));
        assert_eq!(k.actions[1].expect_error.as_deref(), Some("AccessDenied"));
    }

    #[test]
    fn an_action_calls_with_an_earlier_actions_credentials_or_one_other_caller() {
        let f = parse(
            r#"
run "r" {
  action "assume" {
    call   = "sts:AssumeRole"
    as     = "app-host"
    params = { RoleArn = "arn:aws:iam::123456789012:role/app", RoleSessionName = "s" }
  }
  action "use" {
    call        = "kms:Encrypt"
    credentials = action.assume.Credentials
  }
}
"#,
        )
        .unwrap();
        assert!(matches!(
            f.runs[0].actions[1].caller,
            Caller::Credentials(_)
        ));
        let both = errors(
            "run \"r\" {\n  action \"a\" {\n    call = \"kms:ListKeys\"\n    as = \"u\"\n    credentials = {}\n  }\n}\n",
        );
        assert_eq!(both.len(), 1, "{both:?}");
        assert!(both[0].contains("Conflicting caller"), "{both:?}");
        let anon = errors(
            "run \"r\" {\n  action \"a\" {\n    call = \"kms:ListKeys\"\n    anonymous = true\n    credentials = {}\n  }\n}\n",
        );
        assert!(
            anon[0].contains("tests/t.tftest.hcl:5:5: Conflicting caller"),
            "{anon:?}"
        );
        // A credentials expression may only name actions declared before it.
        let later = errors(
            "run \"r\" {\n  action \"a\" {\n    call = \"kms:ListKeys\"\n    credentials = action.b.Credentials\n  }\n  action \"b\" {\n    call = \"kms:ListKeys\"\n  }\n}\n",
        );
        assert_eq!(later.len(), 1, "{later:?}");
    }

    #[test]
    fn unknown_blocks_and_arguments_are_errors_with_suggestions() {
        assert_eq!(
            errors(
                "runn \"a\" {}\nrun \"b\" {\n  comand = plan\n  asert {}\n  variables = {}\n}\n"
            ),
            [
                "tests/t.tftest.hcl:1:1: Unsupported block type: Blocks of type \"runn\" are not expected in a test file. Did you mean \"run\"?",
                "tests/t.tftest.hcl:3:3: Unsupported argument: An argument named \"comand\" is not expected in a run block. Did you mean \"command\"?",
                "tests/t.tftest.hcl:5:3: Unsupported argument: An argument named \"variables\" is not expected in a run block. Write it as a block: variables { ... }.",
                "tests/t.tftest.hcl:4:3: Unsupported block type: Blocks of type \"asert\" are not expected in a run block. Did you mean \"assert\"?",
            ]
        );
        assert_eq!(
            errors("provider \"aws\" {}\nfoo = 1\nrun \"a\" {}\n"),
            [
                "tests/t.tftest.hcl:2:1: Unsupported argument: An argument named \"foo\" is not expected at the top level of a test file, which holds a variables block and run blocks.",
                "tests/t.tftest.hcl:1:1: \"provider\" blocks are not supported by keyform test: Every test file runs against its own simulated AWS account, with the configuration's own provider block. Remove this block.",
            ]
        );
    }

    #[test]
    fn action_blocks_are_checked() {
        assert_eq!(
            errors(
                "run \"a\" {\n  action \"x\" {\n    call = \"kms:Encript\"\n    params = {}\n    expect = \"AccessDenied\"\n  }\n}\n"
            ),
            [
                "tests/t.tftest.hcl:5:5: Unsupported argument: An argument named \"expect\" is not expected in an action block. Did you mean \"expect_error\"?",
                "tests/t.tftest.hcl:3:12: Unknown operation: keyform does not simulate an operation named \"kms:Encript\"; operations are named service:Operation with AWS's names, like kms:Encrypt or s3:GetObject. Did you mean \"kms:Encrypt\"? Close names: kms:Encrypt, kms:Decrypt, kms:ReEncrypt.",
            ]
        );
        assert_eq!(
            errors("run \"a\" {\n  action \"x\" {\n    params = {}\n  }\n}\n"),
            [
                "tests/t.tftest.hcl:2:3: Missing required argument: An action block needs \"call\", the operation to call, like call = \"s3:GetObject\"."
            ]
        );
        assert_eq!(
            errors(
                "run \"a\" {\n  action \"x\" {\n    call = \"s3:ListBuckets\"\n    as = \"bob\"\n    anonymous = true\n  }\n}\n"
            ),
            [
                "tests/t.tftest.hcl:4:5: Conflicting caller: An action calls as one caller: an IAM user or role (as = \"NAME\"), no credentials (anonymous = true) or an earlier action's temporary credentials (credentials = action.NAME.Credentials)."
            ]
        );
        assert_eq!(
            errors(
                "run \"a\" {\n  action \"x\" {\n    call = \"clock:Advance\"\n    expect_error = \"X\"\n  }\n}\n"
            ),
            [
                "tests/t.tftest.hcl:2:3: Invalid clock action: clock:Advance moves the simulated clock; it takes only params = { Duration = \"8d\" } (no caller, no expect_error)."
            ]
        );
        assert_eq!(
            errors(
                "run \"a\" {\n  action \"x\" {\n    call = \"s3:ListBuckets\"\n  }\n  action \"x\" {\n    call = \"s3:ListBuckets\"\n  }\n}\n"
            ),
            [
                "tests/t.tftest.hcl:5:3: Duplicate action block: An action named \"x\" was already declared in run \"a\"; action names must be unique within a run."
            ]
        );
    }

    #[test]
    fn commands_points_and_expectations_are_checked() {
        assert_eq!(
            errors(
                "run \"a\" {\n  command = aply\n  points = -1\n  expect_failures = [aws_kms_key.k.arn, \"x\"]\n}\n"
            ),
            [
                "tests/t.tftest.hcl:2:13: Invalid command: The command must be plan, apply, destroy or none, not \"aply\". Did you mean \"apply\"?",
                "tests/t.tftest.hcl:3:12: Invalid points: points must be a whole number from 0 to 1000000, like points = 3.",
                "tests/t.tftest.hcl:4:22: Invalid expect_failures reference: Each entry must name a variable (var.NAME), an output (output.NAME), a resource (TYPE.NAME or data.TYPE.NAME) or a check block (check.NAME) whose validation, condition or assertion is expected to fail.",
                "tests/t.tftest.hcl:4:41: Invalid expect_failures reference: Each entry must name a variable (var.NAME), an output (output.NAME), a resource (TYPE.NAME or data.TYPE.NAME) or a check block (check.NAME) whose validation, condition or assertion is expected to fail.",
            ]
        );
        let f = parse("run \"a\" {\n  command = \"none\"\n  points = 0\n}\n").unwrap();
        assert_eq!((f.runs[0].command, f.runs[0].points), (Command::None, 0));
    }

    #[test]
    fn runs_need_unique_valid_names_and_a_file_needs_runs() {
        assert_eq!(
            errors("run \"a\" {}\nrun \"a\" {}\nrun \"b c\" {}\nrun {}\n"),
            [
                "tests/t.tftest.hcl:2:1: Duplicate run block: A run block named \"a\" was already declared in this file; run names must be unique within a file.",
                "tests/t.tftest.hcl:3:1: Invalid run name: \"b c\" is not a valid run name: a name starts with a letter or underscore and holds only letters, digits, underscores and dashes, so that run.NAME can refer to it.",
                "tests/t.tftest.hcl:4:1: Missing name for run: A run block takes exactly one label, its name: run \"name\" { ... }.",
            ]
        );
        assert_eq!(
            errors("variables {\n  a = 1\n}\n"),
            [
                "tests/t.tftest.hcl:1:1: No run blocks: A test file needs at least one run block, like run \"provision\" { command = apply }."
            ]
        );
    }

    #[test]
    fn references_to_later_actions_and_runs_are_errors() {
        assert_eq!(
            errors(
                r#"run "a" {
  action "enc" {
    call   = "kms:Encrypt"
    params = { CiphertextBlob = action.dec.CiphertextBlob }
  }
  action "dec" {
    call   = "kms:Decrypt"
    params = { CiphertextBlob = action.enc.CiphertextBlob }
  }
  assert {
    condition     = action.dce.Plaintext == "x" && run.later.out == 1
    error_message = "m"
  }
}
run "later" {}
"#
            ),
            [
                "tests/t.tftest.hcl:4:33: Reference to undeclared action: There is no action \"dec\" before this point in run \"a\".",
                "tests/t.tftest.hcl:11:21: Reference to undeclared action: There is no action \"dce\" before this point in run \"a\". Did you mean \"dec\"?",
                "tests/t.tftest.hcl:11:52: Reference to undeclared run: There is no run \"later\" before this run in this file.",
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_file() {
        assert_eq!(
            errors("run \"a\" {\n"),
            [
                "tests/t.tftest.hcl:1:10: Unclosed configuration block: There is no closing brace for this block before the end of the file. This may be caused by incorrect brace nesting elsewhere in this file."
            ]
        );
    }
}
