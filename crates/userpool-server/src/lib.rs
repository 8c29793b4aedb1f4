//! A local Amazon Cognito user-pool endpoint: Cognito's own JSON wire protocol (AWS JSON
//! 1.1, SPEC §11) over [`userpool::UserPools`], so the AWS CLI, boto3 and every AWS
//! SDK can drive a pool with `--endpoint-url`.
//!
//! ```text
//! cargo run --release -p userpool-server      # 127.0.0.1:9229, ./userpool.db
//! aws --endpoint-url http://127.0.0.1:9229 cognito-idp list-user-pools --max-results 10
//! ```
//!
//! - Admin operations (every `Admin*`, pool and client management) need a SigV4 signature
//!   from the configured credential ([`config::Config`]); public ones (SignUp,
//!   InitiateAuth, ...) are unauthenticated or carry an access token, as in Cognito.
//! - Tokens ([`userpool::tokens`]) are RS256 JWTs with one RSA key per pool kept in the store; the JWKS is served
//!   at `/<poolId>/.well-known/jwks.json`. Refresh tokens are opaque and stored as digests.
//! - A token's issuer (`iss`) is `<base>/<poolId>`, where the base is `--public-url` or, by
//!   default, `http://<bound address>` **including the port**: restarting on another port
//!   (or on port 0) changes every issuer, and the ID and access tokens issued before are
//!   refused. Set `--public-url` when tokens must outlive a restart on another port.
//! - Each pool is also an OpenID Connect provider (SPEC §21): discovery at
//!   `<iss>/.well-known/openid-configuration`, `/<poolId>/oauth2/authorize` with a hosted
//!   sign-in page (plain HTML, no script), `/oauth2/token` (authorization code with PKCE,
//!   refresh token, client credentials), `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`;
//!   a pool's domain works in place of its id.
//! - Cognito's triggers (SPEC §19; [`lambda`]): with `--lambda-endpoint`, the functions a
//!   pool's `LambdaConfig` names are invoked through the Lambda Invoke API with Cognito's
//!   event JSON (a region's endpoint, or an emulator such as `sam local start-lambda`).
//! - Every operation runs on a blocking thread (hashing must not stall the async runtime),
//!   and a request that fails changes nothing.
//! - Resources are bounded (SPEC §13; [`mod@serve`]): header and body read deadlines, a cap on
//!   open connections, a 30 s shutdown deadline; rate limits on by default (Cognito's
//!   per-pool quotas, plus per client address and per username for the operations that
//!   need no signature; `--no-rate-limits` turns them off). Limits are per process.
//! - A panic (a bug) is answered `InternalErrorException` and logged as a bug; every
//!   `InternalErrorException` carries Cognito's generic message, the detail only in the log.
//!
//! The binary is a thin [`run`]; a host embedding the endpoint in its own process builds an
//! [`App`] and mounts [`router`].

#![forbid(unsafe_code)]

pub mod config;
mod delivery;
pub mod error;
mod handler;
pub mod import_users;
pub mod lambda;
pub mod oauth;
pub mod operation;
mod ops;
pub mod outbound;
pub mod sealing_key;
pub use userpool::secret_hash;
pub mod serve;
pub mod sigv4;
mod time;
pub use userpool::tokens;
pub mod wire;

use std::sync::Arc;

use userpool::{Clock, Store, UserPools};
use userpool_core::HashParams;

pub use config::{AdminCredential, Config};
pub use delivery::LogDelivery;
pub use error::{Error, Result};
pub use handler::router;
pub use serve::{run, serve};
pub use time::OffsetClock;

/// Everything a request needs, shared by all of them.
pub struct App {
    /// The user-pool service.
    pub pools: UserPools<dyn Store>,
    /// The credential admin requests must be signed with.
    pub admin: AdminCredential,
    /// The server's clock (also the service's), for signature dates and token times.
    pub clock: Arc<dyn Clock>,
    /// argon2id parameters of new pools (`--hash-*`).
    pub hash_params: HashParams,
    /// The tokens, shared with the service (which issues them for the API's sign-ins): the
    /// OAuth endpoints (SPEC §21) issue, read and revoke them directly.
    pub tokens: Arc<tokens::Tokens>,
    /// The hosted sign-in page's pending authorization requests (SPEC §21; bounded).
    pub pending: oauth::pending::PendingRequests,
    /// The relying party of sign-ins through external OIDC providers (SPEC §21).
    pub relying_party: oauth::federation::RelyingParty,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("pools", &self.pools)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}
