//! The AWS provider on the simulated cloud: maps each resource type's create/read/update/delete
//! onto sim API calls made as lab-admin, and renders data sources. No business rules live here:
//! the cloud enforces them.
//!
//! This file holds the schemas' registry and the dispatcher; each service has its own file
//! (`kms.rs`, `s3.rs`, `iam.rs`, `cloudtrail.rs`), data sources are in `data.rs` and
//! `policy_doc.rs`, shared helpers in `common.rs`.
//!
//! The contract with the engine: a state map holds every attribute of its schema (null where
//! unset, nested blocks as lists of objects, sets sorted and deduplicated). `read` looks at the
//! world directly and never calls an operation, so a refresh records no CloudTrail event.

mod cloudtrail;
mod common;
mod data;
mod iam;
mod kms;
mod policy_doc;
mod s3;
mod schemas;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::addr::Mode;
use crate::provider::{PlanAdjustments, Provider, ProviderError};
use crate::schema::{BodySchema, ResourceSchema, SchemaSource};
use crate::sim::{CallContext, Cloud};
use crate::value::{Map, Value};

/// The schemas of every simulated resource type and data source.
pub struct AwsSchemas {
    resources: HashMap<&'static str, ResourceSchema>,
    data: HashMap<&'static str, ResourceSchema>,
}

impl AwsSchemas {
    pub fn get() -> &'static AwsSchemas {
        static S: OnceLock<AwsSchemas> = OnceLock::new();
        S.get_or_init(|| AwsSchemas {
            resources: schemas::resources()
                .into_iter()
                .map(|s| (s.kind, s))
                .collect(),
            data: schemas::data_sources()
                .into_iter()
                .map(|s| (s.kind, s))
                .collect(),
        })
    }
}

impl SchemaSource for AwsSchemas {
    fn resource_schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        match mode {
            Mode::Managed => self.resources.get(kind),
            Mode::Data => self.data.get(kind),
        }
    }

    fn resource_kinds(&self, mode: Mode) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match mode {
            Mode::Managed => self.resources.keys().copied().collect(),
            Mode::Data => self.data.keys().copied().collect(),
        };
        v.sort_unstable();
        v
    }

    fn is_known_unsupported(&self, mode: Mode, kind: &str) -> bool {
        mode == Mode::Managed
            && schemas::KNOWN_UNSUPPORTED.contains(&kind)
            && !self.resources.contains_key(kind)
    }
}

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
    /// the cloud exclusively for its lifetime.
    attachment_counts: Option<std::collections::HashMap<String, usize>>,
}

impl<'a> AwsProvider<'a> {
    pub fn new(cloud: &'a mut Cloud, base_dir: &Path) -> AwsProvider<'a> {
        AwsProvider {
            cloud,
            base_dir: base_dir.to_path_buf(),
            ctx: CallContext::lab_admin(),
            created: None,
            attachment_counts: None,
        }
    }
}

fn unsupported(kind: &str) -> ProviderError {
    ProviderError::new(format!(
        "the AWS provider of keyform has no resource type {kind:?}"
    ))
}

fn body(mode: Mode, kind: &str) -> Result<&'static BodySchema, ProviderError> {
    AwsSchemas::get()
        .resource_schema(mode, kind)
        .map(|s| &s.body)
        .ok_or_else(|| unsupported(kind))
}

/// Completes a map so it holds every attribute of the kind's schema.
fn complete(mode: Mode, kind: &str, mut m: Map) -> Result<Map, ProviderError> {
    common::fill(body(mode, kind)?, &mut m);
    Ok(m)
}

