//! CreateInstanceToken, DescribeInstanceToken, ModifyInstanceToken, DeleteInstanceToken:
//! each reads its parameters, asks [`crate::policy`], calls one function of
//! [`crate::tokens`] and renders Tencent's fields.

use service_kit::db;

use super::Ctx;
use crate::error::TcrError;
use crate::params::{paging, Params};
use crate::policy::{self, Action};
use crate::repo::tokens::InstanceToken;
use crate::tokens::{self, NewToken, TokenChange, TokenEdit, TokenKind};
use crate::views::{millis, tencent_time};
use crate::wire::tokens::{
    CreateInstanceTokenResponse, DeleteInstanceTokenResponse, DescribeInstanceTokenResponse,
    ModifyInstanceTokenResponse, TcrInstanceToken,
};

fn description(p: &mut Params) -> Result<Option<String>, TcrError> {
    p.optional_text("Desc")
}

/// A token is always its caller's own; a read-only caller's only pulls.
pub async fn create(ctx: &Ctx<'_>, mut p: Params) -> Result<CreateInstanceTokenResponse, TcrError> {
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
        TokenKind::Longterm => issued.row.id.clone(),
        TokenKind::Temp => String::new(),
    };
    Ok(CreateInstanceTokenResponse {
        username: issued.row.user_id,
        token: issued.token.expose().to_string(),
        exp_time: millis(issued.row.expires_at),
        token_id,
        request_id: ctx.request_id(),
    })
}

pub async fn describe(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DescribeInstanceTokenResponse, TcrError> {
    policy::allow(Action::DescribeInstanceToken, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let (offset, limit) = paging(&mut p, 20, 100)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        tokens::list(conn, &caller, &registry_id, offset, limit)
    })
    .await?;
    Ok(DescribeInstanceTokenResponse {
        total_count: total,
        tokens: rows.iter().map(token_view).collect(),
        request_id: ctx.request_id(),
    })
}

fn token_view(t: &InstanceToken) -> TcrInstanceToken {
    TcrInstanceToken {
        id: t.id.clone(),
        desc: t.description.clone(),
        registry_id: t.registry_id.clone(),
        // A revoked token is disabled for good.
        enabled: t.enabled && t.revoked_at.is_none(),
        created_at: tencent_time(t.created_at),
        expired_at: millis(t.expires_at),
    }
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

pub async fn modify(ctx: &Ctx<'_>, mut p: Params) -> Result<ModifyInstanceTokenResponse, TcrError> {
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
    Ok(ModifyInstanceTokenResponse {
        request_id: ctx.request_id(),
    })
}

pub async fn delete(ctx: &Ctx<'_>, mut p: Params) -> Result<DeleteInstanceTokenResponse, TcrError> {
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
    Ok(DeleteInstanceTokenResponse {
        request_id: ctx.request_id(),
    })
}
