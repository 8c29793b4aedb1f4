//! Interleaved, paired timing: for comparisons that criterion's one-bench-after-another runs
//! cannot settle on a shared 2-core VM.
//!
//! Criterion measures each bench in its own block of seconds, so a difference of 1–2 ms
//! between two ~20 ms operations is at the mercy of whatever else the machine did in
//! between (the sign-in figures in `benches/README.md` swung −3.4 to +4.8 ms between
//! runs). Here every round runs each operation once, in a freshly shuffled order, so slow
//! spells hit all of them alike, and a comparison is made per round (the difference or ratio
//! of two operations measured a few milliseconds apart) before it is summarised.
//!
//! Shuffled, not rotated: a rotation keeps every operation behind the same neighbour, and
//! what a neighbour leaves behind (an fsync in flight, 19 MiB just freed, caches full of
//! another buffer) then biases one operation for the whole run. That bias was seen here: a
//! rotating first version measured the MemoryStore operation 4 % slower than the identical
//! work over SQLite. The summary is the median with a distribution-free 95 % interval for it
//! (binomial order statistics), which a few descheduled samples cannot drag.

use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// One operation under measurement: a label and what to run (it panics on failure, since a
/// bench that measured an error path by accident would measure the wrong thing).
pub struct Op<'a> {
    /// Shown in the tables.
    pub label: String,
    /// Runs the operation once.
    pub run: Box<dyn FnMut() + 'a>,
}

