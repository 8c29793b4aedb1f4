//! SPEC §11 (SigV4): `sigv4::verify` with a valid date, scope and access key id — so every
//! input gets past the cheap checks to the signer — and a hostile header set and
//! `SignedHeaders`: duplicates, unsorted, uppercase, unknown names, huge counts. It never
//! panics, never accepts a tampered signature, and accepts a correct one over an ordinary
//! header set.
//!
//! Input (text, see `corpus/sigv4/`): line 1 is `valid` (sign correctly with AWS's signer)
//! or anything else (the same signature with its last digit changed); line 2 is the
//! `SignedHeaders` value, where a name written `name*N` stands for `N` copies; then header
//! lines `name: value`, each optionally prefixed `N*` for `N` copies (`N` ≤ 4096); then,
//! after an empty line, the body. `host` and `x-amz-date` (the pinned date) are always sent.
#![no_main]
#![forbid(unsafe_code)]

use std::time::SystemTime;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;
use userpool_fuzz::fixture::now;
use userpool_fuzz::reach;
use userpool_fuzz::request::{HOST, signature_headers};
use userpool_server::config::{AdminCredential, Config};

const MAX_COPIES: usize = 4096;

/// `name*N` → (`name`, N), `N` capped; no count is one copy.
fn repeated(text: &str) -> (&str, usize) {
    match text.rsplit_once('*') {
        Some((item, n)) => (item, n.trim().parse().unwrap_or(1).min(MAX_COPIES)),
        None => (text, 1),
    }
}

fn credential() -> AdminCredential {
    use clap::Parser;
    // invariant: fixed, valid arguments on loopback give the development credential.
    Config::try_parse_from(["userpool-server"])
        .expect("config")
        .admin_credential()
        .expect("development credential")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let valid = lines.next() == Some("valid");
    let signed_headers: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split(';')
        .flat_map(|item| {
            let (name, n) = repeated(item);
            std::iter::repeat_n(name.to_owned(), n)
        })
        .take(MAX_COPIES * 4)
        .collect();
    let date = now().format("%Y%m%dT%H%M%SZ").to_string();
    let mut headers = HeaderMap::new();
    headers.append("host", HeaderValue::from_static(HOST));
    if let Ok(value) = HeaderValue::from_str(&date) {
        headers.append("x-amz-date", value);
    }
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (name, n) = match name.split_once('*') {
            Some((n, name)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                (name, n.parse().unwrap_or(1).min(MAX_COPIES))
            }
            _ => (name, 1),
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim_start()),
        ) else {
            continue;
        };
        for _ in 0..n {
            headers.append(name.clone(), value.clone());
        }
    }
    // What AWS's signer makes of the headers the list names (each once, in its order).
    let mut named: Vec<(HeaderName, HeaderValue)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in &signed_headers {
        let lower = name.to_ascii_lowercase();
        if lower == "x-amz-date" || lower == "authorization" || !seen.insert(lower.clone()) {
            continue;
        }
        if let Ok(header) = HeaderName::from_bytes(lower.as_bytes()) {
            for value in headers.get_all(&header) {
                named.push((header.clone(), value.clone()));
            }
        }
    }
    let made =
        signature_headers(&named, body.as_bytes(), SystemTime::from(now())).and_then(|added| {
            let authorization = added
                .iter()
                .find(|(n, _)| n == "authorization")?
                .1
                .to_str()
                .ok()?
                .to_owned();
            let list = authorization
                .split("SignedHeaders=")
                .nth(1)?
                .split(',')
                .next()?
                .to_owned();
            let signature = authorization.rsplit("Signature=").next()?.to_owned();
            Some((list, signature))
        });
    let (canonical, mut signature) = match made {
        Some((list, signature)) => (list == signed_headers.join(";"), signature),
        None => (false, "0".repeat(64)),
    };
    if !valid {
        let last = if signature.ends_with('0') { "1" } else { "0" };
        signature.pop();
        signature.push_str(last);
    }
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=AKIAUSERPOOLLOCALDEV/{}/us-east-1/cognito-idp/aws4_request, SignedHeaders={}, Signature={signature}",
        &date[..8],
        signed_headers.join(";"),
    );
    let Ok(authorization) = HeaderValue::from_str(&authorization) else {
        return;
    };
    headers.insert("authorization", authorization);
    let ordinary = headers.len() <= 32
        && signed_headers.len() <= 16
        && !headers.contains_key("x-amz-content-sha256")
        && !headers.contains_key("x-amz-security-token");
    let result = userpool_server::sigv4::verify(
        &Method::POST,
        &Uri::from_static("/"),
        &headers,
        body.as_bytes(),
        &credential(),
        now(),
    );
    match &result {
        Ok(_) => reach::mark("sigv4 accepted"),
        Err(e) => reach::mark(&format!("sigv4 {}", e.code())),
    }
    if result.is_ok() {
        assert!(valid, "a tampered signature was accepted");
    } else if valid && canonical && ordinary {
        panic!("a correct signature was refused: {:?}", result.err());
    }
});
