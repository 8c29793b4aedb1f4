//! SigV4 verification of admin requests (SPEC §11): the server recomputes the signature a
//! client made with the configured [`AdminCredential`] and accepts the request only if the two
//! agree, so the AWS CLI, boto3 and the SDKs authenticate exactly as against Cognito.
//!
//! # How
//!
//! The signature is recomputed by AWS's own signer, the `aws-sigv4` crate that every AWS SDK
//! for Rust signs with: this module parses the `Authorization` header, checks what AWS checks
//! before any cryptography (date, skew, credential scope, access key id), then hands the
//! signer the request *as the client described it* — the method, the path and query, only the
//! headers named in `SignedHeaders`, the hash of the body, the client's own `X-Amz-Date` and
//! the region of its credential scope — and compares the result with the client's signature
//! in constant time. No canonicalisation or HMAC is written here.
//!
//! `aws-sigv4` was chosen over `scratchstack-aws-signature` (a dedicated server-side
//! verifier): scratchstack pins one region per call, wants an IAM principal (account id, ARN)
//! for every key, and verifies through an async `tower::Service`, while `aws-sigv4` is a plain
//! synchronous function maintained by AWS with the SDKs, and the two pull about the same
//! number of crates (most of them — `http`, `bytes`, `tokio`, `tracing` — already here).
//!
//! # Decisions
//!
//! - **Any region.** The server is one endpoint whatever region a client is configured
//!   for, so the region of the credential scope is taken as the client gave it (it must only
//!   be non-empty); the signature still covers it.
//! - **Service `cognito-idp` only.** A scope naming another service is refused, as AWS does.
//! - **Session tokens.** Credentials from `aws sts` sign an `X-Amz-Security-Token` header.
//!   The server has one static credential and no STS, so a token is never checked against
//!   anything and does not change the key: a signed token is simply part of the signed
//!   request (a request signed with the configured key and any token verifies), and an
//!   unsigned one is ignored. Whoever holds the secret key is the admin, token or not.
//! - **Headers only.** Presigned (query-string) authentication is not supported: a request
//!   without an `Authorization` header is [`Error::MissingAuthenticationToken`] even if its
//!   query carries `X-Amz-Signature`. `X-Amz-Date` is required (the older `Date` header is
//!   not accepted) and must be signed, like `host`.
//! - **Lenient separators.** Empty `,`-separated parts of the header are skipped and
//!   unknown ones ignored: the signature covers everything that matters, so strictness
//!   about spacing would only refuse honest clients.
//! - **Strict `SignedHeaders`.** The list must be lowercase header names, sorted, each
//!   named once, as SigV4 defines it and every SDK sends it; anything else is
//!   `IncompleteSignatureException` before any work that scales with the request. The
//!   signed headers are capped too ([`MAX_SIGNED_HEADERS`] names,
//!   [`MAX_SIGNED_HEADER_VALUES`] values, [`MAX_SIGNED_HEADER_BYTES`] bytes): a list naming
//!   one header hundreds of times over many copies of it made the signer's header map panic
//!   (the connection dropped unanswered), and hundreds of kilobytes of headers cost
//!   hundreds of megabytes.
//! - **Skew.** `X-Amz-Date` may differ from the server's clock by 15 minutes either way,
//!   AWS's window.
//!
//! Messages are AWS's own texts. None contains the secret key, and the request body never
//! reaches the signer (only its SHA-256 does), so `aws-sigv4`'s trace log cannot print a
//! password being set.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::http::{HeaderMap, Method, Uri, header};
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use userpool::Caller;

use crate::config::AdminCredential;
use crate::error::Error;

/// The signing name of Amazon Cognito user pools.
pub const SERVICE: &str = "cognito-idp";

/// The only algorithm accepted (SigV4A and the older versions are not).
const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// How far `X-Amz-Date` may be from the server's clock, either way (AWS's window).
const MAX_SKEW_MINUTES: i64 = 15;

/// `X-Amz-Date`'s format, ISO 8601 basic.
const AMZ_DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

const X_AMZ_DATE: &str = "x-amz-date";
const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";

