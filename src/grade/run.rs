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

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value as Json;

use crate::addr::{Mode, TargetAddr};
use crate::apply::{self, ApplyHook};
use crate::config::{Check, Config, SchemaSource};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::eval::{Evaluator, Namespace};
use crate::grade::Session;
use crate::grade::file::{
    ActionBlock, CLOCK_ADVANCE, Caller, Command, Expected, ExpectedFailure, RunBlock, TestFile,
};
use crate::grade::report::{ActionOutcome, FileReport, Message, MessageKind, RunReport, Status};
use crate::graph::Graph;
use crate::plan::{self, Evaluated, PlanMode, PlanOptions, RawVar, ValueSource};
use crate::provider::aws::{AwsProvider, AwsSchemas};
use crate::sim::ids::IdGen;
use crate::sim::{CallContext, Cloud};
use crate::state::{State, StateOp};
use crate::value::{Map, Value};

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
    kinds: Vec<&'static str>,
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
            kinds: kinds(),
        }),
        Err(d) => Err(config_messages(session, d)),
    };
    match setup {
        Ok(mut fr) => {
            for run in &file.runs {
                obs.run_started(file, run);
                let r = fr.run(run);
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
    let s = AwsSchemas::get();
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
    /// Values for actions and asserts, and what the command did.
    Done(Evaluated, Option<String>),
    /// The command failed with these diagnostics (state and world already restored).
    Failed(Diagnostics),
}

impl FileRun<'_> {
    fn run(&mut self, run: &RunBlock) -> RunReport {
        let mut r = RunReport {
            name: run.name.clone(),
            command: run.command,
            status: Status::Pass,
            points: run.points,
            messages: Vec::new(),
            summary: None,
            actions: Vec::new(),
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
            Outcome::Done(v, summary) => {
                r.summary = summary;
                for e in &run.expect_failures {
                    r.messages.push(missing_failure(self.session, e));
                }
                v
            }
            Outcome::Failed(diags) => {
                let (covered, uncovered) = classify(&diags, &run.expect_failures);
                if !uncovered.is_empty() {
                    r.status = Status::Error;
                    r.messages = uncovered
                        .iter()
                        .map(|d| Message {
                            kind: MessageKind::Command,
                            location: located(self.session, d.span),
                            text: format!("{} failed: {}", run.command.as_str(), one_line(d)),
                        })
                        .collect();
                    return r;
                }
                r.summary = Some(format!("{} failed as expected", run.command.as_str()));
                for (i, e) in run.expect_failures.iter().enumerate() {
                    if !covered.contains(&i) {
                        r.messages.push(missing_failure(self.session, e));
                    }
                }
                self.evaluate(&inputs, None)
            }
        };
        let mut ns = values.namespace.clone();
        let mut var = test_vars;
        if let Some(Value::Object(declared)) = values.namespace.roots.get("var") {
            var.extend(declared.clone());
        }
        ns.set("var", Value::Object(var));
        ns.set("output", Value::Object(values.outputs.clone()));
        ns.set("run", Value::Object(self.runs.clone()));
        ns.set("action", Value::Object(Map::new()));
        for a in &run.actions {
            let (value, outcome, message) = self.action(a, &ns);
            if let Some(m) = message {
                r.messages.push(m);
            }
            r.actions.push(outcome);
            // Inserted in place: later actions see earlier results without copying them all.
            if let Some(Value::Object(results)) = ns.roots.get_mut("action") {
                results.insert(a.name.clone(), value);
            }
        }
        for c in &run.asserts {
            if let Some(m) = self.assert(c, &ns) {
                r.messages.push(m);
            }
        }
        // `run.NAME` holds that run's outputs and, under `action`, its action results, so a
        // later run can refer to what an earlier one saw (a key's ARN before a destroy).
        let mut seen = values.outputs;
        if let Some(results) = ns.roots.remove("action") {
            seen.entry("action".to_string()).or_insert(results);
        }
        self.runs.insert(run.name.clone(), Value::Object(seen));
        if !r.messages.is_empty() {
            r.status = Status::Fail;
        }
        r
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
    fn variables(&self, run: &RunBlock) -> Result<(BTreeMap<String, RawVar>, Map), Vec<Message>> {
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
            let mut ns = Namespace::new();
            ns.set("var", Value::Object(vars.clone()));
            ns.set("run", Value::Object(self.runs.clone()));
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

    /// Values as the configuration sees them now (after a failed command: before the run).
    fn evaluate(
        &mut self,
        inputs: &BTreeMap<String, RawVar>,
        plan: Option<&plan::Plan>,
    ) -> Evaluated {
        let mut provider = AwsProvider::new(&mut self.cloud, &self.cfg.dir);
        let source = match plan {
            Some(p) => ValueSource::Planned(p, &self.state),
            None => ValueSource::State(&self.state),
        };
        plan::evaluate(
            self.cfg,
            self.graph,
            AwsSchemas::get(),
            inputs,
            &mut provider,
            source,
        )
    }

    fn command(&mut self, run: &RunBlock, inputs: &BTreeMap<String, RawVar>) -> Outcome {
        let before = (self.state.clone(), self.cloud.world.clone());
        let result = match run.command {
            Command::None => Ok(None),
            Command::Plan => {
                let mut provider = AwsProvider::new(&mut self.cloud, &self.cfg.dir);
                match plan::plan(
                    self.cfg,
                    self.graph,
                    &self.state,
                    &mut provider,
                    AwsSchemas::get(),
                    inputs,
                    &PlanOptions::default(),
                ) {
                    Ok(p) => {
                        let summary = plan_summary(&p);
                        let values = self.evaluate(inputs, Some(&p));
                        return Outcome::Done(values, Some(summary));
                    }
                    Err(d) => Err(d),
                }
            }
            Command::Apply | Command::Destroy => self.apply(run.command, inputs),
        };
        match result {
            Ok(summary) => Outcome::Done(self.evaluate(inputs, None), summary),
            Err(d) => {
                self.state = before.0;
                self.cloud.restore_world(before.1);
                Outcome::Failed(d)
            }
        }
    }

    fn apply(
        &mut self,
        command: Command,
        inputs: &BTreeMap<String, RawVar>,
    ) -> Result<Option<String>, Diagnostics> {
        let destroy = command == Command::Destroy;
        let opts = PlanOptions {
            mode: if destroy {
                PlanMode::Destroy
            } else {
                PlanMode::Normal
            },
            ..PlanOptions::default()
        };
        let outcome = {
            let mut provider = AwsProvider::new(&mut self.cloud, &self.cfg.dir);
            let p = plan::plan(
                self.cfg,
                self.graph,
                &self.state,
                &mut provider,
                AwsSchemas::get(),
                inputs,
                &opts,
            )?;
            apply::apply(
                self.cfg,
                self.graph,
                &p,
                &mut self.state,
                &mut provider,
                AwsSchemas::get(),
                inputs,
                &mut InMemory,
            )
        };
        // A trail delivers at the end of each command.
        self.cloud.deliver_trails();
        if outcome.diags.has_errors() {
            return Err(outcome.diags);
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

    /// Calls one action; returns its value for `action.NAME`, its outcome, and a message when
    /// the outcome is not the expected one.
    fn action(
        &mut self,
        a: &ActionBlock,
        ns: &Namespace,
    ) -> (Value, ActionOutcome, Option<Message>) {
        let mut outcome = ActionOutcome {
            name: a.name.clone(),
            call: a.call.to_string(),
            caller: crate::sim::LAB_ADMIN.to_string(),
            error: None,
            as_expected: false,
        };
        let prepared = self.prepare(a, ns);
        let (ctx, params) = match prepared {
            Ok(x) => x,
            Err(why) => {
                outcome.error = Some("NotCalled".into());
                let m = self.action_message(a, &outcome.caller, why);
                return (Value::Unknown, outcome, Some(m));
            }
        };
        outcome.caller = match &ctx.principal {
            crate::sim::Principal::User(u) => u.clone(),
            crate::sim::Principal::Anonymous => "anonymous".into(),
            crate::sim::Principal::Service(s) => s.clone(),
        };
        let result = if a.call == CLOCK_ADVANCE {
            self.advance(&params)
        } else {
            call(&mut self.cloud, &ctx, a.call, params)
        };
        // A trail delivers at the end of each command or clock step: actions are both.
        self.cloud.deliver_trails();
        let (value, error) = match result {
            Ok(mut v) => {
                v.insert("error".into(), Value::Null);
                (Value::Object(v), None)
            }
            Err((code, message)) => {
                let mut v = Map::new();
                v.insert("error".into(), Value::String(code.clone()));
                (Value::Object(v), Some((code, message)))
            }
        };
        outcome.error = error.as_ref().map(|(c, _)| c.clone());
        let why = match (&a.expect_error, &error) {
            (None, None) => None,
            (Some(want), Some((got, _))) if want == got => None,
            (Some(want), None) => Some(format!("expected {want}, got success")),
            (Some(want), Some((got, msg))) => Some(format!("expected {want}, got {got}: {msg}")),
            (None, Some((got, msg))) => Some(format!("expected success, got {got}: {msg}")),
        };
        outcome.as_expected = why.is_none();
        let m = why.map(|w| self.action_message(a, &outcome.caller, w));
        (value, outcome, m)
    }

    fn action_message(&self, a: &ActionBlock, caller: &str, why: String) -> Message {
        let who = if a.call == CLOCK_ADVANCE {
            String::new()
        } else {
            format!(" as {caller}")
        };
        Message {
            kind: MessageKind::Action,
            location: line_of(self.session, Some(a.span)),
            text: format!("action \"{}\" ({}{who}): {why}", a.name, a.call),
        }
    }

    /// The caller and the evaluated parameters of an action.
    fn prepare(&self, a: &ActionBlock, ns: &Namespace) -> Result<(CallContext, Value), String> {
        let ev = self.evaluator(ns);
        let ctx = match &a.caller {
            Caller::Admin => CallContext::lab_admin(),
            Caller::Anonymous => CallContext::anonymous(),
            Caller::User(e) => match ev.eval(e) {
                Ok(Value::String(u)) if !u.is_empty() => CallContext::user(&u),
                Ok(v) if v.is_unknown() => {
                    return Err("its caller (as) depends on a value that is not known".into());
                }
                Ok(v) => {
                    return Err(format!(
                        "as must be an IAM user name (a string), got {}",
                        v.type_name()
                    ));
                }
                Err(d) => {
                    return Err(format!(
                        "its caller could not be evaluated: {}",
                        one_line(&d)
                    ));
                }
            },
        };
        let params = match &a.params {
            None => Value::Object(Map::new()),
            Some(e) => ev
                .eval(e)
                .map_err(|d| format!("its params could not be evaluated: {}", one_line(&d)))?,
        };
        if params.is_unknown() {
            return Err("its params depend on values known only after apply (or on an action that did not run)".into());
        }
        match params {
            Value::Object(_) => Ok((ctx, params)),
            Value::Null => Ok((ctx, Value::Object(Map::new()))),
            other => Err(format!(
                "params must be an object of AWS parameter names, like {{ Bucket = \"b\", Key = \"k\" }}, not {}",
                other.type_name()
            )),
        }
    }

    fn advance(&mut self, params: &Value) -> Result<Map, (String, String)> {
        let bad = |m: String| ("ParamValidation".to_string(), m);
        let d = match params.get("Duration") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(bad(format!(
                    "Duration must be a string like \"8d\" or \"36h\", not {}",
                    other.type_name()
                )));
            }
            None => {
                return Err(bad(
                    "Missing required parameter in input: \"Duration\" (like Duration = \"8d\")"
                        .into(),
                ));
            }
        };
        if let Some(k) = params
            .as_object()
            .and_then(|m| m.keys().find(|k| *k != "Duration"))
        {
            return Err(bad(format!(
                "Unknown parameter in input: \"{k}\", must be one of: Duration"
            )));
        }
        let ms = crate::sim::clock::parse_duration(&d).map_err(bad)?;
        let events = self.cloud.advance_clock(ms);
        let mut out = Map::new();
        out.insert(
            "Now".into(),
            Value::String(crate::sim::clock::iso8601(self.cloud.now())),
        );
        out.insert(
            "Events".into(),
            Value::List(events.into_iter().map(Value::String).collect()),
        );
        Ok(out)
    }

    fn assert(&self, c: &Check, ns: &Namespace) -> Option<Message> {
        let ev = self.evaluator(ns);
        let at = line_of(self.session, c.condition.span().or(Some(c.span)));
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
            Ok(v) if v.is_unknown() => fail(format!(
                "{} (the condition could not be decided: it depends on values known only after apply, or on an action that did not run)",
                message(&ev)
            )),
            Ok(v) => fail(format!(
                "{} (the condition must be true or false, got {})",
                message(&ev),
                v.type_name()
            )),
            Err(d) => fail(format!(
                "{} (the condition could not be evaluated: {})",
                message(&ev),
                one_line(&d)
            )),
        }
    }
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

fn missing_failure(session: &Session, e: &ExpectedFailure) -> Message {
    let what = match e.target {
        Expected::Var(_) => "its validation",
        Expected::Output(_) => "its precondition",
        Expected::Resource(_) => "a precondition or postcondition",
    };
    Message {
        kind: MessageKind::Expectation,
        location: line_of(session, Some(e.span)),
        text: format!("expected {} to fail {what}, but it did not", e.text),
    }
}

/// Splits a failed command's errors into those `expect_failures` covers (by index of the
/// expectation) and the others.
fn classify<'d>(
    diags: &'d Diagnostics,
    expected: &[ExpectedFailure],
) -> (Vec<usize>, Vec<&'d Diagnostic>) {
    let mut covered = Vec::new();
    let mut uncovered = Vec::new();
    for d in diags.iter().filter(|d| d.is_error()) {
        let target = failure_target(d);
        match target.and_then(|t| expected.iter().position(|e| e.target == t)) {
            Some(i) => covered.push(i),
            None => uncovered.push(d),
        }
    }
    covered.sort_unstable();
    covered.dedup();
    (covered, uncovered)
}

/// What a validation or condition failure is about, as an `expect_failures` entry would name it.
fn failure_target(d: &Diagnostic) -> Option<Expected> {
    let subject = d.subject.as_deref()?;
    match d.summary.as_str() {
        "Invalid value for variable" => subject
            .strip_prefix("var.")
            .map(|n| Expected::Var(n.into())),
        "Module output value precondition failed" => subject
            .strip_prefix("output.")
            .map(|n| Expected::Output(n.into())),
        "Resource precondition failed" | "Resource postcondition failed" => subject
            .parse::<TargetAddr>()
            .ok()
            .map(|t| Expected::Resource(t.resource)),
        _ => None,
    }
}

/// Calls an operation with test-file conventions for byte parameters and results.
fn call(
    cloud: &mut Cloud,
    ctx: &CallContext,
    op: &str,
    params: Value,
) -> Result<Map, (String, String)> {
    let (json, body) = wire_params(op, params).map_err(|m| ("ParamValidation".to_string(), m))?;
    let resp = cloud
        .call(ctx, op, &json, body.as_deref())
        .map_err(|e| (e.code, e.message))?;
    let mut out = match Value::from_json(&resp.fields) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if let Some(b) = &resp.body {
        out.insert("BodyBase64".into(), Value::String(B64.encode(&**b)));
        let text = std::str::from_utf8(b).map_or_else(|_| B64.encode(&**b), str::to_string);
        out.insert("Body".into(), Value::String(text));
    }
    if matches!(op, "kms:Decrypt" | "kms:GenerateDataKey")
        && let Some(Value::String(b64)) = out.get("Plaintext").cloned()
    {
        out.insert("PlaintextBase64".into(), Value::String(b64.clone()));
        if let Some(text) = B64
            .decode(&b64)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            out.insert("Plaintext".into(), Value::String(text));
        }
    }
    Ok(out)
}

/// Parameters on the wire: `Body`/`BodyBase64` of PutObject become the request body,
/// `Plaintext` text becomes base64 and `PlaintextBase64` passes through as `Plaintext`.
fn wire_params(op: &str, params: Value) -> Result<(Json, Option<Vec<u8>>), String> {
    let Value::Object(mut m) = params else {
        return Ok((Json::Object(Default::default()), None));
    };
    let text = |v: Value, name: &str| match v {
        Value::String(s) => Ok(s),
        other => Err(format!(
            "{name} must be a string, not {}",
            other.type_name()
        )),
    };
    let b64 = |s: String, name: &str| {
        B64.decode(s.trim()).map_err(|_| {
            format!("{name} must be base64, like the CiphertextBlob an action returned")
        })
    };
    let mut body = None;
    if op == "s3:PutObject" {
        match (m.remove("Body"), m.remove("BodyBase64")) {
            (Some(_), Some(_)) => return Err("give Body (text) or BodyBase64, not both".into()),
            (Some(v), None) => body = Some(text(v, "Body")?.into_bytes()),
            (None, Some(v)) => body = Some(b64(text(v, "BodyBase64")?, "BodyBase64")?),
            (None, None) => {}
        }
    }
    match (m.remove("Plaintext"), m.remove("PlaintextBase64")) {
        (Some(_), Some(_)) => {
            return Err("give Plaintext (text) or PlaintextBase64, not both".into());
        }
        (Some(v), None) => {
            let t = text(v, "Plaintext")?;
            m.insert("Plaintext".into(), Value::String(B64.encode(t.as_bytes())));
        }
        (None, Some(v)) => {
            let t = text(v, "PlaintextBase64")?;
            b64(t.clone(), "PlaintextBase64")?;
            m.insert("Plaintext".into(), Value::String(t));
        }
        (None, None) => {}
    }
    Ok((Value::Object(m).to_json(), body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, &str)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), Value::String((*v).to_string())))
                .collect(),
        )
    }

    #[test]
    fn text_parameters_become_bytes_on_the_wire() {
        let (j, body) =
            wire_params("s3:PutObject", obj(&[("Bucket", "b"), ("Body", "héllo")])).unwrap();
        assert_eq!(j, serde_json::json!({"Bucket": "b"}));
        assert_eq!(body.unwrap(), "héllo".as_bytes());
        let (_, body) = wire_params("s3:PutObject", obj(&[("BodyBase64", "AAEC")])).unwrap();
        assert_eq!(body.unwrap(), vec![0, 1, 2]);
        let (j, _) = wire_params("kms:Encrypt", obj(&[("Plaintext", "hi")])).unwrap();
        assert_eq!(j["Plaintext"], "aGk=");
        let (j, _) = wire_params("kms:Encrypt", obj(&[("PlaintextBase64", "AAEC")])).unwrap();
        assert_eq!(j["Plaintext"], "AAEC");
        assert_eq!(
            wire_params("kms:Encrypt", obj(&[("PlaintextBase64", "%%")])).unwrap_err(),
            "PlaintextBase64 must be base64, like the CiphertextBlob an action returned"
        );
        assert_eq!(
            wire_params(
                "s3:PutObject",
                obj(&[("Body", "a"), ("BodyBase64", "AA==")])
            )
            .unwrap_err(),
            "give Body (text) or BodyBase64, not both"
        );
    }

    #[test]
    fn seeds_depend_only_on_the_file_name() {
        assert_eq!(seed_of("tests/a.tftest.hcl"), seed_of("tests/a.tftest.hcl"));
        assert_ne!(seed_of("tests/a.tftest.hcl"), seed_of("tests/b.tftest.hcl"));
    }

    #[test]
    fn failures_are_matched_to_expectations() {
        let e = |t: Expected| ExpectedFailure {
            target: t,
            text: String::new(),
            span: Span::new(crate::diag::FileId(0), 0..0),
        };
        let expected = vec![
            e(Expected::Var("name".into())),
            e(Expected::Resource(crate::addr::ResourceAddr::managed(
                "aws_iam_user",
                "u",
            ))),
        ];
        let diags = Diagnostics(vec![
            Diagnostic::error("Invalid value for variable", "x").with_subject("var.name"),
            Diagnostic::error("Resource precondition failed", "y")
                .with_subject("aws_iam_user.u[\"bob\"]"),
            Diagnostic::error("Error creating aws_s3_bucket.b", "z"),
        ]);
        let (covered, uncovered) = classify(&diags, &expected);
        assert_eq!(covered, vec![0, 1]);
        assert_eq!(uncovered.len(), 1);
        assert_eq!(uncovered[0].summary, "Error creating aws_s3_bucket.b");
    }
}
