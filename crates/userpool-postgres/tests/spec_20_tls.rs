//! SPEC §20: TLS to the database with a CA file. The server's certificate is verified
//! against the file's authorities (a server with a certificate from another authority is
//! refused), and a CA file makes TLS required: a server offering none is refused rather
//! than spoken to in plain text.

mod common;

use std::path::Path;
use std::process::Command;

use userpool_postgres::{Error, PostgresOptions, PostgresStore};
use userpool_store::Store;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a server certificate it signs for `localhost` and 127.0.0.1, and an unrelated CA.
fn certificates(dir: &Path) {
    std::fs::create_dir_all(dir).expect("tls dir");
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    for ca in ["ca", "other-ca"] {
        let mut args = vec!["req", "-x509", "-days", "2", "-subj"];
        let subject = format!("/CN=userpool test {ca}");
        let key = format!("{ca}.key");
        let pem = format!("{ca}.pem");
        args.push(&subject);
        args.extend(ec);
        args.extend(["-keyout", &key, "-out", &pem]);
        openssl(dir, &args);
    }
    let mut args = vec!["req", "-new", "-subj", "/CN=localhost"];
    args.extend(ec);
    args.extend(["-keyout", "server.key", "-out", "server.csr"]);
    openssl(dir, &args);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext file");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
    // As root, the server runs as the `postgres` account (.ci/postgres), which must own its
    // key; as anyone else the files are already the server's account's, and chown's
    // failure changes nothing.
    let _ = Command::new("chown")
        .args(["-R", "postgres:", &dir.display().to_string()])
        .status();
    let mode = Command::new("chmod")
        .args(["600", &dir.join("server.key").display().to_string()])
        .status()
        .expect("chmod");
    assert!(mode.success());
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

#[test]
fn ca_file_verifies_the_server_and_never_falls_back_to_plain_text() {
    let Some(cluster) = common::PrivateCluster::start("TLS to the database") else {
        return;
    };
    let tls = cluster.dir.join("tls");
    certificates(&tls);
    let port = free_port();
    let url = format!("postgres://userpool:userpool-test-only@localhost:{port}/postgres");
    let tcp = format!("-c listen_addresses=127.0.0.1 -c port={port}");

    // A server without TLS: fine without a CA file, refused with one.
    cluster.down();
    cluster.up_with(&tcp);
    let plain = PostgresStore::open_with(&url, &PostgresOptions::default());
    assert!(plain.is_ok(), "plain TCP without a CA file: {plain:?}");
    drop(plain);
    let refused = PostgresStore::open_with(
        &url,
        &PostgresOptions::default().ca_file(tls.join("ca.pem")),
    );
    assert!(
        matches!(refused, Err(Error::Unreachable(_))),
        "a CA file requires TLS: {refused:?}"
    );

    // A server with TLS: its authority's file opens it, another authority's is refused.
    cluster.down();
    cluster.up_with(&format!(
        "{tcp} -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
        tls.join("server.pem").display(),
        tls.join("server.key").display()
    ));
    let store = PostgresStore::open_with(
        &url,
        &PostgresOptions::default().ca_file(tls.join("ca.pem")),
    )
    .expect("TLS verified against the CA file");
    let pool = common::pool("Tls1");
    store.create_pool(&pool).expect("a write over TLS");
    assert!(store.get_pool(&pool.id).expect("a read over TLS").is_some());
    drop(store);
    let wrong = PostgresStore::open_with(
        &url,
        &PostgresOptions::default().ca_file(tls.join("other-ca.pem")),
    );
    assert!(
        matches!(wrong, Err(Error::Unreachable(_))),
        "a certificate from another authority is refused: {wrong:?}"
    );

    // CA files that cannot serve.
    let missing = PostgresStore::open_with(
        &url,
        &PostgresOptions::default().ca_file(tls.join("nope.pem")),
    );
    assert!(matches!(missing, Err(Error::Tls(_))), "{missing:?}");
    let empty = PostgresStore::open_with(
        &url,
        &PostgresOptions::default().ca_file(tls.join("server.ext")),
    );
    assert!(matches!(empty, Err(Error::Tls(_))), "{empty:?}");
}
