use proptest::prelude::*;

use super::*;

const SECRET: &[u8] = b"EXAMPLEsecretKey1234567890";

/// The reference's request (tencentcloud-sdk-python, time fixed at 1700000000, Nonce
/// 1234567890), as the form the SDK sends.
fn reference_form(method: V1Method) -> String {
    format!(
        "RegistryId=tcr-abc123&TokenType=temp&Action=CreateInstanceToken\
         &RequestClient=SDK_PYTHON_3.1.189&Nonce=1234567890&Timestamp=1700000000\
         &Version=2019-09-24&Region=ap-guangzhou&SecretId=AKIDEXAMPLE1234567890\
         &SignatureMethod={}&Language=zh-CN",
        method.as_str()
    )
}

#[test]
fn the_reference_vectors() {
    let params = parse_form(&reference_form(V1Method::HmacSha256)).unwrap();
    let sts = string_to_sign("POST", "127.0.0.1:18084", "/", &params);
    assert_eq!(
        sts,
        "POST127.0.0.1:18084/?Action=CreateInstanceToken&Language=zh-CN&Nonce=1234567890\
         &Region=ap-guangzhou&RegistryId=tcr-abc123&RequestClient=SDK_PYTHON_3.1.189\
         &SecretId=AKIDEXAMPLE1234567890&SignatureMethod=HmacSHA256&Timestamp=1700000000\
         &TokenType=temp&Version=2019-09-24"
    );
    let signature = "rzVnfrZVdx8ugLfjDo7RAWrBbIIwRux1wt6Kq/GjwQY=";
    assert_eq!(sign(SECRET, V1Method::HmacSha256, &sts), signature);
    assert!(verify(SECRET, V1Method::HmacSha256, &sts, signature));

    let params = parse_form(&reference_form(V1Method::HmacSha1)).unwrap();
    let sts = string_to_sign("GET", "127.0.0.1:18084", "/", &params);
    assert!(verify(
        SECRET,
        V1Method::HmacSha1,
        &sts,
        "ytb4eZaFgcj7dvhMtwApsZfvXLA="
    ));
}

#[test]
fn every_part_of_the_request_is_signed() {
    let mut params = parse_form(&reference_form(V1Method::HmacSha256)).unwrap();
    let sts = string_to_sign("POST", "127.0.0.1:18084", "/", &params);
    let signature = sign(SECRET, V1Method::HmacSha256, &sts);
    assert!(!verify(
        SECRET,
        V1Method::HmacSha256,
        &string_to_sign("GET", "127.0.0.1:18084", "/", &params),
        &signature
    ));
    assert!(!verify(
        SECRET,
        V1Method::HmacSha256,
        &string_to_sign("POST", "127.0.0.1:9999", "/", &params),
        &signature
    ));
    params[1].1 = "longterm".into();
    assert!(!verify(
        SECRET,
        V1Method::HmacSha256,
        &string_to_sign("POST", "127.0.0.1:18084", "/", &params),
        &signature
    ));
    // The signature itself is never part of what it signs.
    params.push((SIGNATURE.into(), signature.clone()));
    params[1].1 = "temp".into();
    assert_eq!(string_to_sign("POST", "127.0.0.1:18084", "/", &params), sts);
    assert!(!verify(SECRET, V1Method::HmacSha256, &sts, &signature[1..]));
    assert!(!verify(SECRET, V1Method::HmacSha256, &sts, ""));
}

#[test]
fn forms_decode_as_browsers_encode_them() {
    assert_eq!(
        parse_form("a=1&&b=x+y%2Bz&c&d=").unwrap(),
        [
            ("a".into(), "1".into()),
            ("b".into(), "x y+z".into()),
            ("c".into(), String::new()),
            ("d".into(), String::new())
        ]
    );
    assert_eq!(parse_form("").unwrap(), []);
    assert_eq!(parse_form("=1"), Err(FormError::EmptyName));
    assert_eq!(parse_form("a=1&a=1"), Err(FormError::Duplicate("a".into())));
    assert!(matches!(parse_form("a=%FF"), Err(FormError::NotText(n)) if n == "a"));
    assert!(matches!(parse_form("%FF=1"), Err(FormError::NotText(_))));
}

#[test]
fn names_are_sorted_after_underscores_become_dots() {
    let params = [
        ("B_c".to_string(), "2".to_string()),
        ("B.a".to_string(), "1".to_string()),
    ];
    assert_eq!(
        string_to_sign("GET", "h", "/", &params),
        "GETh/?B.a=1&B.c=2"
    );
}

proptest! {
    #[test]
    fn parse_form_never_panics_and_round_trips(pairs in proptest::collection::btree_map("[A-Za-z0-9._]{1,12}", ".{0,16}", 0..8)) {
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", crate::sign::percent_encode(k.as_bytes()), crate::sign::percent_encode(v.as_bytes())))
            .collect();
        let parsed = parse_form(&encoded.join("&")).unwrap();
        let want: Vec<(String, String)> = pairs.into_iter().collect();
        prop_assert_eq!(parsed, want);
    }

    #[test]
    fn arbitrary_text_is_a_form_or_a_clear_error(s in ".{0,64}") {
        let _ = parse_form(&s);
    }
}
