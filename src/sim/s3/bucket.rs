//! S3 buckets themselves: the bucket name rules, CreateBucket, DeleteBucket, HeadBucket,
//! ListBuckets, GetBucketLocation and ListObjectsV2 (a bucket-level call: s3:ListBucket).
//!
//! Bucket settings live in `bucket_config`, objects in `object`.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{S3Error, s3_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::{Bucket, EntityRef, PublicAccessBlock};
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str};

/// Checks a bucket name against S3's rules; Err says which rule failed.
pub fn validate_bucket_name(name: &str) -> Result<(), String> {
    let n = name.len();
    if !(3..=63).contains(&n) {
        return Err(format!(
            "bucket names must be 3 to 63 characters long (got {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(
            "bucket names may contain only lowercase letters, digits, dots (.) and hyphens (-)"
                .into(),
        );
    }
    let first_last_ok =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Err("bucket names must begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Err("bucket names must not contain two adjacent periods".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err("bucket names must not be formatted as an IP address".into());
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") {
        return Err("bucket names must not start with the prefix xn-- or sthree-".into());
    }
    for suffix in ["-s3alias", "--ol-s3", "--x-s3"] {
        if name.ends_with(suffix) {
            return Err(format!(
                "bucket names must not end with the suffix {suffix}"
            ));
        }
    }
    Ok(())
}

impl Cloud {
    pub fn s3_create_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        let region = p
            .get("CreateBucketConfiguration")
            .and_then(|c| c.get("LocationConstraint"))
            .and_then(Json::as_str)
            .map(str::to_string);
        self.run(ctx, s3_op("CreateBucket", params, false, false), |c, t| {
            let arn = format!("arn:aws:s3:::{b}");
            t.resources.push(("AWS::S3::Bucket".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("s3:CreateBucket", &arn))?;
            validate_bucket_name(&b).map_err(|why| S3Error::InvalidBucketName { why })?;
            // Bucket names are global: another account's bucket of that name is taken.
            match c.world.bucket_owner(&b) {
                Some(owner) if owner == c.world.account_id => {
                    return Err(S3Error::BucketAlreadyOwnedByYou.into());
                }
                Some(_) => return Err(S3Error::BucketAlreadyExists.into()),
                None => {}
            }
            let region = region.unwrap_or_else(|| c.world.region.clone());
            if region != c.world.region && !(region.is_empty() && c.world.region == "us-east-1") {
                return Err(S3Error::IllegalLocationConstraint { region }.into());
            }
            let bucket = Bucket {
                name: b.clone(),
                owner: c.world.account_id.clone(),
                created: c.world.now,
                region: c.world.region.clone(),
                encryption: None,
                public_access_block: Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                }),
                policy: None,
                tags: BTreeMap::new(),
                bucket_keys: Vec::new(),
                versioning: None,
            };
            c.world.s3.buckets.insert(b.clone(), bucket);
            c.touch(EntityRef::Bucket(b.clone()));
            Ok(json!({"Location": format!("/{b}")}))
        })
    }

    pub fn s3_delete_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("DeleteBucket", params, false, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:DeleteBucket")?;
            if c.world.s3.objects.get(&b).is_some_and(|o| !o.is_empty())
                || c.world.s3.versions.get(&b).is_some_and(|o| !o.is_empty())
            {
                return Err(S3Error::BucketNotEmpty.into());
            }
            c.world.s3.buckets.remove(&b);
            c.touch(EntityRef::Bucket(b.clone()));
            Ok(json!({}))
        })
    }

    pub fn s3_head_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("HeadBucket", params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:ListBucket")?;
            Ok(json!({"BucketRegion": c.bucket(&b)?.region}))
        })
    }

    pub fn s3_list_buckets(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.run(ctx, s3_op("ListBuckets", p.clone(), true, false), |c, _| {
            c.authorize(ctx, &Access::iam_only("s3:ListAllMyBuckets", "*"))?;
            let buckets: Vec<Json> = c
                .world
                .s3
                .buckets
                .values()
                .filter(|b| b.owner.is_empty() || b.owner == c.world.account_id)
                .map(|b| json!({"Name": b.name, "CreationDate": iso8601(b.created)}))
                .collect();
            Ok(json!({"Buckets": buckets, "Owner": {"ID": c.world.account_id}}))
        })
    }

    /// GetBucketLocation: us-east-1 answers an empty constraint, as S3 does.
    pub fn s3_get_bucket_location(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("GetBucketLocation", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketLocation")?;
                let region = c.bucket(&b)?.region.clone();
                Ok(json!({"LocationConstraint": if region == "us-east-1" { Json::Null } else { json!(region) }}))
            },
        )
    }

    pub fn s3_list_objects_v2(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let prefix = opt_str(p, "Prefix")?.unwrap_or("").to_string();
        let delimiter = opt_str(p, "Delimiter")?.map(str::to_string);
        let max = opt_int(p, "MaxKeys")?.unwrap_or(1000).clamp(0, 1000) as usize;
        let after = opt_str(p, "ContinuationToken")?
            .or(opt_str(p, "StartAfter")?)
            .map(str::to_string);
        params["list-type"] = json!(2);
        params["prefix"] = json!(prefix);
        // The listing's condition keys, with the values as the caller sent them.
        let mut conds = Vec::new();
        for (name, key) in [
            ("Prefix", "s3:prefix"),
            ("Delimiter", "s3:delimiter"),
            ("MaxKeys", "s3:max-keys"),
        ] {
            match p.get(name) {
                Some(Json::String(s)) => conds.push((key.to_string(), s.clone())),
                Some(Json::Number(n)) => conds.push((key.to_string(), n.to_string())),
                _ => {}
            }
        }
        self.run(ctx, s3_op("ListObjects", params, true, false), |c, t| {
            c.s3_bucket_prelude_with(ctx, t, &b, "s3:ListBucket", &conds)?;
            let empty = BTreeMap::new();
            let objects = c.world.s3.objects.get(&b).unwrap_or(&empty);
            let mut contents = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut next = None;
            for (k, o) in objects.range::<String, _>((after.as_ref().map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded), std::ops::Bound::Unbounded)) {
                if !k.starts_with(&prefix) {
                    continue;
                }
                if contents.len() + prefixes.len() >= max {
                    next = Some(k.clone());
                    break;
                }
                if let Some(d) = &delimiter
                    && let Some(i) = k[prefix.len()..].find(d.as_str()) {
                        let cp = k[..prefix.len() + i + d.len()].to_string();
                        if !prefixes.contains(&cp) {
                            prefixes.push(cp);
                        }
                        continue;
                    }
                contents.push(json!({
                    "Key": k, "LastModified": iso8601(o.last_modified), "ETag": format!("\"{}\"", o.etag),
                    "Size": o.size, "StorageClass": "STANDARD",
                }));
            }
            let mut out = json!({
                "Name": b, "Prefix": prefix, "KeyCount": contents.len() + prefixes.len(), "MaxKeys": max,
                "IsTruncated": next.is_some(), "Contents": contents,
                "CommonPrefixes": prefixes.iter().map(|p| json!({"Prefix": p})).collect::<Vec<_>>(),
            });
            if let Some(n) = next {
                out["NextContinuationToken"] = json!(contents_last_key(&out).unwrap_or(n));
            }
            Ok(out)
        })
    }
}

fn contents_last_key(out: &Json) -> Option<String> {
    out.get("Contents")?
        .as_array()?
        .last()?
        .get("Key")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert!(validate_bucket_name("aerosecure-sensitive").is_ok());
        for bad in [
            "ab",
            "UPPER",
            "-start",
            "end-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "x-s3alias",
            "under_score",
        ] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
    }
}
