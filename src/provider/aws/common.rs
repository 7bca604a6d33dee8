//! Helpers shared by the resource files of the AWS provider: reading attributes out of a [`Map`],
//! turning sim errors into Terraform-style [`ProviderError`]s, Terraform's generated names,
//! JSON-policy equivalence, and completing a state map so it holds every schema attribute.
//!
//! Nothing here calls the cloud; the resource files (`kms/key.rs`, `s3/bucket.rs`, ...) do.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::config::types::dedupe_sorted;
use crate::provider::ProviderError;
use crate::schema::{AttrType, BodySchema, Nesting};
use crate::sim::{SimError, World};
use crate::value::{Map, Value};

static NULL: Value = Value::Null;

/// The attribute's value, `Null` when the map lacks it.
pub(super) fn val<'a>(m: &'a Map, k: &str) -> &'a Value {
    m.get(k).unwrap_or(&NULL)
}

/// A known, non-null string attribute.
pub(super) fn str_of<'a>(m: &'a Map, k: &str) -> Option<&'a str> {
    val(m, k).as_str()
}

/// A known, non-null, non-empty string attribute (Terraform's `GetOk` for strings).
pub(super) fn nonempty_str<'a>(m: &'a Map, k: &str) -> Option<&'a str> {
    str_of(m, k).filter(|s| !s.is_empty())
}

pub(super) fn bool_of(m: &Map, k: &str) -> Option<bool> {
    val(m, k).as_bool()
}

pub(super) fn int_of(m: &Map, k: &str) -> Option<i64> {
    val(m, k).as_i64()
}

/// The objects of a nested block (empty when absent or not a list).
pub(super) fn blocks<'a>(m: &'a Map, k: &str) -> Vec<&'a Map> {
    val(m, k)
        .as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_object)
        .collect()
}

/// The known strings of a list or set attribute.
pub(super) fn strings(v: &Value) -> Vec<String> {
    v.as_list()
        .unwrap_or_default()
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect()
}

/// The known string entries of a map attribute (tags, metadata).
pub(super) fn string_map(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn opt_string(s: Option<&str>) -> Value {
    s.map_or(Value::Null, Value::string)
}

/// A string map as a value.
pub(super) fn map_value(m: &BTreeMap<String, String>) -> Value {
    Value::Object(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::string(v)))
            .collect(),
    )
}

/// A set of strings as Terraform keeps it: sorted and deduplicated.
pub(super) fn string_set(items: impl IntoIterator<Item = String>) -> Value {
    let mut v: Vec<Value> = items.into_iter().map(Value::String).collect();
    dedupe_sorted(&mut v);
    Value::List(v)
}

/// A set of nested objects, sorted and deduplicated like the engine's sets.
pub(super) fn object_set(items: Vec<Map>) -> Value {
    let mut v: Vec<Value> = items.into_iter().map(Value::Object).collect();
    dedupe_sorted(&mut v);
    Value::List(v)
}

/// `prior`'s value when it is known (state-only arguments), else `default`.
pub(super) fn carry(prior: &Map, k: &str, default: Value) -> Value {
    match prior.get(k) {
        Some(v) if !v.is_unknown() => v.clone(),
        _ => default,
    }
}

/// Tags the cloud keeps: `tags` is null when the cloud has none and the config set none (so an
/// unset `tags` shows no diff), `tags_all` is always the map.
pub(super) fn cloud_tags(m: &mut Map, prior: &Map, tags: &BTreeMap<String, String>) {
    let unset = matches!(val(prior, "tags"), Value::Null | Value::Unknown);
    let v = map_value(tags);
    m.insert(
        "tags".into(),
        if tags.is_empty() && unset {
            Value::Null
        } else {
            v.clone()
        },
    );
    m.insert("tags_all".into(), v);
}

/// Tags the simulated cloud has no API for: kept in state only (`tags_all` mirrors them).
pub(super) fn state_tags(m: &mut Map, prior: &Map) {
    let tags = carry(prior, "tags", Value::Null);
    let all = match &tags {
        Value::Object(_) => tags.clone(),
        _ => Value::Object(Map::new()),
    };
    m.insert("tags".into(), tags);
    m.insert("tags_all".into(), all);
}

