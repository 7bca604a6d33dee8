//! Type constraints of `variable` blocks (`string`, `list(string)`, `object({...})`) and the
//! conversions Terraform applies to values given for them: [`crate::types`], the crate's one
//! type system, under the names config's callers know.

pub use crate::types::convert::normalize_set as dedupe_sorted;
pub use crate::types::{Type as TypeConstraint, literal_value};
