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
/// Format 4 holds several accounts and names each bucket's owner ([`World::migrate`]).
pub const WORLD_FORMAT_VERSION: u32 = 4;

/// The whole simulated cloud: one or more accounts in one region.
///
/// One account is *in scope* at a time: its IAM and STS state, its KMS aliases and its trails
/// are the fields `iam`, `kms.aliases` and `cloudtrail.trails`, and `account_id` names it.
/// The other accounts wait in `accounts` ([`World::enter`] swaps one in; a call runs in its
/// caller's account). Between calls the default account (the first, `init -account-id`) is
/// in scope. KMS keys (by their unique id, their ARN naming their account), buckets (one
/// global namespace, each with its owner) and CloudTrail's event history are held once for
/// all accounts, as their names are unique across AWS.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    /// The account in scope (between calls, the default account).
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
    /// The accounts not in scope, by account id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub accounts: BTreeMap<String, AccountState>,
}

/// What belongs to one account, kept here while another account is in scope.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountState {
    #[serde(default)]
    pub iam: IamState,
    /// KMS aliases (names are per account and region).
    #[serde(default)]
    pub aliases: BTreeMap<String, KmsAlias>,
    #[serde(default)]
    pub trails: BTreeMap<String, Trail>,
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
            accounts: BTreeMap::new(),
        }
    }

    /// The root user of the account in scope.
    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id)
    }

    /// Every account of the world, in scope or not, in order.
    pub fn account_ids(&self) -> Vec<String> {
        let mut v: Vec<String> = self.accounts.keys().cloned().collect();
        v.push(self.account_id.clone());
        v.sort();
        v
    }

    /// Every account, the one in scope (between calls the default one) first.
    pub fn account_ids_default_first(&self) -> Vec<String> {
        let mut v = vec![self.account_id.clone()];
        v.extend(self.accounts.keys().cloned());
        v
    }

    pub fn has_account(&self, id: &str) -> bool {
        id == self.account_id || self.accounts.contains_key(id)
    }

    /// Adds an empty account; false when it exists already.
    pub fn add_account(&mut self, id: &str) -> bool {
        if self.has_account(id) {
            return false;
        }
        self.accounts
            .insert(id.to_string(), AccountState::default());
        true
    }

    /// Brings `account` into scope, parking the one in scope; false (and nothing changed)
    /// when the world has no such account.
    pub fn enter(&mut self, account: &str) -> bool {
        if account == self.account_id {
            return true;
        }
        let Some(next) = self.accounts.remove(account) else {
            return false;
        };
        let here = AccountState {
            iam: std::mem::replace(&mut self.iam, next.iam),
            aliases: std::mem::replace(&mut self.kms.aliases, next.aliases),
            trails: std::mem::replace(&mut self.cloudtrail.trails, next.trails),
        };
        let was = std::mem::replace(&mut self.account_id, account.to_string());
        self.accounts.insert(was, here);
        true
    }

    /// The IAM and STS state of an account, in scope or not.
    pub fn iam_of(&self, account: &str) -> Option<&IamState> {
        if account == self.account_id {
            Some(&self.iam)
        } else {
            self.accounts.get(account).map(|a| &a.iam)
        }
    }

    /// [`World::iam_of`], mutable.
    pub fn iam_of_mut(&mut self, account: &str) -> Option<&mut IamState> {
        if account == self.account_id {
            Some(&mut self.iam)
        } else {
            self.accounts.get_mut(account).map(|a| &mut a.iam)
        }
    }

    /// The KMS aliases of an account, in scope or not.
    pub fn aliases_of(&self, account: &str) -> Option<&BTreeMap<String, KmsAlias>> {
        if account == self.account_id {
            Some(&self.kms.aliases)
        } else {
            self.accounts.get(account).map(|a| &a.aliases)
        }
    }

    /// The account a resource ARN names (`arn:aws:kms:REGION:ACCOUNT:...`), if any.
    pub fn arn_account(arn: &str) -> Option<&str> {
        let acct = arn.split(':').nth(4)?;
        (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
    }

    /// The account owning a bucket (older worlds' buckets: the default account's).
    pub fn bucket_owner(&self, bucket: &str) -> Option<&str> {
        self.s3.buckets.get(bucket).map(|b| {
            if b.owner.is_empty() {
                self.account_id.as_str()
            } else {
                b.owner.as_str()
            }
        })
    }

    /// Brings a world written in an older format up to this one. Format 4 names each bucket's
    /// owner; the buckets of older (one-account) worlds are the default account's.
    pub fn migrate(&mut self) {
        let home = self.account_id.clone();
        for b in self.s3.buckets.values_mut() {
            if b.owner.is_empty() {
                b.owner = home.clone();
            }
        }
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
    /// A per-account entity (alias, user, policy, trail, role, group, session) of a named
    /// account; the bare forms are the default account's (and every entity of a world with
    /// one account, as journals written before accounts have them).
    In(String, Box<EntityRef>),
}

impl EntityRef {
    /// Whether the entity belongs to one account (and so is journaled with it).
    pub fn per_account(&self) -> bool {
        matches!(
            self,
            EntityRef::KmsAlias(_)
                | EntityRef::User(_)
                | EntityRef::Policy(_)
                | EntityRef::Trail(_)
                | EntityRef::Role(_)
                | EntityRef::Group(_)
                | EntityRef::Session(_)
        )
    }
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
            .map(|r| (r.clone(), self.value_of(r)))
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

    /// The current value of one entity (None when it does not exist).
    fn value_of(&self, r: &EntityRef) -> Option<serde_json::Value> {
        match r {
            EntityRef::KmsKey(id) => self.kms.keys.get(id).map(to_json),
            EntityRef::KmsAlias(n) => self.kms.aliases.get(n).map(to_json),
            EntityRef::Bucket(n) => self.s3.buckets.get(n).map(to_json),
            EntityRef::Object(b, k) => self.s3.objects.get(b).and_then(|m| m.get(k)).map(to_json),
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
            EntityRef::In(acct, inner) if *acct == self.account_id => self.value_of(inner),
            EntityRef::In(acct, inner) => {
                let a = self.accounts.get(acct)?;
                match inner.as_ref() {
                    EntityRef::KmsAlias(n) => a.aliases.get(n).map(to_json),
                    EntityRef::User(n) => a.iam.users.get(n).map(to_json),
                    EntityRef::Policy(n) => a.iam.policies.get(n).map(to_json),
                    EntityRef::Trail(n) => a.trails.get(n).map(to_json),
                    EntityRef::Role(n) => a.iam.roles.get(n).map(to_json),
                    EntityRef::Group(n) => a.iam.groups.get(n).map(to_json),
                    EntityRef::Session(n) => a.iam.sessions.get(n).map(to_json),
                    other => self.value_of(other),
                }
            }
        }
    }

    /// Applies a journaled delta; idempotent, so replaying a record twice is harmless.
    pub fn apply_delta(&mut self, d: &WorldDelta) -> Result<(), serde_json::Error> {
        self.now = d.now;
        self.clock_offset = d.clock_offset;
        self.seq = d.seq;
        self.ids = d.ids.clone();
        for (r, v) in &d.upserts {
            self.put_entity(r, v)?;
        }
        let events = &mut self.cloudtrail.events;
        events.truncate(d.events_from.min(events.len()));
        if events.len() == d.events_from {
            events.extend(d.events.iter().cloned());
        }
        self.migrate();
        Ok(())
    }

    fn put_entity(
        &mut self,
        r: &EntityRef,
        v: &Option<serde_json::Value>,
    ) -> Result<(), serde_json::Error> {
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
            EntityRef::In(acct, inner) if *acct == self.account_id => self.put_entity(inner, v)?,
            EntityRef::In(acct, inner) => {
                let a = self.accounts.entry(acct.clone()).or_default();
                match inner.as_ref() {
                    EntityRef::KmsAlias(n) => put(&mut a.aliases, n, v)?,
                    EntityRef::User(n) => put(&mut a.iam.users, n, v)?,
                    EntityRef::Policy(n) => put(&mut a.iam.policies, n, v)?,
                    EntityRef::Trail(n) => put(&mut a.trails, n, v)?,
                    EntityRef::Role(n) => put(&mut a.iam.roles, n, v)?,
                    EntityRef::Group(n) => put(&mut a.iam.groups, n, v)?,
                    EntityRef::Session(n) => put(&mut a.iam.sessions, n, v)?,
                    other => self.put_entity(other, v)?,
                }
            }
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
