//! Which action results a test file can ever read, so a run keeps only those and not every
//! body it fetched: `action.get.Body` keeps GetObject's `Body` and drops its `BodyBase64` twin,
//! and an action nothing refers to keeps only its `error`.
//!
//! Decided once per file from its expressions (file and run variables, callers, params,
//! asserts): `action.NAME.ATTR` in a run and `run.RUN.action.NAME.ATTR` anywhere keep that
//! attribute; any other use of `action.NAME`, `action`, `run.RUN.action`, `run.RUN` or `run`
//! (a whole object, an index, a splat, a template directive) keeps everything it could reach.
//! Keeping more than needed is always safe; keeping less never happens.

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Element, Template};

use crate::config::Expr;
use crate::grade::file::TestFile;
use crate::value::Map;

/// What to keep of one action's result.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) enum Wanted {
    /// Only these attributes (and `error`).
    #[default]
    Nothing,
    Some(BTreeSet<String>),
    All,
}

impl Wanted {
    fn add(&mut self, attr: Option<&str>) {
        match (attr, &mut *self) {
            (_, Wanted::All) => {}
            (None, _) => *self = Wanted::All,
            (Some(a), Wanted::Some(s)) => {
                s.insert(a.to_string());
            }
            (Some(a), Wanted::Nothing) => *self = Wanted::Some(BTreeSet::from([a.to_string()])),
        }
    }

    /// Whether attribute `name` is kept.
    pub(super) fn wants(&self, name: &str) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Some(s) => name == "error" || s.contains(name),
            Wanted::Nothing => name == "error",
        }
    }

    /// Drops what is not kept.
    pub(super) fn prune(&self, m: &mut Map) {
        if *self != Wanted::All {
            m.retain(|k, _| self.wants(k));
        }
    }
}

/// Per run, per action: what is kept.
#[derive(Debug, Default)]
pub(super) struct Keep {
    /// Everything, everywhere (a bare `run`, a directive, an index into `run`).
    all: bool,
    /// Runs whose actions are all kept whole.
    whole_runs: BTreeSet<String>,
    actions: BTreeMap<(String, String), Wanted>,
}

impl Keep {
    /// What `file`'s expressions can read.
    pub(super) fn of(file: &TestFile) -> Keep {
        let mut k = Keep::default();
        for a in &file.variables {
            k.expr(None, &a.value);
        }
        for run in &file.runs {
            let here = Some(run.name.as_str());
            for a in &run.variables {
                k.expr(here, &a.value);
            }
            for a in &run.actions {
                if let Some(p) = &a.params {
                    k.expr(here, p);
                }
                if let crate::grade::file::Caller::User(e)
                | crate::grade::file::Caller::Credentials(e) = &a.caller
                {
                    k.expr(here, e);
                }
            }
            for c in &run.asserts {
                k.expr(here, &c.condition);
                k.expr(here, &c.error_message);
            }
        }
        k
    }

