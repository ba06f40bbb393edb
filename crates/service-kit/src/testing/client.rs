//! The HTTP client every service's tests call their app with: [`TestApp`] boxes the
//! actix service once, so no test names the `Service<Request, …>` bound; [`TestCall`]
//! builds a request (token, headers, JSON or raw body, a signature) and is awaited;
//! [`TestResponse`] holds the answer, with assertions that print the body when they fail.
//!
//! Signing is the service's business (Huawei SDK-HMAC, TC3, …): its test key type
//! implements [`SignRequest`] and the call asks it for headers once the request is
//! complete, so the order of the builder calls does not matter.
//!
//! ```ignore
//! let app = TestApp::init(my_svc::app::build(state, &parts)).await;
//! let body = app.get("/v1/p1/instances").token(&token).await.assert_ok().json();
//! app.delete("/v1/p2/instances/x").token(&token).await.assert_forbidden();
//! ```

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::rc::Rc;

use actix_http::Request;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::web::Bytes;
use actix_web::{test, App};
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use serde_json::Value;

use crate::auth::AUTH_TOKEN_HEADER;

type Dispatch =
    dyn Fn(Request) -> LocalBoxFuture<'static, Result<ServiceResponse<BoxBody>, actix_web::Error>>;

/// An initialised app under test. Cheap to clone: clones share the one service.
#[derive(Clone)]
pub struct TestApp {
    dispatch: Rc<Dispatch>,
}

impl TestApp {
    /// Initialises `app` as `actix_web::test::init_service` does.
    pub async fn init<T, B>(app: App<T>) -> TestApp
    where
        T: ServiceFactory<
                ServiceRequest,
                Config = (),
                Response = ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: MessageBody + 'static,
    {
        TestApp::from_service(test::init_service(app).await)
    }

    /// Wraps a service already initialised.
    pub fn from_service<S, B>(service: S) -> TestApp
    where
        S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
        B: MessageBody + 'static,
    {
        let service = Rc::new(service);
        TestApp {
            dispatch: Rc::new(move |req| {
                let service = service.clone();
                Box::pin(async move {
                    let res = service.call(req).await?;
                    Ok(res.map_into_boxed_body())
                })
            }),
        }
    }

    pub fn get(&self, uri: &str) -> TestCall<'_> {
        self.request(Method::GET, uri)
    }

    pub fn post(&self, uri: &str) -> TestCall<'_> {
        self.request(Method::POST, uri)
    }

    pub fn put(&self, uri: &str) -> TestCall<'_> {
        self.request(Method::PUT, uri)
    }

    pub fn patch(&self, uri: &str) -> TestCall<'_> {
        self.request(Method::PATCH, uri)
    }

    pub fn delete(&self, uri: &str) -> TestCall<'_> {
        self.request(Method::DELETE, uri)
    }

    /// A request with any method: a `Method`, or its name (`"HEAD"`, say, or one the
    /// service must refuse).
    pub fn request(&self, method: impl AsMethod, uri: &str) -> TestCall<'_> {
        TestCall {
            app: self,
            method: method.as_method(),
            uri: uri.to_string(),
            headers: Vec::new(),
            body: Body::None,
            signer: None,
        }
    }

    /// Sends a request built by hand (peer address, cookies, app data…).
    pub async fn call(&self, req: test::TestRequest) -> TestResponse {
        self.send(req.to_request()).await
    }

    /// Sends an `actix_http::Request`. An app renders its errors as responses; one that
    /// fails the call instead is a broken app, and the test panics as
    /// `actix_web::test::call_service` does.
    pub async fn send(&self, req: Request) -> TestResponse {
        let res = match (self.dispatch)(req).await {
            Ok(res) => res,
            Err(e) => panic!("the app failed the call: {e}"),
        };
        let status = res.status();
        let headers = res.headers().clone();
        TestResponse::read(status, headers, res.into_body()).await
    }
}

/// A method by value or by name (tests name them as the SDKs sign them: `"GET"`).
pub trait AsMethod {
    fn as_method(&self) -> Method;
}

