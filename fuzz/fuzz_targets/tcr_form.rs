//! tcr-svc's form-encoded parameters: a TC3 GET's query and a v1 request's body or query
//! (`credential_core::sign::tencent_v1::parse_form`), folded into an action's parameters
//! (`Params::from_form`), and the v1 string to sign built from them.
//!
//! Input: the text of a form. Properties: no panic; a form that parses encodes back to
//! the same pairs; the string to sign never holds `Signature=`'s value unless another
//! parameter carries it; the typed readers accept the folded parameters or refuse them
//! with an error, never a panic.
#![no_main]

use credential_core::sign::percent_encode;
use credential_core::sign::tencent_v1::{parse_form, string_to_sign};
use libfuzzer_sys::fuzz_target;
use tcr_svc::params::{paging, Params};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(pairs) = parse_form(text) else {
        return;
    };
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                percent_encode(k.as_bytes()),
                percent_encode(v.as_bytes())
            )
        })
        .collect();
    assert_eq!(parse_form(&encoded.join("&")).ok().as_ref(), Some(&pairs));
    let sts = string_to_sign("POST", "127.0.0.1:8084", "/", &pairs);
    assert!(sts.starts_with("POST127.0.0.1:8084/?"));
    assert!(!sts.contains("&Signature=") && !sts.contains("?Signature="));
    let Ok(mut p) = Params::from_form(pairs) else {
        return;
    };
    let _ = paging(&mut p, 20, 100);
    let _ = p.optional_bool("AllRegion");
    let _ = p.optional_str_list("Registryids");
    let _ = p.optional_raw("Filters");
    let _ = p.optional_text("Desc");
    let _ = p.finish();
});
