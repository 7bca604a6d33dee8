//! One function per command: load what it needs, call the stages, render the result.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::addr::{InstanceAddr, Mode, TargetAddr};
use crate::apply::{self, ApplyOutcome};
use crate::cli::args::{
    ApplyArgs, DestroyArgs, FmtArgs, ForceUnlockArgs, GraphArgs, InitArgs, OutputArgs, PlanArgs,
    PlanFlags, ShowArgs, StateCommand, ValidateArgs,
};
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::config::{Config, SchemaSource};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::graph::{self, Graph};
use crate::parse;
use crate::plan::{self, Plan, PlanMode, PlanOptions, RawVar};
use crate::provider::aws::{AwsProvider, AwsSchemas};
use crate::sim::Cloud;
use crate::state::State;
use crate::workspace::Workspace;

type CmdResult = Result<u8, Failure>;

/// A loaded configuration with its graph and input variables.
struct Loaded {
    cfg: Config,
    graph: Graph,
    inputs: BTreeMap<String, RawVar>,
    warnings: Diagnostics,
}

fn schemas() -> &'static AwsSchemas {
    AwsSchemas::get()
}

fn schema_lookup(mode: Mode, kind: &str) -> Option<&'static crate::schema::ResourceSchema> {
    schemas().resource_schema(mode, kind)
}

/// Paths given to subcommands are relative to -chdir.
pub(crate) fn rel(ctx: &Ctx, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ctx.dir.join(p)
    }
}

fn load_config(ctx: &Ctx) -> Result<(Config, Graph, SourceMap), Failure> {
    let mut sources = SourceMap::new();
    let files = match parse::load_dir(&ctx.dir, &mut sources) {
        Ok(f) => f,
        Err(d) => return Err(Failure::new(d, Some(sources))),
    };
    if files.is_empty() {
        return Err(Failure::msg(
            "No configuration files",
            format!(
                "There are no .tf files in {}. Change to a directory holding a lab's configuration (or use -chdir=DIR).",
                ctx.dir.display()
            ),
        ));
    }
    let cfg = Config::build(&ctx.dir, sources.clone(), files, schemas())
        .map_err(|d| Failure::new(d, Some(sources.clone())))?;
    let graph = graph::build(&cfg).map_err(|d| Failure::new(d, Some(cfg.sources.clone())))?;
    Ok((cfg, graph, sources))
}

/// Loads configuration and collects input variables the way Terraform does (later wins):
/// TF_VAR_ environment, terraform.tfvars, *.auto.tfvars, then -var-file/-var in order.
fn load(ctx: &Ctx, flags: &PlanFlags) -> Result<Loaded, Failure> {
    let (mut cfg, graph, _) = load_config(ctx)?;
    let mut inputs = BTreeMap::new();
    let mut warnings = Diagnostics::new();
    let mut errors = Diagnostics::new();
    for (k, v) in std::env::vars() {
        if let Some(name) = k.strip_prefix("TF_VAR_")
            && cfg.variables.contains_key(name)
        {
            inputs.insert(name.to_string(), RawVar::Text(v));
        }
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let default = ctx.dir.join("terraform.tfvars");
    if default.is_file() {
        files.push(default);
    }
    if let Ok(auto) = parse::list_files(&ctx.dir, ".auto.tfvars") {
        files.extend(auto);
    }
    for f in &files {
        load_var_file(
            &mut cfg,
            f,
            &ctx.dir,
            &mut inputs,
            &mut warnings,
            &mut errors,
        );
    }
    // -var and -var-file keep their command-line order relative to each other.
    let mut ordered: Vec<(usize, Either)> = Vec::new();
    let argv: Vec<String> = std::env::args().collect();
    let mut vi = 0;
    let mut fi = 0;
    for a in &argv {
        if (a == "--var" || a.starts_with("--var=") || a == "-var" || a.starts_with("-var="))
            && vi < flags.vars.len()
        {
            ordered.push((ordered.len(), Either::Var(flags.vars[vi].clone())));
            vi += 1;
        } else if (a.starts_with("--var-file") || a.starts_with("-var-file"))
            && fi < flags.var_files.len()
        {
            ordered.push((ordered.len(), Either::File(flags.var_files[fi].clone())));
            fi += 1;
        }
    }
    for v in &flags.vars[vi..] {
        ordered.push((ordered.len(), Either::Var(v.clone())));
    }
    for f in &flags.var_files[fi..] {
        ordered.push((ordered.len(), Either::File(f.clone())));
    }
    for (_, item) in ordered {
        match item {
            Either::Var(v) => {
                let Some((name, value)) = v.split_once('=') else {
                    errors.push(Diagnostic::error("Invalid -var option", format!("The given -var option {v:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\".")));
                    continue;
                };
                if !cfg.variables.contains_key(name) {
                    errors.push(Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration.{}", crate::diag::suggestion(name, cfg.variables.keys().map(String::as_str))),
                    ));
                    continue;
                }
                inputs.insert(name.to_string(), RawVar::Text(value.to_string()));
            }
            Either::File(f) => {
                let path = rel(ctx, &f);
                if !path.is_file() {
                    errors.push(
                        Diagnostic::error(
                            "Failed to read variables file",
                            format!("Given variables file {} does not exist.", f.display()),
                        )
                        .with_subject(format!("-var-file={}", f.display())),
                    );
                    continue;
                }
                load_var_file(
                    &mut cfg,
                    &path,
                    &ctx.dir,
                    &mut inputs,
                    &mut warnings,
                    &mut errors,
                );
            }
        }
    }
    if errors.has_errors() {
        return Err(Failure::new(errors, Some(cfg.sources.clone())));
    }
    Ok(Loaded {
        cfg,
        graph,
        inputs,
        warnings,
    })
}

