//! SPEC §19: what `userpool-server import-users` costs for a CSV of 10 000 users in Cognito's
//! user-import layout plus `password_hash`, into a SQLite database behind the sealing layer,
//! exactly as the subcommand opens it. Importing parses each hash (no hashing happens until
//! sign-in), so the figure is the CSV, the checks and one store insert per user.
//!
//! Not criterion: one import is seconds, so each round imports the whole file into a fresh
//! database and the rounds are reported (min and median). `IMPORT_USERS` (default 10 000)
//! and `IMPORT_ROUNDS` (default 3) change the size and the rounds.

use std::time::Duration;

use clap::Parser;
use indicatif::ProgressBar;
use userpool::{Caller, PoolSettings};
use userpool_server::import_users::import_csv;
use userpool_server::{Config, serve};

/// Hashes as other systems write them (the core's fixtures, from Python's bcrypt, passlib,
/// hashlib and argon2-cffi): cost does not matter here, only the parse.
const HASHES: [&str; 4] = [
    "$2b$04$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK",
    "$pbkdf2-sha256$29000$956TspYSgrAWQojxvjfmnA$zgrb/IebJCof0W4i1Zj.Hq6.D3yPiC5AiM4zqX9g3Cs",
    "pbkdf2_sha256$20000$1Say5bfwSEGsZhzb12577A$skksa2gRVp54G3Y+v73VcITvcWrtKGdvq+Eh7tJSJYU=",
    "$argon2id$v=19$m=1024,t=2,p=2$hV/5dH4o4cLdu+TlowGS3w$epMaaj9hzQ/zxtUnvUYy3zsefAU9yOSSJ3H0mveZAdM",
];

fn csv(users: usize) -> String {
    let standard: Vec<&str> = userpool_core::schema::csv_standard_columns().collect();
    let mut header = standard.clone();
    header.extend(["cognito:mfa_enabled", "cognito:username", "password_hash"]);
    let mut out = header.join(",");
    out.push('\n');
    for i in 0..users {
        let mut cells = vec![String::new(); standard.len()];
        cells[0] = format!("User {i}");
        cells[9] = format!("user{i}@example.com");
        cells[10] = "true".into();
        cells.extend([
            "false".into(),
            format!("user{i}"),
            HASHES[i % HASHES.len()].into(),
        ]);
        // Quoted, as any CSV writer quotes a PHC string's commas.
        let quoted: Vec<String> = cells.iter().map(|c| format!("\"{c}\"")).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let users = env_usize("IMPORT_USERS", 10_000);
    let rounds = env_usize("IMPORT_ROUNDS", 3).max(1);
    let file = csv(users);
    let mut times: Vec<Duration> = Vec::new();
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("bench.db");
        let args = [
            "userpool-server",
            "--db",
            db.to_str().unwrap_or_default(),
            "--no-rate-limits",
        ];
        let config = Config::try_parse_from(args).unwrap_or_else(|e| panic!("{e}"));
        let app = serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"));
        let caller = Caller::new("bench");
        let pool = app
            .pools
            .create_user_pool(&caller, "bench", PoolSettings::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let summary = import_csv(
            &app.pools,
            &caller,
            pool.id.as_str(),
            file.as_bytes(),
            userpool::MAX_IMPORT_BATCH,
            &ProgressBar::hidden(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            summary.imported,
            users as u64,
            "{:?}",
            summary.failed.first()
        );
        println!(
            "round {}: {users} users in {:.2} s ({:.0} users/s)",
            round + 1,
            summary.elapsed.as_secs_f64(),
            users as f64 / summary.elapsed.as_secs_f64()
        );
        times.push(summary.elapsed);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "import_csv: {users} users, {rounds} rounds, SQLite (synchronous=FULL) behind SealingStore: min {:.2} s, median {:.2} s ({:.0} users/s at the median); CSV {} KiB",
        times[0].as_secs_f64(),
        median.as_secs_f64(),
        users as f64 / median.as_secs_f64(),
        file.len() / 1024
    );
}
