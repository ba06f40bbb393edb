//! Tencent TC3-HMAC-SHA256: the SDK's vectors, parser rules and property tests.

use super::*;
use proptest::prelude::*;

const SK: &[u8] = b"EXAMPLEsecretKey1234567890";
const SIGNED: [&str; 2] = ["content-type", "host"];

fn names() -> Vec<String> {
    SIGNED.iter().map(|s| s.to_string()).collect()
}

#[test]
fn post_vector() {
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", "127.0.0.1:18084"),
    ];
    let body = br#"{"RegistryId": "tcr-abc123", "TokenType": "temp"}"#;
    assert_eq!(body.len(), 49);
    let canonical = canonical_request("POST", "", &headers, &names(), body, false).unwrap();
    assert_eq!(
        canonical,
        "POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1:18084\n\ncontent-type;host\n\
         98434e5dfb70b96b51ebd6c7ea4003bad4864f7d6014e2e04d9efb7118e8b375"
    );
    let date = date_of_timestamp(1_700_000_000).unwrap();
    assert_eq!(date, "2023-11-14");
    let sts = string_to_sign("1700000000", &date, "tcr", &canonical);
    assert_eq!(
        sts,
        "TC3-HMAC-SHA256\n1700000000\n2023-11-14/tcr/tc3_request\n\
         59a7ba4d88fb7c7c16753d4b3f1f231c67a959e26192e9cf7156a9c9cedfaa43"
    );
    assert_eq!(
        hex::encode(signing_key(SK, &date, "tcr")),
        "ddc7adf7dd5801b3d3ef37fe13ec051146b82d6cea091a5ae22189cca4967cb5"
    );
    let sig = "1fb0b2f02dbdc205b81b013a35638ac8189f20e03f3016ab20738c5611e84ab5";
    assert_eq!(sign(SK, &date, "tcr", &sts), sig);
    assert!(verify(SK, &date, "tcr", &sts, sig));
    assert!(!verify(SK, "2023-11-15", "tcr", &sts, sig));

    let expected_auth = format!(
        "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE1234567890/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
    );
    let req = Tc3Request {
        method: "POST",
        query: "",
        headers: &headers,
        body,
        unsigned_payload: false,
    };
    let auth = sign_request(
        &req,
        "AKIDEXAMPLE1234567890",
        SK,
        "tcr",
        1_700_000_000,
        &names(),
    )
    .unwrap();
    assert_eq!(auth, expected_auth);
    let parsed = parse_authorization(&expected_auth).unwrap();
    assert_eq!(parsed.secret_id, "AKIDEXAMPLE1234567890");
    assert_eq!(parsed.signed_headers, names());
    assert_eq!(parsed.signature, sig);
    assert_eq!(parsed.check_scope(1_700_000_000, "tcr"), Ok(()));
    assert_eq!(
        parsed.check_scope(1_700_000_000 + 86_400, "tcr"),
        Err(SignatureError::ScopeMismatch)
    );
    assert_eq!(
        parsed.check_scope(1_700_000_000, "cvm"),
        Err(SignatureError::ScopeMismatch)
    );
}