enum Either {
    Var(String),
    File(PathBuf),
}

fn load_var_file(
    cfg: &mut Config,
    path: &Path,
    dir: &Path,
    inputs: &mut BTreeMap<String, RawVar>,
    warnings: &mut Diagnostics,
    errors: &mut Diagnostics,
) {
    let display = parse::display_name(dir, path);
    let parsed = match parse::load_file(&mut cfg.sources, path, display.clone()) {
        Ok(p) => p,
        Err(d) => {
            errors.push(d);
            return;
        }
    };
    let mut d = Diagnostics::new();
    let dummy = crate::diag::Span::new(parsed.file, 0..0);
    let body = crate::config::Body::from_hcl(parsed.file, parsed.body, dummy, &mut d);
    errors.extend(d);
    for b in &body.blocks {
        errors.push(
            Diagnostic::error(
                "Unexpected block in variables file",
                "A variables file holds only name = value assignments.",
            )
            .with_span(Some(b.span)),
        );
    }
    for a in &body.attrs {
        if !cfg.variables.contains_key(&a.name) {
            let msg = format!(
                "The root module does not declare a variable named \"{}\" but a value was found in file \"{display}\". To use this value, add a \"variable\" block to the configuration.",
                a.name
            );
            warnings.push(
                Diagnostic::warning("Value for undeclared variable", msg)
                    .with_span(Some(a.name_span)),
            );
            continue;
        }
        match crate::config::types::literal_value(&a.value.expr) {
            Some(v) => {
                inputs.insert(a.name.clone(), RawVar::Value(v));
            }
            None => errors.push(
                Diagnostic::error("Variables not allowed", "Variables files may contain only literal values; references and function calls are not allowed here.")
                    .with_span(a.value.span()),
            ),
        }
    }
}

/// The provider block's region of the configuration in the working directory (us-east-1
/// when there is none or it cannot be read), for a world created outside plan and apply.
pub(crate) fn configured_region(ctx: &Ctx) -> String {
    match load(ctx, &PlanFlags::default()) {
        Ok(l) => crate::plan::provider_region(&l.cfg, &l.inputs),
        Err(_) => "us-east-1".into(),
    }
}

/// Prints a plan to stdout as it is rendered.
fn print_plan(ctx: &Ctx, p: &Plan) {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`keyform plan | head`) is not an error of the plan.
    let _ = render::plan::render_to(p, &schema_lookup, ctx.style, &mut w).and_then(|()| w.flush());
}

fn lock_timeout(flags: &PlanFlags) -> Result<Duration, Failure> {
    crate::sim::clock::parse_duration(&flags.lock_timeout)
        .map(|ms| Duration::from_millis(ms as u64))
        .map_err(|e| Failure::msg("Invalid -lock-timeout", format!("{e}.")))
}

/// A workspace taken (locked, if asked) and, when it already existed, its state and world.
type Opened = (Workspace, Option<(State, Cloud)>);

/// Takes the lock and loads state and world if the workspace exists; needs nothing from the
/// configuration, so it runs while the configuration loads.
fn open_existing(ctx: &Ctx, lock: Option<(&str, Duration)>) -> Result<Opened, Failure> {
    let mut ws = Workspace::at(&ctx.dir);
    // Locked before the world is created, so two first commands never both create one.
    if let Some((op, timeout)) = lock {
        ws.lock(op, timeout).map_err(lock_failure)?;
        if let Some(n) = ws.take_lock_notice() {
            print_warnings(
                ctx,
                &Diagnostics::from(Diagnostic::warning("Stale lock released", n)),
                &SourceMap::new(),
            );
        }
    }
    if !ws.exists() {
        return Ok((ws, None));
    }
    let loaded = load_workspace(&mut ws)?;
    Ok((ws, Some(loaded)))
}

fn load_workspace(ws: &mut Workspace) -> Result<(State, Cloud), Failure> {
    ws.load().map_err(|e| {
        Failure::msg(
            "Failed to load the working directory's state",
            e.to_string(),
        )
    })
}

