//! Names of the resources a caller creates in the services: IAM users, groups and
//! projects, and the SWR, TCR and LakeFormation instances, each by its vendor's rule.
//! Each rule is quoted in [`NameError::Rule`], so a service can answer with it.

use super::NameError;

/// The rule of [`validate_iam_name`].
pub const IAM_NAME_RULE: &str =
    "1 to 64 letters, digits, spaces, '-', '_' or '.', not starting or ending with a space";
/// The rule of [`validate_swr_instance_name`].
pub const SWR_INSTANCE_NAME_RULE: &str =
    "3 to 48 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-', without '--'";
/// The rule of [`validate_tcr_instance_name`].
pub const TCR_INSTANCE_NAME_RULE: &str =
    "5 to 50 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-', without '--'";
/// The rule of [`validate_lakeformation_instance_name`].
pub const LAKEFORMATION_INSTANCE_NAME_RULE: &str = "4 to 32 letters, digits, '_' or '-'";

/// An IAM user, group or project name: 1 to 64 characters of ASCII letters, digits,
/// space, `-`, `_` and `.`, not starting or ending with a space.
///
/// ```
/// use credential_core::names::{validate_iam_name, NameError, IAM_NAME_RULE};
///
/// assert_eq!(validate_iam_name("build robot.v2"), Ok(()));
/// assert_eq!(validate_iam_name(" lead"), Err(NameError::Rule(IAM_NAME_RULE)));
/// ```
pub fn validate_iam_name(name: &str) -> Result<(), NameError> {
    let ok = (1..=64).contains(&name.len())
        && name.trim() == name
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'.'));
    rule(ok, IAM_NAME_RULE)
}

/// An SWR instance name: 3 to 48 characters of `a-z`, `0-9` and `-`, starting with a
/// letter, not ending with `-`, without `--`.
///
/// ```
/// use credential_core::names::{validate_swr_instance_name, NameError, SWR_INSTANCE_NAME_RULE};
///
/// assert_eq!(validate_swr_instance_name("my-registry-1"), Ok(()));
/// assert_eq!(validate_swr_instance_name("a--b"), Err(NameError::Rule(SWR_INSTANCE_NAME_RULE)));
/// ```
pub fn validate_swr_instance_name(name: &str) -> Result<(), NameError> {
    rule(dns_like(name, 3, 48), SWR_INSTANCE_NAME_RULE)
}

/// A TCR instance (registry) name: 5 to 50 characters of `a-z`, `0-9` and `-`, starting
/// with a letter, not ending with `-`, without `--`.
///
/// ```
/// use credential_core::names::{validate_tcr_instance_name, NameError, TCR_INSTANCE_NAME_RULE};
///
/// assert_eq!(validate_tcr_instance_name("team-registry"), Ok(()));
/// assert_eq!(validate_tcr_instance_name("tiny"), Err(NameError::Rule(TCR_INSTANCE_NAME_RULE)));
/// ```
pub fn validate_tcr_instance_name(name: &str) -> Result<(), NameError> {
    rule(dns_like(name, 5, 50), TCR_INSTANCE_NAME_RULE)
}

/// A LakeFormation instance name: `^[A-Za-z0-9_-]{4,32}$`.
///
/// ```
/// use credential_core::names::{validate_lakeformation_instance_name, NameError};
///
/// assert_eq!(validate_lakeformation_instance_name("Lake_1"), Ok(()));
/// assert!(matches!(validate_lakeformation_instance_name("la ke"), Err(NameError::Rule(_))));
/// ```
pub fn validate_lakeformation_instance_name(name: &str) -> Result<(), NameError> {
    let ok = (4..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    rule(ok, LAKEFORMATION_INSTANCE_NAME_RULE)
}

/// `min` to `max` bytes of `[a-z0-9-]`, starting with a letter, not ending with `-`,
/// without `--`: a DNS label's shape, which both registries' vendors chose.
fn dns_like(name: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn rule(ok: bool, rule: &'static str) -> Result<(), NameError> {
    if ok {
        Ok(())
    } else {
        Err(NameError::Rule(rule))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn iam_names() {
        for ok in ["a", "alice.b-c_d 1", "A B", &"x".repeat(64)] {
            assert_eq!(validate_iam_name(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "",
            " lead",
            "trail ",
            "sl/ash",
            "ünï",
            "tab\t",
            &"a".repeat(65),
        ] {
            assert_eq!(
                validate_iam_name(bad),
                Err(NameError::Rule(IAM_NAME_RULE)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn registry_instance_names() {
        for ok in ["abc", "my-registry-1", &format!("a{}", "b".repeat(47))] {
            assert_eq!(validate_swr_instance_name(ok), Ok(()), "{ok}");
        }
        for bad in ["ab", "1abc", "abc-", "a--b", "ABC", "a_b", &"a".repeat(49)] {
            assert!(validate_swr_instance_name(bad).is_err(), "{bad}");
        }
        assert_eq!(validate_tcr_instance_name("abcde"), Ok(()));
        for bad in ["abcd", "-abcde", "abcde-", "ab--cd", &"a".repeat(51)] {
            assert!(validate_tcr_instance_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lakeformation_instance_names() {
        for ok in ["lake", "Lake_1-x", &"Z".repeat(32)] {
            assert_eq!(validate_lakeformation_instance_name(ok), Ok(()), "{ok}");
        }
        for bad in ["abc", "la ke", "lake.1", "läke", &"a".repeat(33)] {
            assert!(validate_lakeformation_instance_name(bad).is_err(), "{bad}");
        }
    }

    /// A DNS-like name by another route: non-empty runs of `[a-z0-9]` joined by single
    /// dashes, the first run starting with a letter.
    fn dns_like_model(name: &str, min: usize, max: usize) -> bool {
        (min..=max).contains(&name.chars().count())
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name.split('-').all(|run| {
                !run.is_empty()
                    && run
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    }

    proptest! {
        #[test]
        fn iam_names_agree_with_their_definition(name in "[a-zA-Z0-9 ._/é-]{0,70}") {
            let expected = (1..=64).contains(&name.chars().count())
                && !name.starts_with(' ')
                && !name.ends_with(' ')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || " -_.".contains(c));
            prop_assert_eq!(validate_iam_name(&name).is_ok(), expected);
        }

        #[test]
        fn instance_names_agree_with_a_model(name in "[a-z0-9A_-]{0,55}") {
            prop_assert_eq!(validate_swr_instance_name(&name).is_ok(), dns_like_model(&name, 3, 48));
            prop_assert_eq!(validate_tcr_instance_name(&name).is_ok(), dns_like_model(&name, 5, 50));
            let lf = (4..=32).contains(&name.len());
            prop_assert_eq!(validate_lakeformation_instance_name(&name).is_ok(), lf);
        }

        #[test]
        fn any_string_is_judged_without_panic(name in any::<String>()) {
            let _ = (
                validate_iam_name(&name),
                validate_swr_instance_name(&name),
                validate_tcr_instance_name(&name),
                validate_lakeformation_instance_name(&name),
            );
        }
    }
}
