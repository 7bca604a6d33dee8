//! Resource schemas: what each resource type accepts, computes and replaces on change.
//!
//! Schemas drive config validation (unknown or missing arguments, types, ranges), planning
//! (defaults, computed values, `# forces replacement`) and rendering (sensitive values).
//!
//! A base module: it imports nothing of the crate but `addr` (for [`Mode`]) and `value`, so
//! `config`, `eval`, `plan` and the providers may all import it. It does not own any resource
//! type's schema (each lives with its resource in `provider::aws`) nor the lookup of one by
//! name, which a provider supplies through [`SchemaSource`].

mod attr;
pub(crate) mod check;

pub(crate) use attr::{AttrSchema, AttrType};

use crate::addr::Mode;

/// Looks up the schema of a resource or data source type.
pub trait SchemaSource {
    fn resource_schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema>;
    fn resource_kinds(&self, mode: Mode) -> Vec<&'static str>;
    /// Types the AWS provider has that keyform does not simulate.
    fn is_known_unsupported(&self, _mode: Mode, _kind: &str) -> bool {
        false
    }
}

/// How a nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    List,
    Set,
}

/// A nested block type (`rule`, `statement`, `event_selector`).
#[derive(Debug, Clone)]
pub struct BlockSchema {
    pub name: &'static str,
    pub nesting: Nesting,
    pub min_items: usize,
    pub max_items: usize,
    pub force_new: bool,
    pub body: BodySchema,
}

impl BlockSchema {
    pub fn list(name: &'static str, min: usize, max: usize, body: BodySchema) -> BlockSchema {
        BlockSchema {
            name,
            nesting: Nesting::List,
            min_items: min,
            max_items: max,
            force_new: false,
            body,
        }
    }

    pub fn set(name: &'static str, min: usize, max: usize, body: BodySchema) -> BlockSchema {
        BlockSchema {
            nesting: Nesting::Set,
            ..BlockSchema::list(name, min, max, body)
        }
    }

    pub fn force_new(mut self) -> BlockSchema {
        self.force_new = true;
        self
    }
}

/// Attributes and blocks of one body.
#[derive(Debug, Clone, Default)]
pub struct BodySchema {
    pub attrs: Vec<AttrSchema>,
    pub blocks: Vec<BlockSchema>,
    /// Arguments the AWS provider has that keyform deliberately does not simulate.
    pub unsupported: &'static [&'static str],
}

impl BodySchema {
    pub fn new(attrs: Vec<AttrSchema>) -> BodySchema {
        BodySchema {
            attrs,
            blocks: Vec::new(),
            unsupported: &[],
        }
    }

    pub fn blocks(mut self, blocks: Vec<BlockSchema>) -> BodySchema {
        self.blocks = blocks;
        self
    }

    pub fn unsupported(mut self, names: &'static [&'static str]) -> BodySchema {
        self.unsupported = names;
        self
    }

    pub fn attr(&self, name: &str) -> Option<&AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// Names a user may write, for "did you mean".
    pub fn argument_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attrs
            .iter()
            .filter(|a| a.is_argument())
            .map(|a| a.name)
    }
}

/// A resource or data source type.
#[derive(Debug, Clone)]
pub struct ResourceSchema {
    pub kind: &'static str,
    pub body: BodySchema,
    /// Short description for `--help`-style listings.
    pub summary: &'static str,
}