/// Loads the configuration and, side by side with it, takes the lock and loads the state and
/// world (large ones take as long as the configuration). `op` names the command in the lock.
fn load_and_open(
    ctx: &Ctx,
    flags: &PlanFlags,
    op: &str,
) -> Result<(Loaded, Workspace, State, Cloud), Failure> {
    let timeout = lock_timeout(flags)?;
    let lock = flags.lock.then_some((op, timeout));
    let (loaded, opened) = std::thread::scope(|s| {
        let opened = s.spawn(|| open_existing(ctx, lock));
        let loaded = load(ctx, flags);
        (loaded, opened.join())
    });
    // A configuration error comes first, as when the two ran one after the other.
    let l = loaded?;
    let opened = opened.unwrap_or_else(|_| {
        Err(Failure::msg(
            "Failed to load the working directory's state",
            "The thread loading it stopped unexpectedly; nothing was changed.",
        ))
    })?;
    let region = plan::provider_region(&l.cfg, &l.inputs);
    let (ws, state, cloud) = finish_open(opened, &region)?;
    Ok((l, ws, state, cloud))
}

/// Opens the workspace (creating it on first use) and loads state and world.
fn open(
    ctx: &Ctx,
    region: &str,
    lock: Option<(&str, Duration)>,
) -> Result<(Workspace, State, Cloud), Failure> {
    let opened = open_existing(ctx, lock)?;
    finish_open(opened, region)
}

/// Creates the world of a new workspace, in the configuration's region, and checks an
/// existing world's region against it.
fn finish_open(
    (mut ws, loaded): Opened,
    region: &str,
) -> Result<(Workspace, State, Cloud), Failure> {
    let (state, mut cloud) = match loaded {
        Some(l) => l,
        None => {
            ws.init(crate::sim::DEFAULT_ACCOUNT, region)
                .map_err(|e| Failure::msg("Failed to create .keyform/", e.to_string()))?;
            load_workspace(&mut ws)?
        }
    };
    if cloud.world.region != region {
        let empty = cloud.world.kms.keys.is_empty() && cloud.world.s3.buckets.is_empty();
        if empty {
            cloud.world.region = region.to_string();
        } else {
            return Err(Failure::msg(
                "Region mismatch",
                format!(
                    "The simulated world in .keyform/ is in {} but the provider block asks for {region}. A world has one region: destroy and remove .keyform/ to move the lab to {region}.",
                    cloud.world.region
                ),
            ));
        }
    }
    Ok((ws, state, cloud))
}

/// The lock is held by someone else (or could not be taken): say who holds it and what to do.
fn lock_failure(e: crate::workspace::WorkspaceError) -> Failure {
    use crate::workspace::{LockError, WorkspaceError};
    let detail = match e {
        WorkspaceError::Lock(LockError::Held { path, holder }) => {
            let dir = path.parent().unwrap_or(&path);
            format!(
                "The state in {} is locked by {holder}. keyform takes this lock so that two commands never change the same state at once. Wait for that command to finish, or retry with -lock-timeout=DURATION (like -lock-timeout=30s) to wait for it. If no keyform process is running any more, release the lock with keyform force-unlock.",
                dir.strip_prefix(".").unwrap_or(dir).display()
            )
        }
        WorkspaceError::Lock(LockError::Io { path, message }) => {
            format!("Could not take the lock {}: {message}.", path.display())
        }
        other => other.to_string(),
    };
    Failure::msg("Error acquiring the state lock", detail)
}

fn print_warnings(ctx: &Ctx, d: &Diagnostics, sources: &SourceMap) {
    let warnings: Vec<&Diagnostic> = d.iter().filter(|x| !x.is_error()).collect();
    if !warnings.is_empty() {
        eprint!(
            "\n{}",
            render::diag::render_all(warnings, sources, ctx.style)
        );
    }
}

pub(crate) fn init(ctx: &Ctx, a: &InitArgs) -> CmdResult {
    if a.account_id.len() != 12 || !a.account_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(Failure::msg(
            "Invalid -account-id",
            format!(
                "{:?} is not an AWS account id: use 12 digits, like 123456789012.",
                a.account_id
            ),
        ));
    }
    let region = match load(ctx, &PlanFlags::default()) {
        Ok(l) => plan::provider_region(&l.cfg, &l.inputs),
        Err(f)
            if f.diags
                .iter()
                .any(|d| d.summary == "No configuration files") =>
        {
            "us-east-1".into()
        }
        Err(f) => return Err(f),
    };
    let mut ws = Workspace::at(&ctx.dir);
    let created = ws
        .init(&a.account_id, &region)
        .map_err(|e| Failure::msg("Failed to initialize", e.to_string()))?;
    println!(
        "\nInitializing the backend...\n\nInitializing provider plugins...\n- hashicorp/aws is built into keyform: KMS, S3, IAM and CloudTrail are simulated locally (account {}, region {region}).",
        a.account_id
    );
    if !created {
        println!(
            "- Reusing the existing simulated world in {}.",
            ws.dir.display()
        );
    }
    println!(
        "\n{}\n\nYou may now begin working with keyform. Try running \"keyform plan\" to see\nany changes that are required for your infrastructure.",
        ctx.style
            .green(&ctx.style.bold("keyform has been successfully initialized!"))
    );
    Ok(0)
}

