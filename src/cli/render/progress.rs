//! Apply progress: Terraform's `Creating...` / `Creation complete after 0s` lines, plus an
//! indicatif bar when stderr is a terminal. The durable commit of each change is the engine's
//! (`engine::apply_in_workspace`); this only shows it.

use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::addr::InstanceAddr;
use crate::engine::ApplyProgress;
use crate::plan::Action;

/// Prints progress as changes are made.
pub struct Progress<'a> {
    bar: Option<ProgressBar>,
    out: Box<dyn Write + 'a>,
}

impl<'a> Progress<'a> {
    pub fn new(total: usize, tty: bool, out: Box<dyn Write + 'a>) -> Progress<'a> {
        let bar = (tty && total > 0).then(|| {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        Progress { bar, out }
    }

    fn line(&mut self, s: String) {
        match &self.bar {
            Some(b) => b.println(s),
            None => {
                let _ = writeln!(self.out, "{s}");
            }
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

impl ApplyProgress for Progress<'_> {
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

    fn imported(&mut self, addr: &InstanceAddr, id: &str) {
        self.line(format!("{addr}: Importing... [id={id}]"));
        self.line(format!("{addr}: Import complete [id={id}]"));
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
