//! Paging of KMS's List operations as AWS pages them: `Limit` (each operation's range and
//! default), an opaque `Marker` from the previous page's `NextMarker`, `Truncated`.

use serde_json::{Value as Json, json};

use super::KmsError;
use crate::sim::{SimError, opt_int, opt_str};

/// A list operation's page size: its range and its default.
#[derive(Clone, Copy)]
pub(super) struct Limits {
    pub max: i64,
    pub default: i64,
}

/// Reads `Limit` and `Marker`, refusing a limit outside the operation's range as the API
/// model does.
pub(super) fn params(p: &Json, l: Limits) -> Result<(usize, Option<String>), SimError> {
    let limit = opt_int(p, "Limit")?.unwrap_or(l.default);
    if !(1..=l.max).contains(&limit) {
        return Err(KmsError::OutOfRange {
            member: "limit",
            value: limit,
            min: 1,
            max: l.max,
        }
        .into());
    }
    Ok((limit as usize, opt_str(p, "Marker")?.map(str::to_string)))
}

/// One page of `items` into `out` under `member`, with `Truncated` and, when there is more,
/// `NextMarker`. `order` is every marker of the unfiltered list, in order; each item carries
/// its own. A marker no page gave is InvalidMarkerException.
pub(super) fn page(
    order: &[String],
    items: Vec<(String, Json)>,
    limit: usize,
    marker: Option<&str>,
    member: &str,
) -> Result<Json, KmsError> {
    let rest: Vec<(String, Json)> = match marker {
        None => items,
        Some(m) => {
            let at = order
                .iter()
                .position(|k| k == m)
                .ok_or(KmsError::InvalidMarker)?;
            let after: std::collections::HashSet<&String> = order[at + 1..].iter().collect();
            items
                .into_iter()
                .filter(|(k, _)| after.contains(k))
                .collect()
        }
    };
    let truncated = rest.len() > limit;
    let mut out = json!({
        member: rest.iter().take(limit).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
        "Truncated": truncated,
    });
    if truncated {
        out["NextMarker"] = json!(rest[limit - 1].0);
    }
    Ok(out)
}
