//! Pending authorization requests of the hosted sign-in page (SPEC §21): what the
//! authorize endpoint accepted, waiting for the user to sign in.
//!
//! Bounded by construction: each lives [`PENDING_LIFETIME`], and at most
//! [`MAX_PENDING`] are held per process (the oldest is dropped first), so a flood of
//! authorize requests costs a fixed amount of memory. One client address holds at most
//! [`MAX_PENDING_PER_ADDRESS`] (its own oldest is dropped first), so a flood from a few
//! addresses cannot push everyone else's sign-ins out. They are per process and lost on
//! restart: the user then starts again from the app, as after Cognito's own timeout.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};
use subtle::ConstantTimeEq;
use userpool::AuthorizeGrant;
use userpool_core::mfa::{MfaChallengeName, MfaFactor};
use zeroize::Zeroizing;

/// How long a pending request waits for the user.
pub const PENDING_LIFETIME: TimeDelta = TimeDelta::minutes(5);

/// The most pending requests one process holds.
pub const MAX_PENDING: usize = 10_000;

/// The most pending requests one client address holds: a tenth of [`MAX_PENDING`], so it
/// takes ten addresses flooding at once to evict anyone else's.
pub const MAX_PENDING_PER_ADDRESS: usize = MAX_PENDING / 10;

/// An accepted authorization request.
#[derive(Clone)]
pub struct Pending {
    /// What the authorize endpoint accepted.
    pub grant: AuthorizeGrant,
    /// The form's CSRF token (also the cookie's value).
    pub csrf: Zeroizing<String>,
    /// Where the user is in the flow: which form the next post answers.
    pub step: Step,
    /// When the request was accepted.
    pub created_at: DateTime<Utc>,
    /// The sign-in through an external provider this request waits for, if any: then it
    /// is held under the `state` sent to the provider.
    pub upstream: Option<Upstream>,
}

/// A request sent on to an external OIDC provider (SPEC §21).
#[derive(Clone)]
pub struct Upstream {
    /// The pool's provider.
    pub provider_name: String,
    /// The `nonce` sent to it, which its id token must carry.
    pub nonce: Zeroizing<String>,
    /// The PKCE code verifier whose S256 challenge went with the request (OpenID Connect
    /// providers: OIDC, Google, Sign in with Apple), sent with the code at the token
    /// endpoint.
    pub code_verifier: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("pool_id", &self.grant.pool.id)
            .field("client_id", &self.grant.client_id)
            .field("redirect_uri", &self.grant.redirect_uri)
            .field("scopes", &self.grant.scopes)
            .field("step", &self.step)
            .field(
                "upstream",
                &self.upstream.as_ref().map(|u| &u.provider_name),
            )
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The step of a pending request the next form answers. Challenge sessions and a TOTP
/// secret being set up live here, server-side, never in a page's hidden fields (the secret
/// is shown once, as text to copy, and kept only until the user proves it with a code).
#[derive(Clone, Default)]
pub enum Step {
    /// The sign-in form (also where every refused step returns).
    #[default]
    SignIn,
    /// NEW_PASSWORD_REQUIRED: the username and the challenge session.
    NewPassword {
        /// The username to answer as (`USER_ID_FOR_SRP`).
        username: String,
        /// The challenge session.
        session: Zeroizing<String>,
        /// The pool's required attributes the user lacks: the page asks for them with the
        /// new password (the challenge's `requiredAttributes`).
        required: Vec<String>,
    },
    /// SOFTWARE_TOKEN_MFA, SMS_MFA or SELECT_MFA_TYPE.
    Mfa {
        /// Which challenge.
        name: MfaChallengeName,
        /// The username to answer as.
        username: String,
        /// The challenge session.
        session: Zeroizing<String>,
        /// For SMS_MFA: the masked phone number the code went to.
        destination: Option<String>,
        /// For SELECT_MFA_TYPE: the factors to choose from.
        options: Vec<MfaFactor>,
    },
    /// MFA_SETUP: a TOTP secret associated with the session, waiting for its first code.
    MfaSetup {
        /// The username to answer as.
        username: String,
        /// The session AssociateSoftwareToken returned.
        session: Zeroizing<String>,
        /// The secret (base32), shown on the page.
        secret: Zeroizing<String>,
    },
    /// A sign-up waiting for its confirmation code.
    ConfirmSignUp {
        /// The new user's username.
        username: String,
        /// Where the code went (masked), if it was sent.
        destination: Option<String>,
    },
    /// A forgotten password: the code and the new password.
    ResetPassword {
        /// The username the code was sent for.
        username: String,
        /// Where the code went (masked).
        destination: String,
    },
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: sessions and secrets never reach a log.
        let (step, username) = match self {
            Step::SignIn => ("SignIn", None),
            Step::NewPassword { username, .. } => ("NewPassword", Some(username)),
            Step::Mfa { username, .. } => ("Mfa", Some(username)),
            Step::MfaSetup { username, .. } => ("MfaSetup", Some(username)),
            Step::ConfirmSignUp { username, .. } => ("ConfirmSignUp", Some(username)),
            Step::ResetPassword { username, .. } => ("ResetPassword", Some(username)),
        };
        f.debug_struct(step).field("username", &username).finish()
    }
}

