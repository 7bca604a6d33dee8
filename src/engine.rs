//! The engine: the pipeline as library calls that return data and diagnostics, used by both the
//! command line (`cli::commands`) and `keyform test` (`grade`).
//!
//! Owns: loading a configuration with its graph and input variables; opening the working
//! directory's workspace for a command (lock, load, first-use creation, the world's region);
//! planning, applying and destroying against a simulated cloud; applying a saved plan once its
//! staleness checks pass; reading and editing the state (`state rm`). Every failure comes back
//! as [`Diagnostics`], never printed: the engine never prints and never reads the process's
//! arguments.
//!
//! Does not own: argument parsing, approval prompts and rendering (`cli`), test files and
//! reports (`grade`), the stages themselves (`parse`, `config`, `graph`, `plan`, `apply`), nor
//! how `.keyform/` is stored (`workspace`).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crate::addr::{InstanceAddr, TargetAddr};
use crate::apply::{self, ApplyHook, ApplyOutcome};
use crate::config::Config;
use crate::config::inputs::{self, Undeclared, VarArg};
use crate::diag::{DiagCode, Diagnostic, Diagnostics, SourceMap};
use crate::graph::{self, Graph};
use crate::plan::file::NotApplicable;
use crate::plan::{self, Action, Evaluated, Plan, PlanMode, PlanOptions, RawVar, ValueSource};
use crate::provider::aws::{AwsProvider, AwsSchemas};
use crate::sim::Cloud;
use crate::state::{State, StateOp};
use crate::workspace::{self, LockRequest, OpenError, Taken, Workspace, WorkspaceError};

mod refresh;
pub(crate) use refresh::refresh;

/// An engine call that failed: its diagnostics, and the source map their spans point into.
#[derive(Debug)]
pub(crate) struct Error {
    pub diags: Diagnostics,
    pub sources: Option<SourceMap>,
}

impl Error {
    fn new(diags: impl Into<Diagnostics>, sources: Option<SourceMap>) -> Error {
        Error {
            diags: diags.into(),
            sources,
        }
    }

    /// Puts `first` (a warning that came before the failure) ahead of the diagnostics.
    fn after(mut self, first: &Diagnostics) -> Error {
        let mut all = first.clone();
        all.extend(self.diags);
        self.diags = all;
        self
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::new(d, None)
    }
}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Error {
        Error::new(d, None)
    }
}

/// The provider schemas the engine plans with.
pub(crate) fn schemas() -> &'static AwsSchemas {
    AwsSchemas::get()
}

// ---------------------------------------------------------------------------------------------
// Configuration

/// Parses and checks the configuration of `dir`, into a fresh source map that is returned
/// either way (diagnostics point into it). A directory without `.tf` files is an error with
/// code [`DiagCode::NoConfigFiles`].
pub(crate) fn load_config(dir: &Path) -> (Result<(Config, Graph), Diagnostics>, SourceMap) {
    let mut sources = SourceMap::new();
    let loaded = load_config_into(dir, &mut sources);
    (loaded, sources)
}

/// [`load_config`] into an existing source map (a test file's `run.module` configurations
/// share the test session's).
pub(crate) fn load_config_into(
    dir: &Path,
    sources: &mut SourceMap,
) -> Result<(Config, Graph), Diagnostics> {
    let files = crate::parse::load_dir(dir, sources)?;
    if files.is_empty() {
        let d = Diagnostic::error(
            "No configuration files",
            format!(
                "There are no .tf files in {}. Change to a directory holding a lab's configuration (or use -chdir=DIR).",
                std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()).display()
            ),
        )
        .with_code(DiagCode::NoConfigFiles);
        return Err(d.into());
    }
    let cfg = Config::build_in(dir, sources, files, schemas())?;
    let g = graph::build(&cfg)?;
    Ok((cfg, g))
}

/// A configuration with its graph and input variables.
pub(crate) struct Loaded {
    pub cfg: Config,
    pub graph: Graph,
    pub inputs: BTreeMap<String, RawVar>,
    /// Warnings from collecting the inputs (values for undeclared variables in files).
    pub warnings: Diagnostics,
}

impl Loaded {
    /// The borrowed view plan and apply take.
    pub(crate) fn module(&self) -> Module<'_> {
        Module {
            cfg: &self.cfg,
            graph: &self.graph,
            inputs: &self.inputs,
        }
    }
}

