//! keyform: a Terraform-style declarative lab provisioner with a simulated AWS built in.
//!
//! # Pipeline
//! ```text
//! args -> parse::load_dir -> config::Config::build -> graph::build -> plan::plan -> render/confirm
//!      -> apply::apply --Provider--> sim::Cloud -> workspace (journal, atomic snapshots)
//! ```
//! `engine` is that pipeline as library calls (input variables through `config::inputs`);
//! the CLI and `keyform test` (`grade`) both call it. `grade` runs it on an in-memory world and
//! then calls the simulated cloud directly (`sim::Cloud::call`); `keyform serve` (`serve`) puts
//! that same API on the AWS wire protocols.
//!
//! # Layering
//! - `diag`, `addr`, `value`, `fsutil` and `text` import nothing from the crate; `types` imports
//!   only `value`; `schema` (what each resource type accepts) imports only `addr`, `value` and
//!   `types`.
//! - `parse` < `config` < `eval` < `graph` < `plan` < `apply`; `state` holds the model and its
//!   file format, `workspace` stores state and world in `.keyform/`.
//! - `sim` (the simulated cloud) imports no pipeline module; `provider::aws` adapts it to the
//!   engine's `Provider` trait, so the engine knows no service internals.
//! - `engine` sits on the pipeline and `workspace`; `cli` and `grade` call it, never the stages'
//!   plumbing twice. `grade` and `serve` drive the library API; `fmt` stands alone; only `cli`
//!   prints, and nothing imports `cli`.
//! - `console` (the web console) calls `sim::Cloud::call` as the signed-in user; `serve` mounts
//!   it under `/_console/` and lends it its request and response types.

pub(crate) mod addr;
pub mod allocator;
pub mod apply;
pub mod cli;
pub mod config;
pub mod console;
pub mod diag;
pub(crate) mod engine;
pub(crate) mod eval;
pub(crate) mod fmt;
pub mod fsutil;
pub mod grade;
pub mod graph;
pub mod parse;
pub mod plan;
pub mod provider;
pub(crate) mod schema;
pub mod serve;
pub mod sim;
pub mod state;
pub(crate) mod text;
pub(crate) mod types;
pub(crate) mod value;
pub mod workspace;
