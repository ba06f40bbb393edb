//! Huawei SDK-HMAC-SHA256: the SDK's vectors, verifier rules and property tests.

use super::*;
use proptest::prelude::*;

const SK: &[u8] = b"SK_EXAMPLE";

fn signed(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn vector_headers(content_type: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("Content-Type", content_type),
        ("Host", "127.0.0.1:18081"),
        ("User-Agent", "test-agent"),
        ("X-Project-Id", "p1"),
        ("X-Sdk-Date", "20240101T000000Z"),
    ]
}

const SDK_SIGNED: [&str; 5] = [
    "content-type",
    "host",
    "user-agent",
    "x-project-id",
    "x-sdk-date",
];

#[test]
fn vector_1_post() {
    let headers = vector_headers("application/json;charset=utf-8");
    let body = br#"{"credential": {"user_id": "u1", "description": "d"}}"#;
    let req = SignableRequest {
        method: "POST",
        path: "/v3.0/OS-CREDENTIAL/credentials",
        query: "",
        headers: &headers,
        body,
    };
    let canonical = canonical_request(&req, &signed(&SDK_SIGNED)).unwrap();
    assert_eq!(
        canonical,
        "POST\n/v3.0/OS-CREDENTIAL/credentials/\n\ncontent-type:application/json;charset=utf-8\n\
         host:127.0.0.1:18081\nuser-agent:test-agent\nx-project-id:p1\nx-sdk-date:20240101T000000Z\n\n\
         content-type;host;user-agent;x-project-id;x-sdk-date\n\
         21721850b25b5c2bcd728421e65ee112048cf84b59839d8ea93b61a267be9729"
    );
    let sts = string_to_sign("20240101T000000Z", &canonical);
    assert_eq!(
        sts,
        "SDK-HMAC-SHA256\n20240101T000000Z\n83a859a60b20440533c546e896f8214016e40ade522263a9495493adbb8af653"
    );
    let sig = "84335469653d1317881714c5e95924b650529841a1d3d502f6cf1db63374b771";
    assert_eq!(sign(SK, &sts), sig);
    assert!(verify(SK, &sts, sig));
    assert!(verify(SK, &sts, &sig.to_ascii_uppercase()));
    assert!(!verify(b"SK_EXAMPLF", &sts, sig));
    let auth = sign_request(
        &req,
        "AK_EXAMPLE",
        SK,
        &signed(&SDK_SIGNED),
        "20240101T000000Z",
    )
    .unwrap();
    assert_eq!(
        auth,
        format!("SDK-HMAC-SHA256 Access=AK_EXAMPLE, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, Signature={sig}")
    );
}

#[test]
fn vector_2_get() {
    let headers = vector_headers("application/json");
    let req = SignableRequest {
        method: "GET",
        path: "/v2/p1/instances/i1/long-term-credentials",
        query: "limit=5&offset=0&self_only=false",
        headers: &headers,
        body: b"",
    };
    let canonical = canonical_request(&req, &signed(&SDK_SIGNED)).unwrap();
    let lines: Vec<&str> = canonical.split('\n').collect();
    assert_eq!(lines[1], "/v2/p1/instances/i1/long-term-credentials/");
    assert_eq!(lines[2], "limit=5&offset=0&self_only=false");
    assert_eq!(
        lines[lines.len() - 1],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let sts = string_to_sign("20240101T000000Z", &canonical);
    assert_eq!(
        sign(SK, &sts),
        "d3b8f21a02cde57ee6e3f0a7dcfee75f58c09cbd9a4dd340737e3515ed9a6cca"
    );
}

#[test]
fn verifier_accepts_vector_1_end_to_end() {
    let mut headers = vector_headers("application/json;charset=utf-8");
    let auth = "SDK-HMAC-SHA256 Access=AK_EXAMPLE, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, \
                Signature=84335469653d1317881714c5e95924b650529841a1d3d502f6cf1db63374b771";
    headers.push(("authorization", auth));
    headers.push(("Content-Length", "55"));
    let req = SignableRequest {
        method: "POST",
        path: "/v3.0/OS-CREDENTIAL/credentials",
        query: "",
        headers: &headers,
        body: br#"{"credential": {"user_id": "u1", "description": "d"}}"#,
    };
    let p = prepare_verification(&req).unwrap();
    assert_eq!(p.authorization.access, "AK_EXAMPLE");
    assert_eq!(p.sdk_date, parse_sdk_date("20240101T000000Z").unwrap());
    assert!(verify(SK, &p.string_to_sign, &p.authorization.signature));
}

#[test]
fn canonical_uri_rules() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("/a/"), "/a/");
    assert_eq!(canonical_uri("/a b/%41~"), "/a%20b/A~/");
    assert_eq!(
        canonical_uri("/v2/%7Bproject_id%7D/x"),
        "/v2/%7Bproject_id%7D/x/"
    );
    assert_eq!(canonical_uri("/a%2Fb"), "/a/b/");
    assert_eq!(canonical_uri("/a+b*"), "/a%2Bb%2A/");
}