impl Step {
    /// The username of the sign-up this step confirms; `None` at another step.
    pub(crate) fn confirming_sign_up(&self) -> Option<&str> {
        match self {
            Step::ConfirmSignUp { username, .. } => Some(username),
            _ => None,
        }
    }

    /// The username of the password reset this step confirms; `None` at another step.
    pub(crate) fn resetting_password(&self) -> Option<&str> {
        match self {
            Step::ResetPassword { username, .. } => Some(username),
            _ => None,
        }
    }
}

impl Pending {
    /// Whether `csrf` (from the form) and `cookie` both equal the request's token,
    /// compared in constant time.
    #[must_use]
    pub fn csrf_matches(&self, csrf: &str, cookie: Option<&str>) -> bool {
        let expected = self.csrf.as_bytes();
        let form_ok: bool = csrf.as_bytes().ct_eq(expected).into();
        let cookie_ok: bool = cookie.is_some_and(|c| c.as_bytes().ct_eq(expected).into());
        form_ok && cookie_ok
    }
}

/// The pending requests of this process.
#[derive(Default)]
pub struct PendingRequests {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<String, Pending>,
    /// Ids (and the address that asked) in insertion order, for expiry and the caps.
    order: VecDeque<(String, Option<IpAddr>)>,
    /// How many requests each address holds.
    per_address: HashMap<IpAddr, usize>,
}

impl std::fmt::Debug for PendingRequests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self.inner.lock().map_or(0, |i| i.by_id.len());
        f.debug_struct("PendingRequests")
            .field("held", &held)
            .finish()
    }
}

/// The client an address stands for, as the per-address rate limit counts it (SPEC §13):
/// an IPv4 address (also when mapped into IPv6) is one client, an IPv6 address counts by
/// its /64 prefix (one host holds a whole /64, so counting each address would give it
/// 2^64 shares of the cap).
fn client_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

impl PendingRequests {
    /// Holds `pending` under `id` for the client at `address`, dropping expired requests,
    /// past the address's share its own oldest, and past the cap the oldest of all.
    pub fn insert(
        &self,
        id: String,
        pending: Pending,
        now: DateTime<Utc>,
        address: Option<IpAddr>,
    ) {
        let address = address.map(client_key);
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        inner.expire(now);
        if let Some(address) = address
            && inner.per_address.get(&address).copied().unwrap_or(0) >= MAX_PENDING_PER_ADDRESS
            && let Some(position) = inner.order.iter().position(|(_, a)| *a == Some(address))
        {
            inner.remove_at(position);
        }
        while inner.by_id.len() >= MAX_PENDING {
            if inner.order.is_empty() {
                break;
            }
            inner.remove_at(0);
        }
        if let Some(address) = address {
            *inner.per_address.entry(address).or_insert(0) += 1;
        }
        inner.order.push_back((id.clone(), address));
        inner.by_id.insert(id, pending);
    }

