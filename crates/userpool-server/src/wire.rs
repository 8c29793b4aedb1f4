//! AWS JSON 1.1 framing (SPEC §11): what a request must look like before any operation
//! sees it, and how results and errors are written back.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt as _;
use serde_json::{Map, Value};

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

/// Reads the whole body, at most [`MAX_BODY_BYTES`] within [`BODY_READ_TIMEOUT`] (a total
/// deadline, not one per chunk: a body trickling a byte at a time is cut off as surely as
/// a stalled one).
///
/// # Errors
/// `SerializationException` for a body too large or cut off, `RequestTimeoutException`
/// for one that did not arrive in time.
pub async fn read_body(body: Body) -> Result<Bytes, Error> {
    let limited = http_body_util::Limited::new(body, MAX_BODY_BYTES);
    match tokio::time::timeout(BODY_READ_TIMEOUT, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(Error::Serialization(
            format!("Request body is larger than {MAX_BODY_BYTES} bytes"),
        )),
        Ok(Err(_)) => Err(Error::Serialization(
            "The request body could not be read".into(),
        )),
        Err(_) => Err(Error::RequestTimeout),
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
        Ok(_) => Err(Error::Serialization(
            "Start of structure or map expected: the body must be a JSON object".into(),
        )),
        Err(e) => Err(Error::Serialization(format!(
            "The body is not valid JSON ({} at line {} column {})",
            describe(&e),
            e.line(),
            e.column()
        ))),
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
            let err = parse_object(bad).err();
            assert_eq!(
                err.as_ref().map(Error::code),
                Some("SerializationException")
            );
            assert!(err.is_some_and(|e| !e.to_string().contains("Hunter2")));
        }
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
