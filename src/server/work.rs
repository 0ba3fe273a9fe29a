//! 有界工作池 (the bounded pool for CPU-heavy work): analyses, exports and
//! uncached tiles run here, at most `workers` at once, with at most `queue`
//! requests waiting; a request beyond that is shed at once with a 503 and
//! `Retry-After` instead of piling up. Every job carries its request's
//! [`Budget`]: it does not start when the budget is already spent, waiting for
//! a worker ends at the deadline (504), and the budget is cancelled when the
//! request ends early (deadline, client gone, shutdown) so cooperative loops
//! (`budget.check()?`) stop. A worker stays occupied until its job returns, so
//! even a job that never checks its budget cannot push the pool past its bound.
//!
//! Choice: a tokio [`Semaphore`] in front of `spawn_blocking` rather than a
//! second thread pool crate: tokio is already here, its blocking threads are
//! reused, and the semaphore is the whole bound.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::problem::Problem;
use crate::budget::{Budget, Exhausted};

/// How jobs ended, for `/metrics`.
#[derive(Debug, Default)]
pub struct WorkCounts {
    /// Jobs that ran to the end.
    pub completed: AtomicU64,
    /// Jobs refused because the queue was full.
    pub shed: AtomicU64,
    /// Jobs stopped or never started because their deadline passed.
    pub deadline: AtomicU64,
    /// Jobs stopped because they were cancelled (client gone, shutdown).
    pub cancelled: AtomicU64,
    /// Jobs that panicked (a bug; answered 500).
    pub panicked: AtomicU64,
}

/// The pool.
pub struct WorkPool {
    permits: Arc<Semaphore>,
    workers: usize,
    max_queue: usize,
    queued: AtomicUsize,
    running: Arc<AtomicUsize>,
    /// Exponential average of job run time, microseconds (for `Retry-After`).
    avg_us: Arc<AtomicU64>,
    active: Arc<Mutex<HashMap<u64, Budget>>>,
    next_id: AtomicU64,
    /// Outcome counters.
    pub counts: Arc<WorkCounts>,
}

impl std::fmt::Debug for WorkPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkPool")
            .field("workers", &self.workers)
            .field("max_queue", &self.max_queue)
            .field("running", &self.running())
            .field("queued", &self.queued())
            .finish()
    }
}