impl Provider for AwsProvider<'_> {
    fn schema(&self, mode: Mode, kind: &str) -> Option<&ResourceSchema> {
        AwsSchemas::get().resource_schema(mode, kind)
    }

    fn read(&mut self, kind: &str, prior: &Map) -> Result<Option<Map>, ProviderError> {
        if kind == "aws_iam_policy" && self.attachment_counts.is_none() {
            self.attachment_counts = Some(self.cloud.world.iam.attachment_counts());
        }
        let w = &self.cloud.world;
        let m = match kind {
            "aws_kms_key" => kms::read_key(w, prior),
            "aws_kms_alias" => kms::read_alias(w, prior),
            "aws_kms_key_policy" => kms::read_key_policy(w, prior),
            "aws_s3_bucket" => s3::read_bucket(w, prior),
            "aws_s3_bucket_server_side_encryption_configuration" => s3::read_sse(w, prior),
            "aws_s3_bucket_public_access_block" => s3::read_pab(w, prior),
            "aws_s3_bucket_policy" => s3::read_bucket_policy(w, prior),
            "aws_s3_object" => s3::read_object(w, prior),
            "aws_iam_user" => iam::read_user(w, prior),
            "aws_iam_policy" => iam::read_policy(w, prior, |arn| match &self.attachment_counts {
                Some(counts) => counts.get(arn).copied().unwrap_or(0),
                None => w.iam.attachment_count(arn),
            }),
            "aws_iam_user_policy" => iam::read_user_policy(w, prior),
            "aws_iam_user_policy_attachment" => iam::read_attachment(w, prior),
            "aws_iam_access_key" => iam::read_access_key(w, prior),
            "aws_cloudtrail" => cloudtrail::read_trail(w, prior),
            _ => return Err(unsupported(kind)),
        };
        m.map(|m| complete(Mode::Managed, kind, m)).transpose()
    }

    fn plan(
        &self,
        kind: &str,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        let body = body(Mode::Managed, kind)?;
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
        let mut adj = PlanAdjustments::default();
        match kind {
            "aws_kms_key" => kms::plan_key(planned),
            "aws_kms_alias" => kms::plan_alias(prior, planned),
            "aws_s3_bucket_server_side_encryption_configuration" => {
                adj.warnings = s3::sse_warnings(planned)
            }
            "aws_s3_object" => adj.warnings = s3::plan_object(prior, planned),
            "aws_cloudtrail" => cloudtrail::plan_trail(&self.cloud.world, planned),
            _ => {}
        }
        Ok(adj)
    }

    fn create(&mut self, kind: &str, planned: &Map) -> Result<Map, ProviderError> {
        self.attachment_counts = None;
        self.created = None;
        let m = match kind {
            "aws_kms_key" => self.create_key(planned),
            "aws_kms_alias" => self.create_alias(planned),
            "aws_kms_key_policy" => self.create_key_policy(planned),
            "aws_s3_bucket" => self.create_bucket(planned),
            "aws_s3_bucket_server_side_encryption_configuration" => self.create_sse(planned),
            "aws_s3_bucket_public_access_block" => self.create_pab(planned),
            "aws_s3_bucket_policy" => self.create_bucket_policy(planned),
            "aws_s3_object" => self.create_object(planned),
            "aws_iam_user" => self.create_user(planned),
            "aws_iam_policy" => self.create_policy(planned),
            "aws_iam_user_policy" => self.create_user_policy(planned),
            "aws_iam_user_policy_attachment" => self.create_attachment(planned),
            "aws_iam_access_key" => self.create_access_key(planned),
            "aws_cloudtrail" => self.create_trail(planned),
            _ => Err(unsupported(kind)),
        };
        crate::sim::crash_after_provider_call();
        match m {
            Ok(m) => complete(Mode::Managed, kind, m),
            Err(mut e) => {
                if let Some(seed) = self.created.take()
                    && let Ok(Some(attrs)) = self.read(kind, &seed)
                {
                    e.partial = Some(attrs);
                }
                Err(e)
            }
        }
    }

    fn update(&mut self, kind: &str, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        self.attachment_counts = None;
        let m = match kind {
            "aws_kms_key" => self.update_key(prior, planned),
            "aws_kms_alias" => self.update_alias(prior, planned),
            "aws_kms_key_policy" => self.update_key_policy(prior, planned),
            "aws_s3_bucket" => self.update_bucket(prior, planned),
            "aws_s3_bucket_server_side_encryption_configuration" => self.update_sse(prior, planned),
            "aws_s3_bucket_public_access_block" => self.update_pab(prior, planned),
            "aws_s3_bucket_policy" => self.update_bucket_policy(prior, planned),
            "aws_s3_object" => self.update_object(prior, planned),
            "aws_iam_user" => self.update_user(prior, planned),
            "aws_iam_policy" => self.update_policy(prior, planned),
            "aws_iam_user_policy" => self.update_user_policy(prior, planned),
            "aws_iam_user_policy_attachment" => self.update_attachment(prior, planned),
            "aws_iam_access_key" => self.update_access_key(prior, planned),
            "aws_cloudtrail" => self.update_trail(prior, planned),
            _ => Err(unsupported(kind)),
        };
        crate::sim::crash_after_provider_call();
        complete(Mode::Managed, kind, m?)
    }

    fn delete(&mut self, kind: &str, prior: &Map) -> Result<(), ProviderError> {
        self.attachment_counts = None;
        let r = match kind {
            "aws_kms_key" => self.delete_key(prior),
            "aws_kms_alias" => self.delete_alias(prior),
            "aws_kms_key_policy" => self.delete_key_policy(prior),
            "aws_s3_bucket" => self.delete_bucket(prior),
            "aws_s3_bucket_server_side_encryption_configuration" => self.delete_sse(prior),
            "aws_s3_bucket_public_access_block" => self.delete_pab(prior),
            "aws_s3_bucket_policy" => self.delete_bucket_policy(prior),
            "aws_s3_object" => self.delete_object(prior),
            "aws_iam_user" => self.delete_user(prior),
            "aws_iam_policy" => self.delete_policy(prior),
            "aws_iam_user_policy" => self.delete_user_policy(prior),
            "aws_iam_user_policy_attachment" => self.delete_attachment(prior),
            "aws_iam_access_key" => self.delete_access_key(prior),
            "aws_cloudtrail" => self.delete_trail(prior),
            _ => Err(unsupported(kind)),
        };
        crate::sim::crash_after_provider_call();
        r
    }

    fn read_data(&mut self, kind: &str, config: &Map) -> Result<Map, ProviderError> {
        let w = &self.cloud.world;
        let m = match kind {
            "aws_iam_policy_document" => policy_doc::read_policy_document(config)?,
            "aws_caller_identity" => data::caller_identity(w),
            "aws_region" => data::region(w, config)?,
            "aws_partition" => data::partition(),
            "aws_kms_alias" => kms::read_alias_data(w, config)?,
            _ => return Err(unsupported(kind)),
        };
        complete(Mode::Data, kind, m)
    }

    fn destroy_note(&self, kind: &str, prior: &Map) -> Option<String> {
        (kind == "aws_kms_key").then(|| kms::key_destroy_note(prior))
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
            .kms_delete_alias(&ctx, &json!({"AliasName": "alias/x"}))
            .unwrap();
        p.cloud
            .kms_schedule_key_deletion(&ctx, &json!({"KeyId": key_id.as_str()}))
            .unwrap();
        p.cloud
            .s3_delete_object(&ctx, &json!({"Bucket": "bkt1", "Key": "k"}))
            .unwrap();
        p.cloud
            .s3_delete_bucket(&ctx, &json!({"Bucket": "bkt1"}))
            .unwrap();
        p.cloud
            .iam_delete_user(&ctx, &json!({"UserName": "u1"}))
            .unwrap();
        p.cloud
            .iam_delete_policy(
                &ctx,
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