/// Inserts `Null` for every attribute the map lacks and `[]` for every absent nested block,
/// recursively, so a state map always holds its whole schema.
pub(super) fn fill(body: &BodySchema, m: &mut Map) {
    for a in &body.attrs {
        m.entry(a.name.to_string()).or_insert(Value::Null);
    }
    for b in &body.blocks {
        let entry = m
            .entry(b.name.to_string())
            .or_insert_with(|| Value::List(Vec::new()));
        if let Value::List(items) = entry {
            for it in items.iter_mut() {
                if let Value::Object(inner) = it {
                    fill(&b.body, inner);
                }
            }
            if b.nesting == Nesting::Set {
                dedupe_sorted(items);
            }
        }
    }
}

/// `Kind (id)` as Terraform's messages name a resource.
pub(super) fn target(noun: &str, id: &str) -> String {
    format!("{noun} ({id})")
}

/// A sim error in Terraform's words: `creating KMS Alias (alias/x): AlreadyExistsException: ...`.
pub(super) fn fail(doing: &str, what: &str, e: SimError) -> ProviderError {
    ProviderError {
        message: format!("{doing} {what}: {}: {}", e.code, e.message),
        code: Some(e.code),
        partial: None,
    }
}

/// A provider-side failure with no cloud error code.
pub(super) fn invalid(message: impl Into<String>) -> ProviderError {
    ProviderError::new(message)
}

/// Terraform's generated name: `prefix` + 26 characters (UTC timestamp to 1/10000 s from the
/// world clock, then an 8-hex-digit counter). The counter is the world's event sequence + 1:
/// the simulated clock may stand still between commands, but every create that uses a name
/// records an event, so no two generated names of one world collide.
pub(super) fn unique_name(world: &World, prefix: &str) -> String {
    let ms = world.now;
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{prefix}{:04}{:02}{:02}{:02}{:02}{:02}{:04}{:08x}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        ms.rem_euclid(1000) * 10,
        world.seq.wrapping_add(1)
    )
}

/// Length of the suffix [`unique_name`] appends.
const UNIQUE_SUFFIX_LEN: usize = 26;

/// Terraform's `NamePrefixFromName`: the prefix of a generated name (26 trailing hex digits
/// after a non-empty prefix), else null.
pub(super) fn name_prefix_from_name(name: &str) -> Value {
    let b = name.as_bytes();
    if b.len() <= UNIQUE_SUFFIX_LEN {
        return Value::Null;
    }
    let cut = b.len() - UNIQUE_SUFFIX_LEN;
    if b[cut..].iter().all(u8::is_ascii_hexdigit) && name.is_char_boundary(cut) {
        Value::string(&name[..cut])
    } else {
        Value::Null
    }
}

/// The name to create: `name` if set, else a generated one from `name_prefix` or `default`.
pub(super) fn pick_name(
    world: &World,
    planned: &Map,
    name: &str,
    prefix: &str,
    default: &str,
) -> String {
    match nonempty_str(planned, name) {
        Some(n) => n.to_string(),
        None => unique_name(world, nonempty_str(planned, prefix).unwrap_or(default)),
    }
}

// ------------------------------------------------------------------ JSON policies

/// True if two policy documents mean the same: equal JSON after IAM's equivalences (a single
/// string and a one-element array, the order of Action/Resource/Principal values, condition
/// values and statements). Unparseable strings are equivalent only when identical.
pub(super) fn json_equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_str::<Json>(a),
        serde_json::from_str::<Json>(b),
    ) {
        (Ok(x), Ok(y)) => normalize(&x, None) == normalize(&y, None),
        _ => false,
    }
}

/// The string to keep for a policy read back from the cloud: the prior spelling when it is
/// equivalent (so reformatting is no diff), else the cloud's document.
pub(super) fn keep_policy(prior: &Map, key: &str, cloud: &str) -> Value {
    match str_of(prior, key) {
        Some(p) if json_equivalent(p, cloud) => Value::string(p),
        _ => Value::string(cloud),
    }
}

