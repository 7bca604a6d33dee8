//! S3 versioning: Put/GetBucketVersioning, version ids, delete markers, reading and deleting a
//! version by id, ListObjectVersions.
//!
//! The current version of a key stays in `objects` (so listings, reads and the provider see it
//! as before); noncurrent versions and delete markers are kept oldest first in `versions`. A
//! bucket never versioned behaves exactly as before: an overwrite or delete drops the body.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use super::{S3Error, s3_op};
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, ObjectVersion, S3Object};
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str};

/// The version id of what was written while versioning was off or suspended.
pub(crate) const NULL_VERSION: &str = "null";
const VERSION_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

/// A version id S3 could have issued: `null`, or 32 characters of its alphabet.
pub(crate) fn validate_version_id(v: &str) -> Result<(), S3Error> {
    if v == NULL_VERSION || (v.len() == 32 && v.bytes().all(|c| VERSION_ALPHABET.contains(&c))) {
        Ok(())
    } else {
        Err(S3Error::InvalidVersionId)
    }
}

impl S3Object {
    pub(crate) fn version_str(&self) -> &str {
        self.version_id.as_deref().unwrap_or(NULL_VERSION)
    }
}

impl Cloud {
    /// `Enabled` / `Suspended`, or None for a bucket never versioned.
    pub(super) fn versioning(&self, b: &str) -> Option<String> {
        self.world
            .s3
            .buckets
            .get(b)
            .and_then(|x| x.versioning.clone())
    }

    fn history(&self, b: &str, k: &str) -> &[ObjectVersion] {
        self.world
            .s3
            .versions
            .get(b)
            .and_then(|m| m.get(k))
            .map_or(&[], Vec::as_slice)
    }

    fn history_mut(&mut self, b: &str, k: &str) -> &mut Vec<ObjectVersion> {
        self.touch(EntityRef::Versions(b.to_string(), k.to_string()));
        self.world
            .s3
            .versions
            .entry(b.to_string())
            .or_default()
            .entry(k.to_string())
            .or_default()
    }

    fn tidy_history(&mut self, b: &str, k: &str) {
        if let Some(m) = self.world.s3.versions.get_mut(b) {
            if m.get(k).is_some_and(Vec::is_empty) {
                m.remove(k);
            }
            if m.is_empty() {
                self.world.s3.versions.remove(b);
            }
        }
    }

    fn push_noncurrent(&mut self, b: &str, o: S3Object) {
        let k = o.key.clone();
        let v = ObjectVersion {
            version_id: o.version_str().to_string(),
            last_modified: o.last_modified,
            object: Some(o),
        };
        self.history_mut(b, &k).push(v);
    }

    fn push_delete_marker(&mut self, b: &str, k: &str, version_id: String) {
        let now = self.world.now;
        self.history_mut(b, k).push(ObjectVersion {
            version_id,
            last_modified: now,
            object: None,
        });
    }

    /// With versioning suspended a new write replaces the `null` version wherever it is.
    fn drop_null_version(&mut self, b: &str, k: &str) {
        if !self
            .history(b, k)
            .iter()
            .any(|v| v.version_id == NULL_VERSION)
        {
            return;
        }
        let h = self.history_mut(b, k);
        let (dropped, kept): (Vec<ObjectVersion>, Vec<ObjectVersion>) = std::mem::take(h)
            .into_iter()
            .partition(|v| v.version_id == NULL_VERSION);
        *h = kept;
        for v in dropped.into_iter().filter_map(|v| v.object) {
            let _ = self.blobs.delete(&v.blob);
        }
        self.tidy_history(b, k);
    }

    fn take_current(&mut self, b: &str, k: &str) -> Option<S3Object> {
        let o = self.world.s3.objects.get_mut(b).and_then(|m| m.remove(k));
        if self
            .world
            .s3
            .objects
            .get(b)
            .is_some_and(std::collections::BTreeMap::is_empty)
        {
            self.world.s3.objects.remove(b);
        }
        if o.is_some() {
            self.touch(EntityRef::Object(b.to_string(), k.to_string()));
        }
        o
    }

    /// The object that was current stops being current: kept as a noncurrent version when it
    /// has an id or the bucket is versioned, else its body is dropped.
    fn retire(&mut self, b: &str, o: S3Object, status: Option<&str>) {
        match status {
            Some("Enabled") => self.push_noncurrent(b, o),
            Some(_) if o.version_id.is_some() => self.push_noncurrent(b, o),
            _ => {
                let _ = self.blobs.delete(&o.blob);
            }
        }
    }

    /// Installs `obj` as its key's current version, as the bucket's versioning says. Returns
    /// the version id to report (None in a bucket never versioned).
    pub(super) fn install_current(&mut self, b: &str, mut obj: S3Object) -> Option<String> {
        let status = self.versioning(b);
        let k = obj.key.clone();
        if let Some(old) = self.take_current(b, &k) {
            self.retire(b, old, status.as_deref());
        }
        obj.version_id = match status.as_deref() {
            Some("Enabled") => Some(self.world.ids.chars(VERSION_ALPHABET, 32)),
            Some(_) => {
                self.drop_null_version(b, &k);
                None
            }
            None => None,
        };
        let reported = status.map(|_| obj.version_str().to_string());
        self.world
            .s3
            .objects
            .entry(b.to_string())
            .or_default()
            .insert(k.clone(), obj);
        self.touch(EntityRef::Object(b.to_string(), k));
        reported
    }

