//! Command-line flags and their `USERPOOL_*` environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Parser};
use zeroize::Zeroizing;

/// The access key id accepted when no credential is configured. Documented, printed at
/// start, and only ever accepted on a loopback address.
pub const DEV_ACCESS_KEY_ID: &str = "AKIAUSERPOOLLOCALDEV";

/// The secret of [`DEV_ACCESS_KEY_ID`].
pub const DEV_SECRET_ACCESS_KEY: &str = "userpool-local-development-secret-key";

/// `userpool-server`: a local Amazon Cognito user-pool endpoint.
#[derive(Parser, Clone)]
#[command(name = "userpool-server", version, about)]
#[command(group(ArgGroup::new("admin_secret").args(["admin_secret_access_key", "admin_secret_access_key_file"])))]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "USERPOOL_LISTEN", default_value = "127.0.0.1:9229")]
    pub listen: SocketAddr,

    /// SQLite database file (created on first start).
    #[arg(long, env = "USERPOOL_DB", default_value = "./userpool.db")]
    pub db: PathBuf,

    /// Keep everything in memory instead of `--db` (gone at exit).
    #[arg(long, env = "USERPOOL_MEMORY")]
    pub memory: bool,

    /// A PostgreSQL database instead of `--db` (`postgres://user:password@host/database`;
    /// SPEC §20), which several instances may share. Needs `--public-url` (every instance
    /// must issue tokens under the same issuer) and `--key-file` or `--sealing-key` (every
    /// instance must seal with the same keys). Prefer the environment variable: a flag's
    /// value shows in the process list, and a URL may hold a password.
    #[arg(
        long,
        env = "USERPOOL_DATABASE_URL",
        hide_env_values = true,
        conflicts_with = "memory",
        requires = "public_url",
        value_parser = secret_value
    )]
    pub database_url: Option<Zeroizing<String>>,

    /// Connections to the PostgreSQL database, at most (each request holds one while it
    /// reads or writes; more wait for one, up to 5 s).
    #[arg(long, env = "USERPOOL_DATABASE_POOL_SIZE", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub database_pool_size: u32,

    /// A PEM file of the certificate authorities to trust for TLS to the PostgreSQL
    /// database: TLS is then required, and the server's certificate and host name verified.
    #[arg(long, env = "USERPOOL_DATABASE_CA_FILE", requires = "database_url")]
    pub database_ca_file: Option<PathBuf>,

    /// The PostgreSQL schema holding userpool's tables (created if missing); default the
    /// connection's current schema (usually `public`).
    #[arg(long, env = "USERPOOL_DATABASE_SCHEMA", requires = "database_url")]
    pub database_schema: Option<String>,

    /// The access key id admin requests must be signed with (SigV4).
    #[arg(long, env = "USERPOOL_ADMIN_ACCESS_KEY_ID", requires = "admin_secret")]
    pub admin_access_key_id: Option<String>,

    /// The secret access key of `--admin-access-key-id`. Prefer the environment variable or
    /// `--admin-secret-access-key-file`: a flag's value shows in the process list.
    #[arg(
        long,
        env = "USERPOOL_ADMIN_SECRET_ACCESS_KEY",
        hide_env_values = true,
        requires = "admin_access_key_id",
        value_parser = secret_value
    )]
    pub admin_secret_access_key: Option<Zeroizing<String>>,

    /// A file holding the secret access key of `--admin-access-key-id` (one line; a
    /// trailing newline is ignored).
    #[arg(
        long,
        env = "USERPOOL_ADMIN_SECRET_ACCESS_KEY_FILE",
        requires = "admin_access_key_id"
    )]
    pub admin_secret_access_key_file: Option<PathBuf>,

    /// The key file sealing app-client secrets and signing keys in the database (SPEC §14):
    /// one or more 32-byte keys, oldest first, the last one sealing. Default: `<db>.key`,
    /// created mode 0600 on first start. Refused when group or others may access it.
    /// Without it a copy of the database yields no secret: back it up apart from the
    /// database. To rotate, append a new key (`head -c 32 /dev/urandom >> <file>`); old
    /// values are sealed again under it as they are read.
    #[arg(long, env = "USERPOOL_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// The sealing keys themselves instead of a key file: base64 of 32 bytes each,
    /// comma-separated, oldest first. Meant for the environment variable (a flag's value
    /// shows in the process list). With `--memory` and neither this nor `--key-file`, a
    /// random key is used for the life of the process.
    #[arg(
        long,
        env = "USERPOOL_SEALING_KEY",
        hide_env_values = true,
        conflicts_with = "key_file",
        value_parser = secret_value
    )]
    pub sealing_key: Option<Zeroizing<String>>,

    /// Log confirmation and reset codes (at INFO) even with a configured admin credential.
    /// Without it codes are logged only in development mode (no admin credential, loopback).
    #[arg(long, env = "USERPOOL_LOG_CODES")]
    pub log_codes: bool,

    /// Region used in generated pool ids (`<region>_<id>`) and token issuers.
    #[arg(long, env = "USERPOOL_REGION", default_value = "us-east-1")]
    pub region: String,

    /// Base URL of token issuers (`iss` = `<base>/<poolId>`); default `http://<bound
    /// address>`, port included, so set it if tokens must survive a restart on another port.
    ///
    /// Every token's `iss` claim is `<base>/<poolId>`, and verification (this server's and a
    /// resource server's, which fetches `<iss>/.well-known/jwks.json`) requires that exact
    /// issuer. Without this flag the base is the address actually bound, port included:
    /// restart on another port (or with `--listen` port 0) and every ID and access token
    /// issued before names a foreign issuer, so it is refused (GetUser, GlobalSignOut, and
    /// any resource server configured with the old issuer). Set it (e.g.
    /// `http://localhost:9229`) to keep issued tokens valid across restarts on any port.
    #[arg(long, env = "USERPOOL_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// argon2id memory (KiB) for new pools' hashes; default OWASP's 19456.
    #[arg(long, env = "USERPOOL_HASH_MEMORY_KIB", default_value_t = 19_456)]
    pub hash_memory_kib: u32,

    /// argon2id iterations for new pools' hashes; default OWASP's 2.
    #[arg(long, env = "USERPOOL_HASH_ITERATIONS", default_value_t = 2)]
    pub hash_iterations: u32,

    /// argon2id lanes for new pools' hashes; default OWASP's 1.
    #[arg(long, env = "USERPOOL_HASH_PARALLELISM", default_value_t = 1)]
    pub hash_parallelism: u32,

    /// Open connections at most; further ones wait in the listen backlog (SPEC §13).
    #[arg(long, env = "USERPOOL_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: u32,

    /// Turn off the rate limits (per pool and category, per client address, per username;
    /// SPEC §13), for test rigs and load benches. Limits are per process.
    #[arg(long, env = "USERPOOL_NO_RATE_LIMITS")]
    pub no_rate_limits: bool,

    /// The most argon2 computations at once, across every pool (SPEC §13); each holds one
    /// buffer of the pool's `m`, so peak hashing memory is about this × `m`. Default: the
    /// number of cores.
    #[arg(long, env = "USERPOOL_MAX_CONCURRENT_HASHES", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_hashes: Option<u32>,

    /// How long a request waits (first come, first served) for its turn to hash before it
    /// is answered TooManyRequestsException `Too many requests` (SPEC §13).
    #[arg(long, env = "USERPOOL_HASH_QUEUE_TIMEOUT_MS", default_value_t = 2000)]
    pub hash_queue_timeout_ms: u64,

    /// The AWS Lambda endpoint the pools' triggers are invoked at (SPEC §19): the Lambda
    /// Invoke API of a region (`https://lambda.<region>.amazonaws.com`) or of an emulator
    /// such as `sam local start-lambda` (`http://127.0.0.1:3001`). A pool's `LambdaConfig`
    /// names the functions. Calls are signed (SigV4, service `lambda`) with
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, or, without them,
    /// with a fixed local credential an emulator accepts. Without this flag no trigger
    /// runs.
    #[arg(long, env = "USERPOOL_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,

    /// How long a trigger's call may take, connecting to reading its answer, before the
    /// operation fails with UnexpectedLambdaException: seconds (`5`, `0.5`) or
    /// milliseconds (`1500ms`), at most 900 s. Default Cognito's 5 s.
    #[arg(long, env = "USERPOOL_LAMBDA_TIMEOUT", default_value = "5", value_parser = lambda_timeout)]
    pub lambda_timeout: std::time::Duration,

    /// The region trigger calls are signed for; default `--region`.
    #[arg(long, env = "USERPOOL_LAMBDA_REGION")]
    pub lambda_region: Option<String>,

    /// Trigger calls at once, at most; a trigger beyond them fails at once with
    /// UnexpectedLambdaException (a slow function must not hold every request thread).
    #[arg(long, env = "USERPOOL_LAMBDA_MAX_CONCURRENT", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub lambda_max_concurrent: u32,

    /// FOR TESTS ONLY: shift the server's clock by this many seconds (e.g. past a temporary
    /// password's expiry). Refused together with a configured admin credential.
    #[arg(
        long,
        env = "USERPOOL_TEST_CLOCK_OFFSET_SECS",
        hide = true,
        allow_hyphen_values = true
    )]
    pub test_clock_offset_secs: Option<i64>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("db", &self.db)
            .field("memory", &self.memory)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("database_pool_size", &self.database_pool_size)
            .field("database_ca_file", &self.database_ca_file)
            .field("database_schema", &self.database_schema)
            .field("admin_access_key_id", &self.admin_access_key_id)
            .field(
                "admin_secret_access_key",
                &self.admin_secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "admin_secret_access_key_file",
                &self.admin_secret_access_key_file,
            )
            .field("key_file", &self.key_file)
            .field(
                "sealing_key",
                &self.sealing_key.as_ref().map(|_| "<redacted>"),
            )
            .field("log_codes", &self.log_codes)
            .field("region", &self.region)
            .field("public_url", &self.public_url)
            .field("hash_memory_kib", &self.hash_memory_kib)
            .field("hash_iterations", &self.hash_iterations)
            .field("hash_parallelism", &self.hash_parallelism)
            .field("max_concurrent_hashes", &self.max_concurrent_hashes)
            .field("hash_queue_timeout_ms", &self.hash_queue_timeout_ms)
            .field("lambda_endpoint", &self.lambda_endpoint)
            .field("lambda_timeout", &self.lambda_timeout)
            .field("lambda_region", &self.lambda_region)
            .field("lambda_max_concurrent", &self.lambda_max_concurrent)
            .field("test_clock_offset_secs", &self.test_clock_offset_secs)
            .field("max_connections", &self.max_connections)
            .field("no_rate_limits", &self.no_rate_limits)
            .finish()
    }
}