pub(crate) fn validate(ctx: &Ctx, a: &ValidateArgs) -> CmdResult {
    let result = load(ctx, &PlanFlags::default()).and_then(|l| {
        let d = plan::validate(&l.cfg, &l.graph, schemas(), &l.inputs);
        let mut all = l.warnings;
        all.extend(d);
        if all.has_errors() {
            Err(Failure::new(all, Some(l.cfg.sources.clone())))
        } else {
            Ok((all, l.cfg.sources))
        }
    });
    if a.json {
        let (diags, sources) = match &result {
            Ok((d, s)) => (d.clone(), s.clone()),
            Err(f) => (f.diags.clone(), f.sources.clone().unwrap_or_default()),
        };
        let list: Vec<serde_json::Value> = diags
            .iter()
            .map(|d| {
                let mut j = serde_json::json!({"severity": if d.is_error() {"error"} else {"warning"}, "summary": d.summary, "detail": d.detail});
                if let Some((file, line, col)) = d.span.and_then(|s| sources.locate(s)) {
                    j["range"] = serde_json::json!({"filename": file, "start": {"line": line, "column": col}});
                }
                j
            })
            .collect();
        let errors = diags.iter().filter(|d| d.is_error()).count();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "format_version": "1.0", "valid": errors == 0, "error_count": errors,
                "warning_count": diags.iter().count() - errors, "diagnostics": list,
            }))
            .unwrap_or_default()
        );
        return Ok(u8::from(errors > 0));
    }
    let (warnings, sources) = result?;
    print_warnings(ctx, &warnings, &sources);
    println!(
        "{}",
        ctx.style.green(&format!(
            "{} The configuration is valid.",
            ctx.style.bold("Success!")
        ))
    );
    Ok(0)
}

pub(crate) fn fmt(ctx: &Ctx, a: &FmtArgs) -> CmdResult {
    let targets: Vec<PathBuf> = if a.targets.is_empty() {
        vec![ctx.dir.clone()]
    } else {
        a.targets.iter().map(|t| rel(ctx, t)).collect()
    };
    if a.targets.len() == 1 && a.targets[0] == Path::new("-") {
        let mut src = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut src)
            .map_err(|e| Failure::msg("Failed to read stdin", e.to_string()))?;
        let out = crate::fmt::format_source(&src)
            .map_err(|e| Failure::msg("Invalid HCL syntax", format!("<stdin>: {e}")))?;
        if a.check {
            return Ok(if out == src { 0 } else { 3 });
        }
        print!("{out}");
        return Ok(0);
    }
    let mut files = Vec::new();
    for t in &targets {
        if t.is_dir() {
            collect_fmt_files(t, a.recursive, &mut files);
        } else if t.is_file() {
            files.push(t.clone());
        } else {
            return Err(Failure::msg(
                "No file or directory at path",
                format!(
                    "There is no configuration file or directory at {}.",
                    t.display()
                ),
            ));
        }
    }
    files.sort();
    let mut unformatted = false;
    let mut diags = Diagnostics::new();
    for f in files {
        let shown = f.strip_prefix(&ctx.dir).unwrap_or(&f).display().to_string();
        let src = match std::fs::read_to_string(&f) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                diags.push(Diagnostic::error(
                    "Invalid character encoding",
                    format!("{shown} is not UTF-8 text. Configuration files must be UTF-8 encoded: re-save the file as UTF-8. The file was not changed."),
                ));
                continue;
            }
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Failed to read file",
                    format!("{shown}: {e}"),
                ));
                continue;
            }
        };
        let out = match crate::fmt::format_source(&src) {
            Ok(o) => o,
            Err(e) => {
                diags.push(Diagnostic::error(
                    "Invalid HCL syntax",
                    format!("{shown}: {e}. The file was not changed."),
                ));
                continue;
            }
        };
        if out == src {
            continue;
        }
        unformatted = true;
        if a.list {
            println!("{shown}");
        }
        if a.diff {
            let d = similar::TextDiff::from_lines(&src, &out);
            print!(
                "{}",
                d.unified_diff()
                    .header(&format!("old/{shown}"), &format!("new/{shown}"))
            );
        }
        if a.write && !a.check {
            crate::fsutil::atomic_write(&f, out.as_bytes())
                .map_err(|e| Failure::msg("Failed to write file", format!("{shown}: {e}")))?;
        }
    }
    if diags.has_errors() {
        return Err(Failure::new(diags, None));
    }
    Ok(if a.check && unformatted { 3 } else { 0 })
}

