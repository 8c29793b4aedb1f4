//! The Lambda transport of Cognito's triggers (SPEC §19): [`LambdaTriggers`] implements the
//! library's [`Triggers`] by calling the AWS Lambda Invoke API at `--lambda-endpoint` (a
//! real Lambda endpoint, `sam local start-lambda`, or any emulator of the API).
//!
//! - The service runs a trigger for a pool whose stored `LambdaConfig` names a function for
//!   it, and hands the function (ARN or name) over in the event
//!   ([`userpool_core::triggers::TriggerCaller::function`]); this module never reads the
//!   store.
//! - The call: `POST {endpoint}/2015-03-31/functions/{function, URL-encoded}/invocations`,
//!   `X-Amz-Invocation-Type: RequestResponse`, Cognito's event JSON as the body
//!   (`lambda/events.rs`), signed with SigV4 for service `lambda` in `--lambda-region`.
//! - The answer: a function error (`X-Amz-Function-Error`, body `{errorMessage,
//!   errorType}`) is the function's refusal, UserLambdaValidationException `<Trigger>
//!   failed with error <errorMessage>.`; an endpoint that cannot be reached, a call past
//!   `--lambda-timeout`, an HTTP error status (a missing function is 404
//!   ResourceNotFoundException) are UnexpectedLambdaException `<Trigger> invocation failed
//!   due to error <reason>.`; an answer that is not JSON, not the event's shape, or larger
//!   than [`MAX_ANSWER_BYTES`] is InvalidLambdaResponseException `Unrecognizable lambda
//!   output`. In each case the operation changes nothing (SPEC §19).
//! - Bounded: each call ends within the timeout (connecting, sending and reading the whole
//!   answer); at most `--lambda-max-concurrent` calls run at once, and a trigger beyond
//!   that fails at once with UnexpectedLambdaException `... due to error
//!   TooManyRequestsException.` rather than wait, so a slow function cannot hold every
//!   blocking thread **(decision)**.
//! - Events are never logged (UserMigration's carries the password). The body is built
//!   in a buffer of its exact size, zeroized after the call.

mod events;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;
use ureq::http;
use userpool_core::triggers::{
    AuthenticationEvent, PostConfirmationEvent, PreSignUpAnswer, PreSignUpEvent,
    PreTokenGenerationAnswer, PreTokenGenerationEvent, Trigger, TriggerError, Triggers,
    UserMigrationAnswer, UserMigrationEvent,
};
use zeroize::Zeroizing;

/// The largest answer read from a function, in bytes; a larger one is refused unread
/// (InvalidLambdaResponseException). Lambda's own limit is 6 MB; a trigger's answer is a
/// few kilobytes, and this bounds the memory of [`DEFAULT_MAX_CONCURRENT`] calls at once.
pub const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// Cognito's own trigger timeout, the default of `--lambda-timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Invocations at once by default (`--lambda-max-concurrent`).
pub const DEFAULT_MAX_CONCURRENT: usize = 16;

/// The access key id signing Invoke calls when the environment names none: a local
/// emulator (`sam local start-lambda`) accepts any.
pub const LOCAL_ACCESS_KEY_ID: &str = "AKIAUSERPOOLLAMBDA00";

/// The secret of [`LOCAL_ACCESS_KEY_ID`].
pub const LOCAL_SECRET_ACCESS_KEY: &str = "userpool-local-lambda-secret-key";

/// What a URL path segment keeps unescaped: RFC 3986's unreserved characters. An ARN's `:`
/// is escaped, as the AWS SDKs do.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The credentials Invoke calls are signed with. `Debug` shows only the access key id.
#[derive(Clone)]
pub struct LambdaCredentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Zeroizing<String>,
    /// `AWS_SESSION_TOKEN`, for temporary credentials.
    pub session_token: Option<Zeroizing<String>>,
}

impl LambdaCredentials {
    /// The usual `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, or,
    /// when the first two are not both set, [`LambdaCredentials::local`].
    #[must_use]
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(access_key_id), Some(secret)) => LambdaCredentials {
                access_key_id,
                secret_access_key: Zeroizing::new(secret),
                session_token: var("AWS_SESSION_TOKEN").map(Zeroizing::new),
            },
            _ => Self::local(),
        }
    }

    /// [`LOCAL_ACCESS_KEY_ID`] and [`LOCAL_SECRET_ACCESS_KEY`], for a local emulator.
    #[must_use]
    pub fn local() -> Self {
        LambdaCredentials {
            access_key_id: LOCAL_ACCESS_KEY_ID.to_owned(),
            secret_access_key: Zeroizing::new(LOCAL_SECRET_ACCESS_KEY.to_owned()),
            session_token: None,
        }
    }
}

