//! The served request context: who counts as on a secure transport.

use super::*;

fn signed(
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    key: &(String, Zeroizing<String>),
    peer: &str,
) -> Request {
    let mut headers = vec![("host".to_string(), "127.0.0.1:4566".to_string())];
    sigv4::sign(
        method,
        path,
        query,
        &mut headers,
        body,
        &key.0,
        &key.1,
        "us-east-1",
        "s3",
        &sigv4::amz_date(wall_secs()),
    );
    Request {
        method: method.into(),
        raw_path: path.into(),
        raw_query: query.into(),
        headers,
        body: body.to_vec(),
        peer: peer.parse().expect("peer address"),
    }
}

#[test]
fn only_loopback_peers_count_as_secure_transport() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut svc = Service::open(dir.path(), AuthMode::Strict, "us-east-1").expect("serve");
    let key = svc.admin_key().expect("lab-admin's key");
    let r = svc.handle(&signed("PUT", "/tls-only", "", b"", &key, "127.0.0.1"));
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::tls-only",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
    .to_string();
    let r = svc.handle(&signed(
        "PUT",
        "/tls-only",
        "policy",
        policy.as_bytes(),
        &key,
        "127.0.0.1",
    ));
    assert!(r.status < 300, "{}", String::from_utf8_lossy(&r.body));
    for (peer, allowed) in [
        ("127.0.0.1", true),
        ("127.8.9.10", true),
        ("::1", true),
        ("::ffff:127.0.0.1", true),
        ("10.0.0.7", false),
        ("192.168.1.20", false),
        ("fe80::1", false),
        ("::ffff:10.0.0.7", false),
    ] {
        let r = svc.handle(&signed("GET", "/tls-only", "", b"", &key, peer));
        assert_eq!(
            r.status == 200,
            allowed,
            "{peer}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}