fn collect_fmt_files(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if recursive {
                collect_fmt_files(&p, recursive, out);
            }
        } else if name.ends_with(".tf")
            || name.ends_with(".tfvars")
            || name.ends_with(".tftest.hcl")
        {
            out.push(p);
        }
    }
}

fn plan_options(flags: &PlanFlags, destroy: bool) -> Result<PlanOptions, Failure> {
    let parse_addrs = |v: &[String], flag: &str| -> Result<Vec<TargetAddr>, Failure> {
        v.iter()
            .map(|s| {
                s.parse::<TargetAddr>().map_err(|e| {
                    Failure::msg(
                        &format!("Invalid {flag} address"),
                        format!(
                            "{e}. Use an address like aws_kms_key.lab or aws_iam_user.u[\"bob\"]."
                        ),
                    )
                    .with_subject(format!("-{flag}={s}"))
                })
            })
            .collect()
    };
    Ok(PlanOptions {
        mode: if destroy {
            PlanMode::Destroy
        } else {
            PlanMode::Normal
        },
        refresh: flags.refresh,
        targets: parse_addrs(&flags.targets, "target")?,
        replace: parse_addrs(&flags.replace, "replace")?,
    })
}

impl Failure {
    fn with_subject(mut self, s: String) -> Failure {
        for d in &mut self.diags.0 {
            d.subject = Some(s.clone());
        }
        self
    }
}

/// Plans with an open workspace; the caller decides what to do with the plan.
fn make_plan(
    ctx: &Ctx,
    l: &Loaded,
    state: &State,
    cloud: &mut Cloud,
    opts: &PlanOptions,
) -> Result<Plan, Failure> {
    let mut provider = AwsProvider::new(cloud, &l.cfg.dir);
    let plan = plan::plan(
        &l.cfg,
        &l.graph,
        state,
        &mut provider,
        schemas(),
        &l.inputs,
        opts,
    )
    .map_err(|d| Failure::new(d, Some(l.cfg.sources.clone())))?;
    let _ = ctx;
    Ok(plan)
}

fn check_replace_targets(l: &Loaded, opts: &PlanOptions, state: &State) -> Result<(), Failure> {
    for t in opts.targets.iter().chain(&opts.replace) {
        let known = l.cfg.resources.contains_key(&t.resource)
            || state.resources.keys().any(|a| t.matches(a));
        if !known {
            return Err(Failure::msg("Reference to undeclared resource", format!("{t} is not declared in the configuration and not in the state. Check the address.")).with_subject(t.to_string()));
        }
    }
    Ok(())
}

pub(crate) fn plan(ctx: &Ctx, a: &PlanArgs) -> CmdResult {
    let opts = plan_options(&a.flags, a.destroy)?;
    let (l, _ws, state, mut cloud) = load_and_open(ctx, &a.flags, "plan")?;
    check_replace_targets(&l, &opts, &state)?;
    let p = make_plan(ctx, &l, &state, &mut cloud, &opts)?;
    if a.json {
        for line in render::json::plan_ui_lines(&p) {
            println!("{line}");
        }
    } else {
        print_warnings(ctx, &l.warnings, &l.cfg.sources);
        print_warnings(ctx, &p.warnings, &l.cfg.sources);
        print_plan(ctx, &p);
    }
    if let Some(out) = &a.out {
        let path = rel(ctx, out);
        let text = serde_json::to_string_pretty(&plan::file::to_json(&p)).unwrap_or_default();
        crate::fsutil::atomic_write(&path, text.as_bytes()).map_err(|e| {
            Failure::msg(
                "Failed to write plan file",
                format!("{}: {e}", path.display()),
            )
        })?;
        if !a.json {
            println!(
                "\n{}\n\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    keyform apply {:?}",
                "─".repeat(77),
                out.display(),
                out.display().to_string()
            );
        }
    } else if !a.json && p.has_changes() {
        println!(
            "\n{}\n\nNote: You didn't use the -out option to save this plan, so keyform can't\nguarantee to take exactly these actions if you run \"keyform apply\" now.",
            "─".repeat(77)
        );
    }
    let code = if a.detailed_exitcode && p.has_changes() {
        2
    } else {
        0
    };
    leave_to_exit((l, p, state));
    Ok(code)
}

fn confirm(ctx: &Ctx, what: &str) -> Result<bool, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::msg(
            "No terminal to ask for approval",
            format!(
                "keyform {what} needs your approval, but standard input is not a terminal. Run it in a terminal, or add -auto-approve to approve without asking."
            ),
        ));
    }
    let _ = ctx;
    let verb = if what == "destroy" {
        "Do you really want to destroy all resources?"
    } else {
        "Do you want to perform these actions?"
    };
    print!(
        "\n{}\n  keyform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  {} ",
        ctx.style.bold(verb),
        ctx.style.bold("Enter a value:")
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::msg("Failed to read input", e.to_string()))?;
    Ok(line.trim() == "yes")
}

