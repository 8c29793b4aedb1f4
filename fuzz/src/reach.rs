//! How the README's reach figures are made: with `USERPOOL_FUZZ_REACH=1` in the
//! environment, every answer (and every layer a target marks) prints one `reach:` line to
//! stderr, so running a target over its seeds and counting the lines shows which
//! operations and answers the inputs get to:
//!
//! ```sh
//! USERPOOL_FUZZ_REACH=1 cargo +nightly fuzz run wire corpus/wire -- -runs=0 2>&1 \
//!     | grep '^reach:' | sort | uniq -c
//! ```
//!
//! Off (the default) it costs one cached flag check per answer.

use std::sync::OnceLock;

use crate::fixture::Answer;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("USERPOOL_FUZZ_REACH").is_some())
}

/// Notes an answer to a request naming `target`.
pub fn record(target: &str, answer: &Answer) {
    if enabled() {
        let target: String = target.chars().take(40).collect();
        eprintln!(
            "reach: {target} {} {}",
            answer.status,
            answer.error().unwrap_or("OK")
        );
    }
}

/// Notes that an input got to `layer` (a target's own marker, e.g. `sigv4 accepted`).
pub fn mark(layer: &str) {
    if enabled() {
        eprintln!("reach: {layer}");
    }
}
