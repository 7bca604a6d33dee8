//! Conditional requests (RFC 7232 as S3 applies them): `If-Match`, `If-None-Match`,
//! `If-Modified-Since`, `If-Unmodified-Since` on GetObject/HeadObject, the write conditions of
//! PutObject and CompleteMultipartUpload (`If-None-Match: *`, `If-Match: <etag>`), DeleteObject's
//! `If-Match`, and the `x-amz-copy-source-if-*` conditions of copies.
//!
//! The simulation runs one request at a time (serve holds the world's lock for the whole
//! request), so a condition is checked and the write made under the same lock: two
//! `If-None-Match: *` writes of one key can never both succeed.

use serde_json::Value as Json;

use super::S3Error;
use crate::sim::clock::{Millis, parse_iso8601};
use crate::sim::world::S3Object;
use crate::sim::{SimError, opt_str};

/// The preconditions of one request, as given (parameter names `IfMatch`... or, for a copy's
/// source, `CopySourceIfMatch`...).
#[derive(Debug, Clone, Default)]
pub(crate) struct Conditions {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<Millis>,
    pub if_unmodified_since: Option<Millis>,
}

fn timestamp(p: &Json, name: &str) -> Result<Option<Millis>, SimError> {
    match p.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Number(n)) => Ok(n.as_f64().map(|s| (s * 1000.0) as Millis)),
        Some(Json::String(s)) => parse_iso8601(s)
            .or_else(|| s.parse::<f64>().ok().map(|s| (s * 1000.0) as Millis))
            .map(Some)
            .ok_or_else(|| {
                SimError::param(format!(
                    "Invalid timestamp for parameter {name}, value: {s}: use ISO 8601 (2026-01-01T00:00:00Z) or epoch seconds"
                ))
            }),
        Some(other) => Err(SimError::param(format!(
            "Invalid type for parameter {name}, value: {other}, valid types: <class 'datetime.datetime'>, <class 'str'>"
        ))),
    }
}

/// Whether an entity-tag list (`"a", "b"`, `*`, `W/"a"`) names `etag`. A malformed entry
/// (an unbalanced quote, an empty value) never matches.
fn names(list: &str, etag: &str) -> bool {
    list.split(',').map(str::trim).any(|t| {
        if t == "*" {
            return true;
        }
        let t = t.strip_prefix("W/").unwrap_or(t);
        let bare = match (t.strip_prefix('"'), t.ends_with('"') && t.len() >= 2) {
            (Some(inner), true) => &inner[..inner.len() - 1],
            (None, false) => t,
            _ => return false,
        };
        !bare.is_empty() && !bare.contains('"') && bare == etag
    })
}

/// HTTP dates have whole seconds: an object written at 10:00:00.700 was not modified since
/// 10:00:00.
fn whole_seconds(t: Millis) -> Millis {
    t - t.rem_euclid(1000)
}

impl Conditions {
    /// Reads the four conditions, each named `<prefix>IfMatch` and so on.
    pub(crate) fn from_params(p: &Json, prefix: &str) -> Result<Conditions, SimError> {
        let s = |n: &str| -> Result<Option<String>, SimError> {
            Ok(opt_str(p, &format!("{prefix}{n}"))?.map(str::to_string))
        };
        Ok(Conditions {
            if_match: s("IfMatch")?,
            if_none_match: s("IfNoneMatch")?,
            if_modified_since: timestamp(p, &format!("{prefix}IfModifiedSince"))?,
            if_unmodified_since: timestamp(p, &format!("{prefix}IfUnmodifiedSince"))?,
        })
    }

    /// The read conditions (GetObject, HeadObject) against the object, RFC 7232 section 6's
    /// order: If-Match (else If-Unmodified-Since) fails with 412; If-None-Match (else
    /// If-Modified-Since) with 304 Not Modified. So If-Match true and If-Unmodified-Since false
    /// reads the object, and If-None-Match false with If-Modified-Since true is 304, as S3
    /// documents.
    pub(crate) fn check_read(&self, o: &S3Object) -> Result<(), S3Error> {
        self.evaluate(o, false)
    }