/// What plan and apply need of a loaded configuration: `keyform test` keeps one configuration
/// and graph per session but gives each run its own inputs.
#[derive(Clone, Copy)]
pub(crate) struct Module<'a> {
    pub cfg: &'a Config,
    pub graph: &'a Graph,
    pub inputs: &'a BTreeMap<String, RawVar>,
}

/// Loads the configuration of `dir` and its input variables, `vars` being the command line's
/// `-var`/`-var-file` in the order given. Undeclared variables follow `plan`'s rule
/// ([`Undeclared::Reject`]).
pub(crate) fn load(dir: &Path, vars: &[VarArg]) -> Result<Loaded, Error> {
    let (config, sources) = load_config(dir);
    let (mut cfg, graph) = config.map_err(|d| Error::new(d, Some(sources)))?;
    let found = {
        let req = inputs::Request::new(dir, Some(&cfg.variables), vars, Undeclared::Reject);
        inputs::collect(&req, &mut cfg.sources)
    };
    let (errors, warnings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
        found.diagnostics().partition(|d| d.is_error());
    if !errors.is_empty() {
        let errors = Diagnostics(errors.into_iter().cloned().collect());
        return Err(Error::new(errors, Some(cfg.sources.clone())));
    }
    let warnings = Diagnostics(warnings.into_iter().cloned().collect());
    Ok(Loaded {
        cfg,
        graph,
        inputs: found.values,
        warnings,
    })
}

/// The region the provider block asks for (us-east-1 when it names none).
pub(crate) fn region(m: Module<'_>) -> String {
    plan::provider_region(m.cfg, m.inputs)
}

/// The provider block's region of the configuration in `dir`, for a world created outside plan
/// and apply: us-east-1 when there is none or it cannot be read.
pub(crate) fn configured_region(dir: &Path) -> String {
    match load(dir, &[]) {
        Ok(l) => region(l.module()),
        Err(_) => "us-east-1".into(),
    }
}

/// `validate`: the configuration's warnings and the source map, or its errors.
pub(crate) fn validate(dir: &Path) -> Result<(Diagnostics, SourceMap), Error> {
    let l = load(dir, &[])?;
    let d = plan::validate(&l.cfg, &l.graph, schemas(), &l.inputs);
    let mut all = l.warnings;
    all.extend(d);
    if all.has_errors() {
        Err(Error::new(all, Some(l.cfg.sources)))
    } else {
        Ok((all, l.cfg.sources))
    }
}

/// Creates (or reuses) the world of `dir`, in the configuration's region when there is a
/// configuration, with the accounts `account_ids` names (the first is the default account
/// of a new world). Returns whether the world
/// was created, the region and the world's accounts.
pub(crate) fn init(
    dir: &Path,
    account_ids: &[String],
) -> Result<(bool, String, Vec<String>), Error> {
    let (region, named): (String, Vec<String>) = match load(dir, &[]) {
        Ok(l) => (region(l.module()), Vec::new()),
        Err(e) if e.diags.iter().any(|d| d.code == DiagCode::NoConfigFiles) => {
            ("us-east-1".into(), Vec::new())
        }
        Err(e) => return Err(e),
    };
    let first = account_ids
        .first()
        .map_or(crate::sim::DEFAULT_ACCOUNT, String::as_str);
    let mut others: Vec<String> = account_ids.iter().skip(1).cloned().collect();
    others.extend(named);
    let mut ws = Workspace::at(dir);
    let created = ws
        .init_accounts(first, &others, &region)
        .map_err(|e| Diagnostic::error("Failed to initialize", e.to_string()))?;
    let (_, cloud) = ws
        .load()
        .map_err(|e| Diagnostic::error("Failed to initialize", e.to_string()))?;
    Ok((created, region, cloud.world.account_ids_default_first()))
}

// ---------------------------------------------------------------------------------------------
// The working directory's workspace

/// A configuration and the workspace a command runs against, opened together.
pub(crate) struct Prepared {
    pub loaded: Loaded,
    pub ws: Workspace,
    pub state: State,
    pub cloud: Cloud,
    /// Warnings from opening (a stale lock that was released), to show first.
    pub notices: Diagnostics,
}

/// Loads the configuration and, side by side with it, takes the lock and loads state and world
/// (large ones take as long as the configuration); creates the world on first use in the
/// configuration's region.
pub(crate) fn prepare(
    dir: &Path,
    vars: &[VarArg],
    lock: Option<LockRequest<'_>>,
) -> Result<Prepared, Error> {
    let fresh = !dir.join(workspace::DIR_NAME).exists();
    let (loaded, taken) = std::thread::scope(|s| {
        let taken = s.spawn(|| workspace::take(dir, lock));
        let loaded = load(dir, vars);
        (loaded, taken.join())
    });
    let notices = notices_of(taken.as_ref().ok().and_then(|t| t.as_ref().ok()));
    // A configuration error comes first, as when the two ran one after the other; the
    // workspace opened alongside is left as if never touched (a directory that had none keeps
    // none: a typo'd -chdir must not leave a .keyform/ behind).
    let loaded = match loaded {
        Ok(l) => l,
        Err(e) => {
            drop(taken);
            if fresh {
                discard_fresh_workspace(&dir.join(workspace::DIR_NAME));
            }
            return Err(e.after(&notices));
        }
    };
    let taken = match taken {
        Ok(t) => t.map_err(|e| Error::from(open_error(e)).after(&notices))?,
        Err(_) => {
            return Err(Diagnostic::error(
                "Failed to load the working directory's state",
                "The thread loading it stopped unexpectedly; nothing was changed.",
            )
            .into());
        }
    };
    let (ws, state, cloud) =
        finish_open(taken, &region(loaded.module())).map_err(|e| e.after(&notices))?;
    Ok(Prepared {
        loaded,
        ws,
        state,
        cloud,
        notices,
    })
}

/// Removes a `.keyform/` this command created, if it still holds only what opening it made
/// (the lock, its info, the .gitignore and a new root key): anything else, such as a state
/// another process saved meanwhile, keeps the directory.
fn discard_fresh_workspace(ws: &Path) {
    const MADE_BY_OPENING: &[&str] = &["lock", "lock.info", ".gitignore", "root.key"];
    let Ok(entries) = std::fs::read_dir(ws) else {
        return;
    };
    let names: Vec<_> = entries.flatten().map(|e| e.file_name()).collect();
    if names
        .iter()
        .all(|n| MADE_BY_OPENING.iter().any(|m| n.as_os_str() == *m))
    {
        for n in &names {
            let _ = std::fs::remove_file(ws.join(n));
        }
        let _ = std::fs::remove_dir(ws);
    }
}

/// Loads the configuration and opens the workspace to apply a saved plan: the plan's own
/// variables replace the command line's, and the plan must still apply to the state and
/// configuration (`given` names the plan file in the way out).
pub(crate) fn prepare_saved(
    dir: &Path,
    vars: &[VarArg],
    saved: &Plan,
    given: &Path,
    lock: Option<LockRequest<'_>>,
) -> Result<Prepared, Error> {
    let mut loaded = load(dir, vars)?;
    loaded.inputs = saved
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), RawVar::Value(v.clone())))
        .collect();
    let taken = workspace::take(dir, lock).map_err(open_error)?;
    let notices = notices_of(Some(&taken));
    let (ws, state, cloud) =
        finish_open(taken, &region(loaded.module())).map_err(|e| e.after(&notices))?;
    if let Err(why) = plan::file::check_applicable(saved, &state, &loaded.cfg) {
        return Err(Error::from(stale_plan(&why, given)).after(&notices));
    }
    Ok(Prepared {
        loaded,
        ws,
        state,
        cloud,
        notices,
    })
}

