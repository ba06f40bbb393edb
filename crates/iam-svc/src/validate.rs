//! Names, descriptions and passwords in request bodies, refused in iam-svc's words. The
//! name and description rules are `credential_core::names`'; the password policy is
//! iam-svc's own. Each rule's schema for the OpenAPI document is here beside it (a test
//! holds the two to the same answers), so a generated request can aim at either side.

use credential_core::names::{validate_iam_description, validate_iam_name, IAM_NAME_RULE};
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

use crate::error::IamError;

/// [`resource_name`] as a regular expression (ECMA-262, for the OpenAPI document).
pub const NAME_PATTERN: &str = r"^[A-Za-z0-9_.-](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_.-])?$";

/// [`description`] as a regular expression: no `@#%&<>\$^*`, no control character.
pub const DESCRIPTION_PATTERN: &str = r"^[^@#%&<>\\$^*\u0000-\u001F\u007F-\u009F]*$";

/// [`password`]'s "two kinds of character" as a regular expression (searched, not
/// anchored): a character of one kind somewhere before one of another.
pub const PASSWORD_PATTERN: &str = concat!(
    r"[a-z][\s\S]*[A-Z]|[A-Z][\s\S]*[a-z]|[a-z][\s\S]*[0-9]|[0-9][\s\S]*[a-z]|",
    r"[a-z][\s\S]*[^A-Za-z0-9]|[^A-Za-z0-9][\s\S]*[a-z]|[A-Z][\s\S]*[0-9]|[0-9][\s\S]*[A-Z]|",
    r"[A-Z][\s\S]*[^A-Za-z0-9]|[^A-Za-z0-9][\s\S]*[A-Z]|[0-9][\s\S]*[^A-Za-z0-9]|[^A-Za-z0-9][\s\S]*[0-9]"
);

/// The rules as schemas, for `#[schema(schema_with = ...)]`. An optional field's schema
/// allows null, which the bodies read as absent.
pub mod schema {
    use super::*;

    fn text(
        nullable: bool,
        pattern: &str,
        (min, max): (usize, usize),
        description: &str,
    ) -> Object {
        let kind = if nullable {
            SchemaType::from_iter([Type::String, Type::Null])
        } else {
            SchemaType::Type(Type::String)
        };
        ObjectBuilder::new()
            .schema_type(kind)
            .pattern(Some(pattern))
            .min_length(Some(min))
            .max_length(Some(max))
            .description(Some(description))
            .build()
    }

    fn name_of(nullable: bool) -> Object {
        text(
            nullable,
            NAME_PATTERN,
            (1, 64),
            &format!("{IAM_NAME_RULE}."),
        )
    }

    fn description_of(nullable: bool) -> Object {
        let rule = "Up to 255 characters, none of `@#%&<>\\$^*` nor a control character.";
        text(nullable, DESCRIPTION_PATTERN, (0, 255), rule)
    }

    fn password_of(nullable: bool) -> Object {
        let rule = "8 to 128 characters with at least two of lower case, upper case, digits \
                    and other characters.";
        text(nullable, PASSWORD_PATTERN, (8, 128), rule)
    }

    pub fn name() -> Object {
        name_of(false)
    }

    pub fn optional_name() -> Object {
        name_of(true)
    }

    pub fn optional_description() -> Object {
        description_of(true)
    }

    pub fn password() -> Object {
        password_of(false)
    }

    pub fn optional_password() -> Object {
        password_of(true)
    }
}

/// Users, groups and projects: `credential_core::names::validate_iam_name`.
pub fn resource_name(kind: &str, name: &str) -> Result<(), IamError> {
    validate_iam_name(name)
        .map_err(|_| IamError::BadRequest(format!("Invalid {kind} name: use {IAM_NAME_RULE}.")))
}

/// Descriptions: `credential_core::names::validate_iam_description` (Huawei's rule).
pub fn description(text: &str) -> Result<(), IamError> {
    if validate_iam_description(text).is_err() {
        return Err(IamError::BadRequest(
            "Invalid description: up to 255 characters, without @#%&<>\\$^* or control characters."
                .into(),
        ));
    }
    Ok(())
}

/// Passwords: 8..=128 characters with at least two of lower case, upper case, digits and
/// other characters.
pub fn password(pw: &str) -> Result<(), IamError> {
    let len = pw.chars().count();
    let classes = [
        pw.chars().any(|c| c.is_ascii_lowercase()),
        pw.chars().any(|c| c.is_ascii_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if !(8..=128).contains(&len) || classes < 2 {
        return Err(IamError::BadRequest(
            "Invalid password: 8 to 128 characters with at least two of lower case, upper case, digits and symbols.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(resource_name("user", "alice.b-c_d 1").is_ok());
        for bad in ["", " lead", "trail ", "sl/ash", "ünï", &"a".repeat(65)] {
            assert!(resource_name("user", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn descriptions() {
        assert!(description("plain text, fine.").is_ok());
        assert!(description("a<b").is_err());
        assert!(description(&"x".repeat(256)).is_err());
    }

    /// A text schema, its pattern compiled once.
    struct Compiled {
        pattern: regex::Regex,
        bounds: std::ops::RangeInclusive<usize>,
    }

    impl Compiled {
        fn new(schema: Object) -> Compiled {
            let (Some(pattern), Some(min), Some(max)) =
                (&schema.pattern, schema.min_length, schema.max_length)
            else {
                panic!("a text schema has a pattern and bounds")
            };
            Compiled {
                pattern: regex::Regex::new(pattern).unwrap(),
                bounds: min..=max,
            }
        }

        /// Whether the schema accepts `value`.
        fn accepts(&self, value: &str) -> bool {
            self.pattern.is_match(value) && self.bounds.contains(&value.chars().count())
        }
    }

    static SCHEMAS: std::sync::LazyLock<[Compiled; 3]> = std::sync::LazyLock::new(|| {
        [
            Compiled::new(schema::name()),
            Compiled::new(schema::optional_description()),
            Compiled::new(schema::password()),
        ]
    });

    proptest::proptest! {
        #[test]
        fn the_schemas_agree_with_the_rules(
            text in r"[a-zA-Z0-9 _.@#%&<>$^*\\\n\t\x7f\x{85}\x{e9}!-]{0,70}",
            long in "[a-z0-9 ]{240,270}",
        ) {
            for value in [&text, &long] {
                let [name, text, secret] = &*SCHEMAS;
                proptest::prop_assert_eq!(name.accepts(value), resource_name("user", value).is_ok());
                proptest::prop_assert_eq!(text.accepts(value), description(value).is_ok());
                proptest::prop_assert_eq!(secret.accepts(value), password(value).is_ok());
            }
        }
    }

    #[test]
    fn passwords() {
        assert!(password("Str0ng-Passw0rd!").is_ok());
        assert!(password("alllowercase").is_err());
        assert!(password("Sh0rt").is_err());
    }
}
