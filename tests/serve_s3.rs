//! S3 over HTTP as real clients use it: conditional requests (Terraform's S3 backend locks with
//! `If-None-Match: *`), checked and written atomically however many requests race.

use crate::support::Test;
use crate::support::wire::Served;

#[test]
fn conditional_requests_lock_answer_304_and_412_and_race_safely() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/cond", "", &[], b"").status, 200);

    // Eight writers race to create one lock object: exactly one wins.
    let results: Vec<u16> = std::thread::scope(|scope| {
        let hs: Vec<_> = (0..8)
            .map(|i| {
                let c = s.client(Some(&s.admin));
                scope.spawn(move || {
                    c.s3(
                        "PUT",
                        "/cond/state.tflock",
                        "",
                        &[("if-none-match", "*")],
                        format!("holder {i}").as_bytes(),
                    )
                    .status
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|s| **s == 200).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results.iter().filter(|s| **s == 412).count(),
        7,
        "{results:?}"
    );
    let again = admin.s3(
        "PUT",
        "/cond/state.tflock",
        "",
        &[("if-none-match", "*")],
        b"x",
    );
    assert_eq!(
        (again.status, again.xml_code()),
        (412, "PreconditionFailed".into())
    );

    let g = admin.s3("GET", "/cond/state.tflock", "", &[], b"");
    let etag = g.header("etag").unwrap().to_string();
    let last_modified = g.header("last-modified").unwrap().to_string();
    let r = admin.s3(
        "GET",
        "/cond/state.tflock",
        "",
        &[("if-none-match", &etag)],
        b"",
    );
    assert_eq!((r.status, r.body.len()), (304, 0));
    let r = admin.s3(
        "GET",
        "/cond/state.tflock",
        "",
        &[("if-modified-since", &last_modified)],
        b"",
    );
    assert_eq!(r.status, 304);
    let r = admin.s3(
        "HEAD",
        "/cond/state.tflock",
        "",
        &[("if-match", "\"nope\"")],
        b"",
    );
    assert_eq!(r.status, 412);
    let r = admin.s3("GET", "/cond/state.tflock", "", &[("if-match", &etag)], b"");
    assert_eq!((r.status, r.body), (200, g.body.clone()));
    let r = admin.s3(
        "GET",
        "/cond/state.tflock",
        "",
        &[("if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        b"",
    );
    assert_eq!((r.status, r.xml_code()), (412, "PreconditionFailed".into()));
    // A malformed entity tag never matches: the write is refused, nothing changes.
    let r = admin.s3(
        "PUT",
        "/cond/state.tflock",
        "",
        &[("if-match", "\"unbalanced")],
        b"new",
    );
    assert_eq!(r.status, 412);
    let r = admin.s3(
        "PUT",
        "/cond/state.tflock",
        "",
        &[("if-match", &etag)],
        b"new",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        admin.s3("GET", "/cond/state.tflock", "", &[], b"").body,
        b"new"
    );
    let r = admin.s3(
        "DELETE",
        "/cond/state.tflock",
        "",
        &[("if-match", &etag)],
        b"",
    );
    assert_eq!(r.status, 412, "the ETag changed with the write");
}

#[test]
fn versioned_buckets_keep_versions_over_http_and_across_restarts() {
    let t = Test::new();
    let (v1, marker) = {
        let s = Served::start(&t, &[]);
        let admin = s.client(Some(&s.admin));
        assert_eq!(admin.s3("PUT", "/ver", "", &[], b"").status, 200);
        let on = b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>";
        assert_eq!(admin.s3("PUT", "/ver", "versioning", &[], on).status, 200);
        assert!(
            admin
                .s3("GET", "/ver", "versioning", &[], b"")
                .text()
                .contains("<Status>Enabled</Status>")
        );
        let p1 = admin.s3("PUT", "/ver/doc.txt", "", &[], b"first");
        let v1 = p1.header("x-amz-version-id").unwrap().to_string();
        let p2 = admin.s3("PUT", "/ver/doc.txt", "", &[], b"second");
        assert_ne!(p2.header("x-amz-version-id"), Some(v1.as_str()));
        let d = admin.s3("DELETE", "/ver/doc.txt", "", &[], b"");
        assert_eq!(d.header("x-amz-delete-marker"), Some("true"));
        let marker = d.header("x-amz-version-id").unwrap().to_string();
        (v1, marker)
    };
    // Versions and delete markers are journaled like objects.
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("GET", "/ver/doc.txt", "", &[], b"").status, 404);
    let g = admin.s3("GET", "/ver/doc.txt", &format!("versionId={v1}"), &[], b"");
    assert_eq!((g.status, g.body.as_slice()), (200, &b"first"[..]));
    assert_eq!(g.header("x-amz-version-id"), Some(v1.as_str()));
    let l = admin.s3("GET", "/ver", "versions", &[], b"").text();
    assert_eq!(l.matches("<Version>").count(), 2, "{l}");
    assert!(l.contains(&format!("<DeleteMarker><Key>doc.txt</Key><VersionId>{marker}</VersionId><IsLatest>true</IsLatest>")), "{l}");
    let bad = admin.s3("GET", "/ver/doc.txt", "versionId=nope", &[], b"");
    assert_eq!(
        (bad.status, bad.xml_code()),
        (400, "InvalidArgument".into())
    );
    let r = admin.s3(
        "DELETE",
        "/ver/doc.txt",
        &format!("versionId={marker}"),
        &[],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        admin.s3("GET", "/ver/doc.txt", "", &[], b"").body,
        b"second"
    );
}
