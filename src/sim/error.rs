//! Errors of the simulated cloud, named and shaped as AWS names them: [`SimError`] is what the
//! callers of the cloud (the `sim` command, `serve`, the grading runner, the provider) see.
//!
//! Each service decides its failures as its own enum of data ([`crate::sim::kms::KmsError`],
//! [`crate::sim::s3::S3Error`], [`crate::sim::iam::IamError`],
//! [`crate::sim::cloudtrail::CloudTrailError`]) and converts it here, at its edge, into AWS's
//! code, HTTP status and message; nothing downstream reads the message to decide anything.

use std::fmt;

/// What KMS, IAM and CloudTrail answer to credentials of no existing user.
pub(crate) const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

/// Who is at fault: the request's shape (caught before the service, like botocore's parameter
/// validation) or the service's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Missing or malformed parameters: the AWS CLI exits 252.
    Parameter,
    /// The service answered with an error code: the AWS CLI exits 254.
    Service,
    /// Anything else (I/O, corrupted world): exit 255.
    Internal,
}

/// An AWS-style error: `code` is what SDKs switch on (`AccessDenied`, `NotFoundException`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    /// HTTP status the wire protocol would carry.
    pub status: u16,
}

impl SimError {
    pub fn service(code: &str, status: u16, message: impl Into<String>) -> SimError {
        SimError {
            kind: ErrorKind::Service,
            code: code.to_string(),
            message: message.into(),
            status,
        }
    }

    /// A parameter validation failure detected before calling the service.
    pub fn param(message: impl Into<String>) -> SimError {
        SimError {
            kind: ErrorKind::Parameter,
            code: "ParamValidation".into(),
            message: message.into(),
            status: 400,
        }
    }

    pub fn internal(message: impl Into<String>) -> SimError {
        SimError {
            kind: ErrorKind::Internal,
            code: "InternalError".into(),
            message: message.into(),
            status: 500,
        }
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SimError {}
