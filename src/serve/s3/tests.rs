//! S3 wire decoding and rendering.

use super::*;

fn req(host: &str, path: &str) -> Request {
    Request {
        method: "GET".into(),
        raw_path: path.into(),
        raw_query: String::new(),
        headers: vec![("host".into(), host.into())],
        body: Vec::new(),
        peer: std::net::IpAddr::from([127, 0, 0, 1]),
    }
}

#[test]
fn buckets_and_keys_come_from_the_path_or_a_virtual_host() {
    assert_eq!(
        address(&req("127.0.0.1:4566", "/bkt/a/b%20c.txt")),
        (Some("bkt".into()), Some("a/b c.txt".into()))
    );
    assert_eq!(
        address(&req("bkt.localhost:4566", "/a%2Bb")),
        (Some("bkt".into()), Some("a+b".into()))
    );
    assert_eq!(
        address(&req("bkt.s3.localhost.localstack.cloud:4566", "/k")),
        (Some("bkt".into()), Some("k".into()))
    );
    assert_eq!(address(&req("localhost:4566", "/")), (None, None));
    assert_eq!(
        address(&req("localhost", "/bkt/")),
        (Some("bkt".into()), None)
    );
}
