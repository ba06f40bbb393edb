//! A limit on a request's head of our own, below actix's. actix-http reads a head of up
//! to 128 KiB (and 96 headers) before it answers 431; no client of these APIs needs a
//! tenth of that (the largest header, a security token, is a few KiB) and the load
//! balancers in front pass far less (HAProxy's whole buffer is 16 KiB by default). A head
//! over [`MAX_HEAD_BYTES`] is refused before any handler, extractor or signature check
//! spends time on it.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpResponse;

/// The largest request head accepted: request line and headers, as sent.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Middleware: a head over [`MAX_HEAD_BYTES`] gets 431 and its connection is closed.
pub async fn limit_head_size<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if head_size(&req) > MAX_HEAD_BYTES {
        let refusal = HttpResponse::build(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
            .force_close()
            .finish();
        return Ok(req.into_response(refusal).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// The bytes of the request line and headers as the client sent them (give or take the
/// spaces it chose).
fn head_size(req: &ServiceRequest) -> usize {
    // "METHOD URI HTTP/1.1\r\n", then "name: value\r\n" per header, then "\r\n".
    let target = req.uri().path_and_query().map_or(1, |pq| pq.as_str().len());
    let line = req.method().as_str().len() + target + 12;
    let headers: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    line + headers + 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_head_is_counted_as_sent() {
        let req = TestRequest::get()
            .uri("/v2/p/instances?limit=5")
            .insert_header(("x-auth-token", "abc"))
            .to_srv_request();
        // "GET /v2/p/instances?limit=5 HTTP/1.1\r\n" + "x-auth-token: abc\r\n" + "\r\n"
        assert_eq!(head_size(&req), 38 + 19 + 2);
    }

    #[actix_web::test]
    async fn a_head_over_the_limit_is_refused_with_431() {
        use actix_web::middleware::from_fn;
        use actix_web::{test, web, App};
        let app = test::init_service(
            App::new()
                .wrap(from_fn(limit_head_size))
                .route("/", web::get().to(HttpResponse::Ok)),
        )
        .await;
        let fits = TestRequest::get()
            .insert_header(("x-fill", "a".repeat(MAX_HEAD_BYTES - 100)))
            .to_request();
        assert_eq!(
            test::call_service(&app, fits).await.status(),
            StatusCode::OK
        );
        let over = TestRequest::get()
            .insert_header(("x-fill", "a".repeat(MAX_HEAD_BYTES)))
            .to_request();
        assert_eq!(
            test::call_service(&app, over).await.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
    }
}
