//! Resource schemas: what each resource type accepts, computes and replaces on change.
//!
//! Schemas drive config validation (unknown or missing arguments, types, ranges), planning
//! (defaults, computed values, `# forces replacement`) and rendering (sensitive values).

use crate::value::Value;

/// The type of an attribute's value.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    /// A string holding a JSON document (policies): equivalent JSON is no change.
    Json,
    List(Box<AttrType>),
    Set(Box<AttrType>),
    Map(Box<AttrType>),
}

impl AttrType {
    pub fn name(&self) -> String {
        match self {
            AttrType::String | AttrType::Json => "string".into(),
            AttrType::Number => "number".into(),
            AttrType::Bool => "bool".into(),
            AttrType::List(t) => format!("list of {}", t.name()),
            AttrType::Set(t) => format!("set of {}", t.name()),
            AttrType::Map(t) => format!("map of {}", t.name()),
        }
    }
}

/// Checks a known value; returns what is wrong with it.
pub type Validator = fn(&Value) -> Result<(), String>;

/// One attribute of a resource or nested block.
#[derive(Debug, Clone)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub default: Option<Value>,
    pub force_new: bool,
    pub sensitive: bool,
    pub validate: Option<Validator>,
    pub conflicts_with: &'static [&'static str],
    pub required_with: &'static [&'static str],
}

impl AttrSchema {
    fn base(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema {
            name,
            ty,
            required: false,
            optional: false,
            computed: false,
            default: None,
            force_new: false,
            sensitive: false,
            validate: None,
            conflicts_with: &[],
            required_with: &[],
        }
    }

    pub fn required(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema {
            required: true,
            ..AttrSchema::base(name, ty)
        }
    }

    pub fn optional(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema {
            optional: true,
            ..AttrSchema::base(name, ty)
        }
    }

    /// Optional, and the cloud fills it in when the config leaves it out.
    pub fn optional_computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema {
            optional: true,
            computed: true,
            ..AttrSchema::base(name, ty)
        }
    }

    /// Set by the cloud only.
    pub fn computed(name: &'static str, ty: AttrType) -> AttrSchema {
        AttrSchema {
            computed: true,
            ..AttrSchema::base(name, ty)
        }
    }

    pub fn force_new(mut self) -> AttrSchema {
        self.force_new = true;
        self
    }

    pub fn default(mut self, v: impl Into<Value>) -> AttrSchema {
        self.default = Some(v.into());
        self
    }

    pub fn validate(mut self, f: Validator) -> AttrSchema {
        self.validate = Some(f);
        self
    }

    pub fn sensitive(mut self) -> AttrSchema {
        self.sensitive = true;
        self
    }

    pub fn conflicts_with(mut self, names: &'static [&'static str]) -> AttrSchema {
        self.conflicts_with = names;
        self
    }

    pub fn required_with(mut self, names: &'static [&'static str]) -> AttrSchema {
        self.required_with = names;
        self
    }

    /// Settable from configuration.
    pub fn is_argument(&self) -> bool {
        self.required || self.optional
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

/// Validator helpers shared by resource definitions.
pub mod check {
    use crate::value::Value;

    pub fn int_between(v: &Value, lo: i64, hi: i64) -> Result<(), String> {
        match v.as_i64() {
            Some(n) if (lo..=hi).contains(&n) => Ok(()),
            Some(n) => Err(format!("expected a value between {lo} and {hi}, got {n}")),
            None => Err(format!(
                "expected a whole number between {lo} and {hi}, got {v}"
            )),
        }
    }

    pub fn len_between(v: &Value, lo: usize, hi: usize) -> Result<(), String> {
        let n = v.as_str().map_or(0, |s| s.chars().count());
        if (lo..=hi).contains(&n) {
            Ok(())
        } else {
            Err(format!("expected length between {lo} and {hi}, got {n}"))
        }
    }

    pub fn one_of(v: &Value, allowed: &[&str]) -> Result<(), String> {
        match v.as_str() {
            Some(s) if allowed.contains(&s) => Ok(()),
            _ => Err(format!(
                "expected one of {}, got {v}",
                allowed
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    pub fn json(v: &Value) -> Result<(), String> {
        let s = v.as_str().unwrap_or("");
        serde_json::from_str::<serde_json::Value>(s)
            .map(|_| ())
            .map_err(|e| format!("contains an invalid JSON document: {e}"))
    }
}