pub(crate) fn apply(ctx: &Ctx, a: &ApplyArgs) -> CmdResult {
    if let Some(pf) = &a.plan_file {
        return apply_saved(ctx, a, pf);
    }
    run_apply(ctx, &a.flags, a.auto_approve, false)
}

pub(crate) fn destroy(ctx: &Ctx, a: &DestroyArgs) -> CmdResult {
    run_apply(ctx, &a.flags, a.auto_approve, true)
}

fn run_apply(ctx: &Ctx, flags: &PlanFlags, auto_approve: bool, destroy: bool) -> CmdResult {
    let opts = plan_options(flags, destroy)?;
    let op = if destroy { "destroy" } else { "apply" };
    let (l, mut ws, mut state, mut cloud) = load_and_open(ctx, flags, op)?;
    check_replace_targets(&l, &opts, &state)?;
    let p = make_plan(ctx, &l, &state, &mut cloud, &opts)?;
    print_warnings(ctx, &l.warnings, &l.cfg.sources);
    print_warnings(ctx, &p.warnings, &l.cfg.sources);
    print_plan(ctx, &p);
    if p.has_changes() && !auto_approve && !confirm(ctx, if destroy { "destroy" } else { "apply" })?
    {
        return Err(Failure::msg(
            if destroy {
                "Destroy cancelled"
            } else {
                "Apply cancelled"
            },
            "Only 'yes' approves; nothing was changed.",
        ));
    }
    let result = execute(ctx, &l, &p, &mut ws, &mut state, &mut cloud, destroy);
    leave_to_exit((l, p, state));
    result
}

/// Hands plain data (configuration, plan, state) to process exit instead of dropping it:
/// freeing a 100,000-resource configuration piece by piece takes longer than the OS takes to
/// reclaim the whole address space. Only for values whose drop does nothing but free memory.
fn leave_to_exit<T>(v: T) {
    std::mem::forget(v);
}

/// Reads a saved plan; anything wrong with it is reported with the file and the way out.
fn read_plan_file(path: &Path) -> Result<Plan, Failure> {
    let fail = |why: String| {
        Failure::msg(
            "Failed to read plan file",
            format!("{}: {why}", path.display()),
        )
    };
    let remake = "Create a new plan with keyform plan -out=FILE.";
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        fail(format!(
            "not a keyform plan file (not UTF-8 text). {remake}"
        ))
    })?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| fail(format!("not a keyform plan file ({e}). {remake}")))?;
    plan::file::from_json(&json).map_err(|e| fail(format!("{e}. {remake}")))
}

fn apply_saved(ctx: &Ctx, a: &ApplyArgs, given: &Path) -> CmdResult {
    let path = &rel(ctx, given);
    let p = read_plan_file(path)?;
    let mut l = load(ctx, &a.flags)?;
    l.inputs = p
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), RawVar::Value(v.clone())))
        .collect();
    let region = plan::provider_region(&l.cfg, &l.inputs);
    let timeout = lock_timeout(&a.flags)?;
    let (mut ws, mut state, mut cloud) =
        open(ctx, &region, a.flags.lock.then_some(("apply", timeout)))?;
    if p.prior_lineage != state.lineage || p.prior_serial != state.serial {
        return Err(Failure::msg(
            "Saved plan is stale",
            format!(
                "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan made at serial {}, state is now at serial {}). Create a new plan with keyform plan -out={}.",
                p.prior_serial,
                state.serial,
                given.display()
            ),
        ));
    }
    if p.config_digest != plan::config_digest(&l.cfg) {
        return Err(Failure::msg(
            "Saved plan does not match the configuration",
            format!(
                "The configuration files changed after the plan was created, so the plan may no longer do what they say. Create a new plan with keyform plan -out={}.",
                given.display()
            ),
        ));
    }
    let destroy = p.mode == PlanMode::Destroy;
    execute(ctx, &l, &p, &mut ws, &mut state, &mut cloud, destroy)
}