/// Leaves the queue when dropped (the waiting request ended or got a worker).
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl WorkPool {
    /// A pool of `workers` (at least 1) with room for `max_queue` waiting jobs.
    pub fn new(workers: usize, max_queue: usize) -> WorkPool {
        let workers = workers.max(1);
        WorkPool {
            permits: Arc::new(Semaphore::new(workers)),
            workers,
            max_queue,
            queued: AtomicUsize::new(0),
            running: Arc::new(AtomicUsize::new(0)),
            avg_us: Arc::new(AtomicU64::new(0)),
            active: Arc::new(Mutex::new(HashMap::new())),
            next_id: AtomicU64::new(0),
            counts: Arc::new(WorkCounts::default()),
        }
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Relaxed)
    }

    /// Jobs waiting for a worker now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// The queue bound.
    pub fn max_queue(&self) -> usize {
        self.max_queue
    }

    /// Cancels every running job's budget (shutdown deadline reached).
    pub fn cancel_all(&self) {
        let active = self.active.lock().unwrap_or_else(|p| p.into_inner());
        for b in active.values() {
            b.cancel();
        }
    }

    /// Seconds a shed client should wait: the time for the queue ahead of it
    /// to drain at the observed job time, 1 to 30 s.
    fn retry_after(&self) -> u64 {
        let avg = Duration::from_micros(self.avg_us.load(Ordering::Relaxed));
        let rounds = (self.queued() + self.running()) as u32 / self.workers as u32 + 1;
        (avg * rounds).as_secs().clamp(1, 30)
    }

    fn spent(&self, why: Exhausted, limit: Duration) -> Problem {
        match why {
            Exhausted::Deadline => &self.counts.deadline,
            Exhausted::Cancelled => &self.counts.cancelled,
        }
        .fetch_add(1, Ordering::Relaxed);
        Problem::exhausted(why, limit)
    }

    /// A worker, waiting in the queue when none is free; sheds when the queue
    /// is full and gives up at the budget's deadline.
    async fn permit(
        &self,
        budget: &Budget,
        limit: Duration,
    ) -> Result<OwnedSemaphorePermit, Problem> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Ok(p);
        }
        if self.queued.fetch_add(1, Ordering::Relaxed) >= self.max_queue {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            self.counts.shed.fetch_add(1, Ordering::Relaxed);
            return Err(Problem::overloaded(
                format!(
                    "all {} workers are busy and {} requests are waiting; retry later",
                    self.workers, self.max_queue
                ),
                self.retry_after(),
            ));
        }
        let _queued = Queued(&self.queued);
        let wait = self.permits.clone().acquire_owned();
        let permit = match budget.remaining() {
            Some(left) => tokio::time::timeout(left, wait)
                .await
                .map_err(|_| self.spent(Exhausted::Deadline, limit))?,
            None => wait.await,
        };
        permit.map_err(|_| Problem::unavailable("the server is shutting down"))
    }

    /// Runs `job` on a worker under `budget` (whose deadline is `limit` after
    /// the request began). The job's own error type stays inside `T`.
    pub async fn run<T, F>(&self, budget: &Budget, limit: Duration, job: F) -> Result<T, Problem>
    where
        F: FnOnce(&Budget) -> T + Send + 'static,
        T: Send + 'static,
    {
        budget.check().map_err(|why| self.spent(why, limit))?;
        let permit = self.permit(budget, limit).await?;
        budget.check().map_err(|why| self.spent(why, limit))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (active, running, avg, b) = (
            self.active.clone(),
            self.running.clone(),
            self.avg_us.clone(),
            budget.clone(),
        );
        active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, b.clone());
        running.fetch_add(1, Ordering::Relaxed);
        let handle = tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&b)));
            let took = started.elapsed().as_micros() as u64;
            let old = avg.load(Ordering::Relaxed);
            avg.store(
                if old == 0 { took } else { (old * 7 + took) / 8 },
                Ordering::Relaxed,
            );
            active.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
            running.fetch_sub(1, Ordering::Relaxed);
            drop(permit);
            out
        });
        match handle.await {
            Ok(Ok(v)) => {
                // A job that stopped at its budget's check returns normally
                // with its own error: not a completion (the handler's
                // `exhausted` counts it under deadline or cancelled).
                if budget.check().is_ok() {
                    self.counts.completed.fetch_add(1, Ordering::Relaxed);
                }
                Ok(v)
            }
            _ => {
                self.counts.panicked.fetch_add(1, Ordering::Relaxed);
                Err(Problem::internal("the work failed (a bug; it is logged)"))
            }
        }
    }
}

/// Writes the pool's families for `/metrics`.
pub fn expose(pool: &WorkPool, e: &mut super::metrics::Exposition) {
    e.gauge(
        "liuyu_work_running",
        "CPU-heavy jobs running now.",
        pool.running() as f64,
    );
    e.gauge(
        "liuyu_work_queued",
        "CPU-heavy jobs waiting for a worker.",
        pool.queued() as f64,
    );
    e.gauge(
        "liuyu_work_workers",
        "Workers of the pool.",
        pool.workers() as f64,
    );
    let c = &pool.counts;
    e.counter(
        "liuyu_work_shed_total",
        "Requests shed with 503 because the queue was full.",
        c.shed.load(Ordering::Relaxed) as f64,
    );
    e.family(
        "liuyu_work_jobs_total",
        "counter",
        "CPU-heavy jobs, by outcome.",
    );
    for (outcome, n) in [
        ("completed", &c.completed),
        ("deadline", &c.deadline),
        ("cancelled", &c.cancelled),
        ("panicked", &c.panicked),
    ] {
        e.sample(
            "liuyu_work_jobs_total",
            &[("outcome", outcome)],
            n.load(Ordering::Relaxed) as f64,
        );
    }
}

