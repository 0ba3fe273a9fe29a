//! Connections (连接管理): the accept loop over hyper's HTTP/1.1 server.
//!
//! - A request head must arrive within `header_timeout` of the connection
//!   being ready for one (hyper's header-read timer): slowloris heads, idle
//!   keep-alive connections and connections that never send anything are closed.
//! - At most `max_connections` are open (also kept under the file descriptor
//!   limit). At the cap the oldest idle connection (no request in progress) is
//!   closed to make room; when every connection is busy the new one gets a
//!   503 problem and is closed. Accepting never stops, so `/health` answers
//!   through a flood of idle connections.
//! - Shutdown: stop accepting, let each connection finish its request in
//!   progress (idle ones close at once), wait at most `shutdown_timeout`, then
//!   cancel the remaining work.
//!
//! Choice: hyper's own connection builder (through hyper-util's tokio glue)
//! rather than `axum::serve`, which has no header timeout, no connection cap
//! and no shutdown deadline.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

use super::limits::Limits;
use super::metrics::Exposition;

/// Largest request head hyper reads (its 431 beyond; our own, smaller limits
/// answer problem+json first).
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// One open connection.
#[derive(Default)]
struct Slot {
    busy: AtomicUsize,
    evicting: std::sync::atomic::AtomicBool,
    evict: Notify,
}

/// Open connections and their counts.
#[derive(Default)]
pub struct Connections {
    slots: Mutex<BTreeMap<u64, Arc<Slot>>>,
    next: AtomicU64,
    accepted: AtomicU64,
    evicted: AtomicU64,
    refused: AtomicU64,
    accept_errors: AtomicU64,
    closed: Notify,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("open", &self.open())
            .finish()
    }
}

/// Removes a connection's slot when its task ends.
struct Open {
    conns: Arc<Connections>,
    id: u64,
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut slots = self.conns.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.remove(&self.id);
        if slots.is_empty() {
            self.conns.closed.notify_waiters();
        }
    }
}

/// Counts a request in progress on its connection while alive.
struct Busy(Arc<Slot>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Connections {
    /// Open connections now.
    pub fn open(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Writes the connection families for `/metrics`.
    pub fn expose(&self, e: &mut Exposition) {
        e.gauge(
            "liuyu_connections_open",
            "Open client connections.",
            self.open() as f64,
        );
        let c = |a: &AtomicU64| a.load(Ordering::Relaxed) as f64;
        e.counter(
            "liuyu_connections_accepted_total",
            "Connections accepted.",
            c(&self.accepted),
        );
        e.counter(
            "liuyu_connections_evicted_total",
            "Idle connections closed to make room at the connection cap.",
            c(&self.evicted),
        );
        e.counter(
            "liuyu_connections_refused_total",
            "Connections refused with a 503 because every open connection was busy.",
            c(&self.refused),
        );
        e.counter(
            "liuyu_accept_errors_total",
            "Failed accept calls.",
            c(&self.accept_errors),
        );
    }

    /// Makes room for one more connection: `true` when there is room (an idle
    /// connection may have been told to close), `false` when all are busy.
    fn make_room(&self, cap: usize) -> bool {
        let slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        if slots.len() < cap {
            return true;
        }
        let idle = slots
            .values()
            .find(|s| s.busy.load(Ordering::Relaxed) == 0 && !s.evicting.load(Ordering::Relaxed));
        match idle {
            Some(s) => {
                s.evicting.store(true, Ordering::Relaxed);
                s.evict.notify_one();
                self.evicted.fetch_add(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    fn register(self: &Arc<Self>) -> (Open, Arc<Slot>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot::default());
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, slot.clone());
        self.accepted.fetch_add(1, Ordering::Relaxed);
        (
            Open {
                conns: self.clone(),
                id,
            },
            slot,
        )
    }

    /// Tells every connection to finish its request in progress and close.
    fn close_all(&self) {
        for s in self
            .slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
        {
            s.evict.notify_one();
        }
    }

    /// Waits until no connection is open.
    async fn drained(&self) {
        loop {
            let wait = self.closed.notified();
            if self.open() == 0 {
                return;
            }
            wait.await;
        }
    }
}

/// The answer to a connection refused at the cap (written raw: no request was read).
fn refusal() -> Vec<u8> {
    let body = r#"{"type":"/problems/overloaded","title":"Service Unavailable","status":503,"detail":"too many open connections; retry later","retry_after_s":1}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n\
         content-length: {}\r\nretry-after: 1\r\nx-content-type-options: nosniff\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn refuse(conns: &Connections, mut stream: TcpStream) {
    conns.refused.fetch_add(1, Ordering::Relaxed);
    tokio::spawn(async move {
        let write = async {
            stream.write_all(&refusal()).await?;
            stream.shutdown().await
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), write).await;
    });
}

fn builder(limits: &Limits) -> hyper::server::conn::http1::Builder {
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_HEAD_BYTES.max(8192) * 2)
        .keep_alive(true);
    b
}

/// Serves one connection until it ends, closing it early when evicted or at shutdown.
async fn connection(
    stream: TcpStream,
    app: Router,
    http: Arc<hyper::server::conn::http1::Builder>,
    slot: Arc<Slot>,
    open: Open,
    mut stop: watch::Receiver<bool>,
) {
    let s = slot.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        s.busy.fetch_add(1, Ordering::Relaxed);
        let busy = Busy(s.clone());
        let app = app.clone();
        async move {
            let res = app.oneshot(req).await;
            drop(busy);
            res
        }
    });
    let conn = http.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    tracing::debug!(error = %e, "connection ended");
                }
                break;
            }
            _ = slot.evict.notified(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            _ = stop.changed(), if !closing => {
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
    drop(open);
}

/// Accepts and serves connections on `listener` until `shutdown` completes,
/// then drains them for at most `limits.shutdown_timeout`. Returns whether
/// every connection closed in time.
pub async fn run(
    listener: TcpListener,
    app: Router,
    limits: Arc<Limits>,
    conns: Arc<Connections>,
    shutdown: impl Future<Output = ()>,
) -> bool {
    let http = Arc::new(builder(&limits));
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    if !conns.make_room(limits.max_connections) {
                        refuse(&conns, stream);
                        continue;
                    }
                    let (open, slot) = conns.register();
                    tokio::spawn(connection(stream, app.clone(), http.clone(), slot, open, stop_rx.clone()));
                }
                Err(e) => {
                    // EMFILE and the like: back off a little instead of spinning.
                    conns.accept_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    conns.close_all();
    tokio::time::timeout(limits.shutdown_timeout, conns.drained())
        .await
        .is_ok()
}
