//! The ordered, bounded, recycling pipeline of bulk attribution (流水线):
//! one reader thread → N worker threads → the writer (the calling thread).
//!
//! A fixed pool of chunks circulates: the reader fills a free chunk and sends
//! it to the workers; a worker processes it in place; the writer takes chunks
//! back in input order, writes them, and returns them to the reader. Buffers
//! are reused from chunk to chunk, so the steady state allocates nothing per
//! row, and at most `pool` chunks exist: memory is bounded whatever the input
//! size. When the writer stops (an error, or a bad row under `--on-error
//! fail`), every channel closes and the other threads end at their next send
//! or receive.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::AttributeError;

/// A unit of work carrying its input-order sequence number.
pub(crate) trait Chunk: Send + 'static {
    /// Sets the sequence number.
    fn set_seq(&mut self, seq: u64);
    /// The sequence number.
    fn seq(&self) -> u64;
}

/// Runs the pipeline with `workers` threads and `pool` circulating chunks.
///
/// - `read(chunk)` refills a chunk; `Ok(false)` means end of input.
/// - `work(state, chunk)` processes a chunk in place (each worker has its own
///   `state`, made by `state()`).
/// - `write(chunk)` consumes chunks in input order; `Ok(false)` stops early.
pub(crate) fn run<C, S>(
    workers: usize,
    pool: Vec<C>,
    mut read: impl FnMut(&mut C) -> Result<bool, AttributeError> + Send + 'static,
    state: impl Fn() -> S + Send + Sync + 'static,
    work: impl Fn(&mut S, &mut C) + Send + Sync + 'static,
    mut write: impl FnMut(&mut C) -> Result<bool, AttributeError>,
) -> Result<(), AttributeError>
where
    C: Chunk,
{
    let depth = pool.len().max(1);
    let (free_tx, free_rx) = channel::<C>();
    for c in pool {
        // The receiver is alive: cannot fail.
        let _ = free_tx.send(c);
    }
    let (todo_tx, todo_rx) = sync_channel::<C>(depth);
    let (done_tx, done_rx) = sync_channel::<C>(depth);
    let reader = std::thread::spawn(move || -> Result<(), AttributeError> {
        let mut seq = 0;
        while let Ok(mut c) = free_rx.recv() {
            if !read(&mut c)? {
                return Ok(());
            }
            c.set_seq(seq);
            seq += 1;
            if todo_tx.send(c).is_err() {
                return Ok(());
            }
        }
        Ok(())
    });
    let todo_rx = Arc::new(Mutex::new(todo_rx));
    let (state, work) = (Arc::new(state), Arc::new(work));
    let handles: Vec<_> = (0..workers.max(1))
        .map(|_| {
            let (rx, tx, state, work) = (
                todo_rx.clone(),
                done_tx.clone(),
                state.clone(),
                work.clone(),
            );
            std::thread::spawn(move || {
                let mut s = state();
                while let Some(mut c) = next(&rx) {
                    work(&mut s, &mut c);
                    if tx.send(c).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    // Only the workers hold these now: when they end, a blocked reader wakes.
    drop(todo_rx);
    drop(done_tx);
    let written = write_in_order(&done_rx, &free_tx, &mut write);
    drop(done_rx);
    drop(free_tx);
    let read_result = reader
        .join()
        .map_err(|_| AttributeError::Internal("the reader thread panicked".into()))?;
    for h in handles {
        h.join()
            .map_err(|_| AttributeError::Internal("a worker thread panicked".into()))?;
    }
    written?;
    read_result
}

fn next<C>(rx: &Mutex<Receiver<C>>) -> Option<C> {
    rx.lock().ok()?.recv().ok()
}

/// Writes chunks in sequence order and hands them back to the reader.
fn write_in_order<C: Chunk>(
    done: &Receiver<C>,
    free: &std::sync::mpsc::Sender<C>,
    write: &mut impl FnMut(&mut C) -> Result<bool, AttributeError>,
) -> Result<(), AttributeError> {
    let mut pending = BTreeMap::new();
    let mut next_seq = 0u64;
    for c in done.iter() {
        pending.insert(c.seq(), c);
        while let Some(mut c) = pending.remove(&next_seq) {
            next_seq += 1;
            if !write(&mut c)? {
                return Ok(());
            }
            // The reader may have finished: then the chunk is simply dropped.
            let _ = free.send(c);
        }
    }
    Ok(())
}
