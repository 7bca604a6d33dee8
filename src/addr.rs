//! Addresses of resources and their instances: `aws_iam_user.u["bob"]`, `data.aws_region.current`.
//!
//! Imports nothing else from the crate. Ordering is the order plans and `state list` print in.

use std::fmt;
use std::str::FromStr;

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// Which instance of a resource with `count` or `for_each`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    None,
    Int(u64),
    Str(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::None => Ok(()),
            InstanceKey::Int(i) => write!(f, "[{i}]"),
            InstanceKey::Str(s) => write!(f, "[{}]", serde_json::Value::String(s.clone())),
        }
    }
}

/// A resource block: `aws_kms_key.lab` or `data.aws_region.current`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    pub mode: Mode,
    pub kind: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn managed(kind: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr {
            mode: Mode::Managed,
            kind: kind.into(),
            name: name.into(),
        }
    }

    pub fn data(kind: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr {
            mode: Mode::Data,
            kind: kind.into(),
            name: name.into(),
        }
    }

    pub fn instance(&self, key: InstanceKey) -> InstanceAddr {
        InstanceAddr {
            resource: self.clone(),
            key,
        }
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == Mode::Data {
            f.write_str("data.")?;
        }
        write!(f, "{}.{}", self.kind, self.name)
    }
}

/// One instance of a resource: `aws_iam_user.u[0]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceAddr {
    pub resource: ResourceAddr,
    pub key: InstanceKey,
}

impl fmt::Display for InstanceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.resource, self.key)
    }
}

/// A `-target`/`state show` argument: a whole resource or one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAddr {
    pub resource: ResourceAddr,
    pub key: Option<InstanceKey>,
}

impl TargetAddr {
    pub fn matches(&self, addr: &InstanceAddr) -> bool {
        self.resource == addr.resource && self.key.as_ref().is_none_or(|k| *k == addr.key)
    }

    pub fn matches_resource(&self, addr: &ResourceAddr) -> bool {
        self.resource == *addr
    }
}

impl fmt::Display for TargetAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.resource)?;
        if let Some(k) = &self.key {
            write!(f, "{k}")?;
        }
        Ok(())
    }
}

/// Why an address string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid resource address {input:?}: {reason}")]
pub struct AddrParseError {
    pub input: String,
    pub reason: &'static str,
}

impl FromStr for TargetAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<TargetAddr, AddrParseError> {
        let err = |reason| AddrParseError {
            input: s.to_string(),
            reason,
        };
        let (head, key) = match s.find('[') {
            Some(i) => {
                let inner = s[i..]
                    .strip_prefix('[')
                    .and_then(|r| r.strip_suffix(']'))
                    .ok_or_else(|| err("an instance key must be written [0] or [\"name\"]"))?;
                let key = if let Ok(n) = inner.parse::<u64>() {
                    InstanceKey::Int(n)
                } else if inner.len() >= 2 && inner.starts_with('"') && inner.ends_with('"') {
                    let v: String = serde_json::from_str(inner)
                        .map_err(|_| err("the instance key string is not a valid quoted string"))?;
                    InstanceKey::Str(v)
                } else {
                    return Err(err("an instance key must be a number or a quoted string"));
                };
                (&s[..i], Some(key))
            }
            None => (s, None),
        };
        let parts: Vec<&str> = head.split('.').collect();
        let (mode, kind, name) = match parts.as_slice() {
            ["data", kind, name] => (Mode::Data, *kind, *name),
            [kind, name] => (Mode::Managed, *kind, *name),
            _ => return Err(err("expected TYPE.NAME, TYPE.NAME[KEY] or data.TYPE.NAME")),
        };
        let ident_ok = |x: &str| {
            !x.is_empty()
                && x.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !x.starts_with(|c: char| c.is_ascii_digit())
        };
        if !ident_ok(kind) || !ident_ok(name) {
            return Err(err("type and name must be identifiers"));
        }
        Ok(TargetAddr {
            resource: ResourceAddr {
                mode,
                kind: kind.to_string(),
                name: name.to_string(),
            },
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_addresses() {
        for s in [
            "aws_kms_key.lab",
            "aws_iam_user.u[0]",
            "aws_iam_user.u[\"bob\"]",
            "data.aws_region.r",
        ] {
            let t: TargetAddr = s.parse().unwrap();
            assert_eq!(t.to_string(), s);
        }
        assert!("aws_kms_key".parse::<TargetAddr>().is_err());
        assert!("aws_kms_key.x[bob]".parse::<TargetAddr>().is_err());
    }

    #[test]
    fn whole_resource_target_matches_every_instance() {
        let t: TargetAddr = "aws_iam_user.u".parse().unwrap();
        let r = ResourceAddr::managed("aws_iam_user", "u");
        assert!(t.matches(&r.instance(InstanceKey::Int(3))));
        let t1: TargetAddr = "aws_iam_user.u[1]".parse().unwrap();
        assert!(!t1.matches(&r.instance(InstanceKey::Int(3))));
    }
}
