//! The OAuth endpoints and the hosted page as a browser meets them, in process: a request
//! in, its status, headers and page out, and the form and JWT helpers every SPEC §21 test
//! file uses.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::Value;
use tower::ServiceExt;
use userpool_core::oauth::s256_challenge;

/// One answer of the router, its body read as text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// The value of a hidden input of the page.
    pub fn hidden(&self, name: &str) -> String {
        self.between(&format!("name=\"{name}\" value=\""), "\"")
    }

    /// The text of the page between the first `start` and the `end` after it.
    pub fn between(&self, start: &str, end: &str) -> String {
        let from = self
            .body
            .find(start)
            .unwrap_or_else(|| panic!("no {start} in {}", self.body))
            + start.len();
        let to = self.body[from..].find(end).expect("the end") + from;
        self.body[from..to].to_owned()
    }

    /// The `href` of the link whose text is `text`, unescaped.
    pub fn link(&self, text: &str) -> String {
        let end = self
            .body
            .find(&format!("\">{text}</a>"))
            .unwrap_or_else(|| panic!("no link {text} in {}", self.body));
        let start = self.body[..end].rfind("href=\"").expect("href") + "href=\"".len();
        self.body[start..end].replace("&amp;", "&")
    }

    /// The `name=value` of the cookie the answer sets, without its attributes.
    pub fn cookie(&self) -> String {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn title(&self) -> String {
        self.between("<title>", "</title>")
    }
}

pub async fn call(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .unwrap_or_else(|e| match e {});
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `pairs` as an `application/x-www-form-urlencoded` body (or query).
pub fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

/// A form post with `extra` headers (a cookie, an `Authorization`).
pub fn post_form(uri: &str, body: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut builder =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in extra {
        builder = builder.header(*k, *v);
    }
    builder.body(Body::from(body.to_owned())).expect("request")
}

/// A GET of the pool's `/logout` endpoint with `pairs` as its query.
pub fn logout(pool: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    get(&format!("/{pool}/logout?{}", form(pairs)))
}

/// A GET of the pool's userInfo endpoint with `access` as the bearer token.
pub fn user_info(pool: &str, access: &str) -> Request<Body> {
    Request::get(format!("/{pool}/oauth2/userInfo"))
        .header(header::AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::empty())
        .expect("request")
}

/// The claims of a JWT (its payload, unverified).
pub fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("payload");
    serde_json::from_slice(&Base64UrlUnpadded::decode_vec(payload).expect("base64")).expect("json")
}

/// The query of a code-flow authorization request (`openid email`, state `app-state`, PKCE
/// over `verifier`) that signs in through the external `provider`.
pub fn provider_authorize_query(
    client_id: &str,
    redirect_uri: &str,
    verifier: &str,
    provider: &str,
) -> String {
    form(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "openid email"),
        ("state", "app-state"),
        ("code_challenge", &s256_challenge(verifier)),
        ("code_challenge_method", "S256"),
        ("identity_provider", provider),
    ])
}
