//! Independent work shared out over every core the process may use: release units, and their
//! JSON reports. Scoped threads and an atomic next index; no thread pool outlives a call.

/// `f` over `items` on every core (`std::thread::available_parallelism`), results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(usize, &T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len())
        .max(1);
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
