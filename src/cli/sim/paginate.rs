//! The AWS CLI's automatic pagination (botocore 1.44's paginator models): a paginated
//! operation is called page after page and printed as one result holding the pages' result
//! members and the first page's non-aggregate members; the "more results" markers
//! (`Truncated`, `NextMarker`, `IsTruncated`) are not printed. `--no-paginate` prints the
//! first page as the service answered it.

use serde_json::Value as Json;

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
    /// The parameters of the next page's call, if the page says there is one.
    pub(super) fn next(&self, params: &Json, page: &Json) -> Option<Json> {
        if let Some(m) = self.more.first()
            && page.get(*m) != Some(&Json::Bool(true))
        {
            return None;
        }
        let tokens: Vec<&Json> = self
            .output
            .iter()
            .filter_map(|o| page.get(*o).filter(|v| !v.is_null()))
            .collect();
        if tokens.is_empty() {
            return None;
        }
        let mut next = params.clone();
        for (i, o) in self.input.iter().zip(self.output) {
            if let (Some(v), Some(m)) = (page.get(*o), next.as_object_mut()) {
                m.insert((*i).to_string(), v.clone());
            }
        }
        Some(next)
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

    #[test]
    fn pages_merge_and_markers_disappear() {
        let p = find("kms:ListResourceTags", &json!({})).unwrap();
        assert!(find("kms:ListResourceTags", &json!({"Limit": 1})).is_none());
        let one = json!({"Tags": [{"TagKey": "a"}], "Truncated": true, "NextMarker": "m1"});
        let two = json!({"Tags": [{"TagKey": "b"}], "Truncated": false});
        assert_eq!(
            p.next(&json!({"KeyId": "k"}), &one),
            Some(json!({"KeyId": "k", "Marker": "m1"}))
        );
        assert_eq!(p.next(&json!({"KeyId": "k"}), &two), None);
        assert_eq!(
            p.full_result(&[one, two]),
            json!({"Tags": [{"TagKey": "a"}, {"TagKey": "b"}]})
        );
    }
}
