//! Executing a test file: one fresh in-memory world and state, runs in file order. In a run: its
//! variables, the command (plan, apply, destroy or none) through the engine, then the actions
//! through `sim::Cloud::call`, then the asserts.
//!
//! A command that fails leaves no trace: the state and the world are put back as they were
//! before the run (unless the failure was expected, the run errors and its actions and asserts
//! are skipped). Later runs still execute, as in `terraform test`.
//!
//! Values in actions follow decisions.md: `Body`/`Plaintext` parameters are UTF-8 text and their
//! `...Base64` variants base64; binary results stay base64 except the plaintext the caller asked
//! for (GetObject's body, Decrypt's and GenerateDataKey's Plaintext), given as text when it is
//! UTF-8, with a `...Base64` twin always. Result values are never written to reports.

mod action;
mod expect;
mod keep;
mod premise;

use std::collections::BTreeMap;

use crate::addr::Mode;
use crate::apply::ApplyHook;
use crate::config::{Check, Config, SchemaSource};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::engine::{self, Module};
use crate::eval::{Evaluator, Namespace};
use crate::grade::Session;
use crate::grade::file::{Command, RunBlock, TestFile};
use crate::grade::report::{FileReport, Message, MessageKind, RunReport, Status};
use crate::graph::Graph;
use crate::plan::{self, Evaluated, RawVar, ValueSource};
use crate::sim::Cloud;
use crate::sim::ids::IdGen;
use crate::state::{State, StateOp};
use crate::value::{Map, Value};
use expect::classify;
use keep::Keep;
use premise::Premises;

/// Told about progress so output can stream while tests run.
pub trait Observer {
    fn file_started(&mut self, _file: &TestFile) {}
    fn run_started(&mut self, _file: &TestFile, _run: &RunBlock) {}
    fn run_finished(&mut self, _file: &TestFile, _run: &RunReport) {}
    fn file_finished(&mut self, _file: &FileReport) {}
}

/// An observer that wants to know nothing.
pub struct Quiet;
impl Observer for Quiet {}

/// Commits state changes in memory: test worlds are never written to disk.
struct InMemory;

impl ApplyHook for InMemory {
    fn journals_world(&self) -> bool {
        false
    }

    fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        _world: Option<serde_json::Value>,
    ) -> Result<(), String> {
        for op in &ops {
            state.apply_op(op);
        }
        Ok(())
    }
}

/// The identifier seed of a test file: its report name, so re-runs get the same ids.
pub fn seed_of(name: &str) -> u64 {
    let digest = crate::sim::crypto::sha256_hex(name.as_bytes());
    u64::from_str_radix(digest.get(..16).unwrap_or("0"), 16).unwrap_or(0)
}

/// Everything one test file's runs share.
struct FileRun<'s> {
    session: &'s Session,
    file: &'s TestFile,
    cfg: &'s Config,
    graph: &'s Graph,
    cloud: Cloud,
    state: State,
    /// `run.NAME` -> that run's outputs.
    runs: Map,
    /// Which action results the file can read (the rest is not kept).
    keep: Keep,
    kinds: Vec<&'static str>,
    /// How each earlier run ended (a later run reading one that did not pass is not graded).
    outcomes: BTreeMap<String, Status>,
    /// The state of each module `run.module` blocks name, by source.
    module_states: BTreeMap<String, State>,
}

