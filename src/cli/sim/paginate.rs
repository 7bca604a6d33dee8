//! The AWS CLI's automatic pagination (botocore 1.44's paginator models): a paginated
//! operation is called page after page and printed as one result holding the pages' result
//! members and the first page's non-aggregate members; the "more results" markers
//! (`Truncated`, `NextMarker`, `IsTruncated`) are not printed. `--no-paginate` prints the
//! first page as the service answered it. `--page-size` sets each call's page-size parameter,
//! `--max-items` stops after that many results and prints a `NextToken` that `--starting-token`
//! resumes from (botocore's token: base64 of the JSON of the next input tokens and, when a page
//! was cut, `boto_truncate_amount`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value as Json;

/// The AWS CLI's pagination options.
#[derive(Debug, Default, Clone)]
pub(crate) struct Paging {
    pub(crate) max_items: Option<u64>,
    pub(crate) page_size: Option<u64>,
    pub(crate) starting_token: Option<String>,
}

/// Why paging stopped.
pub(super) enum PageError<E> {
    Call(E),
    /// `--starting-token` is not a token this paginator wrote.
    BadToken(String),
}

/// Python's `json.dumps` of a flat token object (`{"Marker": "m", "boto_truncate_amount": 2}`).
fn python_json(entries: &[(String, Json)]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", Json::from(k.as_str()), ascii_json(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// JSON with non-ASCII escaped, as `json.dumps` writes it by default.
fn ascii_json(v: &Json) -> String {
    let mut out = String::new();
    for c in v.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

pub(super) struct Paged {
    pub(super) op: &'static str,
    pub(super) input: &'static [&'static str],
    pub(super) output: &'static [&'static str],
    pub(super) more: &'static [&'static str],
    /// The page-size parameter (`Limit`, `MaxKeys`, `MaxItems`).
    pub(super) limit: &'static [&'static str],
    pub(super) results: &'static [&'static str],
    pub(super) keep: &'static [&'static str],
}

