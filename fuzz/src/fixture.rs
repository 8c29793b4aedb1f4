//! A server with a populated pool, fresh for every input (so a crash replays alone), its
//! clock pinned and its deliveries recorded.
//!
//! The template is built once per process — a pool, an app client, users in every status,
//! and the pool's RSA signing key (generating one costs far more than an input) — and each
//! [`Fixture::new`] copies it into a new `MemoryStore` through the `Store` trait, then
//! builds the server's [`App`](userpool_server::App) with `serve::app` and swaps in the
//! service over that store, a [`ManualClock`] at [`NOW`] and a [`RecordingDelivery`].

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use chrono::{DateTime, TimeZone, Utc};
use clap::Parser;
use serde_json::Value;
use tower::ServiceExt;
use userpool_core::HashParams;
use userpool_server::tokens::Tokens;
use userpool_server::{Config, router, serve};
use userpool::{
    Caller, ClientSettings, Clock, HostOptions, ManualClock, MemoryStore, PoolSettings,
    RecordingDelivery, SeededRandom, Store, UserPools,
};

use crate::request::{Vars, WireRequest};

/// Where every fixture's clock stands: the date the requests are signed with.
#[must_use]
pub fn now() -> DateTime<Utc> {
    // invariant: a valid calendar date.
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0)
        .single()
        .expect("valid date")
}

/// The password of every confirmed user of the template.
pub const PASSWORD: &str = "Correct-Horse-9!";
/// The temporary password of `bob` (FORCE_CHANGE_PASSWORD).
pub const TEMPORARY: &str = "Temporary-Pass-1!";

/// The users of the template: `alice` (confirmed, email, phone), `bob` (temporary
/// password), `carol` (signed up, unconfirmed, pending code), `dave` (confirmed, disabled),
/// and `user00`..`user23` (confirmed, with `email` and `custom:n` for filters and paging).
pub const NAMED_USERS: [&str; 4] = ["alice", "bob", "carol", "dave"];

const ISSUER_BASE: &str = "http://127.0.0.1:9229";

struct Template {
    store: Arc<dyn Store>,
    pool: userpool_core::UserPoolId,
    client: String,
    runtime: tokio::runtime::Runtime,
    config: Config,
}

fn config() -> Config {
    // invariant: fixed, valid arguments.
    Config::try_parse_from([
        "userpool-server",
        "--memory",
        "--hash-memory-kib",
        "64",
        "--hash-iterations",
        "1",
    ])
    .expect("config")
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let config = config();
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let (router, _, _) = app_over(&config, store.clone());
        // The template's own service: another seed than the fixtures', so the ids and
        // `sub`s a fuzz input creates never collide with the template's.
        let pools = pools_over(
            store.clone(),
            Arc::new(ManualClock::new(now())),
            Arc::new(RecordingDelivery::new()),
            1,
        );
        let admin = Caller::new("fuzz");
        let pool = pools
            .create_user_pool(
                &admin,
                "fuzz",
                PoolSettings {
                    // invariant: within the argon2 crate's ranges.
                    hash_params: HashParams::new(64, 1, 1).expect("params"),
                    ..PoolSettings::default()
                },
            )
            .expect("pool");
        let id = pool.id.as_str();
        let client = pools
            .create_user_pool_client(
                &admin,
                id,
                "fuzz",
                ClientSettings {
                    explicit_auth_flows: vec![
                        "ALLOW_USER_PASSWORD_AUTH".into(),
                        "ALLOW_ADMIN_USER_PASSWORD_AUTH".into(),
                        "ALLOW_REFRESH_TOKEN_AUTH".into(),
                    ],
                    ..ClientSettings::default()
                },
            )
            .expect("client");
        let confirmed = |name: &str, attributes: &[(&str, &str)]| {
            pools
                .admin_create_user(&admin, id, name, Some(TEMPORARY), attributes, None)
                .expect("create");
            pools
                .admin_set_user_password(&admin, id, name, PASSWORD, Some(true))
                .expect("set password");
        };
        confirmed(
            "alice",
            &[
                ("email", "alice@example.com"),
                ("email_verified", "true"),
                ("phone_number", "+15555550100"),
            ],
        );
        pools
            .admin_create_user(
                &admin,
                id,
                "bob",
                Some(TEMPORARY),
                &[("email", "bob@example.com")],
                None,
            )
            .expect("bob");
        pools
            .sign_up(
                &client.client_id,
                "carol",
                PASSWORD,
                &[("email", "carol@example.org")],
            )
            .expect("carol");
        confirmed("dave", &[("email", "dave@example.org")]);
        pools
            .admin_disable_user(&admin, id, "dave")
            .expect("disable");
        for n in 0..24 {
            let email = format!(
                "user{n:02}@example.{}",
                if n % 2 == 0 { "com" } else { "org" }
            );
            confirmed(
                &format!("user{n:02}"),
                &[("email", &email), ("given_name", &format!("User {n}"))],
            );
        }
        // Sign alice in once so the pool's RSA key exists; every fixture copies it.
        let body = serde_json::json!({
            "ClientId": client.client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD},
        });
        let sign_in = WireRequest::parse(&format!("InitiateAuth\n\n{body}"));
        let request = sign_in
            .to_http(&Vars::default(), SystemTime::from(now()))
            .expect("request");
        let answer = runtime.block_on(send(&router, request));
        assert_eq!(answer.status, 200, "{}", answer.json);
        Template {
            store,
            pool: pool.id,
            client: client.client_id,
            runtime,
            config,
        }
    })
}

