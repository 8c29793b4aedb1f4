//! Load test of `userpool-server` over HTTP, in two parts (select one by name:
//! `cargo bench -p userpool-benches --bench load -- admin` or `-- hashing`; both without).
//!
//! `admin`: AdminGetUser and AdminSetUserPassword (cheap 64 KiB hasher)
//! requests per second with p50/p99 latency and the error count, over MemoryStore and a
//! SQLite file. The server runs in this process on its own runtime and a real TCP socket;
//! the client is hyper with keep-alive connections, each request SigV4-signed as the AWS
//! CLI signs it. LOAD_SECS (default 10 s per scenario), LOAD_CONNECTIONS (default 16).
//!
//! `hashing` (SPEC §13): the real `userpool-server` binary as a child process
//! with its default parameters (OWASP argon2id, hash limit = cores, 2 s queue deadline, a
//! SQLite file), driven at client concurrency 2 / 16 / 400 with unknown-user InitiateAuth
//! and with real sign-ins: verified sign-ins per second, p50/p99 latency, TooManyRequests
//! answers (and the slowest of them), the server's peak RSS (VmHWM, reset before each row
//! through `/proc/<pid>/clear_refs`) and its RSS 12 s after the burst. Build the server
//! first: `cargo build --release -p userpool-server` (or point USERPOOL_SERVER_BIN at it).
//! HASH_LOAD_SECS (default 10 s per row). Not a criterion bench and not in CI's pass/fail.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use userpool_server::config::{DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY};
use userpool_server::{Config, serve};

type HttpClient = Client<HttpConnector, Full<Bytes>>;

struct Target {
    client: HttpClient,
    address: String,
}

impl Target {
    /// Sends an unsigned request (a public operation); the status and the parsed body.
    async fn call_public(&self, operation: &str, body: &Value) -> (u16, Value) {
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let request = hyper::Request::post(format!("http://{}/", self.address))
            .header("host", &self.address)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", &target)
            .body(Full::new(Bytes::from(body.to_string())))
            .expect("request");
        self.send(request).await
    }

    async fn send(&self, request: hyper::Request<Full<Bytes>>) -> (u16, Value) {
        match self.client.request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let bytes = response
                    .into_body()
                    .collect()
                    .await
                    .map(|b| b.to_bytes())
                    .unwrap_or_default();
                (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                )
            }
            Err(_) => (0, Value::Null),
        }
    }

    /// Sends a signed admin request; the status and the parsed body.
    async fn call(&self, operation: &str, body: &Value) -> (u16, Value) {
        let body = body.to_string();
        let target = format!("AWSCognitoIdentityProviderService.{operation}");
        let identity =
            Credentials::new(DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY, None, None, "load").into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("cognito-idp")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .expect("signing params")
            .into();
        let headers = [
            ("host", self.address.as_str()),
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        let signable = SignableRequest::new(
            "POST",
            "/",
            headers.into_iter(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .expect("signable");
        let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
        let mut request = hyper::Request::post(format!("http://{}/", self.address))
            .header("host", &self.address)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", &target)
            .body(Full::new(Bytes::from(body)))
            .expect("request");
        instructions.apply_to_request_http1x(&mut request);
        self.send(request).await
    }
}

struct Figures {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> f64 {
        percentile_ms(&self.latencies, p)
    }
}

/// The `p` quantile (0..=1) of sorted `latencies`, in milliseconds; NaN when there are none.
fn percentile_ms(latencies: &[Duration], p: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let rank = ((latencies.len() as f64 - 1.0) * p).round() as usize;
    latencies[rank].as_secs_f64() * 1e3
}

/// `connections` tasks, each sending `body_for(i)` in a loop for `seconds`.
async fn drive(
    target: Arc<Target>,
    operation: &'static str,
    connections: usize,
    seconds: u64,
    body_for: impl Fn(usize) -> Value,
) -> Figures {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..connections {
        let target = Arc::clone(&target);
        let body = body_for(i);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let (status, out) = target.call(operation, &body).await;
                latencies.push(sent.elapsed());
                if status != 200 {
                    errors += 1;
                    if errors == 1 {
                        eprintln!("{operation}: HTTP {status} {out}");
                    }
                }
            }
            (latencies, errors)
        }));
    }
    let mut figures = Figures {
        requests: 0,
        errors: 0,
        seconds: 0.0,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (latencies, errors) = task.await.expect("task");
        figures.requests += latencies.len();
        figures.errors += errors;
        figures.latencies.extend(latencies);
    }
    figures.seconds = started.elapsed().as_secs_f64();
    figures.latencies.sort();
    figures
}

