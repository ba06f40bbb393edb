//! Session policies (the `policy` of iam-svc's `POST /v3.0/OS-CREDENTIAL/securitytokens`),
//! checked as iam-svc checks them at issue, against every service's actions. Properties:
//! no panic; an accepted policy written out (as it is sealed into the token) is accepted
//! again as the same policy and answers every known action the same.
#![no_main]

use credential_core::session_policy::SessionPolicy;
use libfuzzer_sys::fuzz_target;
use service_kit::policy::ACTIONS;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    // A refusal's message is the language's own words and positions only (tested in
    // credential-core); what matters here is that no input panics.
    let Ok(policy) = SessionPolicy::parse(&document, ACTIONS) else {
        return;
    };
    let sealed = match serde_json::to_value(&policy) {
        Ok(v) => v,
        Err(e) => panic!("an accepted policy does not serialise: {e}"),
    };
    let again = match SessionPolicy::parse(&sealed, ACTIONS) {
        Ok(p) => p,
        Err(e) => panic!("a policy written out is refused: {e}"),
    };
    assert_eq!(again, policy);
    for action in ACTIONS {
        assert_eq!(again.allows(action), policy.allows(action), "{action}");
    }
});
