//! Where codes go in a local endpoint: the server log, so a developer (or a test) can read
//! the confirmation and reset codes that Cognito would have e-mailed.

use userpool_core::{Event, UserPoolId, UserRecord};
use userpool_store::Delivery;

/// Logs each code at INFO (target `userpool_server::delivery`). Temporary passwords are
/// never logged — a generated one is announced without its value; set a known one with
/// `AdminSetUserPassword` or pass `TemporaryPassword`. A linking host plugs in its own
/// [`Delivery`] instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogDelivery;

impl Delivery for LogDelivery {
    fn deliver(&self, pool: &UserPoolId, user: &UserRecord, event: &Event) {
        let username = user.username.as_str();
        match event {
            Event::CodeIssued { purpose, code } => tracing::info!(
                target: "userpool_server::delivery",
                pool = pool.as_str(),
                username,
                purpose = ?purpose,
                code = code.expose(),
                "confirmation code issued"
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