    /// The version a read names (None: the current one). A delete marker cannot be read:
    /// MethodNotAllowed by id, NoSuchKey as the latest version.
    pub(super) fn find_version(
        &self,
        b: &str,
        k: &str,
        v: Option<&str>,
    ) -> Result<S3Object, S3Error> {
        let Some(v) = v else {
            return self.object(b, k).cloned();
        };
        validate_version_id(v)?;
        if let Ok(o) = self.object(b, k)
            && o.version_str() == v
        {
            return Ok(o.clone());
        }
        match self.history(b, k).iter().find(|e| e.version_id == v) {
            Some(ObjectVersion {
                object: Some(o), ..
            }) => Ok(o.clone()),
            Some(_) => Err(S3Error::DeleteMarkerNotReadable),
            None => Err(S3Error::NoSuchVersion),
        }
    }

    /// With no current object, the newest version becomes current unless it is a delete
    /// marker (then the marker is the latest version).
    fn promote_newest(&mut self, b: &str, k: &str) {
        if self
            .history(b, k)
            .last()
            .is_some_and(|e| e.object.is_some())
            && let Some(prev) = self.history_mut(b, k).pop().and_then(|e| e.object)
        {
            self.world
                .s3
                .objects
                .entry(b.to_string())
                .or_default()
                .insert(k.to_string(), prev);
            self.touch(EntityRef::Object(b.to_string(), k.to_string()));
        }
        self.tidy_history(b, k);
    }

    /// DeleteObject's effect, once authorized: without a version id, a delete marker in a
    /// versioned bucket (the object stays as a noncurrent version); with one, that version is
    /// gone for good (the newest remaining object version becomes current). Deleting a version
    /// that is not there succeeds and changes nothing, as in S3.
    pub(super) fn delete_version(
        &mut self,
        b: &str,
        k: &str,
        v: Option<&str>,
    ) -> Result<Json, S3Error> {
        let status = self.versioning(b);
        let Some(v) = v else {
            let current = self.take_current(b, k);
            return Ok(match status.as_deref() {
                None => {
                    if let Some(o) = current {
                        let _ = self.blobs.delete(&o.blob);
                    }
                    json!({})
                }
                Some(s) => {
                    if let Some(o) = current {
                        self.retire(b, o, Some(s));
                    }
                    let id = if s == "Enabled" {
                        self.world.ids.chars(VERSION_ALPHABET, 32)
                    } else {
                        self.drop_null_version(b, k);
                        NULL_VERSION.to_string()
                    };
                    self.push_delete_marker(b, k, id.clone());
                    json!({"DeleteMarker": true, "VersionId": id})
                }
            });
        };
        validate_version_id(v)?;
        if self.object(b, k).is_ok_and(|o| o.version_str() == v) {
            if let Some(o) = self.take_current(b, k) {
                let _ = self.blobs.delete(&o.blob);
            }
            self.promote_newest(b, k);
            return Ok(json!({"VersionId": v}));
        }
        let Some(i) = self.history(b, k).iter().position(|e| e.version_id == v) else {
            return Ok(json!({"VersionId": v}));
        };
        let gone = self.history_mut(b, k).remove(i);
        if self.object(b, k).is_err() {
            self.promote_newest(b, k);
        }
        self.tidy_history(b, k);
        let marker = gone.object.is_none();
        if let Some(o) = gone.object {
            let _ = self.blobs.delete(&o.blob);
        }
        let mut out = json!({"VersionId": v});
        if marker {
            out["DeleteMarker"] = json!(true);
        }
        Ok(out)
    }

    pub fn s3_put_bucket_versioning(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let cfg = p
            .get("VersioningConfiguration")
            .cloned()
            .unwrap_or_default();
        params["VersioningConfiguration"] = cfg.clone();
        let status = opt_str(&cfg, "Status")?.map(str::to_string);
        let mfa = opt_str(&cfg, "MFADelete")?.map(str::to_string);
        self.run(
            ctx,
            s3_op("PutBucketVersioning", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketVersioning")?;
                let status = match status.as_deref() {
                    Some(s @ ("Enabled" | "Suspended")) => s.to_string(),
                    _ => return Err(S3Error::MalformedXml.into()),
                };
                if mfa.as_deref() == Some("Enabled") {
                    return Err(S3Error::MfaDeleteUnsupported.into());
                }
                c.bucket_mut(&b)?.versioning = Some(status);
                Ok(json!({}))
            },
        )
    }

