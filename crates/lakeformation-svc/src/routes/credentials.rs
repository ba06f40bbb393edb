//! Temporary credentials: `POST /v1/{project_id}/instances/{instance_id}/credential`
//! issues one; `POST /v1/{project_id}/credential-revocations` revokes one or all of a
//! user's. The secret exists only inside the sealed security token handed to the caller.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use credential_core::random::{generate_access_key, generate_secret_key};
use serde::{Deserialize, Serialize};
use serde_json::json;
use service_kit::auth::wire::DirectoryCheck;
use service_kit::db;

use super::{optional_body, require_project, Caller};
use crate::error::LfError;
use crate::repo::{self, Issuance};
use crate::security_token::{self, TokenBody};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/v1/{project_id}/instances/{instance_id}/credential",
        web::post().to(issue),
    )
    .route(
        "/v1/{project_id}/credential-revocations",
        web::post().to(revoke),
    );
}

/// LakeFormation's `IdentityInput`; every field optional, `{}` and no body both valid.
#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct IdentityInput {
    #[serde(default)]
    user_names: Option<Vec<String>>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    roles: Option<Vec<String>>,
}

#[derive(Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Revocation {
    #[serde(default)]
    access: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
}

const MAX_NAMES: usize = 50;
/// The width of `issuances.user_names` and `issuances.groups_requested` (VARCHAR(2048)),
/// where the names are stored joined by commas: 50 names of iam-svc's 64 characters do
/// not fit, and PostgreSQL would refuse the insert (a 500) where SQLite stores it.
const MAX_JOINED_CHARS: usize = 2048;

/// The roles iam-svc knows, strongest first: each includes the ones after it.
const ROLES: [&str; 3] = ["admin", "member", "readonly"];

/// The roles a holder of `roles` may hand on: theirs and every lesser one.
fn implied_roles(roles: &[String]) -> Vec<&'static str> {
    let strongest = ROLES
        .iter()
        .position(|r| roles.iter().any(|held| held == r));
    strongest.map(|i| ROLES[i..].to_vec()).unwrap_or_default()
}