/// `--lambda-timeout`: seconds (`5`, `0.5`) or milliseconds (`1500ms`), more than 0 and at
/// most 900 s (Lambda's own maximum).
fn lambda_timeout(value: &str) -> Result<std::time::Duration, String> {
    let refused = || format!("not a duration in (0, 900] seconds: {value}");
    let duration = match value.strip_suffix("ms") {
        Some(ms) => std::time::Duration::from_millis(ms.parse().map_err(|_| refused())?),
        None => {
            let seconds: f64 = value
                .strip_suffix('s')
                .unwrap_or(value)
                .parse()
                .map_err(|_| refused())?;
            if !(0.0..=900.0).contains(&seconds) {
                return Err(refused());
            }
            std::time::Duration::from_secs_f64(seconds)
        }
    };
    if duration.is_zero() || duration > std::time::Duration::from_secs(900) {
        return Err(refused());
    }
    Ok(duration)
}

/// The credential admin requests are verified against.
#[derive(Clone)]
pub struct AdminCredential {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Zeroizing<String>,
    /// Whether this is the built-in development credential.
    pub development: bool,
}

impl std::fmt::Debug for AdminCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCredential")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("development", &self.development)
            .finish()
    }
}

/// Why a configuration cannot start.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The admin credential, or the development one when none is configured — which is
    /// refused on a non-loopback address, so a server reachable from elsewhere never runs
    /// with a published secret.
    ///
    /// # Errors
    /// The development credential on a non-loopback address; a clock offset together with a
    /// real credential (the offset is for tests only).
    pub fn admin_credential(&self) -> Result<AdminCredential, ConfigError> {
        let secret = match (
            &self.admin_secret_access_key,
            &self.admin_secret_access_key_file,
        ) {
            (Some(secret), _) => Some(secret.clone()),
            (None, Some(path)) => Some(read_secret_file(path)?),
            (None, None) => None,
        };
        match (&self.admin_access_key_id, secret) {
            (Some(id), Some(secret)) => {
                if self.test_clock_offset_secs.is_some() {
                    return Err(ConfigError(
                        "--test-clock-offset-secs is for tests only and cannot be combined with a configured admin credential".into(),
                    ));
                }
                Ok(AdminCredential {
                    access_key_id: id.clone(),
                    secret_access_key: secret,
                    development: false,
                })
            }
            _ if !self.listen.ip().is_loopback() => Err(ConfigError(format!(
                "refusing to listen on {} with the development credential: set --admin-access-key-id and --admin-secret-access-key (or USERPOOL_ADMIN_ACCESS_KEY_ID / USERPOOL_ADMIN_SECRET_ACCESS_KEY)",
                self.listen
            ))),
            _ => Ok(AdminCredential {
                access_key_id: DEV_ACCESS_KEY_ID.into(),
                secret_access_key: Zeroizing::new(DEV_SECRET_ACCESS_KEY.into()),
                development: true,
            }),
        }
    }

    /// Whether confirmation and reset codes go to the log: with `--log-codes`, or in
    /// development mode (SPEC §14).
    #[must_use]
    pub fn log_codes(&self, admin: &AdminCredential) -> bool {
        self.log_codes || admin.development
    }

    /// The sealing keys (SPEC §14): `--sealing-key`, else the key file (`--key-file`, by
    /// default `<db>.key`, created on first start), else with `--memory` a random key for
    /// this process.
    ///
    /// # Errors
    /// A key file accessible by group or others, of the wrong length, or unreadable; a
    /// `--sealing-key` that is not base64 of 32-byte keys.
    pub fn keyring(&self) -> Result<userpool_store::seal::Keyring, ConfigError> {
        if let Some(keys) = &self.sealing_key {
            return crate::sealing_key::from_base64(keys);
        }
        let path = match &self.key_file {
            Some(path) => path.clone(),
            None if self.memory => return crate::sealing_key::ephemeral(),
            None if self.database_url.is_some() => {
                return Err(ConfigError(
                    "--database-url needs --key-file (or USERPOOL_SEALING_KEY): every instance on the database must seal secrets with the same keys, so copy one key file to each".into(),
                ));
            }
            None => self.default_key_file(),
        };
        if self.database_url.is_some() {
            return crate::sealing_key::load_or_create(&path);
        }
        if !self.memory {
            // Files created by older versions kept the process's default mode (often 0644);
            // new ones are 0600. Left as they are (a shared group may be intended), but said.
            crate::sealing_key::warn_if_open_to_others(&self.db, "database");
        }
        if !self.memory && self.db.exists() && !path.exists() {
            // A restored or moved database without its key: it starts, but every secret
            // sealed under the missing key fails with InternalErrorException.
            tracing::warn!(
                db = %self.db.display(),
                key_file = %path.display(),
                "the database exists but its key file does not: a new key is created, and secrets sealed under the old one will not open"
            );
        }
        crate::sealing_key::load_or_create(&path)
    }

    /// `<db>.key`: the key file's default place, beside the database.
    #[must_use]
    pub fn default_key_file(&self) -> PathBuf {
        let mut path = self.db.clone().into_os_string();
        path.push(".key");
        PathBuf::from(path)
    }

    /// The hash limit (SPEC §13): `--max-concurrent-hashes` (default one per core) and
    /// `--hash-queue-timeout-ms`.
    #[must_use]
    pub fn hash_limit(&self) -> (usize, std::time::Duration) {
        let max = self
            .max_concurrent_hashes
            .map_or_else(userpool::hashlimit::default_max_concurrent, |n| {
                usize::try_from(n).unwrap_or(usize::MAX)
            });
        (
            max,
            std::time::Duration::from_millis(self.hash_queue_timeout_ms),
        )
    }

    /// The base of token issuers: `--public-url`, or the address actually bound (which
    /// differs from `--listen` when that asks for port 0). The bound address includes the
    /// port, so without `--public-url` a restart on another port changes every issuer and
    /// invalidates the tokens issued before it.
    #[must_use]
    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }
}