fn as_sorted_strings(v: &Json) -> Json {
    let mut items: Vec<String> = match v {
        Json::Array(a) => a.iter().map(scalar_text).collect(),
        other => vec![scalar_text(other)],
    };
    items.sort();
    items.dedup();
    Json::Array(items.into_iter().map(Json::String).collect())
}

fn scalar_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn normalize(v: &Json, key: Option<&str>) -> Json {
    match (key, v) {
        (
            Some("Action" | "NotAction" | "Resource" | "NotResource"),
            Json::String(_) | Json::Array(_),
        ) => as_sorted_strings(v),
        (Some("Principal" | "NotPrincipal"), Json::Object(m)) => Json::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), as_sorted_strings(x)))
                .collect(),
        ),
        (Some("Condition"), Json::Object(ops)) => Json::Object(
            ops.iter()
                .map(|(op, keys)| {
                    let inner = match keys {
                        Json::Object(k) => Json::Object(
                            k.iter()
                                .map(|(ck, cv)| (ck.clone(), as_sorted_strings(cv)))
                                .collect(),
                        ),
                        other => other.clone(),
                    };
                    (op.clone(), inner)
                })
                .collect(),
        ),
        (Some("Statement"), Json::Object(_)) => normalize(&Json::Array(vec![v.clone()]), key),
        (Some("Statement"), Json::Array(a)) => {
            let mut items: Vec<Json> = a.iter().map(|s| normalize(s, None)).collect();
            items.sort_by_key(Json::to_string);
            Json::Array(items)
        }
        (_, Json::Object(m)) => Json::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), normalize(x, Some(k))))
                .collect(),
        ),
        (_, Json::Array(a)) => Json::Array(a.iter().map(|x| normalize(x, None)).collect()),
        _ => v.clone(),
    }
}

/// Applies JSON equivalence to every top-level JSON attribute of a plan: an equivalent planned
/// document becomes the prior string, so reformatting plans no change.
pub(super) fn suppress_equivalent_json(body: &BodySchema, prior: &Map, planned: &mut Map) {
    for a in body.attrs.iter().filter(|a| a.ty == AttrType::Json) {
        let (Some(p), Some(n)) = (str_of(prior, a.name), str_of(planned, a.name)) else {
            continue;
        };
        if p != n && json_equivalent(p, n) {
            planned.insert(a.name.to_string(), Value::string(p));
        }
    }
}

// ------------------------------------------------------------------ regions

/// Regions keyform can describe: (code, AWS's description, S3 Route 53 hosted zone id).
pub(super) const REGIONS: &[(&str, &str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)", "Z3AQBSTGFYJSTF"),
    ("us-east-2", "US East (Ohio)", "Z2O1EMRO9K5GLX"),
    ("us-west-1", "US West (N. California)", "Z2F56UZL2M1ACD"),
    ("us-west-2", "US West (Oregon)", "Z3BJ6K6RIION7M"),
    ("ca-central-1", "Canada (Central)", "Z1QDHH18159H29"),
    ("eu-west-1", "Europe (Ireland)", "Z1BKCTXD74EZPE"),
    ("eu-west-2", "Europe (London)", "Z3GKZC51ZF0DB4"),
    ("eu-west-3", "Europe (Paris)", "Z3R1K369G5AVDG"),
    ("eu-central-1", "Europe (Frankfurt)", "Z21DNDUVLTQW6Q"),
    ("eu-north-1", "Europe (Stockholm)", "Z3BAZG2TWCNX0D"),
    ("eu-south-1", "Europe (Milan)", "Z30OZKI7KPW7MI"),
    ("ap-south-1", "Asia Pacific (Mumbai)", "Z11RGJOFQNVJUP"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)", "Z2M4EHUR26P7ZW"),
    ("ap-northeast-2", "Asia Pacific (Seoul)", "Z3W03O7B5YMIYP"),
    ("ap-northeast-3", "Asia Pacific (Osaka)", "Z2YQB5RD63NC85"),
    (
        "ap-southeast-1",
        "Asia Pacific (Singapore)",
        "Z3O0J2DXBE1FTB",
    ),
    ("ap-southeast-2", "Asia Pacific (Sydney)", "Z1WCIGYICN2BYD"),
    ("sa-east-1", "South America (Sao Paulo)", "Z7KQH4QJS55SO"),
];