/// The most names `SignedHeaders` may list (botocore signs about six).
pub const MAX_SIGNED_HEADERS: usize = 64;

/// The most header values the signed headers may carry in all (a header sent several
/// times counts each time).
pub const MAX_SIGNED_HEADER_VALUES: usize = 64;

/// The most bytes (names and values) the signed headers may carry in all; a session token
/// of a few kilobytes fits easily.
pub const MAX_SIGNED_HEADER_BYTES: usize = 32 * 1024;

/// AWS's message when the recomputed signature differs.
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Verifies the SigV4 signature of an admin request (service `cognito-idp`, any region).
///
/// `body` is the whole request body, and `now` the server's clock (skew is measured
/// against it, so tests and `--test-clock-offset-secs` move it). Returns the caller,
/// identified by its access key id.
///
/// # Errors
///
/// - `MissingAuthenticationToken`: no `Authorization` header.
/// - `IncompleteSignature`: the header is not `AWS4-HMAC-SHA256 Credential=...,
///   SignedHeaders=..., Signature=...`, lacks a part, or `X-Amz-Date` is missing or not ISO
///   8601 basic format; the credential is not `key/date/region/service/aws4_request`;
///   `SignedHeaders` is not lowercase names sorted and unique, or names more than
///   [`MAX_SIGNED_HEADERS`]; the signed headers carry more than
///   [`MAX_SIGNED_HEADER_VALUES`] values or [`MAX_SIGNED_HEADER_BYTES`] bytes.
/// - `InvalidSignature`: `X-Amz-Date` more than 15 minutes from `now`; a scope naming
///   another service, another date or another terminator; `host` or `x-amz-date` not signed;
///   `x-amz-content-sha256` not the body's hash; the signature does not match.
/// - `UnrecognizedClient`: the access key id is not the configured one.
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    credential: &AdminCredential,
    now: DateTime<Utc>,
) -> Result<Caller, Error> {
    verify_for_service(SERVICE, method, uri, headers, body, credential, now)
}

