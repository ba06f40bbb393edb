//! Stopping without dropping a request: on SIGTERM (or SIGINT) the service first tells
//! its load balancer it is going (`/readyz` answers 503 "draining"), keeps serving for
//! `server.drain_ms` while the balancer stops sending it new requests, and asks every
//! client it answers meanwhile to reconnect elsewhere (`Connection: close`). Then the
//! listener closes and requests in flight get `server.shutdown_timeout_seconds` to
//! finish. A second signal at any point stops at once, as operators expect.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use actix_http::ConnectionType;
use actix_web::body::MessageBody;
use actix_web::dev::{ServerHandle, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use futures_util::{Stream, StreamExt};

/// Whether the service still wants new requests: one value per server, shared by
/// `/readyz` and the `Connection: close` middleware (app data that [`super::serve`] adds).
#[derive(Debug, Default)]
pub struct Readiness {
    draining: AtomicBool,
}

impl Readiness {
    /// True from the first stop signal on.
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }
}

/// Middleware: while draining, every answer closes its connection, so keep-alive clients
/// and proxies open their next request on another replica instead of this one's
/// closing listener.
pub async fn close_when_draining<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let readiness = req.app_data::<web::Data<Readiness>>().cloned();
    let mut res = next.call(req).await?;
    // Read after the handler: a request that began before the signal still closes.
    if readiness.is_some_and(|r| r.is_draining()) {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

/// The signals that stop the service; each item is one signal received.
pub type StopSignals = std::pin::Pin<Box<dyn Stream<Item = &'static str>>>;

/// SIGTERM and SIGINT, merged. Registered at once, so a signal that arrives while the
/// server is starting is not lost (nor does it kill the process).
pub fn os_signals() -> Result<StopSignals, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let listen = |kind: SignalKind, name: &'static str| {
        signal(kind)
            .map(|mut s| {
                futures_util::stream::poll_fn(move |cx| s.poll_recv(cx)).map(move |_| name)
            })
            .map_err(|e| format!("cannot listen for {name}: {e}"))
    };
    let term = listen(SignalKind::terminate(), "SIGTERM")?;
    let int = listen(SignalKind::interrupt(), "SIGINT")?;
    Ok(Box::pin(futures_util::stream::select(term, int)))
}

/// Run the stop sequence on `handle` as `signals` arrive. Returns only when a signal
/// comes after the server was told to stop gracefully: the caller then drops the server,
/// which stops its workers at once.
pub async fn drive(
    name: &str,
    mut signals: StopSignals,
    readiness: web::Data<Readiness>,
    handle: ServerHandle,
    drain: Duration,
) {
    let Some(first) = signals.next().await else {
        return std::future::pending().await;
    };
    readiness.start_draining();
    log::info!(
        "{name}: {first} received; /readyz answers 503 for {} ms, then the listener closes",
        drain.as_millis()
    );
    // A stream that ends (no more signals can come) leaves the drain to run its course.
    let forced = tokio::select! {
        () = tokio::time::sleep(drain) => false,
        Some(second) = signals.next() => {
            log::warn!("{name}: {second} received while draining; stopping now");
            true
        }
    };
    // The command is sent by the call; the future it returns only waits for the end,
    // which the server's own future reports.
    drop(handle.stop(!forced));
    if forced {
        return std::future::pending().await;
    }
    log::info!("{name}: drained; the listener closes and requests in flight finish");
    match signals.next().await {
        Some(next) => log::warn!("{name}: {next} received while stopping; stopping now"),
        None => std::future::pending().await,
    }
}