    /// The live request `id`.
    #[must_use]
    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Option<Pending> {
        let inner = self.inner.lock().ok()?;
        inner
            .by_id
            .get(id)
            .filter(|p| now < p.created_at + PENDING_LIFETIME)
            .cloned()
    }

    /// Replaces the request `id` (an opened or answered challenge), if still held.
    pub fn update(&self, id: &str, pending: Pending) {
        if let Ok(mut inner) = self.inner.lock()
            && let Some(slot) = inner.by_id.get_mut(id)
        {
            *slot = pending;
        }
    }

    /// Ends the request `id` and returns it, if it was still held: of two concurrent
    /// answers to one request only one gets it (and with it the code).
    pub fn take(&self, id: &str) -> Option<Pending> {
        let mut inner = self.inner.lock().ok()?;
        let position = inner.order.iter().position(|(o, _)| o == id)?;
        inner.remove_at(position)
    }
}

impl Inner {
    fn expire(&mut self, now: DateTime<Utc>) {
        while let Some((front, _)) = self.order.front() {
            let expired = self
                .by_id
                .get(front)
                .is_none_or(|p| now >= p.created_at + PENDING_LIFETIME);
            if !expired {
                break;
            }
            self.remove_at(0);
        }
    }

    /// Forgets the request at `position` of the order, and its address's count.
    fn remove_at(&mut self, position: usize) -> Option<Pending> {
        let (id, address) = self.order.remove(position)?;
        if let Some(address) = address
            && let Some(count) = self.per_address.get_mut(&address)
        {
            *count -= 1;
            if *count == 0 {
                self.per_address.remove(&address);
            }
        }
        self.by_id.remove(&id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(at: DateTime<Utc>) -> Pending {
        let pool = userpool::PoolRecord {
            id: userpool_core::UserPoolId::parse("us-east-1_Pend").expect("pool id"),
            name: "p".into(),
            policy: userpool_core::PasswordPolicy::default(),
            hash_params: userpool_core::HashParams::default(),
            history_mode: userpool_core::HistoryMode::PerEntrySalt,
            alias_attributes: Vec::new(),
            username_attributes: Vec::new(),
            case_sensitive: true,
            created_at: at,
            modified_at: at,
            version: 1,
            mfa: Default::default(),
            schema: userpool_core::Schema::standard(),
            settings: userpool_core::PoolSettings::default(),
        };
        Pending {
            grant: AuthorizeGrant {
                pool,
                client_id: "c".into(),
                redirect_uri: "http://localhost/cb".into(),
                flow: userpool_core::oauth::OAuthFlow::Code,
                scopes: vec!["openid".into()],
                code_challenge: None,
                nonce: None,
                state: None,
                identity_provider: None,
                external_providers: Vec::new(),
                password_sign_in: true,
            },
            csrf: Zeroizing::new("token".into()),
            step: Step::SignIn,
            created_at: at,
            upstream: None,
        }
    }

    #[test]
    fn requests_expire_and_the_oldest_go_past_the_cap() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let held = PendingRequests::default();
        held.insert("a".into(), pending(t0), t0, None);
        assert!(held.get("a", t0 + TimeDelta::minutes(4)).is_some());
        assert!(held.get("a", t0 + PENDING_LIFETIME).is_none(), "expired");
        for i in 0..MAX_PENDING {
            held.insert(format!("r{i}"), pending(t0), t0, None);
        }
        assert!(held.get("a", t0).is_none(), "the oldest went past the cap");
        assert!(held.get("r0", t0).is_some());
        held.insert("late".into(), pending(t0), t0, None);
        assert!(held.get("r0", t0).is_none());
        let len = held.inner.lock().expect("lock").by_id.len();
        assert_eq!(len, MAX_PENDING);
    }

    #[test]
    fn a_request_is_taken_once() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let held = PendingRequests::default();
        held.insert("a".into(), pending(t0), t0, None);
        assert!(held.take("a").is_some());
        assert!(held.take("a").is_none(), "a second answer finds nothing");
        assert!(held.get("a", t0).is_none());
        assert!(held.inner.lock().expect("lock").order.is_empty());
    }

