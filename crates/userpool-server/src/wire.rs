//! AWS JSON 1.1 framing (SPEC §11): what a request must look like before any operation
//! sees it, and how results and errors are written back.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use zeroize::{Zeroize as _, Zeroizing};

use crate::error::Error;

/// The media type of AWS JSON 1.1, used by every Cognito client.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Also accepted: the plain JSON media type, which AWS's own API reference examples send.
pub const PLAIN_JSON: &str = "application/json";

/// The largest body accepted; larger ones get `SerializationException`.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// How long a request's body may take to arrive, in all (SPEC §13).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The message of every `InternalErrorException` a client sees; the detail goes to the log
/// only.
pub const INTERNAL_ERROR_MESSAGE: &str = "An internal error occurred.";

/// A request body, held in a buffer that is wiped when dropped: it may carry a password, a
/// code or a token. Parse it with [`RequestBody::parse`], which consumes (and so wipes) it.
///
/// The buffers the HTTP stack read the body into are its own and outside this type's reach;
/// the bytes handed over are copied into this buffer, the chunks wiped where no one else
/// holds them, and the buffer grows by copying into a fresh zeroizing buffer, so no
/// reallocation leaves a stale copy behind.
pub struct RequestBody(Zeroizing<Vec<u8>>);

impl RequestBody {
    /// A body from bytes already in hand (tests, the fuzz targets, hosts that read bodies
    /// themselves).
    #[must_use]
    pub fn from_slice(bytes: &[u8]) -> Self {
        RequestBody(Zeroizing::new(bytes.to_vec()))
    }

    /// The bytes, for what must see them raw (SigV4's payload hash).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Deserialises the body straight into an operation's input shape, then wipes the
    /// buffer (it is consumed). An empty body is `{}`, as AWS accepts.
    ///
    /// # Errors
    /// `SerializationException` for a body that is not JSON, not an object, or has a member
    /// of the wrong type (named, its value never echoed: it may be a password).
    pub fn parse<T: DeserializeOwned>(self) -> Result<T, Error> {
        parse(&self.0)
    }

    /// The body as a generic JSON object, for the operations whose shape is read member by
    /// member and carries no secret (pool settings).
    ///
    /// # Errors
    /// As [`parse_object`].
    pub fn object(self) -> Result<Map<String, Value>, Error> {
        parse_object(&self.0)
    }
}

/// The bytes, as the OAuth endpoints' form parser reads them.
impl std::ops::Deref for RequestBody {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestBody(<{} bytes redacted>)", self.0.len())
    }
}

/// Deserialises `body` into `T`; see [`RequestBody::parse`].
///
/// # Errors
/// `SerializationException`.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    // A derived struct also accepts a JSON array (its members by position): only an object
    // is a request.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Ok(_) => not_an_object(),
                Err(e) => not_json(&e),
            },
        );
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut deserializer);
    match parsed {
        Ok(value) => match deserializer.end() {
            Ok(()) => Ok(value),
            Err(e) => Err(not_json(&e)),
        },
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if !inner.is_data() {
                return Err(not_json(&inner));
            }
            Err(Error::Serialization(if path == "." {
                "The request body does not have the operation's shape".into()
            } else {
                format!(
                    "Value at '{}' is not of the type the operation expects",
                    path.chars().take(128).collect::<String>()
                )
            }))
        }
    }
}

fn not_an_object() -> Error {
    Error::Serialization(
        "Start of structure or map expected: the body must be a JSON object".into(),
    )
}

fn not_json(e: &serde_json::Error) -> Error {
    Error::Serialization(format!(
        "The body is not valid JSON ({} at line {} column {})",
        describe(e),
        e.line(),
        e.column()
    ))
}

/// Reads the whole body, at most [`MAX_BODY_BYTES`] within [`BODY_READ_TIMEOUT`] (a total
/// deadline, not one per chunk: a body trickling a byte at a time is cut off as surely as
/// a stalled one), into a [`RequestBody`].
///
/// # Errors
/// `SerializationException` for a body too large or cut off, `RequestTimeoutException`
/// for one that did not arrive in time.
pub async fn read_body(body: Body) -> Result<RequestBody, Error> {
    let mut limited = http_body_util::Limited::new(body, MAX_BODY_BYTES);
    let collect = async {
        let mut buffer = Zeroizing::new(Vec::new());
        while let Some(frame) = limited.frame().await {
            if let Ok(data) = frame?.into_data() {
                append(&mut buffer, data);
            }
        }
        Ok::<_, axum::BoxError>(buffer)
    };
    match tokio::time::timeout(BODY_READ_TIMEOUT, collect).await {
        Ok(Ok(buffer)) => Ok(RequestBody(buffer)),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(Error::Serialization(
            format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
        )),
        Ok(Err(_)) => Err(Error::Serialization(
            "The request body could not be read".into(),
        )),
        Err(_) => Err(Error::RequestTimeout),
    }
}

