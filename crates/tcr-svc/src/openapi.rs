//! tcr-svc's OpenAPI document: `POST /` and `GET /` (every API 3.0 action, [`crate::api`]), with the
//! probes and the registry token endpoint service-kit shares. The parameters and answers
//! of each action are [`crate::wire`]'s types, named `<Action>Request` and
//! `<Action>Response`, and the error `TencentError`.

use service_kit::openapi::{complete, Scheme, Shared};
use utoipa::openapi::schema::{AnyOf, Schema};
use utoipa::openapi::RefOr;
use utoipa::OpenApi as _;

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "tcr",
        description = "Tencent Container Registry's registries, namespaces, instance tokens \
            and service accounts over Tencent Cloud API 3.0 (version 2019-09-24), signed with \
            TC3-HMAC-SHA256 by an iam-svc access key, and the registry token endpoint its \
            tokens log in with. docs/api/tcr.md says what each action does."
    ),
    paths(crate::api::api, crate::api::api_get),
    tags((name = "tcr", description = "Tencent Cloud API 3.0: one endpoint, the action in `X-TC-Action`."))
)]
struct ApiDoc;

/// The document served at `/openapi.json` and committed as docs/openapi/tcr.json.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    any_of(&mut doc, "Answer");
    body_optional(&mut doc);
    complete(
        doc,
        &[Shared::Probes, Shared::RegistryToken],
        &[Scheme::Tc3HmacSha256, Scheme::RegistryBasic],
    )
}

/// An empty body is read as `{}` (the actions whose parameters are all optional need
/// none), so the body of `POST /` is not required.
fn body_optional(doc: &mut utoipa::openapi::OpenApi) {
    let body = doc
        .paths
        .paths
        .get_mut("/")
        .and_then(|item| item.post.as_mut())
        .and_then(|post| post.request_body.as_mut());
    if let Some(body) = body {
        body.required = Some(utoipa::openapi::Required::False);
    }
}

/// The union `name` as `anyOf`: the answers of several actions are alike (`{"RequestId"}`
/// alone), so an answer may match more than one of them, which `oneOf` forbids.
fn any_of(doc: &mut utoipa::openapi::OpenApi, name: &str) {
    let Some(schema) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut(name))
    else {
        return;
    };
    if let RefOr::T(Schema::OneOf(one_of)) = schema {
        let mut any = AnyOf::new();
        any.items = std::mem::take(&mut one_of.items);
        any.description = one_of.description.take();
        *schema = RefOr::T(Schema::AnyOf(any));
    }
}
