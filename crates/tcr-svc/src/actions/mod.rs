//! The API 3.0 actions, each `fn(&Ctx, Params) -> Result<<Action>Response, TcrError>`
//! returning what `Response` holds ([`crate::wire`]). An action reads its parameters into a typed
//! input, asks [`crate::policy`], calls one domain function (`crate::registries`,
//! `tokens`, `namespaces`, `service_accounts::manage`) in one read or write, and renders
//! Tencent's fields; the rules are the domain's, never an action's.

pub mod instance_checks;
pub mod instances;
pub mod namespace_input;
pub mod namespaces;
pub mod service_account_input;
pub mod service_accounts;
pub mod tokens;

use service_kit::auth::Principal;

use crate::error::TcrError;
use crate::params::Params;
use crate::state::AppState;
use crate::wire::Answer;

/// Everything an action needs: the state (its pool, configuration and clock), the signer,
/// the request's region and the id its answer carries.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub principal: &'a Principal,
    pub region: String,
    pub request_id: &'a str,
}

impl Ctx<'_> {
    /// The answer's `RequestId`.
    pub fn request_id(&self) -> String {
        self.request_id.to_string()
    }
}

/// The actions this service serves (`X-TC-Action`).
pub const ACTIONS: [&str; 20] = [
    "CreateInstance",
    "DescribeInstances",
    "DeleteInstance",
    "DescribeInstanceStatus",
    "CheckInstanceName",
    "CheckInstance",
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
pub async fn dispatch(ctx: &Ctx<'_>, action: &str, params: Params) -> Result<Answer, TcrError> {
    use Answer as A;
    Ok(match action {
        "CreateInstance" => A::CreateInstance(instances::create(ctx, params).await?),
        "DescribeInstances" => A::DescribeInstances(instances::describe(ctx, params).await?),
        "DeleteInstance" => A::DeleteInstance(instances::delete(ctx, params).await?),
        "DescribeInstanceStatus" => {
            A::DescribeInstanceStatus(instance_checks::describe_status(ctx, params).await?)
        }
        "CheckInstanceName" => {
            A::CheckInstanceName(instance_checks::check_name(ctx, params).await?)
        }
        "CheckInstance" => A::CheckInstance(instance_checks::check(ctx, params).await?),
        "CreateInstanceToken" => A::CreateInstanceToken(tokens::create(ctx, params).await?),
        "DescribeInstanceToken" => A::DescribeInstanceToken(tokens::describe(ctx, params).await?),
        "ModifyInstanceToken" => A::ModifyInstanceToken(tokens::modify(ctx, params).await?),
        "DeleteInstanceToken" => A::DeleteInstanceToken(tokens::delete(ctx, params).await?),
        "CreateNamespace" => A::CreateNamespace(namespaces::create(ctx, params).await?),
        "DescribeNamespaces" => A::DescribeNamespaces(namespaces::describe(ctx, params).await?),
        "ModifyNamespace" => A::ModifyNamespace(namespaces::modify(ctx, params).await?),
        "DeleteNamespace" => A::DeleteNamespace(namespaces::delete(ctx, params).await?),
        "DescribeInstanceAllNamespaces" => {
            A::DescribeInstanceAllNamespaces(namespaces::describe_all(ctx, params).await?)
        }
        "CreateServiceAccount" => {
            A::CreateServiceAccount(service_accounts::create(ctx, params).await?)
        }
        "DescribeServiceAccounts" => {
            A::DescribeServiceAccounts(service_accounts::describe(ctx, params).await?)
        }
        "ModifyServiceAccount" => {
            A::ModifyServiceAccount(service_accounts::modify(ctx, params).await?)
        }
        "ModifyServiceAccountPassword" => {
            A::ModifyServiceAccountPassword(service_accounts::modify_password(ctx, params).await?)
        }
        "DeleteServiceAccount" => {
            A::DeleteServiceAccount(service_accounts::delete(ctx, params).await?)
        }
        other => return Err(TcrError::InvalidAction(other.to_string())),
    })
}
