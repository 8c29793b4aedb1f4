//! Shared fixtures for userpool's criterion benches (`cargo bench -p userpool-benches`).
//!
//! The benches measure the library as a host runs it: through [`UserPools`] over a real
//! store, with the default (OWASP) argon2id parameters unless a bench says otherwise. The
//! fixtures here build those services, and users whose password history is already full
//! of distinct passwords, without paying for the history to be filled one change at a time
//! (which would cost hundreds of real hashes per store).
//!
//! See `benches/README.md` for the machine, the commands and the figures.

#![forbid(unsafe_code)]

pub mod paired;

use std::sync::Arc;

use chrono::Utc;
use userpool::{
    Caller, ClientSettings, HostOptions, MemoryStore, MessageAction, PoolSettings, Store, UserKey,
    UserPools,
};
use userpool_core::testing::seeded_entropy;
use userpool_core::{
    Credential, CredentialKind, HistoryMode, Password, PasswordHash, PasswordHasher,
    PasswordPolicy, UserStatus, Username,
};
use userpool_postgres::{PostgresOptions, PostgresStore};
use userpool_sqlite::{SqliteOptions, SqliteStore, Synchronous};

/// The PostgreSQL the benches use when it is set (`.ci/postgres run cargo bench ...` sets
/// it to a throw-away server): each fixture gets a fresh schema of it.
pub const DATABASE_URL_ENV: &str = "USERPOOL_TEST_DATABASE_URL";

/// The benches' PostgreSQL, if one is configured.
#[must_use]
pub fn database_url() -> Option<String> {
    std::env::var(DATABASE_URL_ENV)
        .ok()
        .filter(|url| !url.is_empty())
}

/// A store in a fresh schema of the benches' PostgreSQL.
///
/// # Panics
/// Without a configured database, or when it cannot be opened: a bench cannot run without.
#[must_use]
pub fn postgres_store(prefix: &str) -> PostgresStore {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let url = database_url().expect("USERPOOL_TEST_DATABASE_URL names the benches' PostgreSQL");
    let schema = format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        Utc::now().timestamp_micros()
    );
    PostgresStore::open_with(&url, &PostgresOptions::default().schema(schema))
        .expect("open the PostgreSQL store")
}

/// The principal every admin call is made as (the default authoriser allows everyone).
pub const ADMIN: &str = "arn:aws:iam::123456789012:user/bench";

/// The password at index `k` of a user's past: index 0 is the current password, 1.. the
/// previous ones, newest first. All distinct, all valid under the default policy.
#[must_use]
pub fn past_password(k: usize) -> String {
    format!("History-Passw0rd-{k}!")
}

/// A password no user has had: the `i`-th of a bench's iterations.
#[must_use]
pub fn fresh_password(i: u64) -> String {
    format!("Fresh-Passw0rd-{i}!")
}

/// Which store a fixture runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// [`MemoryStore`].
    Memory,
    /// [`SqliteStore`] on a file in a temporary directory, at the given durability.
    Sqlite(Synchronous),
    /// [`PostgresStore`] in a fresh schema of [`database_url`] (SPEC §20).
    Postgres,
}

impl Backend {
    /// A short label for bench ids.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Backend::Memory => "memory",
            Backend::Sqlite(Synchronous::Normal) => "sqlite_normal",
            Backend::Sqlite(Synchronous::Extra) => "sqlite_extra",
            Backend::Sqlite(_) => "sqlite_full",
            Backend::Postgres => "postgres",
        }
    }
}

