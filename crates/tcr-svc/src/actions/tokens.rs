//! CreateInstanceToken, DescribeInstanceToken, ModifyInstanceToken, DeleteInstanceToken.
//! A token is shown once, at creation, and stored only as its SHA-256. Who may act on
//! which token is the policy's answer ([`crate::policy`]).

use chrono::Duration;
use credential_core::bearer::generate_bearer;
use credential_core::digest::sha256_hex;
use credential_core::secret::SecretString;
use serde_json::{json, Map, Value};
use service_kit::db::{self, DbConnection};

use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::{paging, Params};
use crate::policy::{self, Action, TokenFacts};
use crate::repo::{
    self,
    registries::Registry,
    tokens::{InstanceToken, TokenChanges, LONGTERM, TEMP},
};
use crate::views::{millis, tencent_time};

/// Prefix of every TCR instance token.
pub const TOKEN_PREFIX: &str = "tcr_";

fn registry(conn: &mut DbConnection, account: &str, id: &str) -> Result<Registry, TcrError> {
    repo::registries::find_in_account(conn, account, id)?.ok_or(TcrError::RegistryNotFound)
}

fn description(p: &mut Params) -> Result<Option<String>, TcrError> {
    p.optional_text("Desc")
}

/// Which variant of `CreateInstanceToken` a `TokenType` asks for.
fn create_action(kind: &str) -> Result<Action, TcrError> {
    match kind {
        TEMP => Ok(Action::CreateTempToken),
        LONGTERM => Ok(Action::CreateLongtermToken),
        _ => Err(TcrError::InvalidParameter(
            "TokenType must be temp or longterm.".into(),
        )),
    }
}

/// A new token of `kind` for the caller, and the row that stores its digest.
fn new_token(
    ctx: &Ctx<'_>,
    registry_id: String,
    kind: String,
    desc: Option<String>,
) -> Result<(SecretString, InstanceToken), TcrError> {
    let rules = &ctx.state.config.tokens;
    let lifetime = if kind == LONGTERM {
        Duration::days(i64::from(rules.longterm_lifetime_days))
    } else {
        Duration::seconds(i64::from(rules.temp_lifetime_seconds))
    };
    let token = generate_bearer(TOKEN_PREFIX).map_err(|e| TcrError::Internal(e.to_string()))?;
    let now = repo::now();
    let row = InstanceToken {
        id: uuid::Uuid::new_v4().simple().to_string(),
        registry_id,
        user_id: ctx.principal.user_id.clone(),
        kind,
        token_digest: sha256_hex(token.expose().as_bytes()),
        description: desc.unwrap_or_default(),
        access: policy::registry_access(ctx.principal).into(),
        enabled: true,
        created_at: now,
        expires_at: policy::expiry_within_key(ctx.principal, now + lifetime),
        disabled_by: None,
        disabled_by_admin: false,
        revoked_at: None,
    };
    Ok((token, row))
}

/// A token is always its caller's own; a read-only caller's only pulls.
pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let registry_id = p.required_str("RegistryId")?;
    let kind = p.optional_str("TokenType")?.unwrap_or_else(|| TEMP.into());
    let desc = description(&mut p)?;
    p.finish()?;
    policy::allow(create_action(&kind)?, ctx.principal)?;
    let (token, row) = new_token(ctx, registry_id, kind, desc)?;
    let account = ctx.account().to_string();
    let row = db::write(&ctx.state.pool, move |conn| {
        if !repo::registries::exists_in_account(conn, &account, &row.registry_id)? {
            return Err(TcrError::RegistryNotFound);
        }
        repo::tokens::insert(conn, &row)?;
        Ok::<_, TcrError>(row)
    })
    .await?;
    let token_id = if row.kind == LONGTERM {
        row.id.clone()
    } else {
        String::new()
    };
    Ok(fields(json!({
        "Username": row.user_id,
        "Token": token.expose(),
        "ExpTime": millis(row.expires_at),
        "TokenId": token_id,
    })))
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeInstanceToken, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let (offset, limit) = paging(&mut p, 20, 100)?;
    p.finish()?;
    let account = ctx.account().to_string();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        Ok::<_, TcrError>(repo::tokens::page_longterm(
            conn,
            &registry_id,
            offset,
            limit,
        )?)
    })
    .await?;
    let tokens: Vec<Value> = rows.iter().map(token_view).collect();
    Ok(fields(json!({ "TotalCount": total, "Tokens": tokens })))
}