#[test]
fn canonical_query_rules() {
    assert_eq!(canonical_query(""), "");
    assert_eq!(canonical_query("b=2&a=1"), "a=1&b=2");
    assert_eq!(canonical_query("a=2&a=1"), "a=1&a=2");
    assert_eq!(canonical_query("a"), "a=");
    assert_eq!(canonical_query("a=x=y"), "a=x%3Dy");
    assert_eq!(
        canonical_query("q=a+b&r=a%20b&s=%2f"),
        "q=a%2Bb&r=a%20b&s=%2F"
    );
    assert_eq!(canonical_query("a=1&&b=2&"), "a=1&b=2");
}

#[test]
fn payload_hash_rules() {
    let h = [
        ("Host", "h"),
        ("X-Sdk-Date", "20240101T000000Z"),
        ("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"),
    ];
    let names = signed(&["host", "x-sdk-content-sha256", "x-sdk-date"]);
    let req = SignableRequest {
        method: "PUT",
        path: "/",
        query: "",
        headers: &h,
        body: b"data",
    };
    assert!(canonical_request(&req, &names)
        .unwrap()
        .ends_with("\nUNSIGNED-PAYLOAD"));
    assert!(req.is_unsigned_payload());
    let empty = SignableRequest { body: b"", ..req };
    assert!(canonical_request(&empty, &names)
        .unwrap()
        .ends_with(EMPTY_SHA256));
    assert!(!empty.is_unsigned_payload());
    // A claimed hash that is not the literal is ignored: the real body hash is used.
    let h2 = [
        ("Host", "h"),
        ("X-Sdk-Date", "20240101T000000Z"),
        ("X-Sdk-Content-Sha256", EMPTY_SHA256),
    ];
    let req2 = SignableRequest {
        headers: &h2,
        ..req
    };
    assert!(canonical_request(&req2, &names)
        .unwrap()
        .ends_with(&sha256_hex(b"data")));
}

#[test]
fn signed_header_rules() {
    let h = [
        ("Host", "h"),
        ("X-Sdk-Date", "20240101T000000Z"),
        ("X-Security-Token", "tok"),
    ];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &h,
        body: b"",
    };
    assert_eq!(
        canonical_request(&req, &signed(&["x-sdk-date", "x-security-token"])),
        Err(SignatureError::HostNotSigned)
    );
    assert_eq!(
        canonical_request(&req, &signed(&["host", "x-security-token"])),
        Err(SignatureError::DateNotSigned)
    );
    assert_eq!(
        canonical_request(&req, &signed(&["host", "x-sdk-date"])),
        Err(SignatureError::SecurityTokenNotSigned)
    );
    assert_eq!(
        canonical_request(
            &req,
            &signed(&["host", "x-project-id", "x-sdk-date", "x-security-token"])
        ),
        Err(SignatureError::MissingSignedHeader("x-project-id".into()))
    );
    assert!(canonical_request(&req, &signed(&["host", "x-sdk-date", "x-security-token"])).is_ok());
    let dup = [
        ("Host", "h"),
        ("host", "evil"),
        ("X-Sdk-Date", "20240101T000000Z"),
    ];
    let req = SignableRequest {
        headers: &dup,
        ..req
    };
    assert_eq!(
        canonical_request(&req, &signed(&["host", "x-sdk-date"])),
        Err(SignatureError::DuplicateSignedHeader("host".into()))
    );
}

#[test]
fn header_values_are_trimmed_not_squeezed() {
    let h = [
        ("Host", "  h  "),
        ("X-Sdk-Date", "20240101T000000Z"),
        ("X-A", " a  b "),
    ];
    let req = SignableRequest {
        method: "GET",
        path: "/",
        query: "",
        headers: &h,
        body: b"",
    };
    let c = canonical_request(&req, &signed(&["host", "x-a", "x-sdk-date"])).unwrap();
    assert!(c.contains("\nhost:h\nx-a:a  b\n"));
}