/// The table row of a region code.
pub(super) fn region_info(code: &str) -> Option<(&'static str, &'static str, &'static str)> {
    REGIONS.iter().find(|r| r.0 == code).copied()
}

// ------------------------------------------------------------------ KMS key references

/// The key id a reference names when it is a key id or key ARN (not an alias).
pub(super) fn key_id_of(reference: &str) -> &str {
    match reference.strip_prefix("arn:") {
        Some(rest) => rest.rsplit_once(":key/").map_or(reference, |(_, id)| id),
        None => reference,
    }
}

/// Resolves any KMS key reference (id, key ARN, alias name, alias ARN) to a key id in the world.
pub(super) fn resolve_key<'a>(w: &'a World, reference: &'a str) -> Option<&'a str> {
    let alias = match reference.strip_prefix("arn:") {
        Some(_) => reference
            .split_once(":alias/")
            .map(|(_, rest)| format!("alias/{rest}")),
        None => reference
            .starts_with("alias/")
            .then(|| reference.to_string()),
    };
    match alias {
        Some(a) => w.kms.aliases.get(&a).map(|x| x.target_key_id.as_str()),
        None => {
            let id = key_id_of(reference);
            w.kms.keys.contains_key(id).then_some(id)
        }
    }
}

/// The prior spelling of a key reference when it names the same key as the cloud's, so
/// "id vs ARN vs alias" is no diff (as the Terraform provider suppresses it).
pub(super) fn keep_key_ref(w: &World, prior: &Map, key: &str, cloud: &str) -> Value {
    match str_of(prior, key) {
        Some(p) if p == cloud => Value::string(p),
        Some(p) => match (resolve_key(w, p), resolve_key(w, cloud)) {
            (Some(a), Some(b)) if a == b => Value::string(p),
            _ if key_id_of(p) == key_id_of(cloud) => Value::string(p),
            _ => Value::string(cloud),
        },
        None => Value::string(cloud),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ids::IdGen;

    #[test]
    fn generated_names_follow_terraform_and_yield_their_prefix() {
        let mut w = World::new(
            "123456789012",
            "us-east-1",
            1_767_225_600_000,
            IdGen::seeded(1),
        );
        let n = unique_name(&w, "terraform-");
        assert_eq!(n, "terraform-20260101000000000000000001");
        w.seq = 41;
        w.now += 1234;
        assert_eq!(
            unique_name(&w, "alias/"),
            "alias/2026010100000123400000002a"
        );
        assert_eq!(name_prefix_from_name(&n), Value::string("terraform-"));
        assert_eq!(name_prefix_from_name("alias/lab-key"), Value::Null);
        assert_eq!(
            name_prefix_from_name("20260101000000000000000001"),
            Value::Null
        );
    }

    #[test]
    fn policies_compare_by_meaning() {
        let a = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["*"]}]}"#;
        let b = r#"{
            "Statement": {"Resource": "*", "Action": ["s3:GetObject"], "Effect": "Allow"},
            "Version": "2012-10-17"
        }"#;
        assert!(json_equivalent(a, b));
        let c = a.replace("GetObject", "PutObject");
        assert!(!json_equivalent(a, &c));
        assert!(!json_equivalent("{", "{ "));
        let p1 =
            r#"{"Statement":[{"Principal":{"AWS":["b","a"]},"Condition":{"Bool":{"k":"true"}}}]}"#;
        let p2 = r#"{"Statement":[{"Principal":{"AWS":["a","b"]},"Condition":{"Bool":{"k":["true"]}}}]}"#;
        assert!(json_equivalent(p1, p2));
    }

    #[test]
    fn key_references_keep_the_users_spelling() {
        let w = World::new("123456789012", "us-east-1", 0, IdGen::seeded(1));
        let arn = "arn:aws:kms:us-east-1:123456789012:key/abcd";
        let mut prior = Map::new();
        prior.insert("k".into(), Value::string("abcd"));
        assert_eq!(keep_key_ref(&w, &prior, "k", arn), Value::string("abcd"));
        prior.insert("k".into(), Value::string("other"));
        assert_eq!(keep_key_ref(&w, &prior, "k", arn), Value::string(arn));
        assert_eq!(key_id_of(arn), "abcd");
    }
}

