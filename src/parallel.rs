//! Independent work shared out over every core the process may use: release units, and their
//! JSON reports. Scoped threads taking the next item in turn; no thread pool outlives a call.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// The cores this process may use (`std::thread::available_parallelism`; 1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `f` over `items` on every core, results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = cores().min(items.len()).max(1);
    if workers == 1 {
        return items.iter().enumerate().map(|(i, t)| f(i, t)).collect();
    }
    // Each result goes straight into its slot, boxed, so the slots stay small while the run goes on.
    let slots: Vec<std::sync::Mutex<Option<Box<R>>>> = items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(i, item);
                    if let Some(slot) = slots.get(i) {
                        *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Box::new(result));
                    }
                }
            });
        }
        // A worker's panic is a bug: the scope re-raises it rather than lose that worker's units.
    });
    slots
        .into_iter()
        .filter_map(|s| s.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner))
        .map(|b| *b)
        .collect()
}

/// `f` over `items` on every core, each result handed to `sink` in the order of `items` as soon as
/// it and all before it are ready: the in-order consumer (a writer) works while the workers go on,
/// instead of after them. At most `window` results wait for the sink at a time, so a slow sink
/// (a pipe) holds back the workers rather than fill memory. The first error of `sink` stops the
/// work and is returned.
pub fn stream<T: Sync, R: Send, E>(
    items: &[T],
    window: usize,
    f: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let workers = cores().min(items.len());
    if workers <= 1 {
        return items.iter().try_for_each(|t| sink(f(t)));
    }
    let shared = Window::new(items.len(), window.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                let _guard = StopOnPanic(&shared);
                while let Some(i) = shared.take() {
                    let result = f(&items[i]);
                    shared.put(i, result);
                }
            });
        }
        for _ in 0..items.len() {
            let Some(result) = shared.next_result() else { break };
            if let Err(e) = sink(result) {
                shared.stop();
                return Err(e);
            }
        }
        Ok(())
    })
}

/// What the workers and the sink of [`stream`] share, under one lock.
struct State<R> {
    /// The next item a worker takes.
    next: usize,
    /// Items handed to the sink so far.
    done: usize,
    /// Results waiting for the sink, by item index minus `done`.
    ready: std::collections::VecDeque<Option<R>>,
    /// How many results at the front of `ready` are there, one after the other.
    in_order: usize,
    /// The sink failed or a worker panicked: take no more items.
    stop: bool,
    /// Workers waiting for a free place in the window.
    workers_waiting: usize,
    /// The sink is waiting for the next result.
    sink_waiting: bool,
}

/// The window of results between [`stream`]'s workers and its sink.
struct Window<R> {
    state: Mutex<State<R>>,
    changed: Condvar,
    items: usize,
    window: usize,
    /// How many results in order, or free places, make it worth waking the other side.
    batch: usize,
}

