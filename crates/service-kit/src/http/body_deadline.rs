//! A deadline on reading a request's body. actix bounds the time a client may take to send
//! a request's head (`client_request_timeout`) but not its body, so a client sending a few
//! bytes a second would hold a connection and a handler forever. Every body, whichever
//! extractor or middleware reads it (JSON, raw bytes, a signature check, TCR's reader),
//! comes out of the request's payload stream; wrapping that stream once here bounds them
//! all.
//!
//! When the deadline passes the stream fails with a timed-out I/O error, which each reader
//! renders as its unreadable body: a 400 in the service's envelope.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::error::PayloadError;
use actix_http::Payload;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};
use actix_web::HttpMessage;
use futures_util::Stream;
use tokio::time::Sleep;

/// How long a body may take from the moment its request's head was read
/// (`server.body_timeout_ms`; app data that [`super::serve`] adds).
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub Duration);

/// Middleware: the request's payload fails once its [`BodyTimeout`] has passed.
pub async fn limit_body_time<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    if let Some(limit) = req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0) {
        match req.take_payload() {
            // No body at all: nothing to bound.
            Payload::None => {}
            payload => req.set_payload(Payload::from(
                Box::pin(Deadline::new(payload, limit)) as actix_http::BoxedPayloadStream
            )),
        }
    }
    next.call(req).await
}

/// `inner`, until `sleep` fires.
struct Deadline<S> {
    inner: S,
    sleep: Pin<Box<Sleep>>,
    expired: bool,
}

impl<S> Deadline<S> {
    fn new(inner: S, limit: Duration) -> Self {
        Deadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(limit)),
            expired: false,
        }
    }
}

impl<S> Stream for Deadline<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        // What has arrived is handed on first: a client that sent its body in time is
        // never refused because its reader came late.
        if let Poll::Ready(item) = Pin::new(&mut self.inner).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.sleep.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.expired = true;
        Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
            io::ErrorKind::TimedOut,
            "the request body was not received in time",
        )))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    #[actix_web::test]
    async fn a_stalled_body_fails_when_the_deadline_passes() {
        let stalled = futures_util::stream::pending::<Result<Bytes, PayloadError>>();
        let mut body = Deadline::new(stalled, Duration::from_millis(50));
        let err = body.next().await.unwrap().unwrap_err();
        assert!(err.to_string().contains("not received in time"), "{err}");
        assert!(body.next().await.is_none());
    }

    #[actix_web::test]
    async fn a_body_already_received_passes_after_the_deadline() {
        let sent = futures_util::stream::iter([Ok(Bytes::from_static(b"{}"))]);
        let mut body = Deadline::new(sent, Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(5)).await;
        assert_eq!(
            body.next().await.unwrap().unwrap(),
            Bytes::from_static(b"{}")
        );
        assert!(body.next().await.is_none());
    }
}
