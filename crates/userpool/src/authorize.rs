//! Who may call the admin operations (SPEC §7): the host decides, through an
//! [`Authorizer`]; the library refuses with `NotAuthorizedException` when it says no.

use userpool_core::UserPoolId;

/// Who is calling, as the host authenticated them (a SigV4 access key, an IAM principal,
/// a service account...). The library never inspects it; it only hands it to the
/// [`Authorizer`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    principal: String,
}

impl Caller {
    /// A caller identified by `principal`.
    pub fn new(principal: impl Into<String>) -> Self {
        Caller {
            principal: principal.into(),
        }
    }

    /// The principal the host gave.
    #[must_use]
    pub fn principal(&self) -> &str {
        &self.principal
    }
}

/// Decides whether a caller may perform an admin action. Actions are Cognito's names
/// (`AdminSetUserPassword`, `CreateUserPool`, ...).
pub trait Authorizer: Send + Sync {
    /// Whether `caller` may perform `action` on `pool`.
    fn authorize(&self, caller: &Caller, action: &str, pool: &UserPoolId) -> bool;

    /// Whether `caller` may perform an account-level `action` that names no pool
    /// (`ListUserPools`). Denied unless overridden.
    fn authorize_account(&self, caller: &Caller, action: &str) -> bool {
        let _ = (caller, action);
        false
    }
}

/// Lets **every** caller do **everything**. The default, so that a library user gets a
/// working service at once; a host exposing admin operations to anyone but itself must
/// replace it.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllowAll;

impl Authorizer for AllowAll {
    fn authorize(&self, _: &Caller, _: &str, _: &UserPoolId) -> bool {
        true
    }
    fn authorize_account(&self, _: &Caller, _: &str) -> bool {
        true
    }
}

/// Any `Fn(&Caller, &str, &UserPoolId) -> bool` is an authoriser; account-level actions
/// are then denied.
impl<F> Authorizer for F
where
    F: Fn(&Caller, &str, &UserPoolId) -> bool + Send + Sync,
{
    fn authorize(&self, caller: &Caller, action: &str, pool: &UserPoolId) -> bool {
        self(caller, action, pool)
    }
}
