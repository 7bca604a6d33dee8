//! Session tags: the `Tags` and `TransitiveTagKeys` an AssumeRole caller passes. They are
//! checked as STS checks them, offered to the trust policy as `aws:RequestTag/KEY` and
//! `aws:TagKeys` (with `sts:TagSession` needing permission), and become the session's
//! `aws:PrincipalTag/KEY` values (over the role's own tags of the same key). Transitive tags
//! pass on when the session assumes another role.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::IamError;
use crate::sim::{SimError, req_str};

/// Tags one AssumeRole may pass, and the lengths of a key and a value (STS's limits).
const MAX_TAGS: usize = 50;
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 256;

/// The tags a session is asked for, and which of their keys are transitive.
#[derive(Debug, Default)]
pub(super) struct SessionTags {
    pub(super) tags: BTreeMap<String, String>,
    pub(super) transitive: BTreeSet<String>,
}

impl SessionTags {
    /// `Tags` and `TransitiveTagKeys` of an AssumeRole request.
    pub(super) fn from_request(p: &Json) -> Result<SessionTags, SimError> {
        let list = match p.get("Tags") {
            Some(Json::Array(a)) => a.as_slice(),
            _ => &[],
        };
        if list.len() > MAX_TAGS {
            return Err(IamError::TooLong {
                member: "tags".into(),
                max: MAX_TAGS,
            }
            .into());
        }
        let mut tags = BTreeMap::new();
        let mut lowered = BTreeSet::new();
        for (i, t) in list.iter().enumerate() {
            let key = req_str(t, "Key")?;
            let value = req_str(t, "Value")?;
            if key.is_empty() || key.chars().count() > MAX_KEY {
                return Err(IamError::TooLong {
                    member: format!("tags.{}.member.key", i + 1),
                    max: MAX_KEY,
                }
                .into());
            }
            if value.chars().count() > MAX_VALUE {
                return Err(IamError::TooLong {
                    member: format!("tags.{}.member.value", i + 1),
                    max: MAX_VALUE,
                }
                .into());
            }
            // Tag keys are case-insensitive: `Project` and `project` are the same key.
            if !lowered.insert(key.to_lowercase()) {
                return Err(IamError::DuplicateTagKeys.into());
            }
            tags.insert(key.to_string(), value.to_string());
        }
        let transitive = match p.get("TransitiveTagKeys") {
            Some(Json::Array(a)) => a
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
            _ => BTreeSet::new(),
        };
        if let Some(k) = transitive
            .iter()
            .find(|k| !lowered.contains(&k.to_lowercase()))
        {
            return Err(IamError::TransitiveKeyNotTagged { key: k.clone() }.into());
        }
        Ok(SessionTags { tags, transitive })
    }

    /// Adds the transitive tags of the session that is assuming the role (role chaining): they
    /// pass on, and a chained request may not set one of them again.
    pub(super) fn inherit(
        &mut self,
        tags: &BTreeMap<String, String>,
        transitive: &BTreeSet<String>,
    ) -> Result<(), SimError> {
        for k in transitive {
            let Some(v) = tags.get(k) else { continue };
            if self.tags.keys().any(|t| t.eq_ignore_ascii_case(k)) {
                return Err(IamError::DuplicateTagKeys.into());
            }
            self.tags.insert(k.clone(), v.clone());
            self.transitive.insert(k.clone());
        }
        Ok(())
    }

    /// `aws:RequestTag/KEY` for each tag and `aws:TagKeys` for each key, as the trust policy
    /// sees them.
    pub(super) fn conditions(&self) -> Vec<(String, String)> {
        self.tags
            .iter()
            .flat_map(|(k, v)| {
                [
                    (format!("aws:RequestTag/{k}"), v.clone()),
                    ("aws:TagKeys".to_string(), k.clone()),
                ]
            })
            .collect()
    }
}
