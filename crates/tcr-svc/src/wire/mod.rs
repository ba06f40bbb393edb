//! What travels on the API 3.0 wire, as types: each action's answer (`<Action>Response`,
//! the object inside `Response`, `RequestId` included), the error envelope
//! ([`TencentError`]) and each action's parameters (`<Action>Request`). The answers are
//! what [`crate::api`] serializes, so the OpenAPI document and the bytes come from one
//! type. The parameters are read field by field by [`crate::params::Params`], so each
//! problem gets its Tencent code; their types here only describe them, and the OpenAPI
//! tests send every documented parameter to keep the two together.
//!
//! Nothing here decides anything: the rules stay in the actions and the domain.

pub mod instance_checks;
pub mod instances;
pub mod namespaces;
pub mod service_accounts;
pub mod tokens;

use serde::Serialize;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

use crate::actions::ACTIONS;
use crate::api::VERSION;

use instance_checks::*;
use instances::*;
use namespaces::*;
use service_accounts::*;
use tokens::*;

/// The body of every answer: `{"Response": ...}`.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(rename = "Response")]
    pub response: Answer,
}

/// What `Response` holds: the action's answer, or the error.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum Answer {
    CreateInstance(CreateInstanceResponse),
    DescribeInstances(DescribeInstancesResponse),
    DeleteInstance(DeleteInstanceResponse),
    DescribeInstanceStatus(DescribeInstanceStatusResponse),
    CheckInstanceName(CheckInstanceNameResponse),
    CheckInstance(CheckInstanceResponse),
    CreateInstanceToken(CreateInstanceTokenResponse),
    DescribeInstanceToken(DescribeInstanceTokenResponse),
    ModifyInstanceToken(ModifyInstanceTokenResponse),
    DeleteInstanceToken(DeleteInstanceTokenResponse),
    CreateNamespace(CreateNamespaceResponse),
    DescribeNamespaces(DescribeNamespacesResponse),
    ModifyNamespace(ModifyNamespaceResponse),
    DeleteNamespace(DeleteNamespaceResponse),
    DescribeInstanceAllNamespaces(DescribeInstanceAllNamespacesResponse),
    CreateServiceAccount(CreateServiceAccountResponse),
    DescribeServiceAccounts(DescribeServiceAccountsResponse),
    ModifyServiceAccount(ModifyServiceAccountResponse),
    ModifyServiceAccountPassword(ModifyServiceAccountPasswordResponse),
    DeleteServiceAccount(DeleteServiceAccountResponse),
    Error(TencentError),
}

/// The parameters of an action: the body of `POST /`, a JSON object (an empty body is
/// `{}`), whose schema is the one `X-TC-Action` names.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum ActionRequest {
    CreateInstance(CreateInstanceRequest),
    DescribeInstances(DescribeInstancesRequest),
    DeleteInstance(DeleteInstanceRequest),
    DescribeInstanceStatus(DescribeInstanceStatusRequest),
    CheckInstanceName(CheckInstanceNameRequest),
    CheckInstance(CheckInstanceRequest),
    CreateInstanceToken(CreateInstanceTokenRequest),
    DescribeInstanceToken(DescribeInstanceTokenRequest),
    ModifyInstanceToken(ModifyInstanceTokenRequest),
    DeleteInstanceToken(DeleteInstanceTokenRequest),
    CreateNamespace(CreateNamespaceRequest),
    DescribeNamespaces(DescribeNamespacesRequest),
    ModifyNamespace(ModifyNamespaceRequest),
    DeleteNamespace(DeleteNamespaceRequest),
    DescribeInstanceAllNamespaces(DescribeInstanceAllNamespacesRequest),
    CreateServiceAccount(CreateServiceAccountRequest),
    DescribeServiceAccounts(DescribeServiceAccountsRequest),
    ModifyServiceAccount(ModifyServiceAccountRequest),
    ModifyServiceAccountPassword(ModifyServiceAccountPasswordRequest),
    DeleteServiceAccount(DeleteServiceAccountRequest),
}

/// An action's failure: `{"Error": {"Code", "Message"}, "RequestId"}`, still HTTP 200.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct TencentError {
    pub error: ErrorDetail,
    pub request_id: String,
}

/// The code and message of a failure; docs/api/tcr.md lists the codes.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ErrorDetail {
    /// `AuthFailure.SignatureFailure`, `InvalidParameter`, `ResourceNotFound`, ...
    #[schema(example = "ResourceNotFound.TcrResourceNotFound")]
    pub code: String,
    pub message: String,
}

/// A vendor setting whose only value here is `false` (`true` is `UnsupportedOperation`,
/// never dropped).
pub struct FalseOnly;

impl PartialSchema for FalseOnly {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Boolean)
            .enum_values(Some([false]))
            .into()
    }
}

impl ToSchema for FalseOnly {}

/// A string schema named `$name` whose values are a rule's own list, so the document
/// cannot drift from the rule.
macro_rules! string_enum {
    ($(#[$doc:meta])* $name:ident = $values:expr, $description:literal) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .enum_values(Some($values.iter().copied()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use string_enum;

string_enum!(
    /// `X-TC-Action`.
    ActionName = ACTIONS,
    "The action."
);
string_enum!(
    /// `X-TC-Version`.
    Version = [VERSION],
    "The one API version spoken."
);