    #[test]
    fn one_address_cannot_push_out_anothers_requests() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let held = PendingRequests::default();
        let victim: IpAddr = [192, 0, 2, 1].into();
        let flooder: IpAddr = [192, 0, 2, 66].into();
        held.insert("victim".into(), pending(t0), t0, Some(victim));
        for i in 0..MAX_PENDING * 2 {
            held.insert(format!("f{i}"), pending(t0), t0, Some(flooder));
        }
        assert!(
            held.get("victim", t0).is_some(),
            "the victim's request survives"
        );
        assert!(
            held.get("f0", t0).is_none(),
            "the flooder's oldest went first"
        );
        let last = format!("f{}", MAX_PENDING * 2 - 1);
        assert!(held.get(&last, t0).is_some());
        let inner = held.inner.lock().expect("lock");
        assert_eq!(inner.per_address[&flooder], MAX_PENDING_PER_ADDRESS);
        assert_eq!(inner.by_id.len(), MAX_PENDING_PER_ADDRESS + 1);
        assert_eq!(inner.order.len(), inner.by_id.len());
        drop(inner);
        assert!(held.take("victim").is_some());
        assert!(
            !held
                .inner
                .lock()
                .expect("lock")
                .per_address
                .contains_key(&victim)
        );
    }

    #[test]
    fn one_ipv6_host_is_one_address_whatever_its_interface_id() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let held = PendingRequests::default();
        let victim: IpAddr = "2001:db8:1::1".parse().expect("ip");
        held.insert("victim".into(), pending(t0), t0, Some(victim));
        // A flooder rotating through its /64: one share of the cap, never the victim's.
        for i in 0..MAX_PENDING * 2 {
            let address: IpAddr = format!("2001:db8:66::{:x}", i + 1).parse().expect("ip");
            held.insert(format!("f{i}"), pending(t0), t0, Some(address));
        }
        assert!(
            held.get("victim", t0).is_some(),
            "the victim's request survives"
        );
        let inner = held.inner.lock().expect("lock");
        assert_eq!(inner.by_id.len(), MAX_PENDING_PER_ADDRESS + 1);
        drop(inner);
        // An IPv4 client seen through a mapped IPv6 address is the same client.
        let held = PendingRequests::default();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().expect("ip");
        let plain: IpAddr = [192, 0, 2, 7].into();
        held.insert("a".into(), pending(t0), t0, Some(mapped));
        held.insert("b".into(), pending(t0), t0, Some(plain));
        assert_eq!(held.inner.lock().expect("lock").per_address[&plain], 2);
    }

    #[test]
    fn a_steps_sessions_and_secrets_never_reach_debug() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let mut p = pending(t0);
        p.step = Step::MfaSetup {
            username: "alice".into(),
            session: Zeroizing::new("SESSION-TEXT".into()),
            secret: Zeroizing::new("JBSWY3DPEHPK3PXP".into()),
        };
        let shown = format!("{p:?}");
        assert!(
            shown.contains("MfaSetup") && shown.contains("alice"),
            "{shown}"
        );
        for secret in ["SESSION-TEXT", "JBSWY3DPEHPK3PXP", "token"] {
            assert!(!shown.contains(secret), "{shown}");
        }
    }

    #[test]
    fn a_step_cannot_bring_back_an_answered_request() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let held = PendingRequests::default();
        held.insert("a".into(), pending(t0), t0, None);
        let mut p = held.take("a").expect("held");
        p.step = Step::ConfirmSignUp {
            username: "carol".into(),
            destination: None,
        };
        // A post that was answering a step when another answered the request.
        held.update("a", p);
        assert!(held.get("a", t0).is_none());
        assert!(held.inner.lock().expect("lock").by_id.is_empty());
    }

    #[test]
    fn csrf_needs_the_form_and_the_cookie() {
        let p = pending(DateTime::<Utc>::UNIX_EPOCH);
        assert!(p.csrf_matches("token", Some("token")));
        assert!(!p.csrf_matches("token", None));
        assert!(!p.csrf_matches("token", Some("other")));
        assert!(!p.csrf_matches("toke", Some("token")));
    }
}
