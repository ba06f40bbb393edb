//! The API 3.0 actions, each `fn(&Ctx, Params) -> Result<Map, TcrError>` returning the
//! fields of `Response` besides `RequestId`. An action reads its parameters into a typed
//! input, asks [`crate::policy`], calls one domain function (`crate::registries`,
//! `tokens`, `namespaces`, `service_accounts::manage`) in one read or write, and renders
//! Tencent's fields; the rules are the domain's, never an action's.

pub mod instances;
pub mod namespace_input;
pub mod namespaces;
pub mod service_account_input;
pub mod service_accounts;
pub mod tokens;

use serde_json::{Map, Value};
use service_kit::auth::Principal;

use crate::error::TcrError;
use crate::params::Params;
use crate::state::AppState;

/// Everything an action needs: the state (its pool, configuration and clock), the signer
/// and the request's region.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub principal: &'a Principal,
    pub region: String,
}

/// The actions this service serves, with their rate-limit class.
pub const ACTIONS: [&str; 17] = [
    "CreateInstance",
    "DescribeInstances",
    "DeleteInstance",
    "CreateInstanceToken",
    "DescribeInstanceToken",
    "ModifyInstanceToken",
    "DeleteInstanceToken",
    "CreateNamespace",
    "DescribeNamespaces",
    "ModifyNamespace",
    "DeleteNamespace",
    "DescribeInstanceAllNamespaces",
    "CreateServiceAccount",
    "DescribeServiceAccounts",
    "ModifyServiceAccount",
    "ModifyServiceAccountPassword",
    "DeleteServiceAccount",
];

/// Run `action`.
pub async fn dispatch(
    ctx: &Ctx<'_>,
    action: &str,
    params: Params,
) -> Result<Map<String, Value>, TcrError> {
    match action {
        "CreateInstance" => instances::create(ctx, params).await,
        "DescribeInstances" => instances::describe(ctx, params).await,
        "DeleteInstance" => instances::delete(ctx, params).await,
        "CreateInstanceToken" => tokens::create(ctx, params).await,
        "DescribeInstanceToken" => tokens::describe(ctx, params).await,
        "ModifyInstanceToken" => tokens::modify(ctx, params).await,
        "DeleteInstanceToken" => tokens::delete(ctx, params).await,
        "CreateNamespace" => namespaces::create(ctx, params).await,
        "DescribeNamespaces" => namespaces::describe(ctx, params).await,
        "ModifyNamespace" => namespaces::modify(ctx, params).await,
        "DeleteNamespace" => namespaces::delete(ctx, params).await,
        "DescribeInstanceAllNamespaces" => namespaces::describe_all(ctx, params).await,
        "CreateServiceAccount" => service_accounts::create(ctx, params).await,
        "DescribeServiceAccounts" => service_accounts::describe(ctx, params).await,
        "ModifyServiceAccount" => service_accounts::modify(ctx, params).await,
        "ModifyServiceAccountPassword" => service_accounts::modify_password(ctx, params).await,
        "DeleteServiceAccount" => service_accounts::delete(ctx, params).await,
        other => Err(TcrError::InvalidAction(other.to_string())),
    }
}

/// An object's fields as a `Map` (for building responses with `json!`).
pub fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
