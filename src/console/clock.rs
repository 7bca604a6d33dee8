//! The simulated clock's "advance time" (on every page): one `clock:Advance`, so a learner sees
//! what falls due (a key's pending deletion completing, a rotation) as the world's own
//! schedule runs it; then back to the page it was asked from.

use serde_json::json;

use super::{Page, see_other};
use crate::serve::Response;

/// The choices the header offers.
pub(super) const STEPS: &[&str] = &["1h", "1d", "7d", "30d", "365d"];

pub(super) fn advance(p: &mut Page<'_>) -> Response {
    let by = p.form.text("by");
    if !STEPS.contains(&by.as_str()) {
        let e = crate::sim::SimError::param(format!("advance time by one of {}", STEPS.join(", ")));
        return p.error("advancing the clock", &e);
    }
    match p.call("clock:Advance", json!({"Duration": by})) {
        // Only a console page may be returned to.
        Ok(_) => match p.form.text("back") {
            b if b.starts_with("/_console/") && !b.contains("//") => see_other(&b),
            _ => see_other("/_console/"),
        },
        Err(e) => p.error("advancing the clock", &e),
    }
}
