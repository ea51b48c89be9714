//! Parallel maps over items of very different sizes (files).

use rayon::prelude::*;
use std::sync::OnceLock;

/// How the program's allocator returns the memory a thread freed to the system, when it
/// waits before it does (see `main.rs`); set once, by the program.
static RELEASE: OnceLock<Release> = OnceLock::new();

/// What the program's allocator is told where a phase frees and allocates much.
pub struct Release {
    /// Returns what the calling thread freed, at once.
    pub now: fn(),
    /// Whether memory that any thread frees from now on is returned as soon as it is freed
    /// (`true`), or after the allocator's delay, as when the program started (`false`).
    pub eagerly: fn(bool),
}

/// Sets how memory is returned (once; later calls are ignored).
pub fn on_release(release: Release) {
    let _ = RELEASE.set(release);
}

/// Returns what every thread of the pool and the calling thread freed to the system, where
/// the program said how ([`on_release`]). Called where a phase has freed much and the next
/// one allocates much, so that the two do not add up in the run's peak.
pub fn release_freed() {
    if let Some(release) = RELEASE.get() {
        rayon::broadcast(|_| (release.now)());
        (release.now)();
    }
}

/// Has memory returned as soon as it is freed until the guard is dropped, where the program
/// said how ([`on_release`]). For a phase that holds the run's largest data while it
/// allocates and frees much besides (the index and the cross-object rules): what it freed
/// would otherwise wait out the allocator's delay on top of that data.
pub fn release_eagerly() -> Eagerly {
    if let Some(release) = RELEASE.get() {
        (release.eagerly)(true);
    }
    Eagerly(())
}

/// Memory is returned as soon as it is freed while this lives ([`release_eagerly`]).
pub struct Eagerly(());

impl Drop for Eagerly {
    fn drop(&mut self) {
        if let Some(release) = RELEASE.get() {
            (release.eagerly)(false);
        }
    }
}

/// `items.map(f)` in parallel, with results in the items' order, whichever thread computed
/// them. The largest items (by `size`) start first and each item is a job of its own, so
/// that a large item started last does not leave the other threads idle while it is done.
pub fn largest_first<I: Send, T: Send>(
    items: Vec<I>,
    size: impl Fn(&I) -> usize,
    f: impl Fn(I) -> T + Sync + Send,
) -> Vec<T> {
    let mut work: Vec<(usize, I)> = items.into_iter().enumerate().collect();
    work.sort_by_key(|(i, item)| (std::cmp::Reverse(size(item)), *i));
    let mut done: Vec<(usize, T)> = work
        .into_par_iter()
        .with_max_len(1)
        .map(|(i, item)| (i, f(item)))
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<usize> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        let out = largest_first(items.clone(), |n| *n, |n| n * 2);
        assert_eq!(out, items.iter().map(|n| n * 2).collect::<Vec<_>>());
    }

    #[test]
    fn memory_is_released_on_every_thread_of_the_pool_and_the_caller() {
        use std::sync::Mutex;
        static THREADS: Mutex<Vec<std::thread::ThreadId>> = Mutex::new(Vec::new());
        on_release(Release {
            now: || THREADS.lock().expect("not poisoned").push(std::thread::current().id()),
            eagerly: |_| {},
        });
        release_freed();
        let mut threads = THREADS.lock().expect("not poisoned").clone();
        threads.sort_unstable_by_key(|t| format!("{t:?}"));
        threads.dedup();
        // The pool's threads and this one (other tests of this binary may release too).
        assert!(threads.len() > rayon::current_num_threads(), "{threads:?}");
        assert!(threads.contains(&std::thread::current().id()));
    }
}