impl std::fmt::Debug for LambdaCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// Where and how to invoke the functions.
#[derive(Debug, Clone)]
pub struct LambdaOptions {
    /// The Lambda endpoint, `http://` or `https://`, without the API path.
    pub endpoint: String,
    /// The region Invoke calls are signed for.
    pub region: String,
    /// Each call's whole time, connecting to reading the answer.
    pub timeout: Duration,
    /// Calls at once; more fail at once (see the module docs).
    pub max_concurrent: usize,
    /// The signing credentials.
    pub credentials: LambdaCredentials,
}

/// Why [`LambdaTriggers::new`] refused its options.
#[derive(Debug, thiserror::Error)]
#[error("--lambda-endpoint must be an http:// or https:// URL with a host and no query: {0}")]
pub struct EndpointError(String);

/// Cognito's triggers through the Lambda Invoke API (see the module docs).
pub struct LambdaTriggers {
    agent: ureq::Agent,
    /// The endpoint without a trailing `/`.
    endpoint: String,
    region: String,
    credentials: LambdaCredentials,
    max_concurrent: usize,
    in_flight: AtomicUsize,
}

impl std::fmt::Debug for LambdaTriggers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaTriggers")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("max_concurrent", &self.max_concurrent)
            .finish_non_exhaustive()
    }
}

impl LambdaTriggers {
    /// A client of the functions at `options.endpoint`.
    ///
    /// # Errors
    /// [`EndpointError`] when the endpoint is not an absolute `http`/`https` URL with a host
    /// and without a query or fragment.
    pub fn new(options: LambdaOptions) -> Result<Self, EndpointError> {
        let endpoint = options.endpoint.trim_end_matches('/').to_owned();
        let refused = || EndpointError(options.endpoint.clone());
        let uri: http::Uri = endpoint.parse().map_err(|_| refused())?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none_or(str::is_empty) || uri.query().is_some() {
            return Err(refused());
        }
        if endpoint.contains('#') {
            return Err(refused());
        }
        Ok(LambdaTriggers {
            agent: crate::outbound::agent(options.timeout),
            endpoint,
            region: options.region,
            credentials: options.credentials,
            max_concurrent: options.max_concurrent.max(1),
            in_flight: AtomicUsize::new(0),
        })
    }

    /// Invokes `function` with `event` and answers the event's `response` (null when the
    /// function returned none).
    fn invoke<E: Serialize>(
        &self,
        trigger: Trigger,
        function: &str,
        event: &E,
    ) -> Result<Value, TriggerError> {
        let unreachable = |reason: &str| TriggerError::Unreachable {
            trigger,
            reason: reason.to_owned(),
        };
        let invalid = || TriggerError::InvalidResponse { trigger };
        let _slot = self
            .slot()
            .ok_or_else(|| unreachable("TooManyRequestsException"))?;
        let body = body(event).map_err(|_| unreachable("ServiceException"))?;
        let request = self
            .signed_request(function, &body)
            .ok_or_else(|| unreachable("ServiceException"))?;
        let answer = self.agent.run(request);
        // The request (and its password) is written; the body buffer zeroizes on drop.
        drop(body);
        let mut response = answer.map_err(|e| unreachable(transport_reason(&e)))?;
        if !response.status().is_success() {
            return Err(unreachable(&status_reason(&response)));
        }
        let function_error = response.headers().contains_key("x-amz-function-error");
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => invalid(),
                e => unreachable(transport_reason(&e)),
            })?;
        if function_error {
            return Err(TriggerError::Refused {
                trigger,
                message: function_error_message(&bytes),
            });
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(mut answer)) => Ok(answer.remove("response").unwrap_or(Value::Null)),
            _ => Err(invalid()),
        }
    }

    /// A place among the calls at once, or `None` when all are taken.
    fn slot(&self) -> Option<Slot<'_>> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_concurrent).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(&self.in_flight))
    }

    /// The Invoke request for `function`, signed (SigV4, service `lambda`). `None` only if
    /// the URL or the signature cannot be built (a function name no URL can carry).
    fn signed_request<'b>(
        &self,
        function: &str,
        body: &'b [u8],
    ) -> Option<http::Request<&'b [u8]>> {
        let url = format!(
            "{}/2015-03-31/functions/{}/invocations",
            self.endpoint,
            utf8_percent_encode(function, PATH_SEGMENT)
        );
        let uri: http::Uri = url.parse().ok()?;
        let host = uri.authority()?.as_str().to_owned();
        let mut request = http::Request::post(uri)
            .header("host", host)
            .header("content-type", "application/json")
            .header("x-amz-invocation-type", "RequestResponse")
            .body(body)
            .ok()?;
        let identity = Credentials::new(
            self.credentials.access_key_id.as_str(),
            self.credentials.secret_access_key.as_str(),
            self.credentials
                .session_token
                .as_ref()
                .map(|t| t.as_str().to_owned()),
            None,
            "userpool-server",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("lambda")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .ok()?
            .into();
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect::<Option<Vec<_>>>()?;
        let uri = request.uri().to_string();
        let signable =
            SignableRequest::new("POST", &uri, headers.into_iter(), SignableBody::Bytes(body))
                .ok()?;
        let (instructions, _signature) = sign(signable, &params).ok()?.into_parts();
        instructions.apply_to_request_http1x(&mut request);
        Some(request)
    }
}