fn token_view(t: &InstanceToken) -> Value {
    json!({
        "Id": t.id,
        "Desc": t.description,
        "RegistryId": t.registry_id,
        // A revoked token is disabled for good.
        "Enabled": t.enabled && t.revoked_at.is_none(),
        "CreatedAt": tencent_time(t.created_at),
        "ExpiredAt": millis(t.expires_at),
    })
}

/// What a `ModifyInstanceToken` asks for.
enum Change {
    Describe(String),
    Enable(bool),
}

impl Change {
    /// `ModifyFlag` 1 changes `Desc`, 2 (the default) `Enable`.
    fn parse(p: &mut Params) -> Result<Change, TcrError> {
        let enable = p.optional_bool("Enable")?;
        let desc = description(p)?;
        match (p.optional_i64("ModifyFlag")?.unwrap_or(2), enable, desc) {
            (1, _, Some(desc)) => Ok(Change::Describe(desc)),
            (1, _, None) => Err(TcrError::MissingParameter("Desc".into())),
            (2, Some(enabled), _) => Ok(Change::Enable(enabled)),
            (2, None, _) => Err(TcrError::MissingParameter("Enable".into())),
            _ => Err(TcrError::InvalidParameter(
                "ModifyFlag must be 1 (Desc) or 2 (Enable).".into(),
            )),
        }
    }

    fn action(&self) -> Action {
        match self {
            Change::Enable(true) => Action::EnableInstanceToken,
            _ => Action::ModifyInstanceToken,
        }
    }

    /// The columns to write, by `caller`: nothing when disabling a disabled token, so
    /// that an admin's disable stays an admin's; a revoked token is never enabled again.
    fn changes(
        self,
        token: &InstanceToken,
        caller: String,
        admin: bool,
    ) -> Result<Option<TokenChanges>, TcrError> {
        Ok(match self {
            Change::Describe(desc) => Some(TokenChanges {
                description: Some(desc),
                ..Default::default()
            }),
            Change::Enable(false) if !token.enabled => None,
            Change::Enable(false) => Some(TokenChanges::disable(caller, admin)),
            Change::Enable(true) if token.revoked_at.is_some() => {
                return Err(TcrError::TokenRevoked)
            }
            Change::Enable(true) => Some(TokenChanges::enable()),
        })
    }
}

fn facts(token: &InstanceToken) -> TokenFacts<'_> {
    TokenFacts {
        owner: &token.user_id,
        disabled_by_admin: token.disabled_by_admin,
    }
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let token_id = p.required_str("TokenId")?;
    let registry_id = p.required_str("RegistryId")?;
    let change = Change::parse(&mut p)?;
    p.finish()?;
    let grant = policy::allow(change.action(), ctx.principal)?;
    let admin = policy::disables_as_admin(ctx.principal);
    let (account, caller) = (ctx.account().to_string(), ctx.principal.user_id.clone());
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        let token = repo::tokens::find_longterm_locked(conn, &registry_id, &token_id)?
            .ok_or(TcrError::TokenNotFound)?;
        policy::on_token(grant, &caller, &facts(&token))?;
        if let Some(changes) = change.changes(&token, caller, admin)? {
            repo::tokens::update(conn, &token_id, &changes)?;
        }
        Ok::<_, TcrError>(())
    })
    .await?;
    Ok(Map::new())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let grant = policy::allow(Action::DeleteInstanceToken, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let token_id = p.required_str("TokenId")?;
    p.finish()?;
    let (account, caller) = (ctx.account().to_string(), ctx.principal.user_id.clone());
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        let token = repo::tokens::find_longterm(conn, &registry_id, &token_id)?
            .ok_or(TcrError::TokenNotFound)?;
        policy::on_token(grant, &caller, &facts(&token))?;
        // Before the token: its delete trigger updates the registry's count, and a
        // registry being deleted holds the registry while it deletes the tokens.
        repo::registries::lock(conn, &registry_id)?;
        if !repo::tokens::delete(conn, &token_id)? {
            return Err(TcrError::TokenNotFound);
        }
        Ok(())
    })
    .await?;
    Ok(Map::new())
}
