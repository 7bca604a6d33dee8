//! The AWS provider on the simulated cloud: maps each resource type's create/read/update/delete
//! onto sim API calls made as lab-admin, and renders data sources. No business rules live here:
//! the cloud enforces them.
//!
//! Layout: one file per resource type under its service (`kms/key.rs`, `s3/bucket.rs`,
//! `iam/user.rs`, `cloudtrail/trail.rs`), one per data source under `data/`, each implementing
//! [`Resource`](crate::provider::Resource) or [`DataSource`](crate::provider::DataSource) and
//! listed once in `registry.rs`; helpers shared by the services in `common.rs` and schema
//! building blocks in `attrs.rs`. This file is the dispatcher: the [`Provider`] calls, by type
//! name, through the registry, plus the work no type does itself (generic plan rules, completing
//! maps, the partial state of a failed create, the crash-test hook).
//!
//! The contract with the engine: a state map holds every attribute of its schema (null where
//! unset, nested blocks as lists of objects, sets sorted and deduplicated). `read` looks at the
//! world directly and never calls an operation, so a refresh records no CloudTrail event.

mod attrs;
mod cloudtrail;
mod common;
mod data;
mod iam;
mod kms;
mod registry;
mod s3;

pub use registry::AwsSchemas;

use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::addr::Mode;
use crate::provider::{PlanAdjustments, Provider, ProviderError};
use crate::schema::{BodySchema, ResourceSchema, SchemaSource};
use crate::sim::{CallContext, Cloud};
use crate::value::{Map, Value};

/// The provider instance for one command: the cloud it acts on, as lab-admin.
pub struct AwsProvider<'a> {
    pub cloud: &'a mut Cloud,
    /// The configuration directory (`source` of aws_s3_object is confined to it).
    pub base_dir: PathBuf,
    pub ctx: CallContext,
    /// Set by a create once its object exists (before any further step), so a failure of a
    /// later step can report what was created ([`ProviderError::partial`]).
    created: Option<Map>,
    /// How many users each managed policy is attached to, built on the first policy read and
    /// dropped by every change made through this provider: a refresh reads every policy, and
    /// counting per read would scan every user each time. Sound because the provider holds
    /// the cloud exclusively for its lifetime. A cell, because reads get `&self`.
    attachment_counts: OnceCell<HashMap<String, usize>>,
}

