//! IAM policy language of the simulated cloud: parsing, matching and single-account evaluation.
//!
//! This module owns the policy document model ([`PolicyDocument`], `model`), parsing and
//! validation (`parse`), the request model the services hand in ([`RequestContext`]), statement
//! matching (Action/NotAction, Resource/NotResource, Principal/NotPrincipal, `evaluate`),
//! Condition with every IAM operator family (`condition`), wildcards and policy variables
//! (`pattern`), evaluation with a per-statement trace ([`evaluate()`], `trace`) and the two
//! decision procedures AWS uses in one account: the standard one for S3/IAM
//! ([`decide_standard`]) and the KMS one where the key policy is mandatory ([`decide_kms`]). It
//! also renders AWS's `AccessDenied` message text ([`denial_message`]).
//!
//! The AWS managed policies the account offers (the ones courses attach, listed in `managed`)
//! live here too, as the real documents of their default versions (`managed`, [`managed_policy`], [`managed_policy_info`]).
//!
//! It does not know which policies apply to a call (the services collect identity policies,
//! bucket and key policies), nor how an API operation maps to an IAM action, resource and
//! condition keys (the authorisation table does that), nor which error code a service answers
//! with. Anything that can be decided without looking at a request (document shape, operator
//! names, CIDR and number syntax) is checked once at parse time, so evaluation does no parsing
//! and allocates only for trace text and policy variables.

mod condition;
#[cfg(test)]
mod conformance;
mod evaluate;
#[cfg(test)]
mod laws;
mod managed;
mod model;
mod parse;
mod pattern;
#[cfg(test)]
mod test_support;
mod trace;

pub use evaluate::{Decision, Evaluation, decide_kms, decide_standard, denial_message, evaluate};
pub use managed::{ManagedPolicy, managed_policy, managed_policy_arns, managed_policy_info};
pub use model::{
    Caller, Effect, PolicyDocument, PolicyKind, PolicySource, PolicyVersion, PrincipalMatch,
    RequestContext, Statement,
};
pub use parse::{Location, PolicyError, SizeLimit};
pub use trace::StatementTrace;

/// Most statements a document may hold; bounds work done on hostile input.
pub const MAX_STATEMENTS: usize = 10_000;

/// How an anonymous caller is named in [`denial_message`].
pub const ANONYMOUS_CALLER: &str = "Anonymous";

/// The message S3 gives anonymous callers instead of the IAM-style sentence.
pub const S3_ACCESS_DENIED: &str = "Access Denied";
