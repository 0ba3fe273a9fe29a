//! Serving (监听与信号): the listener, SIGHUP reloads and graceful shutdown.

use super::{router, AppState};
use std::net::SocketAddr;

/// Serve until SIGINT/SIGTERM (graceful: in-flight requests finish). On Unix,
/// SIGHUP reloads the data source; a failed reload keeps the old data serving.
pub async fn serve(addr: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, data_version = %state.atlas().version(), "liuyu serving");
    #[cfg(unix)]
    {
        let st = state.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                return;
            };
            while hup.recv().await.is_some() {
                match tokio::task::spawn_blocking({
                    let st = st.clone();
                    move || st.reload()
                })
                .await
                {
                    Ok(Ok(v)) => tracing::info!(data_version = %v, "reloaded"),
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "reload failed; keeping the old data")
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "reload task failed; keeping the old data")
                    }
                }
            }
        });
    }
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
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
