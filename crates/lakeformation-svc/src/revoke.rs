//! Revoking temporary credentials on request: one by its AK, or every one of a user in
//! the project. The caller has been authorized already (`policy::authorize` with
//! [`Target::action`]); the [`Grant`] it returned decides whose credentials they reach.
//! Off-boarding by iam-svc's feed is `crate::revocations`. [`revoke`] takes a connection
//! inside the caller's transaction, so tests call it without HTTP.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use service_kit::auth::Principal;
use service_kit::db::DbConnection;
use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;

use crate::error::LfError;
use crate::policy::{self, Action, Grant};
use crate::repo;

/// The body of `POST /v1/{project_id}/credential-revocations`.
#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    #[serde(default)]
    access: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

/// Exactly one of `access` and `user_id`, as [`Target::of`] reads it: the other absent or
/// `null`. Written by hand because serde's struct cannot say "exactly one".
impl utoipa::PartialSchema for Revocation {
    fn schema() -> RefOr<Schema> {
        let naming = |field: &str, what: &str, other: &str| {
            ObjectBuilder::new()
                .property(
                    field,
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(what)),
                )
                .required(field)
                .property(other, ObjectBuilder::new().schema_type(Type::Null))
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        OneOfBuilder::new()
            .item(naming(
                "access",
                "One temporary credential, by its access key id.",
                "user_id",
            ))
            .item(naming(
                "user_id",
                "Every temporary credential issued to this user in the project.",
                "access",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Revocation {}

/// What a revocation names: one credential by its AK, or every one of a user.
pub enum Target {
    Access(String),
    User(String),
}

impl Target {
    pub fn of(r: Revocation) -> Result<Target, LfError> {
        match (r.access, r.user_id) {
            (Some(access), None) => Ok(Target::Access(access)),
            (None, Some(user_id)) => Ok(Target::User(user_id)),
            _ => Err(LfError::BadRequest(
                "Give exactly one of access or user_id.".into(),
            )),
        }
    }

    /// The policy's action: its answer differs between the two.
    pub fn action(&self) -> Action {
        match self {
            Target::Access(_) => Action::RevokeCredential,
            Target::User(_) => Action::RevokeUserCredentials,
        }
    }
}

/// Revoke at `now` what `target` names in `project_id`, if `grant` lets `caller` reach
/// its holder. Another project's credential is not found; one already revoked keeps its
/// first revocation time.
pub fn revoke(
    conn: &mut DbConnection,
    caller: &Principal,
    grant: Grant,
    project_id: &str,
    target: Target,
    now: NaiveDateTime,
) -> Result<(), LfError> {
    let me = &caller.user_id;
    match target {
        Target::Access(access) => {
            let record = repo::issuance_by_access(conn, &access)?
                .filter(|i| i.project_id == project_id)
                .ok_or_else(|| {
                    LfError::NotFound("No temporary credential with that access key.".into())
                })?;
            policy::on_owner(grant, me, &record.user_id)?;
            repo::revoke_access(conn, project_id, &access, now)?;
        }
        Target::User(user_id) => {
            // The holder is known from the body: refused before any query.
            policy::on_owner(grant, me, &user_id)?;
            repo::revoke_user(conn, project_id, &user_id, now)?;
        }
    }
    Ok(())
}