/// Test support shared by the service files: a fresh cloud and what the engine would hand the
/// provider.
#[cfg(test)]
pub(super) mod testing {
    use super::super::AwsProvider;
    use super::super::registry::body;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::schema::BodySchema;
    use crate::sim::Cloud;
    use crate::sim::ids::IdGen;
    use crate::value::{Map, Value};

    pub(crate) fn cloud() -> Cloud {
        Cloud::in_memory("123456789012", "us-east-1", 0, IdGen::seeded(1)).expect("in-memory cloud")
    }

    pub(crate) fn provider(cloud: &mut Cloud) -> AwsProvider<'_> {
        AwsProvider::new(cloud, std::path::Path::new("."))
    }

    pub(crate) fn map(pairs: Vec<(&str, Value)>) -> Map {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    pub(crate) fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(map(pairs))
    }

    pub(crate) fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn defaults(body: &BodySchema, m: &mut Map, create: bool) {
        for a in &body.attrs {
            if !m.contains_key(a.name) {
                let v = match (&a.default, a.computed && create) {
                    (Some(d), _) => d.clone(),
                    (None, true) => Value::Unknown,
                    (None, false) => Value::Null,
                };
                m.insert(a.name.to_string(), v);
            }
        }
        for b in &body.blocks {
            let entry = m
                .entry(b.name.to_string())
                .or_insert_with(|| Value::List(Vec::new()));
            if let Value::List(items) = entry {
                for it in items {
                    if let Value::Object(inner) = it {
                        defaults(&b.body, inner, false);
                    }
                }
            }
        }
    }

    /// The engine's planned value on create: config, defaults, computed attributes unknown;
    /// then the provider's own plan rules.
    pub(crate) fn plan_create(p: &AwsProvider<'_>, kind: &str, config: Vec<(&str, Value)>) -> Map {
        let mut m = map(config);
        defaults(body(Mode::Managed, kind).expect("schema"), &mut m, true);
        p.plan(kind, None, &mut m).expect("plans");
        m
    }

    /// The engine's planned value on update: prior with the changed arguments, then the
    /// provider's plan rules.
    pub(crate) fn plan_update(
        p: &AwsProvider<'_>,
        kind: &str,
        prior: &Map,
        changes: Vec<(&str, Value)>,
    ) -> Map {
        let mut m = prior.clone();
        m.extend(map(changes));
        p.plan(kind, Some(prior), &mut m).expect("plans");
        m
    }

    /// Asserts that a state map holds exactly its schema's attributes and blocks, none unknown.
    pub(crate) fn assert_complete(mode: Mode, kind: &str, m: &Map) {
        let b = body(mode, kind).expect("schema");
        let mut want: Vec<&str> = b
            .attrs
            .iter()
            .map(|a| a.name)
            .chain(b.blocks.iter().map(|x| x.name))
            .collect();
        want.sort_unstable();
        let got: Vec<&str> = m.keys().map(String::as_str).collect();
        assert_eq!(got, want, "{kind} state must hold every schema attribute");
        assert!(
            !m.values().any(Value::is_unknown),
            "{kind} state has unknowns: {m:?}"
        );
    }

    pub(crate) fn events(p: &AwsProvider<'_>) -> usize {
        p.cloud.world.cloudtrail.events.len()
    }

    /// Names of the events recorded since `from`.
    pub(crate) fn event_names(p: &AwsProvider<'_>, from: usize) -> Vec<String> {
        p.cloud.world.cloudtrail.events[from..]
            .iter()
            .map(crate::sim::world::TrailEvent::json)
            .filter_map(|e| {
                e.get("eventName")
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            })
            .collect()
    }
}