fn execute(
    ctx: &Ctx,
    l: &Loaded,
    p: &Plan,
    ws: &mut Workspace,
    state: &mut State,
    cloud: &mut Cloud,
    destroy: bool,
) -> CmdResult {
    let total = p.effective().count();
    ws.group_commits();
    let outcome: ApplyOutcome = {
        let mut hook = render::progress::Progress::new(
            Some(&mut *ws),
            total,
            std::io::stderr().is_terminal(),
            Box::new(std::io::stdout()),
        );
        let mut provider = AwsProvider::new(cloud, &l.cfg.dir);
        let o = apply::apply(
            &l.cfg,
            &l.graph,
            p,
            state,
            &mut provider,
            schemas(),
            &l.inputs,
            &mut hook,
        );
        hook.finish();
        o
    };
    cloud.deliver_trails();
    let saved = ws.snapshot(state, cloud);
    let mut diags = outcome.diags;
    if let Err(e) = saved {
        diags.push(Diagnostic::error("Failed to save state", e.to_string()));
    }
    if diags.has_errors() {
        return Err(Failure::new(diags, Some(l.cfg.sources.clone())));
    }
    print_warnings(ctx, &diags, &l.cfg.sources);
    let head = if destroy {
        "Destroy complete!"
    } else {
        "Apply complete!"
    };
    if destroy {
        println!(
            "\n{} Resources: {} destroyed.",
            ctx.style.green(&ctx.style.bold(head)),
            outcome.destroyed
        );
    } else {
        println!(
            "\n{} Resources: {} added, {} changed, {} destroyed.",
            ctx.style.green(&ctx.style.bold(head)),
            outcome.added,
            outcome.changed,
            outcome.destroyed
        );
    }
    if !destroy && !state.outputs.is_empty() {
        println!("\n{}\n", ctx.style.green(&ctx.style.bold("Outputs:")));
        for (k, o) in &state.outputs {
            println!("{}", render::state::output_line(k, &o.value, o.sensitive));
        }
    }
    Ok(0)
}

fn read_state(ctx: &Ctx) -> Result<(Workspace, State, Cloud), Failure> {
    let mut ws = Workspace::at(&ctx.dir);
    if !ws.exists() {
        return Err(Failure::msg(
            "No state",
            format!(
                "There is no .keyform/ in {}: nothing has been applied here yet. Run keyform init and keyform apply first.",
                ctx.dir.display()
            ),
        ));
    }
    let (s, c) = ws
        .load()
        .map_err(|e| Failure::msg("Failed to load state", e.to_string()))?;
    Ok((ws, s, c))
}

pub(crate) fn show(ctx: &Ctx, a: &ShowArgs) -> CmdResult {
    if let Some(path) = &a.path {
        let path = rel(ctx, path);
        let p = read_plan_file(&path)?;
        if a.json {
            let prior = Workspace::at(&ctx.dir)
                .load()
                .map(|(s, _)| s)
                .unwrap_or_else(|_| State::new(p.prior_lineage.clone()));
            println!("{}", render::json::plan_json(&p, &prior));
        } else {
            print_plan(ctx, &p);
        }
        return Ok(0);
    }
    let state = if Workspace::at(&ctx.dir).exists() {
        read_state(ctx)?.1
    } else {
        State::new(String::new())
    };
    if a.json {
        println!("{}", render::json::state_json(&state));
        return Ok(0);
    }
    if state.resources.is_empty() && state.outputs.is_empty() {
        println!("The state file is empty. No resources are represented.");
        return Ok(0);
    }
    for (addr, r) in &state.resources {
        println!("{}", render::state::instance(addr, r, &sensitive_of(addr)));
    }
    if !state.outputs.is_empty() {
        println!("\nOutputs:\n");
        for (k, o) in &state.outputs {
            println!("{}", render::state::output_line(k, &o.value, o.sensitive));
        }
    }
    Ok(0)
}

fn sensitive_of(addr: &InstanceAddr) -> Vec<&'static str> {
    schema_lookup(addr.resource.mode, &addr.resource.kind)
        .map(|s| {
            s.body
                .attrs
                .iter()
                .filter(|a| a.sensitive)
                .map(|a| a.name)
                .collect()
        })
        .unwrap_or_default()
}

fn parse_target(s: &str) -> Result<TargetAddr, Failure> {
    s.parse::<TargetAddr>().map_err(|e| {
        Failure::msg(
            "Invalid address",
            format!("{e}. Use an address like aws_kms_key.lab or aws_iam_user.u[\"bob\"]."),
        )
    })
}

