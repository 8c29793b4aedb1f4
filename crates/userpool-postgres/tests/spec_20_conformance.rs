//! SPEC §20: the whole conformance kit of `userpool-store` on PostgreSQL, every case in its
//! own fresh schema, several cases at once (one database, as instances share one).

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use userpool_store::conformance::{self, Harness, Support};

/// A case's name, how long it took, and its panic message if it failed.
type CaseResult = (&'static str, Duration, Result<(), String>);

/// How many cases run at once (each with its own store and pool of connections).
const PARALLEL: usize = 4;

#[test]
fn conformance_kit_passes_on_postgres_each_case_in_its_own_schema() {
    let Some(url) = common::database_url("conformance kit on PostgreSQL") else {
        return;
    };
    let harness = common::Pg { url };
    {
        // The kit skips the cases of a capability a store declares absent: this store has
        // both, so none may be skipped.
        let (store, _guard) = harness.make();
        assert_eq!(conformance::token_storage_support(&store), Support::Full);
        assert_eq!(conformance::oauth_storage_support(&store), Support::Full);
    }
    let cases = Mutex::new(conformance::cases::<common::Pg>());
    let total = cases.lock().expect("cases").len();
    let results: Mutex<Vec<CaseResult>> = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| {
                loop {
                    let next = cases.lock().expect("cases").pop();
                    let Some((name, case)) = next else { break };
                    let begun = Instant::now();
                    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        case(&harness);
                    }))
                    .map_err(|panic| {
                        panic
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                            .unwrap_or_else(|| "panicked".to_owned())
                    });
                    results
                        .lock()
                        .expect("results")
                        .push((name, begun.elapsed(), outcome));
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let results = results.into_inner().expect("results");
    assert_eq!(results.len(), total, "every case ran");
    let mut failed = Vec::new();
    for (name, took, outcome) in &results {
        match outcome {
            Ok(()) => eprintln!("kit case {name}: ok ({} ms)", took.as_millis()),
            Err(message) => {
                eprintln!("kit case {name}: FAILED: {message}");
                failed.push(*name);
            }
        }
    }
    eprintln!(
        "conformance kit on PostgreSQL: {} cases, {} failed, {} ms wall clock ({PARALLEL} at once)",
        total,
        failed.len(),
        elapsed.as_millis()
    );
    assert!(
        failed.is_empty(),
        "kit cases failed on PostgreSQL: {failed:?}"
    );
}
