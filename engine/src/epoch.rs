//! The wall-clock backstop: a thread that advances the engine's epoch every
//! [`TICK`], so a store's epoch deadline becomes a timeout.
//!
//! Fuel is the real, deterministic CPU bound; the epoch catches what fuel
//! cannot see (a host so loaded that a fuel budget takes minutes). One thread
//! per engine, stopped and joined when the engine's last handle is dropped.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the epoch advances: the resolution of timeouts. Checking the
/// epoch costs the guest a load and a compare per loop header, whatever the
/// tick, so a short tick only costs the host a wake-up.
pub(crate) const TICK: Duration = Duration::from_millis(5);

/// The ticker thread. Dropping it stops the thread.
pub(crate) struct Ticker {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts advancing `engine`'s epoch.
    pub(crate) fn start(engine: wasmtime::Engine) -> std::io::Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("vouch-epoch".to_owned())
            .spawn(move || {
                // Disconnection (the sender dropped) is the stop signal.
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // The thread only sleeps and increments: it cannot panic, and
            // there is nothing to report from drop if it somehow did.
            let _ = thread.join();
        }
    }
}

/// The epoch deadline, in ticks, for a call that may take `timeout`.
pub(crate) fn deadline(timeout: Duration) -> u64 {
    let ticks = timeout.as_nanos().div_ceil(TICK.as_nanos()).max(1);
    u64::try_from(ticks).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_round_up_to_whole_ticks() {
        assert_eq!(deadline(Duration::ZERO), 1);
        assert_eq!(deadline(Duration::from_millis(1)), 1);
        assert_eq!(deadline(Duration::from_millis(10)), 2);
        assert_eq!(deadline(Duration::from_millis(11)), 3);
        assert_eq!(deadline(Duration::MAX), u64::MAX);
    }

    #[test]
    #[allow(clippy::unwrap_used, reason = "tests")]
    fn dropping_the_ticker_stops_its_thread() {
        let ticker = Ticker::start(wasmtime::Engine::default()).unwrap();
        std::thread::sleep(TICK * 2);
        // Returns only once the thread has been joined.
        drop(ticker);
    }
}
