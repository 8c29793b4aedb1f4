//! Handing codes and temporary passwords to the host, which sends them (e-mail, SMS...).
//!
//! After every successful write the service passes the operation's [`Event`] to the
//! [`Delivery`]; an event is never delivered for a write that did not happen. Secrets in
//! events (`Password`, `ConfirmationCode`) are redacted in `Debug`; reaching them takes an
//! explicit `expose()`.

#[cfg(feature = "test-util")]
use userpool_core::{ConfirmationCode, Password};
use userpool_core::{Event, UserPoolId, UserRecord};

/// Receives what operations did, once their write succeeded.
pub trait Delivery: Send + Sync {
    /// Called once per successful operation, with the user as written. Delivery failures
    /// are the host's to log and retry: the operation has already happened.
    fn deliver(&self, pool: &UserPoolId, user: &UserRecord, event: &Event);
}

/// Drops every event: nothing is sent. The default; a host that lets users sign up or
/// reset passwords needs a real one.
#[derive(Debug, Clone, Copy, Default)]
pub struct DropDeliveries;

impl Delivery for DropDeliveries {
    fn deliver(&self, _: &UserPoolId, _: &UserRecord, _: &Event) {}
}

/// One delivered event, as recorded by [`RecordingDelivery`].
#[cfg(feature = "test-util")]
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The pool.
    pub pool: UserPoolId,
    /// The user's username.
    pub username: String,
    /// What happened.
    pub event: Event,
}

/// Keeps every event in memory, for tests (feature `test-util`).
#[cfg(feature = "test-util")]
#[derive(Debug, Default)]
pub struct RecordingDelivery(std::sync::Mutex<Vec<Delivered>>);

#[cfg(feature = "test-util")]
impl RecordingDelivery {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        RecordingDelivery::default()
    }

    /// Every event so far, oldest first.
    #[must_use]
    pub fn events(&self) -> Vec<Delivered> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The last code issued to `username` (sign-up or password reset).
    #[must_use]
    pub fn last_code(&self, username: &str) -> Option<ConfirmationCode> {
        self.events().into_iter().rev().find_map(|d| match d.event {
            Event::CodeIssued { code, .. } if d.username == username => Some(code),
            _ => None,
        })
    }

    /// The last temporary password issued to `username` (AdminCreateUser, RESEND).
    #[must_use]
    pub fn last_temporary_password(&self, username: &str) -> Option<Password> {
        self.events().into_iter().rev().find_map(|d| match d.event {
            Event::UserCreated {
                temporary_password, ..
            }
            | Event::InvitationResent {
                temporary_password, ..
            } if d.username == username => Some(temporary_password),
            _ => None,
        })
    }
}

#[cfg(feature = "test-util")]
impl Delivery for RecordingDelivery {
    fn deliver(&self, pool: &UserPoolId, user: &UserRecord, event: &Event) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(Delivered {
                pool: pool.clone(),
                username: user.username.as_str().to_owned(),
                event: event.clone(),
            });
    }
}
