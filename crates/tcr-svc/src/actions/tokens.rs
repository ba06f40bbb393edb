//! CreateInstanceToken, DescribeInstanceToken, ModifyInstanceToken, DeleteInstanceToken.
//! A token is shown once, at creation, and stored only as its SHA-256.

use chrono::Duration;
use credential_core::bearer::generate_bearer;
use credential_core::digest::sha256_hex;
use serde_json::{json, Map, Value};
use service_kit::db::{self, DbConnection};

use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::{paging, Params};
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
    let desc = p.optional_str("Desc")?;
    if let Some(d) = &desc {
        if d.chars().count() > 255 || d.chars().any(char::is_control) {
            return Err(TcrError::InvalidParameter(
                "Desc must be at most 255 characters without control characters.".into(),
            ));
        }
    }
    Ok(desc)
}

/// Anyone with a role on the account may get a token for themselves; a read-only user's
/// token only pulls.
pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    ctx.require_reader()?;
    let registry_id = p.required_str("RegistryId")?;
    let kind = p.optional_str("TokenType")?.unwrap_or_else(|| TEMP.into());
    let desc = description(&mut p)?;
    p.finish()?;
    let lifetime = match kind.as_str() {
        TEMP => Duration::seconds(i64::from(ctx.state.config.tokens.temp_lifetime_seconds)),
        LONGTERM => Duration::days(i64::from(ctx.state.config.tokens.longterm_lifetime_days)),
        _ => {
            return Err(TcrError::InvalidParameter(
                "TokenType must be temp or longterm.".into(),
            ))
        }
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
        access: ctx.registry_access().into(),
        enabled: true,
        created_at: now,
        expires_at: now + lifetime,
    };
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
    ctx.require_reader()?;
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
    let tokens: Vec<Value> = rows
        .iter()
        .map(|t| {
            json!({
                "Id": t.id,
                "Desc": t.description,
                "RegistryId": t.registry_id,
                "Enabled": t.enabled,
                "CreatedAt": tencent_time(t.created_at),
                "ExpiredAt": millis(t.expires_at),
            })
        })
        .collect();
    Ok(fields(json!({ "TotalCount": total, "Tokens": tokens })))
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    ctx.require_writer()?;
    let token_id = p.required_str("TokenId")?;
    let registry_id = p.required_str("RegistryId")?;
    let enable = p.optional_bool("Enable")?;
    let desc = description(&mut p)?;
    let flag = p.optional_i64("ModifyFlag")?.unwrap_or(2);
    p.finish()?;
    let changes = match (flag, enable, desc) {
        (1, _, Some(desc)) => TokenChanges {
            description: Some(desc),
            enabled: None,
        },
        (1, _, None) => return Err(TcrError::MissingParameter("Desc".into())),
        (2, Some(enabled), _) => TokenChanges {
            description: None,
            enabled: Some(enabled),
        },
        (2, None, _) => return Err(TcrError::MissingParameter("Enable".into())),
        _ => {
            return Err(TcrError::InvalidParameter(
                "ModifyFlag must be 1 (Desc) or 2 (Enable).".into(),
            ))
        }
    };
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        repo::tokens::find_longterm(conn, &registry_id, &token_id)?
            .ok_or(TcrError::TokenNotFound)?;
        repo::tokens::update(conn, &token_id, &changes)?;
        Ok::<_, TcrError>(())
    })
    .await?;
    Ok(Map::new())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    ctx.require_writer()?;
    let registry_id = p.required_str("RegistryId")?;
    let token_id = p.required_str("TokenId")?;
    p.finish()?;
    let account = ctx.account().to_string();
    db::write(&ctx.state.pool, move |conn| {
        registry(conn, &account, &registry_id)?;
        repo::tokens::find_longterm(conn, &registry_id, &token_id)?
            .ok_or(TcrError::TokenNotFound)?;
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
