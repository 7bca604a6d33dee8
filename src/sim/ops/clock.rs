//! The simulated clock as operations of the table: `clock:Get` and `clock:Advance`, used by test
//! actions, `sim clock` and anything else that moves time. No authorization: the clock is the
//! trainer's, not an AWS service.

use serde_json::{Value as Json, json};

use super::param::ParamType::String;
use super::param::req;
use super::{EventKind, Handler, Operation};
use crate::sim::clock::{iso8601, parse_duration};
use crate::sim::{CallContext, Cloud, SimError, req_str};

fn get(c: &mut Cloud, _: &CallContext, _: &Json) -> Result<Json, SimError> {
    Ok(json!({"Now": iso8601(c.now())}))
}

/// Moves the clock by `Duration` ("8d", "36h"), running what fell due; answers the new time
/// and what happened.
fn advance(c: &mut Cloud, _: &CallContext, p: &Json) -> Result<Json, SimError> {
    let ms = parse_duration(req_str(p, "Duration")?).map_err(SimError::param)?;
    let events = c.advance_clock(ms);
    Ok(json!({"Now": iso8601(c.now()), "Events": events}))
}

pub(super) const OPS: &[Operation] = &[
    Operation {
        name: "clock:Get",
        handler: Handler::Json(get),
        params: &[],
        mutates: false,
        event: EventKind::None,
        checks: &[],
        output_blobs: &[],
    },
    Operation {
        name: "clock:Advance",
        handler: Handler::Json(advance),
        params: &[req("Duration", String)],
        mutates: true,
        event: EventKind::None,
        checks: &[],
        output_blobs: &[],
    },
];
