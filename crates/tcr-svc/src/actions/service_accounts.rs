//! CreateServiceAccount, DescribeServiceAccounts, ModifyServiceAccount,
//! ModifyServiceAccountPassword, DeleteServiceAccount: robot credentials of a registry.
//! Who may is [`crate::policy`]'s, what a request says is
//! [`super::service_account_input`]'s, the rules are [`crate::service_accounts`]'s; these
//! check, call one function of [`manage`] and render.

use credential_core::SecretString;
use service_kit::db;

use super::service_account_input::{changes, new_account, new_password, Listing};
use super::Ctx;
use crate::error::TcrError;
use crate::params::Params;
use crate::policy::{self, Action};
use crate::repo::service_accounts::ServiceAccount;
use crate::service_accounts::manage::{self, AccountRef};
use crate::service_accounts::{expiry, name, permissions};
use crate::views::tencent_time;
use crate::wire::service_accounts::{
    CreateServiceAccountResponse, DeleteServiceAccountResponse, DescribeServiceAccountsResponse,
    ModifyServiceAccountPasswordResponse, ModifyServiceAccountResponse,
    ServiceAccount as AccountView,
};

/// The registry and account a request names.
fn named(p: &mut Params) -> Result<AccountRef, TcrError> {
    Ok(AccountRef {
        registry_id: p.required_str("RegistryId")?,
        name: name::login_name(&p.required_str("Name")?)?,
    })
}

pub async fn create(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<CreateServiceAccountResponse, TcrError> {
    policy::allow(Action::CreateServiceAccount, ctx.principal)?;
    let now = ctx.state.clock.stored_now();
    let (secret, new) = new_account(ctx.principal, &mut p, now)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let row = db::write(&ctx.state.pool, move |conn| {
        manage::create(conn, &caller, new)
    })
    .await?;
    Ok(CreateServiceAccountResponse {
        password: secret.expose().to_string(),
        expires_at: expiry::millis(row.expires_at),
        create_time: tencent_time(row.created_at),
        name: row.name,
        request_id: ctx.request_id(),
    })
}

fn view(a: &ServiceAccount, embed: bool) -> Result<AccountView, TcrError> {
    let permissions = if embed {
        let list = permissions::from_stored(&a.permissions).ok_or_else(|| {
            TcrError::Internal(format!("service account {}: unreadable permissions", a.id))
        })?;
        Some(list)
    } else {
        None
    };
    Ok(AccountView {
        name: a.name.clone(),
        description: a.description.clone(),
        // A revoked account is disabled for good.
        disable: a.disabled || a.revoked_at.is_some(),
        expires_at: expiry::millis(a.expires_at),
        create_time: tencent_time(a.created_at),
        update_time: tencent_time(a.updated_at),
        permissions,
    })
}

pub async fn describe(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DescribeServiceAccountsResponse, TcrError> {
    policy::allow(Action::DescribeServiceAccounts, ctx.principal)?;
    let registry_id = p.required_str("RegistryId")?;
    let listing = Listing::parse(&mut p)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    let (names, offset, limit) = (listing.names.clone(), listing.offset, listing.limit);
    let (rows, total) = db::run(&ctx.state.pool, move |conn| {
        manage::list(conn, &caller, &registry_id, names.as_deref(), offset, limit)
    })
    .await?;
    let accounts = rows
        .iter()
        .map(|a| view(a, listing.embed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DescribeServiceAccountsResponse {
        service_accounts: accounts,
        total_count: total,
        request_id: ctx.request_id(),
    })
}

pub async fn modify(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<ModifyServiceAccountResponse, TcrError> {
    policy::allow(Action::ModifyServiceAccount, ctx.principal)?;
    let at = named(&mut p)?;
    let (changes, list) = changes(&mut p, ctx.state.clock.stored_now())?;
    p.finish()?;
    let caller = ctx.principal.clone();
    db::write(&ctx.state.pool, move |conn| {
        manage::modify(conn, &caller, at, &changes, list.as_deref())
    })
    .await?;
    Ok(ModifyServiceAccountResponse {
        request_id: ctx.request_id(),
    })
}

pub async fn modify_password(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<ModifyServiceAccountPasswordResponse, TcrError> {
    policy::allow(Action::ModifyServiceAccountPassword, ctx.principal)?;
    let at = named(&mut p)?;
    let random = p.optional_bool("Random")?.unwrap_or(false);
    let chosen = p.optional_str("Password")?.map(SecretString::from);
    p.finish()?;
    let iterations = ctx.state.config.service_accounts.pbkdf2_iterations;
    let (secret, digest) = new_password(random, chosen, iterations).await?;
    let (caller, clock) = (ctx.principal.clone(), ctx.state.clock.clone());
    db::write(&ctx.state.pool, move |conn| {
        manage::set_password(conn, &caller, at, digest, clock.stored_now())
    })
    .await?;
    Ok(ModifyServiceAccountPasswordResponse {
        password: secret.expose().to_string(),
        request_id: ctx.request_id(),
    })
}

pub async fn delete(
    ctx: &Ctx<'_>,
    mut p: Params,
) -> Result<DeleteServiceAccountResponse, TcrError> {
    policy::allow(Action::DeleteServiceAccount, ctx.principal)?;
    let at = named(&mut p)?;
    p.finish()?;
    let caller = ctx.principal.clone();
    db::write(&ctx.state.pool, move |conn| {
        manage::delete(conn, &caller, at)
    })
    .await?;
    Ok(DeleteServiceAccountResponse {
        request_id: ctx.request_id(),
    })
}
