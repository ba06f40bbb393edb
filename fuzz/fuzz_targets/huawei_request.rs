//! A whole request signed with SDK-HMAC-SHA256, through the verifier's path
//! (`prepare_verification`: Authorization, signed-header rules, canonical request, date):
//! no panic; canonicalisation is idempotent; a request the client side signs verifies;
//! and a signature computed for it never verifies a request whose canonical form differs.
#![no_main]

use credential_core::sign::huawei::{
    canonical_query, canonical_request, canonical_uri, prepare_verification, sign_request, verify,
    SignableRequest,
};
use credential_fuzz::{mutate_ascii, RawRequest, SECRET_KEY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(raw) = RawRequest::read(data) else {
        return;
    };
    let req = SignableRequest {
        method: raw.method,
        path: raw.path,
        query: raw.query,
        headers: &raw.headers,
        body: raw.body,
    };
    // What a service does with any request carrying the header.
    let _ = prepare_verification(&req);

    let uri = canonical_uri(raw.path);
    assert_eq!(canonical_uri(&uri), uri, "canonical URI of {:?}", raw.path);
    let query = canonical_query(raw.query);
    assert_eq!(
        canonical_query(&query),
        query,
        "canonical query of {:?}",
        raw.query
    );

    // Sign it as a client would, over every header it carries but Authorization; only
    // headers HTTP can carry (a service never sees others).
    if !raw.is_http() {
        return;
    }
    let unsigned: Vec<(&str, &str)> = raw
        .headers
        .iter()
        .copied()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
        .collect();
    let names: Vec<String> = unsigned.iter().map(|(n, _)| n.to_string()).collect();
    let Some(date) = req.header("x-sdk-date").ok().flatten() else {
        return;
    };
    let date = date.trim();
    let client = SignableRequest {
        headers: &unsigned,
        ..req
    };
    let Ok(auth) = sign_request(&client, "AKFUZZ", SECRET_KEY, &names, date) else {
        return;
    };
    let mut received = unsigned.clone();
    received.push(("Authorization", auth.as_str()));
    let server = SignableRequest {
        headers: &received,
        ..req
    };
    let Ok(prepared) = prepare_verification(&server) else {
        return;
    };
    assert!(
        verify(
            SECRET_KEY,
            &prepared.string_to_sign,
            &prepared.authorization.signature
        ),
        "a request signed by the client side does not verify"
    );

    // The same signature on a changed path, query or body.
    let at = usize::from(data.first().copied().unwrap_or(0));
    let with = data.last().copied().unwrap_or(b'x');
    let original = canonical_request(&server, &prepared.authorization.signed_headers);
    for (path, query, body) in [
        (mutate_ascii(raw.path, at, with), None, None),
        (None, mutate_ascii(raw.query, at, with), None),
        (None, None, Some([raw.body, b"x"].concat())),
    ] {
        if path.is_none() && query.is_none() && body.is_none() {
            continue;
        }
        let changed = SignableRequest {
            path: path.as_deref().unwrap_or(raw.path),
            query: query.as_deref().unwrap_or(raw.query),
            body: body.as_deref().unwrap_or(raw.body),
            ..server
        };
        let Ok(p) = prepare_verification(&changed) else {
            continue;
        };
        let same = canonical_request(&changed, &p.authorization.signed_headers) == original;
        assert_eq!(
            verify(SECRET_KEY, &p.string_to_sign, &p.authorization.signature),
            same,
            "a changed request verifies: {:?}",
            canonical_request(&changed, &p.authorization.signed_headers)
        );
    }
});
