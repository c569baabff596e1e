//! Reconnect schedule: quick first retries (the helper is often just restarting),
//! then doubling up to a ceiling so a Mac without a helper is not woken every
//! second. A successful connection resets it.

use std::time::Duration;

/// Delays between connection attempts.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    ceiling: Duration,
    next: Duration,
}

impl Default for Backoff {
    /// 0.5 s, 1 s, 2 s, … up to 30 s.
    fn default() -> Self {
        Backoff::new(Duration::from_millis(500), Duration::from_secs(30))
    }
}

impl Backoff {
    pub fn new(first: Duration, ceiling: Duration) -> Self {
        let first = first.min(ceiling);
        Backoff {
            first,
            ceiling,
            next: first,
        }
    }

    /// The delay before the next attempt; each call doubles the following one.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(self.ceiling);
        d
    }

    /// A connection succeeded: the next failure retries quickly again.
    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_and_resets() {
        let mut b = Backoff::default();
        let got: Vec<u64> = (0..9).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(
            got,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(500));
    }

    #[test]
    fn first_above_ceiling_is_clamped() {
        let mut b = Backoff::new(Duration::from_secs(60), Duration::from_secs(5));
        assert_eq!(b.next_delay(), Duration::from_secs(5));
        assert_eq!(b.next_delay(), Duration::from_secs(5));
    }
}
