//! Where codes go in a local endpoint: the server log, so a developer (or a test) can read
//! the confirmation and reset codes that Cognito would have e-mailed — in development mode
//! or when asked (`--log-codes`) only: a code is a credential (SPEC §14).

use userpool::Delivery;
use userpool_core::{Event, UserPoolId, UserRecord};

/// Logs each code issued at INFO (target `userpool_server::delivery`), with its value only
/// when built to ([`LogDelivery::new`]`(true)`); otherwise the line says a code was issued
/// and withheld. Temporary passwords are never logged — a generated one is announced
/// without its value; set a known one with `AdminSetUserPassword` or pass
/// `TemporaryPassword`. A linking host plugs in its own [`Delivery`] instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogDelivery {
    log_codes: bool,
}

impl LogDelivery {
    /// A delivery that logs codes' values when `log_codes` (the server: `--log-codes`, or
    /// development mode; see [`crate::Config::log_codes`]).
    #[must_use]
    pub fn new(log_codes: bool) -> Self {
        LogDelivery { log_codes }
    }
}

impl Delivery for LogDelivery {
    fn deliver(&self, pool: &UserPoolId, user: &UserRecord, event: &Event) {
        let username = user.username.as_str();
        match event {
            Event::CodeIssued { purpose, code } if self.log_codes => tracing::info!(
                target: "userpool_server::delivery",
                pool = pool.as_str(),
                username,
                purpose = ?purpose,
                code = code.expose(),
                "confirmation code issued"
            ),
            Event::CodeIssued { purpose, .. } => tracing::info!(
                target: "userpool_server::delivery",
                pool = pool.as_str(),
                username,
                purpose = ?purpose,
                "confirmation code issued (not logged: pass --log-codes to see codes)"
            ),
            Event::UserCreated {
                generated: true, ..
            }
            | Event::InvitationResent {
                generated: true, ..
            } => tracing::info!(
                target: "userpool_server::delivery",
                pool = pool.as_str(),
                username,
                "temporary password generated (not logged; set one with AdminSetUserPassword)"
            ),
            _ => {}
        }
    }
}
