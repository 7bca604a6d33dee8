//! Input variables from outside the configuration: `TF_VAR_` environment variables,
//! `terraform.tfvars`, `*.auto.tfvars`, then `-var-file` and `-var` in the order they were given
//! on the command line, later sources winning (Terraform's precedence). Both `plan`/`apply`
//! (through `engine`) and `keyform test` (`grade`) collect them here.
//!
//! Owns: reading and checking the sources, and what happens to a value for a variable the root
//! module does not declare ([`Undeclared`]). Does not own: converting the values to the
//! variables' types or validating them (the plan walk does), nor the command line itself (the
//! CLI gives the `-var`/`-var-file` occurrences in order, as [`VarArg`]s, from the arguments it
//! was run with).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{Body, Variable};
use crate::diag::{DiagCode, Diagnostic, Diagnostics, SourceMap, Span, suggestion};
use crate::plan::RawVar;

/// One `-var` or `-var-file` occurrence on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarArg {
    /// `-var NAME=VALUE`, as typed.
    Var(String),
    /// `-var-file FILE`, as typed (relative to the working directory unless absolute).
    File(PathBuf),
}

/// What a value for a variable the root module does not declare does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undeclared {
    /// `plan`, `apply`, `validate` (Terraform's rule): a `-var` for it is an error, a value in a
    /// variables file a warning (the value is dropped either way); `TF_VAR_` is ignored.
    Reject,
    /// `terraform test`: values are kept without a word, because test files may refer to them
    /// through `var.NAME`; `TF_VAR_` still only sets declared variables.
    Keep,
}

/// Where the values come from.
pub struct Request<'a> {
    /// The working directory: `terraform.tfvars` and `*.auto.tfvars` are read from it, and
    /// relative `-var-file` paths are taken relative to it.
    pub dir: &'a Path,
    /// The root module's variables, or None when the configuration could not be loaded (then
    /// nothing is checked and `TF_VAR_` is not read).
    pub declared: Option<&'a BTreeMap<String, Variable>>,
    /// `-var` and `-var-file`, in command-line order.
    pub args: &'a [VarArg],
    /// The process environment (`TF_VAR_NAME` entries are used).
    pub env: Vec<(String, String)>,
    pub undeclared: Undeclared,
}

impl<'a> Request<'a> {
    /// A request reading the process environment.
    pub fn new(
        dir: &'a Path,
        declared: Option<&'a BTreeMap<String, Variable>>,
        args: &'a [VarArg],
        undeclared: Undeclared,
    ) -> Request<'a> {
        Request {
            dir,
            declared,
            args,
            env: std::env::vars().collect(),
            undeclared,
        }
    }
}

/// The collected values and what was wrong, by who is to blame.
#[derive(Debug, Default)]
pub struct Inputs {
    pub values: BTreeMap<String, RawVar>,
    /// Problems in the working directory's own files (`terraform.tfvars`, `*.auto.tfvars`):
    /// they belong to the configuration.
    pub from_dir: Diagnostics,
    /// Problems with `-var` and `-var-file`: they belong to the command line.
    pub from_args: Diagnostics,
}

impl Inputs {
    /// Every diagnostic, the directory's first (the order they were found in).
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.from_dir.iter().chain(self.from_args.iter())
    }
}

/// Collects input variables in Terraform's precedence; files are added to `sources` so
/// diagnostics can point into them.
pub fn collect(req: &Request<'_>, sources: &mut SourceMap) -> Inputs {
    let mut out = Inputs::default();
    if let Some(declared) = req.declared {
        for (k, v) in &req.env {
            if let Some(name) = k.strip_prefix("TF_VAR_")
                && declared.contains_key(name)
            {
                out.values.insert(name.to_string(), RawVar::Text(v.clone()));
            }
        }
    }
    let mut own = Vec::new();
    let default = req.dir.join("terraform.tfvars");
    if default.is_file() {
        own.push(default);
    }
    if let Ok(auto) = crate::parse::list_files(req.dir, ".auto.tfvars") {
        own.extend(auto);
    }
    for f in &own {
        let mut diags = std::mem::take(&mut out.from_dir);
        var_file(req, f, sources, &mut out.values, &mut diags);
        out.from_dir = diags;
    }
    let mut diags = Diagnostics::new();
    for arg in req.args {
        match arg {
            VarArg::Var(v) => var_option(req, v, &mut out.values, &mut diags),
            VarArg::File(f) => {
                let path = if f.is_absolute() {
                    f.clone()
                } else {
                    req.dir.join(f)
                };
                if !path.is_file() {
                    diags.push(
                        Diagnostic::error(
                            "Failed to read variables file",
                            format!("Given variables file {} does not exist.", f.display()),
                        )
                        .with_subject(format!("-var-file={}", f.display()))
                        .with_code(DiagCode::InvalidVarFile),
                    );
                    continue;
                }
                var_file(req, &path, sources, &mut out.values, &mut diags);
            }
        }
    }
    out.from_args = diags;
    out
}