#[test]
fn parse_authorization_cases() {
    let sig = "a".repeat(64);
    let ok = parse_authorization(&format!(
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host;X-Sdk-Date, Signature={sig}"
    ))
    .unwrap();
    assert_eq!(ok.signed_headers, ["host", "x-sdk-date"]);
    for bad in [
        String::new(),
        "SDK-HMAC-SHA256".into(),
        format!("SDK-HMAC-SHA1 Access=AK, SignedHeaders=host, Signature={sig}"),
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz".into(),
        format!("SDK-HMAC-SHA256 Access=, SignedHeaders=host, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, Signature={sig}"),
        format!("SDK-HMAC-SHA256 Access=AK, Access=AK, SignedHeaders=host, Signature={sig}"),
    ] {
        assert_eq!(
            parse_authorization(&bad),
            Err(SignatureError::MalformedAuthorization),
            "{bad}"
        );
    }
}

#[test]
fn sdk_dates() {
    let t = parse_sdk_date("20240101T000000Z").unwrap();
    assert_eq!(format_sdk_date(t), "20240101T000000Z");
    for bad in [
        "",
        "2024011T000000Z",
        "20240101T000000",
        "20241301T000000Z",
        "20240101 000000Z",
        "+2024101T000000Z",
    ] {
        assert_eq!(
            parse_sdk_date(bad),
            Err(SignatureError::MalformedDate),
            "{bad}"
        );
    }
}

#[derive(Debug, Clone)]
struct Case {
    method: String,
    path: String,
    query: String,
    header_value: String,
    body: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        "(/[a-zA-Z0-9 %._~-]{1,8}){1,4}",
        "([a-z]{1,4}=[a-zA-Z0-9 +%]{0,6}&){0,3}",
        "[ -~]{1,20}",
        proptest::collection::vec(any::<u8>(), 1..64),
    )
        .prop_map(|(m, path, query, header_value, body)| Case {
            method: m.to_owned(),
            path,
            query: query.trim_end_matches('&').to_owned(),
            header_value,
            body,
        })
}

fn sign_and_check(c: &Case, changed: &Case) -> bool {
    let date = "20240101T000000Z";
    let names = signed(&["host", "x-custom", "x-sdk-date"]);
    let h1 = [
        ("Host", "h:1"),
        ("X-Custom", c.header_value.as_str()),
        ("X-Sdk-Date", date),
    ];
    let req = SignableRequest {
        method: &c.method,
        path: &c.path,
        query: &c.query,
        headers: &h1,
        body: &c.body,
    };
    let auth = sign_request(&req, "AK", SK, &names, date).unwrap();
    let h2 = [
        ("Host", "h:1"),
        ("X-Custom", changed.header_value.as_str()),
        ("X-Sdk-Date", date),
        ("Authorization", auth.as_str()),
    ];
    let req2 = SignableRequest {
        method: &changed.method,
        path: &changed.path,
        query: &changed.query,
        headers: &h2,
        body: &changed.body,
    };
    let p = prepare_verification(&req2).unwrap();
    verify(SK, &p.string_to_sign, &p.authorization.signature)
}

proptest! {
    #[test]
    fn sign_then_verify_round_trips(c in case()) {
        prop_assert!(sign_and_check(&c, &c));
    }

    #[test]
    fn any_change_breaks_the_signature(c in case(), which in 0usize..5, extra in "[a-z]{1,3}") {
        let mut d = c.clone();
        match which {
            0 => d.method = if c.method == "GET" { "POST".into() } else { "GET".into() },
            1 => d.path = format!("{}/{extra}", c.path),
            2 => d.query = if c.query.is_empty() { format!("{extra}=1") } else { format!("{}&{extra}=1", c.query) },
            3 => d.header_value = format!("{}{extra}", c.header_value),
            _ => d.body.extend_from_slice(extra.as_bytes()),
        }
        prop_assert!(!sign_and_check(&c, &d));
    }

    #[test]
    fn parsers_never_panic(s in ".{0,200}") {
        let _ = parse_authorization(&s);
        let _ = parse_authorization(&format!("SDK-HMAC-SHA256 {s}"));
        let _ = parse_sdk_date(&s);
        let _ = canonical_uri(&s);
        let _ = canonical_query(&s);
        let h = [("Host", s.as_str()), ("X-Sdk-Date", s.as_str()), ("Authorization", s.as_str())];
        let req = SignableRequest { method: &s, path: &s, query: &s, headers: &h, body: s.as_bytes() };
        let _ = prepare_verification(&req);
    }
}
