//! Request counters and a latency histogram, rendered in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Process-wide request metrics; share one instance between all workers.
pub struct Metrics {
    service: &'static str,
    started: Instant,
    in_flight: AtomicI64,
    /// Responses by status class: 1xx..5xx.
    by_class: [AtomicU64; 5],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    /// Metrics labelled with the service name.
    pub fn new(service: &'static str) -> Self {
        Metrics {
            service,
            started: Instant::now(),
            in_flight: AtomicI64::new(0),
            by_class: Default::default(),
            buckets: Default::default(),
            count: AtomicU64::new(0),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub(crate) fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn request_finished(&self, status: u16, elapsed: Duration) {
        self.in_flight.fetch_sub(1, Ordering::Relaxed);
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.by_class[class].fetch_add(1, Ordering::Relaxed);
        let secs = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// The Prometheus exposition text, with the pool's state appended by the caller.
    pub fn render(&self, pool: Option<r2d2::State>) -> String {
        let svc = self.service;
        let mut out = String::new();
        let _ = writeln!(out, "# TYPE process_uptime_seconds gauge");
        let _ = writeln!(
            out,
            "process_uptime_seconds{{service=\"{svc}\"}} {:.3}",
            self.started.elapsed().as_secs_f64()
        );
        let _ = writeln!(out, "# TYPE http_requests_in_flight gauge");
        let _ = writeln!(
            out,
            "http_requests_in_flight{{service=\"{svc}\"}} {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(out, "# TYPE http_responses_total counter");
        for (i, counter) in self.by_class.iter().enumerate() {
            let _ = writeln!(
                out,
                "http_responses_total{{service=\"{svc}\",class=\"{}xx\"}} {}",
                i + 1,
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(out, "# TYPE http_request_duration_seconds histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{service=\"{svc}\",le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "http_request_duration_seconds_bucket{{service=\"{svc}\",le=\"+Inf\"}} {count}"
        );
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            out,
            "http_request_duration_seconds_sum{{service=\"{svc}\"}} {sum:.6}"
        );
        let _ = writeln!(
            out,
            "http_request_duration_seconds_count{{service=\"{svc}\"}} {count}"
        );
        if let Some(state) = pool {
            let _ = writeln!(out, "# TYPE db_pool_connections gauge");
            let _ = writeln!(
                out,
                "db_pool_connections{{service=\"{svc}\"}} {}",
                state.connections
            );
            let _ = writeln!(out, "# TYPE db_pool_idle_connections gauge");
            let _ = writeln!(
                out,
                "db_pool_idle_connections{{service=\"{svc}\"}} {}",
                state.idle_connections
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_land_in_their_class_and_buckets() {
        let m = Metrics::new("t");
        m.request_started();
        m.request_finished(404, Duration::from_millis(3));
        let text = m.render(None);
        assert!(
            text.contains("http_responses_total{service=\"t\",class=\"4xx\"} 1"),
            "{text}"
        );
        assert!(text.contains("le=\"0.0025\"} 0"), "{text}");
        assert!(text.contains("le=\"0.005\"} 1"), "{text}");
        assert!(
            text.contains("http_requests_in_flight{service=\"t\"} 0"),
            "{text}"
        );
    }
}