/// Runs one test file.
pub(crate) fn run_file(session: &Session, file: &TestFile, obs: &mut dyn Observer) -> FileReport {
    obs.file_started(file);
    let mut report = FileReport {
        name: file.name.clone(),
        runs: Vec::new(),
    };
    let setup = match &session.config {
        Ok((cfg, graph)) => world_for(session, file, cfg).map(|cloud| FileRun {
            session,
            file,
            cfg,
            graph,
            cloud,
            state: State::new(format!("keyform-test-{:016x}", seed_of(&file.name))),
            runs: Map::new(),
            keep: Keep::of(file),
            kinds: kinds(),
            outcomes: BTreeMap::new(),
            module_states: BTreeMap::new(),
        }),
        Err(d) => Err(config_messages(session, d)),
    };
    match setup {
        Ok(mut fr) => {
            for run in &file.runs {
                obs.run_started(file, run);
                let started = std::time::Instant::now();
                let mut r = fr.run(run);
                r.time = started.elapsed();
                fr.outcomes.insert(run.name.clone(), r.status);
                obs.run_finished(file, &r);
                report.runs.push(r);
            }
        }
        Err(messages) => {
            for run in &file.runs {
                obs.run_started(file, run);
                let r = RunReport {
                    name: run.name.clone(),
                    command: run.command,
                    status: Status::Error,
                    points: run.points,
                    messages: messages.clone(),
                    summary: None,
                    actions: Vec::new(),
                    time: std::time::Duration::ZERO,
                };
                obs.run_finished(file, &r);
                report.runs.push(r);
            }
        }
    }
    obs.file_finished(&report);
    report
}

fn kinds() -> Vec<&'static str> {
    let s = engine::schemas();
    let mut k = s.resource_kinds(Mode::Managed);
    k.extend(s.resource_kinds(Mode::Data));
    k
}

fn config_messages(session: &Session, d: &Diagnostics) -> Vec<Message> {
    d.iter()
        .filter(|x| x.is_error())
        .map(|x| Message {
            kind: MessageKind::Config,
            location: located(session, x.span),
            text: format!("the configuration could not be loaded: {}", one_line(x)),
        })
        .collect()
}

/// `file:line:col` of a span.
fn located(session: &Session, span: Option<Span>) -> Option<String> {
    span.and_then(|s| session.sources.locate(s))
        .map(|(f, l, c)| format!("{f}:{l}:{c}"))
}

/// `file:line` of a span (how assert and action failures point into test files).
fn line_of(session: &Session, span: Option<Span>) -> Option<String> {
    span.and_then(|s| session.sources.locate(s))
        .map(|(f, l, _)| format!("{f}:{l}"))
}

/// A diagnostic on one line: summary, subject and detail.
fn one_line(d: &Diagnostic) -> String {
    let mut s = d.summary.clone();
    if let Some(subject) = &d.subject {
        s.push_str(&format!(" ({subject})"));
    }
    if !d.detail.is_empty() {
        s.push_str(": ");
        s.push_str(&d.detail.replace('\n', " "));
    }
    s
}

/// The file's world: in memory, at T0, identifiers seeded by the file's name.
fn world_for(session: &Session, file: &TestFile, cfg: &Config) -> Result<Cloud, Vec<Message>> {
    let mut inputs = session.inputs.clone();
    let ns = Namespace::new();
    for a in &file.variables {
        if let Ok(v) = Evaluator::new(&ns, &cfg.dir).eval(&a.value) {
            inputs.insert(a.name.clone(), RawVar::Value(v));
        }
    }
    let region = plan::provider_region(cfg, &inputs);
    Cloud::in_memory(
        crate::sim::DEFAULT_ACCOUNT,
        &region,
        super::T0,
        IdGen::seeded(seed_of(&file.name)),
    )
    .map_err(|e| {
        vec![Message {
            kind: MessageKind::Command,
            location: None,
            text: format!("the test world could not be created: {e}"),
        }]
    })
}

/// The outcome of a run's command.
enum Outcome {
    /// Values for actions and asserts, what the command did, and the check block failures the
    /// run answers for (the plan's for `plan`, those after the command for `apply` and `none`).
    Done(Evaluated, Option<String>, Diagnostics),
    /// The command failed with these diagnostics (state and world already restored), while
    /// planning or (`planning == false`) while applying.
    Failed { planning: bool, diags: Diagnostics },
}