impl AsMethod for Method {
    fn as_method(&self) -> Method {
        self.clone()
    }
}

impl AsMethod for &str {
    fn as_method(&self) -> Method {
        match Method::from_bytes(self.as_bytes()) {
            Ok(method) => method,
            Err(e) => panic!("{self:?} is no method: {e}"),
        }
    }
}

/// What a signature covers, handed to [`SignRequest::sign`].
pub struct Unsigned<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// The headers set on the call so far, in order.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// A credential the service's harness signs requests with: it returns the headers to
/// add (the `Authorization` header and whatever else its scheme signs or needs).
pub trait SignRequest {
    fn sign(&self, request: &Unsigned<'_>) -> Vec<(String, String)>;
}

impl<T: SignRequest + ?Sized> SignRequest for &T {
    fn sign(&self, request: &Unsigned<'_>) -> Vec<(String, String)> {
        (**self).sign(request)
    }
}

enum Body {
    None,
    Json(Value),
    Raw(Bytes),
}

/// A request being built; `.await` sends it.
#[must_use = "a call does nothing until it is awaited"]
pub struct TestCall<'a> {
    app: &'a TestApp,
    method: Method,
    uri: String,
    headers: Vec<(String, String)>,
    body: Body,
    signer: Option<Box<dyn SignRequest + 'a>>,
}

impl<'a> TestCall<'a> {
    /// Carries the IAM token (`X-Auth-Token`).
    pub fn token(self, token: &str) -> Self {
        self.header(AUTH_TOKEN_HEADER, token)
    }

    /// Sets a header (a later one of the same name replaces it).
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(mut self, body: &impl Serialize) -> Self {
        let value = match serde_json::to_value(body) {
            Ok(value) => value,
            Err(e) => panic!("the body is not JSON: {e}"),
        };
        self.body = Body::Json(value);
        self
    }

    /// Sets each of `headers`, in order.
    pub fn headers(mut self, headers: impl IntoIterator<Item = (String, String)>) -> Self {
        self.headers.extend(headers);
        self
    }

    /// A raw body, sent as given (with its `Content-Length`, and no content type of its
    /// own): text, bytes, even an empty one.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = Body::Raw(Bytes::copy_from_slice(body.as_ref()));
        self
    }

    /// Signed by `key` when sent, over the final method, path, query, headers and body.
    pub fn signed(mut self, key: impl SignRequest + 'a) -> Self {
        self.signer = Some(Box::new(key));
        self
    }

    /// The request as actix's test helpers build it.
    pub fn to_request(&self) -> test::TestRequest {
        let body: Bytes = match &self.body {
            Body::None => Bytes::new(),
            Body::Json(value) => Bytes::from(value.to_string()),
            Body::Raw(bytes) => bytes.clone(),
        };
        let mut headers = self.headers.clone();
        if let Some(signer) = &self.signer {
            let (path, query) = self.uri.split_once('?').unwrap_or((&self.uri, ""));
            headers.extend(signer.sign(&Unsigned {
                method: self.method.as_str(),
                path,
                query,
                headers: &self.headers,
                body: &body,
            }));
        }
        let mut req = test::TestRequest::default()
            .method(self.method.clone())
            .uri(&self.uri);
        for header in headers {
            req = req.insert_header(header);
        }
        match &self.body {
            Body::None => req,
            Body::Json(value) => req.set_json(value),
            Body::Raw(bytes) => req.set_payload(bytes.clone()),
        }
    }
}

impl<'a> IntoFuture for TestCall<'a> {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { self.app.call(self.to_request()).await })
    }
}