/// [`verify`] for any service name, so AWS's published test suite (service `service`)
/// runs unchanged against the same code.
fn verify_for_service(
    service: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    credential: &AdminCredential,
    now: DateTime<Utc>,
) -> Result<Caller, Error> {
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        return Err(Error::MissingAuthenticationToken);
    };
    let authorization = authorization.to_str().map_err(|_| {
        Error::IncompleteSignature("Authorization header is not valid ASCII.".into())
    })?;
    let amz_date = headers.get(X_AMZ_DATE);
    let auth = Authorization::parse(authorization, amz_date.is_some())?;
    // `parse` refused a missing date; a non-ASCII one fails the format check below.
    let amz_date_text = amz_date.map_or("", |value| value.to_str().unwrap_or(""));
    let date = parse_amz_date(amz_date_text)?;
    check_skew(date, now)?;
    let scope = auth.scope()?;
    check_scope(&scope, service, date, amz_date_text)?;
    if scope.access_key_id != credential.access_key_id {
        return Err(Error::UnrecognizedClient);
    }
    let signed = signed_header_names(auth.signed_headers)?;
    check_signed_header_sizes(headers, &signed)?;
    if !signed.contains(&"host") {
        return Err(Error::InvalidSignature(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    if !signed.contains(&X_AMZ_DATE) {
        return Err(Error::InvalidSignature(
            "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    let payload_hash = sha256_hex(body);
    if let Some(claimed) = headers.get(X_AMZ_CONTENT_SHA256)
        && claimed.as_bytes() != payload_hash.as_bytes()
    {
        return Err(Error::InvalidSignature(
            "The provided 'x-amz-content-sha256' header does not match what was computed.".into(),
        ));
    }
    let expected = recompute(
        method,
        uri,
        headers,
        &signed,
        payload_hash,
        credential,
        &scope,
        service,
        date,
    )
    .ok_or_else(|| Error::InvalidSignature(MISMATCH.into()))?;
    if bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
        Ok(Caller::new(credential.access_key_id.clone()))
    } else {
        Err(Error::InvalidSignature(MISMATCH.into()))
    }
}

/// The three parts of `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...`.
struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> Authorization<'a> {
    /// Splits the header, refusing it with every missing part named at once, as AWS does.
    fn parse(header: &'a str, has_date: bool) -> Result<Self, Error> {
        let (algorithm, rest) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
        if algorithm != ALGORITHM {
            return Err(Error::IncompleteSignature(format!(
                "Unsupported AWS 'algorithm': '{algorithm}'."
            )));
        }
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            match part.trim().split_once('=') {
                Some(("Credential", value)) => credential = Some(value),
                Some(("SignedHeaders", value)) => signed_headers = Some(value),
                Some(("Signature", value)) => signature = Some(value),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        if credential.is_none() {
            missing.push("Authorization header requires 'Credential' parameter.");
        }
        if signature.is_none() {
            missing.push("Authorization header requires 'Signature' parameter.");
        }
        if signed_headers.is_none() {
            missing.push("Authorization header requires 'SignedHeaders' parameter.");
        }
        if !has_date {
            missing.push(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            );
        }
        match (credential, signed_headers, signature) {
            (Some(credential), Some(signed_headers), Some(signature)) if has_date => Ok(Self {
                credential,
                signed_headers,
                signature,
            }),
            _ => Err(Error::IncompleteSignature(format!(
                "{} Authorization={header}",
                missing.join(" ")
            ))),
        }
    }

    /// `Credential=<key id>/<date>/<region>/<service>/<terminator>`.
    fn scope(&self) -> Result<Scope<'a>, Error> {
        let parts: Vec<&str> = self.credential.split('/').collect();
        match parts[..] {
            [access_key_id, date, region, service, terminator] => Ok(Scope {
                access_key_id,
                date,
                region,
                service,
                terminator,
            }),
            _ => Err(Error::IncompleteSignature(format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{}'",
                self.credential
            ))),
        }
    }
}

/// The credential scope of a signature.
struct Scope<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
}

/// The names of `SignedHeaders`, refused unless lowercase header names (HTTP token
/// characters), strictly ascending (so sorted and unique), at most [`MAX_SIGNED_HEADERS`].
fn signed_header_names(list: &str) -> Result<Vec<&str>, Error> {
    let refuse = |why: &str| {
        Error::IncompleteSignature(format!(
            "{why} Got SignedHeaders='{}'.",
            list.chars()
                .filter(char::is_ascii_graphic)
                .take(128)
                .collect::<String>()
        ))
    };
    let is_name_char =
        |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b);
    let mut names: Vec<&str> = Vec::new();
    for name in list.split(';') {
        if names.len() == MAX_SIGNED_HEADERS {
            return Err(refuse(&format!(
                "SignedHeaders may name at most {MAX_SIGNED_HEADERS} headers."
            )));
        }
        if name.is_empty() || !name.bytes().all(is_name_char) {
            return Err(refuse(
                "SignedHeaders must be lowercase header names separated by ';'.",
            ));
        }
        if names.last().is_some_and(|last| *last >= name) {
            return Err(refuse(
                "SignedHeaders must be sorted and name each header once.",
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// Refuses signed headers carrying more than [`MAX_SIGNED_HEADER_VALUES`] values or
/// [`MAX_SIGNED_HEADER_BYTES`] bytes, counted without allocating, before the signer
/// copies them.
fn check_signed_header_sizes(headers: &HeaderMap, signed: &[&str]) -> Result<(), Error> {
    let (mut values, mut bytes) = (0usize, 0usize);
    for &name in signed {
        for value in headers.get_all(name) {
            values += 1;
            bytes += name.len() + value.len();
        }
    }
    if values > MAX_SIGNED_HEADER_VALUES || bytes > MAX_SIGNED_HEADER_BYTES {
        return Err(Error::IncompleteSignature(format!(
            "The signed headers are too large: at most {MAX_SIGNED_HEADER_VALUES} values and {MAX_SIGNED_HEADER_BYTES} bytes are accepted, got {values} values and {bytes} bytes."
        )));
    }
    Ok(())
}

fn parse_amz_date(text: &str) -> Result<DateTime<Utc>, Error> {
    NaiveDateTime::parse_from_str(text, AMZ_DATE_FORMAT)
        .map(|naive| naive.and_utc())
        .map_err(|_| {
            Error::IncompleteSignature(format!(
                "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ))
        })
}

/// Refuses a date more than [`MAX_SKEW_MINUTES`] from `now`, in AWS's words.
fn check_skew(date: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), Error> {
    let window = TimeDelta::minutes(MAX_SKEW_MINUTES);
    let format = |t: DateTime<Utc>| t.format(AMZ_DATE_FORMAT).to_string();
    if date < now - window {
        return Err(Error::InvalidSignature(format!(
            "Signature expired: {} is now earlier than {} ({} - {MAX_SKEW_MINUTES} min.)",
            format(date),
            format(now - window),
            format(now),
        )));
    }
    if date > now + window {
        return Err(Error::InvalidSignature(format!(
            "Signature not yet current: {} is still later than {} ({} + {MAX_SKEW_MINUTES} min.)",
            format(date),
            format(now + window),
            format(now),
        )));
    }
    Ok(())
}

/// The scope must name this service, the day of `X-Amz-Date` and `aws4_request`; any
/// non-empty region is accepted (see the module doc). All faults are named at once.
fn check_scope(
    scope: &Scope<'_>,
    service: &str,
    date: DateTime<Utc>,
    amz_date: &str,
) -> Result<(), Error> {
    let mut faults = Vec::new();
    if scope.region.is_empty() {
        faults.push("Credential should be scoped to a valid region, not ''.".to_owned());
    }
    if scope.service != service {
        faults.push(format!(
            "Credential should be scoped to correct service: '{service}'."
        ));
    }
    if scope.terminator != "aws4_request" {
        faults.push(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
            scope.terminator
        ));
    }
    let day = date.format("%Y%m%d").to_string();
    if scope.date != day {
        faults.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
            scope.date
        ));
    }
    if faults.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSignature(faults.join(" ")))
    }
}

/// Lowercase hex SHA-256, the payload hash of the canonical request.
fn sha256_hex(body: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(body)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The signature `aws-sigv4` computes for the request as the client described it, or `None`
/// when the signer cannot take it (a header value that is not visible ASCII, an unparsable
/// path): such a request cannot carry a valid signature.
#[allow(clippy::too_many_arguments)]
fn recompute(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    signed: &[&str],
    payload_hash: String,
    credential: &AdminCredential,
    scope: &Scope<'_>,
    service: &str,
    date: DateTime<Utc>,
) -> Option<String> {
    // The signer adds `x-amz-date` itself from `time`, and `x-amz-security-token` from the
    // credentials (where its Debug redacts it): pass every other signed header as sent.
    let mut pairs = Vec::new();
    let mut session_token = None;
    for &name in signed {
        for value in headers.get_all(name) {
            let value = value.to_str().ok()?;
            match name {
                X_AMZ_DATE => {}
                X_AMZ_SECURITY_TOKEN => session_token = Some(value.to_owned()),
                _ => pairs.push((name, value)),
            }
        }
    }
    // HTTP/1.1 requires `Host`, but an HTTP/1.0 request may omit it and carry the authority
    // in an absolute URI; with neither, the signer would panic, and nothing can match.
    if !pairs.iter().any(|&(name, _)| name == "host") {
        pairs.push(("host", uri.authority()?.as_str()));
    }
    let identity = Credentials::new(
        scope.access_key_id,
        credential.secret_access_key.as_str(),
        session_token,
        None,
        "userpool-server",
    )
    .into();
    let mut settings = SigningSettings::default();
    // The client decides what it signs (some SDKs sign `user-agent`): exclude nothing.
    settings.excluded_headers = None;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(scope.region)
        .name(service)
        .time(SystemTime::from(date))
        .settings(settings)
        .build()
        .ok()?
        .into();
    let path_and_query = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = SignableRequest::new(
        method.as_str(),
        path_and_query,
        pairs.into_iter(),
        SignableBody::Precomputed(payload_hash),
    )
    .ok()?;
    let output = sign(request, &params).ok()?;
    Some(output.signature().to_owned())
}

#[cfg(test)]
mod tests;
