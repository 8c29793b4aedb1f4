//! SPEC §19: `userpool-server import-users`, the operator's offline import of a CSV file in
//! Cognito's user-import layout (GetCSVHeader's columns) plus `password_hash`. The binary runs
//! against a database file; the users it imports then sign in through the service, with
//! hashes made by independent tools.

mod common;

use std::process::Command;

use clap::Parser;
use common::import_fixture;
use userpool::{AuthResult, Caller, ClientSettings, PoolSettings};
use userpool_core::HashParams;
use userpool_core::schema::csv_standard_columns;
use userpool_server::{App, Config, serve};

fn server_args(db: &std::path::Path) -> Vec<String> {
    [
        "--db",
        db.to_str().unwrap_or_default(),
        "--hash-memory-kib",
        "1024",
        "--hash-iterations",
        "1",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

fn open(db: &std::path::Path) -> App {
    let mut args = vec!["userpool-server".to_owned()];
    args.extend(server_args(db));
    let config = Config::try_parse_from(args).unwrap_or_else(|e| panic!("{e}"));
    serve::app(&config, config.listen).unwrap_or_else(|e| panic!("{e}"))
}

fn import(db: &std::path::Path, pool: &str, csv: &std::path::Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_userpool-server"))
        .arg("import-users")
        .args(server_args(db))
        .args(["--pool-id", pool, "--csv", csv.to_str().unwrap_or_default()])
        .args(["--batch-size", "2"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn csv_line(cells: &[&str]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    quoted.join(",")
}

#[test]
fn spec_19_import_users_reads_cognitos_csv_layout_and_the_users_sign_in() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("pool.db");
    let admin = Caller::new("admin");
    let (pool, client) = {
        let app = open(&db);
        let pool = app
            .pools
            .create_user_pool(
                &admin,
                "imported",
                PoolSettings {
                    hash_params: HashParams::new(1024, 1, 1).unwrap_or_else(|e| panic!("{e}")),
                    ..PoolSettings::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let client = app
            .pools
            .create_user_pool_client(
                &admin,
                pool.id.as_str(),
                "app",
                ClientSettings {
                    explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                    ..ClientSettings::default()
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        (pool.id.as_str().to_owned(), client.client_id)
    };

    let standard: Vec<&str> = csv_standard_columns().collect();
    let mut header = standard.clone();
    header.extend(["cognito:mfa_enabled", "cognito:username", "password_hash"]);
    let row = |user: &str, email: &str, mfa: &str, hash: &str| {
        let mut cells = vec![""; standard.len()];
        cells[0] = "Ana Example";
        cells[9] = email;
        cells[10] = "true";
        let mut cells: Vec<String> = cells.iter().map(|c| (*c).to_owned()).collect();
        cells.extend([mfa.to_owned(), user.to_owned(), hash.to_owned()]);
        csv_line(&cells.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let sources = [
        ("python bcrypt", "bcrypt"),
        ("passlib", "pbkdf2-sha512"),
        ("argon2 CLI", "argon2id"),
    ];
    let mut lines = vec![csv_line(&header)];
    for (i, (tool, scheme)) in sources.iter().enumerate() {
        lines.push(row(
            &format!("user{i}"),
            &format!("u{i}@example.com"),
            "false",
            &import_fixture(tool, scheme).1,
        ));
    }
    lines.push(row("bad", "bad@example.com", "false", "$1$md5crypt$x"));
    lines.push(row(
        "mfa",
        "mfa@example.com",
        "true",
        &import_fixture("passlib", "bcrypt").1,
    ));
    lines.push("\"short\",\"row\"".to_owned());
    let csv = dir.path().join("users.csv");
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));

    let (code, stdout, stderr) = import(&db, &pool, &csv);
    assert_eq!(code, 1, "some rows refused: {stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!("Imported 3 of 6 users into {pool} in ")),
        "{stdout}"
    );
    assert!(stdout.contains("; 3 failed."), "{stdout}");
    assert!(stdout.contains("  line 5: bad: InvalidParameterException: Invalid password hash: the password hash's algorithm is not supported."), "{stdout}");
    assert!(stdout.contains("  line 6: mfa: InvalidParameterException: cognito:mfa_enabled true is not supported by import-users"), "{stdout}");
    assert!(
        stdout.contains(
            "  line 7: : InvalidParameterException: The row has 2 fields; the header has 22"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("$2b$"), "no hash in the output");

    let app = open(&db);
    for (i, (tool, scheme)) in sources.iter().enumerate() {
        let user = format!("user{i}");
        let got = app
            .pools
            .admin_get_user(&admin, &pool, &user)
            .unwrap_or_else(|e| panic!("{tool} {scheme}: {e}"));
        assert_eq!(got.attributes["email"], format!("u{i}@example.com"));
        assert_eq!(got.attributes["email_verified"], "true");
        assert_eq!(got.attributes["name"], "Ana Example");
        let signed = app
            .pools
            .initiate_auth(
                &client,
                "USER_PASSWORD_AUTH",
                &user,
                &import_fixture(tool, scheme).0,
            )
            .unwrap_or_else(|e| panic!("{tool} {scheme}: {e}"));
        assert!(matches!(signed, AuthResult::Authenticated(_)));
    }
    // Imported again: every row is now a taken name, nothing changes.
    let (code, stdout, _) = import(&db, &pool, &csv);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("user0: UsernameExistsException"),
        "{stdout}"
    );
}

#[test]
fn spec_19_import_users_refuses_a_header_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("pool.db");
    let pool = open(&db)
        .pools
        .create_user_pool(&Caller::new("admin"), "p", PoolSettings::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .id
        .as_str()
        .to_owned();
    for (header, message) in [
        (
            "cognito:username,email,shoe_size,password_hash",
            "unknown column: shoe_size",
        ),
        ("cognito:username,email", "no password_hash column"),
        ("email,password_hash", "no cognito:username column"),
    ] {
        let csv = dir.path().join("bad.csv");
        std::fs::write(&csv, format!("{header}\n")).unwrap_or_else(|e| panic!("{e}"));
        let (code, stdout, stderr) = import(&db, &pool, &csv);
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    let csv = dir.path().join("none.csv");
    std::fs::write(&csv, "cognito:username,password_hash\n").unwrap_or_else(|e| panic!("{e}"));
    let (code, stdout, _) = import(&db, &pool, &csv);
    assert_eq!(code, 0, "an empty file imports nothing: {stdout}");
    assert!(stdout.starts_with("Imported 0 of 0 users"), "{stdout}");
    let (code, _, stderr) = import(&db, "us-east-1_Missing", &csv);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("ResourceNotFoundException: User pool us-east-1_Missing does not exist."),
        "{stderr}"
    );
}
