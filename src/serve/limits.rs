//! What one request and all connections together may cost the server.
//!
//! A body is read only after its head is admitted ([`super::Service::admit`]): a bad or
//! unknown signature is refused before one byte of the body is buffered, and the body may be
//! only as large as its sender's standing allows ([`BodyLimit`]). A declared
//! `Content-Length` above the limit is refused at once; a chunked body is cut off when it
//! passes it. Bodies are read into one buffer (no second copy), at most [`MAX_CONNECTIONS`]
//! connections are served at a time, and the bodies buffered at once stay within
//! [`MAX_BUFFERED`].

use std::sync::Arc;

use http_body_util::BodyExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{MAX_BODY, Protocol, Request, Response, WireError, error_response, request_id};

/// Connections served at once; further ones wait in the listen queue. AWS SDKs open about ten.
pub const MAX_CONNECTIONS: usize = 64;
/// Bytes of request bodies buffered at once, across all connections.
pub const MAX_BUFFERED: usize = 2 * MAX_BODY;
/// A KMS, CloudTrail, IAM or STS request (the largest, a policy document, is ~20 KiB encoded).
pub const RPC_BODY: usize = 1024 * 1024;
/// An unsigned S3 request (the AWS CLI's multipart parts are 8 MiB, plus aws-chunked framing).
pub const ANONYMOUS_BODY: usize = 16 * 1024 * 1024;
/// A control request (they take no body).
pub const CONTROL_BODY: usize = 64 * 1024;
/// A refused request's body up to this size is still read (and dropped); a larger one is left
/// unread and the connection closed.
pub const DRAIN_BODY: usize = 64 * 1024;
/// How long a client may take to send a request's head.
pub const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How much body a sender may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// S3, signed by a known key (or acting as lab-admin under `-auth=lenient`).
    Signed,
    /// S3, unsigned.
    Anonymous,
    /// The JSON and query protocols (or not known until the form is read).
    Rpc,
    Control,
}

impl BodyLimit {
    pub fn bytes(self) -> usize {
        match self {
            BodyLimit::Signed => MAX_BODY,
            BodyLimit::Anonymous => ANONYMOUS_BODY,
            BodyLimit::Rpc => RPC_BODY,
            BodyLimit::Control => CONTROL_BODY,
        }
    }

    /// The error for a body over the limit, in the protocol's terms (S3's when not known).
    pub fn error(self, proto: Option<Protocol>) -> WireError {
        let n = self.bytes();
        match (self, proto) {
            (BodyLimit::Signed, _) => WireError::new(
                "EntityTooLarge",
                400,
                format!(
                    "Your proposed upload exceeds the maximum allowed size of {n} bytes for one request; use a multipart upload"
                ),
            ),
            (BodyLimit::Anonymous, _) => WireError::new(
                "EntityTooLarge",
                400,
                format!(
                    "Your proposed upload exceeds the maximum allowed size of {n} bytes for an unsigned request; sign it (up to {MAX_BODY} bytes) or use a multipart upload"
                ),
            ),
            (_, Some(Protocol::Json(_) | Protocol::Query(_))) | (BodyLimit::Control, _) => {
                WireError::new(
                    "RequestEntityTooLarge",
                    413,
                    format!("The request body exceeds the {n} bytes this operation accepts"),
                )
            }
            (BodyLimit::Rpc, _) => WireError::new(
                "EntityTooLarge",
                400,
                format!("Your proposed upload exceeds the maximum allowed size of {n} bytes"),
            ),
        }
    }

    /// The over-limit response for `head`.
    pub fn refusal(self, proto: Option<Protocol>, head: &Request) -> Response {
        let e = self.error(proto);
        match proto {
            Some(p) => error_response(p, head, &e, &request_id()),
            None => super::s3::error_response(head, &e, &request_id()),
        }
    }
}

/// What to do with a request once its head is known.
pub enum Admission {
    /// Read the body, up to the limit; the protocol when the head already tells it.
    Read(BodyLimit, Option<Protocol>),
    /// Answer now, leaving the body unread.
    Refuse(Response),
}

/// Why a body was not read.
#[derive(Debug)]
pub enum BodyError {
    TooLarge,
    /// The connection failed or closed before the body was complete.
    Incomplete,
}

/// The shared bounds of a running server.
#[derive(Clone)]
pub struct Budget {
    pub connections: Arc<Semaphore>,
    /// In KiB, so the largest body fits one `acquire_many`.
    bytes: Arc<Semaphore>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget {
            connections: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            bytes: Arc::new(Semaphore::new(MAX_BUFFERED / 1024)),
        }
    }
}

impl Budget {
    /// Reserves room for `n` bytes of body, waiting while other bodies fill the budget.
    /// Reserved up front, whole, so two large bodies never each hold half and wait forever.
    pub async fn reserve(&self, n: usize) -> Option<OwnedSemaphorePermit> {
        let kib = u32::try_from(n.div_ceil(1024)).ok()?.max(1);
        self.bytes.clone().acquire_many_owned(kib).await.ok()
    }
}

/// Reads a body into one buffer of at most `limit` bytes.
pub async fn read_body(
    mut body: hyper::body::Incoming,
    limit: usize,
    declared: Option<usize>,
) -> Result<Vec<u8>, BodyError> {
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Incomplete)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(buf)
}