/// Appends a chunk without leaving copies: growth moves the bytes into a fresh zeroizing
/// buffer (the old one is wiped as it drops), and the chunk is wiped when nothing else
/// holds it.
fn append(buffer: &mut Zeroizing<Vec<u8>>, chunk: Bytes) {
    let needed = buffer.len().saturating_add(chunk.len());
    if needed > buffer.capacity() {
        let capacity = needed
            .max(buffer.capacity().saturating_mul(2))
            .min(MAX_BODY_BYTES.max(needed));
        let mut grown = Zeroizing::new(Vec::with_capacity(capacity));
        grown.extend_from_slice(buffer);
        *buffer = grown;
    }
    buffer.extend_from_slice(&chunk);
    if let Ok(mut owned) = chunk.try_into_mut() {
        owned.as_mut().zeroize();
    }
}

/// Checks the `Content-Type`: AWS JSON 1.1, or plain JSON (parameters such as `charset`
/// are ignored).
///
/// # Errors
/// `SerializationException` for a missing or different media type.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), Error> {
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    match media_type.as_deref() {
        Some(CONTENT_TYPE | PLAIN_JSON) => Ok(()),
        _ => Err(Error::Serialization(format!(
            "Unsupported Content-Type: requests must be {CONTENT_TYPE}"
        ))),
    }
}

/// The body, or `SerializationException` if it could not be read (too large, cut off).
///
/// # Errors
/// `SerializationException`.
pub fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Error> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::Serialization(format!(
                "Request body is larger than {MAX_BODY_BYTES} bytes"
            ))
        } else {
            Error::Serialization("The request body could not be read".into())
        }
    })
}

/// Parses the body as a JSON object (an empty body is `{}`, as AWS accepts).
///
/// # Errors
/// `SerializationException` for anything that is not a JSON object.
pub fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(not_an_object()),
        Err(e) => Err(not_json(&e)),
    }
}

/// A serde_json error's category, without echoing any of the input (which may hold a
/// password).
fn describe(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Eof => "unexpected end of input",
    }
}

/// A success: HTTP 200 with the operation's output shape.
pub fn success(output: &Value, request_id: &str) -> Response {
    respond(StatusCode::OK, output.to_string(), request_id, None)
}

/// An error: its status and `{"__type": ..., "message": ...}`, plus the
/// `x-amzn-ErrorType` header AWS sends. Every `InternalErrorException` carries
/// [`INTERNAL_ERROR_MESSAGE`], whatever its cause.
pub fn failure(error: &Error, request_id: &str) -> Response {
    let message = if error.status() == StatusCode::INTERNAL_SERVER_ERROR {
        INTERNAL_ERROR_MESSAGE.to_owned()
    } else {
        error.to_string()
    };
    let body = serde_json::json!({ "__type": error.code(), "message": message });
    respond(
        error.status(),
        body.to_string(),
        request_id,
        Some(error.code()),
    )
}