fn notices_of(taken: Option<&Taken>) -> Diagnostics {
    let mut d = Diagnostics::new();
    if let Some(n) = taken.and_then(|t| t.lock_notice.clone()) {
        d.push(Diagnostic::warning("Stale lock released", n));
    }
    d
}

/// Creates the world of a new workspace in `region` and checks an existing world's region:
/// an empty world adopts the configuration's region, one holding resources refuses it.
fn finish_open(taken: Taken, region: &str) -> Result<(Workspace, State, Cloud), Error> {
    let mut o = taken.finish(region).map_err(open_error)?;
    if o.cloud.world.region != region {
        let empty = o.cloud.world.kms.keys.is_empty() && o.cloud.world.s3.buckets.is_empty();
        if !empty {
            return Err(Diagnostic::error(
                "Region mismatch",
                format!(
                    "The simulated world in .keyform/ is in {} but the provider block asks for {region}. A world has one region: destroy and remove .keyform/ to move the lab to {region}.",
                    o.cloud.world.region
                ),
            )
            .into());
        }
        o.cloud.world.region = region.to_string();
    }
    Ok((o.ws, o.state, o.cloud))
}

fn open_error(e: OpenError) -> Diagnostic {
    match e {
        OpenError::Lock(e) => lock_failure(e),
        OpenError::Load(e) => Diagnostic::error(
            "Failed to load the working directory's state",
            e.to_string(),
        ),
        OpenError::Create(e) => Diagnostic::error("Failed to create .keyform/", e.to_string()),
    }
}

