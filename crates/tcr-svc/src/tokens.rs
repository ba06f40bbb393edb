//! Instance tokens: what a new one holds and how long it lives, the registry's listing,
//! and who may change, disable, enable or delete one (after [`crate::policy`]'s grant).
//! A token is shown once, at creation, and stored only as its SHA-256; registry logins
//! recognise it by [`TOKEN_PREFIX`].
//!
//! Every function takes a connection inside the caller's transaction, the caller and the
//! request's parts, so tests call them without HTTP. The action asks the policy before
//! any of these (the grant it returns travels in [`TokenEdit`]).

use chrono::{Duration, NaiveDateTime};
use credential_core::bearer::generate_bearer;
use credential_core::digest::sha256_hex;
use credential_core::secret::SecretString;
use service_kit::auth::Principal;
use service_kit::db::DbConnection;

use crate::config::TokenRules;
use crate::error::TcrError;
use crate::policy::{self, Action, Grant, TokenFacts};
use crate::registries;
use crate::repo::{
    self,
    tokens::{InstanceToken, TokenChanges, LONGTERM, TEMP},
};

/// Prefix of every TCR instance token.
pub const TOKEN_PREFIX: &str = "tcr_";

/// The two kinds of instance token `CreateInstanceToken` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Lives `tokens.temp_lifetime_seconds` (Tencent: an hour) and is never listed.
    Temp,
    /// Lives `tokens.longterm_lifetime_days`, listed, and may be disabled or deleted.
    Longterm,
}

impl TokenKind {
    /// The `TokenType` asked for; `temp` when none.
    pub fn parse(token_type: Option<&str>) -> Result<TokenKind, TcrError> {
        match token_type.unwrap_or(TEMP) {
            TEMP => Ok(TokenKind::Temp),
            LONGTERM => Ok(TokenKind::Longterm),
            _ => Err(TcrError::InvalidParameter(
                "TokenType must be temp or longterm.".into(),
            )),
        }
    }

    /// The variant of `CreateInstanceToken` the policy decides on.
    pub fn action(self) -> Action {
        match self {
            TokenKind::Temp => Action::CreateTempToken,
            TokenKind::Longterm => Action::CreateLongtermToken,
        }
    }

    /// How long a token of this kind lives under `rules`.
    pub fn lifetime(self, rules: &TokenRules) -> Duration {
        match self {
            TokenKind::Temp => Duration::seconds(i64::from(rules.temp_lifetime_seconds)),
            TokenKind::Longterm => Duration::days(i64::from(rules.longterm_lifetime_days)),
        }
    }

    /// How long a `temp` token lives under `rules`, in whole hours rounded up: what
    /// `DescribeInstances` shows as `TokenValidTime` (hours, as the SDK documents it), the
    /// most a `temp` token ever lives.
    pub fn temp_valid_hours(rules: &TokenRules) -> i64 {
        i64::from(rules.temp_lifetime_seconds.div_ceil(3600))
    }

    fn stored(self) -> &'static str {
        match self {
            TokenKind::Temp => TEMP,
            TokenKind::Longterm => LONGTERM,
        }
    }
}

/// What a `CreateInstanceToken` asks for.
pub struct NewToken {
    pub registry_id: String,
    pub kind: TokenKind,
    pub description: Option<String>,
    /// The kind's lifetime ([`TokenKind::lifetime`]).
    pub lifetime: Duration,
}

/// A token as just created: the secret its owner sees this once, and the stored row.
pub struct Issued {
    pub token: SecretString,
    pub row: InstanceToken,
}

/// A new token for the caller on their account's registry. It holds what the caller's
/// role lets a registry credential hold, and dies no later than the key that asked.
pub fn create(
    conn: &mut DbConnection,
    p: &Principal,
    new: NewToken,
    now: NaiveDateTime,
) -> Result<Issued, TcrError> {
    let token = generate_bearer(TOKEN_PREFIX).map_err(|e| TcrError::Internal(e.to_string()))?;
    let row = InstanceToken {
        id: uuid::Uuid::new_v4().simple().to_string(),
        registry_id: new.registry_id,
        user_id: p.user_id.clone(),
        kind: new.kind.stored().into(),
        token_digest: sha256_hex(token.expose().as_bytes()),
        description: new.description.unwrap_or_default(),
        access: policy::registry_access(p).into(),
        enabled: true,
        created_at: now,
        expires_at: policy::expiry_within_key(p, now + new.lifetime),
        disabled_by: None,
        disabled_by_admin: false,
        revoked_at: None,
    };
    if !repo::registries::exists_in_account(conn, &p.domain_id, &row.registry_id)? {
        return Err(TcrError::RegistryNotFound);
    }
    repo::tokens::insert(conn, &row)?;
    purge_expired(conn, now)?;
    Ok(Issued { token, row })
}

