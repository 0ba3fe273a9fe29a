//! `/metrics` (监控指标) in the Prometheus text exposition format 0.0.4:
//! requests by route template, method and status; latency histograms per
//! route; requests in flight; and whatever the parts of the server register as
//! collectors (the work pool, connections, reloads, the tile cache).
//!
//! Choice: a small registry of our own (counters, gauges, one histogram
//! family) instead of a crate. `prometheus-client` writes only OpenMetrics
//! (`# EOF`, `_total` added to counter families), `prometheus` brings protobuf
//! and global state, and `metrics-exporter-prometheus` its own HTTP stack;
//! the format we need is a few lines of text. CI parses the output with the
//! Prometheus project's own Python parser.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// Upper bounds (seconds) of the latency histogram buckets.
pub const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Media type of the text exposition format.
pub const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    sum: f64,
    count: u64,
}

type Collector = (&'static str, Box<dyn Fn(&mut Exposition) + Send + Sync>);

/// The registry.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    in_flight: Arc<AtomicI64>,
    collectors: RwLock<Vec<Collector>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Decrements the in-flight gauge when the request ends.
pub struct InFlight(Arc<AtomicI64>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Methods are labels: anything outside the standard set is `other`, so a
/// client cannot grow the registry without bound.
fn method_label(m: &str) -> &'static str {
    match m {
        "GET" => "GET",
        "HEAD" => "HEAD",
        "POST" => "POST",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        _ => "other",
    }
}

impl Metrics {
    /// An empty registry.
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Counts a request as in flight until the guard drops.
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.in_flight.clone())
    }

    /// Records one answered request (`route` is the route template).
    pub fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let key = (route.to_string(), method_label(method), status);
        *lock(&self.requests).entry(key).or_default() += 1;
        let s = took.as_secs_f64();
        let mut lat = lock(&self.latency);
        let h = lat.entry(route.to_string()).or_default();
        for (b, le) in h.buckets.iter_mut().zip(LATENCY_BUCKETS) {
            if s <= le {
                *b += 1;
            }
        }
        h.sum += s;
        h.count += 1;
    }

    /// Adds a collector, called on every scrape to write its families; it
    /// replaces the collector registered under the same `name` before.
    pub fn register(
        &self,
        name: &'static str,
        collector: impl Fn(&mut Exposition) + Send + Sync + 'static,
    ) {
        let mut all = self.collectors.write().unwrap_or_else(|p| p.into_inner());
        all.retain(|(n, _)| *n != name);
        all.push((name, Box::new(collector)));
    }

    /// The whole exposition text.
    pub fn render(&self) -> String {
        let mut e = Exposition::default();
        let requests = lock(&self.requests).clone();
        e.family(
            "liuyu_http_requests_total",
            "counter",
            "Requests answered, by route template, method and status.",
        );
        for ((route, method, status), n) in &requests {
            let status = status.to_string();
            e.sample(
                "liuyu_http_requests_total",
                &[("route", route), ("method", method), ("status", &status)],
                *n as f64,
            );
        }
        self.render_latency(&mut e);
        e.gauge(
            "liuyu_http_requests_in_flight",
            "Requests being handled now.",
            self.in_flight.load(Ordering::Relaxed) as f64,
        );
        for (_, c) in self
            .collectors
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            c(&mut e);
        }
        e.text
    }

    fn render_latency(&self, e: &mut Exposition) {
        let name = "liuyu_http_request_duration_seconds";
        e.family(name, "histogram", "Time to answer, by route template.");
        for (route, h) in lock(&self.latency).iter() {
            for (n, le) in h.buckets.iter().zip(LATENCY_BUCKETS) {
                let le = le.to_string();
                e.sample(
                    &format!("{name}_bucket"),
                    &[("route", route), ("le", &le)],
                    *n as f64,
                );
            }
            e.sample(
                &format!("{name}_bucket"),
                &[("route", route), ("le", "+Inf")],
                h.count as f64,
            );
            e.sample(&format!("{name}_sum"), &[("route", route)], h.sum);
            e.sample(
                &format!("{name}_count"),
                &[("route", route)],
                h.count as f64,
            );
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Text being written for one scrape.
#[derive(Debug, Default)]
pub struct Exposition {
    text: String,
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Exposition {
    /// Starts a family: its `# HELP` and `# TYPE` lines.
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    /// One sample line.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.text.push_str(name);
        if !labels.is_empty() {
            let inner: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
                .collect();
            let _ = write!(self.text, "{{{}}}", inner.join(","));
        }
        let _ = writeln!(self.text, " {value}");
    }

    /// A family with one unlabelled gauge sample.
    pub fn gauge(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "gauge", help);
        self.sample(name, &[], value);
    }

    /// A family with one unlabelled counter sample.
    pub fn counter(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "counter", help);
        self.sample(name, &[], value);
    }
}

/// Handler of `/metrics`.
pub async fn metrics(State(m): State<Arc<Metrics>>) -> Response {
    ([(header::CONTENT_TYPE, TEXT_FORMAT)], m.render()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_format_with_labels_histograms_and_collectors() {
        let m = Metrics::new();
        m.observe_request("/v1/locate", "GET", 200, Duration::from_millis(3));
        m.observe_request("/v1/locate", "GET", 200, Duration::from_millis(30));
        m.observe_request("unmatched", "BREW", 404, Duration::from_micros(10));
        m.register("test", |e| e.counter("liuyu_test_total", "Old.", 1.0));
        m.register("test", |e| {
            e.counter("liuyu_test_total", "A \"test\".", 2.0)
        });
        let _f = m.in_flight();
        let t = m.render();
        assert!(t.contains(
            "liuyu_http_requests_total{route=\"/v1/locate\",method=\"GET\",status=\"200\"} 2\n"
        ));
        assert!(t.contains("method=\"other\",status=\"404\"} 1"));
        assert!(t.contains(
            "liuyu_http_request_duration_seconds_bucket{route=\"/v1/locate\",le=\"0.005\"} 1\n"
        ));
        assert!(t.contains(
            "liuyu_http_request_duration_seconds_bucket{route=\"/v1/locate\",le=\"0.05\"} 2\n"
        ));
        assert!(t.contains(
            "liuyu_http_request_duration_seconds_bucket{route=\"/v1/locate\",le=\"+Inf\"} 2\n"
        ));
        assert!(t.contains("liuyu_http_request_duration_seconds_count{route=\"/v1/locate\"} 2\n"));
        assert!(t.contains("liuyu_http_requests_in_flight 1\n"));
        assert!(t.contains("# TYPE liuyu_test_total counter\nliuyu_test_total 2\n"));
        assert_eq!(
            t.matches("liuyu_test_total").count(),
            3,
            "replaced, not added"
        );
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