/// The request's share of the pool: extract it in a handler and call
/// [`Work::run`]. The server's deadline middleware puts it in every request.
#[derive(Clone)]
pub struct Work {
    pool: Arc<WorkPool>,
    budget: Budget,
    limit: Duration,
}

impl Work {
    /// Work for a request with this budget (deadline `limit` after its start).
    pub fn new(pool: Arc<WorkPool>, budget: Budget, limit: Duration) -> Work {
        Work {
            pool,
            budget,
            limit,
        }
    }

    /// The request's budget (deadline and cancellation).
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The problem for work this request's budget stopped.
    pub fn exhausted(&self, why: Exhausted) -> Problem {
        self.pool.spent(why, self.limit)
    }

    /// Runs `job` on the pool (see [`WorkPool::run`]).
    pub async fn run<T, F>(&self, job: F) -> Result<T, Problem>
    where
        F: FnOnce(&Budget) -> T + Send + 'static,
        T: Send + 'static,
    {
        self.pool.run(&self.budget, self.limit, job).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Work {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Work>().cloned().ok_or_else(|| {
            Problem::internal("no work pool: the route is not behind the server's middleware")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sheds_when_the_queue_is_full_and_runs_otherwise() {
        let pool = Arc::new(WorkPool::new(1, 0));
        let long = Budget::with_timeout(Duration::from_secs(5));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let p = pool.clone();
        let b = long.clone();
        let first = tokio::spawn(async move {
            p.run(&b, Duration::from_secs(5), move |_| rx.recv().ok())
                .await
        });
        while pool.running() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let shed = pool.run(&long, Duration::from_secs(5), |_| ()).await;
        let p = shed.expect_err("the queue holds nothing");
        assert_eq!((p.status, p.kind.as_str()), (503, "/problems/overloaded"));
        assert!(p.retry_after.is_some_and(|s| (1..=30).contains(&s)));
        tx.send(()).unwrap();
        assert!(first.await.unwrap().is_ok());
        assert_eq!(
            pool.run(&long, Duration::from_secs(5), |_| 7)
                .await
                .unwrap(),
            7
        );
        assert_eq!(pool.counts.shed.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn waiting_ends_at_the_deadline_and_spent_budgets_never_start() {
        let pool = Arc::new(WorkPool::new(1, 4));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let p = pool.clone();
        let hold = tokio::spawn(async move {
            p.run(&Budget::unlimited(), Duration::from_secs(5), move |_| {
                rx.recv().ok()
            })
            .await
        });
        while pool.running() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let short = Budget::with_timeout(Duration::from_millis(50));
        let p = pool
            .run(&short, Duration::from_millis(50), |_| ())
            .await
            .expect_err("no worker frees up in time");
        assert_eq!(p.status, 504);
        assert_eq!(pool.queued(), 0, "the waiter left the queue");
        let gone = Budget::unlimited();
        gone.cancel();
        let p = pool
            .run(&gone, Duration::from_secs(1), |_| ())
            .await
            .unwrap_err();
        assert_eq!(p.status, 503);
        tx.send(()).unwrap();
        hold.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_panicking_job_is_a_500_and_frees_its_worker() {
        let pool = WorkPool::new(1, 0);
        let b = Budget::unlimited();
        let p = pool
            .run(&b, Duration::from_secs(1), |_| -> u8 { panic!("bug") })
            .await
            .unwrap_err();
        assert_eq!(p.status, 500);
        assert_eq!(
            pool.run(&b, Duration::from_secs(1), |_| 1).await.unwrap(),
            1
        );
    }

    #[tokio::test]
    async fn cancel_all_reaches_running_jobs() {
        let pool = Arc::new(WorkPool::new(2, 0));
        let p = pool.clone();
        let job = tokio::spawn(async move {
            p.run(&Budget::unlimited(), Duration::from_secs(5), |b| {
                while b.check().is_ok() {
                    std::thread::sleep(Duration::from_millis(1));
                }
                b.check()
            })
            .await
        });
        while pool.running() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        pool.cancel_all();
        assert_eq!(job.await.unwrap().unwrap(), Err(Exhausted::Cancelled));
    }
}