/// How long after its expiry a temp token is purged: a replica whose clock runs ahead
/// never takes a token that another, behind it, still honours.
pub const PURGE_AFTER: Duration = Duration::minutes(5);

/// How many expired temp tokens one issue purges at most: more than it adds, so the
/// expired ones never pile up, and few enough that no issue waits long on it.
pub const PURGE_BATCH: i64 = 32;

/// Purge temp tokens expired more than [`PURGE_AFTER`] before `now`, at most
/// [`PURGE_BATCH`] of them: every issue does, so what is stored stays bounded by the tokens
/// that live. Nothing else reads an expired temp token (it is never listed, a login
/// refuses it), and longterm tokens stay until their owner deletes them (they are listed,
/// expired or not).
fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, TcrError> {
    Ok(repo::tokens::purge_expired_temp(
        conn,
        now - PURGE_AFTER,
        PURGE_BATCH,
    )?)
}

/// A page of the longterm tokens of the caller's account's registry, oldest first, and
/// their total. Temp tokens are never listed.
pub fn list(
    conn: &mut DbConnection,
    p: &Principal,
    registry_id: &str,
    offset: i64,
    limit: i64,
) -> Result<(Vec<InstanceToken>, i64), TcrError> {
    registries::of_caller(conn, p, registry_id)?;
    Ok(repo::tokens::page_longterm(
        conn,
        registry_id,
        offset,
        limit,
    )?)
}

/// What a `ModifyInstanceToken` asks for.
pub enum TokenChange {
    Describe(String),
    Enable(bool),
}

impl TokenChange {
    /// The variant of `ModifyInstanceToken` the policy decides on.
    pub fn action(&self) -> Action {
        match self {
            TokenChange::Enable(true) => Action::EnableInstanceToken,
            _ => Action::ModifyInstanceToken,
        }
    }

    /// The columns to write, by `caller`: nothing when disabling a disabled token, so
    /// that an admin's disable stays an admin's; a revoked token is never enabled again.
    fn columns(
        self,
        token: &InstanceToken,
        caller: &Principal,
    ) -> Result<Option<TokenChanges>, TcrError> {
        Ok(match self {
            TokenChange::Describe(desc) => Some(TokenChanges {
                description: Some(desc),
                ..Default::default()
            }),
            TokenChange::Enable(false) if !token.enabled => None,
            TokenChange::Enable(false) => Some(TokenChanges::disable(
                caller.user_id.clone(),
                policy::disables_as_admin(caller),
            )),
            TokenChange::Enable(true) if token.revoked_at.is_some() => {
                return Err(TcrError::TokenRevoked)
            }
            TokenChange::Enable(true) => Some(TokenChanges::enable()),
        })
    }
}

/// A longterm token of the caller's account's registry, as a request names it, with what
/// the policy granted the caller for acting on it.
pub struct TokenEdit<C> {
    pub registry_id: String,
    pub token_id: String,
    pub grant: Grant,
    pub change: C,
}

fn facts(token: &InstanceToken) -> TokenFacts<'_> {
    TokenFacts {
        owner: &token.user_id,
        disabled_by_admin: token.disabled_by_admin,
    }
}

/// Change a token's description or state, as far as `edit.grant` reaches.
pub fn modify(
    conn: &mut DbConnection,
    p: &Principal,
    edit: TokenEdit<TokenChange>,
) -> Result<(), TcrError> {
    registries::of_caller(conn, p, &edit.registry_id)?;
    let token = repo::tokens::find_longterm_locked(conn, &edit.registry_id, &edit.token_id)?
        .ok_or(TcrError::TokenNotFound)?;
    policy::on_token(edit.grant, &p.user_id, &facts(&token))?;
    if let Some(columns) = edit.change.columns(&token, p)? {
        repo::tokens::update(conn, &edit.token_id, &columns)?;
    }
    Ok(())
}

/// Delete a token, as far as `edit.grant` reaches.
pub fn delete(conn: &mut DbConnection, p: &Principal, edit: TokenEdit<()>) -> Result<(), TcrError> {
    registries::of_caller(conn, p, &edit.registry_id)?;
    let token = repo::tokens::find_longterm(conn, &edit.registry_id, &edit.token_id)?
        .ok_or(TcrError::TokenNotFound)?;
    policy::on_token(edit.grant, &p.user_id, &facts(&token))?;
    // Before the token: its delete trigger updates the registry's count, and a registry
    // being deleted holds the registry while it deletes the tokens.
    repo::registries::lock(conn, &edit.registry_id)?;
    if !repo::tokens::delete(conn, &edit.token_id)? {
        return Err(TcrError::TokenNotFound);
    }
    Ok(())
}