/// One `-var NAME=VALUE`.
fn var_option(
    req: &Request<'_>,
    v: &str,
    values: &mut BTreeMap<String, RawVar>,
    diags: &mut Diagnostics,
) {
    let Some((name, value)) = v.split_once('=').filter(|(name, _)| !name.is_empty()) else {
        diags.push(
            Diagnostic::error(
                "Invalid -var option",
                format!("The given -var option {v:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
            )
            .with_code(DiagCode::InvalidVarOption),
        );
        return;
    };
    if req.undeclared == Undeclared::Reject
        && let Some(declared) = req.declared
        && !declared.contains_key(name)
    {
        diags.push(
            Diagnostic::error(
                "Value for undeclared variable",
                format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration.{}", suggestion(name, declared.keys().map(String::as_str))),
            )
            .with_code(DiagCode::UndeclaredVariable),
        );
        return;
    }
    values.insert(name.to_string(), RawVar::Text(value.to_string()));
}

/// One variables file: literal `name = value` assignments only.
fn var_file(
    req: &Request<'_>,
    path: &Path,
    sources: &mut SourceMap,
    values: &mut BTreeMap<String, RawVar>,
    diags: &mut Diagnostics,
) {
    let display = crate::parse::display_name(req.dir, path);
    let parsed = match crate::parse::load_file(sources, path, display.clone()) {
        Ok(p) => p,
        Err(d) => {
            diags.push(d);
            return;
        }
    };
    let dummy = Span::new(parsed.file, 0..0);
    let body = Body::from_hcl(parsed.file, parsed.body, dummy, diags);
    for b in &body.blocks {
        diags.push(
            Diagnostic::error(
                "Unexpected block in variables file",
                "A variables file holds only name = value assignments.",
            )
            .with_span(Some(b.span))
            .with_code(DiagCode::InvalidVarFile),
        );
    }
    for a in &body.attrs {
        if req.undeclared == Undeclared::Reject
            && let Some(declared) = req.declared
            && !declared.contains_key(&a.name)
        {
            let msg = format!(
                "The root module does not declare a variable named \"{}\" but a value was found in file \"{display}\". To use this value, add a \"variable\" block to the configuration.",
                a.name
            );
            diags.push(
                Diagnostic::warning("Value for undeclared variable", msg)
                    .with_span(Some(a.name_span))
                    .with_code(DiagCode::UndeclaredVariable),
            );
            continue;
        }
        match crate::config::types::literal_value(&a.value.expr) {
            Some(v) => {
                values.insert(a.name.clone(), RawVar::Value(v));
            }
            None => diags.push(
                Diagnostic::error(
                    "Variables not allowed",
                    "Variables files may contain only literal values; references and function calls are not allowed here.",
                )
                .with_span(a.value.span())
                .with_code(DiagCode::InvalidVarFile),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    /// A configuration declaring `a`, `b` and `c`, with the given extra files.
    fn dir(files: &[(&str, &str)]) -> (tempfile::TempDir, BTreeMap<String, Variable>) {
        let d = tempfile::tempdir().unwrap();
        let tf = "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\n";
        std::fs::write(d.path().join("main.tf"), tf).unwrap();
        for (name, text) in files {
            std::fs::write(d.path().join(name), text).unwrap();
        }
        let mut sources = SourceMap::new();
        let parsed = crate::parse::load_dir(d.path(), &mut sources).unwrap();
        let cfg = crate::config::Config::build(
            d.path(),
            sources,
            parsed,
            crate::provider::aws::AwsSchemas::get(),
        )
        .unwrap();
        (d, cfg.variables)
    }

    fn run(
        d: &Path,
        declared: &BTreeMap<String, Variable>,
        args: &[VarArg],
        env: &[(&str, &str)],
        undeclared: Undeclared,
    ) -> Inputs {
        let req = Request {
            dir: d,
            declared: Some(declared),
            args,
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
            undeclared,
        };
        collect(&req, &mut SourceMap::new())
    }

    fn text(s: &str) -> RawVar {
        RawVar::Text(s.into())
    }

    fn value(s: &str) -> RawVar {
        RawVar::Value(Value::String(s.into()))
    }

    #[test]
    fn later_sources_win_and_the_command_line_keeps_its_order() {
        let (d, declared) = dir(&[
            ("terraform.tfvars", "a = \"tfvars\"\nb = \"tfvars\"\n"),
            ("x.auto.tfvars", "b = \"auto\"\n"),
            ("one.tfvars", "c = \"one\"\n"),
        ]);
        let env = [
            ("TF_VAR_a", "env"),
            ("TF_VAR_c", "env"),
            ("TF_VAR_zz", "env"),
        ];
        for undeclared in [Undeclared::Reject, Undeclared::Keep] {
            // -var then -var-file: the file wins.
            let args = [
                VarArg::Var("c=cli".into()),
                VarArg::File("one.tfvars".into()),
            ];
            let got = run(d.path(), &declared, &args, &env, undeclared);
            assert!(got.diagnostics().next().is_none());
            assert_eq!(got.values["a"], value("tfvars"));
            assert_eq!(got.values["b"], value("auto"));
            assert_eq!(got.values["c"], value("one"));
            assert!(
                !got.values.contains_key("zz"),
                "TF_VAR_ sets only declared variables"
            );
            // -var-file then -var: the option wins.
            let args = [
                VarArg::File("one.tfvars".into()),
                VarArg::Var("c=cli".into()),
            ];
            let got = run(d.path(), &declared, &args, &env, undeclared);
            assert_eq!(got.values["c"], text("cli"));
            // Without either, the environment is the lowest source.
            let got = run(d.path(), &declared, &[], &env, undeclared);
            assert_eq!(got.values["c"], text("env"));
        }
    }

    #[test]
    fn undeclared_values_are_an_error_on_the_command_line_and_a_warning_in_files() {
        let (d, declared) = dir(&[
            ("terraform.tfvars", "nope = 1\n"),
            ("f.tfvars", "zap = 2\n"),
        ]);
        let args = [VarArg::Var("bb=1".into()), VarArg::File("f.tfvars".into())];
        let got = run(d.path(), &declared, &args, &[], Undeclared::Reject);
        let own: Vec<_> = got.from_dir.iter().collect();
        assert_eq!(own.len(), 1);
        assert!(!own[0].is_error());
        assert_eq!(own[0].code, DiagCode::UndeclaredVariable);
        let cli: Vec<_> = got.from_args.iter().collect();
        assert_eq!(cli.len(), 2);
        assert!(cli[0].is_error());
        assert_eq!(cli[0].code, DiagCode::UndeclaredVariable);
        assert!(
            cli[0].detail.ends_with("Did you mean \"b\"?"),
            "{}",
            cli[0].detail
        );
        assert!(!cli[1].is_error());
        assert_eq!(cli[1].code, DiagCode::UndeclaredVariable);
        assert!(got.values.is_empty());
        // `keyform test` keeps them for the test files' var.NAME.
        let got = run(d.path(), &declared, &args, &[], Undeclared::Keep);
        assert!(got.diagnostics().next().is_none());
        assert_eq!(got.values["bb"], text("1"));
        assert_eq!(got.values["zap"], RawVar::Value(Value::Number(2.0)));
    }

    #[test]
    fn bad_options_and_files_are_errors_of_the_command_line() {
        let (d, declared) = dir(&[("terraform.tfvars", "a = var.b\n")]);
        let args = [
            VarArg::Var("a".into()),
            VarArg::Var("=x".into()),
            VarArg::File("missing.tfvars".into()),
        ];
        for undeclared in [Undeclared::Reject, Undeclared::Keep] {
            let got = run(d.path(), &declared, &args, &[], undeclared);
            let own: Vec<DiagCode> = got.from_dir.iter().map(|d| d.code).collect();
            assert_eq!(own, [DiagCode::InvalidVarFile]);
            let cli: Vec<DiagCode> = got.from_args.iter().map(|d| d.code).collect();
            assert_eq!(
                cli,
                [
                    DiagCode::InvalidVarOption,
                    DiagCode::InvalidVarOption,
                    DiagCode::InvalidVarFile
                ]
            );
        }
    }
}