/// From botocore's `paginators-1.json` for kms, s3, iam and cloudtrail.
const PAGED: &[Paged] = &[
    Paged {
        op: "kms:DescribeCustomKeyStores",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["CustomKeyStores"],
        keep: &[],
    },
    Paged {
        op: "kms:ListAliases",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Aliases"],
        keep: &[],
    },
    Paged {
        op: "kms:ListGrants",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Grants"],
        keep: &[],
    },
    Paged {
        op: "kms:ListKeyPolicies",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["PolicyNames"],
        keep: &[],
    },
    Paged {
        op: "kms:ListKeyRotations",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Rotations"],
        keep: &[],
    },
    Paged {
        op: "kms:ListKeys",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Keys"],
        keep: &[],
    },
    Paged {
        op: "kms:ListResourceTags",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "kms:ListRetirableGrants",
        input: &["Marker"],
        output: &["NextMarker"],
        more: &["Truncated"],
        limit: &["Limit"],
        results: &["Grants"],
        keep: &[],
    },
    Paged {
        op: "s3:ListBuckets",
        input: &["ContinuationToken"],
        output: &["ContinuationToken"],
        more: &[],
        limit: &["MaxBuckets"],
        results: &["Buckets"],
        keep: &["Owner", "Prefix"],
    },
    Paged {
        op: "s3:ListDirectoryBuckets",
        input: &["ContinuationToken"],
        output: &["ContinuationToken"],
        more: &[],
        limit: &["MaxDirectoryBuckets"],
        results: &["Buckets"],
        keep: &[],
    },
    Paged {
        op: "s3:ListMultipartUploads",
        input: &["KeyMarker", "UploadIdMarker"],
        output: &["NextKeyMarker", "NextUploadIdMarker"],
        more: &["IsTruncated"],
        limit: &["MaxUploads"],
        results: &["Uploads", "CommonPrefixes"],
        keep: &["RequestCharged", "Prefix"],
    },
    Paged {
        op: "s3:ListObjectAnnotations",
        input: &["ContinuationToken"],
        output: &["NextContinuationToken"],
        more: &[],
        limit: &["MaxAnnotationResults"],
        results: &["Annotations"],
        keep: &[
            "AnnotationCount",
            "AnnotationPrefix",
            "Bucket",
            "Key",
            "ObjectVersionId",
            "RequestCharged",
        ],
    },
    Paged {
        op: "s3:ListObjectVersions",
        input: &["KeyMarker", "VersionIdMarker"],
        output: &["NextKeyMarker", "NextVersionIdMarker"],
        more: &["IsTruncated"],
        limit: &["MaxKeys"],
        results: &["Versions", "DeleteMarkers", "CommonPrefixes"],
        keep: &["RequestCharged", "Prefix"],
    },
    Paged {
        op: "s3:ListObjects",
        input: &["Marker"],
        output: &["NextMarker || Contents[-1].Key"],
        more: &["IsTruncated"],
        limit: &["MaxKeys"],
        results: &["Contents", "CommonPrefixes"],
        keep: &["RequestCharged", "Prefix"],
    },
    Paged {
        op: "s3:ListObjectsV2",
        input: &["ContinuationToken"],
        output: &["NextContinuationToken"],
        more: &["IsTruncated"],
        limit: &["MaxKeys"],
        results: &["Contents", "CommonPrefixes"],
        keep: &["RequestCharged", "Prefix"],
    },
    Paged {
        op: "s3:ListParts",
        input: &["PartNumberMarker"],
        output: &["NextPartNumberMarker"],
        more: &["IsTruncated"],
        limit: &["MaxParts"],
        results: &["Parts"],
        keep: &[
            "ChecksumAlgorithm",
            "Initiator",
            "Owner",
            "StorageClass",
            "ChecksumType",
        ],
    },
    Paged {
        op: "iam:GetAccountAuthorizationDetails",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &[
            "UserDetailList",
            "GroupDetailList",
            "RoleDetailList",
            "Policies",
        ],
        keep: &[],
    },
    Paged {
        op: "iam:GetGroup",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Users"],
        keep: &["Group"],
    },
    Paged {
        op: "iam:ListAccessKeys",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["AccessKeyMetadata"],
        keep: &[],
    },
    Paged {
        op: "iam:ListAccountAliases",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["AccountAliases"],
        keep: &[],
    },
    Paged {
        op: "iam:ListAttachedGroupPolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["AttachedPolicies"],
        keep: &[],
    },
    Paged {
        op: "iam:ListAttachedRolePolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["AttachedPolicies"],
        keep: &[],
    },
    Paged {
        op: "iam:ListAttachedUserPolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["AttachedPolicies"],
        keep: &[],
    },
    Paged {
        op: "iam:ListEntitiesForPolicy",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["PolicyGroups", "PolicyUsers", "PolicyRoles"],
        keep: &[],
    },
    Paged {
        op: "iam:ListGroupPolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["PolicyNames"],
        keep: &[],
    },
    Paged {
        op: "iam:ListGroups",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Groups"],
        keep: &[],
    },
    Paged {
        op: "iam:ListGroupsForUser",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Groups"],
        keep: &[],
    },
    Paged {
        op: "iam:ListInstanceProfileTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListInstanceProfiles",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["InstanceProfiles"],
        keep: &[],
    },
    Paged {
        op: "iam:ListInstanceProfilesForRole",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["InstanceProfiles"],
        keep: &[],
    },
    Paged {
        op: "iam:ListMFADeviceTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListMFADevices",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["MFADevices"],
        keep: &[],
    },
    Paged {
        op: "iam:ListOpenIDConnectProviderTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListPolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Policies"],
        keep: &[],
    },
    Paged {
        op: "iam:ListPolicyTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListPolicyVersions",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Versions"],
        keep: &[],
    },
    Paged {
        op: "iam:ListRolePolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["PolicyNames"],
        keep: &[],
    },
    Paged {
        op: "iam:ListRoleTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListRoles",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Roles"],
        keep: &[],
    },
    Paged {
        op: "iam:ListSAMLProviderTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListSSHPublicKeys",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["SSHPublicKeys"],
        keep: &[],
    },
    Paged {
        op: "iam:ListServerCertificateTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListServerCertificates",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["ServerCertificateMetadataList"],
        keep: &[],
    },
    Paged {
        op: "iam:ListSigningCertificates",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Certificates"],
        keep: &[],
    },
    Paged {
        op: "iam:ListUserPolicies",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["PolicyNames"],
        keep: &[],
    },
    Paged {
        op: "iam:ListUserTags",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Tags"],
        keep: &[],
    },
    Paged {
        op: "iam:ListUsers",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["Users"],
        keep: &[],
    },
    Paged {
        op: "iam:ListVirtualMFADevices",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["VirtualMFADevices"],
        keep: &[],
    },
    Paged {
        op: "iam:SimulateCustomPolicy",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["EvaluationResults"],
        keep: &[],
    },
    Paged {
        op: "iam:SimulatePrincipalPolicy",
        input: &["Marker"],
        output: &["Marker"],
        more: &["IsTruncated"],
        limit: &["MaxItems"],
        results: &["EvaluationResults"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListImportFailures",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &["MaxResults"],
        results: &["Failures"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListImports",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &["MaxResults"],
        results: &["Imports"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListInsightsData",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &["MaxResults"],
        results: &["Events"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListPublicKeys",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &[],
        results: &["PublicKeyList"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListTags",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &[],
        results: &["ResourceTagList"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:ListTrails",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &[],
        results: &["Trails"],
        keep: &[],
    },
    Paged {
        op: "cloudtrail:LookupEvents",
        input: &["NextToken"],
        output: &["NextToken"],
        more: &[],
        limit: &["MaxResults"],
        results: &["Events"],
        keep: &[],
    },
];

/// The paginator of `op`, unless the caller pages by hand: as in awscli's
/// `check_should_enable_pagination`, giving a page token or the page size turns paging off.
pub(super) fn find(op: &str, params: &Json) -> Option<&'static Paged> {
    PAGED.iter().find(|p| p.op == op).filter(|p| {
        !p.input
            .iter()
            .chain(p.limit)
            .any(|k| params.get(*k).is_some())
    })
}

impl Paged {
    /// Decodes `--starting-token`: the input tokens and how many results of the first page
    /// were already printed.
    fn parse_token(&self, t: &str) -> Option<(Vec<(String, Json)>, usize)> {
        let bytes = B64.decode(t.trim()).ok()?;
        let j: Json = serde_json::from_slice(&bytes).ok()?;
        let m = j.as_object()?;
        let skip = match m.get("boto_truncate_amount") {
            None => 0,
            Some(n) => usize::try_from(n.as_u64()?).ok()?,
        };
        let mut tokens = Vec::new();
        for k in m.keys().filter(|k| *k != "boto_truncate_amount") {
            if !self.input.contains(&k.as_str()) {
                return None;
            }
            tokens.push((k.clone(), m[k].clone()));
        }
        Some((tokens, skip))
    }

    /// botocore's `PageIterator` and `build_full_result`: calls page after page (`call`),
    /// honouring `--page-size`, `--starting-token` and `--max-items`.
    pub(super) fn paginate<E>(
        &self,
        params: &Json,
        paging: &Paging,
        mut call: impl FnMut(&Json) -> Result<Json, E>,
    ) -> Result<Json, PageError<E>> {
        let mut kwargs = params.clone();
        let mut skip = 0;
        if let Some(m) = kwargs.as_object_mut() {
            if let (Some(limit), Some(n)) = (self.limit.first(), paging.page_size) {
                m.insert((*limit).to_string(), Json::from(n));
            }
            if let Some(t) = &paging.starting_token {
                let (tokens, s) = self
                    .parse_token(t)
                    .ok_or_else(|| PageError::BadToken(t.clone()))?;
                skip = s;
                for (k, v) in tokens {
                    m.insert(k, v);
                }
            }
        }
        let primary = self.results.first().copied().unwrap_or_default();
        let max = paging
            .max_items
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut pages: Vec<Json> = Vec::new();
        let mut total = 0usize;
        let mut resume: Option<Vec<(String, Json)>> = None;
        loop {
            let mut page = call(&kwargs).map_err(PageError::Call)?;
            let first = pages.is_empty();
            let left_cut = if first { skip } else { 0 };
            if first && skip > 0 {
                if let Some(Json::Array(a)) = page.get_mut(primary) {
                    a.drain(..skip.min(a.len()));
                }
                for r in self.results.iter().skip(1) {
                    if let Some(v) = page.get_mut(*r) {
                        *v = match v {
                            Json::Array(_) => Json::Array(Vec::new()),
                            Json::String(_) => Json::from(""),
                            Json::Number(_) => Json::from(0),
                            _ => Json::Null,
                        };
                    }
                }
            }
            let n = page
                .get(primary)
                .and_then(Json::as_array)
                .map_or(0, Vec::len);
            let next = self.next_tokens(&page);
            if let Some(max) = max
                && total + n > max
            {
                let keep = max - total;
                if let Some(Json::Array(a)) = page.get_mut(primary) {
                    a.truncate(keep);
                }
                // The next call starts at this page again, past what was printed.
                let mut token: Vec<(String, Json)> = self
                    .input
                    .iter()
                    .map(|k| {
                        (
                            (*k).to_string(),
                            kwargs.get(*k).cloned().unwrap_or(Json::Null),
                        )
                    })
                    .collect();
                token.push(("boto_truncate_amount".into(), Json::from(keep + left_cut)));
                resume = Some(token);
                pages.push(page);
                break;
            }
            pages.push(page);
            total += n;
            let Some(next) = next else { break };
            if max == Some(total) {
                resume = Some(next);
                break;
            }
            if let Some(m) = kwargs.as_object_mut() {
                for (k, v) in &next {
                    m.insert(k.clone(), v.clone());
                }
            }
            if pages.len() >= 10_000 {
                break;
            }
        }
        let mut out = self.full_result(&pages);
        if let (Some(t), Some(m)) = (resume, out.as_object_mut()) {
            m.insert(
                "NextToken".into(),
                Json::from(B64.encode(python_json(&t).as_bytes())),
            );
        }
        Ok(out)
    }

    /// botocore's `_get_next_token`: the next input tokens, or None when there are no more pages.
    fn next_tokens(&self, page: &Json) -> Option<Vec<(String, Json)>> {
        if let Some(m) = self.more.first()
            && page.get(*m) != Some(&Json::Bool(true))
        {
            return None;
        }
        let tokens: Vec<(String, Json)> = self
            .input
            .iter()
            .zip(self.output)
            .map(|(i, o)| {
                let v = page
                    .get(*o)
                    .filter(|v| !v.is_null() && v.as_str() != Some(""))
                    .cloned()
                    .unwrap_or(Json::Null);
                ((*i).to_string(), v)
            })
            .collect();
        tokens.iter().any(|(_, v)| !v.is_null()).then_some(tokens)
    }

    /// botocore's `build_full_result` over the pages.
    pub(super) fn full_result(&self, pages: &[Json]) -> Json {
        let mut out = serde_json::Map::new();
        for page in pages {
            for r in self.results {
                let Some(v) = page.get(*r) else { continue };
                match (out.get_mut(*r), v) {
                    (None, v) => {
                        out.insert((*r).to_string(), v.clone());
                    }
                    (Some(Json::Array(have)), Json::Array(more)) => {
                        have.extend(more.iter().cloned())
                    }
                    _ => {}
                }
            }
        }
        if let Some(first) = pages.first() {
            for k in self.keep {
                if let Some(v) = first.get(*k) {
                    out.insert((*k).to_string(), v.clone());
                }
            }
        }
        Json::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Pages of `Aliases` two at a time, as KMS answers with Limit=2.
    fn pages(params: &Json) -> Result<Json, ()> {
        let all: Vec<Json> = (0..5)
            .map(|i| json!({"AliasName": format!("alias/a{i}")}))
            .collect();
        let start: usize = params["Marker"].as_str().map_or(0, |m| m.parse().unwrap());
        let limit = params["Limit"].as_u64().unwrap_or(100) as usize;
        let end = (start + limit).min(all.len());
        let mut page = json!({"Aliases": all[start..end].to_vec(), "Truncated": end < all.len()});
        if end < all.len() {
            page["NextMarker"] = json!(end.to_string());
        }
        Ok(page)
    }

    #[test]
    fn max_items_prints_a_token_that_starting_token_resumes_from() {
        let p = find("kms:ListAliases", &json!({})).unwrap();
        let names = |j: &Json| -> Vec<String> {
            j["Aliases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["AliasName"].as_str().unwrap().to_string())
                .collect()
        };
        let paging = |max: Option<u64>, token: Option<&str>| Paging {
            max_items: max,
            page_size: Some(2),
            starting_token: token.map(str::to_string),
        };
        let Ok(one) = p.paginate(&json!({}), &paging(Some(3), None), pages) else {
            panic!()
        };
        assert_eq!(names(&one), ["alias/a0", "alias/a1", "alias/a2"]);
        let token = one["NextToken"].as_str().unwrap();
        // botocore's encoding: base64 of Python's json.dumps.
        assert_eq!(
            String::from_utf8(B64.decode(token).unwrap()).unwrap(),
            r#"{"Marker": "2", "boto_truncate_amount": 1}"#
        );
        let Ok(two) = p.paginate(&json!({}), &paging(None, Some(token)), pages) else {
            panic!()
        };
        assert_eq!(names(&two), ["alias/a3", "alias/a4"]);
        assert!(two.get("NextToken").is_none());
        // On a page boundary the token is the next marker alone.
        let Ok(b) = p.paginate(&json!({}), &paging(Some(2), None), pages) else {
            panic!()
        };
        assert_eq!(
            String::from_utf8(B64.decode(b["NextToken"].as_str().unwrap()).unwrap()).unwrap(),
            r#"{"Marker": "2"}"#
        );
        assert!(matches!(
            p.paginate(&json!({}), &paging(None, Some("bm90IGpzb24=")), pages),
            Err(PageError::BadToken(_))
        ));
    }

    #[test]
    fn pages_merge_and_markers_disappear() {
        let p = find("kms:ListResourceTags", &json!({})).unwrap();
        assert!(find("kms:ListResourceTags", &json!({"Limit": 1})).is_none());
        let one = json!({"Tags": [{"TagKey": "a"}], "Truncated": true, "NextMarker": "m1"});
        let two = json!({"Tags": [{"TagKey": "b"}], "Truncated": false});
        assert_eq!(
            p.next_tokens(&one),
            Some(vec![("Marker".to_string(), json!("m1"))])
        );
        assert_eq!(p.next_tokens(&two), None);
        assert_eq!(
            p.full_result(&[one, two]),
            json!({"Tags": [{"TagKey": "a"}, {"TagKey": "b"}]})
        );
    }
}
