//! The headers Terraform gives a change beyond its action: moved (`has moved to`, `(moved
//! from ...)`), imported (`will be imported`, `(imported from ...)`, `(config will be
//! generated)`) and forgotten (`will no longer be managed`).

use crate::cli::render::Style;
use crate::plan::{Action, ResourceChange};
use crate::value::quote;

/// A change of a moved instance: Terraform's "has moved to" header, or a note under the
/// header of a change it also has.
pub(super) fn moved_header(
    text: &str,
    from: &crate::addr::InstanceAddr,
    c: &ResourceChange,
) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if c.action == Action::NoOp {
        format!("  # {from} has moved to {}\n{rest}", c.addr)
    } else {
        format!("{first}\n  # (moved from {from})\n{rest}")
    }
}

/// A change of an imported instance: Terraform's "will be imported" header for an import
/// alone, or a note under the header of the change it also has.
pub(super) fn import_header(
    text: &str,
    id: &str,
    generated: bool,
    c: &ResourceChange,
    style: Style,
) -> String {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let gen_note = if generated {
        "  # (config will be generated)\n"
    } else {
        ""
    };
    if c.action == Action::NoOp {
        format!(
            "  {}\n{gen_note}{rest}",
            style.bold(&format!("# {} will be imported", c.addr))
        )
    } else {
        format!(
            "{first}\n  # (imported from {})\n{gen_note}{rest}",
            quote(id)
        )
    }
}

/// An instance a `removed` block forgets: Terraform's header and its `.` symbol.
pub(super) fn forget_text(text: &str, c: &ResourceChange) -> String {
    let (_, rest) = text.split_once('\n').unwrap_or((text, ""));
    let rest = rest
        .strip_prefix("    resource")
        .map_or_else(|| rest.to_string(), |r| format!(" . resource{r}"));
    format!(
        " # {} will no longer be managed by keyform, but will not be destroyed\n # (destroy = false is set in the configuration)\n{rest}",
        c.addr
    )
}
