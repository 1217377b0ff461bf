//! Host bindings for `sdk/wit/policy.wit`, and the host's side of its one
//! import, `host.log`.

use crate::limits::Limiter;
use crate::policy::{LogLevel, LogLine};

wasmtime::component::bindgen!({
    path: "../sdk/wit",
    world: "vouch:policy/policy",
});

/// The import interface a component may use, as named in its import section.
pub(crate) const HOST_INTERFACE: &str = "vouch:policy/host@0.2.0";

/// What that interface holds: the log function and its level type.
pub(crate) const HOST_ITEMS: [&str; 2] = ["log", "level"];

/// Caps the log a single evaluation may keep, so a chatty or hostile policy
/// cannot use the host log to exhaust host memory.
const MAX_LOG_BYTES: usize = 64 * 1024;

/// What one store (one evaluation) holds on the host side.
pub(crate) struct HostState {
    pub(crate) limiter: Limiter,
    pub(crate) log: Vec<LogLine>,
    log_bytes: usize,
    pub(crate) log_dropped: usize,
}

impl HostState {
    pub(crate) fn new(limiter: Limiter) -> Self {
        Self {
            limiter,
            log: Vec::new(),
            log_bytes: 0,
            log_dropped: 0,
        }
    }
}

impl vouch::policy::host::Host for HostState {
    fn log(&mut self, level: vouch::policy::host::Level, message: String) {
        self.log_bytes = self.log_bytes.saturating_add(message.len());
        if self.log_bytes > MAX_LOG_BYTES {
            self.log_dropped += 1;
            return;
        }
        use vouch::policy::host::Level;
        let level = match level {
            Level::Trace => LogLevel::Trace,
            Level::Debug => LogLevel::Debug,
            Level::Info => LogLevel::Info,
            Level::Warn => LogLevel::Warn,
            Level::Error => LogLevel::Error,
        };
        self.log.push(LogLine { level, message });
    }
}