    /// A copy's `x-amz-copy-source-if-*` conditions against the source: every failure is 412
    /// PreconditionFailed (never 304), naming the copy header.
    pub(crate) fn check_copy(&self, o: &S3Object) -> Result<(), S3Error> {
        self.evaluate(o, true)
    }

    fn evaluate(&self, o: &S3Object, copy: bool) -> Result<(), S3Error> {
        let modified = whole_seconds(o.last_modified);
        let failed = |condition: &'static str| S3Error::PreconditionFailed { condition };
        let name = |plain: &'static str, copy_name: &'static str| {
            if copy { copy_name } else { plain }
        };
        match (&self.if_match, self.if_unmodified_since) {
            (Some(m), _) if !names(m, &o.etag) => {
                return Err(failed(name("If-Match", "x-amz-copy-source-If-Match")));
            }
            (None, Some(t)) if modified > t => {
                return Err(failed(name(
                    "If-Unmodified-Since",
                    "x-amz-copy-source-If-Unmodified-Since",
                )));
            }
            _ => {}
        }
        let not_modified = match (&self.if_none_match, self.if_modified_since) {
            (Some(m), _) => names(m, &o.etag),
            (None, Some(t)) => modified <= t,
            (None, None) => false,
        };
        if not_modified {
            if copy {
                let c = if self.if_none_match.is_some() {
                    "x-amz-copy-source-If-None-Match"
                } else {
                    "x-amz-copy-source-If-Modified-Since"
                };
                return Err(failed(c));
            }
            return Err(S3Error::NotModified);
        }
        Ok(())
    }

    /// The write conditions (PutObject, CompleteMultipartUpload, CopyObject's destination)
    /// against the object the key holds now: `If-None-Match` takes only `*` (any other value is
    /// NotImplemented, as S3 answers) and fails when the key exists; `If-Match` fails when the
    /// ETag differs, and is NoSuchKey when there is no object.
    pub(crate) fn check_write(&self, current: Option<&S3Object>) -> Result<(), S3Error> {
        if let Some(v) = &self.if_none_match {
            if v.trim() != "*" {
                return Err(S3Error::ConditionalHeaderNotImplemented {
                    header: "If-None-Match",
                });
            }
            if current.is_some() {
                return Err(S3Error::PreconditionFailed {
                    condition: "If-None-Match",
                });
            }
        }
        if let Some(m) = &self.if_match {
            let o = current.ok_or(S3Error::NoSuchKey)?;
            if !names(m, &o.etag) {
                return Err(S3Error::PreconditionFailed {
                    condition: "If-Match",
                });
            }
        }
        Ok(())
    }

    /// DeleteObject's `If-Match`: the key must hold an object with that ETag.
    pub(crate) fn check_delete(&self, current: Option<&S3Object>) -> Result<(), S3Error> {
        match (&self.if_match, current) {
            (None, _) => Ok(()),
            (Some(_), None) => Err(S3Error::NoSuchKey),
            (Some(m), Some(o)) if names(m, &o.etag) => Ok(()),
            (Some(_), Some(_)) => Err(S3Error::PreconditionFailed {
                condition: "If-Match",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tags_match_quoted_bare_weak_lists_and_star_but_never_malformed() {
        assert!(names("\"abc\"", "abc"));
        assert!(names("abc", "abc"));
        assert!(names("W/\"abc\"", "abc"));
        assert!(names("\"x\", \"abc\"", "abc"));
        assert!(names("*", "abc"));
        assert!(!names("\"abc", "abc"));
        assert!(!names("abc\"", "abc"));
        assert!(!names("\"\"", ""));
        assert!(!names("\"a\"bc\"", "a\"bc"));
        assert!(!names("\"abd\"", "abc"));
    }
}