fn start_server(
    store_args: &[&str],
) -> (
    String,
    std::thread::JoinHandle<()>,
    tokio::sync::oneshot::Sender<()>,
) {
    let mut argv = vec![
        "userpool-server",
        "--listen",
        "127.0.0.1:0",
        "--hash-memory-kib",
        "64",
        "--hash-iterations",
        "1",
        // A load bench measures throughput, not the rate limits (SPEC §13).
        "--no-rate-limits",
    ];
    argv.extend_from_slice(store_args);
    let config = Config::try_parse_from(argv).expect("config");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (ready, address) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .expect("bind");
            let bound = listener.local_addr().expect("address");
            let app = serve::app(&config, bound).expect("app");
            ready.send(bound.to_string()).expect("ready");
            serve::serve(listener, app, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        });
    });
    (address.recv().expect("address"), handle, stop)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench --no-run`/`--list`: nothing to list
    }
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |part: &str| named.is_empty() || named.iter().any(|n| n == part);
    if wants("admin") {
        admin_load();
    }
    if wants("hashing") {
        hashing::run();
    }
}

fn admin_load() {
    let seconds: u64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let connections: usize = std::env::var("LOAD_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("load.db");
    let db = db.to_str().expect("utf-8 path").to_owned();
    let stores: [(&str, Vec<&str>); 2] = [
        ("memory", vec!["--memory"]),
        ("sqlite (FULL)", vec!["--db", &db]),
    ];
    println!(
        "| store | operation | connections | requests/s | p50 ms | p99 ms | requests | errors |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, args) in stores {
        let (address, server, stop) = start_server(&args);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
            let target = Arc::new(Target { client, address });
            let (_, pool) = target.call("CreateUserPool", &json!({ "PoolName": "load" })).await;
            let pool = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
            for i in 0..connections {
                let (status, out) = target
                    .call("AdminCreateUser", &json!({ "UserPoolId": pool, "Username": format!("user{i}"),
                        "TemporaryPassword": "Temp-Pass-1!", "MessageAction": "SUPPRESS" }))
                    .await;
                assert_eq!(status, 200, "{out}");
            }
            let get = drive(Arc::clone(&target), "AdminGetUser", connections, seconds, |i| {
                json!({ "UserPoolId": pool, "Username": format!("user{i}") })
            })
            .await;
            let set = drive(Arc::clone(&target), "AdminSetUserPassword", connections, seconds, |i| {
                json!({ "UserPoolId": pool, "Username": format!("user{i}"), "Password": format!("Load-Pass-{i}!"), "Permanent": true })
            })
            .await;
            for (operation, f) in [("AdminGetUser", get), ("AdminSetUserPassword", set)] {
                println!(
                    "| {name} | {operation} | {connections} | {:.0} | {:.2} | {:.2} | {} | {} |",
                    f.requests as f64 / f.seconds,
                    f.percentile(0.50),
                    f.percentile(0.99),
                    f.requests,
                    f.errors
                );
            }
        });
        let _ = stop.send(());
        server.join().expect("server thread");
    }
}

/// The `hashing` part (SPEC §13, bounded hashing): the real server process under sign-in load.
mod hashing {
    use std::io::{BufRead, BufReader};
    use std::path::PathBuf;
    use std::process::{Child, Command, Stdio};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    use serde_json::json;

    use super::{HttpClient, Target};

    const CONCURRENCIES: [usize; 3] = [2, 16, 400];
    const PASSWORD: &str = "Load-Pass-1!";
    const USERS: usize = 16;

    /// The server binary: USERPOOL_SERVER_BIN, else beside this bench's `deps/` directory.
    fn server_binary() -> Option<PathBuf> {
        if let Ok(path) = std::env::var("USERPOOL_SERVER_BIN") {
            return Some(PathBuf::from(path));
        }
        let exe = std::env::current_exe().ok()?;
        let candidate = exe.parent()?.parent()?.join("userpool-server");
        candidate.exists().then_some(candidate)
    }

    /// `VmHWM` and `VmRSS` of `pid`, in MiB.
    fn memory(pid: u32) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
                .map_or(f64::NAN, |kib| kib / 1024.0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// Resets the peak RSS (`VmHWM`) to the current RSS (Linux `clear_refs` value 5).
    fn reset_peak(pid: u32) {
        let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    }

    struct Server {
        child: Child,
        address: String,
    }

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    fn start(binary: &PathBuf, db: &str) -> Server {
        let help = Command::new(binary)
            .arg("--help")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let mut command = Command::new(binary);
        command.args(["--listen", "127.0.0.1:0", "--db", db]);
        // Since the server limits request rates (SPEC §13), a load bench must turn that off.
        if help.contains("--no-rate-limits") {
            command.arg("--no-rate-limits");
        }
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start userpool-server");
        let stdout = child.stdout.take().expect("stdout");
        let (found, address) = std::sync::mpsc::channel();
        // Keep draining its output so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = found.send(rest.trim().to_owned());
                }
            }
        });
        let address = address
            .recv_timeout(Duration::from_secs(30))
            .expect("the server announced its address");
        Server { child, address }
    }

    struct Row {
        verified: usize,
        too_many: usize,
        other: usize,
        slowest_too_many: Duration,
        seconds: f64,
        latencies: Vec<Duration>,
        peak_mib: f64,
        after_mib: f64,
    }

    impl Row {
        fn percentile(&self, p: f64) -> f64 {
            super::percentile_ms(&self.latencies, p)
        }
    }

    /// `concurrency` tasks signing in for `seconds`; `unknown` picks unknown usernames
    /// (their expected answer is UserNotFoundException, after the decoy hash).
    async fn drive(
        target: Arc<Target>,
        client_id: String,
        unknown: bool,
        concurrency: usize,
        seconds: u64,
        pid: u32,
    ) -> Row {
        reset_peak(pid);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|i| {
                let (target, client_id) = (Arc::clone(&target), client_id.clone());
                tokio::spawn(async move {
                    let username = if unknown {
                        format!("nobody{i}")
                    } else {
                        format!("user{}", i % USERS)
                    };
                    let body = json!({ "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                        "AuthParameters": { "USERNAME": username, "PASSWORD": PASSWORD } });
                    let (mut verified, mut too_many, mut other) = (0, 0, 0);
                    let mut slowest_too_many = Duration::ZERO;
                    let mut latencies = Vec::new();
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        let (status, out) = target.call_public("InitiateAuth", &body).await;
                        let took = sent.elapsed();
                        latencies.push(took);
                        let kind = out["__type"].as_str().unwrap_or("");
                        match (status, kind) {
                            (200, _) if !unknown => verified += 1,
                            (400, "UserNotFoundException") if unknown => verified += 1,
                            (400, "TooManyRequestsException") => {
                                too_many += 1;
                                slowest_too_many = slowest_too_many.max(took);
                            }
                            _ => {
                                other += 1;
                                if other == 1 {
                                    eprintln!("InitiateAuth: HTTP {status} {out}");
                                }
                            }
                        }
                    }
                    (verified, too_many, other, slowest_too_many, latencies)
                })
            })
            .collect();
        let mut row = Row {
            verified: 0,
            too_many: 0,
            other: 0,
            slowest_too_many: Duration::ZERO,
            seconds: 0.0,
            latencies: Vec::new(),
            peak_mib: 0.0,
            after_mib: 0.0,
        };
        for task in tasks {
            let (verified, too_many, other, slowest, latencies) = task.await.expect("task");
            row.verified += verified;
            row.too_many += too_many;
            row.other += other;
            row.slowest_too_many = row.slowest_too_many.max(slowest);
            row.latencies.extend(latencies);
        }
        row.seconds = started.elapsed().as_secs_f64();
        row.latencies.sort();
        row.peak_mib = memory(pid).0;
        // tokio lets an idle blocking thread go after 10 s; its stack and buffers with it.
        tokio::time::sleep(Duration::from_secs(12)).await;
        row.after_mib = memory(pid).1;
        row
    }

    pub(super) fn run() {
        let Some(binary) = server_binary() else {
            eprintln!(
                "hashing load: no userpool-server binary; run `cargo build --release -p \
                 userpool-server` first (or set USERPOOL_SERVER_BIN)"
            );
            return;
        };
        let seconds: u64 = std::env::var("HASH_LOAD_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join("hash-load.db");
        let server = start(&binary, db.to_str().expect("utf-8 path"));
        let pid = server.child.id();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let client: HttpClient = Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(512)
                .build_http();
            let target = Arc::new(Target {
                client,
                address: server.address.clone(),
            });
            let (_, pool) = target
                .call("CreateUserPool", &json!({ "PoolName": "hash-load" }))
                .await;
            let pool = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
            let (_, client) = target
                .call(
                    "CreateUserPoolClient",
                    &json!({ "UserPoolId": pool, "ClientName": "load",
                        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"] }),
                )
                .await;
            let client_id = client["UserPoolClient"]["ClientId"]
                .as_str()
                .expect("client id")
                .to_owned();
            for i in 0..USERS {
                let name = format!("user{i}");
                let (status, out) = target
                    .call("AdminCreateUser", &json!({ "UserPoolId": pool, "Username": name,
                        "MessageAction": "SUPPRESS", "TemporaryPassword": "Temp-Pass-1!" }))
                    .await;
                assert_eq!(status, 200, "{out}");
                let (status, out) = target
                    .call("AdminSetUserPassword", &json!({ "UserPoolId": pool, "Username": name,
                        "Password": PASSWORD, "Permanent": true }))
                    .await;
                assert_eq!(status, 200, "{out}");
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
            let baseline = memory(pid).1;
            println!("server pid {pid}, RSS before the first row: {baseline:.0} MiB");
            println!(
                "| operation | concurrency | verified/s | p50 ms | p99 ms | verified | TooManyRequests | slowest TooMany ms | other errors | peak RSS MiB | RSS after MiB |"
            );
            println!("|---|---|---|---|---|---|---|---|---|---|---|");
            for (name, unknown) in [("unknown user", true), ("sign-in", false)] {
                for concurrency in CONCURRENCIES {
                    let row = drive(
                        Arc::clone(&target),
                        client_id.clone(),
                        unknown,
                        concurrency,
                        seconds,
                        pid,
                    )
                    .await;
                    println!(
                        "| {name} | {concurrency} | {:.1} | {:.1} | {:.1} | {} | {} | {:.0} | {} | {:.0} | {:.0} |",
                        row.verified as f64 / row.seconds,
                        row.percentile(0.50),
                        row.percentile(0.99),
                        row.verified,
                        row.too_many,
                        row.slowest_too_many.as_secs_f64() * 1e3,
                        row.other,
                        row.peak_mib,
                        row.after_mib,
                    );
                }
            }
        });
        drop(server);
    }
}
