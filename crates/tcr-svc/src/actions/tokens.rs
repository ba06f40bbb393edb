//! CreateInstanceToken, DescribeInstanceToken, ModifyInstanceToken, DeleteInstanceToken:
//! each reads its parameters, asks [`crate::policy`], calls one function of
//! [`crate::tokens`] and renders Tencent's fields.

use serde_json::{json, Map, Value};
use service_kit::db;

use super::{fields, Ctx};
use crate::error::TcrError;
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::tokens::InstanceToken;
use crate::tokens::{self, NewToken, TokenChange, TokenEdit, TokenKind};
use crate::views::{millis, tencent_time};

fn description(p: &mut Params) -> Result<Option<String>, TcrError> {
    p.optional_text("Desc")
}

/// A token is always its caller's own; a read-only caller's only pulls.
pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let registry_id = p.required_str("RegistryId")?;
    let kind = p.optional_str("TokenType")?;
    let description = description(&mut p)?;
    p.finish()?;
    let kind = TokenKind::parse(kind.as_deref())?;
    policy::allow(kind.action(), ctx.principal)?;
    let lifetime = kind.lifetime(&ctx.state.config.tokens);
    let new = NewToken {
        registry_id,
        kind,
        description,
        lifetime,
    };
    let (caller, now) = (ctx.principal.clone(), ctx.state.clock.stored_now());
    let issued = db::write(&ctx.state.pool, move |conn| {
        tokens::create(conn, &caller, new, now)
    })
    .await?;
    // Only a longterm token is named again (listed, changed, deleted).
    let token_id = match kind {
        TokenKind::Longterm => issued.row.id.as_str(),
        TokenKind::Temp => "",
    };
    Ok(fields(json!({
        "Username": issued.row.user_id,
        "Token": issued.token.expose(),
        "ExpTime": millis(issued.row.expires_at),
        "TokenId": token_id,
    })))
}

pub async fn describe(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    policy::allow(Action::DescribeInstanceToken, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let (offset, limit) = paging(&mut p, 20, 100)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        tokens::list(conn, &caller, &registry_id, offset, limit)
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

/// `ModifyFlag` 1 changes `Desc`, 2 (the default) `Enable`.
fn change(p: &mut Params) -> Result<TokenChange, TcrError> {
    let enable = p.optional_bool("Enable")?;
    let desc = description(p)?;
    match (p.optional_i64("ModifyFlag")?.unwrap_or(2), enable, desc) {
        (1, _, Some(desc)) => Ok(TokenChange::Describe(desc)),
        (1, _, None) => Err(TcrError::MissingParameter("Desc".into())),
        (2, Some(enabled), _) => Ok(TokenChange::Enable(enabled)),
        (2, None, _) => Err(TcrError::MissingParameter("Enable".into())),
        _ => Err(TcrError::InvalidParameter(
            "ModifyFlag must be 1 (Desc) or 2 (Enable).".into(),
        )),
    }
}

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let token_id = p.required_str("TokenId")?;
    let registry_id = p.required_str("RegistryId")?;
    let change = change(&mut p)?;
    p.finish()?;
    let edit = TokenEdit {
        grant: policy::allow(change.action(), ctx.principal)?,
        registry_id,
        token_id,
        change,
    };
    let caller = ctx.principal.clone();
    db::write(&ctx.state.pool, move |conn| {
        tokens::modify(conn, &caller, edit)
    })
    .await?;
    Ok(Map::new())
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<Map<String, Value>, TcrError> {
    let grant = policy::allow(Action::DeleteInstanceToken, ctx.principal)?;
    let edit = TokenEdit {
        registry_id: p.required_str("RegistryId")?,
        token_id: p.required_str("TokenId")?,
        grant,
        change: (),
    };
    p.finish()?;
    let caller = ctx.principal.clone();
    db::write(&ctx.state.pool, move |conn| {
        tokens::delete(conn, &caller, edit)
    })
    .await?;
    Ok(Map::new())
}