/// A response read whole: status, headers and body.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    async fn read(status: StatusCode, headers: HeaderMap, body: BoxBody) -> TestResponse {
        let body = match actix_web::body::to_bytes(body).await {
            Ok(bytes) => bytes,
            Err(e) => panic!("the response body could not be read: {e}"),
        };
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// A header's value, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON: `Null` when empty, a JSON string of the text when it is not JSON.
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body).unwrap_or_else(|_| Value::String(self.text()))
    }

    /// Status, JSON body (as [`json`](Self::json)) and headers.
    pub fn parts(self) -> (StatusCode, Value, HeaderMap) {
        let body = self.json();
        (self.status, body, self.headers)
    }

    /// Panics, showing the body, unless the status is `want`.
    pub fn assert_status(self, want: StatusCode) -> Self {
        assert_eq!(self.status, want, "body: {}", self.text());
        self
    }

    pub fn assert_ok(self) -> Self {
        self.assert_status(StatusCode::OK)
    }

    pub fn assert_created(self) -> Self {
        self.assert_status(StatusCode::CREATED)
    }

    pub fn assert_accepted(self) -> Self {
        self.assert_status(StatusCode::ACCEPTED)
    }

    pub fn assert_no_content(self) -> Self {
        self.assert_status(StatusCode::NO_CONTENT)
    }

    pub fn assert_bad_request(self) -> Self {
        self.assert_status(StatusCode::BAD_REQUEST)
    }

    pub fn assert_unauthorized(self) -> Self {
        self.assert_status(StatusCode::UNAUTHORIZED)
    }

    pub fn assert_forbidden(self) -> Self {
        self.assert_status(StatusCode::FORBIDDEN)
    }

    pub fn assert_not_found(self) -> Self {
        self.assert_status(StatusCode::NOT_FOUND)
    }

    pub fn assert_conflict(self) -> Self {
        self.assert_status(StatusCode::CONFLICT)
    }

    pub fn assert_too_many_requests(self) -> Self {
        self.assert_status(StatusCode::TOO_MANY_REQUESTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{web, HttpRequest, HttpResponse};
    use serde_json::json;

    async fn echo(req: HttpRequest, body: Bytes) -> HttpResponse {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        HttpResponse::Ok().json(json!({
            "method": req.method().as_str(),
            "uri": req.uri().to_string(),
            "token": header("x-auth-token"),
            "content_type": header("content-type"),
            "authorization": header("authorization"),
            "body": String::from_utf8_lossy(&body),
        }))
    }

    async fn app() -> TestApp {
        TestApp::init(
            App::new()
                .route("/echo", web::to(echo))
                .route("/gone", web::get().to(HttpResponse::NotFound)),
        )
        .await
    }

    /// Signs with the method, path, query and body it was shown.
    struct Seen;

    impl SignRequest for Seen {
        fn sign(&self, r: &Unsigned<'_>) -> Vec<(String, String)> {
            let body = String::from_utf8_lossy(r.body);
            let value = format!("{} {} {} {body}", r.method, r.path, r.query);
            vec![("Authorization".into(), value)]
        }
    }

    #[actix_web::test]
    async fn a_call_carries_its_token_headers_and_json_body() {
        let app = app().await;
        let got = app
            .post("/echo")
            .json(&json!({"a": 1}))
            .token("t0k")
            .await
            .assert_ok()
            .json();
        assert_eq!(got["method"], "POST");
        assert_eq!(got["token"], "t0k");
        assert_eq!(got["content_type"], "application/json");
        assert_eq!(got["body"], r#"{"a":1}"#);
    }

    #[actix_web::test]
    async fn the_signer_sees_the_finished_request() {
        let app = app().await;
        let got = app
            .request("PUT", "/echo?x=1")
            .signed(&Seen)
            .body("raw")
            .await
            .json();
        assert_eq!(got["authorization"], "PUT /echo x=1 raw");
        assert_eq!(got["content_type"], "");
    }

    #[actix_web::test]
    async fn an_empty_body_is_null_and_text_that_is_not_json_a_string() {
        let app = app().await;
        let gone = app.get("/gone").await.assert_not_found();
        assert_eq!(gone.json(), Value::Null);
        let res = app.get("/nowhere").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }

    #[actix_web::test]
    #[should_panic(expected = "body: {")]
    async fn a_failed_assertion_shows_the_body() {
        app().await.get("/echo").await.assert_forbidden();
    }
}
