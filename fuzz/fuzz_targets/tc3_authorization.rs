//! The `TC3-HMAC-SHA256` `Authorization` header and its credential scope, as any client may
//! send them: no panic; what parses renders back to a header that parses the same; and a
//! scope accepted for a timestamp names that timestamp's UTC date.
#![no_main]

use credential_core::sign::tencent::{date_of_timestamp, parse_authorization};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Eight bytes of timestamp, then the header.
    let (stamp, header) = data.split_at(data.len().min(8));
    let mut bytes = [0u8; 8];
    bytes[..stamp.len()].copy_from_slice(stamp);
    let timestamp = i64::from_le_bytes(bytes);
    let _ = date_of_timestamp(timestamp);
    let Ok(text) = std::str::from_utf8(header) else {
        return;
    };
    let Ok(auth) = parse_authorization(text) else {
        return;
    };
    let rendered = format!(
        "TC3-HMAC-SHA256 Credential={}/{}/{}/tc3_request, SignedHeaders={}, Signature={}",
        auth.secret_id,
        auth.date,
        auth.service,
        auth.signed_headers.join(";"),
        auth.signature
    );
    assert_eq!(
        parse_authorization(&rendered).as_ref(),
        Ok(&auth),
        "{rendered:?}"
    );
    for stamp in [timestamp, timestamp / 1000, timestamp % 4_102_444_800] {
        if auth.check_scope(stamp, &auth.service).is_ok() {
            assert_eq!(
                date_of_timestamp(stamp).as_deref(),
                Some(auth.date.as_str())
            );
        }
    }
});