/// Parses a secret argument straight into a zeroizing string.
#[allow(clippy::unnecessary_wraps)] // the signature clap's value parsers have
fn secret_value(text: &str) -> Result<Zeroizing<String>, std::convert::Infallible> {
    Ok(Zeroizing::new(text.to_owned()))
}

/// Reads a secret from a file, without its trailing newline.
fn read_secret_file(path: &std::path::Path) -> Result<Zeroizing<String>, ConfigError> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        ConfigError(format!(
            "cannot read the admin secret file {}: {e}",
            path.display()
        ))
    })?);
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(ConfigError(format!(
            "the admin secret file {} is empty",
            path.display()
        )));
    }
    Ok(Zeroizing::new(secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Config {
        let mut argv = vec!["userpool-server"];
        argv.extend_from_slice(args);
        Config::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = parse(&[]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:9229");
        assert_eq!(c.db, PathBuf::from("./userpool.db"));
        assert!(!c.memory);
        assert_eq!(c.max_connections, 1024);
        assert!(!c.no_rate_limits);
        assert_eq!(c.public_url(c.listen), "http://127.0.0.1:9229");
        let cred = c.admin_credential().ok();
        assert!(cred.is_some_and(|c| c.development && c.access_key_id == DEV_ACCESS_KEY_ID));
    }

    /// SPEC §19: the Lambda flags' defaults, and `--lambda-timeout`'s forms and bounds.
    #[test]
    fn lambda_flags() {
        use std::time::Duration;
        let c = parse(&[]);
        assert!(c.lambda_endpoint.is_none());
        assert_eq!(c.lambda_timeout, Duration::from_secs(5));
        assert!(c.lambda_region.is_none());
        assert_eq!(c.lambda_max_concurrent, 16);
        for (given, expected) in [
            ("1", Duration::from_secs(1)),
            ("2s", Duration::from_secs(2)),
            ("0.5", Duration::from_millis(500)),
            ("1500ms", Duration::from_millis(1500)),
            ("900", Duration::from_secs(900)),
        ] {
            assert_eq!(lambda_timeout(given), Ok(expected), "{given}");
        }
        for refused in ["0", "0ms", "-1", "901", "NaN", "inf", "5m", "", "1.5ms"] {
            assert!(lambda_timeout(refused).is_err(), "{refused}");
        }
        let argv = ["userpool-server", "--lambda-max-concurrent", "0"];
        assert!(Config::try_parse_from(argv).is_err());
    }

    /// SPEC §11 (issuer): without `--public-url` the issuer base is the bound address, port
    /// included, so another port is another issuer; with it, the port does not matter.
    #[test]
    fn the_issuer_base_follows_the_bound_port_unless_public_url_is_set() {
        let c = parse(&[]);
        let (a, b) = (
            SocketAddr::from(([127, 0, 0, 1], 9229)),
            SocketAddr::from(([127, 0, 0, 1], 9230)),
        );
        assert_eq!(c.public_url(a), "http://127.0.0.1:9229");
        assert_ne!(c.public_url(a), c.public_url(b));
        let c = parse(&["--public-url", "http://localhost:9229/"]);
        assert_eq!(c.public_url(a), "http://localhost:9229");
        assert_eq!(c.public_url(a), c.public_url(b));
        let help = Config::command()
            .get_arguments()
            .find(|arg| arg.get_id() == "public_url")
            .and_then(|arg| arg.get_long_help().map(ToString::to_string))
            .unwrap_or_default();
        assert!(help.contains("port"), "{help}");
    }

    // SPEC §13: the hash limit defaults to one per core and 2 s, and both are settable.
    #[test]
    fn the_hash_limit_defaults_to_the_cores_and_two_seconds() {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let limit = parse(&[]).hash_limit();
        assert_eq!(limit, (cores, std::time::Duration::from_secs(2)));
        let c = parse(&[
            "--max-concurrent-hashes",
            "3",
            "--hash-queue-timeout-ms",
            "250",
        ]);
        assert_eq!(c.hash_limit(), (3, std::time::Duration::from_millis(250)));
        let zero = ["userpool-server", "--max-concurrent-hashes", "0"];
        assert!(Config::try_parse_from(zero).is_err());
    }

    #[test]
    fn the_development_credential_is_refused_off_loopback() {
        let c = parse(&["--listen", "0.0.0.0:9229"]);
        assert!(c.admin_credential().is_err());
        let c = parse(&[
            "--listen",
            "0.0.0.0:9229",
            "--admin-access-key-id",
            "AKIDEXAMPLE",
            "--admin-secret-access-key",
            "s3cret",
        ]);
        let cred = c.admin_credential().ok();
        assert!(cred.is_some_and(|c| !c.development && c.access_key_id == "AKIDEXAMPLE"));
    }

    #[test]
    fn a_key_id_without_its_secret_is_a_usage_error() {
        let argv = ["userpool-server", "--admin-access-key-id", "AKIDEXAMPLE"];
        assert!(Config::try_parse_from(argv).is_err());
    }

    #[test]
    fn the_test_clock_offset_needs_the_development_credential() {
        let c = parse(&["--test-clock-offset-secs", "-60"]);
        assert_eq!(c.test_clock_offset_secs, Some(-60));
        assert!(c.admin_credential().is_ok());
        let c = parse(&[
            "--test-clock-offset-secs",
            "60",
            "--admin-access-key-id",
            "A",
            "--admin-secret-access-key",
            "B",
        ]);
        assert!(c.admin_credential().is_err());
    }

    /// SPEC §14: the admin secret can come from a file, is held zeroizing, and a key id
    /// needs exactly one of the two secret sources.
    #[test]
    fn spec_14_the_admin_secret_comes_from_a_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        std::fs::write(&path, "from-a-file\n").unwrap_or_else(|e| panic!("{e}"));
        let file = path.to_string_lossy().into_owned();
        let c = parse(&[
            "--admin-access-key-id",
            "AKIDEXAMPLE",
            "--admin-secret-access-key-file",
            &file,
        ]);
        let cred = c.admin_credential().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cred.secret_access_key.as_str(), "from-a-file");
        assert!(!cred.development);
        assert!(!c.log_codes(&cred), "codes withheld with a real credential");
        let argv = [
            "userpool-server",
            "--admin-access-key-id",
            "A",
            "--admin-secret-access-key",
            "B",
            "--admin-secret-access-key-file",
            &file,
        ];
        assert!(Config::try_parse_from(argv).is_err(), "two sources at once");
        let missing = dir.path().join("missing").to_string_lossy().into_owned();
        let c = parse(&[
            "--admin-access-key-id",
            "A",
            "--admin-secret-access-key-file",
            &missing,
        ]);
        assert!(c.admin_credential().is_err());
        std::fs::write(&path, "\n").unwrap_or_else(|e| panic!("{e}"));
        let c = parse(&[
            "--admin-access-key-id",
            "A",
            "--admin-secret-access-key-file",
            &file,
        ]);
        assert!(c.admin_credential().is_err(), "an empty secret is refused");
    }

    /// SPEC §14: codes are logged in development mode or with `--log-codes` only.
    #[test]
    fn spec_14_codes_are_logged_in_development_mode_or_when_asked() {
        let dev = parse(&[]);
        let cred = dev.admin_credential().unwrap_or_else(|e| panic!("{e}"));
        assert!(dev.log_codes(&cred));
        let real = [
            "--admin-access-key-id",
            "A",
            "--admin-secret-access-key",
            "B",
        ];
        let c = parse(&real);
        let cred = c.admin_credential().unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.log_codes(&cred));
        let mut asked = real.to_vec();
        asked.push("--log-codes");
        let c = parse(&asked);
        let cred = c.admin_credential().unwrap_or_else(|e| panic!("{e}"));
        assert!(c.log_codes(&cred));
    }

    /// SPEC §14: the key file defaults to `<db>.key`; a key from the environment excludes
    /// a key file.
    #[test]
    fn spec_14_the_key_file_sits_beside_the_database_by_default() {
        let c = parse(&["--db", "/var/lib/userpool/pools.db"]);
        assert_eq!(
            c.default_key_file(),
            PathBuf::from("/var/lib/userpool/pools.db.key")
        );
        assert_eq!(c.key_file, None);
        let argv = [
            "userpool-server",
            "--key-file",
            "k",
            "--sealing-key",
            "AAAA",
        ];
        assert!(Config::try_parse_from(argv).is_err());
        let c = parse(&["--memory"]);
        assert!(c.keyring().is_ok(), "memory: an ephemeral key, no file");
    }

    #[test]
    fn debug_redacts_the_secret() {
        let c = parse(&[
            "--admin-access-key-id",
            "AKIDEXAMPLE",
            "--admin-secret-access-key",
            "s3cret-value",
        ]);
        assert!(!format!("{c:?}").contains("s3cret-value"));
        let c = parse(&["--sealing-key", "c2VhbGluZy1rZXktdmFsdWU="]);
        assert!(!format!("{c:?}").contains("c2VhbGluZy1rZXktdmFsdWU="));
        let cred = c.admin_credential().ok();
        assert!(cred.is_some_and(|c| !format!("{c:?}").contains("s3cret-value")));
    }

    fn refused(args: &[&str]) -> String {
        let mut argv = vec!["userpool-server"];
        argv.extend_from_slice(args);
        match Config::try_parse_from(argv) {
            Ok(c) => panic!("accepted: {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// SPEC §20: instances on one database share the token issuer and the sealing keys,
    /// so the database URL needs `--public-url` and an explicit key file or keys.
    #[test]
    fn spec_20_a_database_url_needs_the_public_url_and_shared_keys() {
        const URL: &str = "postgres://userpool:hunter2-db@db.internal/userpool";
        let error = refused(&["--database-url", URL]);
        assert!(error.contains("--public-url"), "{error}");
        let error = refused(&[
            "--database-url",
            URL,
            "--public-url",
            "http://a",
            "--memory",
        ]);
        assert!(error.contains("--memory"), "{error}");
        let error = refused(&["--database-ca-file", "/ca.pem"]);
        assert!(error.contains("--database-url"), "{error}");
        let error = refused(&["--database-schema", "userpool"]);
        assert!(error.contains("--database-url"), "{error}");

        let c = parse(&["--database-url", URL, "--public-url", "http://lb:9229"]);
        assert_eq!(c.database_pool_size, 8);
        let keys = c.keyring().err().map(|e| e.0);
        assert!(
            keys.as_deref().is_some_and(|e| e.contains("--key-file")),
            "{keys:?}"
        );
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("hunter2-db"),
            "the URL's password leaks: {shown}"
        );

        let dir = std::env::temp_dir().join(format!("userpool-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let key_file = dir.join("shared.key");
        let key_file = key_file.to_str().expect("utf-8");
        let c = parse(&[
            "--database-url",
            URL,
            "--public-url",
            "http://lb:9229",
            "--key-file",
            key_file,
            "--database-pool-size",
            "3",
            "--database-schema",
            "tenant_a",
        ]);
        assert_eq!(c.database_pool_size, 3);
        assert_eq!(c.database_schema.as_deref(), Some("tenant_a"));
        let first = c.keyring().expect("created").newest_id();
        let second = c.keyring().expect("read back").newest_id();
        assert_eq!(first, second, "every instance given the file seals alike");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(refused(&["--database-pool-size", "0"]).contains("0"));
    }
}
