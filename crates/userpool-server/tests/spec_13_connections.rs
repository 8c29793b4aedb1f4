//! SPEC §13, bounded connections, over real sockets: headers within 10 s, bodies within
//! 10 s, a cap on open connections, and a shutdown that waits at most 30 s.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::net::{self, connect, exchange, raw_request};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use userpool_server::serve::ConnectionLimits;

/// What the server does to a stalled connection: reads until the server closes it (or 15 s
/// pass), returning when it closed and what it sent.
async fn until_closed(mut stream: TcpStream) -> (Instant, Vec<u8>) {
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "still open after 15 s");
    (Instant::now(), received)
}

/// A request the server answers without hashing (an unknown client).
fn quick_request() -> String {
    raw_request(
        "SignUp",
        &json!({"ClientId": "nosuchclient", "Username": "u", "Password": "Correct-Horse-9!"})
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_slow_headers_and_bodies_are_closed_within_11_s_beside_1000_stalled_connections() {
    let server = net::start(&["--no-rate-limits"]).await;
    let address = server.address;
    let mut stalled = Vec::new();
    for i in 0..1000 {
        let opened = Instant::now();
        let mut stream = connect(address, None).await;
        let partial = match i % 4 {
            // Nothing at all.
            0 => String::new(),
            // Half a request line.
            1 => "POST / HT".to_owned(),
            // Headers that never end.
            2 => "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n".to_owned(),
            // Complete headers, a tenth of the body.
            _ => {
                let full = quick_request();
                let cut = full.len() - 10;
                full[..cut].to_owned()
            }
        };
        stream
            .write_all(partial.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        stalled.push((i % 4, opened, stream));
    }
    // A body that trickles a byte every 300 ms, always late, never finished.
    let mut trickle = connect(address, None).await;
    let full = quick_request();
    let head_end = full.find("\r\n\r\n").map_or(0, |i| i + 4);
    trickle
        .write_all(&full.as_bytes()[..head_end])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let trickler = tokio::spawn(async move {
        let started = Instant::now();
        for byte in b"{\"ClientId\"" {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if trickle.write_all(&[*byte]).await.is_err() {
                break;
            }
        }
        let (closed, received) = until_closed(trickle).await;
        (closed - started, received)
    });

    // Beside them, a new request is answered at once (the best of five, so that a busy
    // machine's one slow scheduling does not decide).
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let (status, body) = exchange(connect(address, None).await, &quick_request()).await;
        best = best.min(started.elapsed());
        assert_eq!(
            (status, body["__type"].as_str()),
            (400, Some("ResourceNotFoundException"))
        );
    }
    eprintln!("beside 1000 stalled connections: a new request answered in {best:?} (best of 5)");
    assert!(best < Duration::from_millis(100), "answered in {best:?}");

    // Every stalled connection is closed by the server within 11 s of its opening; a
    // stalled body is answered RequestTimeoutException first.
    let waits: Vec<_> = stalled
        .into_iter()
        .map(|(kind, opened, stream)| {
            tokio::spawn(async move { (kind, opened, until_closed(stream).await) })
        })
        .collect();
    let mut latest = Duration::ZERO;
    for wait in waits {
        let (kind, opened, (closed, received)) = wait.await.unwrap_or_else(|e| panic!("{e}"));
        let after = closed - opened;
        latest = latest.max(after);
        assert!(
            after < Duration::from_secs(11),
            "kind {kind} closed after {after:?}"
        );
        if kind == 3 {
            let (status, body) = net::parse(&received);
            assert_eq!(
                (status, body["__type"].as_str()),
                (400, Some("RequestTimeoutException")),
                "{body}"
            );
        }
    }
    eprintln!("stalled connections closed at most {latest:?} after they opened");
    let (after, received) = trickler.await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        after < Duration::from_secs(11),
        "trickle closed after {after:?}"
    );
    assert_eq!(
        net::parse(&received).1["__type"].as_str(),
        Some("RequestTimeoutException")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_connections_beyond_the_cap_wait_until_one_closes() {
    let limits = ConnectionLimits::default().with_max_connections(3);
    let server = net::start_with(&["--no-rate-limits"], limits, |_| {}).await;
    let address = server.address;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect(address, None).await;
        stream
            .write_all(b"POST / HTTP/1.1\r\n")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        held.push(stream);
    }
    // Give the server time to accept all three.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let fourth = tokio::spawn(async move {
        let started = Instant::now();
        let answer = exchange(connect(address, None).await, &quick_request()).await;
        (started.elapsed(), answer)
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !fourth.is_finished(),
        "a fourth connection was served beside three"
    );
    // One of the three goes away: the fourth is served.
    drop(held.pop());
    let (waited, (status, body)) = tokio::time::timeout(Duration::from_secs(5), fourth)
        .await
        .unwrap_or_else(|_| panic!("not served after a connection closed"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("ResourceNotFoundException"))
    );
}

/// The flag reaches the limits.
#[test]
fn spec_13_max_connections_flag_sets_the_cap() {
    let config = net::config(&["--max-connections", "7"]);
    assert_eq!(ConnectionLimits::from_config(&config).max_connections, 7);
    let config = net::config(&[]);
    assert_eq!(ConnectionLimits::from_config(&config).max_connections, 1024);
    let refused = <userpool_server::Config as clap::Parser>::try_parse_from([
        "userpool-server",
        "--max-connections",
        "0",
    ]);
    assert!(refused.is_err());
}

#[test]
fn spec_13_sigterm_exits_within_30_s_with_a_stalled_connection_open() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_userpool-server"))
        .args(["--memory", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    // "userpool-server listening on http://127.0.0.1:PORT"
    let mut first_line = Vec::new();
    let mut byte = [0u8; 1];
    while std::io::Read::read(&mut stdout, &mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        first_line.push(byte[0]);
    }
    let first_line = String::from_utf8_lossy(&first_line).into_owned();
    let address = first_line
        .rsplit("http://")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    // One connection stalled in its headers, one in its body, one idle.
    let mut streams = Vec::new();
    for partial in [
        &b"POST / HTTP/1.1\r\nHost: x\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
        b"",
    ] {
        let mut stream = std::net::TcpStream::connect(&address)
            .unwrap_or_else(|e| panic!("{address:?} from {first_line:?}: {e}"));
        std::io::Write::write_all(&mut stream, partial).unwrap_or_else(|e| panic!("{e}"));
        streams.push(stream);
    }
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(killed.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            break status;
        }
        if signalled.elapsed() > Duration::from_secs(35) {
            let _ = child.kill();
            panic!("still running 35 s after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = signalled.elapsed();
    eprintln!("exited {took:?} after SIGTERM");
    assert!(took < Duration::from_secs(30), "exited after {took:?}");
    assert!(status.success(), "{status:?}");
    drop(streams);
}

/// A head past 32 KiB is refused (431) before anything reads it, and the server goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_13_a_head_over_32_kib_is_refused() {
    let server = net::start(&["--no-rate-limits"]).await;
    let padding = format!("X-Pad: {}\r\n", "p".repeat(1000)).repeat(40);
    let request = quick_request().replacen("\r\n", &format!("\r\n{padding}"), 1);
    let mut stream = connect(server.address, None).await;
    // The whole head fits the connection's buffer (64 KiB), so the server reads all of it,
    // then refuses it.
    stream
        .write_all(request.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, received) = until_closed(stream).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 431"), "{text}");
    let (status, _) = exchange(connect(server.address, None).await, &quick_request()).await;
    assert_eq!(status, 400);
}