impl<'s> FileRun<'s> {
    /// Runs `run` against the configuration under test, or against the module its `module`
    /// block names: that module's configuration and its own state (kept across the file's runs
    /// of it, as `terraform test` keeps one state per module), in the same world.
    fn run(&mut self, run: &RunBlock) -> RunReport {
        let Some(m) = &run.module else {
            return self.run_here(run);
        };
        let (cfg, graph) = match self.session.modules.get(&m.source) {
            Some(Ok((c, g))) => (c, g),
            Some(Err(d)) => {
                let mut r = self.report(run);
                r.status = Status::Error;
                r.messages = d
                    .iter()
                    .filter(|x| x.is_error())
                    .map(|x| Message {
                        kind: MessageKind::Command,
                        location: located(self.session, x.span.or(Some(m.span))),
                        text: format!(
                            "the module {} could not be loaded: {}",
                            m.source,
                            one_line(x)
                        ),
                    })
                    .collect();
                return r;
            }
            None => return self.report(run),
        };
        let lineage = format!("keyform-test-{:016x}", seed_of(&m.source));
        let theirs = self
            .module_states
            .remove(&m.source)
            .unwrap_or_else(|| State::new(lineage));
        let ours = std::mem::replace(&mut self.state, theirs);
        let under_test = (
            std::mem::replace(&mut self.cfg, cfg),
            std::mem::replace(&mut self.graph, graph),
        );
        let r = self.run_here(run);
        (self.cfg, self.graph) = under_test;
        let theirs = std::mem::replace(&mut self.state, ours);
        self.module_states.insert(m.source.clone(), theirs);
        r
    }

    /// A report of `run` that passed, with nothing in it yet.
    fn report(&self, run: &RunBlock) -> RunReport {
        RunReport {
            name: run.name.clone(),
            command: run.command,
            status: Status::Pass,
            points: run.points,
            messages: Vec::new(),
            summary: None,
            actions: Vec::new(),
            time: std::time::Duration::ZERO,
        }
    }

