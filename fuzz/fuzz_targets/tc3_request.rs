//! A whole API 3.0 request signed with TC3-HMAC-SHA256, through the steps tcr-svc takes
//! (Authorization, `X-TC-Timestamp`, scope, canonical request as sent and lower-cased,
//! string to sign): no panic; a request the client side signs verifies; and its signature
//! never verifies a request whose canonical form differs.
#![no_main]

use credential_core::sign::tencent::{
    canonical_request, canonical_request_lowercase_values, parse_authorization, sign_request,
    string_to_sign, verify, Tc3Request, UNSIGNED_PAYLOAD,
};
use credential_fuzz::{mutate_ascii, RawRequest, SECRET_KEY};
use libfuzzer_sys::fuzz_target;

fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fuzz_target!(|data: &[u8]| {
    let Some(raw) = RawRequest::read(data) else {
        return;
    };
    let unsigned =
        header(&raw.headers, "x-tc-content-sha256").map(str::trim) == Some(UNSIGNED_PAYLOAD);
    let timestamp_text = header(&raw.headers, "x-tc-timestamp").unwrap_or("").trim();
    let timestamp: Option<i64> = timestamp_text.parse().ok();

    // What tcr-svc does with any request: parse, then build both canonical forms.
    if let Some(auth) =
        header(&raw.headers, "authorization").and_then(|a| parse_authorization(a).ok())
    {
        if let Some(ts) = timestamp {
            let _ = auth.check_scope(ts, "tcr");
        }
        for build in [canonical_request, canonical_request_lowercase_values] {
            if let Ok(c) = build(
                raw.method,
                raw.query,
                &raw.headers,
                &auth.signed_headers,
                raw.body,
                unsigned,
            ) {
                let _ = string_to_sign(timestamp_text, &auth.date, &auth.service, &c);
            }
        }
    }

    // Sign it as a client would, over every header it carries but Authorization; only
    // headers HTTP can carry (a service never sees others).
    if !raw.is_http() {
        return;
    }
    let Some(ts) = timestamp.filter(|ts| ts.to_string() == timestamp_text) else {
        return;
    };
    let sent: Vec<(&str, &str)> = raw
        .headers
        .iter()
        .copied()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
        .collect();
    let names: Vec<String> = sent.iter().map(|(n, _)| n.to_string()).collect();
    let client = Tc3Request {
        method: raw.method,
        query: raw.query,
        headers: &sent,
        body: raw.body,
        unsigned_payload: unsigned,
    };
    let Ok(authorization) = sign_request(&client, "AKIDFUZZ", SECRET_KEY, "tcr", ts, &names) else {
        return;
    };
    let auth = match parse_authorization(&authorization) {
        Ok(auth) => auth,
        Err(e) => panic!("the client side's own header does not parse: {e}: {authorization:?}"),
    };
    assert!(auth.check_scope(ts, "tcr").is_ok());
    let server_sts = |method: &str, query: &str, body: &[u8]| {
        canonical_request(method, query, &sent, &auth.signed_headers, body, unsigned).map(|c| {
            (
                string_to_sign(timestamp_text, &auth.date, &auth.service, &c),
                c,
            )
        })
    };
    let Ok((sts, original)) = server_sts(raw.method, raw.query, raw.body) else {
        panic!("the server cannot rebuild a request the client signed");
    };
    assert!(
        verify(SECRET_KEY, &auth.date, &auth.service, &sts, &auth.signature),
        "a request signed by the client side does not verify"
    );

    let at = usize::from(data.first().copied().unwrap_or(0));
    let with = data.last().copied().unwrap_or(b'x');
    let longer = [raw.body, b"x"].concat();
    let changes = [
        (mutate_ascii(raw.method, at, with), None, None),
        (None, mutate_ascii(raw.query, at, with), None),
        (None, None, Some(longer.as_slice())),
    ];
    for (method, query, body) in changes {
        let method = method.as_deref().unwrap_or(raw.method);
        let query = query.as_deref().unwrap_or(raw.query);
        let body = body.unwrap_or(raw.body);
        let Ok((sts, canonical)) = server_sts(method, query, body) else {
            continue;
        };
        assert_eq!(
            verify(SECRET_KEY, &auth.date, &auth.service, &sts, &auth.signature),
            canonical == original,
            "a changed request verifies: {canonical:?}"
        );
    }
});