    /// What to keep of action `action` of run `run`.
    pub(super) fn wanted(&self, run: &str, action: &str) -> Wanted {
        if self.all || self.whole_runs.contains(run) {
            return Wanted::All;
        }
        self.actions
            .get(&(run.to_string(), action.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    fn expr(&mut self, run: Option<&str>, e: &Expr) {
        self.visit(run, &e.expr);
    }

    fn whole_run(&mut self, run: Option<&str>) {
        match run {
            Some(r) => {
                self.whole_runs.insert(r.to_string());
            }
            // `action` outside a run means nothing; keep everything rather than guess.
            None => self.all = true,
        }
    }

    fn action(&mut self, run: &str, name: &str, attr: Option<&str>) {
        self.actions
            .entry((run.to_string(), name.to_string()))
            .or_default()
            .add(attr);
    }

    /// `action...` in run `run`, with the operators after the root.
    fn action_ref(&mut self, run: Option<&str>, ops: &[&TraversalOperator]) {
        match (run, attr(ops, 0)) {
            (Some(r), Some(name)) => self.action(r, name, attr(ops, 1)),
            _ => self.whole_run(run),
        }
    }

    /// `run...`, with the operators after the root.
    fn run_ref(&mut self, ops: &[&TraversalOperator]) {
        let Some(r) = attr(ops, 0) else {
            self.all = true;
            return;
        };
        match attr(ops, 1) {
            Some("action") => match attr(ops, 2) {
                Some(name) => self.action(r, name, attr(ops, 3)),
                None => self.whole_run(Some(r)),
            },
            // An output of the run: no action result.
            Some(_) => {}
            None => self.whole_run(Some(r)),
        }
    }

    fn template(&mut self, run: Option<&str>, t: &Template) {
        for el in t.iter() {
            match el {
                Element::Interpolation(i) => self.visit(run, &i.expr),
                Element::Directive(_) => self.all = true,
                Element::Literal(_) => {}
            }
        }
    }

    fn visit(&mut self, run: Option<&str>, e: &Expression) {
        match e {
            Expression::Null(_)
            | Expression::Bool(_)
            | Expression::Number(_)
            | Expression::String(_) => {}
            Expression::Variable(v) => match v.value().as_str() {
                "action" => self.whole_run(run),
                "run" => self.all = true,
                _ => {}
            },
            Expression::Traversal(t) => {
                let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
                match &t.expr {
                    Expression::Variable(v) if v.value().as_str() == "action" => {
                        self.action_ref(run, &ops);
                    }
                    Expression::Variable(v) if v.value().as_str() == "run" => self.run_ref(&ops),
                    other => self.visit(run, other),
                }
                for op in ops {
                    if let TraversalOperator::Index(ie) = op {
                        self.visit(run, ie);
                    }
                }
            }
            Expression::Array(a) => a.iter().for_each(|x| self.visit(run, x)),
            Expression::Object(o) => {
                for (k, v) in o.iter() {
                    if let ObjectKey::Expression(ke) = k {
                        self.visit(run, ke);
                    }
                    self.visit(run, v.expr());
                }
            }
            Expression::StringTemplate(t) => self.template(run, t),
            Expression::HeredocTemplate(h) => self.template(run, &h.template),
            Expression::Parenthesis(p) => self.visit(run, p.inner()),
            Expression::Conditional(c) => {
                self.visit(run, &c.cond_expr);
                self.visit(run, &c.true_expr);
                self.visit(run, &c.false_expr);
            }
            Expression::FuncCall(c) => c.args.iter().for_each(|a| self.visit(run, a)),
            Expression::UnaryOp(u) => self.visit(run, &u.expr),
            Expression::BinaryOp(b) => {
                self.visit(run, &b.lhs_expr);
                self.visit(run, &b.rhs_expr);
            }
            Expression::ForExpr(x) => {
                self.visit(run, &x.intro.collection_expr);
                if let Some(k) = &x.key_expr {
                    self.visit(run, k);
                }
                self.visit(run, &x.value_expr);
                if let Some(c) = &x.cond {
                    self.visit(run, &c.expr);
                }
            }
        }
    }
}

/// The `i`th operator as a plain attribute name (`.name`, or `["name"]` with a literal string).
fn attr<'o>(ops: &[&'o TraversalOperator], i: usize) -> Option<&'o str> {
    match ops.get(i)? {
        TraversalOperator::GetAttr(a) => Some(a.value().as_str()),
        TraversalOperator::Index(Expression::String(s)) => Some(s.value().as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(text: &str) -> Keep {
        let mut sources = crate::diag::SourceMap::new();
        let file =
            crate::grade::file::parse_text(&mut sources, "t.tftest.hcl", text).expect("test file");
        Keep::of(&file)
    }

    const ACTIONS: &str = r#"
  action "put" {
    call   = "s3:PutObject"
    params = { Bucket = "b", Key = "k", Body = "x" }
  }
  action "get" {
    call   = "s3:GetObject"
    params = { Bucket = "b", Key = "k" }
  }
"#;

    #[test]
    fn only_the_attributes_read_are_kept() {
        let k = keep(&format!(
            "run \"a\" {{\n command = none\n{ACTIONS}\n assert {{\n condition = action.get.Body == \"x\"\n error_message = \"${{action.get[\"ETag\"]}}\"\n }}\n}}\n"
        ));
        let get = k.wanted("a", "get");
        assert!(get.wants("Body") && get.wants("ETag") && get.wants("error"));
        assert!(!get.wants("BodyBase64"));
        let put = k.wanted("a", "put");
        assert!(put.wants("error") && !put.wants("ETag"));
        let mut m = Map::new();
        for name in ["Body", "BodyBase64", "error"] {
            m.insert(name.into(), crate::value::Value::Null);
        }
        get.prune(&mut m);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["Body", "error"]);
    }

    #[test]
    fn later_runs_and_whole_objects_keep_more() {
        let k = keep(&format!(
            "run \"a\" {{\n command = none\n{ACTIONS}\n}}\nrun \"b\" {{\n command = none\n assert {{\n condition = run.a.action.get.ETag != \"\"\n error_message = \"x\"\n }}\n}}\n"
        ));
        assert!(k.wanted("a", "get").wants("ETag"));
        assert!(!k.wanted("a", "get").wants("Body"));
        // (expression, in run "b" after run "a" rather than in "a", the action of "a" kept whole)
        for (expr, later, action) in [
            ("length(action.get) > 0", false, "get"),
            ("length(keys(action)) > 0", false, "put"),
            ("\"%{ if true }x%{ endif }\" == \"x\"", false, "get"),
            ("action.get[*].Body != null", false, "get"),
            ("length(run.a.action) > 0", true, "put"),
            ("length(run.a) > 0", true, "get"),
            ("length(run) > 0", true, "get"),
        ] {
            let check = format!(" assert {{\n condition = {expr}\n error_message = \"x\"\n }}\n");
            let (in_a, in_b) = if later {
                ("", check.as_str())
            } else {
                (check.as_str(), "")
            };
            let k = keep(&format!(
                "run \"a\" {{\n command = none\n{ACTIONS}\n{in_a}}}\nrun \"b\" {{\n command = none\n{in_b}}}\n"
            ));
            assert_eq!(k.wanted("a", action), Wanted::All, "{expr}");
        }
    }
}
