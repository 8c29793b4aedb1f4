//! The server's outbound HTTP, built here so every call the server makes is bounded the
//! same way: an OpenID Connect provider's discovery, token, JWKS and userInfo endpoints
//! (SPEC §21, the helpers below) and the Lambda Invoke client (SPEC §19, `crate::lambda`).
//! `ureq` is synchronous, so callers run it on a blocking thread
//! (`tokio::task::spawn_blocking`), never on the async workers.
//!
//! Bounded: every call has an overall deadline (the provider calls [`TIMEOUT`], Lambda its
//! configured timeout), follows no redirect, and reads a capped answer (the provider calls
//! [`MAX_RESPONSE_BYTES`]). TLS is rustls with the aws-lc-rs
//! provider the server already uses and the web PKI's roots. Plain `http://` URLs work
//! too (a provider on loopback in tests, or behind a local proxy): the operator chooses
//! the provider's URLs.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

/// How long one outbound call may take, connection and answer included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes of an answer read.
pub const MAX_RESPONSE_BYTES: u64 = 256 * 1024;

/// Why an outbound call failed; the text is for the operator's log, never a client.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The connection or the transfer failed (refused, timed out, too large, TLS).
    #[error("request failed: {0}")]
    Transport(String),
    /// The peer answered with a status other than 200.
    #[error("answered HTTP {0}")]
    Status(u16),
    /// The answer is not the JSON expected.
    #[error("the answer is not JSON: {0}")]
    NotJson(String),
}

/// An agent whose every call — connecting, sending, and reading the whole answer — ends
/// within `timeout`. It follows no redirect (endpoints are configured or discovered, never
/// chased), reports HTTP error statuses as responses (the caller maps them), and ignores
/// the `HTTP_PROXY`/`HTTPS_PROXY` environment: the endpoints it calls are configured
/// explicitly **(decision)**.
#[must_use]
pub fn agent(timeout: Duration) -> Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .root_certs(RootCerts::WebPki)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .build();
    Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .user_agent(concat!("userpool-server/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent()
}

/// A transport failure, for the operator's log. A URL the client refused is never quoted:
/// its query may carry a client secret and an authorization code.
fn transport(error: ureq::Error) -> OutboundError {
    OutboundError::Transport(match error {
        ureq::Error::BadUri(_) => "the URL is not usable (not shown: it may carry secrets)".into(),
        other => other.to_string(),
    })
}

fn json_of(mut response: ureq::http::Response<ureq::Body>) -> Result<Value, OutboundError> {
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_string()
        .map_err(transport)?;
    if status != 200 {
        return Err(OutboundError::Status(status));
    }
    serde_json::from_str(&text).map_err(|e| OutboundError::NotJson(e.to_string()))
}

/// `GET url` (with a bearer token when given), answered with JSON.
///
/// # Errors
/// [`OutboundError`].
pub fn get_json(agent: &Agent, url: &str, bearer: Option<&str>) -> Result<Value, OutboundError> {
    let mut request = agent.get(url).header("accept", "application/json");
    if let Some(token) = bearer {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    let response = request.call().map_err(transport)?;
    json_of(response)
}

/// `POST url` with a form (and HTTP Basic credentials when given), answered with JSON.
///
/// # Errors
/// [`OutboundError`].
pub fn post_form(
    agent: &Agent,
    url: &str,
    form: &[(&str, &str)],
    basic: Option<&str>,
) -> Result<Value, OutboundError> {
    let mut request = agent.post(url).header("accept", "application/json");
    if let Some(credentials) = basic {
        request = request.header("authorization", &format!("Basic {credentials}"));
    }
    let response = request.send_form(form.iter().copied()).map_err(transport)?;
    json_of(response)
}

/// `POST url` with an empty form and a bearer token (an OIDC userInfo endpoint read by
/// POST, RFC 6750 §2.1), answered with JSON.
///
/// # Errors
/// [`OutboundError`].
pub fn post_bearer(agent: &Agent, url: &str, bearer: &str) -> Result<Value, OutboundError> {
    let response = agent
        .post(url)
        .header("accept", "application/json")
        .header("authorization", &format!("Bearer {bearer}"))
        .send_form(std::iter::empty::<(&str, &str)>())
        .map_err(transport)?;
    json_of(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call's error is logged by the relying party: it must not carry the URL, whose
    /// query may hold a client secret and an authorization code (Facebook's token endpoint
    /// is read by GET with the form in the query). A URL the HTTP client cannot use (no
    /// scheme, an operator's slip) is the case where its error would quote it.
    #[test]
    fn a_failed_call_never_quotes_its_url() {
        let agent = agent(Duration::from_secs(1));
        let url = "/oauth/access_token?client_secret=Hunter2&code=Sesame";
        let errors = [
            get_json(&agent, url, Some("Bearer-Hunter2")).err(),
            post_form(
                &agent,
                url,
                &[("client_secret", "Hunter2")],
                Some("Hunter2"),
            )
            .err(),
            post_bearer(&agent, url, "Hunter2").err(),
        ];
        for error in errors {
            let shown = error.map(|e| format!("{e} {e:?}")).expect("refused");
            assert!(
                !shown.contains("Hunter2") && !shown.contains("Sesame"),
                "{shown}"
            );
        }
    }
}