impl<'a> AwsProvider<'a> {
    pub fn new(cloud: &'a mut Cloud, base_dir: &Path) -> AwsProvider<'a> {
        AwsProvider {
            cloud,
            base_dir: base_dir.to_path_buf(),
            ctx: CallContext::lab_admin(),
            created: None,
            attachment_counts: OnceCell::new(),
        }
    }
}

/// Completes a map so it holds every attribute of its schema.
fn complete(body: &BodySchema, mut m: Map) -> Map {
    common::fill(body, &mut m);
    m
}

impl Provider for AwsProvider<'_> {
    fn schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        AwsSchemas::get().resource_schema(mode, kind)
    }

    fn read(&mut self, kind: &str, prior: &Map) -> Result<Option<Map>, ProviderError> {
        let r = registry::resource(kind)?;
        Ok(r.imp.read(self, prior).map(|m| complete(&r.schema.body, m)))
    }

    fn import(&mut self, kind: &str, id: &str) -> Result<Option<Map>, ProviderError> {
        let r = registry::resource(kind)?;
        let Some(seed) = r.imp.import_seed(id) else {
            return Err(ProviderError::new(format!(
                "unexpected format of ID ({id}) for {}",
                r.imp.noun()
            )));
        };
        Ok(r.imp.read(self, &seed).map(|m| complete(&r.schema.body, m)))
    }

    fn plan(
        &self,
        kind: &str,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        let r = registry::resource(kind)?;
        let body = &r.schema.body;
        if let Some(prior) = prior {
            common::suppress_equivalent_json(body, prior, planned);
        }
        // Without provider default_tags, tags_all is tags, known as soon as tags is.
        if body.attr("tags_all").is_some() {
            let all = match planned.get("tags") {
                Some(Value::Unknown) => Value::Unknown,
                Some(Value::Object(t)) => Value::Object(t.clone()),
                _ => Value::Object(Map::new()),
            };
            planned.insert("tags_all".into(), all);
        }
        r.imp.plan(self, prior, planned)
    }

    fn create(&mut self, kind: &str, planned: &Map) -> Result<Map, ProviderError> {
        self.attachment_counts.take();
        self.created = None;
        let m = registry::resource(kind).and_then(|r| {
            r.imp
                .create(self, planned)
                .map(|m| complete(&r.schema.body, m))
        });
        crate::sim::crash_after_provider_call();
        m.map_err(|mut e| {
            if let Some(seed) = self.created.take()
                && let Ok(Some(attrs)) = self.read(kind, &seed)
            {
                e.partial = Some(attrs);
            }
            e
        })
    }

    fn update(&mut self, kind: &str, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        self.attachment_counts.take();
        let m = registry::resource(kind).and_then(|r| {
            r.imp
                .update(self, prior, planned)
                .map(|m| complete(&r.schema.body, m))
        });
        crate::sim::crash_after_provider_call();
        m
    }

    fn delete(&mut self, kind: &str, prior: &Map) -> Result<(), ProviderError> {
        self.attachment_counts.take();
        let r = registry::resource(kind).and_then(|r| r.imp.delete(self, prior));
        crate::sim::crash_after_provider_call();
        r
    }

    fn read_data(&mut self, kind: &str, config: &Map) -> Result<Map, ProviderError> {
        let d = registry::data_source(kind)?;
        let m = d.imp.read(self, config)?;
        Ok(complete(&d.schema.body, m))
    }

    fn destroy_note(&self, kind: &str, prior: &Map) -> Option<String> {
        registry::resource(kind).ok()?.imp.destroy_note(prior)
    }

    /// The world's changes since the last call (a `WorldDelta` as JSON), for the journal.
    fn take_world_delta(&mut self) -> Option<serde_json::Value> {
        // A delta is plain serde data with string keys: serializing it cannot fail.
        self.cloud
            .take_delta()
            .and_then(|d| serde_json::to_value(d).ok())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::common::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::value::{Map, Value};

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

    fn create(p: &mut super::AwsProvider<'_>, kind: &str, cfg: Vec<(&str, Value)>) -> Map {
        let planned = plan_create(p, kind, cfg);
        p.create(kind, &planned)
            .unwrap_or_else(|e| panic!("creating {kind}: {e}"))
    }

    #[test]
    fn refresh_is_silent_and_notices_out_of_band_deletion() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = create(&mut p, "aws_kms_key", vec![]);
        let mut states: Vec<(&str, Map)> = vec![("aws_kms_key", key.clone())];
        let key_id = key["id"].clone();
        states.push((
            "aws_kms_alias",
            create(
                &mut p,
                "aws_kms_alias",
                vec![("name", s("alias/x")), ("target_key_id", key_id.clone())],
            ),
        ));
        states.push((
            "aws_s3_bucket",
            create(&mut p, "aws_s3_bucket", vec![("bucket", s("bkt1"))]),
        ));
        states.push((
            "aws_s3_object",
            create(
                &mut p,
                "aws_s3_object",
                vec![("bucket", s("bkt1")), ("key", s("k")), ("content", s("x"))],
            ),
        ));
        states.push((
            "aws_iam_user",
            create(&mut p, "aws_iam_user", vec![("name", s("u1"))]),
        ));
        states.push((
            "aws_iam_policy",
            create(
                &mut p,
                "aws_iam_policy",
                vec![("name", s("p1")), ("policy", s(DOC))],
            ),
        ));
        let before = events(&p);
        for (kind, state) in &states {
            let read = p.read(kind, state).unwrap();
            assert_eq!(read.as_ref(), Some(state), "{kind} reads back as created");
            assert_complete(Mode::Managed, kind, state);
        }
        assert_eq!(events(&p), before, "reads record no CloudTrail event");

        let ctx = p.ctx.clone();
        p.cloud
            .call_json(&ctx, "kms:DeleteAlias", &json!({"AliasName": "alias/x"}))
            .unwrap();
        p.cloud
            .call_json(
                &ctx,
                "kms:ScheduleKeyDeletion",
                &json!({"KeyId": key_id.as_str()}),
            )
            .unwrap();
        p.cloud
            .call_json(
                &ctx,
                "s3:DeleteObject",
                &json!({"Bucket": "bkt1", "Key": "k"}),
            )
            .unwrap();
        p.cloud
            .call_json(&ctx, "s3:DeleteBucket", &json!({"Bucket": "bkt1"}))
            .unwrap();
        p.cloud
            .call_json(&ctx, "iam:DeleteUser", &json!({"UserName": "u1"}))
            .unwrap();
        p.cloud
            .call_json(
                &ctx,
                "iam:DeletePolicy",
                &json!({"PolicyArn": "arn:aws:iam::123456789012:policy/p1"}),
            )
            .unwrap();
        for (kind, state) in &states {
            assert_eq!(
                p.read(kind, state).unwrap(),
                None,
                "{kind} deleted out of band is gone"
            );
        }
    }

    #[test]
    fn world_changes_are_handed_to_the_journal_and_reads_change_nothing() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let _ = p.take_world_delta();
        let user = create(&mut p, "aws_iam_user", vec![("name", s("dave"))]);
        let delta = p.take_world_delta().expect("a create changes the world");
        let delta: crate::sim::world::WorldDelta = serde_json::from_value(delta).unwrap();
        assert!(delta.upserts.iter().any(|(r, v)| {
            *r == crate::sim::world::EntityRef::User("dave".into()) && v.is_some()
        }));
        assert_eq!(p.take_world_delta(), None);
        p.read("aws_iam_user", &user).unwrap();
        p.read_data("aws_caller_identity", &Map::new()).unwrap();
        assert_eq!(p.take_world_delta(), None, "reads leave nothing to journal");
    }

    #[test]
    fn unknown_kinds_are_errors() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        assert!(p.read("aws_instance", &Map::new()).is_err());
        assert!(p.create("aws_instance", &Map::new()).is_err());
        assert!(p.read_data("aws_instance", &Map::new()).is_err());
        assert!(p.plan("aws_instance", None, &mut Map::new()).is_err());
        assert!(p.destroy_note("aws_s3_bucket", &Map::new()).is_none());
    }
}
