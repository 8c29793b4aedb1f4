//! Load test of `userpool-server` over HTTP: AdminGetUser and
//! AdminSetUserPassword (cheap 64 KiB hasher) requests per second with p50/p99 latency and
//! the error count, over MemoryStore and a SQLite file. The server runs in this process on
//! its own runtime and a real TCP socket; the client is hyper with keep-alive connections,
//! each request SigV4-signed as the AWS CLI signs it. Not a criterion bench and not in
//! CI's pass/fail: `cargo bench -p userpool-benches --bench load` (LOAD_SECS, default 10 s
//! per scenario; LOAD_CONNECTIONS, default 16).

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
}

struct Figures {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[rank].as_secs_f64() * 1e3
    }
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
    let seconds: u64 = std::env::var("LOAD_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let connections: usize = std::env::var("LOAD_CONNECTIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench --no-run`/`--list`: nothing to list
    }
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
