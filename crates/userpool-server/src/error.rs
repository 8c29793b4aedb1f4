//! The server's one error type: everything a request can fail with, each carrying the
//! exception name AWS clients dispatch on (`__type`) and the HTTP status (SPEC §11).

use axum::http::StatusCode;

/// A request's failure, rendered as `{"__type": <code>, "message": <text>}`.
///
/// Messages never contain a password, a hash, a token or a key: service errors carry
/// Cognito's own texts, and internal details stay in [`Error::Internal`]'s `detail`, which
/// goes to the log, not to the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A user-pool error, with its Cognito exception name.
    #[error(transparent)]
    Pool(#[from] userpool_core::Error),
    /// The body is not the JSON the operation takes (`SerializationException`), or the
    /// request is not AWS JSON 1.1 at all.
    #[error("{0}")]
    Serialization(String),
    /// `X-Amz-Target` is missing or names no Cognito operation.
    #[error("{0}")]
    UnknownOperation(String),
    /// A Cognito operation this server does not implement.
    #[error("{0}")]
    UnsupportedOperation(String),
    /// An admin operation arrived without any SigV4 authentication.
    #[error("Request is missing Authentication Token")]
    MissingAuthenticationToken,
    /// The `Authorization` header is present but lacks a part SigV4 requires.
    #[error("{0}")]
    IncompleteSignature(String),
    /// The signature does not verify, or its date is too far from the server's clock.
    #[error("{0}")]
    InvalidSignature(String),
    /// The access key id is not the configured one.
    #[error("The security token included in the request is invalid.")]
    UnrecognizedClient,
    /// A token was refused (`NotAuthorizedException` with this message). `SECRET_HASH`
    /// refusals are the service's (SPEC §11) and arrive as a `userpool_core::Error`.
    #[error("{0}")]
    NotAuthorized(String),
    /// The request's body did not arrive within its deadline (SPEC §13).
    #[error(
        "Your socket connection to the server was not read from or written to within the timeout period."
    )]
    RequestTimeout,
    /// The server failed; `detail` is for the log only.
    #[error("An internal error occurred.")]
    Internal {
        /// What went wrong, for the operator's log (never secrets).
        detail: String,
    },
}

impl Error {
    /// The exception name clients see in `__type`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::Pool(e) => e.code(),
            Error::Serialization(_) => "SerializationException",
            Error::UnknownOperation(_) => "UnknownOperationException",
            Error::UnsupportedOperation(_) => "UnsupportedOperationException",
            Error::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Error::IncompleteSignature(_) => "IncompleteSignatureException",
            Error::InvalidSignature(_) => "InvalidSignatureException",
            Error::UnrecognizedClient => "UnrecognizedClientException",
            Error::NotAuthorized(_) => "NotAuthorizedException",
            Error::RequestTimeout => "RequestTimeoutException",
            Error::Internal { .. } => "InternalErrorException",
        }
    }

    /// 500 for `InternalErrorException`, 400 for everything else (SPEC §11).
    #[must_use]
    pub fn status(&self) -> StatusCode {
        if self.is(userpool_core::ErrorCode::InternalError) {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// Whether this is the service's exception `code` (an internal failure of the server
    /// itself counts as `InternalError`): a match on the enum, never on the wire string.
    #[must_use]
    pub fn is(&self, code: userpool_core::ErrorCode) -> bool {
        match self {
            Error::Pool(e) => e.kind() == code,
            Error::Internal { .. } => code == userpool_core::ErrorCode::InternalError,
            _ => false,
        }
    }

    /// An internal failure with a detail for the log.
    pub fn internal(detail: impl Into<String>) -> Self {
        Error::Internal {
            detail: detail.into(),
        }
    }
}

impl From<userpool::StoreError> for Error {
    fn from(e: userpool::StoreError) -> Self {
        Error::Pool(e.into())
    }
}

/// Results of the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_500_and_keep_their_detail_out_of_the_message() {
        let e = Error::internal("disk I/O error at /secret/path");
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(e.code(), "InternalErrorException");
        assert!(!e.to_string().contains("secret"));
    }

    #[test]
    fn client_errors_are_400_with_their_cognito_name() {
        let e = Error::Pool(userpool_core::Error::UserNotFound);
        assert_eq!(
            (e.status(), e.code()),
            (StatusCode::BAD_REQUEST, "UserNotFoundException")
        );
        assert_eq!(e.to_string(), "User does not exist.");
        let e = Error::Pool(userpool_core::Error::Internal(
            userpool_core::Internal::Storage,
        ));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