/// A service with one pool and one app client that allows `USER_PASSWORD_AUTH`.
pub struct Fixture {
    /// The service.
    pub pools: UserPools<dyn Store>,
    /// The admin caller.
    pub caller: Caller,
    /// The pool's id.
    pub pool_id: String,
    /// The app client's id.
    pub client_id: String,
    /// Keeps the SQLite file alive as long as the fixture.
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// A fresh store of `backend`, a pool with `settings`, and a client. `host` lets a bench
    /// change the lockout policy (sign-in benches fail on purpose, many times).
    ///
    /// # Panics
    /// If the store cannot be opened or the pool created: a bench cannot run without them.
    #[must_use]
    pub fn new(backend: Backend, settings: PoolSettings, host: HostOptions) -> Fixture {
        let (store, dir): (Arc<dyn Store>, _) = match backend {
            Backend::Memory => (Arc::new(MemoryStore::new()), None),
            Backend::Sqlite(level) => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let options = SqliteOptions::default().synchronous(level);
                let store = SqliteStore::open_with(dir.path().join("bench.db"), &options)
                    .expect("open the SQLite store");
                (Arc::new(store), Some(dir))
            }
            Backend::Postgres => (Arc::new(postgres_store("bench")), None),
        };
        let pools = UserPools::builder(store).host_options(host).build();
        let caller = Caller::new(ADMIN);
        let pool = pools
            .create_user_pool(&caller, "bench", settings)
            .expect("create the pool");
        let client = pools
            .create_user_pool_client(
                &caller,
                pool.id.as_str(),
                "bench",
                ClientSettings {
                    explicit_auth_flows: vec!["ALLOW_USER_PASSWORD_AUTH".to_owned()],
                    ..ClientSettings::default()
                },
            )
            .expect("create the client");
        Fixture {
            pools,
            caller,
            pool_id: pool.id.as_str().to_owned(),
            client_id: client.client_id,
            _dir: dir,
        }
    }

    /// Creates `username` as a CONFIRMED user whose current password is `past[0]` and whose
    /// history holds `past[1..]` (newest first), written straight to the store.
    ///
    /// `past` are hashes of [`past_password`]`(0..)`; for [`HistoryMode::PerUserSalt`] they
    /// must all share `salt`, which becomes the user's history salt.
    ///
    /// # Panics
    /// If the store refuses the user: the bench would measure nothing.
    pub fn user_with_past(&self, username: &str, past: &[PasswordHash], salt: Option<[u8; 16]>) {
        self.pools
            .admin_create_user(
                &self.caller,
                &self.pool_id,
                username,
                Some("Temporary-Passw0rd!"),
                &[],
                Some(MessageAction::Suppress),
            )
            .expect("create the user");
        let store = self.pools.store();
        let pool = userpool_core::UserPoolId::parse(&self.pool_id).expect("pool id");
        let mut user = store
            .find_user(&pool, UserKey::Username(username))
            .expect("read the user")
            .expect("the user exists");
        let (current, history) = past.split_first().expect("at least the current password");
        user.credential = Some(Credential {
            hash: current.clone(),
            kind: CredentialKind::Permanent,
            set_at: Utc::now(),
        });
        user.history = history.to_vec();
        user.history_salt = salt;
        user.status = UserStatus::Confirmed;
        store.update_user(&pool, &user).expect("write the history");
    }
}

/// The stores the paired benches compare, with the labels their tables show.
pub const STORES: [(&str, Backend); 3] = [
    ("MemoryStore", Backend::Memory),
    ("SQLite FULL", Backend::Sqlite(Synchronous::Full)),
    ("SQLite NORMAL", Backend::Sqlite(Synchronous::Normal)),
];

/// [`STORES`], and PostgreSQL when [`database_url`] is set.
#[must_use]
pub fn stores() -> Vec<(&'static str, Backend)> {
    let mut stores = STORES.to_vec();
    if database_url().is_some() {
        stores.push(("PostgreSQL", Backend::Postgres));
    }
    stores
}

impl Fixture {
    /// A pool with no password history ([`settings`]`(0, PerEntrySalt)`) and `alice`, whose
    /// current password is `current[0]` (a hash of [`past_password`]`(0)`).
    ///
    /// # Panics
    /// As [`Fixture::new`] and [`Fixture::user_with_past`].
    #[must_use]
    pub fn with_alice(backend: Backend, host: HostOptions, current: &[PasswordHash]) -> Fixture {
        let fixture = Fixture::new(backend, settings(0, HistoryMode::PerEntrySalt), host);
        fixture.user_with_past("alice", current, None);
        fixture
    }

    /// AdminSetUserPassword (permanent) of `alice` to [`fresh_password`]`(i)`: the
    /// operation the set-password benches time.
    ///
    /// # Panics
    /// If the service refuses it: a fresh password always satisfies the default policy and
    /// the history, so a refusal means the bench would time the wrong path.
    pub fn set_fresh_password(&self, i: u64) -> userpool::UserDescription {
        self.pools
            .admin_set_user_password(
                &self.caller,
                &self.pool_id,
                "alice",
                &fresh_password(i),
                Some(true),
            )
            .expect("a fresh password is accepted")
    }
}

/// `count` hashes of [`past_password`]`(0..count)` at the hasher's parameters: each with its
/// own random salt (`salt: None`, the default history mode), or all with `salt` (the
/// per-user history salt mode).
///
/// # Panics
/// If hashing fails (it does not at valid parameters).
#[must_use]
pub fn past_hashes(
    hasher: &PasswordHasher,
    count: usize,
    salt: Option<[u8; 16]>,
) -> Vec<PasswordHash> {
    let mut entropy = seeded_entropy(7);
    let mut memory = userpool_core::WorkingMemory::new();
    (0..count)
        .map(|k| {
            let password = Password::parse(&past_password(k)).expect("valid password");
            match salt {
                Some(salt) => hasher.hash_with_salt(&password, &salt, &mut memory),
                None => hasher.hash_in(&password, &mut entropy, &mut memory),
            }
            .expect("hash")
        })
        .collect()
}

/// Pool settings with the default policy except the history size, and the history mode.
///
/// # Panics
/// If `history` is above Cognito's 24.
#[must_use]
pub fn settings(history: u8, mode: HistoryMode) -> PoolSettings {
    PoolSettings {
        policy: PasswordPolicy::builder()
            .password_history_size(i64::from(history))
            .build()
            .expect("history size in 0..=24"),
        history_mode: mode,
        ..PoolSettings::default()
    }
}

/// A username valid for [`Username::parse`], for benches that need many.
#[must_use]
pub fn username(i: usize) -> Username {
    Username::parse(&format!("user{i:06}")).expect("valid username")
}
