//! The text format the wire targets read: one request per block, written as a person would
//! write it, so seeds are plain files and libFuzzer's mutations stay meaningful.
//!
//! ```text
//! AdminCreateUser signed
//! x-extra-header: value
//!
//! {"UserPoolId":"POOL","Username":"erin"}
//! ```
//!
//! - The first line is the operation (a Cognito name this server implements becomes
//!   `X-Amz-Target: AWSCognitoIdentityProviderService.<name>`; `-` sends no target; anything
//!   else is sent as the raw target) and how to sign: `signed` signs the request correctly
//!   with the development credential at the fixture's clock (AWS's own signer, as the
//!   server's tests and the AWS CLI sign), `date` adds only `X-Amz-Date` (the request's own
//!   `authorization:` line, if any, is the signature), anything else sends it unsigned.
//! - Then `name: value` header lines up to an empty line (at most [`MAX_HEADERS`]); they
//!   are signed too with `signed`. A `content-type` line replaces the default
//!   `application/x-amz-json-1.1`, a `host` line the default `127.0.0.1:9229`.
//! - The rest is the body.
//!
//! Placeholders in header values and the body (`POOL`, `CLIENT`, and in sessions `CODE`,
//! `SESSION`, `ACCESS`, `REFRESH`, ...) are replaced by [`Vars`] before the request is built.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request};
use userpool_server::config::{DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY};
use userpool_server::operation::{Operation, TARGET_PREFIX};

/// Header lines beyond this many are ignored (the `sigv4` target is the one for huge sets).
pub const MAX_HEADERS: usize = 24;

/// The host every request is addressed to unless it says otherwise.
pub const HOST: &str = "127.0.0.1:9229";

/// How a request is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// A correct SigV4 signature of the whole request, made at the fixture's clock.
    Valid,
    /// Only `X-Amz-Date` (the fixture's clock); the request's own headers do the rest.
    DateOnly,
    /// Nothing added.
    Unsigned,
}

/// One request of the text format.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// The first word of the first line.
    pub target: String,
    /// The second word.
    pub signing: Signing,
    /// `name: value` lines, in order.
    pub headers: Vec<(String, String)>,
    /// Everything after the first empty line.
    pub body: String,
}

/// Prints the request in its text format: a crash report is a ready-to-use seed.
impl std::fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n{}", self.encode())
    }
}

impl WireRequest {
    /// Reads one request; total (any text is some request).
    #[must_use]
    pub fn parse(text: &str) -> WireRequest {
        let (head, body) = match text.split_once("\n\n") {
            Some((head, body)) => (head, body.to_owned()),
            None => (text, String::new()),
        };
        let mut lines = head.lines();
        let mut first = lines.next().unwrap_or("").split_whitespace();
        let target = first.next().unwrap_or("").to_owned();
        let signing = match first.next() {
            Some("signed") => Signing::Valid,
            Some("date") => Signing::DateOnly,
            _ => Signing::Unsigned,
        };
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_owned(), value.trim_start().to_owned()))
            .take(MAX_HEADERS)
            .collect();
        WireRequest {
            target,
            signing,
            headers,
            body,
        }
    }

    /// The text [`WireRequest::parse`] reads back as `self`.
    #[must_use]
    pub fn encode(&self) -> String {
        let signing = match self.signing {
            Signing::Valid => " signed",
            Signing::DateOnly => " date",
            Signing::Unsigned => "",
        };
        let mut text = format!("{}{signing}\n", self.target);
        for (name, value) in &self.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        text.push('\n');
        text.push_str(&self.body);
        text
    }

    /// The operation the request names, if it is one this server implements.
    #[must_use]
    pub fn operation(&self) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|op| op.name() == self.target)
    }

    /// The HTTP request, placeholders replaced, signed as asked at `now`. `None` when the
    /// text cannot be an HTTP request at all (a header name or value HTTP refuses is
    /// skipped instead).
    #[must_use]
    pub fn to_http(&self, vars: &Vars, now: SystemTime) -> Option<Request<Body>> {
        let target = match self.operation() {
            Some(op) => Some(format!("{TARGET_PREFIX}{}", op.name())),
            None if self.target == "-" => None,
            None => Some(vars.apply(&self.target)),
        };
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        let mut push = |name: &str, value: &str| {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.push((name, value));
            }
        };
        let given = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        if !given("host") {
            push("host", HOST);
        }
        if !given("content-type") {
            push("content-type", "application/x-amz-json-1.1");
        }
        if let Some(target) = &target {
            push("x-amz-target", target);
        }
        for (name, value) in &self.headers {
            push(name, &vars.apply(value));
        }
        let body = vars.apply(&self.body);
        match self.signing {
            Signing::Valid => {
                // A header the signer cannot take leaves the request unsigned: the
                // signature's validity is the flag's, not the fuzzer's, to break.
                if let Some(signed) = signature_headers(&headers, body.as_bytes(), now) {
                    headers.retain(|(name, _)| {
                        !signed.iter().any(|(signed_name, _)| signed_name == name)
                    });
                    headers.extend(signed);
                }
            }
            Signing::DateOnly => {
                if !given("x-amz-date") {
                    push_date(&mut headers, now);
                }
            }
            Signing::Unsigned => {}
        }
        let mut request = Request::post("/");
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.body(Body::from(body)).ok()
    }
}

fn push_date(headers: &mut Vec<(HeaderName, HeaderValue)>, now: SystemTime) {
    let date = chrono::DateTime::<chrono::Utc>::from(now)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&date) {
        headers.push((HeaderName::from_static("x-amz-date"), value));
    }
}

/// The headers AWS's signer adds (`x-amz-date`, `authorization`) to sign `headers` and
/// `body` with the development credential at `now`, as the AWS CLI would.
#[must_use]
pub fn signature_headers(
    headers: &[(HeaderName, HeaderValue)],
    body: &[u8],
    now: SystemTime,
) -> Option<Vec<(HeaderName, HeaderValue)>> {
    // Without a host (and the URI here has no authority) the signer panics.
    if !headers.iter().any(|(name, _)| name == "host") {
        return None;
    }
    let identity =
        Credentials::new(DEV_ACCESS_KEY_ID, DEV_SECRET_ACCESS_KEY, None, None, "fuzz").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("cognito-idp")
        .time(now)
        .settings(SigningSettings::default())
        .build()
        .ok()?
        .into();
    let mut pairs = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        pairs.push((name.as_str(), value.to_str().ok()?));
    }
    let signable =
        SignableRequest::new("POST", "/", pairs.into_iter(), SignableBody::Bytes(body)).ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    let (added, _) = instructions.into_parts();
    added
        .into_iter()
        .map(|header| {
            Some((
                HeaderName::from_bytes(header.name().as_bytes()).ok()?,
                HeaderValue::from_str(header.value()).ok()?,
            ))
        })
        .collect()
}

/// Placeholder → value, applied longest placeholder first.
#[derive(Debug, Default, Clone)]
pub struct Vars(Vec<(&'static str, String)>);

impl Vars {
    /// Sets (or replaces) a placeholder's value.
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => {
                self.0.push((name, value));
                self.0.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
            }
        }
    }

    /// `text` with every placeholder replaced.
    #[must_use]
    pub fn apply(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, (name, value)| {
            text.replace(name, value)
        })
    }
}
