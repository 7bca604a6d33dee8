//! Premises: what a check needs an earlier step to have made. A check whose expression cannot
//! be evaluated because a resource it reads is missing, an earlier run it reads did not pass, or
//! an action it reads was not called for that reason, is not graded: the run reports
//! `needs <premise>` once instead of a cascade of failures, and the evaluator's own words
//! ("Invalid index ... the collection has 0 elements") never reach the student.
//!
//! Only checks that could not be evaluated are affected: a condition that evaluates to false is
//! a failure, whatever it reads.

use std::collections::BTreeMap;

use crate::addr::Mode;
use crate::config::Expr;
use crate::eval::refs::{Ref, references};
use crate::grade::file::Command;
use crate::grade::file::refs::second_segment;
use crate::grade::report::Status;
use crate::state::State;

/// What a run's checks can rely on when a premise is asked for.
pub(super) struct Premises<'a> {
    pub state: &'a State,
    pub cfg: &'a crate::config::Config,
    /// The run's command: after a plan, resources are judged by the configuration (their
    /// instances exist only as planned values).
    pub command: Command,
    /// Earlier runs of the file and how they ended.
    pub runs: &'a BTreeMap<String, Status>,
    /// Actions of this run not called for a missing premise, with that premise.
    pub actions: &'a BTreeMap<String, String>,
}

impl Premises<'_> {
    /// The first premise `e` reads and lacks, as `needs <premise>`.
    pub(super) fn missing(&self, e: &Expr) -> Option<String> {
        // An earlier action that ran but did not return what this reads (an empty list it
        // indexes): told only when nothing more basic is missing.
        let mut short_result = None;
        for (r, span) in references(e.file, &e.expr, &[]) {
            match &r {
                Ref::Resource(addr) if addr.mode == Mode::Managed && addr.module.is_empty() => {
                    let declared = self.cfg.resources.contains_key(addr);
                    let made = match self.command {
                        Command::Plan => declared,
                        _ => self.state.instances_of(addr).next().is_some(),
                    };
                    if !made {
                        return Some(format!("needs {addr}"));
                    }
                }
                Ref::Special(root) if root == "run" => {
                    let Some(name) = second_segment(&e.expr, span) else {
                        continue;
                    };
                    match self.runs.get(&name) {
                        Some(Status::Pass) | None => {}
                        Some(_) => return Some(format!("needs run \"{name}\" to pass")),
                    }
                }
                Ref::Special(root) if root == "action" => {
                    let Some(name) = second_segment(&e.expr, span) else {
                        continue;
                    };
                    match self.actions.get(&name) {
                        Some(p) => return Some(p.clone()),
                        None => {
                            short_result.get_or_insert_with(|| {
                                format!("needs what action \"{name}\" should have returned")
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        short_result
    }
}