/// One of the calls at once; gives its place back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// `event` as JSON in a buffer of exactly its size, so no reallocation leaves a copy of a
/// password behind; the caller's buffer zeroizes on drop.
fn body<E: Serialize>(event: &E) -> serde_json::Result<Zeroizing<Vec<u8>>> {
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, event)?;
    let mut body = Zeroizing::new(Vec::with_capacity(counter.0));
    serde_json::to_writer(&mut *body, event)?;
    Ok(body)
}

/// Counts the bytes written to it.
struct Counter(usize);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The reason of an UnexpectedLambdaException for a call that failed in transport: Cognito's
/// words for a timeout, Lambda's exception name otherwise.
fn transport_reason(error: &ureq::Error) -> &'static str {
    match error {
        ureq::Error::Timeout(_) => "Socket timeout while invoking Lambda function",
        _ => "ServiceException",
    }
}

/// The reason for an HTTP error status: the Lambda API's error type (`X-Amzn-ErrorType`,
/// up to its `:`), or the type its status stands for.
fn status_reason(response: &http::Response<ureq::Body>) -> String {
    let named = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(':').next().unwrap_or_default())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric()));
    if let Some(name) = named {
        return name.to_owned();
    }
    match response.status().as_u16() {
        404 => "ResourceNotFoundException",
        403 => "AccessDeniedException",
        429 => "TooManyRequestsException",
        413 => "RequestTooLargeException",
        _ => "ServiceException",
    }
    .to_owned()
}

/// A function error's message: its `errorMessage`, else its `errorType`, else `Unhandled`.
fn function_error_message(body: &[u8]) -> String {
    let error: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    ["errorMessage", "errorType"]
        .iter()
        .find_map(|field| error.get(field).and_then(Value::as_str))
        .unwrap_or("Unhandled")
        .to_owned()
}

impl LambdaTriggers {
    fn answer<T>(
        trigger: Trigger,
        read: impl FnOnce(Value) -> Result<T, events::Unusable>,
        response: Value,
    ) -> Result<T, TriggerError> {
        read(response).map_err(|_| TriggerError::InvalidResponse { trigger })
    }
}

/// Every method runs the function named in the event, or does what Cognito does without
/// the trigger when none is named (`has` stays at its default: this host serves
/// `LambdaConfig` only).
impl Triggers for LambdaTriggers {
    fn user_migration(
        &self,
        event: &UserMigrationEvent,
    ) -> Result<Option<UserMigrationAnswer>, TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(None);
        };
        let trigger = Trigger::UserMigration;
        let response = self.invoke(
            trigger,
            function,
            &events::user_migration(&self.region, event),
        )?;
        Self::answer(trigger, events::user_migration_answer, response)
    }

    fn pre_sign_up(&self, event: &PreSignUpEvent) -> Result<PreSignUpAnswer, TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(PreSignUpAnswer::default());
        };
        let trigger = Trigger::PreSignUp;
        let response = self.invoke(trigger, function, &events::pre_sign_up(&self.region, event))?;
        Self::answer(trigger, events::pre_sign_up_answer, response)
    }

    fn post_confirmation(&self, event: &PostConfirmationEvent) -> Result<(), TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(());
        };
        let event = events::post_confirmation(&self.region, event);
        self.invoke(Trigger::PostConfirmation, function, &event)
            .map(drop)
    }

    fn pre_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(());
        };
        let event = events::pre_authentication(&self.region, event);
        self.invoke(Trigger::PreAuthentication, function, &event)
            .map(drop)
    }

    fn post_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(());
        };
        let event = events::post_authentication(&self.region, event);
        self.invoke(Trigger::PostAuthentication, function, &event)
            .map(drop)
    }

    fn pre_token_generation(
        &self,
        event: &PreTokenGenerationEvent,
    ) -> Result<PreTokenGenerationAnswer, TriggerError> {
        let Some(function) = &event.caller.function else {
            return Ok(PreTokenGenerationAnswer::default());
        };
        let trigger = Trigger::PreTokenGeneration;
        let response = self.invoke(
            trigger,
            function,
            &events::pre_token_generation(&self.region, event),
        )?;
        Self::answer(trigger, events::pre_token_generation_answer, response)
    }
}

#[cfg(test)]
mod tests;