fn respond(
    status: StatusCode,
    body: String,
    request_id: &str,
    error_type: Option<&str>,
) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(code) = error_type.and_then(|c| HeaderValue::from_str(c).ok()) {
        headers.insert("x-amzn-errortype", code);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap_or_else(|e| panic!("{e}")),
        );
        h
    }

    #[test]
    fn aws_json_1_1_and_plain_json_are_accepted() {
        assert!(check_content_type(&headers("application/x-amz-json-1.1")).is_ok());
        assert!(check_content_type(&headers("application/x-amz-json-1.1; charset=utf-8")).is_ok());
        assert!(check_content_type(&headers("Application/X-Amz-Json-1.1")).is_ok());
        assert!(check_content_type(&headers("application/json")).is_ok());
        assert!(check_content_type(&headers("application/json; charset=UTF-8")).is_ok());
        for wrong in ["text/json", "text/plain", "application/x-amz-json-1.0", ""] {
            let err = check_content_type(&headers(wrong)).err();
            assert_eq!(
                err.map(|e| e.code()),
                Some("SerializationException"),
                "{wrong}"
            );
        }
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }

    /// `err` is SerializationException and does not echo `bad` (whose secret is `Hunter2`).
    fn assert_refused_without_echo(err: Option<Error>, bad: &[u8]) {
        assert_eq!(
            err.as_ref().map(Error::code),
            Some("SerializationException"),
            "{}",
            String::from_utf8_lossy(bad)
        );
        assert!(err.is_some_and(|e| !e.to_string().contains("Hunter2")));
    }

    #[test]
    fn bodies_must_be_objects_and_errors_do_not_echo_the_input() {
        assert_eq!(parse_object(b"").ok(), Some(Map::new()));
        assert_eq!(parse_object(b" \n").ok(), Some(Map::new()));
        assert!(parse_object(br#"{"Password":"x"}"#).is_ok());
        for bad in [
            &b"[1]"[..],
            b"\"s\"",
            b"{",
            b"{\"Password\": Hunter2-Secret}",
            b"\xff",
        ] {
            assert_refused_without_echo(parse_object(bad).err(), bad);
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Probe {
        #[allow(dead_code)]
        username: Option<String>,
    }

    /// The typed parse refuses what the object parse refuses, with the same exception, and
    /// never takes an array for a structure (a derived struct would accept one by position).
    #[test]
    fn typed_parsing_refuses_what_is_not_one_json_object() {
        assert!(parse::<Probe>(b"").is_ok());
        assert!(parse::<Probe>(b" {\"Username\": \"u\", \"Other\": [1, {}]} ").is_ok());
        for bad in [
            &b"[\"u\"]"[..],
            b"[null]",
            b"\"s\"",
            b"{",
            b"{\"Username\": \"u\"} trailing",
            b"{\"Username\": 5}",
            b"{\"Username\": \"Hunter2\", \"Username\": \"x\"}",
            b"\xff",
        ] {
            assert_refused_without_echo(parse::<Probe>(bad).err(), bad);
        }
    }

    #[test]
    fn a_request_body_never_shows_its_bytes() {
        let body = RequestBody::from_slice(b"{\"Password\":\"Hunter2\"}");
        assert_eq!(format!("{body:?}"), "RequestBody(<22 bytes redacted>)");
        assert_eq!(body.as_bytes().len(), 22);
    }

    /// Growing the buffer keeps every byte, in order, across many chunks.
    #[test]
    fn chunks_append_in_order() {
        let mut buffer = Zeroizing::new(Vec::new());
        let mut expected = Vec::new();
        for i in 0..200u8 {
            let chunk = vec![i; usize::from(i) + 1];
            expected.extend_from_slice(&chunk);
            append(&mut buffer, Bytes::from(chunk));
        }
        assert_eq!(*buffer, expected);
    }

    /// Whatever an internal failure's cause, the client reads Cognito's generic message.
    #[test]
    fn internal_errors_carry_the_generic_message_only() {
        for error in [
            Error::internal("disk I/O error at /secret/path"),
            Error::Pool(userpool_core::Error::Internal(
                userpool_core::Internal::Storage,
            )),
            Error::Pool(userpool_core::Error::Internal(
                userpool_core::Internal::HashingFailed,
            )),
        ] {
            let response = failure(&error, "req-1");
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = futures_body(response);
            assert_eq!(
                body,
                serde_json::json!({"__type": "InternalErrorException", "message": INTERNAL_ERROR_MESSAGE})
            );
        }
    }

    fn futures_body(response: Response) -> Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn failures_carry_type_message_and_header() {
        let response = failure(&Error::Pool(userpool_core::Error::UserNotFound), "req-1");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let h = response.headers();
        assert_eq!(
            h.get("x-amzn-errortype").map(HeaderValue::as_bytes),
            Some(&b"UserNotFoundException"[..])
        );
        assert_eq!(
            h.get("x-amzn-requestid").map(HeaderValue::as_bytes),
            Some(&b"req-1"[..])
        );
        assert_eq!(
            h.get(header::CONTENT_TYPE).map(HeaderValue::as_bytes),
            Some(CONTENT_TYPE.as_bytes())
        );
    }
}
