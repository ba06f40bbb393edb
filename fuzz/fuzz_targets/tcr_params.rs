//! tcr-svc's action parameters: the body of `POST /` (`Params::parse`) and the readers the
//! actions take their inputs with (namespace name and settings, tag filters, paging,
//! service account create, modify and listing, permissions, expiry, login names).
//!
//! Input: the first byte picks a reader, the rest is the body. Properties: no panic; a
//! body is accepted exactly when it is blank or a JSON object; what the settings store
//! is JSON; permissions stored read back the same; a name accepted carries its prefix.
#![no_main]

use chrono::{DateTime, NaiveDateTime};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use service_kit::auth::Principal;
use tcr_svc::actions::namespace_input::{name, settings, tag_filters};
use tcr_svc::actions::service_account_input::{changes, new_account, Listing};
use tcr_svc::params::{paging, Params};
use tcr_svc::service_accounts::{expiry, name as account_name, permissions};

fn now() -> NaiveDateTime {
    DateTime::from_timestamp(1_800_000_000, 0)
        .unwrap_or_default()
        .naive_utc()
}

fn caller() -> Principal {
    Principal {
        user_id: "u-fuzz".into(),
        user_name: "fuzz".into(),
        domain_id: "d-fuzz".into(),
        domain_name: "fuzz".into(),
        project: None,
        roles: vec!["admin".into()],
        access_key: None,
        temporary: None,
        token: None,
    }
}

fn stored_json(text: &Option<String>) {
    if let Some(t) = text {
        assert!(serde_json::from_str::<Value>(t).is_ok(), "stored {t:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let parsed = Params::parse(body);
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let object = matches!(serde_json::from_slice::<Value>(body), Ok(Value::Object(_)));
    assert_eq!(parsed.is_ok(), blank || object);
    let Ok(mut p) = parsed else {
        return;
    };
    match which % 10 {
        0 => {
            if let Ok(n) = name(&mut p) {
                assert!(tcr_svc::actions::namespace_input::valid_name(&n));
            }
        }
        1 | 2 => {
            if let Ok(s) = settings(&mut p, which % 10 == 1) {
                stored_json(&s.cve_whitelist);
                stored_json(&s.tags);
            }
        }
        3 => {
            if let Some(raw) = p.optional_raw("Filters") {
                let _ = tag_filters(raw);
            }
        }
        4 => {
            if let Ok((offset, limit)) = paging(&mut p, 20, 1000) {
                assert!(offset >= 0 && (1..=1000).contains(&limit));
            }
        }
        5 => {
            if let Ok((secret, account)) = new_account(&caller(), &mut p, now()) {
                assert!(account.row.name.starts_with(account_name::PREFIX));
                assert!(!secret.expose().is_empty());
                assert_eq!(
                    permissions::from_stored(&account.row.permissions).as_ref(),
                    Some(&account.permissions)
                );
            }
        }
        6 => {
            let _ = Listing::parse(&mut p);
        }
        7 => {
            let _ = changes(&mut p, now());
        }
        8 => {
            if let Some(raw) = p.optional_raw("Permissions") {
                if let Ok(list) = permissions::parse(raw) {
                    let stored = permissions::to_stored(&list);
                    assert_eq!(permissions::from_stored(&stored), Some(list));
                }
            }
        }
        _ => {
            let days = p.optional_i64("Duration").ok().flatten();
            let at = p.optional_i64("ExpiresAt").ok().flatten();
            let _ = expiry::parse(days, at, now());
            if let Ok(Some(given)) = p.optional_str("Name") {
                if let Ok(login) = account_name::login_name(&given) {
                    assert!(account_name::is_login_name(&login));
                    assert_eq!(account_name::login_name(&login).ok(), Some(login));
                }
            }
        }
    }
    let _ = p.finish();
});