fn pools_over(
    store: Arc<dyn Store>,
    clock: Arc<ManualClock>,
    deliveries: Arc<RecordingDelivery>,
    seed: u64,
) -> UserPools<dyn Store> {
    UserPools::builder(store)
        .clock(clock)
        .delivery(deliveries)
        .random(Arc::new(SeededRandom::new(seed)))
        // invariant: a valid region.
        .host_options(
            HostOptions::default()
                .with_region("us-east-1")
                .expect("region"),
        )
        .build()
}

/// The router and service over `store`, with the pinned clock and recorded deliveries.
fn app_over(
    config: &Config,
    store: Arc<dyn Store>,
) -> (Router, Arc<RecordingDelivery>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now()));
    let deliveries = Arc::new(RecordingDelivery::new());
    // invariant: the fixed configuration starts.
    let mut app = serve::app(config, config.listen).expect("app");
    app.pools = pools_over(store.clone(), clock.clone(), deliveries.clone(), 2);
    app.tokens = Tokens::new(store, clock.clone(), ISSUER_BASE.into());
    app.clock = clock.clone();
    (router(Arc::new(app)), deliveries, clock)
}

/// A fresh server over a copy of the template.
pub struct Fixture {
    /// The server's routes.
    pub router: Router,
    /// Every code and temporary password the service delivered.
    pub deliveries: Arc<RecordingDelivery>,
    /// The server's (and the service's) clock.
    pub clock: Arc<ManualClock>,
    /// The store behind it.
    pub store: Arc<dyn Store>,
    /// `$POOL` and `$CLIENT`, for the request text.
    pub vars: Vars,
}

impl Default for Fixture {
    fn default() -> Self {
        Self::new()
    }
}

impl Fixture {
    /// A fresh copy of the template in a new `MemoryStore`.
    #[must_use]
    pub fn new() -> Fixture {
        Fixture::over(Arc::new(MemoryStore::new()))
    }

    /// A copy of the template written into `store` (empty), served.
    ///
    /// # Panics
    /// When `store` refuses the template's records.
    #[must_use]
    pub fn over(store: Arc<dyn Store>) -> Fixture {
        let t = template();
        // invariant: copying records the template store holds into an empty store.
        let pool = t.store.get_pool(&t.pool).expect("read").expect("pool");
        store.create_pool(&pool).expect("pool");
        let client = t
            .store
            .get_client(&t.pool, &t.client)
            .expect("read")
            .expect("client");
        store.create_client(&client).expect("client");
        for user in t.store.list_users(&t.pool, None, 1_000).expect("users") {
            store.insert_user(&t.pool, &user).expect("user");
        }
        let key = t.store.signing_key(&t.pool).expect("read").expect("key");
        store.insert_signing_key(&t.pool, &key).expect("key");
        Fixture::serving(store)
    }

    /// The server over `store` as it is (a copy of the template made earlier, perhaps
    /// damaged since).
    #[must_use]
    pub fn serving(store: Arc<dyn Store>) -> Fixture {
        let t = template();
        let (router, deliveries, clock) = app_over(&t.config, store.clone());
        let mut vars = Vars::default();
        vars.set("$POOL", t.pool.as_str());
        vars.set("$CLIENT", t.client.as_str());
        Fixture {
            router,
            deliveries,
            clock,
            store,
            vars,
        }
    }

    /// The pool's id.
    #[must_use]
    pub fn pool(&self) -> &userpool_core::UserPoolId {
        &template().pool
    }

    /// Sends `request` as written (placeholders replaced, signed at the fixture's clock)
    /// and checks the answer is well formed; `None` if the text is no HTTP request.
    pub fn send_text(&self, request: &WireRequest) -> Option<Answer> {
        let http = request.to_http(&self.vars, SystemTime::from(self.clock.now()))?;
        let answer = template().runtime.block_on(send(&self.router, http));
        crate::reach::record(&request.target, &answer);
        Some(answer)
    }

    /// Sends `request` and checks the answer is well formed (see [`Answer`]).
    pub fn send(&self, request: Request<Body>) -> Answer {
        let answer = template().runtime.block_on(send(&self.router, request));
        crate::reach::record("-", &answer);
        answer
    }
}

/// A well-formed answer: 200 with a JSON object, 400 (or 404, from the JWKS route) with
/// `{"__type", "message"}` other than `InternalErrorException`, or 500 with `InternalErrorException` (SPEC §11). Anything
/// else panics: that is the finding.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub json: Value,
}

impl Answer {
    /// The error's `__type`, or `None` on success.
    #[must_use]
    pub fn error(&self) -> Option<&str> {
        self.json["__type"].as_str()
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = match router.clone().oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let json: Value = serde_json::from_slice(&bytes).expect("every answer is JSON");
    match status {
        200 => assert!(json.is_object(), "{json}"),
        // 404: the JWKS of a pool that does not exist, or a path that is no route.
        400 | 404 => {
            let kind = json["__type"].as_str().expect("__type");
            assert_ne!(kind, "InternalErrorException", "{json}");
            assert!(json["message"].is_string(), "{json}");
        }
        500 => assert_eq!(json["__type"], "InternalErrorException", "{json}"),
        other => panic!("unexpected status {other}: {json}"),
    }
    Answer { status, json }
}
