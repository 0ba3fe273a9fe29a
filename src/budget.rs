//! 工作预算 (work budget): a deadline and a cancellation flag for CPU-heavy
//! work (footprint overlays, exports, uncached tiles), checked cooperatively
//! inside long loops so a request whose client has gone, or whose deadline has
//! passed, stops instead of occupying a core.
//!
//! A [`Budget`] is cheap to clone (clones share the flag). The HTTP layer makes
//! one per request and cancels it when the request future is dropped
//! ([`Budget::cancel_on_drop`]); the CLI uses [`Budget::unlimited`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Why work stopped before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Exhausted {
    /// The deadline passed (HTTP 503/504).
    #[error("the work did not finish within its deadline")]
    Deadline,
    /// The work was cancelled (its client disconnected, or the server is shutting down).
    #[error("the work was cancelled")]
    Cancelled,
}

/// A deadline plus a shared cancellation flag.
#[derive(Debug, Clone)]
pub struct Budget {
    deadline: Option<Instant>,
    cancelled: Arc<AtomicBool>,
}

impl Default for Budget {
    fn default() -> Self {
        Self::unlimited()
    }
}

impl Budget {
    /// No deadline, never cancelled unless [`Budget::cancel`] is called.
    pub fn unlimited() -> Self {
        Budget {
            deadline: None,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// A budget ending `within` from now.
    pub fn with_timeout(within: Duration) -> Self {
        Budget {
            deadline: Instant::now().checked_add(within),
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time left before the deadline (`None`: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Cancels the work (every clone sees it).
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Budget::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Ok` while the work may go on; the reason to stop otherwise. Cheap
    /// (one atomic load and, with a deadline, one clock read): call it every
    /// few hundred units of work.
    pub fn check(&self) -> Result<(), Exhausted> {
        if self.is_cancelled() {
            return Err(Exhausted::Cancelled);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(Exhausted::Deadline),
            _ => Ok(()),
        }
    }

    /// A guard that cancels this budget when dropped: hold it in the request
    /// future, so a disconnected client (the future is dropped) stops the
    /// blocking work it started. Call [`CancelOnDrop::disarm`] when the work
    /// has finished normally.
    pub fn cancel_on_drop(&self) -> CancelOnDrop {
        CancelOnDrop {
            budget: Some(self.clone()),
        }
    }
}

/// Cancels its budget when dropped, unless disarmed.
#[derive(Debug)]
pub struct CancelOnDrop {
    budget: Option<Budget>,
}

impl CancelOnDrop {
    /// The work finished: dropping the guard no longer cancels.
    pub fn disarm(mut self) {
        self.budget = None;
    }
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(b) = self.budget.take() {
            b.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlimited_runs_until_cancelled_and_clones_share_the_flag() {
        let b = Budget::unlimited();
        assert_eq!(b.check(), Ok(()));
        let c = b.clone();
        c.cancel();
        assert_eq!(b.check(), Err(Exhausted::Cancelled));
    }

    #[test]
    fn a_passed_deadline_stops_the_work() {
        let b = Budget::with_timeout(Duration::ZERO);
        assert_eq!(b.check(), Err(Exhausted::Deadline));
        assert_eq!(b.remaining(), Some(Duration::ZERO));
        let long = Budget::with_timeout(Duration::from_secs(3600));
        assert_eq!(long.check(), Ok(()));
    }

    #[test]
    fn the_guard_cancels_on_drop_unless_disarmed() {
        let b = Budget::unlimited();
        drop(b.cancel_on_drop());
        assert!(b.is_cancelled());
        let b = Budget::unlimited();
        b.cancel_on_drop().disarm();
        assert!(!b.is_cancelled());
    }
}