pub(crate) fn state(ctx: &Ctx, c: &StateCommand) -> CmdResult {
    match c {
        StateCommand::List { addresses } => {
            let (_, state, _) = read_state(ctx)?;
            let filters: Vec<TargetAddr> = addresses
                .iter()
                .map(|s| parse_target(s))
                .collect::<Result<_, _>>()?;
            for addr in state.resources.keys() {
                if filters.is_empty() || filters.iter().any(|f| f.matches(addr)) {
                    println!("{addr}");
                }
            }
            Ok(0)
        }
        StateCommand::Show { address } => {
            let (_, state, _) = read_state(ctx)?;
            let t = parse_target(address)?;
            let matches: Vec<(&InstanceAddr, &crate::state::ResourceInstance)> = state
                .resources
                .iter()
                .filter(|(a, _)| t.matches(a))
                .collect();
            match matches.as_slice() {
                [(a, r)] if t.key.is_some() || a.key == crate::addr::InstanceKey::None => {
                    print!("{}", render::state::instance(a, r, &sensitive_of(a)));
                    Ok(0)
                }
                [] => Err(Failure::msg(
                    "No instance found for the given address",
                    format!(
                        "This command requires that the address references one specific instance. {address} is not in the state; see keyform state list."
                    ),
                )),
                _ => Err(Failure::msg(
                    "Multiple instances found for the given address",
                    format!(
                        "{address} matches {} instances: give an instance key, like {address}[0].",
                        matches.len()
                    ),
                )),
            }
        }
        StateCommand::Rm { addresses, dry_run } => {
            let targets: Vec<TargetAddr> = addresses
                .iter()
                .map(|s| parse_target(s))
                .collect::<Result<_, _>>()?;
            let mut ws = Workspace::at(&ctx.dir);
            if !ws.exists() {
                return Err(Failure::msg(
                    "No state",
                    "Nothing has been applied here yet.",
                ));
            }
            ws.lock("state rm", Duration::ZERO).map_err(lock_failure)?;
            let (mut state, mut cloud) = ws
                .load()
                .map_err(|e| Failure::msg("Failed to load state", e.to_string()))?;
            let gone: Vec<InstanceAddr> = state
                .resources
                .keys()
                .filter(|a| targets.iter().any(|t| t.matches(a)))
                .cloned()
                .collect();
            if gone.is_empty() {
                return Err(Failure::msg(
                    "Invalid target address",
                    format!(
                        "No matching objects found. To view the available instances, use \"keyform state list\". Given: {}.",
                        render::state::addr_list(addresses)
                    ),
                ));
            }
            for a in &gone {
                println!("{} {a}", if *dry_run { "Would remove" } else { "Removed" });
            }
            if *dry_run {
                return Ok(0);
            }
            for a in &gone {
                state.resources.remove(a);
            }
            state.serial += 1;
            ws.snapshot(&state, &mut cloud)
                .map_err(|e| Failure::msg("Failed to save state", e.to_string()))?;
            println!(
                "Successfully removed {} resource instance(s). They still exist in the simulated cloud; keyform no longer manages them.",
                gone.len()
            );
            Ok(0)
        }
    }
}

pub(crate) fn output(ctx: &Ctx, a: &OutputArgs) -> CmdResult {
    let state = if Workspace::at(&ctx.dir).exists() {
        read_state(ctx)?.1
    } else {
        State::new(String::new())
    };
    if let Some(name) = &a.name {
        let Some(o) = state.outputs.get(name) else {
            return Err(Failure::msg(
                "Output not found",
                format!(
                    "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `keyform apply`, since the state won't be updated with new output variables until that command is run.{}",
                    crate::diag::suggestion(name, state.outputs.keys().map(String::as_str))
                ),
            ));
        };
        if a.raw {
            let Some(s) = render::state::raw(&o.value) else {
                return Err(Failure::msg(
                    "Unsupported value for raw output",
                    format!(
                        "The -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}. Use the -json option for machine-readable output.",
                        o.value.type_name()
                    ),
                ));
            };
            print!("{s}");
        } else if a.json {
            println!("{}", o.value.to_json());
        } else {
            println!("{}", render::state::plain_value(&o.value, 0, 2));
        }
        return Ok(0);
    }
    if a.json {
        let m: serde_json::Map<String, serde_json::Value> = state
            .outputs
            .iter()
            .map(|(k, o)| (k.clone(), serde_json::json!({"sensitive": o.sensitive, "type": crate::state::file::type_json(&o.value), "value": o.value.to_json()})))
            .collect();
        println!("{}", serde_json::to_string_pretty(&m).unwrap_or_default());
        return Ok(0);
    }
    if state.outputs.is_empty() {
        eprintln!(
            "{}",
            render::diag::render(
                &Diagnostic::warning(
                    "No outputs found",
                    "The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `keyform refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `keyform console` command to assist."
                ),
                &SourceMap::new(),
                ctx.style
            )
        );
        return Ok(0);
    }
    for (k, o) in &state.outputs {
        println!("{}", render::state::output_line(k, &o.value, o.sensitive));
    }
    Ok(0)
}

pub(crate) fn graph(ctx: &Ctx, _a: &GraphArgs) -> CmdResult {
    let (_, g, _) = load_config(ctx)?;
    print!("{}", g.to_dot());
    Ok(0)
}

pub(crate) fn force_unlock(ctx: &Ctx, a: &ForceUnlockArgs) -> CmdResult {
    let ws = Workspace::at(&ctx.dir);
    match ws.force_unlock(a.lock_id.as_deref()) {
        Ok(crate::workspace::Unlocked::NothingHeld) => {
            println!("No lock is held on {}.", ws.dir.display());
            Ok(0)
        }
        Ok(crate::workspace::Unlocked::Released(holder)) => {
            println!(
                "keyform state has been successfully unlocked!\n\nThe lock left by {holder} has been removed. Run keyform plan to see what that command left to do."
            );
            Ok(0)
        }
        Err(e) => Err(Failure::msg("Failed to unlock state", e.to_string())),
    }
}