    fn run_here(&mut self, run: &RunBlock) -> RunReport {
        let mut r = RunReport {
            name: run.name.clone(),
            command: run.command,
            status: Status::Pass,
            points: run.points,
            messages: Vec::new(),
            summary: None,
            actions: Vec::new(),
            time: std::time::Duration::ZERO,
        };
        let (inputs, test_vars) = match self.variables(run) {
            Ok(x) => x,
            Err(m) => {
                r.status = Status::Error;
                r.messages = m;
                return r;
            }
        };
        let values = match self.command(run, &inputs) {
            Outcome::Done(v, summary, checks) => {
                r.summary = summary;
                let (covered, uncovered) = classify(&checks, &run.expect_failures);
                r.messages
                    .extend(expect::unexpected(self.session, &uncovered));
                r.messages.extend(missing(self.session, run, &covered));
                v
            }
            Outcome::Failed { planning, diags } => {
                let (covered, uncovered) = classify(&diags, &run.expect_failures);
                if uncovered.iter().any(|d| d.is_error()) {
                    r.status = Status::Error;
                    r.messages = uncovered
                        .iter()
                        .filter(|d| d.is_error())
                        .map(|d| Message {
                            kind: MessageKind::Command,
                            location: located(self.session, d.span),
                            text: format!("{} failed: {}", run.command.as_str(), one_line(d)),
                        })
                        .collect();
                    return r;
                }
                if planning && run.command == Command::Apply {
                    // As in `terraform test`: the expected failure stopped the plan, so the
                    // apply the run asks for never happened, and the run fails.
                    r.summary = Some("plan failed as expected; the apply could not run".into());
                    r.messages
                        .extend(expect::while_planning(self.session, &diags, run));
                } else {
                    // (The check blocks of an apply run's plan are warnings: only those of the
                    // apply count, and a plan run's own.)
                    r.messages
                        .extend(expect::unexpected(self.session, &uncovered));
                    r.summary = Some(format!("{} failed as expected", run.command.as_str()));
                    r.messages.extend(missing(self.session, run, &covered));
                }
                self.evaluate(&inputs, None)
            }
        };
        // The evaluated namespace, the outputs and the earlier runs' results move into the
        // run's namespace and back out after it: nothing is copied, however large the results.
        let Evaluated {
            namespace: mut ns,
            outputs,
            ..
        } = values;
        let mut var = test_vars;
        if let Some(Value::Object(declared)) = ns.roots.remove("var") {
            var.extend(declared);
        }
        ns.set("var", Value::Object(var));
        ns.set("output", Value::Object(outputs));
        ns.set("run", Value::Object(std::mem::take(&mut self.runs)));
        ns.set("action", Value::Object(Map::new()));
        // Actions not called for a missing premise, with it: checks reading them need it too.
        let mut not_called = BTreeMap::new();
        for a in &run.actions {
            let wanted = self.keep.wanted(&run.name, &a.name);
            let (value, outcome, message) = self.action(a, &ns, &wanted, run.command, &not_called);
            if let Some(m) = message {
                if m.kind == MessageKind::Premise {
                    not_called.insert(a.name.clone(), m.text.clone());
                }
                r.messages.push(m);
            }
            r.actions.push(outcome);
            // Inserted in place: later actions see earlier results without copying them all.
            if let Some(Value::Object(results)) = ns.roots.get_mut("action") {
                results.insert(a.name.clone(), value);
            }
        }
        for c in &run.asserts {
            if let Some(m) = self.assert(c, &ns, run.command, &not_called) {
                r.messages.push(m);
            }
        }
        // `run.NAME` holds that run's outputs and, under `action`, its action results, so a
        // later run can refer to what an earlier one saw (a key's ARN before a destroy).
        if let Some(Value::Object(runs)) = ns.roots.remove("run") {
            self.runs = runs;
        }
        let mut seen = match ns.roots.remove("output") {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        if let Some(results) = ns.roots.remove("action") {
            seen.entry("action".to_string()).or_insert(results);
        }
        self.runs.insert(run.name.clone(), Value::Object(seen));
        // One missing premise is told once, however many checks need it.
        let mut told = std::collections::BTreeSet::new();
        r.messages
            .retain(|m| m.kind != MessageKind::Premise || told.insert(m.text.clone()));
        if r.messages.iter().all(|m| m.kind == MessageKind::Premise) && !r.messages.is_empty() {
            r.status = Status::NotGraded;
        } else if !r.messages.is_empty() {
            r.status = Status::Fail;
        }
        r
    }

    /// What this run's checks can rely on.
    fn premises<'a>(
        &'a self,
        command: Command,
        actions: &'a BTreeMap<String, String>,
    ) -> Premises<'a> {
        Premises {
            state: &self.state,
            cfg: self.cfg,
            command,
            runs: &self.outcomes,
            actions,
        }
    }

    fn evaluator<'n>(&'n self, ns: &'n Namespace) -> Evaluator<'n> {
        Evaluator {
            ns,
            locals: Vec::new(),
            base_dir: &self.cfg.dir,
            resource_kinds: &self.kinds,
        }
    }

    /// The inputs of the run's command, and every test variable's value for `var.*`.
    fn variables(
        &mut self,
        run: &RunBlock,
    ) -> Result<(BTreeMap<String, RawVar>, Map), Vec<Message>> {
        let mut inputs = self.session.inputs.clone();
        let mut vars = Map::new();
        for (k, v) in &inputs {
            let value = match v {
                RawVar::Text(t) => Value::String(t.clone()),
                RawVar::Value(x) => x.clone(),
            };
            vars.insert(k.clone(), value);
        }
        let mut errors = Vec::new();
        for scope in [&self.file.variables, &run.variables] {
            if scope.is_empty() {
                continue;
            }
            // Moved in and back out: earlier runs' results can be large.
            let mut ns = Namespace::new();
            ns.set("var", Value::Object(std::mem::take(&mut vars)));
            ns.set("run", Value::Object(std::mem::take(&mut self.runs)));
            let mut set = Vec::new();
            for a in scope {
                match self.evaluator(&ns).eval(&a.value) {
                    Ok(v) if v.is_unknown() => errors.push(Message {
                        kind: MessageKind::Variables,
                        location: located(self.session, Some(a.name_span)),
                        text: format!(
                            "variable \"{}\" depends on a value known only after apply",
                            a.name
                        ),
                    }),
                    Ok(v) => set.push((a.name.clone(), v)),
                    Err(d) => errors.push(Message {
                        kind: MessageKind::Variables,
                        location: located(self.session, d.span.or(Some(a.name_span))),
                        text: format!("variable \"{}\": {}", a.name, one_line(&d)),
                    }),
                }
            }
            if let Some(Value::Object(m)) = ns.roots.remove("var") {
                vars = m;
            }
            if let Some(Value::Object(m)) = ns.roots.remove("run") {
                self.runs = m;
            }
            for (k, v) in set {
                inputs.insert(k.clone(), RawVar::Value(v.clone()));
                vars.insert(k, v);
            }
        }
        if errors.is_empty() {
            Ok((inputs, vars))
        } else {
            Err(errors)
        }
    }

    /// The configuration, its graph and these inputs, as the engine takes them.
    fn module<'i>(&self, inputs: &'i BTreeMap<String, RawVar>) -> Module<'i>
    where
        's: 'i,
    {
        Module {
            cfg: self.cfg,
            graph: self.graph,
            inputs,
        }
    }

    /// Values as the configuration sees them now (after a failed command: before the run).
    fn evaluate(
        &mut self,
        inputs: &BTreeMap<String, RawVar>,
        plan: Option<&plan::Plan>,
    ) -> Evaluated {
        let source = match plan {
            Some(p) => ValueSource::Planned(p, &self.state),
            None => ValueSource::State(&self.state),
        };
        engine::evaluate(self.module(inputs), &mut self.cloud, source)
    }

    fn command(&mut self, run: &RunBlock, inputs: &BTreeMap<String, RawVar>) -> Outcome {
        if run.command == Command::None {
            // Nothing to undo: no copy of the state and the world (object bodies and all).
            let mut values = self.evaluate(inputs, None);
            let checks = std::mem::take(&mut values.checks);
            return Outcome::Done(values, None, checks);
        }
        if run.command == Command::Plan {
            // Planning changes neither the state nor the world: nothing to put back.
            let m = self.module(inputs);
            return match engine::plan(m, &self.state, &mut self.cloud, &run.plan_options) {
                Ok(p) => {
                    let summary = plan_summary(&p);
                    let checks = Diagnostics(
                        p.warnings
                            .iter()
                            .filter(|d| expect::is_check_failure(d))
                            .cloned()
                            .collect(),
                    );
                    let mut values = self.evaluate(inputs, Some(&p));
                    values.checks = Diagnostics::new();
                    Outcome::Done(values, Some(summary), checks)
                }
                Err(diags) => Outcome::Failed {
                    planning: true,
                    diags,
                },
            };
        }
        let before = (self.state.clone(), self.cloud.world.clone());
        match self.apply(run, inputs) {
            Ok(summary) => {
                let mut values = self.evaluate(inputs, None);
                // A destroy leaves nothing for check blocks to look at.
                let checks = if run.command == Command::Apply {
                    std::mem::take(&mut values.checks)
                } else {
                    Diagnostics::new()
                };
                Outcome::Done(values, summary, checks)
            }
            Err((planning, mut diags)) => {
                if !planning && run.command == Command::Apply {
                    // Check blocks ran during the apply, except those downstream of what failed.
                    let checks = self.evaluate(inputs, None).checks;
                    let failed = expect::failed_resources(&diags);
                    diags.0.retain(|d| !expect::is_check_failure(d));
                    let kept = checks.0.into_iter().filter(|c| {
                        let node = c
                            .subject
                            .as_deref()
                            .and_then(|s| s.strip_prefix("check."))
                            .map(|n| crate::graph::Node::Check(n.to_string()));
                        node.is_none_or(|n| {
                            self.graph.resource_dependencies(&n).is_disjoint(&failed)
                        })
                    });
                    diags.extend(Diagnostics(kept.collect()));
                }
                self.state = before.0;
                self.cloud.restore_world(before.1);
                Outcome::Failed { planning, diags }
            }
        }
    }

    /// Apply or destroy; a trail delivers at the end of the command. A failure says whether it
    /// came from the plan (`true`) or from applying it.
    fn apply(
        &mut self,
        run: &RunBlock,
        inputs: &BTreeMap<String, RawVar>,
    ) -> Result<Option<String>, (bool, Diagnostics)> {
        let destroy = run.command == Command::Destroy;
        let m = self.module(inputs);
        let outcome = if destroy {
            engine::destroy(m, &mut self.state, &mut self.cloud, &mut InMemory)
        } else {
            let opts = &run.plan_options;
            engine::plan_and_apply(m, &mut self.state, &mut self.cloud, opts, &mut InMemory)
        }
        .map_err(|d| (true, d))?;
        if outcome.diags.has_errors() {
            return Err((false, outcome.diags));
        }
        Ok(Some(if destroy {
            format!("destroy: {} destroyed", outcome.destroyed)
        } else {
            format!(
                "apply: {} added, {} changed, {} destroyed",
                outcome.added, outcome.changed, outcome.destroyed
            )
        }))
    }

    fn assert(
        &self,
        c: &Check,
        ns: &Namespace,
        command: Command,
        not_called: &BTreeMap<String, String>,
    ) -> Option<Message> {
        let ev = self.evaluator(ns);
        let at = line_of(self.session, c.condition.span().or(Some(c.span)));
        let undecided = |fallback: Option<Message>| match self
            .premises(command, not_called)
            .missing(&c.condition)
        {
            Some(needs) => Some(Message {
                kind: MessageKind::Premise,
                location: at.clone(),
                text: needs,
            }),
            None => fallback,
        };
        let message = |ev: &Evaluator<'_>| match ev.eval(&c.error_message) {
            Ok(Value::String(s)) => s,
            Ok(v) if !v.is_unknown() => v.to_string(),
            _ => "(the error message could not be evaluated)".to_string(),
        };
        let fail = |text: String| {
            Some(Message {
                kind: MessageKind::Assert,
                location: at.clone(),
                text,
            })
        };
        match ev.eval(&c.condition) {
            Ok(Value::Bool(true)) => None,
            Ok(Value::String(s)) if s == "true" => None,
            Ok(Value::Bool(false)) => fail(message(&ev)),
            Ok(Value::String(s)) if s == "false" => fail(message(&ev)),
            Ok(v) if v.is_unknown() => undecided(fail(format!(
                "{} (the condition could not be decided: it depends on values known only after apply, or on an action that did not run)",
                message(&ev)
            ))),
            Ok(v) => fail(format!(
                "{} (the condition must be true or false, got {})",
                message(&ev),
                v.type_name()
            )),
            Err(d) => undecided(fail(format!(
                "{} (the condition could not be evaluated: {})",
                message(&ev),
                one_line(&d)
            ))),
        }
    }
}

/// A message for each expectation not among `covered`.
fn missing(session: &Session, run: &RunBlock, covered: &[usize]) -> Vec<Message> {
    run.expect_failures
        .iter()
        .enumerate()
        .filter(|(i, _)| !covered.contains(i))
        .map(|(_, e)| expect::missing_failure(session, e))
        .collect()
}

fn plan_summary(p: &plan::Plan) -> String {
    use crate::plan::Action;
    let (mut add, mut change, mut destroy) = (0, 0, 0);
    for c in p.effective() {
        match c.action {
            Action::Create => add += 1,
            Action::Update => change += 1,
            Action::Delete => destroy += 1,
            a if a.is_replace() => {
                add += 1;
                destroy += 1;
            }
            _ => {}
        }
    }
    format!("plan: {add} to add, {change} to change, {destroy} to destroy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_only_on_the_file_name() {
        assert_eq!(seed_of("tests/a.tftest.hcl"), seed_of("tests/a.tftest.hcl"));
        assert_ne!(seed_of("tests/a.tftest.hcl"), seed_of("tests/b.tftest.hcl"));
    }
}
