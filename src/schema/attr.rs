//! One attribute of a schema: its type ([`AttrType`]) and how configuration and the cloud may
//! set it ([`AttrSchema`]: required / optional / computed, defaults, `ForceNew`, sensitivity,
//! validation, conflicts).
//!
//! Owns the attribute vocabulary only; bodies and blocks are in the parent module, and what a
//! value of a type converts to is the evaluator's concern.

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
    /// Any value (Terraform's dynamic pseudo-type): `terraform_data`'s input and output.
    Dynamic,
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
            AttrType::Dynamic => "dynamic".into(),
        }
    }
}

/// Checks a known value; returns what is wrong with it.
pub(crate) type Validator = fn(&Value) -> Result<(), String>;

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
