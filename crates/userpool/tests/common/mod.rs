//! Shared set-up for the service tests: a memory store, a manual clock, seeded randomness,
//! recorded deliveries and one pool with a password client, hashing with the insecure
//! fast parameters.

#![allow(dead_code)] // each test file uses a different part

use std::sync::Arc;

use userpool::{
    AuthResult, Caller, ClientSettings, HostOptions, ImportReport, ImportUser, ManualClock,
    MemoryStore, OsRandom, PoolSettings, RecordingDelivery, SealingStore, SeededRandom, Store,
    UserKey, UserPools, UserPoolsBuilder,
};
use userpool_core::testing::epoch;
use userpool_core::{
    AliasAttribute, HashParams, Password, PasswordHash, PasswordHasher, PasswordPolicy, UserRecord,
    Username,
};
use userpool_store::seal::{Keyring, SealingKey};

pub struct Env {
    pub pools: UserPools<MemoryStore>,
    pub store: Arc<MemoryStore>,
    pub clock: Arc<ManualClock>,
    pub delivery: Arc<RecordingDelivery>,
    pub admin: Caller,
    pub pool_id: String,
    pub client_id: String,
}

/// Cheap hashing, and sign-up codes delivered to the email or phone number (SPEC §16:
/// only auto-verified attributes get one; Cognito's default auto-verifies none).
pub fn fast_settings() -> PoolSettings {
    PoolSettings {
        hash_params: HashParams::insecure_fast_for_tests(),
        settings: userpool_core::PoolSettings {
            auto_verified_attributes: vec![
                userpool_core::VerifiableAttribute::Email,
                userpool_core::VerifiableAttribute::PhoneNumber,
            ],
            ..userpool_core::PoolSettings::default()
        },
        ..PoolSettings::default()
    }
}

pub fn settings(
    policy: PasswordPolicy,
    aliases: &[AliasAttribute],
    case_sensitive: bool,
) -> PoolSettings {
    PoolSettings {
        policy,
        alias_attributes: aliases.to_vec(),
        case_sensitive,
        ..fast_settings()
    }
}

/// An environment with one pool (`settings`) and one client allowing the password flow;
/// `configure` adjusts the service (authoriser, rate limiter...).
pub fn env_with(
    settings: PoolSettings,
    prevent_user_existence_errors: bool,
    configure: impl FnOnce(UserPoolsBuilder<MemoryStore>) -> UserPoolsBuilder<MemoryStore>,
) -> Env {
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(ManualClock::new(epoch()));
    let delivery = Arc::new(RecordingDelivery::new());
    let builder = UserPools::builder(Arc::clone(&store))
        .clock(clock.clone())
        .random(Arc::new(SeededRandom::new(42)))
        .delivery(delivery.clone());
    let pools = configure(builder).build();
    let admin = Caller::new("admin");
    let pool = pools
        .create_user_pool(&admin, "test pool", settings)
        .expect("create pool");
    let client = pools
        .create_user_pool_client(
            &admin,
            pool.id.as_str(),
            "app",
            ClientSettings {
                explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".into()],
                prevent_user_existence_errors,
                ..ClientSettings::default()
            },
        )
        .expect("create client");
    Env {
        pools,
        store,
        clock,
        delivery,
        admin,
        pool_id: pool.id.as_str().to_owned(),
        client_id: client.client_id,
    }
}

pub fn env() -> Env {
    env_with(fast_settings(), false, |b| b)
}

impl Env {
    /// The stored record of `username` (exact username key), if any.
    pub fn record(&self, username: &str) -> Option<UserRecord> {
        let id = userpool_core::UserPoolId::parse(&self.pool_id).expect("valid id");
        self.store
            .find_user(&id, UserKey::Username(username))
            .expect("store")
    }

    /// Another client of the pool, `name`, allowing only `flow`; its id.
    pub fn client_allowing(&self, name: &str, flow: &str) -> String {
        client_allowing(&self.pools, &self.admin, &self.pool_id, name, flow)
    }

