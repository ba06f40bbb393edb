//! The `scope` parameters of a registry token request, one value a line (the parameter
//! may repeat): no panic; an accepted list has at most `MAX_SCOPES` distinct resources
//! with non-empty type and name and no empty or repeated action; and rendering it as
//! `type:name:actions` values parses back to the same list.
#![no_main]

use libfuzzer_sys::fuzz_target;
use service_kit::registry::parse_scopes;
use service_kit::registry::scope::MAX_SCOPES;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let values: Vec<String> = text.split('\n').map(str::to_string).collect();
    let Ok(scopes) = parse_scopes(&values) else {
        return;
    };
    assert!(scopes.len() <= MAX_SCOPES);
    for (i, s) in scopes.iter().enumerate() {
        assert!(!s.kind.is_empty() && !s.name.is_empty(), "{s:?}");
        assert!(!s.kind.contains(':'), "{s:?}");
        assert!(s
            .actions
            .iter()
            .all(|a| !a.is_empty() && !a.contains(',') && !a.contains(':')));
        for (j, a) in s.actions.iter().enumerate() {
            assert!(!s.actions[..j].contains(a), "{s:?}");
        }
        assert!(
            !scopes[..i]
                .iter()
                .any(|o| o.kind == s.kind && o.name == s.name),
            "{scopes:?}"
        );
    }
    let rendered: Vec<String> = scopes
        .iter()
        .map(|s| format!("{}:{}:{}", s.kind, s.name, s.actions.join(",")))
        .collect();
    assert_eq!(parse_scopes(&[rendered.join(" ")]).as_ref(), Ok(&scopes));
});