async fn issue(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let (project_id, instance_id) = path.into_inner();
    require_project(&caller, &project_id)?;
    let input: IdentityInput = optional_body(&body)?;
    // A temporary key must not mint itself successors: each would start a fresh lifetime
    // and outlive a revocation of its parent's access key.
    if let Some(access) = caller.access_key.clone() {
        let temporary = db::run(&state.pool, move |conn| {
            Ok::<_, LfError>(repo::issuance_by_access(conn, &access)?)
        })
        .await?;
        if temporary.is_some() {
            return Err(LfError::Forbidden(
                "temporary credentials cannot issue credentials",
            ));
        }
    }
    let user_names = input.user_names.unwrap_or_default();
    let groups = input.groups.unwrap_or_default();
    let asked_roles = input.roles.unwrap_or_default();
    if user_names.len() > MAX_NAMES || groups.len() > MAX_NAMES || asked_roles.len() > MAX_NAMES {
        return Err(LfError::BadRequest(format!(
            "At most {MAX_NAMES} user names, groups and roles each."
        )));
    }
    if [&user_names, &groups]
        .iter()
        .any(|names| names.join(",").chars().count() > MAX_JOINED_CHARS)
    {
        return Err(LfError::BadRequest(format!(
            "The user names, and the groups, may take at most {MAX_JOINED_CHARS} characters each, joined by commas."
        )));
    }
    // Rights never grow: only roles the caller holds here, or lesser ones, can be asked for.
    if let Some(role) = asked_roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        return Err(LfError::NotFound(format!(
            "The role {role} does not exist."
        )));
    }
    let held = implied_roles(&caller.roles);
    if let Some(role) = asked_roles.iter().find(|r| !held.contains(&r.as_str())) {
        return Err(LfError::BadRequest(format!(
            "The caller does not hold the role {role} in this project."
        )));
    }
    let roles = if asked_roles.is_empty() {
        caller.roles.clone()
    } else {
        asked_roles
    };
    if roles.is_empty() {
        return Err(LfError::Forbidden("no role in the project"));
    }
    if !user_names.is_empty() || !groups.is_empty() {
        let check = DirectoryCheck {
            domain_id: caller.domain_id.clone(),
            user_names: user_names.clone(),
            groups: groups.clone(),
        };
        let missing = state.iam.check_directory(&check).await?;
        if let Some(name) = missing.missing_user_names.first() {
            return Err(LfError::NotFound(format!(
                "The user {name} does not exist in the account."
            )));
        }
        if let Some(name) = missing.missing_groups.first() {
            return Err(LfError::NotFound(format!(
                "The group {name} does not exist in the account."
            )));
        }
    }
    let p = caller.principal.clone();
    let project = p
        .project
        .clone()
        .ok_or(LfError::Forbidden("not project-scoped"))?;
    let access = generate_access_key().map_err(|e| LfError::Internal(e.to_string()))?;
    let secret = generate_secret_key().map_err(|e| LfError::Internal(e.to_string()))?;
    let issued_at = repo::now();
    let expires_at =
        issued_at + Duration::seconds(i64::from(state.config.credentials.lifetime_seconds));
    let body = TokenBody {
        token_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: secret.expose().to_string(),
        user_id: p.user_id.clone(),
        user_name: p.user_name.clone(),
        domain_id: p.domain_id.clone(),
        domain_name: p.domain_name.clone(),
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        roles: roles.clone(),
        user_names: user_names.clone(),
        groups: groups.clone(),
        expires_at: expires_at.and_utc(),
    };
    let token = security_token::seal(state.temporary.keyring(), &access, &body)?;
    let record = Issuance {
        id: body.token_id.clone(),
        access: access.clone(),
        instance_id: instance_id.clone(),
        project_id: project_id.clone(),
        domain_id: p.domain_id.clone(),
        user_id: p.user_id.clone(),
        user_names: user_names.join(","),
        groups_requested: groups.join(","),
        roles: roles.join(","),
        issued_at,
        expires_at,
        revoked_at: None,
    };
    drop(body);
    db::write(&state.pool, move |conn| {
        repo::instance(conn, &project_id, &instance_id)?
            .ok_or_else(|| LfError::NotFound("The instance does not exist.".into()))?;
        repo::insert_issuance(conn, &record)?;
        Ok::<_, LfError>(())
    })
    .await?;
    // The vendor's model has no expiry field; the extra `expires_at` is ignored by the SDK.
    Ok(HttpResponse::Ok().json(json!({
        "access": access,
        "secret": secret.expose(),
        "security_token": token.expose(),
        "expires_at": service_kit::timefmt::utc(expires_at, 3, "Z"),
    })))
}

async fn revoke(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, LfError> {
    let project_id = path.into_inner();
    require_project(&caller, &project_id)?;
    let r: Revocation = optional_body(&body)?;
    let admin = caller.has_role("admin");
    let me = caller.user_id.clone();
    let now = repo::now();
    match (r.access, r.user_id) {
        (Some(access), None) => {
            db::write(&state.pool, move |conn| {
                let record = repo::issuance_by_access(conn, &access)?
                    .filter(|i| i.project_id == project_id)
                    .ok_or_else(|| {
                        LfError::NotFound("No temporary credential with that access key.".into())
                    })?;
                if record.user_id != me && !admin {
                    return Err(LfError::Forbidden("another user's credential"));
                }
                repo::revoke_access(conn, &project_id, &access, now)?;
                Ok(())
            })
            .await?;
        }
        (None, Some(user_id)) => {
            if user_id != me && !admin {
                return Err(LfError::Forbidden("another user's credentials"));
            }
            db::write(&state.pool, move |conn| {
                Ok::<_, LfError>(repo::revoke_user(conn, &project_id, &user_id, now)?)
            })
            .await?;
        }
        _ => {
            return Err(LfError::BadRequest(
                "Give exactly one of access or user_id.".into(),
            ))
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stronger_roles_include_lesser_ones() {
        assert_eq!(
            implied_roles(&["admin".into()]),
            ["admin", "member", "readonly"]
        );
        assert_eq!(implied_roles(&["member".into()]), ["member", "readonly"]);
        assert_eq!(implied_roles(&["readonly".into()]), ["readonly"]);
        assert!(implied_roles(&["other".into()]).is_empty());
    }
}