    pub fn s3_get_bucket_versioning(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("GetBucketVersioning", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketVersioning")?;
                Ok(match c.versioning(&b) {
                    Some(s) => json!({"Status": s}),
                    None => json!({}),
                })
            },
        )
    }

    /// ListObjectVersions: every version and delete marker, by key then newest first.
    pub fn s3_list_object_versions(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let prefix = opt_str(p, "Prefix")?.unwrap_or("").to_string();
        let delimiter = opt_str(p, "Delimiter")?
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        let key_marker = opt_str(p, "KeyMarker")?.map(str::to_string);
        let vid_marker = opt_str(p, "VersionIdMarker")?.map(str::to_string);
        let max = opt_int(p, "MaxKeys")?.unwrap_or(1000).clamp(0, 1000) as usize;
        params["prefix"] = json!(prefix);
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
        self.run(
            ctx,
            s3_op("ListObjectVersions", params, true, false),
            |c, t| {
                c.s3_bucket_prelude_with(ctx, t, &b, "s3:ListBucketVersions", &conds)?;
                if let Some(v) = &vid_marker {
                    validate_version_id(v)?;
                }
                let mut keys: BTreeSet<&String> = BTreeSet::new();
                if let Some(m) = c.world.s3.objects.get(&b) {
                    keys.extend(m.keys());
                }
                if let Some(m) = c.world.s3.versions.get(&b) {
                    keys.extend(m.keys());
                }
                let (mut versions, mut markers, mut prefixes) = (Vec::new(), Vec::new(), Vec::new());
                let mut count = 0;
                let mut next: Option<(String, String)> = None;
                let mut last: Option<(String, String)> = None;
                'keys: for k in keys {
                    if !k.starts_with(&prefix) {
                        continue;
                    }
                    if let Some(m) = &key_marker
                        && (k < m || (k == m && vid_marker.is_none()))
                    {
                        continue;
                    }
                    if let Some(d) = &delimiter
                        && let Some(i) = k[prefix.len()..].find(d.as_str())
                    {
                        let cp = k[..prefix.len() + i + d.len()].to_string();
                        if !prefixes.contains(&cp) {
                            if count >= max {
                                next = last.clone();
                                break;
                            }
                            prefixes.push(cp);
                            count += 1;
                        }
                        continue;
                    }
                    // Newest first: the current object, then the history from its end.
                    let mut entries: Vec<(String, Json)> = Vec::new();
                    let current = c.world.s3.objects.get(&b).and_then(|m| m.get(k));
                    if let Some(o) = current {
                        entries.push((o.version_str().to_string(), version_json(o, &c.world.account_id)));
                    }
                    for e in c.history(&b, k).iter().rev() {
                        let j = match &e.object {
                            Some(o) => version_json(o, &c.world.account_id),
                            None => json!({"Key": k, "VersionId": e.version_id,
                                           "LastModified": iso8601(e.last_modified),
                                           "Owner": {"ID": c.world.account_id}}),
                        };
                        entries.push((e.version_id.clone(), j));
                    }
                    let mut skipping = key_marker.as_ref() == Some(k);
                    for (i, (vid, mut j)) in entries.into_iter().enumerate() {
                        if skipping {
                            if Some(&vid) == vid_marker.as_ref() {
                                skipping = false;
                            }
                            continue;
                        }
                        if count >= max {
                            next = last.clone();
                            break 'keys;
                        }
                        j["IsLatest"] = json!(i == 0);
                        if j.get("Size").is_some() {
                            versions.push(j);
                        } else {
                            markers.push(j);
                        }
                        count += 1;
                        last = Some((k.clone(), vid));
                    }
                }
                let mut out = json!({
                    "Name": b, "Prefix": prefix, "KeyMarker": key_marker.clone().unwrap_or_default(),
                    "VersionIdMarker": vid_marker.clone().unwrap_or_default(), "MaxKeys": max,
                    "IsTruncated": next.is_some(), "Versions": versions, "DeleteMarkers": markers,
                    "CommonPrefixes": prefixes.iter().map(|p| json!({"Prefix": p})).collect::<Vec<_>>(),
                });
                if let Some(d) = &delimiter {
                    out["Delimiter"] = json!(d);
                }
                if let Some((k, v)) = next {
                    out["NextKeyMarker"] = json!(k);
                    out["NextVersionIdMarker"] = json!(v);
                }
                Ok(out)
            },
        )
    }
}

fn version_json(o: &S3Object, owner: &str) -> Json {
    json!({
        "Key": o.key, "VersionId": o.version_str(), "LastModified": iso8601(o.last_modified),
        "ETag": format!("\"{}\"", o.etag), "Size": o.size, "StorageClass": "STANDARD",
        "Owner": {"ID": owner},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_ids_are_null_or_32_characters_of_s3s_alphabet() {
        assert!(validate_version_id("null").is_ok());
        assert!(validate_version_id("abcdefghijklmnopqrstuvwxyz012345").is_ok());
        for bad in ["", "abc", "abcdefghijklmnopqrstuvwxyz01234/", "NULL"] {
            assert_eq!(
                validate_version_id(bad),
                Err(S3Error::InvalidVersionId),
                "{bad}"
            );
        }
    }
}
