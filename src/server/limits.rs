//! Limits and timeouts of the server (限额与超时), one place with their defaults.
//! `liuyu serve` sets them from its flags; docs/server.md explains each.

use std::time::Duration;

/// Every bound the server enforces.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Deadline of one request, body read and work included (`--request-timeout`):
    /// past it the answer is a 504 problem and the work is cancelled.
    pub request_timeout: Duration,
    /// Time to receive a request body once the head has arrived (`--body-timeout`): 408.
    pub body_timeout: Duration,
    /// Time to receive a complete request head, counted from the moment the
    /// connection is ready for one: covers slowloris heads and idle keep-alive
    /// connections (`--header-timeout`). The connection is closed.
    pub header_timeout: Duration,
    /// Largest request body in bytes: a larger `Content-Length` is refused with
    /// 413 before the body is read.
    pub body_limit: usize,
    /// Longest request target (path and query) in bytes: 414.
    pub max_uri_bytes: usize,
    /// Most request header fields: 431.
    pub max_headers: usize,
    /// Most bytes in all request header fields: 431.
    pub max_header_bytes: usize,
    /// Most open connections (`--max-connections`, also capped by the file
    /// descriptor limit); at the cap the oldest idle connection is closed, and
    /// when none is idle the new one is refused with a 503.
    pub max_connections: usize,
    /// CPU-heavy jobs running at once (`--heavy-workers`; analyses, exports,
    /// uncached tiles).
    pub heavy_workers: usize,
    /// CPU-heavy jobs waiting for a worker (`--heavy-queue`); beyond it: 503 + `Retry-After`.
    pub heavy_queue: usize,
    /// After SIGTERM/SIGINT, how long in-flight requests may finish (`--shutdown-timeout`);
    /// then the remaining work is cancelled and the process exits.
    pub shutdown_timeout: Duration,
    /// How long a reload (SIGHUP) may take before it counts as failed (`--reload-timeout`).
    pub reload_timeout: Duration,
}

/// File descriptors kept free for data files, the listener and the runtime.
pub const FD_RESERVE: u64 = 64;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            body_limit: super::BODY_LIMIT,
            max_uri_bytes: 8 * 1024,
            max_headers: 64,
            max_header_bytes: 32 * 1024,
            max_connections: 10_000,
            heavy_workers: default_heavy_workers(),
            heavy_queue: 32,
            shutdown_timeout: Duration::from_secs(15),
            reload_timeout: Duration::from_secs(60),
        }
    }
}

/// One worker per core but one, and at least one: a core stays free for the
/// cheap routes (`/health`, `/v1/locate`) while heavy work runs.
pub fn default_heavy_workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().saturating_sub(1).max(1))
        .unwrap_or(1)
}

/// Raises the soft limit on open files to the hard limit where the system
/// allows it, and returns the limit in force (`None`: unknown).
pub fn raise_fd_limit() -> Option<u64> {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    rlimit::getrlimit(rlimit::Resource::NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

impl Limits {
    /// These limits with `max_connections` lowered to fit `fd_limit` (minus
    /// [`FD_RESERVE`]): the server never runs out of file descriptors.
    pub fn fitted_to_fds(mut self, fd_limit: Option<u64>) -> Limits {
        if let Some(fds) = fd_limit {
            let room = fds.saturating_sub(FD_RESERVE).max(1);
            self.max_connections = self
                .max_connections
                .min(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_fit_the_descriptor_limit() {
        let l = Limits::default().fitted_to_fds(Some(1024));
        assert_eq!(l.max_connections, 1024 - FD_RESERVE as usize);
        let l = Limits::default().fitted_to_fds(Some(1_000_000));
        assert_eq!(l.max_connections, 10_000);
        let l = Limits::default().fitted_to_fds(Some(10));
        assert_eq!(l.max_connections, 1);
        assert!(Limits::default().heavy_workers >= 1);
    }
}