    /// AdminImportUsers of `users` into the pool, which must be answered (refused users
    /// are in the report).
    pub fn import(&self, users: &[ImportUser<'_>]) -> ImportReport {
        self.pools
            .admin_import_users(&self.admin, &self.pool_id, users)
            .expect("import")
    }

    /// Creates a CONFIRMED user with a permanent password and the given attributes.
    pub fn confirmed(&self, username: &str, password: &str, attributes: &[(&str, &str)]) {
        self.pools
            .admin_create_user(&self.admin, &self.pool_id, username, None, attributes, None)
            .expect("admin_create_user");
        self.pools
            .admin_set_user_password(&self.admin, &self.pool_id, username, password, Some(true))
            .expect("admin_set_user_password");
    }
}

/// An environment over a memory store behind `SealingStore`, so that the secrets the
/// service stores (SRP and MFA state) are stored sealed; `inner` is the memory store below,
/// where the tests look at what was written.
pub struct SealedEnv {
    pub pools: UserPools<SealingStore<MemoryStore>>,
    pub inner: Arc<MemoryStore>,
    pub clock: Arc<ManualClock>,
    pub delivery: Arc<RecordingDelivery>,
    pub admin: Caller,
    pub pool_id: String,
    pub client_id: String,
}

/// A [`SealedEnv`] with one pool (`settings`) and one client (`client`). The clock starts
/// at the system time, as an SRP client (`aws-cognito-srp`) stamps its answers with it.
pub fn sealed_env(settings: PoolSettings, client: ClientSettings, host: HostOptions) -> SealedEnv {
    let inner = Arc::new(MemoryStore::new());
    let keyring = Keyring::new(SealingKey::generate(&OsRandom).expect("key"));
    let store = Arc::new(SealingStore::new(Arc::clone(&inner), keyring));
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let delivery = Arc::new(RecordingDelivery::new());
    let pools = UserPools::builder(store)
        .clock(clock.clone())
        .delivery(delivery.clone())
        .host_options(host)
        .build();
    let admin = Caller::new("admin");
    let pool = pools
        .create_user_pool(&admin, "sealed pool", settings)
        .expect("pool");
    let client = pools
        .create_user_pool_client(&admin, pool.id.as_str(), "app", client)
        .expect("client");
    SealedEnv {
        pools,
        inner,
        clock,
        delivery,
        admin,
        pool_id: pool.id.as_str().to_owned(),
        client_id: client.client_id,
    }
}

/// Another client of `pool_id`, `name`, allowing only `flow`; its id.
pub fn client_allowing<S: Store + ?Sized>(
    pools: &UserPools<S>,
    admin: &Caller,
    pool_id: &str,
    name: &str,
    flow: &str,
) -> String {
    pools
        .create_user_pool_client(
            admin,
            pool_id,
            name,
            ClientSettings {
                explicit_auth_flows: vec![flow.to_owned()],
                ..ClientSettings::default()
            },
        )
        .expect("client")
        .client_id
}

impl SealedEnv {
    /// Another client of the pool, `name`, allowing only `flow`; its id.
    pub fn client_allowing(&self, name: &str, flow: &str) -> String {
        client_allowing(&self.pools, &self.admin, &self.pool_id, name, flow)
    }
}

/// Panics unless the sign-in ended with tokens.
pub fn authenticated(result: Result<AuthResult, userpool_core::Error>) {
    match result {
        Ok(AuthResult::Authenticated(_)) => {}
        other => panic!("expected tokens, got {other:?}"),
    }
}

/// The Cognito code and message of a refused sign-in.
pub fn refused(result: Result<AuthResult, userpool_core::Error>) -> (&'static str, String) {
    let e = result.expect_err("refused");
    (e.code(), e.to_string())
}

/// Each user an import refused: its username, Cognito code and message, in request order.
pub fn import_failures(report: &ImportReport) -> Vec<(&str, &str, &str)> {
    report
        .failed
        .iter()
        .map(|f| (f.username.as_str(), f.code, f.message.as_str()))
        .collect()
}

pub fn verifies(password: &str, hash: &PasswordHash) -> bool {
    PasswordHasher::new(HashParams::insecure_fast_for_tests())
        .expect("fast hasher")
        .verify(&Password::parse(password).expect("valid password"), hash)
        .expect("verify")
}

pub fn username(name: &str) -> Username {
    Username::parse(name).expect("valid username")
}
