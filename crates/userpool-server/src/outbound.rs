//! The server's outbound HTTP: one `ureq` agent per purpose, built here so every call the
//! server makes is bounded the same way.
//!
//! `ureq` is synchronous, which suits the callers (the service's operations run on blocking
//! threads). TLS is rustls with the aws-lc-rs provider the server already uses elsewhere,
//! passed through ureq's TLS config (no second crypto provider, no process-wide default), and
//! Mozilla's roots (`webpki-roots`), so the server trusts the same authorities on every host.

use std::sync::Arc;
use std::time::Duration;

use ureq::Agent;
use ureq::tls::{RootCerts, TlsConfig, TlsProvider};

/// An agent whose every call — connecting, sending, and reading the whole answer — ends
/// within `timeout`. It follows no redirect (an endpoint is configured, not discovered),
/// reports HTTP error statuses as responses (the caller maps them), and ignores the
/// `HTTP_PROXY`/`HTTPS_PROXY` environment: the endpoints it calls are configured explicitly,
/// usually on loopback **(decision)**.
pub(crate) fn agent(timeout: Duration) -> Agent {
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
