//! Addresses of resources and their instances: `aws_iam_user.u["bob"]`, `data.aws_region.current`,
//! `module.k.aws_kms_key.this` (a resource of a child module).
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

/// One step of a module path: `module.k` or `module.k["a"]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: InstanceKey,
}

/// Where a block lives: empty for the root module, else the module calls leading to it.
pub(crate) type ModulePath = Vec<ModuleStep>;

/// `module.a.module.b` (empty for the root module), as Terraform writes module addresses.
pub(crate) fn module_text(path: &[ModuleStep]) -> String {
    let mut s = String::new();
    for (i, m) in path.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(&format!("module.{}{}", m.name, m.key));
    }
    s
}

/// Parses `module.a.module.b["x"]` (the text of a state file's "module" field).
pub(crate) fn parse_module_text(s: &str) -> Result<ModulePath, AddrParseError> {
    let err = |reason| AddrParseError {
        input: s.to_string(),
        reason,
    };
    let (path, rest) = parse_module_prefix(s).map_err(err)?;
    if !rest.is_empty() {
        return Err(err("expected module.NAME, optionally repeated"));
    }
    Ok(path)
}

/// Reads leading `module.NAME[KEY].` steps; returns them and what follows (without the dot).
fn parse_module_prefix(mut s: &str) -> Result<(ModulePath, &str), &'static str> {
    let mut path = Vec::new();
    while let Some(rest) = s.strip_prefix("module.") {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..end];
        if !ident_ok(name) {
            return Err("a module name must be an identifier");
        }
        let mut after = &rest[end..];
        let mut key = InstanceKey::None;
        if after.starts_with('[') {
            let (k, r) = parse_key(after)?;
            key = k;
            after = r;
        }
        path.push(ModuleStep {
            name: name.to_string(),
            key,
        });
        match after.strip_prefix('.') {
            Some(r) => s = r,
            None if after.is_empty() => return Ok((path, "")),
            None => return Err("expected a dot after a module step"),
        }
    }
    Ok((path, s))
}

/// Parses a leading `[0]` or `["name"]`; returns the key and the rest.
fn parse_key(s: &str) -> Result<(InstanceKey, &str), &'static str> {
    let inner = s
        .strip_prefix('[')
        .ok_or("an instance key must be written [0] or [\"name\"]")?;
    if let Some(q) = inner.strip_prefix('"') {
        // Find the closing quote, skipping escaped characters.
        let mut esc = false;
        let mut close = None;
        for (i, c) in q.char_indices() {
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                close = Some(i);
                break;
            }
        }
        let close = close.ok_or("the instance key string is not a valid quoted string")?;
        let quoted = &inner[..close + 2];
        let v: String = serde_json::from_str(quoted)
            .map_err(|_| "the instance key string is not a valid quoted string")?;
        let rest = inner[close + 2..]
            .strip_prefix(']')
            .ok_or("an instance key must be written [0] or [\"name\"]")?;
        return Ok((InstanceKey::Str(v), rest));
    }
    let end = inner
        .find(']')
        .ok_or("an instance key must be written [0] or [\"name\"]")?;
    let n = inner[..end]
        .parse::<u64>()
        .map_err(|_| "an instance key must be a number or a quoted string")?;
    Ok((InstanceKey::Int(n), &inner[end + 1..]))
}

fn ident_ok(x: &str) -> bool {
    !x.is_empty()
        && x.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !x.starts_with(|c: char| c.is_ascii_digit())
}

/// A resource block: `aws_kms_key.lab` or `data.aws_region.current`, in the root module or in
/// a module (`module.k.aws_kms_key.this`). The module comes first so that ordering lists the
/// root module's resources before any module's, as Terraform does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    pub module: ModulePath,
    pub mode: Mode,
    pub kind: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn managed(kind: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr {
            module: Vec::new(),
            mode: Mode::Managed,
            kind: kind.into(),
            name: name.into(),
        }
    }

    pub fn data(kind: impl Into<String>, name: impl Into<String>) -> ResourceAddr {
        ResourceAddr {
            module: Vec::new(),
            mode: Mode::Data,
            kind: kind.into(),
            name: name.into(),
        }
    }

    /// The same block in module `path`.
    pub fn in_module(mut self, path: &[ModuleStep]) -> ResourceAddr {
        self.module = path.to_vec();
        self
    }

    /// The configuration block this address belongs to: module instance keys dropped
    /// (`module.k[0].aws_kms_key.this` -> `module.k.aws_kms_key.this`).
    pub fn config_addr(&self) -> ResourceAddr {
        let mut a = self.clone();
        for m in &mut a.module {
            m.key = InstanceKey::None;
        }
        a
    }

    /// The address as written inside its own module (`aws_kms_key.this`).
    pub fn local_text(&self) -> String {
        if self.mode == Mode::Data {
            format!("data.{}.{}", self.kind, self.name)
        } else {
            format!("{}.{}", self.kind, self.name)
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
        if !self.module.is_empty() {
            write!(f, "{}.", module_text(&self.module))?;
        }
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
        let (module, s_rest) = parse_module_prefix(s).map_err(err)?;
        let (head, key) = match s_rest.find('[') {
            Some(i) => {
                let (key, rest) = parse_key(&s_rest[i..]).map_err(err)?;
                if !rest.is_empty() {
                    return Err(err("an instance key must be written [0] or [\"name\"]"));
                }
                (&s_rest[..i], Some(key))
            }
            None => (s_rest, None),
        };
        let parts: Vec<&str> = head.split('.').collect();
        let (mode, kind, name) = match parts.as_slice() {
            ["data", kind, name] => (Mode::Data, *kind, *name),
            [kind, name] => (Mode::Managed, *kind, *name),
            _ => return Err(err("expected TYPE.NAME, TYPE.NAME[KEY] or data.TYPE.NAME")),
        };
        if !ident_ok(kind) || !ident_ok(name) {
            return Err(err("type and name must be identifiers"));
        }
        Ok(TargetAddr {
            resource: ResourceAddr {
                module,
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
            "module.k.aws_kms_key.this",
            "module.k[0].module.inner[\"a.b\"].aws_s3_bucket.b[\"x\"]",
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