#[test]
fn get_vector() {
    let headers = [
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Host", "127.0.0.1:18084"),
    ];
    let canonical = canonical_request(
        "GET",
        "RegistryId=tcr-abc123&TokenType=temp",
        &headers,
        &names(),
        b"",
        false,
    )
    .unwrap();
    assert!(
        canonical.ends_with("\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert!(canonical.starts_with("GET\n/\nRegistryId=tcr-abc123&TokenType=temp\n"));
    let sts = string_to_sign("1700000000", "2023-11-14", "tcr", &canonical);
    assert_eq!(
        sign(SK, "2023-11-14", "tcr", &sts),
        "f4323d8a783ac3744ba008a7c242f24818b74bafb15a8c1c854136eea4d1b44b"
    );
}

#[test]
fn lowercase_values_variant() {
    let headers = [
        ("Content-Type", "Application/JSON"),
        ("Host", "Example.COM"),
    ];
    let raw = canonical_request("POST", "", &headers, &names(), b"{}", false).unwrap();
    let lower =
        canonical_request_lowercase_values("POST", "", &headers, &names(), b"{}", false).unwrap();
    assert!(raw.contains("content-type:Application/JSON\nhost:Example.COM\n"));
    assert!(lower.contains("content-type:application/json\nhost:example.com\n"));
    // Already lower-case values (what the SDK sends) give the same text either way.
    let headers = [("Content-Type", "application/json"), ("Host", "h")];
    assert_eq!(
        canonical_request("POST", "", &headers, &names(), b"{}", false).unwrap(),
        canonical_request_lowercase_values("POST", "", &headers, &names(), b"{}", false).unwrap()
    );
}

#[test]
fn unsigned_payload_and_missing_headers() {
    let headers = [("Content-Type", "application/json"), ("Host", "h")];
    let c = canonical_request("POST", "", &headers, &names(), b"{}", true).unwrap();
    assert!(c.ends_with(&crate::digest::sha256_hex(b"UNSIGNED-PAYLOAD")));
    let only_host = [("Host", "h")];
    assert_eq!(
        canonical_request("POST", "", &only_host, &names(), b"", false),
        Err(SignatureError::MissingSignedHeader("content-type".into()))
    );
}

#[test]
fn parse_authorization_cases() {
    let sig = "b".repeat(64);
    let ok = format!("TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature={sig}");
    assert_eq!(parse_authorization(&ok).unwrap().signed_headers.len(), 3);
    assert_eq!(
        parse_authorization(&format!("TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request, SignedHeaders=host, Signature={sig}")),
        Err(SignatureError::ContentTypeNotSigned)
    );
    assert_eq!(
        parse_authorization(&format!("TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request, SignedHeaders=content-type, Signature={sig}")),
        Err(SignatureError::HostNotSigned)
    );
    for bad in [
        format!("TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc4_request, SignedHeaders=content-type;host, Signature={sig}"),
        format!("TC3-HMAC-SHA256 Credential=A/20231114/tcr/tc3_request, SignedHeaders=content-type;host, Signature={sig}"),
        format!("TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request/x, SignedHeaders=content-type;host, Signature={sig}"),
        format!("TC3-HMAC-SHA256 Credential=/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature={sig}"),
        "TC3-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature=zz".into(),
        format!("SDK-HMAC-SHA256 Credential=A/2023-11-14/tcr/tc3_request, SignedHeaders=content-type;host, Signature={sig}"),
        String::new(),
    ] {
        assert_eq!(parse_authorization(&bad), Err(SignatureError::MalformedAuthorization), "{bad}");
    }
}

#[test]
fn dates() {
    assert_eq!(date_of_timestamp(0).as_deref(), Some("1970-01-01"));
    assert_eq!(
        date_of_timestamp(1_700_006_399).as_deref(),
        Some("2023-11-14")
    );
    assert_eq!(
        date_of_timestamp(1_700_006_400).as_deref(),
        Some("2023-11-15")
    );
    assert_eq!(date_of_timestamp(i64::MAX), None);
}

/// Found by fuzzing (`fuzz/fuzz_targets/tc3_request.rs`): a timestamp in milliseconds
/// (year 58892) was signed with the scope date `+58892-01-17`, which
/// `parse_authorization` refuses, so the signer wrote headers no verifier reads.
#[test]
fn a_timestamp_outside_four_digit_years_is_neither_signed_nor_in_scope() {
    let ts = 1_796_286_282_682;
    assert_eq!(date_of_timestamp(ts), None);
    assert_eq!(date_of_timestamp(-62_167_219_201), None, "the year -1");
    assert_eq!(
        date_of_timestamp(-62_167_219_200).as_deref(),
        Some("0000-01-01")
    );
    assert_eq!(
        date_of_timestamp(253_402_300_799).as_deref(),
        Some("9999-12-31")
    );
    let headers = [
        ("Content-Type", "application/json"),
        ("Host", "tcr.example"),
    ];
    let req = Tc3Request {
        method: "POST",
        query: "",
        headers: &headers,
        body: b"{}",
        unsigned_payload: false,
    };
    let names = ["content-type".to_string(), "host".to_string()];
    assert_eq!(
        sign_request(&req, "AKID1", b"secret", "tcr", ts, &names),
        Err(SignatureError::MalformedDate)
    );
    let sig = "a".repeat(64);
    let auth = parse_authorization(&format!(
        "TC3-HMAC-SHA256 Credential=AKID1/9999-12-31/tcr/tc3_request, SignedHeaders=content-type;host, Signature={sig}"
    ))
    .unwrap();
    assert_eq!(
        auth.check_scope(ts, "tcr"),
        Err(SignatureError::ScopeMismatch)
    );
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    query: String,
    host: String,
    body: Vec<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(vec!["GET", "POST"]),
        "([A-Za-z]{1,6}=[a-zA-Z0-9+%]{0,6}&){0,3}",
        "[a-z0-9.:-]{1,20}",
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(method, q, host, body)| Case {
            method,
            query: q.trim_end_matches('&').to_owned(),
            host,
            body: if method == "GET" { Vec::new() } else { body },
        })
}

/// Signs `c` as a client, verifies `d` as a server (trying raw and lower-cased values).
fn sign_and_check(c: &Case, d: &Case) -> bool {
    let ts = 1_700_000_000;
    let ct = |m: &str| {
        if m == "GET" {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }
    };
    let h1 = [("Content-Type", ct(c.method)), ("Host", c.host.as_str())];
    let req = Tc3Request {
        method: c.method,
        query: &c.query,
        headers: &h1,
        body: &c.body,
        unsigned_payload: false,
    };
    let auth =
        parse_authorization(&sign_request(&req, "AKID", SK, "tcr", ts, &names()).unwrap()).unwrap();
    auth.check_scope(ts, "tcr").unwrap();
    let h2 = [("Content-Type", ct(c.method)), ("Host", d.host.as_str())];
    [canonical_request, canonical_request_lowercase_values]
        .iter()
        .any(|build| {
            let canonical = build(
                d.method,
                &d.query,
                &h2,
                &auth.signed_headers,
                &d.body,
                false,
            )
            .unwrap();
            let sts = string_to_sign(&ts.to_string(), &auth.date, &auth.service, &canonical);
            verify(SK, &auth.date, &auth.service, &sts, &auth.signature)
        })
}

proptest! {
    #[test]
    fn sign_then_verify_round_trips(c in case()) {
        prop_assert!(sign_and_check(&c, &c));
    }

    // The canonical URI is always "/" (TC3 has no path), POST signs no query and GET no body:
    // the service must therefore refuse other paths, and read only what is signed.
    #[test]
    fn any_signed_change_breaks_the_signature(c in case(), which in 0usize..4, extra in "[a-z]{1,3}") {
        let mut d = c.clone();
        match which {
            0 => d.method = if c.method == "GET" { "POST" } else { "GET" },
            1 => {
                prop_assume!(c.method == "GET");
                d.query = format!("{}{extra}", c.query);
            }
            2 => d.host = format!("{}{extra}", c.host),
            _ => {
                prop_assume!(c.method == "POST");
                d.body.extend_from_slice(extra.as_bytes());
            }
        }
        prop_assert!(!sign_and_check(&c, &d));
    }

    #[test]
    fn parser_never_panics(s in ".{0,200}") {
        let _ = parse_authorization(&s);
        let _ = parse_authorization(&format!("TC3-HMAC-SHA256 {s}"));
        let _ = parse_authorization(&format!("TC3-HMAC-SHA256 Credential={s}, SignedHeaders=content-type;host, Signature={}", "a".repeat(64)));
    }
}

/// The canonical request and string to sign as first written (`format!`), kept as the
/// reference the one-buffer version must match byte for byte.
fn reference_build(
    method: &str,
    query: &str,
    headers: &[(&str, &str)],
    signed_headers: &[String],
    body: &[u8],
    unsigned_payload: bool,
    lowercase_values: bool,
) -> Result<String, SignatureError> {
    use crate::digest::sha256_hex;
    let method = method.to_ascii_uppercase();
    let is_get = method == "GET";
    let query = if is_get { query } else { "" };
    let payload: &[u8] = if unsigned_payload {
        UNSIGNED_PAYLOAD.as_bytes()
    } else if is_get {
        b""
    } else {
        body
    };
    let mut canonical_headers = String::new();
    for name in signed_headers {
        let value = crate::sign::header_value(headers, name)?
            .ok_or_else(|| SignatureError::MissingSignedHeader(name.to_ascii_lowercase()))?
            .trim();
        let value = if lowercase_values {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        canonical_headers.push_str(&format!("{}:{value}\n", name.to_ascii_lowercase()));
    }
    let signed_list = signed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(";");
    Ok(format!(
        "{method}\n/\n{query}\n{canonical_headers}\n{signed_list}\n{}",
        sha256_hex(payload)
    ))
}

proptest! {
    #[test]
    fn canonical_request_matches_the_reference(
        c in case(),
        method in "[a-zA-Z]{1,7}",
        value in "[ -~\u{e0}-\u{ff}]{0,12}",
        unsigned in any::<bool>(),
        extra in proptest::option::of("[A-Za-z-]{1,6}"),
    ) {
        let mut signed = vec!["Content-Type".to_string(), "host".to_string()];
        signed.extend(extra.clone());
        let mut headers = vec![("content-type", value.as_str()), ("Host", c.host.as_str())];
        if let Some(name) = &extra {
            headers.push((name.as_str(), " X "));
        }
        for m in [c.method, method.as_str()] {
            for lower in [false, true] {
                let build = if lower { canonical_request_lowercase_values } else { canonical_request };
                prop_assert_eq!(
                    build(m, &c.query, &headers, &signed, &c.body, unsigned),
                    reference_build(m, &c.query, &headers, &signed, &c.body, unsigned, lower)
                );
            }
        }
        let ts = value.len().to_string();
        prop_assert_eq!(
            string_to_sign(&ts, &c.query, &c.host, &value),
            format!("{TC3_HMAC_SHA256}\n{ts}\n{}/{}/{TC3_REQUEST}\n{}", c.query, c.host, crate::digest::sha256_hex(value.as_bytes()))
        );
    }

    #[test]
    fn dates_of_timestamps_read_as_chrono_writes_them(ts in any::<i64>(), near in -10_000_000_000i64..300_000_000_000) {
        for t in [ts, near, ts / 1_000] {
            prop_assert_eq!(
                date_of_timestamp(t),
                DateTime::from_timestamp(t, 0)
                    .filter(|d| (0..=9999).contains(&d.year()))
                    .map(|d| d.format("%Y-%m-%d").to_string())
            );
        }
    }
}
