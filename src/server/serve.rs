//! Serving (监听与信号): the listener, SIGHUP reloads, and shutdown on
//! SIGINT/SIGTERM with a deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::conn::{self, Connections};
use super::{router, AppState};

/// Serve on `addr` until SIGINT/SIGTERM. On Unix, SIGHUP reloads the data
/// (all or nothing, within the reload timeout; a failed reload keeps the old
/// data serving and shows in `/ready`).
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(
        %addr,
        data_version = %state.atlas().version(),
        max_connections = state.limits().max_connections,
        heavy_workers = state.pool().workers(),
        "liuyu serving"
    );
    #[cfg(unix)]
    reload_on_hangup(state.clone());
    serve_on(listener, state, shutdown_signal()).await;
    Ok(())
}

/// Serve on `listener` until `shutdown` completes; then stop accepting, let
/// requests in progress finish for at most the shutdown timeout, and cancel
/// the work still running. Returns whether every connection closed in time.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> bool {
    let conns = Arc::new(Connections::default());
    let c = conns.clone();
    state
        .metrics()
        .register("connections", move |e| c.expose(e));
    let drained = conn::run(
        listener,
        router(state.clone()),
        state.limits().clone(),
        conns,
        shutdown,
    )
    .await;
    if !drained {
        tracing::warn!(
            timeout_s = state.limits().shutdown_timeout.as_secs_f64(),
            "shutdown deadline passed; cancelling the work still running"
        );
    }
    state.pool().cancel_all();
    drained
}

/// Reloads on every SIGHUP, one at a time.
#[cfg(unix)]
fn reload_on_hangup(state: AppState) {
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::error!("cannot listen for SIGHUP; reloads are off");
            return;
        };
        while hup.recv().await.is_some() {
            // The outcome is logged and recorded for /ready by the state.
            let _ = state.reload_within(state.limits().reload_timeout).await;
        }
    });
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
