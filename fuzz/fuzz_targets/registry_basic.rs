//! The HTTP Basic `Authorization` header of a registry login (`GET /service/token`): no
//! panic; what parses has a non-empty username without `:` and a non-empty password, and
//! encoding them again gives the same credentials.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use service_kit::registry::basic::parse_header;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(creds) = parse_header(text) else {
        return;
    };
    let (user, password) = (creds.username.as_str(), creds.password.expose());
    assert!(!user.is_empty() && !user.contains(':') && !password.is_empty());
    let again = parse_header(&format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{password}"))
    ));
    match again {
        Some(c) => assert!(c.username == user && c.password.expose() == password),
        None => panic!("re-encoded credentials do not parse"),
    }
});