impl<'a> Op<'a> {
    /// An operation named `label`.
    pub fn new(label: impl Into<String>, run: impl FnMut() + 'a) -> Op<'a> {
        Op {
            label: label.into(),
            run: Box::new(run),
        }
    }
}

/// The samples of one run: `samples[op][round]`, in milliseconds.
pub struct Samples {
    /// The operations' labels, in the order given.
    pub labels: Vec<String>,
    /// Milliseconds per operation per round.
    pub samples: Vec<Vec<f64>>,
}

impl Samples {
    /// The samples of the operation labelled `label`.
    ///
    /// # Panics
    /// If no operation has that label (a typo in the bench).
    #[must_use]
    pub fn of(&self, label: &str) -> &[f64] {
        let i = self
            .labels
            .iter()
            .position(|l| l == label)
            .unwrap_or_else(|| panic!("no operation labelled {label}"));
        &self.samples[i]
    }
}

/// Runs `warm_up` unrecorded rounds, then `rounds` recorded ones, each operation once per
/// round in an order shuffled afresh every round (a seeded generator, so a run's order is
/// reproducible).
pub fn interleave(ops: &mut [Op<'_>], warm_up: usize, rounds: usize) -> Samples {
    let n = ops.len();
    let mut samples = vec![Vec::with_capacity(rounds); n];
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = StdRng::seed_from_u64(0x5eed);
    for round in 0..warm_up + rounds {
        order.shuffle(&mut rng);
        for &i in &order {
            let start = Instant::now();
            (ops[i].run)();
            let ms = start.elapsed().as_secs_f64() * 1e3;
            if round >= warm_up {
                samples[i].push(ms);
            }
        }
    }
    Samples {
        labels: ops.iter().map(|op| op.label.clone()).collect(),
        samples,
    }
}

/// A median with its 95 % confidence interval.
#[derive(Debug, Clone, Copy)]
pub struct Estimate {
    /// The sample median.
    pub median: f64,
    /// Lower end of the 95 % interval.
    pub low: f64,
    /// Upper end of the 95 % interval.
    pub high: f64,
}

impl Estimate {
    /// Whether the interval contains `value`.
    #[must_use]
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// The median of `values` and a distribution-free 95 % interval for the population median:
/// the order statistics at ranks n/2 ∓ 0.98·√n (the binomial(n, ½) normal approximation;
/// exact enough from n ≈ 20).
///
/// # Panics
/// If `values` is empty or holds a NaN.
#[must_use]
pub fn median_ci(values: &[f64]) -> Estimate {
    assert!(!values.is_empty(), "no samples");
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        f64::midpoint(sorted[n / 2 - 1], sorted[n / 2])
    };
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let (low_rank, high_rank) = {
        let half = n as f64 / 2.0;
        let spread = 0.98 * (n as f64).sqrt();
        (
            (half - spread).floor().max(1.0) as usize,
            ((half + 1.0 + spread).ceil() as usize).min(n),
        )
    };
    Estimate {
        median,
        low: sorted[low_rank - 1],
        high: sorted[high_rank - 1],
    }
}

/// Per-round `f(a, b)` of two operations' samples (their difference, their ratio).
#[must_use]
pub fn per_round(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect()
}

/// The number of rounds: `PAIRED_ROUNDS` from the environment, else `default`.
#[must_use]
pub fn rounds(default: usize) -> usize {
    std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Whether cargo asked only to list the benches (`cargo bench -- --list`): a harness-less
/// bench has nothing to list and must not run for minutes.
#[must_use]
pub fn listing_only() -> bool {
    std::env::args().any(|a| a == "--list")
}

/// Prints one Markdown row per operation: its median (ms) with the 95 % interval, then its
/// per-round ratio to each operation named in `against`, with its interval.
pub fn ratio_table(samples: &Samples, against: &[&str]) {
    let shown = |e: Estimate, digits: usize| {
        format!(
            "{:.digits$} [{:.digits$}, {:.digits$}]",
            e.median, e.low, e.high
        )
    };
    let header: String = against.iter().map(|a| format!(" ÷ {a} |")).collect();
    println!("\n| operation | median ms [95 %] |{header}");
    println!("|---|---|{}", "---|".repeat(against.len()));
    for (label, values) in samples.labels.iter().zip(&samples.samples) {
        let ratios: String = against
            .iter()
            .map(|to| {
                let ratio = median_ci(&per_round(values, samples.of(to), |a, b| a / b));
                format!(" {} |", shown(ratio, 4))
            })
            .collect();
        println!("| {label} | {} |{ratios}", shown(median_ci(values), 3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_interval_of_a_known_sample() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let e = median_ci(&values);
        assert!((e.median - 50.5).abs() < 1e-9);
        // ranks 40 and 61 for n = 100 (floor(50 − 9.8), ceil(51 + 9.8))
        assert!((e.low - 40.0).abs() < 1e-9, "{e:?}");
        assert!((e.high - 61.0).abs() < 1e-9, "{e:?}");
        assert!(e.contains(50.0) && !e.contains(70.0));
        let odd = median_ci(&[3.0, 1.0, 2.0]);
        assert!((odd.median - 2.0).abs() < 1e-9);
    }

    #[test]
    fn every_operation_runs_once_per_round_and_neighbours_vary() {
        let order = std::cell::RefCell::new(Vec::new());
        let mut ops = vec![
            Op::new("a", || order.borrow_mut().push('a')),
            Op::new("b", || order.borrow_mut().push('b')),
            Op::new("c", || order.borrow_mut().push('c')),
        ];
        let samples = interleave(&mut ops, 1, 40);
        drop(ops);
        let order = order.into_inner();
        assert_eq!(order.len(), 3 * 41);
        let mut behind = std::collections::BTreeMap::new();
        for round in order.chunks(3) {
            let mut sorted = round.to_vec();
            sorted.sort_unstable();
            assert_eq!(sorted, ['a', 'b', 'c'], "once each per round");
            for pair in round.windows(2) {
                *behind.entry((pair[0], pair[1])).or_insert(0) += 1;
            }
        }
        // A rotation (abc, bca, cab) would only ever put `a` right behind `c` within a round.
        assert!(behind.contains_key(&('b', 'a')) && behind.contains_key(&('c', 'a')));
        assert_eq!(samples.of("b").len(), 40);
    }
}
