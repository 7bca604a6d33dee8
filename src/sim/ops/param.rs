//! The input shape of an operation: each parameter's name, type and whether it is required, and
//! the validation every front end gets by calling [`crate::sim::Cloud::call`] (botocore's
//! texts, so a learner sees what the AWS CLI would say).
//!
//! Type checks of values inside structures stay with the handlers (they read what they honour);
//! this file refuses unknown members and missing required ones before anything is recorded.

use serde_json::Value as Json;

use crate::sim::SimError;

/// The type of a parameter, as the AWS API model types it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    /// Opaque bytes (a ciphertext blob): base64 everywhere, as the AWS CLI prints them, so an
    /// output can be passed back unchanged.
    Blob,
    /// Bytes the caller supplies as content (`Plaintext`): base64 in the JSON the handlers see,
    /// as on the awsJson wire; the `sim` and test-file front ends take text for them, and
    /// `<Name>Base64` for base64 (decisions.md "Values in test files and sim").
    Content,
    /// ISO 8601 in the simulation; serve's JSON protocol converts epoch seconds.
    Timestamp,
    /// A policy document as a JSON string.
    PolicyDocument,
    /// A map of string to string (encryption contexts, metadata).
    StringMap,
    List(&'static ParamType),
    /// A structure the handler reads member by member, its members untyped.
    Structure,
    /// A structure with its members typed as the AWS API model types them
    /// ([`super::shapes`]): the AWS CLI's shorthand syntax and client-side validation read them.
    Shape(&'static [Param]),
    Enum(&'static [&'static str]),
}

/// One member of an operation's input shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub ty: ParamType,
    pub required: bool,
}

/// A required parameter.
pub const fn req(name: &'static str, ty: ParamType) -> Param {
    Param {
        name,
        ty,
        required: true,
    }
}

/// An optional parameter.
pub const fn opt(name: &'static str, ty: ParamType) -> Param {
    Param {
        name,
        ty,
        required: false,
    }
}

/// Refuses members outside the shape and missing required ones, botocore's way (unknown first,
/// as botocore reports them). A mistyped `PendingWindowDays` must not quietly schedule a 30-day
/// deletion.
pub(super) fn validate(shape: &[Param], given: &Json) -> Result<(), SimError> {
    let Json::Object(given) = given else {
        return Ok(());
    };
    if let Some(k) = given
        .keys()
        .find(|k| !shape.iter().any(|p| p.name == k.as_str()))
    {
        let names: Vec<&str> = shape.iter().map(|p| p.name).collect();
        return Err(SimError::param(format!(
            "Unknown parameter in input: \"{k}\", must be one of: {}",
            names.join(", ")
        )));
    }
    if let Some(p) = shape
        .iter()
        .find(|p| p.required && given.get(p.name).is_none_or(Json::is_null))
    {
        return Err(SimError::param(format!(
            "Missing required parameter in input: \"{}\"",
            p.name
        )));
    }
    Ok(())
}
