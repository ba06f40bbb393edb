//! The HTTP client for calls to iam-svc's (and lakeformation-svc's) internal API.

use std::time::Duration;

/// How long one internal call may take, connecting included.
const TIMEOUT: Duration = Duration::from_secs(5);

/// This thread's client. Its pool keeps connections to the issuers open between calls (an
/// idle one is checked before reuse, and dropped after awc's keep-alive), so a signed
/// request costs one request on an open connection, not a TCP connection, a host lookup on
/// the blocking pool and a teardown. awc clients cannot move between threads, so each
/// worker thread has its own.
pub(super) fn client() -> awc::Client {
    thread_local! {
        static CLIENT: awc::Client = awc::Client::builder().timeout(TIMEOUT).finish();
    }
    CLIENT.with(awc::Client::clone)
}