/// The lock is held by someone else (or could not be taken): who holds it and what to do.
fn lock_failure(e: WorkspaceError) -> Diagnostic {
    use crate::workspace::LockError;
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
    Diagnostic::error("Error acquiring the state lock", detail).with_code(DiagCode::StateLocked)
}

fn stale_plan(why: &NotApplicable, given: &Path) -> Diagnostic {
    let d = match why {
        NotApplicable::StateChanged {
            planned_serial,
            state_serial,
        } => Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The given plan file can no longer be applied because the state was changed by another operation after the plan was created (plan made at serial {planned_serial}, state is now at serial {state_serial}). Create a new plan with keyform plan -out={}.",
                given.display()
            ),
        ),
        NotApplicable::ConfigChanged => Diagnostic::error(
            "Saved plan does not match the configuration",
            format!(
                "The configuration files changed after the plan was created, so the plan may no longer do what they say. Create a new plan with keyform plan -out={}.",
                given.display()
            ),
        ),
    };
    d.with_code(DiagCode::StalePlan)
}

/// Reads a saved plan; anything wrong with it is reported with the file and the way out.
pub(crate) fn read_plan(path: &Path) -> Result<Plan, Diagnostic> {
    let fail = |why: String| {
        Diagnostic::error(
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

/// Writes `p` to `path` for `apply PLANFILE` (atomically: a crash leaves the old file or none).
pub(crate) fn save_plan(path: &Path, p: &Plan) -> Result<(), Diagnostic> {
    let text = serde_json::to_string_pretty(&plan::file::to_json(p)).unwrap_or_default();
    crate::fsutil::atomic_write(path, text.as_bytes()).map_err(|e| {
        Diagnostic::error(
            "Failed to write plan file",
            format!("{}: {e}", path.display()),
        )
    })
}

/// The state a saved plan was made against, as far as it is still here (for `show -json`).
pub(crate) fn prior_state(dir: &Path, saved: &Plan) -> State {
    Workspace::at(dir)
        .load()
        .map(|(s, _)| s)
        .unwrap_or_else(|_| State::new(saved.prior_lineage.clone()))
}

/// The workspace with its state and world; an error when nothing was applied here yet.
pub(crate) fn read_state(dir: &Path) -> Result<(Workspace, State, Cloud), Diagnostic> {
    let mut ws = Workspace::at(dir);
    if !ws.exists() {
        return Err(Diagnostic::error(
            "No state",
            format!(
                "There is no .keyform/ in {}: nothing has been applied here yet. Run keyform init and keyform apply first.",
                dir.display()
            ),
        ));
    }
    let (s, c) = ws
        .load()
        .map_err(|e| Diagnostic::error("Failed to load state", e.to_string()))?;
    Ok((ws, s, c))
}

/// The current state: empty when nothing was applied here yet.
pub(crate) fn current_state(dir: &Path) -> Result<State, Diagnostic> {
    if Workspace::at(dir).exists() {
        Ok(read_state(dir)?.1)
    } else {
        Ok(State::new(String::new()))
    }
}

/// `state rm`, first half: the instances the addresses match, with the workspace locked.
/// Nothing changes until [`Removal::commit`].
pub(crate) struct Removal {
    ws: Workspace,
    state: State,
    cloud: Cloud,
    /// The matched instances, in state order (empty when none matched).
    pub gone: Vec<InstanceAddr>,
}

/// Locks the workspace and finds the instances `targets` match.
pub(crate) fn state_rm(dir: &Path, targets: &[TargetAddr]) -> Result<Removal, Diagnostic> {
    let mut ws = Workspace::at(dir);
    if !ws.exists() {
        return Err(Diagnostic::error(
            "No state",
            "Nothing has been applied here yet.",
        ));
    }
    ws.lock("state rm", Duration::ZERO).map_err(lock_failure)?;
    let (state, cloud) = ws
        .load()
        .map_err(|e| Diagnostic::error("Failed to load state", e.to_string()))?;
    let gone = state
        .resources
        .keys()
        .filter(|a| targets.iter().any(|t| t.matches(a)))
        .cloned()
        .collect();
    Ok(Removal {
        ws,
        state,
        cloud,
        gone,
    })
}

impl Removal {
    /// Forgets the matched instances (they stay in the simulated cloud) and saves the state.
    pub(crate) fn commit(mut self) -> Result<(), Diagnostic> {
        for a in &self.gone {
            self.state.resources.remove(a);
        }
        self.state.serial += 1;
        self.ws
            .snapshot(&self.state, &mut self.cloud)
            .map_err(|e| Diagnostic::error("Failed to save state", e.to_string()))
    }
}

// ---------------------------------------------------------------------------------------------
// Plan and apply

/// Every `-target` and `-replace` must name something in the configuration or the state.
pub(crate) fn check_targets(
    m: Module<'_>,
    opts: &PlanOptions,
    state: &State,
) -> Result<(), Diagnostic> {
    for t in opts.targets.iter().chain(&opts.replace) {
        let known = m.cfg.resources.contains_key(&t.resource.config_addr())
            || state.resources.keys().any(|a| t.matches(a));
        if !known {
            let candidates: Vec<String> = m
                .cfg
                .resources
                .keys()
                .map(|r| r.to_string())
                .chain(state.resources.keys().map(|a| a.to_string()))
                .collect();
            let hint = crate::text::suggestion(
                &t.resource.to_string(),
                candidates.iter().map(String::as_str),
            );
            return Err(Diagnostic::error(
                "Reference to undeclared resource",
                format!(
                    "{t} is not declared in the configuration and not in the state.{hint} Check the address."
                ),
            )
            .with_subject(t.to_string()));
        }
    }
    Ok(())
}

/// Plans against `cloud` (refresh reads it; planning never writes to it).
pub(crate) fn plan(
    m: Module<'_>,
    state: &State,
    cloud: &mut Cloud,
    opts: &PlanOptions,
) -> Result<Plan, Diagnostics> {
    let mut provider = AwsProvider::new(cloud, &m.cfg.dir);
    plan::plan(
        m.cfg,
        m.graph,
        state,
        &mut provider,
        schemas(),
        m.inputs,
        opts,
    )
}

/// `plan -generate-config-out=FILE`: writes configuration for the `import` blocks whose target
/// has no resource block (read from the simulated cloud by import id) to `out`, which must not
/// exist, and reloads the configuration with it. Returns the instances it configured.
pub(crate) fn generate_config(
    dir: &Path,
    vars: &[VarArg],
    p: &mut Prepared,
    out: &Path,
) -> Result<Vec<InstanceAddr>, Error> {
    if out.exists() {
        return Err(Diagnostic::error(
            "Target generated file already exists",
            "keyform can't overwrite existing files when generating configuration. Please remove the file or choose a different name.",
        )
        .into());
    }
    let l = &p.loaded;
    let mut provider = AwsProvider::new(&mut p.cloud, &l.cfg.dir);
    let g = plan::generate::generate(&l.cfg, &l.inputs, &mut provider, schemas())
        .map_err(|d| Error::new(d, Some(l.cfg.sources.clone())))?;
    if g.addrs.is_empty() {
        return Ok(g.addrs);
    }
    std::fs::write(out, &g.text).map_err(|e| {
        Diagnostic::error(
            "Failed to write generated configuration",
            format!("Could not write {}: {e}.", out.display()),
        )
    })?;
    p.loaded = load(dir, vars)?;
    Ok(g.addrs)
}

/// Values as the configuration sees them with `source`'s resource values (the state, or a
/// plan's planned values); data sources are read from `cloud`.
pub(crate) fn evaluate(m: Module<'_>, cloud: &mut Cloud, source: ValueSource<'_>) -> Evaluated {
    let mut provider = AwsProvider::new(cloud, &m.cfg.dir);
    plan::evaluate(m.cfg, m.graph, schemas(), m.inputs, &mut provider, source)
}

/// Applies `p`, committing through `hook`; a trail delivers at the end, as at the end of every
/// command.
pub(crate) fn apply(
    m: Module<'_>,
    p: &Plan,
    state: &mut State,
    cloud: &mut Cloud,
    hook: &mut dyn ApplyHook,
) -> ApplyOutcome {
    let outcome = {
        let mut provider = AwsProvider::new(cloud, &m.cfg.dir);
        apply::apply(
            m.cfg,
            m.graph,
            p,
            state,
            &mut provider,
            schemas(),
            m.inputs,
            hook,
        )
    };
    cloud.deliver_trails();
    outcome
}

/// Plans with `opts` and applies the plan: the plan's errors, or what apply did (its own errors
/// are in the outcome's diagnostics).
pub(crate) fn plan_and_apply(
    m: Module<'_>,
    state: &mut State,
    cloud: &mut Cloud,
    opts: &PlanOptions,
    hook: &mut dyn ApplyHook,
) -> Result<ApplyOutcome, Diagnostics> {
    let p = plan(m, state, cloud, opts)?;
    Ok(apply(m, &p, state, cloud, hook))
}

/// Destroys everything the state holds for this configuration.
pub(crate) fn destroy(
    m: Module<'_>,
    state: &mut State,
    cloud: &mut Cloud,
    hook: &mut dyn ApplyHook,
) -> Result<ApplyOutcome, Diagnostics> {
    let opts = PlanOptions {
        mode: PlanMode::Destroy,
        ..PlanOptions::default()
    };
    plan_and_apply(m, state, cloud, &opts, hook)
}

/// Told as changes start and finish while a plan is applied to a working directory (the front
/// end's progress display). The durable commit is the engine's, not the observer's.
pub(crate) trait ApplyProgress {
    fn pre(&mut self, _addr: &InstanceAddr, _action: Action) {}
    fn post(
        &mut self,
        _addr: &InstanceAddr,
        _action: Action,
        _error: Option<&str>,
        _elapsed: Duration,
    ) {
    }
    /// An imported object was taken into the state.
    fn imported(&mut self, _addr: &InstanceAddr, _id: &str) {}
    /// Every change was made (before trails deliver and the snapshot is written).
    fn finish(&mut self) {}
}

/// Commits each change to the workspace journal and tells the progress display.
struct Journaled<'a> {
    ws: &'a mut Workspace,
    progress: &'a mut dyn ApplyProgress,
}

impl ApplyHook for Journaled<'_> {
    fn pre(&mut self, addr: &InstanceAddr, action: Action) {
        self.progress.pre(addr, action);
    }

    fn imported(&mut self, addr: &InstanceAddr, id: &str) {
        self.progress.imported(addr, id);
    }

    fn post(
        &mut self,
        addr: &InstanceAddr,
        action: Action,
        error: Option<&str>,
        elapsed: Duration,
    ) {
        self.progress.post(addr, action, error, elapsed);
    }

    fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        world: Option<serde_json::Value>,
    ) -> Result<(), String> {
        let delta = match world {
            Some(w) => Some(serde_json::from_value(w).map_err(|e| e.to_string())?),
            None => None,
        };
        self.ws.commit(state, ops, delta).map_err(|e| e.to_string())
    }
}

/// Applies `p` to a working directory's world: each change journaled durably, trails
/// delivered, then state and world snapshotted. A failed snapshot is one more error in the
/// outcome's diagnostics.
pub(crate) fn apply_in_workspace(
    m: Module<'_>,
    p: &Plan,
    ws: &mut Workspace,
    state: &mut State,
    cloud: &mut Cloud,
    progress: &mut dyn ApplyProgress,
) -> ApplyOutcome {
    ws.group_commits();
    let mut outcome = {
        let mut hook = Journaled {
            ws: &mut *ws,
            progress: &mut *progress,
        };
        let mut provider = AwsProvider::new(cloud, &m.cfg.dir);
        apply::apply(
            m.cfg,
            m.graph,
            p,
            state,
            &mut provider,
            schemas(),
            m.inputs,
            &mut hook,
        )
    };
    progress.finish();
    cloud.deliver_trails();
    if let Err(e) = ws.snapshot(state, cloud) {
        outcome
            .diags
            .push(Diagnostic::error("Failed to save state", e.to_string()));
    }
    outcome
}
