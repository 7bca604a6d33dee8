//! CloudTrail's part of the world: trails, recorded events, digest chains.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrailState {
    pub trails: BTreeMap<String, Trail>,
    pub events: Vec<TrailEvent>,
    /// The region's digest signing keys (ListPublicKeys), newest last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub digest_keys: Vec<DigestKey>,
}

/// A CloudTrail digest signing key: an RSA-2048 key whose private half is sealed under a data
/// key wrapped by the world's root key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DigestKey {
    /// MD5 (hex) of the PKCS#1 DER public key, as digests name it.
    pub fingerprint: String,
    /// The PKCS#1 DER public key, base64.
    pub public_der: String,
    /// The PKCS#8 DER private key, sealed (base64).
    pub sealed_secret: String,
    /// The sealing key, wrapped under the root key.
    pub wrapped_key: String,
    pub valid_from: Millis,
    pub valid_to: Millis,
}

/// A trail's digest chain: the log files delivered since its last digest file, and that file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DigestChain {
    /// Start of the period the next digest covers.
    pub period_start: Option<Millis>,
    pub logs: Vec<DigestLog>,
    pub previous: Option<PreviousDigest>,
}

/// A delivered log file, as the next digest lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DigestLog {
    pub bucket: String,
    pub key: String,
    /// SHA-256 (hex) of the uncompressed log file.
    pub sha256: String,
    pub oldest_event: String,
    pub newest_event: String,
}

/// The last digest file of a chain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreviousDigest {
    pub bucket: String,
    pub key: String,
    /// SHA-256 (hex) of the uncompressed digest file.
    pub sha256: String,
    /// Its signature (hex).
    pub signature: String,
}

/// One recorded CloudTrail event, kept as its compact JSON text: a world holds thousands and
/// most are never read again, so keeping them as text (one allocation each, copied verbatim
/// into snapshots) rather than as JSON trees saves most of a large world's memory and load time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrailEvent(Box<serde_json::value::RawValue>);

impl TrailEvent {
    pub fn new(event: &serde_json::Value) -> TrailEvent {
        match serde_json::value::to_raw_value(event) {
            Ok(raw) => TrailEvent(raw),
            // A JSON value always encodes; the fallback only keeps this free of panics.
            Err(_) => TrailEvent(serde_json::value::RawValue::NULL.to_owned()),
        }
    }

    /// The event as a JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub s3_bucket_name: String,
    pub s3_key_prefix: Option<String>,
    pub is_logging: bool,
    pub include_global_service_events: bool,
    pub is_multi_region: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub event_selectors: Vec<EventSelector>,
    pub created: Millis,
    /// Events with index below this were already delivered (or predate logging).
    pub delivered_upto: usize,
    pub tags: BTreeMap<String, String>,
    /// PutEventSelectors' AdvancedEventSelectors (when set, `event_selectors` is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// When logging last started and stopped (GetTrailStatus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_started: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_stopped: Option<Millis>,
    /// When the last log file and the last digest file were delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_delivery: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery: Option<Millis>,
    /// RecursiveLogging as last set (AWS's default is true); keyform never delivers the
    /// events of its own deliveries either way (README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_logging: Option<bool>,
    /// Log file integrity validation: the digest chain so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<DigestChain>,
}

/// One advanced event selector: an event is selected when every field selector matches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

/// One condition of an advanced event selector, on one field (`eventCategory`, `readOnly`,
/// `eventSource`, `eventName`, `resources.type`, `resources.ARN`); each operator's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdvancedFieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelector {
    pub read_write_type: String,
    pub include_management_events: bool,
    pub exclude_management_event_sources: Vec<String>,
    pub data_resources: Vec<DataResource>,
}

impl Default for EventSelector {
    fn default() -> Self {
        EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            exclude_management_event_sources: Vec::new(),
            data_resources: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResource {
    pub kind: String,
    pub values: Vec<String>,
}
