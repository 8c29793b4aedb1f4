//! A server on a loopback port in this process, and raw HTTP/1.1 over real sockets: for the
//! tests of the connection edge (SPEC §13), which the router alone cannot show.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;

use clap::Parser;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use userpool_server::serve::{self, ConnectionLimits};
use userpool_server::{App, Config, router};

/// A running server; stops when told (or when the test's runtime ends).
pub struct Server {
    pub address: SocketAddr,
    pub stop: Option<tokio::sync::oneshot::Sender<()>>,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The configuration of the in-process tests: memory, cheap hashing, plus `extra` flags.
pub fn config(extra: &[&str]) -> Config {
    let mut argv = vec![
        "userpool-server",
        "--memory",
        "--hash-memory-kib",
        "1024",
        "--hash-iterations",
        "1",
    ];
    argv.extend_from_slice(extra);
    Config::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"))
}

/// Starts a server with `extra` flags and `limits` on 127.0.0.1, port chosen by the OS;
/// `adjust` may change the app first.
pub async fn start_with(
    extra: &[&str],
    limits: ConnectionLimits,
    adjust: impl FnOnce(&mut App),
) -> Server {
    let config = config(extra);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let mut app = serve::app(&config, address).unwrap_or_else(|e| panic!("{e}"));
    adjust(&mut app);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve_with(listener, app, limits, async {
        let _ = stopped.await;
    }));
    Server {
        address,
        stop: Some(stop),
        task,
    }
}

/// [`start_with`] with the default limits and app.
pub async fn start(extra: &[&str]) -> Server {
    start_with(extra, ConnectionLimits::default(), |_| {}).await
}

/// A request for `target` with `body`, closing the connection after the answer.
pub fn raw_request(target: &str, body: &str) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: AWSCognitoIdentityProviderService.{target}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Connects to `address`, from `source` when given (another loopback address).
pub async fn connect(address: SocketAddr, source: Option<IpAddr>) -> TcpStream {
    match source {
        None => TcpStream::connect(address)
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        Some(source) => {
            let socket = TcpSocket::new_v4().unwrap_or_else(|e| panic!("{e}"));
            socket
                .bind(SocketAddr::new(source, 0))
                .unwrap_or_else(|e| panic!("bind {source}: {e}"));
            socket
                .connect(address)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    }
}

/// Writes `request` and reads the answer to the end: status and JSON body.
pub async fn exchange(mut stream: TcpStream, request: &str) -> (u16, Value) {
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    parse(&response)
}

/// The status and JSON body of a raw response.
pub fn parse(response: &[u8]) -> (u16, Value) {
    let text = String::from_utf8_lossy(response);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, body)
}

/// Sends one operation from `source` and returns the status and body.
pub async fn post(
    address: SocketAddr,
    source: Option<IpAddr>,
    target: &str,
    body: &Value,
) -> (u16, Value) {
    let stream = connect(address, source).await;
    exchange(stream, &raw_request(target, &body.to_string())).await
}

/// Serves the app of [`config`]`(extra)` on 127.0.0.1 (port chosen by the OS) for tests
/// whose other parties (a provider, a browser agent) reach it over sockets: its base URL,
/// and its router for admin calls in process.
pub async fn serve_router(extra: &[&str]) -> (String, Router) {
    let config = config(extra);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let app = Arc::new(serve::app(&config, address).unwrap_or_else(|e| panic!("{e}")));
    let routes = router(app);
    tokio::spawn(axum::serve(listener, routes.clone()).into_future());
    (format!("http://{address}"), routes)
}

/// An HTTP client that follows no redirect and reads error statuses as answers, as the
/// tests look at each hop of a browser's way.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .new_agent()
}
