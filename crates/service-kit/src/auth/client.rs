//! The HTTP client for calls to iam-svc's (and lakeformation-svc's) internal API.

use std::time::Duration;

use actix_web::web::Bytes;
use awc::error::{PayloadError, SendRequestError};
use futures_util::Stream;

/// How long one internal call may take, connecting, a retry and the answer's body
/// included.
const TIMEOUT: Duration = Duration::from_secs(5);

/// How long an idle kept connection is reused: under the services' own keep-alive (actix
/// closes an idle connection after 5 s), so a call rarely finds its connection closed by
/// the other end.
const KEEP_ALIVE: Duration = Duration::from_secs(3);

/// This thread's client. Its pool keeps connections to the issuers open between calls (an
/// idle one is checked before reuse, and dropped after awc's keep-alive), so a signed
/// request costs one request on an open connection, not a TCP connection, a host lookup on
/// the blocking pool and a teardown. awc clients cannot move between threads, so each
/// worker thread has its own.
pub(super) fn client() -> awc::Client {
    thread_local! {
        static CLIENT: awc::Client = awc::Client::builder()
            .connector(awc::Connector::new().conn_keep_alive(KEEP_ALIVE))
            .timeout(TIMEOUT)
            .finish();
    }
    CLIENT.with(awc::Client::clone)
}

/// POST `body` as JSON with the internal credential. A call that could not get a
/// connection (the kept one was closed by the other end meanwhile) was never sent, so it
/// is tried once more on a new one; anything else is the caller's to judge.
pub(super) async fn post_json<Q: serde::Serialize>(
    url: &str,
    credential: &super::InternalCredential,
    body: &Q,
) -> Result<awc::ClientResponse<impl Stream<Item = Result<Bytes, PayloadError>>>, SendRequestError>
{
    let send = || {
        client()
            .post(url)
            .insert_header((super::INTERNAL_TOKEN_HEADER, credential.expose()))
            .send_json(body)
    };
    match send().await {
        Err(SendRequestError::Connect(_)) => send().await,
        other => other,
    }
}

/// Run one internal call, reading its answer's body included, within [`TIMEOUT`], or
/// fail it with `timed_out()`. awc's own timeout stops at the answer's head (and starts
/// again for a retry): a peer that sends its headers and then trickles or stalls the
/// body would otherwise hold the caller for as long as it likes.
pub(super) async fn bounded<T, E>(
    call: impl std::future::Future<Output = Result<T, E>>,
    timed_out: impl FnOnce(String) -> E,
) -> Result<T, E> {
    match actix_web::rt::time::timeout(TIMEOUT, call).await {
        Ok(answer) => answer,
        Err(_) => Err(timed_out(format!(
            "no complete answer within {} s",
            TIMEOUT.as_secs()
        ))),
    }
}
