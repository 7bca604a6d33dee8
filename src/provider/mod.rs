//! The provider boundary: schemas, and the calls the engine makes to read, plan and apply.
pub mod schema;