impl<R> Window<R> {
    fn new(items: usize, window: usize) -> Self {
        Window {
            state: Mutex::new(State {
                next: 0,
                done: 0,
                ready: std::collections::VecDeque::with_capacity(window),
                in_order: 0,
                stop: false,
                workers_waiting: 0,
                sink_waiting: false,
            }),
            changed: Condvar::new(),
            items,
            window,
            // Waking a thread is a system call, and on a machine with as many workers as cores it
            // takes a core from a worker: it is made only when someone waits (a waiter counts
            // itself under the lock before it sleeps, so no wake-up is lost), and for a batch, not
            // for each item: the sink for a batch of results in order, waiting workers for a batch
            // of free places in the window. The batch is at most the window, so neither side can
            // wait for the other forever: when every worker waits, every item taken is finished,
            // so the sink is woken and empties the window. 10,000 items cost a few hundred
            // wake-ups, not 20,000.
            batch: window.min(32),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<R>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next item for a worker, once the window has a place for its result; None when there
    /// is none left or the run stopped.
    fn take(&self) -> Option<usize> {
        let mut s = self.lock();
        while !s.stop && s.next < self.items && s.next >= s.done + self.window {
            s.workers_waiting += 1;
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
            s.workers_waiting -= 1;
        }
        if s.stop || s.next >= self.items {
            return None;
        }
        s.next += 1;
        Some(s.next - 1)
    }

    /// A worker's result for item `i`.
    fn put(&self, i: usize, result: R) {
        let mut s = self.lock();
        let at = i - s.done;
        if s.ready.len() <= at {
            s.ready.resize_with(at + 1, || None);
        }
        s.ready[at] = Some(result);
        while s.ready.get(s.in_order).is_some_and(Option::is_some) {
            s.in_order += 1;
        }
        if s.sink_waiting && (s.in_order >= self.batch || s.done + s.in_order == self.items) {
            self.changed.notify_all();
        }
    }

    /// The next result in order, for the sink, waiting for it; None when the run stopped.
    fn next_result(&self) -> Option<R> {
        let mut s = self.lock();
        loop {
            if let Some(r) = s.ready.front_mut().and_then(Option::take) {
                s.ready.pop_front();
                s.done += 1;
                s.in_order -= 1;
                // Free places in the window: waiting workers may take the next items.
                if s.workers_waiting > 0 && s.done + self.window - s.next >= self.batch {
                    self.changed.notify_all();
                }
                return Some(r);
            }
            if s.stop {
                return None;
            }
            s.sink_waiting = true;
            s = self.changed.wait(s).unwrap_or_else(PoisonError::into_inner);
            s.sink_waiting = false;
        }
    }

    /// Take no more items, and wake everyone waiting.
    fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }
}

/// Stops the run if its worker unwinds, so that the sink does not wait for a result that will
/// never come; the scope then re-raises the panic.
struct StopOnPanic<'a, R>(&'a Window<R>);

impl<R> Drop for StopOnPanic<'_, R> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = map(&items, |i, &x| (i as u64, x * x));
        assert_eq!(squares.len(), 1000);
        assert!(
            squares
                .iter()
                .enumerate()
                .all(|(i, &(j, sq))| j == i as u64 && sq == j * j)
        );
    }

    #[test]
    fn stream_hands_results_over_in_order_whatever_their_cost() {
        // Uneven work, so that later items finish before earlier ones.
        let items: Vec<u64> = (0..2000).collect();
        let slow = |x: u64| {
            let spins = if x.is_multiple_of(7) { 20_000 } else { 10 };
            (0..spins).fold(x, |a, b| std::hint::black_box(a.wrapping_mul(31).wrapping_add(b)))
        };
        for window in [1, 3, 64, 10_000] {
            let mut seen = Vec::new();
            let done: Result<(), ()> = stream(
                &items,
                window,
                |&x| (x, slow(x)),
                |(x, _)| {
                    seen.push(x);
                    Ok(())
                },
            );
            assert_eq!(done, Ok(()));
            assert_eq!(seen, items, "window {window}");
        }
    }

    #[test]
    fn stream_stops_at_the_first_sink_error() {
        let items: Vec<u32> = (0..10_000).collect();
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let mut seen = Vec::new();
        let done = stream(
            &items,
            16,
            |&x| {
                taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                x
            },
            |x| {
                if x == 100 {
                    return Err("closed pipe");
                }
                seen.push(x);
                Ok(())
            },
        );
        assert_eq!(done, Err("closed pipe"));
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
        // The window keeps the workers near the sink: they stop soon after it fails.
        assert!(taken.load(std::sync::atomic::Ordering::Relaxed) <= 100 + 16 + 2 * 2);
    }

    #[test]
    fn stream_re_raises_a_workers_panic_instead_of_waiting_forever() {
        let items: Vec<u32> = (0..500).collect();
        let outcome = std::panic::catch_unwind(|| {
            stream(
                &items,
                8,
                |&x| {
                    assert!(x != 250, "a bug in the work");
                    x
                },
                |_| Ok::<(), ()>(()),
            )
        });
        assert!(outcome.is_err());
    }
}
