//! Runs the boto3 end-to-end suite (`tests/e2e/`, pytest) against the built
//! `userpool-server` binary, so `cargo test --workspace` exercises the server the way AWS
//! SDKs and the AWS CLI do (SPEC §1–§11 over the wire).
//!
//! The Python environment lives in `<workspace>/target/e2e-venv`: created with
//! `python3 -m venv` when missing, and `pip install -r requirements.txt` runs only when the
//! stamp file does not hold the hash of the current `requirements.txt`. There is no silent
//! skip: without `python3`, or when the install fails, this test fails and says why.
//! The SRP tests (`test_s15_srp.py`, SPEC §15) also drive amazon-cognito-identity-js under
//! Node: they install it with `npm ci` from `tests/e2e/js/package-lock.json` into
//! `<workspace>/target/e2e-node` and fail, never skip, without `node` and `npm`.
//! With `USERPOOL_TEST_DATABASE_URL` set (`.ci/postgres run`), the suite runs a second time
//! with the shared server on PostgreSQL (SPEC §20).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

const SUITE: &str = "crates/userpool-server/tests/e2e";
const STAMP: &str = ".requirements-stamp";

fn workspace() -> PathBuf {
    // crates/userpool-server -> the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("no workspace above {}", env!("CARGO_MANIFEST_DIR")))
}

fn venv_python(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join("python.exe")
    } else {
        venv.join("bin").join("python")
    }
}

/// FNV-1a, 64 bits: stable across Rust releases (unlike `DefaultHasher`), which is all a
/// stamp needs.
fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Runs `command`, streaming its output (captured by the test harness unless
/// `--nocapture`) and keeping a copy; returns the exit status and the combined output.
fn run_streaming(command: &mut Command, what: &str) -> (ExitStatus, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let output = Arc::new(Mutex::new(String::new()));
    let pump = |stream: Box<dyn Read + Send>, to_stderr: bool| {
        let output = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if to_stderr {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
                if let Ok(mut out) = output.lock() {
                    let _ = writeln!(out, "{line}");
                }
            }
        })
    };
    let stdout = child.stdout.take().map(|s| pump(Box::new(s), false));
    let stderr = child.stderr.take().map(|s| pump(Box::new(s), true));
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
    for pump in [stdout, stderr].into_iter().flatten() {
        let _ = pump.join();
    }
    let output = output.lock().map(|o| o.clone()).unwrap_or_default();
    (status, output)
}

fn tail(text: &str, max: usize) -> &str {
    let start = text.len().saturating_sub(max);
    let start = (start..=text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len());
    &text[start..]
}

/// The venv's python, created and brought up to date with `requirements.txt`.
fn prepared_python(root: &Path) -> PathBuf {
    let venv = root.join("target").join("e2e-venv");
    let python = venv_python(&venv);
    if !python.exists() {
        let (status, output) = run_streaming(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "`python3 -m venv` (is python3 installed? on Debian also python3-venv)",
        );
        assert!(
            status.success(),
            "`python3 -m venv {}` failed ({status}); install python3 and python3-venv:\n{output}",
            venv.display()
        );
    }
    let requirements = root.join(SUITE).join("requirements.txt");
    let wanted = fnv1a(
        &std::fs::read(&requirements)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", requirements.display())),
    );
    let stamp = venv.join(STAMP);
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        let (status, output) = run_streaming(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "-q",
                    "-r",
                ])
                .arg(&requirements),
            "pip install",
        );
        assert!(
            status.success(),
            "`pip install -r {}` failed ({status}); the e2e suite needs PyPI (or a wheel cache). \
             Delete {} to start over.\n{}",
            requirements.display(),
            venv.display(),
            tail(&output, 20_000)
        );
        std::fs::write(&stamp, &wanted)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", stamp.display()));
    }
    python
}

/// The two runs of the suite take turns: run at once they would share two cores, and the
/// suite's timing-sensitive tests (lockout windows) would measure the other run's load.
static ONE_RUN_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn boto3_suite_passes_against_the_server_binary() {
    let _turn = ONE_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = workspace();
    let python = prepared_python(&root);
    let (status, output) = run_streaming(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", SUITE])
            .current_dir(&root)
            .env("USERPOOL_SERVER_BIN", env!("CARGO_BIN_EXE_userpool-server"))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        "pytest",
    );
    // pytest exits 0 only when tests ran and all passed (5 means none were collected).
    assert!(
        status.success(),
        "the boto3 e2e suite failed ({status}); pytest said:\n{}",
        tail(&output, 60_000)
    );
}

/// SPEC §20: the suite again with the shared server's data in PostgreSQL (a fresh schema of
/// the database named by `USERPOOL_TEST_DATABASE_URL`, which `.ci/postgres run` provides),
/// so every operation is checked on that store as on SQLite. The modules that start servers
/// of their own on SQLite files (`test_s04`), and the multi-instance module that already ran
/// on PostgreSQL above, are not repeated. Without a database: skipped loudly, outside CI;
/// failed under CI.
#[test]
fn boto3_suite_passes_with_the_server_on_postgres() {
    let _turn = ONE_RUN_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if std::env::var("USERPOOL_TEST_DATABASE_URL").map_or(true, |url| url.is_empty()) {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "USERPOOL_TEST_DATABASE_URL is not set under CI: the suite must run on PostgreSQL \
             (.ci/run starts one with .ci/postgres)"
        );
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED the boto3 suite on PostgreSQL: USERPOOL_TEST_DATABASE_URL is not \
             set (run under `.ci/postgres run cargo test ...`) ***\n"
        );
        return;
    }
    let root = workspace();
    let python = prepared_python(&root);
    let (status, output) = run_streaming(
        Command::new(&python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--ignore",
                &format!("{SUITE}/test_s04_expiry_and_restart.py"),
                "--ignore",
                &format!("{SUITE}/test_s20_instances.py"),
                SUITE,
            ])
            .current_dir(&root)
            .env("USERPOOL_SERVER_BIN", env!("CARGO_BIN_EXE_userpool-server"))
            .env("USERPOOL_E2E_POSTGRES", "1")
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        "pytest on PostgreSQL",
    );
    assert!(
        status.success(),
        "the boto3 e2e suite failed on PostgreSQL ({status}); pytest said:\n{}",
        tail(&output, 60_000)
    );
}
