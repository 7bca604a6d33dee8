//! The `terraform` block's settings, checked as Terraform 1.11 checks them: `required_version`
//! against the Terraform version keyform stands in for, `required_providers` against the
//! providers keyform has.

use crate::config::Block;
use crate::diag::{Diagnostic, Diagnostics};

/// The Terraform release whose language, plan text and state format keyform follows.
pub const TERRAFORM_VERSION: [u64; 3] = [1, 11, 4];

fn parse_version(s: &str) -> Option<[u64; 3]> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let mut v = [0u64; 3];
    for (i, slot) in v.iter_mut().enumerate() {
        match parts.next() {
            Some(p) => *slot = p.parse().ok()?,
            None if i > 0 => break,
            None => return None,
        }
    }
    if parts.next().is_some() {
        return None;
    }
    Some(v)
}

/// How many components a constraint's version spelled (`~> 1.5` has 2).
fn spelled(s: &str) -> usize {
    s.trim()
        .split(['-', '+'])
        .next()
        .unwrap_or("")
        .split('.')
        .count()
}

/// Whether `have` meets one constraint (`>= 1.0`, `~> 1.5`, `!= 1.2.0`, `1.11.4`); Err with
/// why when the constraint cannot be read.
fn meets(have: [u64; 3], c: &str) -> Result<bool, String> {
    let c = c.trim();
    let ops = ["~>", ">=", "<=", "!=", ">", "<", "="];
    let (op, rest) = ops
        .iter()
        .find_map(|o| c.strip_prefix(o).map(|r| (*o, r)))
        .unwrap_or(("=", c));
    let want = parse_version(rest).ok_or_else(|| format!("invalid version constraint {c:?}"))?;
    Ok(match op {
        "=" => have == want,
        "!=" => have != want,
        ">" => have > want,
        ">=" => have >= want,
        "<" => have < want,
        "<=" => have <= want,
        // `~> 1.5` allows 1.x from 1.5; `~> 1.5.2` allows 1.5.x from 1.5.2.
        _ => {
            let n = spelled(rest).clamp(1, 3);
            let fixed = n.saturating_sub(1).max(1);
            have >= want && have[..fixed] == want[..fixed]
        }
    })
}

/// Checks a `terraform` block's `required_version` and `required_providers`.
pub(super) fn check(b: &Block, diags: &mut Diagnostics) {
    if let Some(a) = b.body.attr("required_version") {
        match a.value.as_literal_str() {
            None => diags.push(
                Diagnostic::error(
                    "Invalid required_version",
                    "The required_version must be a literal string of version constraints.",
                )
                .with_span(a.value.span()),
            ),
            Some(text) => {
                let mut ok = true;
                for part in text.split(',') {
                    match meets(TERRAFORM_VERSION, part) {
                        Ok(m) => ok &= m,
                        Err(e) => {
                            diags.push(
                                Diagnostic::error("Invalid required_version constraint", e)
                                    .with_span(a.value.span()),
                            );
                            return;
                        }
                    }
                }
                if !ok {
                    let [x, y, z] = TERRAFORM_VERSION;
                    diags.push(
                        Diagnostic::error(
                            "Unsupported Terraform Core version",
                            format!("This configuration does not support Terraform version {x}.{y}.{z}, the version keyform implements. To proceed, either choose another supported Terraform version or update this version constraint. Version constraints are normally set for good reason, so updating the constraint may lead to other errors or unexpected behavior."),
                        )
                        .with_span(a.value.span()),
                    );
                }
            }
        }
    }
    for rp in b.body.blocks_named("required_providers") {
        for a in &rp.body.attrs {
            let source = match &a.value.expr {
                hcl_edit::expr::Expression::Object(o) => o.iter().find_map(|(k, v)| {
                    let key = match k {
                        hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                        hcl_edit::expr::ObjectKey::Expression(e) => {
                            e.as_str().map(str::to_string).unwrap_or_default()
                        }
                    };
                    (key == "source")
                        .then(|| v.expr().as_str().map(str::to_string))
                        .flatten()
                }),
                // The legacy form, `aws = "~> 5.0"`, names the provider by its local name.
                _ => None,
            }
            .unwrap_or_else(|| format!("hashicorp/{}", a.name));
            let known = matches!(
                source.to_ascii_lowercase().as_str(),
                "hashicorp/aws"
                    | "registry.terraform.io/hashicorp/aws"
                    | "terraform.io/builtin/terraform"
            );
            if !known {
                diags.push(
                    Diagnostic::error(
                        "Provider not available in keyform",
                        format!("This configuration requires provider \"{source}\" (as \"{}\"); keyform simulates only hashicorp/aws (and Terraform's built-in terraform_data). Remove the requirement.", a.name),
                    )
                    .with_span(Some(a.name_span)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constraints_read_as_terraform_reads_them() {
        let v = TERRAFORM_VERSION;
        for ok in [
            ">= 1.0",
            "~> 1.5",
            "~> 1.11.0",
            "1.11.4",
            "< 2.0.0",
            "!= 1.10.0",
        ] {
            assert_eq!(meets(v, ok), Ok(true), "{ok}");
        }
        for no in ["~> 1.10.0", ">= 1.12", "1.5.0", "< 1.11", "~> 2.0"] {
            assert_eq!(meets(v, no), Ok(false), "{no}");
        }
        assert!(meets(v, ">= banana").is_err());
    }
}
