//! Apply progress: Terraform's `Creating...` / `Creation complete after 0s` lines, plus an
//! indicatif bar when stderr is a terminal; and the durable commit of each change.

use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::addr::InstanceAddr;
use crate::apply::ApplyHook;
use crate::plan::Action;
use crate::state::{State, StateOp};
use crate::workspace::Workspace;

/// Prints progress and commits each change to the workspace journal.
pub struct Progress<'a> {
    pub ws: Option<&'a mut Workspace>,
    bar: Option<ProgressBar>,
    out: Box<dyn Write + 'a>,
}

impl<'a> Progress<'a> {
    pub fn new(
        ws: Option<&'a mut Workspace>,
        total: usize,
        tty: bool,
        out: Box<dyn Write + 'a>,
    ) -> Progress<'a> {
        let bar = (tty && total > 0).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Progress { ws, bar, out }
    }

    fn line(&mut self, s: String) {
        match &self.bar {
            Some(b) => b.println(s),
            None => {
                let _ = writeln!(self.out, "{s}");
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

fn verbs(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Delete => ("Destroying...", "Destruction complete"),
        Action::Update => ("Modifying...", "Modifications complete"),
        _ => ("Creating...", "Creation complete"),
    }
}

impl ApplyHook for Progress<'_> {
    fn pre(&mut self, addr: &InstanceAddr, action: Action) {
        let a = if action == Action::DeleteThenCreate || action == Action::CreateThenDelete {
            Action::Create
        } else {
            action
        };
        self.line(format!("{addr}: {}", verbs(a).0));
    }

    fn post(
        &mut self,
        addr: &InstanceAddr,
        action: Action,
        error: Option<&str>,
        elapsed: Duration,
    ) {
        if error.is_none() {
            let a = if action.is_replace() {
                Action::Create
            } else {
                action
            };
            self.line(format!(
                "{addr}: {} after {}s",
                verbs(a).1,
                elapsed.as_secs()
            ));
        }
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        world: Option<serde_json::Value>,
    ) -> Result<(), String> {
        match &mut self.ws {
            Some(ws) => {
                let delta = match world {
                    Some(w) => Some(serde_json::from_value(w).map_err(|e| e.to_string())?),
                    None => None,
                };
                ws.commit(state, ops, delta).map_err(|e| e.to_string())
            }
            None => {
                for op in &ops {
                    state.apply_op(op);
                }
                Ok(())
            }
        }
    }
}
