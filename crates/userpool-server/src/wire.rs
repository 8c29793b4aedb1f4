//! AWS JSON 1.1 framing (SPEC §11): what a request must look like before any operation
//! sees it, and how results and errors are written back.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::error::Error;

/// The media type of AWS JSON 1.1, used by every Cognito client.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// The largest body accepted; larger ones get `SerializationException`.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Checks the `Content-Type` (parameters such as `charset` are ignored).
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
        Some(CONTENT_TYPE) => Ok(()),
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
/// `x-amzn-ErrorType` header AWS sends.
pub fn failure(error: &Error, request_id: &str) -> Response {
    let body = serde_json::json!({ "__type": error.code(), "message": error.to_string() });
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
    fn only_aws_json_1_1_is_accepted() {
        assert!(check_content_type(&headers("application/x-amz-json-1.1")).is_ok());
        assert!(check_content_type(&headers("application/x-amz-json-1.1; charset=utf-8")).is_ok());
        assert!(check_content_type(&headers("Application/X-Amz-Json-1.1")).is_ok());
        for wrong in [
            "application/json",
            "text/plain",
            "application/x-amz-json-1.0",
            "",
        ] {
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
