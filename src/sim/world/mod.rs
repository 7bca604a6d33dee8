//! What the simulated cloud holds: keys, aliases, buckets, objects, users, policies, trails,
//! CloudTrail events, the clock. Plain data (serde); behaviour lives in the service modules.
//!
//! Changes are tracked per entity ([`EntityRef`]) so a command can journal exactly what it
//! changed ([`WorldOp`]) instead of rewriting the whole world.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;
use crate::sim::ids::IdGen;

mod iam;
mod kms;
mod s3;
mod trail;

pub use iam::*;
pub use kms::*;
pub use s3::*;
pub use trail::*;

/// Version of the world file format; newer files are refused, older ones migrated. Format 2
/// files carry a checksum of their content (format 1 files, without one, are still read).
pub const WORLD_FORMAT_VERSION: u32 = 3;

/// The whole simulated account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub account_id: String,
    pub region: String,
    pub now: Millis,
    /// Every advance of the clock made so far (`sim clock advance`, a control endpoint, a
    /// test's `clock:Advance`): a served world runs at the wall clock plus this.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clock_offset: Millis,
    /// Orders events that happen at the same instant.
    pub seq: u64,
    pub ids: IdGen,
    pub kms: KmsState,
    pub s3: S3State,
    pub iam: IamState,
    pub cloudtrail: TrailState,
}

impl World {
    pub fn new(account_id: &str, region: &str, now: Millis, ids: IdGen) -> World {
        World {
            account_id: account_id.to_string(),
            region: region.to_string(),
            now,
            clock_offset: 0,
            seq: 0,
            ids,
            kms: KmsState::default(),
            s3: S3State::default(),
            iam: IamState::default(),
            cloudtrail: TrailState::default(),
        }
    }

    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id)
    }
}

// ---------------------------------------------------------------- change tracking

/// One entity of the world, for journaling.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "t", content = "k")]
pub enum EntityRef {
    KmsKey(String),
    KmsAlias(String),
    Bucket(String),
    Object(String, String),
    User(String),
    Policy(String),
    Trail(String),
    Upload(String),
    Role(String),
    Group(String),
    Session(String),
    /// A key's noncurrent versions and delete markers.
    Versions(String, String),
}

/// A journaled change: an entity's new value (None = deleted), or appended events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorldDelta {
    pub now: Millis,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clock_offset: Millis,
    pub seq: u64,
    pub ids: IdGen,
    pub upserts: Vec<(EntityRef, Option<serde_json::Value>)>,
    /// Events appended since the last delta, starting at index `events_from`.
    pub events_from: usize,
    pub events: Vec<TrailEvent>,
}

impl World {
    /// Serializes the current value of each touched entity.
    pub fn delta(&self, touched: &BTreeSet<EntityRef>, events_from: usize) -> WorldDelta {
        let upserts = touched
            .iter()
            .map(|r| {
                let v = match r {
                    EntityRef::KmsKey(id) => self.kms.keys.get(id).map(to_json),
                    EntityRef::KmsAlias(n) => self.kms.aliases.get(n).map(to_json),
                    EntityRef::Bucket(n) => self.s3.buckets.get(n).map(to_json),
                    EntityRef::Object(b, k) => {
                        self.s3.objects.get(b).and_then(|m| m.get(k)).map(to_json)
                    }
                    EntityRef::User(n) => self.iam.users.get(n).map(to_json),
                    EntityRef::Policy(a) => self.iam.policies.get(a).map(to_json),
                    EntityRef::Trail(n) => self.cloudtrail.trails.get(n).map(to_json),
                    EntityRef::Upload(id) => self.s3.uploads.get(id).map(to_json),
                    EntityRef::Role(n) => self.iam.roles.get(n).map(to_json),
                    EntityRef::Group(n) => self.iam.groups.get(n).map(to_json),
                    EntityRef::Session(id) => self.iam.sessions.get(id).map(to_json),
                    EntityRef::Versions(b, k) => {
                        self.s3.versions.get(b).and_then(|m| m.get(k)).map(to_json)
                    }
                };
                (r.clone(), v)
            })
            .collect();
        let from = events_from.min(self.cloudtrail.events.len());
        WorldDelta {
            now: self.now,
            clock_offset: self.clock_offset,
            seq: self.seq,
            ids: self.ids.clone(),
            upserts,
            events_from: from,
            events: self.cloudtrail.events[from..].to_vec(),
        }
    }

    /// Applies a journaled delta; idempotent, so replaying a record twice is harmless.
    pub fn apply_delta(&mut self, d: &WorldDelta) -> Result<(), serde_json::Error> {
        self.now = d.now;
        self.clock_offset = d.clock_offset;
        self.seq = d.seq;
        self.ids = d.ids.clone();
        for (r, v) in &d.upserts {
            match r {
                EntityRef::KmsKey(id) => put(&mut self.kms.keys, id, v)?,
                EntityRef::KmsAlias(n) => put(&mut self.kms.aliases, n, v)?,
                EntityRef::Bucket(n) => put(&mut self.s3.buckets, n, v)?,
                EntityRef::Object(b, k) => {
                    let m = self.s3.objects.entry(b.clone()).or_default();
                    put(m, k, v)?;
                    if m.is_empty() {
                        self.s3.objects.remove(b);
                    }
                }
                EntityRef::User(n) => put(&mut self.iam.users, n, v)?,
                EntityRef::Policy(a) => put(&mut self.iam.policies, a, v)?,
                EntityRef::Trail(n) => put(&mut self.cloudtrail.trails, n, v)?,
                EntityRef::Upload(id) => put(&mut self.s3.uploads, id, v)?,
                EntityRef::Role(n) => put(&mut self.iam.roles, n, v)?,
                EntityRef::Group(n) => put(&mut self.iam.groups, n, v)?,
                EntityRef::Session(id) => put(&mut self.iam.sessions, id, v)?,
                EntityRef::Versions(b, k) => {
                    let m = self.s3.versions.entry(b.clone()).or_default();
                    put(m, k, v)?;
                    if m.is_empty() {
                        self.s3.versions.remove(b);
                    }
                }
            }
        }
        let events = &mut self.cloudtrail.events;
        events.truncate(d.events_from.min(events.len()));
        if events.len() == d.events_from {
            events.extend(d.events.iter().cloned());
        }
        Ok(())
    }
}

fn is_zero(v: &Millis) -> bool {
    *v == 0
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn put<T: serde::de::DeserializeOwned>(
    map: &mut BTreeMap<String, T>,
    key: &str,
    v: &Option<serde_json::Value>,
) -> Result<(), serde_json::Error> {
    match v {
        Some(j) => {
            map.insert(key.to_string(), T::deserialize(j)?);
        }
        None => {
            map.remove(key);
        }
    }
    Ok(())
}
