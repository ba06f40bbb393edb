//! `iam-svc bootstrap`: the first domain, admin user, project and admin group.
//! Running it again changes nothing unless a password is given that differs.

use chrono::NaiveDateTime;
use credential_core::{password, SecretString};
use service_kit::db::{write_transaction, DbConnection};

use crate::config::IamConfig;
use crate::error::IamError;
use crate::repo::{self, grants::Target};

pub const DOMAIN: &str = "local";
pub const USER: &str = "admin";
pub const PROJECT: &str = "local-1";
pub const GROUP: &str = "admins";

/// What exists after bootstrap, and the password if this run set one.
pub struct Bootstrapped {
    pub domain_id: String,
    pub user_id: String,
    pub project_id: String,
    pub password_set: Option<SecretString>,
}

/// Desired admin password: `Keep` leaves an existing user's password alone.
pub enum AdminPassword {
    Keep,
    Ensure(SecretString),
}

pub fn run(
    conn: &mut DbConnection,
    cfg: &IamConfig,
    wanted: AdminPassword,
    now: NaiveDateTime,
) -> Result<Bootstrapped, IamError> {
    write_transaction(conn, |conn| {
        let domain = match repo::domains::find_by_name(conn, DOMAIN)? {
            Some(d) => d,
            None => {
                let d = repo::domains::Domain {
                    id: repo::new_id(),
                    name: DOMAIN.into(),
                    description: "Created by iam-svc bootstrap".into(),
                    enabled: true,
                    created_at: now,
                };
                repo::domains::insert(conn, &d)?;
                d
            }
        };
        let project = match repo::projects::find_by_name(conn, &domain.id, PROJECT)? {
            Some(p) => p,
            None => {
                let p = repo::projects::Project {
                    id: repo::new_id(),
                    domain_id: domain.id.clone(),
                    parent_id: None,
                    name: PROJECT.into(),
                    description: "Created by iam-svc bootstrap".into(),
                    enabled: true,
                    created_at: now,
                };
                repo::projects::insert(conn, &p)?;
                p
            }
        };
        let group = match repo::groups::find_by_name(conn, &domain.id, GROUP)? {
            Some(g) => g,
            None => {
                let g = repo::groups::Group {
                    id: repo::new_id(),
                    domain_id: domain.id.clone(),
                    name: GROUP.into(),
                    description: "Domain administrators".into(),
                    created_at: now,
                };
                repo::groups::insert(conn, &g)?;
                g
            }
        };
        let admin = repo::roles::find_by_name(conn, "admin")?.ok_or_else(|| {
            IamError::Internal("role admin missing; migrations not applied?".into())
        })?;
        repo::grants::grant(conn, Target::Domain(&domain.id), &group.id, &admin.id)?;
        repo::grants::grant(conn, Target::Project(&project.id), &group.id, &admin.id)?;

        let iterations = cfg.passwords.pbkdf2_iterations;
        let hash = |pw: &str| {
            password::hash_password(pw, iterations).map_err(|e| IamError::Internal(e.to_string()))
        };
        let existing = repo::users::find_by_name(conn, &domain.id, USER)?;
        let (user_id, password_set) = match (existing, wanted) {
            (Some(u), AdminPassword::Keep) => (u.id, None),
            (Some(u), AdminPassword::Ensure(pw)) => {
                let same =
                    password::verify_password(pw.expose(), &u.password_hash).unwrap_or(false);
                if !same {
                    let changes = repo::users::UserChanges {
                        password_hash: Some(hash(pw.expose())?),
                        enabled: Some(true),
                        updated_at: Some(now),
                        ..Default::default()
                    };
                    repo::users::update(conn, &u.id, &changes)?;
                    crate::revocation::password_changed(conn, cfg.token_lifetime(), &u.id, now)?;
                }
                (u.id, Some(pw))
            }
            (None, wanted) => {
                let pw = match wanted {
                    AdminPassword::Ensure(pw) => pw,
                    AdminPassword::Keep => generate_password()?,
                };
                let u = repo::users::User {
                    id: repo::new_id(),
                    domain_id: domain.id.clone(),
                    name: USER.into(),
                    password_hash: hash(pw.expose())?,
                    enabled: true,
                    description: "Created by iam-svc bootstrap".into(),
                    created_at: now,
                    updated_at: now,
                    // The operator chose or was handed this password: nothing to change.
                    pwd_status: false,
                };
                repo::users::insert(conn, &u)?;
                (u.id, Some(pw))
            }
        };
        repo::groups::add_member(conn, &group.id, &user_id)?;
        Ok(Bootstrapped {
            domain_id: domain.id,
            user_id,
            project_id: project.id,
            password_set,
        })
    })
}

/// A random admin password that satisfies the password rule.
pub fn generate_password() -> Result<SecretString, IamError> {
    let body = credential_core::random::generate_secret_key()
        .map_err(|e| IamError::Internal(e.to_string()))?;
    // Prefix guarantees upper, lower, digit and symbol classes whatever the random part holds.
    Ok(SecretString::from(format!("Aa1-{}", &body.expose()[..24])))
}

/// The shell lines of `var/local-stack.env`.
pub fn env_file(cfg: &IamConfig, b: &Bootstrapped, password: &SecretString) -> String {
    let q = |v: &str| format!("'{}'", v.replace('\'', "'\\''"));
    [
        ("IAM_URL", cfg.public_url.as_str()),
        ("IAM_ADMIN_DOMAIN", DOMAIN),
        ("IAM_ADMIN_DOMAIN_ID", &b.domain_id),
        ("IAM_ADMIN_USER", USER),
        ("IAM_ADMIN_PASSWORD", password.expose()),
        ("IAM_ADMIN_USER_ID", &b.user_id),
        ("IAM_ADMIN_PROJECT", PROJECT),
        ("IAM_ADMIN_PROJECT_ID", &b.project_id),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}\n", q(v)))
    .collect()
}

/// Read `IAM_ADMIN_PASSWORD` back from an env file written by [`env_file`].
pub fn password_from_env_file(text: &str) -> Option<SecretString> {
    text.lines().find_map(|line| {
        let value = line.strip_prefix("IAM_ADMIN_PASSWORD=")?;
        let unquoted = value
            .strip_prefix('\'')?
            .strip_suffix('\'')?
            .replace("'\\''", "'");
        Some(SecretString::from(unquoted))
    })
}
