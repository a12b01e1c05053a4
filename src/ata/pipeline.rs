//! Reading one large file on every core, in the file's order.
//!
//! One thread reads (the disk, gzip inflation) and cuts the input into batches of whole
//! documents; each worker thread takes every n-th batch and does the per-document work
//! (check, filter, decode); the calling thread receives the results batch by batch in
//! the file's order and hands them on (to extraction's visitor, which is not shared).
//! So reading, inflating and decoding overlap, and the order, the counts and every
//! message are those of a single thread reading the file from start to end.
//!
//! Memory stays bounded: every channel holds at most [`DEPTH`] batches, and the batches'
//! buffers go back to a [`Pool`] for the reader to fill again. When the consumer stops
//! early (an error, a failing visitor), it drops its ends of the channels: the workers'
//! sends fail, so do the reader's, and every thread ends.

use std::sync::Mutex;
use std::sync::mpsc::sync_channel;

/// Batches waiting in each channel.
const DEPTH: usize = 2;

/// The worker threads to use: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `produce` → `work` → `consume` over every batch. With `workers == 0` everything
/// runs on the calling thread, batch after batch (small files, where threads cost more
/// than they bring). `init` makes each worker's scratch state. `consume` returns `false`
/// to stop.
pub fn run<B, R, S>(
    workers: usize,
    produce: impl FnMut() -> Option<B> + Send,
    init: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, B) -> R + Sync,
    mut consume: impl FnMut(R) -> bool,
) where
    B: Send,
    R: Send,
{
    if workers == 0 {
        let mut produce = produce;
        let mut state = init();
        while let Some(batch) = produce() {
            if !consume(work(&mut state, batch)) {
                break;
            }
        }
        return;
    }
    std::thread::scope(|scope| {
        let mut inputs = Vec::with_capacity(workers);
        let mut outputs = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (to_worker, from_reader) = sync_channel::<B>(DEPTH);
            let (to_consumer, from_worker) = sync_channel::<R>(DEPTH);
            let (init, work) = (&init, &work);
            scope.spawn(move || {
                let mut state = init();
                for batch in from_reader {
                    if to_consumer.send(work(&mut state, batch)).is_err() {
                        break;
                    }
                }
            });
            inputs.push(to_worker);
            outputs.push(from_worker);
        }
        scope.spawn(move || {
            let mut produce = produce;
            let mut next = 0;
            while let Some(batch) = produce() {
                if inputs[next % workers].send(batch).is_err() {
                    break;
                }
                next += 1;
            }
            // Dropping `inputs` ends the workers once they have done what they hold.
        });
        // Batch n went to worker n % workers: taking the results round in the same order
        // restores the file's order. The first worker with nothing more to say is the one
        // that would have had the batch after the last.
        let mut next = 0;
        while let Ok(result) = outputs[next % workers].recv() {
            if !consume(result) {
                break;
            }
            next += 1;
        }
        drop(outputs);
    });
}

/// Byte buffers handed from the workers back to the reader, so the same few buffers
/// carry the whole file (fresh ones would be fresh pages for every batch).
#[derive(Default)]
pub struct Pool(Mutex<Vec<Vec<u8>>>);

impl Pool {
    /// At most this many idle buffers are kept.
    const KEEP: usize = 16;

    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default()
    }

    pub fn give(&self, mut buf: Vec<u8>) {
        buf.clear();
        if let Ok(mut p) = self.0.lock()
            && p.len() < Self::KEEP
        {
            p.push(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_a_stop_ends_every_thread() {
        for workers in [0, 1, 2, 3, 5] {
            let mut n = 0u32;
            let mut seen = Vec::new();
            run(
                workers,
                move || {
                    n += 1;
                    (n <= 100).then_some(n)
                },
                || 0u32,
                |calls, b| {
                    *calls += 1;
                    b * 2
                },
                |r| {
                    seen.push(r);
                    true
                },
            );
            assert_eq!(seen, (1..=100).map(|b| b * 2).collect::<Vec<_>>());

            // An endless producer: stopping the consumer must end the run.
            let mut got = 0;
            run(
                workers,
                || Some(1u8),
                || (),
                |_, b| b,
                |_| {
                    got += 1;
                    got < 10
                },
            );
            assert_eq!(got, 10);
        }
    }
}
