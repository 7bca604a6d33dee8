//! CloudTrail's operations: handler, input shape and the authorizations each performs,
//! including what CloudTrail checks as itself (that it may write to the bucket and encrypt
//! with the trail's KMS key) when a trail is created or changed.

use super::access::{By, Check, Res, identity, key, s3};
use super::param::ParamType::*;
use super::param::{Param, opt, req};
use super::{EventKind, Handler, JsonFn, Operation};
use crate::sim::Cloud;

const fn op(
    name: &'static str,
    handler: JsonFn,
    params: &'static [Param],
    mutates: bool,
    checks: &'static [Check],
) -> Operation {
    Operation {
        name,
        handler: Handler::Json(handler),
        params,
        mutates,
        event: EventKind::Management,
        checks,
        output_blobs: &[],
    }
}

const CLOUDTRAIL: By = By::Service("cloudtrail.amazonaws.com");
const TRAIL: Param = req("Name", String);
const CONFIG: &[Param] = &[
    TRAIL,
    req("S3BucketName", String),
    opt("S3KeyPrefix", String),
    opt("KmsKeyId", String),
    opt("IncludeGlobalServiceEvents", Boolean),
    opt("IsMultiRegionTrail", Boolean),
    opt("EnableLogFileValidation", Boolean),
    opt("SnsTopicName", String),
    opt("CloudWatchLogsLogGroupArn", String),
    opt("CloudWatchLogsRoleArn", String),
    opt("IsOrganizationTrail", Boolean),
    opt("TagsList", super::shapes::KEY_VALUE_TAGS),
    opt("RecursiveLogging", Boolean),
];
const UPDATE: &[Param] = &[
    TRAIL,
    opt("S3BucketName", String),
    opt("S3KeyPrefix", String),
    opt("KmsKeyId", String),
    opt("IncludeGlobalServiceEvents", Boolean),
    opt("IsMultiRegionTrail", Boolean),
    opt("EnableLogFileValidation", Boolean),
    opt("SnsTopicName", String),
    opt("CloudWatchLogsLogGroupArn", String),
    opt("CloudWatchLogsRoleArn", String),
    opt("IsOrganizationTrail", Boolean),
    opt("RecursiveLogging", Boolean),
];
const DELIVERY_KEYS: &[&str] = &["aws:SourceArn", "aws:SourceAccount", "s3:x-amz-acl"];

/// What CloudTrail checks as itself before it accepts a destination.
const DESTINATION: [Check; 3] = [
    s3("s3:GetBucketAcl", Res::Bucket)
        .by(CLOUDTRAIL)
        .with(DELIVERY_KEYS)
        .when("the log bucket"),
    s3("s3:PutObject", Res::Object)
        .by(CLOUDTRAIL)
        .with(DELIVERY_KEYS)
        .when("the log bucket's AWSLogs/ prefix"),
    key("kms:GenerateDataKey")
        .by(CLOUDTRAIL)
        .with(&[
            "aws:SourceArn",
            "kms:EncryptionContext:",
            "kms:KeySpec",
            "kms:KeyUsage",
            "kms:KeyOrigin",
            "kms:ResourceAliases?",
            "kms:RequestAlias?",
        ])
        .when("with KmsKeyId"),
];

pub(super) const OPS: &[Operation] = &[
    op(
        "cloudtrail:CreateTrail",
        Cloud::cloudtrail_create_trail,
        CONFIG,
        true,
        &[
            identity("cloudtrail:CreateTrail", Res::Trail),
            DESTINATION[0],
            DESTINATION[1],
            DESTINATION[2],
        ],
    ),
    op(
        "cloudtrail:UpdateTrail",
        Cloud::cloudtrail_update_trail,
        UPDATE,
        true,
        &[
            identity("cloudtrail:UpdateTrail", Res::Trail),
            DESTINATION[0].when("with S3BucketName"),
            DESTINATION[1].when("with S3BucketName"),
            DESTINATION[2],
        ],
    ),
    op(
        "cloudtrail:DeleteTrail",
        Cloud::cloudtrail_delete_trail,
        &[TRAIL],
        true,
        &[identity("cloudtrail:DeleteTrail", Res::Trail)],
    ),
    op(
        "cloudtrail:GetTrail",
        Cloud::cloudtrail_get_trail,
        &[TRAIL],
        false,
        &[identity("cloudtrail:GetTrail", Res::Trail)],
    ),
    op(
        "cloudtrail:DescribeTrails",
        Cloud::cloudtrail_describe_trails,
        &[
            opt("trailNameList", List(&String)),
            opt("includeShadowTrails", Boolean),
        ],
        false,
        &[identity("cloudtrail:DescribeTrails", Res::Star)],
    ),
    op(
        "cloudtrail:ListTrails",
        Cloud::cloudtrail_list_trails,
        &[opt("NextToken", String)],
        false,
        &[identity("cloudtrail:ListTrails", Res::Star)],
    ),
    op(
        "cloudtrail:ListPublicKeys",
        Cloud::cloudtrail_list_public_keys,
        &[
            opt("StartTime", Timestamp),
            opt("EndTime", Timestamp),
            opt("NextToken", String),
        ],
        false,
        &[identity("cloudtrail:ListPublicKeys", Res::Star)],
    ),
    op(
        "cloudtrail:GetTrailStatus",
        Cloud::cloudtrail_get_trail_status,
        &[TRAIL],
        false,
        &[identity("cloudtrail:GetTrailStatus", Res::Trail)],
    ),
    op(
        "cloudtrail:StartLogging",
        Cloud::cloudtrail_start_logging,
        &[TRAIL],
        true,
        &[identity("cloudtrail:StartLogging", Res::Trail)],
    ),
    op(
        "cloudtrail:StopLogging",
        Cloud::cloudtrail_stop_logging,
        &[TRAIL],
        true,
        &[identity("cloudtrail:StopLogging", Res::Trail)],
    ),
    op(
        "cloudtrail:PutEventSelectors",
        Cloud::cloudtrail_put_event_selectors,
        &[
            req("TrailName", String),
            opt("EventSelectors", super::shapes::EVENT_SELECTORS),
            opt(
                "AdvancedEventSelectors",
                super::shapes::ADVANCED_EVENT_SELECTORS,
            ),
        ],
        true,
        &[identity("cloudtrail:PutEventSelectors", Res::Trail)],
    ),
    op(
        "cloudtrail:GetEventSelectors",
        Cloud::cloudtrail_get_event_selectors,
        &[req("TrailName", String)],
        false,
        &[identity("cloudtrail:GetEventSelectors", Res::Trail)],
    ),
    op(
        "cloudtrail:LookupEvents",
        Cloud::cloudtrail_lookup_events,
        &[
            opt("LookupAttributes", super::shapes::LOOKUP_ATTRIBUTES),
            opt("StartTime", Timestamp),
            opt("EndTime", Timestamp),
            opt("EventCategory", Enum(&["insight"])),
            opt("MaxResults", Integer),
            opt("NextToken", String),
        ],
        false,
        &[identity("cloudtrail:LookupEvents", Res::Star)],
    ),
];
