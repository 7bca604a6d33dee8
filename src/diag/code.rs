//! What kind of problem a [`Diagnostic`](super::Diagnostic) reports, as data: callers that act on
//! a diagnostic (which `expect_failures` entry it satisfies, which errors a destroy plan keeps,
//! whether a directory simply has no configuration) match its code, never its English text.
//!
//! Only kinds some caller tells apart have their own variant; everything else is
//! [`DiagCode::General`]. Add a variant when a caller needs one, and set it where the
//! diagnostic is created.

/// The classification of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum DiagCode {
    /// Nothing acts on this kind of problem: it is shown and counted, nothing more.
    #[default]
    General,
    /// The working directory holds no `.tf` files (`init` then uses the default region).
    NoConfigFiles,
    /// A `-var` (error) or a variables file (warning) sets a variable the root module does
    /// not declare.
    UndeclaredVariable,
    /// A `-var` option that is not `NAME=VALUE`.
    InvalidVarOption,
    /// A `-var-file` that does not exist, or a variables file that is not literal
    /// `name = value` assignments.
    InvalidVarFile,
    /// An input variable's `validation` rule failed; the subject is `var.NAME`.
    InvalidVariableValue,
    /// An output's `precondition` failed; the subject is `output.NAME`.
    OutputPrecondition,
    /// A resource's `precondition` failed; the subject is the instance address.
    ResourcePrecondition,
    /// A resource's `postcondition` failed; the subject is the instance address.
    ResourcePostcondition,
    /// A check block's assertion is false (a warning); the subject is `check.NAME`.
    CheckAssertionFailed,
    /// A check block's assertion is not known until apply (a plan's warning); the subject is
    /// `check.NAME`.
    CheckAssertionUnknown,
    /// `lifecycle.prevent_destroy` stops a plan that would destroy the instance (a destroy
    /// plan keeps this error while it drops the others of the configuration walk).
    PreventDestroy,
    /// A saved plan no longer applies: the state or the configuration changed since.
    StalePlan,
    /// The state lock is held by another command (or could not be taken).
    StateLocked,
}
