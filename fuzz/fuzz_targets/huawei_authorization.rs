//! The `SDK-HMAC-SHA256` `Authorization` header and the `X-Sdk-Date` header, as any client
//! may send them: no panic, and what parses renders back to a header that parses the same.
#![no_main]

use credential_core::sign::huawei::{format_sdk_date, parse_authorization, parse_sdk_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(auth) = parse_authorization(text) {
        assert_eq!(auth.signature.len(), 64);
        let rendered = format!(
            "SDK-HMAC-SHA256 Access={}, SignedHeaders={}, Signature={}",
            auth.access,
            auth.signed_headers.join(";"),
            auth.signature
        );
        assert_eq!(
            parse_authorization(&rendered).as_ref(),
            Ok(&auth),
            "{rendered:?}"
        );
    }
    if let Ok(date) = parse_sdk_date(text) {
        // Only the exact 16-character shape is a date, and it is the date it names.
        assert_eq!(format_sdk_date(date), text);
    }
});
