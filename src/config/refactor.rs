//! `moved` and `removed` blocks: refactoring that changes addresses in state rather than
//! objects in the cloud.

use crate::addr::{InstanceKey, ModulePath, ModuleStep, TargetAddr};
use crate::config::validate::only;
use crate::config::{Block, Expr};
use crate::diag::{Diagnostic, Diagnostics, Span};

/// What a `moved` or `removed` endpoint names: a resource (or one instance), or a module call
/// (or one instance of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Resource(TargetAddr),
    Module(ModulePath),
}

impl Endpoint {
    /// The same endpoint inside module `path` (blocks of a child module speak its addresses).
    pub fn in_module(self, path: &[ModuleStep]) -> Endpoint {
        match self {
            Endpoint::Resource(mut t) => {
                let mut m = path.to_vec();
                m.extend(t.resource.module);
                t.resource.module = m;
                Endpoint::Resource(t)
            }
            Endpoint::Module(p) => {
                let mut m = path.to_vec();
                m.extend(p);
                Endpoint::Module(m)
            }
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Resource(t) => write!(f, "{t}"),
            Endpoint::Module(p) => f.write_str(&crate::addr::module_text(p)),
        }
    }
}

/// `moved { from = ... to = ... }`.
#[derive(Debug, Clone)]
pub struct Moved {
    pub from: Endpoint,
    pub to: Endpoint,
    pub span: Span,
}

/// `removed { from = ... lifecycle { destroy = false } }`.
#[derive(Debug, Clone)]
pub struct Removed {
    pub from: Endpoint,
    /// false: forget the objects (keep them in the cloud); true: destroy them.
    pub destroy: bool,
    pub span: Span,
}

fn endpoint(e: &Expr, diags: &mut Diagnostics) -> Option<Endpoint> {
    let bad = |diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::error(
                "Invalid address",
                "A moved or removed endpoint must be a resource or module address, like aws_kms_key.a, aws_kms_key.a[0] or module.k.",
            )
            .with_span(e.span()),
        );
        None
    };
    let Some(text) = e.as_traversal_text() else {
        return bad(diags);
    };
    if let Ok(p) = crate::addr::parse_module_text(&text) {
        return Some(Endpoint::Module(p));
    }
    match text.parse::<TargetAddr>() {
        Ok(t) => Some(Endpoint::Resource(t)),
        Err(_) => bad(diags),
    }
}

pub(super) fn moved(b: &Block, diags: &mut Diagnostics) -> Option<Moved> {
    only(&b.body, &["from", "to"], &[], "in a moved block", diags);
    let (Some(from), Some(to)) = (b.body.attr("from"), b.body.attr("to")) else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "A moved block needs both \"from\" and \"to\".",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let (from_e, to_e) = (endpoint(&from.value, diags)?, endpoint(&to.value, diags)?);
    let mismatch = match (&from_e, &to_e) {
        (Endpoint::Resource(a), Endpoint::Resource(c)) => {
            if a.resource.kind != c.resource.kind || a.resource.mode != c.resource.mode {
                Some(format!(
                    "This statement declares a move from an object of type {:?} to an object of type {:?}. Objects can only move between resources of the same type.",
                    a.resource.kind, c.resource.kind
                ))
            } else if a.key.is_some() != c.key.is_some() {
                Some(
                    "A move must be between two whole resources or between two resource instances."
                        .to_string(),
                )
            } else {
                None
            }
        }
        (Endpoint::Module(_), Endpoint::Module(_)) => None,
        _ => Some("A move must be between two resources or between two modules.".to_string()),
    };
    if let Some(m) = mismatch {
        diags.push(Diagnostic::error("Invalid \"moved\" addresses", m).with_span(Some(b.span)));
        return None;
    }
    if from_e == to_e {
        diags.push(
            Diagnostic::error(
                "Redundant move statement",
                "This statement declares a move from an object to the same object, so it has no effect.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    }
    Some(Moved {
        from: from_e,
        to: to_e,
        span: b.span,
    })
}

pub(super) fn removed(b: &Block, diags: &mut Diagnostics) -> Option<Removed> {
    only(
        &b.body,
        &["from"],
        &["lifecycle"],
        "in a removed block",
        diags,
    );
    let Some(from) = b.body.attr("from") else {
        diags.push(
            Diagnostic::error(
                "Missing required argument",
                "The argument \"from\" is required, but no definition was found.",
            )
            .with_span(Some(b.span)),
        );
        return None;
    };
    let from_e = endpoint(&from.value, diags)?;
    let has_key = match &from_e {
        Endpoint::Resource(t) => {
            t.key.is_some() || t.resource.module.iter().any(|m| m.key != InstanceKey::None)
        }
        Endpoint::Module(p) => p.iter().any(|m| m.key != InstanceKey::None),
    };
    if has_key {
        diags.push(
            Diagnostic::error(
                "Resource instance keys not allowed",
                "Resource addresses in removed blocks must not include an instance key.",
            )
            .with_span(from.value.span()),
        );
        return None;
    }
    let mut destroy = true;
    for l in b.body.blocks_named("lifecycle") {
        only(
            &l.body,
            &["destroy"],
            &[],
            "in a removed block's lifecycle",
            diags,
        );
        if let Some(d) = l.body.attr("destroy") {
            match d.value.as_literal_bool() {
                Some(v) => destroy = v,
                None => diags.push(
                    Diagnostic::error("Invalid value", "destroy must be a literal true or false.")
                        .with_span(d.value.span()),
                ),
            }
        }
    }
    Some(Removed {
        from: from_e,
        destroy,
        span: b.span,
    })
}
