//! Session policies (the `policy` of iam-svc's `POST /v3.0/OS-CREDENTIAL/securitytokens`),
//! checked as iam-svc checks them at issue, against every service's actions. Properties:
//! no panic; an accepted policy written out (as it is sealed into the token) is accepted
//! again as the same policy and answers every known action the same; a refusal never
//! quotes a string of the document.
#![no_main]

use credential_core::session_policy::SessionPolicy;
use libfuzzer_sys::fuzz_target;
use service_kit::policy::ACTIONS;

fuzz_target!(|data: &[u8]| {
    let Ok(document) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    match SessionPolicy::parse(&document, ACTIONS) {
        Ok(policy) => {
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
        }
        Err(e) => {
            let message = e.to_string();
            let mut strings = Vec::new();
            collect_strings(&document, &mut strings);
            for s in strings.iter().filter(|s| s.len() >= 6) {
                assert!(!message.contains(s.as_str()), "the refusal quotes {s:?}: {message}");
            }
        }
    }
});

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            collect_strings(x, out);
        }),
        _ => {}
    }
}
