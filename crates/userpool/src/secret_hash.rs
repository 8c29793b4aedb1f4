//! `SECRET_HASH`: how a client with a secret proves it on public operations.
//!
//! Cognito defines it as `Base64(HMAC-SHA256(key = client secret, message = username +
//! client id))`. The expected value is computed with the RustCrypto `hmac` and `sha2`
//! crates and compared in constant time.

use base64ct::{Base64, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use userpool_core::{Cause, Error, Internal, NotAuthorized};
use userpool_store::ClientRecord;

/// Checks `given` for `username` against the client's secret. A client without a secret
/// needs none (and a hash sent to it is ignored, as Cognito does).
///
/// # Errors
/// `NotAuthorizedException` with Cognito's messages: `Client <id> is configured for secret
/// but secret was not received` and `Unable to verify secret hash for client <id>`.
pub fn check(client: &ClientRecord, username: &str, given: Option<&str>) -> Result<(), Error> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let id = &client.client_id;
    let Some(given) = given else {
        return Err(Error::NotAuthorized(NotAuthorized::SecretHashMissing {
            client_id: id.clone(),
        }));
    };
    let Ok(given) = Base64::decode_vec(given) else {
        return Err(unable(id));
    };
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .map_err(|_| Error::Internal(Internal::Bug(Cause::new("HMAC refused a key"))))?;
    mac.update(username.as_bytes());
    mac.update(id.as_bytes());
    mac.verify_slice(&given).map_err(|_| unable(id))
}

fn unable(client_id: &str) -> Error {
    Error::NotAuthorized(NotAuthorized::SecretHashMismatch {
        client_id: client_id.to_owned(),
    })
}

/// Computes a `SECRET_HASH`, as a client would (tests and examples).
#[must_use]
pub fn compute(secret: &str, username: &str, client_id: &str) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    Base64::encode_string(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use userpool_core::UserPoolId;

    fn client(secret: Option<&str>) -> ClientRecord {
        ClientRecord {
            pool_id: UserPoolId::parse("us-east-1_Test").unwrap_or_else(|e| panic!("{e}")),
            client_id: "abc123".into(),
            name: "web".into(),
            secret: secret.map(str::to_owned),
            explicit_auth_flows: vec![],
            prevent_user_existence_errors: false,
            created_at: DateTime::UNIX_EPOCH,
            modified_at: DateTime::UNIX_EPOCH,
            oauth: userpool_store::ClientOAuth::default(),
        }
    }

    #[test]
    fn matches_an_independently_computed_value() {
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"s3cr3t",
        //   b"diegoabc123",hashlib.sha256).digest()).decode())'
        let expected = "AIF4ZzbkFVcZAbz6hQzC6qmdMPUxIQCU0Kd0w1rMpB4=";
        assert_eq!(compute("s3cr3t", "diego", "abc123"), expected);
        assert!(check(&client(Some("s3cr3t")), "diego", Some(expected)).is_ok());
    }

    #[test]
    fn refusals_use_cognito_messages() {
        let c = client(Some("s3cr3t"));
        let message = |r: Result<(), Error>| r.err().map(|e| (e.code(), e.to_string()));
        assert_eq!(
            message(check(&c, "diego", None)),
            Some((
                "NotAuthorizedException",
                "Client abc123 is configured for secret but secret was not received".into()
            ))
        );
        let other_user = compute("s3cr3t", "maria", "abc123");
        for wrong in [other_user.as_str(), "not base64!", ""] {
            assert_eq!(
                message(check(&c, "diego", Some(wrong))),
                Some((
                    "NotAuthorizedException",
                    "Unable to verify secret hash for client abc123".into()
                ))
            );
        }
    }

    #[test]
    fn a_client_without_secret_needs_no_hash() {
        assert!(check(&client(None), "diego", None).is_ok());
        assert!(check(&client(None), "diego", Some("anything")).is_ok());
    }
}
