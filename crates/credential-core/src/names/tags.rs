//! Huawei Cloud's resource tag rule (SWR's `resource_tags`, LakeFormation's `tags`):
//! one rule for every service that stores tags.

/// Most tags one resource may carry.
pub const HUAWEI_TAGS_MAX: usize = 20;

/// The rule [`huawei_tag_key_ok`] and [`huawei_tag_value_ok`] apply, in words.
pub const HUAWEI_TAG_RULE: &str = "a tag key is 1 to 128 letters, digits, spaces and _.:/=+-@, \
     neither starting nor ending with a space nor starting with _sys_; a value is at most \
     255 of the same";

/// The characters of keys and values.
fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, ' ' | '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@')
}

/// Whether `key` is a tag key by the vendor's rule (`_sys_` keys are the system's).
///
/// ```
/// use credential_core::names::huawei_tag_key_ok;
/// assert!(huawei_tag_key_ok("team"));
/// assert!(!huawei_tag_key_ok(" team"));
/// assert!(!huawei_tag_key_ok("_sys_owner"));
/// ```
pub fn huawei_tag_key_ok(key: &str) -> bool {
    (1..=128).contains(&key.chars().count())
        && key.chars().all(tag_char)
        && !key.starts_with(' ')
        && !key.ends_with(' ')
        && !key.starts_with("_sys_")
}

/// Whether `value` is a tag value by the vendor's rule (empty is one).
///
/// ```
/// use credential_core::names::huawei_tag_value_ok;
/// assert!(huawei_tag_value_ok(""));
/// assert!(huawei_tag_value_ok("a/b=c"));
/// assert!(!huawei_tag_value_ok("a,b"));
/// ```
pub fn huawei_tag_value_ok(value: &str) -> bool {
    value.chars().count() <= 255 && value.chars().all(tag_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_follow_the_vendor_rule() {
        for key in ["a", "Team 1", "k_.:/=+-@", "ключ", &"k".repeat(128)] {
            assert!(huawei_tag_key_ok(key), "{key}");
        }
        for key in ["", " a", "a ", "_sys_x", "a,b", "a\u{0}", &"k".repeat(129)] {
            assert!(!huawei_tag_key_ok(key), "{key:?}");
        }
        assert!(huawei_tag_value_ok(&"v".repeat(255)));
        assert!(huawei_tag_value_ok(" spaced "));
        for value in ["a,b", "a\nb", &"v".repeat(256)] {
            assert!(!huawei_tag_value_ok(value), "{value:?}");
        }
    }
}
