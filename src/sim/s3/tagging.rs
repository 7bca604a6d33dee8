//! Object and bucket tags: Put/Get/DeleteObjectTagging (by version too), the `x-amz-tagging`
//! query string of uploads and copies, and Put/Get/DeleteBucketTagging, with S3's limits
//! (10 tags per object, 50 per bucket, keys up to 128 and values up to 256 characters).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{S3Error, s3_op};
use crate::sim::world::EntityRef;
use crate::sim::{CallContext, Cloud, SimError, opt_str, req_str};

/// The tags of a `Tagging` structure (`{"TagSet": [{"Key": .., "Value": ..}]}`).
pub(crate) fn tag_set(p: &Json, max: usize) -> Result<BTreeMap<String, String>, S3Error> {
    let set = p
        .pointer("/Tagging/TagSet")
        .and_then(Json::as_array)
        .ok_or(S3Error::MalformedXml)?;
    let pairs = set
        .iter()
        .map(|t| {
            let s = |n: &str| t.get(n).and_then(Json::as_str).map(str::to_string);
            Ok((
                s("Key").ok_or(S3Error::MalformedXml)?,
                s("Value").unwrap_or_default(),
            ))
        })
        .collect::<Result<Vec<_>, S3Error>>()?;
    validate_tags(pairs, max)
}

/// The tags of an `x-amz-tagging` value (`k1=v1&k2=v2`, URL-encoded).
pub(crate) fn query_tags(q: &str) -> Result<BTreeMap<String, String>, S3Error> {
    let decode = |s: &str| crate::serve::sigv4::percent_decode(&s.replace('+', " "));
    let pairs = q
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    validate_tags(pairs, 10)
}

fn validate_tags(
    pairs: Vec<(String, String)>,
    max: usize,
) -> Result<BTreeMap<String, String>, S3Error> {
    let bad = |why| S3Error::InvalidTag { why };
    if pairs.len() > max {
        return Err(bad(if max == 10 {
            "Object tags cannot be greater than 10"
        } else {
            "Bucket tag count cannot be greater than 50"
        }));
    }
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        if k.is_empty() {
            return Err(bad("The TagKey you have provided is invalid"));
        }
        if k.chars().count() > 128 {
            return Err(bad("The TagKey you have provided is too long, max 128"));
        }
        if v.chars().count() > 256 {
            return Err(bad("The TagValue you have provided is too long, max 256"));
        }
        if k.starts_with("aws:") {
            return Err(bad("Your TagKey cannot be prefixed with aws:"));
        }
        if out.insert(k, v).is_some() {
            return Err(bad("Cannot provide multiple Tags with the same key"));
        }
    }
    Ok(out)
}

fn tag_json(tags: &BTreeMap<String, String>) -> Json {
    Json::Array(
        tags.iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect(),
    )
}

/// The action of a tagging call: naming a version makes it the `...VersionTagging` action.
fn tagging_action(verb: &str, version: Option<&str>) -> String {
    match version {
        Some(_) => format!("s3:{verb}ObjectVersionTagging"),
        None => format!("s3:{verb}ObjectTagging"),
    }
}

impl Cloud {
    /// The object (current, or the version named) whose tags a call reads or writes.
    fn tagged_object_mut(
        &mut self,
        b: &str,
        k: &str,
        version: Option<&str>,
    ) -> Result<&mut BTreeMap<String, String>, S3Error> {
        let found = self.find_version(b, k, version)?;
        let vid = found.version_id.clone();
        self.touch(EntityRef::Bucket(b.to_string()));
        let s3 = &mut self.world.s3;
        if let Some(o) = s3
            .objects
            .get_mut(b)
            .and_then(|m| m.get_mut(k))
            .filter(|o| o.version_id == vid)
        {
            return Ok(&mut o.tags);
        }
        let want = found.version_str().to_string();
        s3.versions
            .get_mut(b)
            .and_then(|m| m.get_mut(k))
            .and_then(|h| h.iter_mut().find(|e| e.version_id == want))
            .and_then(|e| e.object.as_mut())
            .map(|o| &mut o.tags)
            .ok_or(S3Error::NoSuchVersion)
    }

    fn object_tagging(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        verb: &'static str,
        op: &'static str,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        params["tagging"] = json!("");
        let version = opt_str(p, "VersionId")?.map(str::to_string);
        if let Some(v) = &version {
            params["versionId"] = json!(v);
        }
        let new_tags = match verb {
            "Put" => Some(tag_set(p, 10)?),
            _ => None,
        };
        let mutates = verb != "Get";
        self.run(ctx, s3_op(op, params, !mutates, true), |c, t| {
            let action = tagging_action(verb, version.as_deref());
            let mut conds = Vec::new();
            for (k, v) in new_tags.iter().flatten() {
                conds.push((format!("s3:RequestObjectTag/{k}"), v.clone()));
            }
            c.object_prelude(ctx, t, &b, &k, &action, &conds)?;
            let vid = c.find_version(&b, &k, version.as_deref())?.version_id;
            let mut out = json!({});
            if let Some(v) = &vid {
                out["VersionId"] = json!(v);
            }
            match (verb, new_tags.clone()) {
                ("Put", Some(tags)) => *c.tagged_object_mut(&b, &k, version.as_deref())? = tags,
                ("Delete", _) => c.tagged_object_mut(&b, &k, version.as_deref())?.clear(),
                _ => {
                    let o = c.find_version(&b, &k, version.as_deref())?;
                    out["TagSet"] = tag_json(&o.tags);
                }
            }
            Ok(out)
        })
    }

    pub fn s3_put_object_tagging(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.object_tagging(ctx, p, "Put", "PutObjectTagging")
    }

    pub fn s3_get_object_tagging(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.object_tagging(ctx, p, "Get", "GetObjectTagging")
    }

    pub fn s3_delete_object_tagging(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.object_tagging(ctx, p, "Delete", "DeleteObjectTagging")
    }

    pub fn s3_put_bucket_tagging(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        params["tagging"] = json!("");
        let tags = tag_set(p, 50)?;
        self.run(
            ctx,
            s3_op("PutBucketTagging", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketTagging")?;
                c.bucket_mut(&b)?.tags = tags;
                Ok(json!({}))
            },
        )
    }

    pub fn s3_get_bucket_tagging(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        params["tagging"] = json!("");
        self.run(
            ctx,
            s3_op("GetBucketTagging", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketTagging")?;
                let tags = &c.bucket(&b)?.tags;
                if tags.is_empty() {
                    return Err(S3Error::NoSuchTagSet.into());
                }
                Ok(json!({"TagSet": tag_json(tags)}))
            },
        )
    }

    pub fn s3_delete_bucket_tagging(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        params["tagging"] = json!("");
        self.run(
            ctx,
            s3_op("DeleteBucketTagging", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketTagging")?;
                c.bucket_mut(&b)?.tags.clear();
                Ok(json!({}))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_limits_are_s3s() {
        assert_eq!(query_tags("a=1&b=x%20y").unwrap()["b"], "x y");
        let eleven = (0..11)
            .map(|i| format!("k{i}=v"))
            .collect::<Vec<_>>()
            .join("&");
        assert!(matches!(
            query_tags(&eleven),
            Err(S3Error::InvalidTag { why }) if why.contains("greater than 10")
        ));
        assert!(query_tags("a=1&a=2").is_err());
        assert!(query_tags(&format!("{}=v", "k".repeat(129))).is_err());
        assert!(query_tags(&format!("k={}", "v".repeat(257))).is_err());
        assert!(query_tags("aws:x=1").is_err());
    }
}
