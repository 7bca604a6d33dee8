//! S3's XML configuration bodies (encryption, public access block) as the operation's JSON.

use super::*;

pub(super) fn parse_xml_body(body: &[u8]) -> Result<Element, WireError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed_xml("the body is not UTF-8"))?;
    xml::parse(text).map_err(|e| malformed_xml(&e))
}

pub(super) fn xml_bool(e: &Element, name: &str) -> Option<bool> {
    e.text_of(name).map(|v| v.eq_ignore_ascii_case("true"))
}

pub(super) fn encryption_config(body: &[u8]) -> Result<Json, WireError> {
    let root = parse_xml_body(body)?;
    let rules: Vec<Json> = root
        .children_named("Rule")
        .map(|r| {
            let mut rule = json!({});
            if let Some(d) = r.child("ApplyServerSideEncryptionByDefault") {
                let mut dd = json!({});
                if let Some(a) = d.text_of("SSEAlgorithm") {
                    dd["SSEAlgorithm"] = json!(a);
                }
                if let Some(k) = d.text_of("KMSMasterKeyID") {
                    dd["KMSMasterKeyID"] = json!(k);
                }
                rule["ApplyServerSideEncryptionByDefault"] = dd;
            }
            if let Some(b) = xml_bool(r, "BucketKeyEnabled") {
                rule["BucketKeyEnabled"] = json!(b);
            }
            rule
        })
        .collect();
    Ok(json!({"Rules": rules}))
}

pub(super) fn public_access_block(body: &[u8]) -> Result<Json, WireError> {
    let root = parse_xml_body(body)?;
    let mut m = Map::new();
    for n in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        if let Some(b) = xml_bool(&root, n) {
            m.insert(n.into(), json!(b));
        }
    }
    Ok(Json::Object(m))
}

// ---------------------------------------------------------------- responses
