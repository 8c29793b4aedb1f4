//! Graceful shutdown: a request in flight when the signal arrives is answered, and the
//! server stops accepting new connections.

use std::time::Duration;

use clap::Parser;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use userpool_server::{Config, serve};

fn raw_request(target: &str, body: &str) -> String {
    format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: AWSCognitoIdentityProviderService.{target}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_at_shutdown_is_answered() {
    // Real (OWASP) hashing parameters, so a sign-up takes tens of milliseconds of hashing:
    // long enough for the shutdown to arrive while it runs.
    let config =
        Config::try_parse_from(["userpool-server", "--memory"]).unwrap_or_else(|e| panic!("{e}"));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let app = serve::app(&config, address).unwrap_or_else(|e| panic!("{e}"));
    // A pool and a client to sign up through, made directly on the service.
    let admin = userpool::Caller::new("test");
    let pool = app
        .pools
        .create_user_pool(&admin, "p", userpool::PoolSettings::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let client = app
        .pools
        .create_user_pool_client(
            &admin,
            pool.id.as_str(),
            "c",
            userpool::ClientSettings::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve::serve(listener, app, async {
        let _ = stopped.await;
    }));

    let body = format!(
        r#"{{"ClientId":"{}","Username":"diego","Password":"Correct-Horse-9!"}}"#,
        client.client_id
    );
    let mut stream = TcpStream::connect(address)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(raw_request("SignUp", &body).as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(3)).await;
    let _ = stop.send(());

    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"UserSub\""), "{response}");

    let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(
        matches!(finished, Ok(Ok(Ok(())))),
        "server did not stop cleanly"
    );
    assert!(
        TcpStream::connect(address).await.is_err(),
        "still accepting after shutdown"
    );
}
