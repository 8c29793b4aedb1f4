//! Tokens against a `MemoryStore`, with a manual clock: the shapes clients rely on, and
//! every refusal.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier, OnceLock};

use aws_lc_rs::signature::{KeyPair as _, RsaKeyPair};
use chrono::TimeDelta;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;
use userpool_store::{MemoryStore, PoolRecord, SigningKey, Store, TokenStore};

use crate::{ManualClock, UserDescription};
use userpool_core::testing::{epoch, seeded_entropy};
use userpool_core::{Context, HashParams, HistoryMode, PasswordPolicy, UserPoolId, Username};

use super::*;

const CLIENT: &str = "client1";
const BASE: &str = "http://127.0.0.1:9229";

/// Keys generated once per test binary: a debug-build keygen is slow, and most tests are
/// not about keygen. Tests about keygen itself start from a pool without a key.
fn shared_key(which: usize) -> SigningKey {
    static KEYS: [OnceLock<SigningKey>; 2] = [OnceLock::new(), OnceLock::new()];
    KEYS[which]
        .get_or_init(|| keys::generate(&ManualClock::new(epoch()), &OsRandom).expect("keygen"))
        .clone()
}

struct Fixture {
    store: Arc<MemoryStore>,
    clock: Arc<ManualClock>,
    tokens: Tokens,
    pool: UserPoolId,
    user: UserDescription,
}

fn pool_id(suffix: &str) -> UserPoolId {
    UserPoolId::parse(&format!("eu-west-1_{suffix}")).unwrap()
}

fn add_pool(store: &dyn Store, suffix: &str) -> UserPoolId {
    let id = pool_id(suffix);
    store
        .create_pool(&PoolRecord {
            id: id.clone(),
            name: suffix.into(),
            policy: PasswordPolicy::default(),
            hash_params: HashParams::insecure_fast_for_tests(),
            history_mode: HistoryMode::PerEntrySalt,
            alias_attributes: Vec::new(),
            username_attributes: Vec::new(),
            case_sensitive: true,
            mfa: Default::default(),
            schema: userpool_core::Schema::standard(),
            settings: userpool_core::PoolSettings::default(),
            created_at: epoch(),
            modified_at: epoch(),
            version: 0,
        })
        .unwrap();
    id
}

fn add_user(store: &dyn Store, pool: &UserPoolId, name: &str) -> UserDescription {
    let attributes: BTreeMap<String, String> = [
        ("email", "alice@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+15555550100"),
        ("phone_number_verified", "false"),
        ("custom:team", "blue"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let mut rng = seeded_entropy(name.len() as u64);
    let mut ctx = Context::new(epoch(), &mut rng);
    let (record, _) = userpool_core::transitions::external_provider_sign_in(
        Username::parse(name).unwrap(),
        attributes,
        &mut ctx,
    )
    .unwrap();
    let version = store.insert_user(pool, &record).unwrap();
    UserDescription::from(&userpool_core::UserRecord { version, ..record })
}

/// A store with pool `Pool1` (holding shared key 0) and user `alice`.
fn fixture() -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let pool = add_pool(store.as_ref(), "Pool1");
    store.insert_signing_key(&pool, &shared_key(0)).unwrap();
    let user = add_user(store.as_ref(), &pool, "alice");
    let clock = Arc::new(ManualClock::new(epoch()));
    let tokens = Tokens::new(store.clone(), clock.clone(), format!("{BASE}/"));
    Fixture {
        store,
        clock,
        tokens,
        pool,
        user,
    }
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::NotAuthorized(why)) => why.to_string(),
        other => panic!("expected NotAuthorized, got {other:?}"),
    }
}

/// The JWKS's only key, as a JWT library would build it from `n` and `e`.
fn jwks_key(f: &Fixture) -> (String, DecodingKey) {
    let jwks = f.tokens.jwks(&f.pool).unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let jwk = &keys[0];
    assert_eq!(
        (&jwk["alg"], &jwk["kty"], &jwk["use"]),
        (
            &Value::from("RS256"),
            &Value::from("RSA"),
            &Value::from("sig")
        )
    );
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    (jwk["kid"].as_str().unwrap().to_owned(), key)
}

/// Validation independent of `Tokens`: RS256 only, issuer, and no wall-clock `exp` check
/// (the manual clock stands in 2024).
fn independent_validation(f: &Fixture, audience: Option<&str>) -> Validation {
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[format!("{BASE}/eu-west-1_Pool1")]);
    v.validate_exp = false;
    match audience {
        Some(aud) => v.set_audience(&[aud]),
        None => v.validate_aud = false,
    }
    let _ = f;
    v
}

fn uuid_claim(claims: &Value, name: &str) -> Uuid {
    Uuid::parse_str(claims[name].as_str().unwrap()).unwrap()
}

#[test]
fn issue_then_verify_round_trip() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    assert_eq!((issued.expires_in, issued.token_type), (3600, "Bearer"));
    assert!(issued.refresh_token.is_some());
    let claims = f.tokens.verify_access(&issued.access_token).unwrap();
    assert_eq!(claims.pool_id, f.pool);
    assert_eq!(claims.sub, f.user.sub);
    assert_eq!(claims.username, "alice");
    assert_eq!(claims.client_id, CLIENT);
    let session = f
        .store
        .find_token_session(&f.pool, claims.origin_jti)
        .unwrap()
        .unwrap();
    assert_eq!(session.sub, f.user.sub);
    assert_eq!(session.expires_at, epoch() + TimeDelta::days(30));
}

#[test]
fn tokens_verify_with_the_jwks_alone_and_carry_cognitos_claims() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let (kid, key) = jwks_key(&f);
    let now = epoch().timestamp();

    let header = jsonwebtoken::decode_header(&issued.access_token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some(kid.as_str()));
    assert_eq!(header.typ, None, "Cognito's header is just kid and alg");

    let access: Value = jsonwebtoken::decode(
        &issued.access_token,
        &key,
        &independent_validation(&f, None),
    )
    .unwrap()
    .claims;
    let sub = f.user.sub.to_string();
    assert_eq!(access["sub"], sub.as_str());
    assert_eq!(access["iss"], format!("{BASE}/eu-west-1_Pool1"));
    assert_eq!(access["client_id"], CLIENT);
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "alice");
    assert_eq!(access["auth_time"], now);
    assert_eq!(access["iat"], now);
    assert_eq!(access["exp"], now + 3600);
    assert!(access.get("aud").is_none(), "access tokens have no aud");
    let origin = uuid_claim(&access, "origin_jti");
    let event = uuid_claim(&access, "event_id");
    let access_jti = uuid_claim(&access, "jti");

    let id: Value = jsonwebtoken::decode(
        &issued.id_token,
        &key,
        &independent_validation(&f, Some(CLIENT)),
    )
    .unwrap()
    .claims;
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["aud"], CLIENT);
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["phone_number"], "+15555550100");
    assert_eq!(id["phone_number_verified"], false);
    assert_eq!(id["custom:team"], "blue");
    assert_eq!(
        (&id["auth_time"], &id["iat"]),
        (&Value::from(now), &Value::from(now))
    );
    assert_eq!(id["exp"], now + 3600);
    assert_eq!(uuid_claim(&id, "origin_jti"), origin);
    assert_eq!(uuid_claim(&id, "event_id"), event);
    assert_ne!(
        uuid_claim(&id, "jti"),
        access_jti,
        "each token has its own jti"
    );

    // A JWT library's own JWKS type reads it too, and finds the key by the token's kid.
    let set: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(f.tokens.jwks(&f.pool).unwrap()).unwrap();
    let from_jwk = DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
    let validation = independent_validation(&f, None);
    assert!(jsonwebtoken::decode::<Value>(&issued.access_token, &from_jwk, &validation).is_ok());
}

#[test]
fn a_token_signed_with_another_pools_key_is_refused() {
    let f = fixture();
    let other = add_pool(f.store.as_ref(), "Pool2");
    f.store.insert_signing_key(&other, &shared_key(1)).unwrap();
    let other_user = add_user(f.store.as_ref(), &other, "bob");
    let genuine = f.tokens.issue(&other, CLIENT, &other_user).unwrap();
    assert!(f.tokens.verify_access(&genuine.access_token).is_ok());

    // The same claims, claiming pool 1 and its kid, signed with pool 2's key.
    let mut claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&genuine.access_token).unwrap();
    claims["iss"] = Value::from(format!("{BASE}/eu-west-1_Pool1"));
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(shared_key(0).kid);
    let forged = sign_with(&shared_key(1), &header, &claims);
    assert_eq!(
        refused(f.tokens.verify_access(&forged)),
        "Invalid Access Token"
    );

    // A genuine signature over other claims: swap the payload.
    let mine = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let mut parts: Vec<&str> = mine.access_token.split('.').collect();
    let other_parts: Vec<&str> = forged.split('.').collect();
    parts[1] = other_parts[1];
    assert_eq!(
        refused(f.tokens.verify_access(&parts.join("."))),
        "Invalid Access Token"
    );
}

#[test]
fn alg_none_and_hs256_with_the_public_key_are_refused() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&issued.access_token).unwrap();
    let (kid, _) = jwks_key(&f);
    let b64 = |bytes: &[u8]| {
        use base64ct::{Base64UrlUnpadded, Encoding};
        Base64UrlUnpadded::encode_string(bytes)
    };
    let payload = b64(claims.to_string().as_bytes());
    for alg in ["none", "None", "NONE"] {
        let header = b64(format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#).as_bytes());
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            assert_eq!(
                refused(f.tokens.verify_access(&token)),
                "Invalid Access Token"
            );
        }
    }
    // HMAC keyed with what an attacker knows: the JWKS modulus, or the public key's DER.
    let jwks = f.tokens.jwks(&f.pool).unwrap();
    let n = jwks["keys"][0]["n"].as_str().unwrap().to_owned();
    // PKCS#1 `RSAPublicKey` DER.
    let public_der = RsaKeyPair::from_pkcs8(&shared_key(0).private_der)
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid);
    for secret in [n.as_bytes(), public_der.as_slice()] {
        let token =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap();
        assert_eq!(
            refused(f.tokens.verify_access(&token)),
            "Invalid Access Token"
        );
    }
}

#[test]
fn an_access_token_expires_after_an_hour() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    f.clock.advance(TimeDelta::seconds(3599));
    assert!(f.tokens.verify_access(&issued.access_token).is_ok());
    f.clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        refused(f.tokens.verify_access(&issued.access_token)),
        "Access Token has expired"
    );
}

#[test]
fn a_token_from_the_future_is_refused() {
    let f = fixture();
    f.clock.advance(TimeDelta::hours(2));
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    f.clock.advance(TimeDelta::hours(-2));
    assert_eq!(
        refused(f.tokens.verify_access(&issued.access_token)),
        "Invalid Access Token"
    );
}

#[test]
fn revoking_the_user_refuses_their_access_and_refresh_tokens() {
    let f = fixture();
    let first = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let second = f.tokens.issue(&f.pool, "client2", &f.user).unwrap();
    let bob = add_user(f.store.as_ref(), &f.pool, "bob");
    let bobs = f.tokens.issue(&f.pool, CLIENT, &bob).unwrap();

    assert_eq!(f.tokens.revoke_user(&f.pool, f.user.sub).unwrap(), 2);
    for issued in [&first, &second] {
        assert_eq!(
            refused(f.tokens.verify_access(&issued.access_token)),
            "Access Token has been revoked"
        );
    }
    assert_eq!(
        refused(f.tokens.session_for_refresh(
            &f.pool,
            CLIENT,
            first.refresh_token.as_deref().unwrap()
        )),
        "Refresh Token has been revoked"
    );
    assert!(
        f.tokens.verify_access(&bobs.access_token).is_ok(),
        "other users untouched"
    );
    assert_eq!(f.tokens.revoke_user(&f.pool, f.user.sub).unwrap(), 0);
}

/// Signs `claims` with the pool's real key: what only a bug (or a stolen key) produces.
fn sign_with_pool_key(claims: &Value) -> String {
    let key = shared_key(0);
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    sign_with(&key, &header, claims)
}

/// Signs `claims` under `header` with `key`, as the server would.
fn sign_with(key: &SigningKey, header: &Header, claims: &Value) -> String {
    let pool = UserPoolId::parse("eu-west-1_Signer").unwrap();
    let parsed = keys::PoolKey::from_stored(&pool, key).unwrap();
    encode(header, claims, &parsed).unwrap()
}

#[test]
fn an_id_token_is_not_an_access_token() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    assert_eq!(
        refused(f.tokens.verify_access(&issued.id_token)),
        "Invalid Access Token"
    );
    // Even with every access claim present, `token_use` decides.
    let mut claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&issued.access_token).unwrap();
    assert!(f.tokens.verify_access(&sign_with_pool_key(&claims)).is_ok());
    claims["token_use"] = Value::from("id");
    assert_eq!(
        refused(f.tokens.verify_access(&sign_with_pool_key(&claims))),
        "Invalid Access Token"
    );
}

#[test]
fn a_token_must_agree_with_its_session() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&issued.access_token).unwrap();
    let bob = add_user(f.store.as_ref(), &f.pool, "bob");
    for (name, value) in [
        ("sub", Value::from(bob.sub.to_string())),
        ("client_id", Value::from("client2")),
        ("origin_jti", Value::from(Uuid::nil().to_string())),
    ] {
        let mut forged = claims.clone();
        forged[name] = value;
        assert_eq!(
            refused(f.tokens.verify_access(&sign_with_pool_key(&forged))),
            "Invalid Access Token",
            "{name}"
        );
    }
}

#[test]
fn garbage_access_tokens_are_invalid_never_a_panic() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let truncated = &issued.access_token[..issued.access_token.len() - 5];
    let inputs = [
        "",
        ".",
        "..",
        "a.b.c",
        "\u{0}\u{fffd}.é.🦀",
        truncated,
        &"A".repeat(100_000),
    ];
    for input in inputs {
        assert_eq!(
            refused(f.tokens.verify_access(input)),
            "Invalid Access Token"
        );
    }
}

#[test]
fn a_token_of_an_unknown_pool_or_issuer_is_invalid() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    // Served under another base URL, the same token names a foreign issuer.
    let elsewhere = Tokens::new(
        f.store.clone(),
        f.clock.clone(),
        "https://other.example".into(),
    );
    assert_eq!(
        refused(elsewhere.verify_access(&issued.access_token)),
        "Invalid Access Token"
    );
    f.store.delete_pool(&f.pool).unwrap();
    let fresh = Tokens::new(f.store.clone(), f.clock.clone(), BASE.into());
    assert_eq!(
        refused(fresh.verify_access(&issued.access_token)),
        "Invalid Access Token"
    );
}

#[test]
fn refresh_finds_the_session_for_its_own_client_only() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let refresh = issued.refresh_token.clone().unwrap();
    let signed_in = f.tokens.verify_access(&issued.access_token).unwrap();

    f.clock.advance(TimeDelta::minutes(10));
    let session = f
        .tokens
        .session_for_refresh(&f.pool, CLIENT, &refresh)
        .unwrap();
    assert_eq!(session.origin_jti, signed_in.origin_jti);
    let again = f.tokens.reissue(&session, &f.user).unwrap();
    assert!(
        again.refresh_token.is_none(),
        "Cognito issues no new refresh token"
    );
    let claims: Value =
        jsonwebtoken::dangerous::insecure_decode_claims(&again.access_token).unwrap();
    assert_eq!(
        claims["auth_time"],
        epoch().timestamp(),
        "the original sign-in"
    );
    assert_eq!(claims["iat"], epoch().timestamp() + 600);
    assert_eq!(
        f.tokens.verify_access(&again.access_token).unwrap(),
        signed_in
    );

    assert_eq!(
        refused(f.tokens.session_for_refresh(&f.pool, "client2", &refresh)),
        "Invalid Refresh Token"
    );
    let other = add_pool(f.store.as_ref(), "Pool2");
    assert_eq!(
        refused(f.tokens.session_for_refresh(&other, CLIENT, &refresh)),
        "Invalid Refresh Token",
        "a refresh token belongs to its pool"
    );
}

#[test]
fn a_refresh_token_expires_after_thirty_days() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let refresh = issued.refresh_token.unwrap();
    f.clock.advance(TimeDelta::days(30) - TimeDelta::seconds(1));
    assert!(
        f.tokens
            .session_for_refresh(&f.pool, CLIENT, &refresh)
            .is_ok()
    );
    f.clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        refused(f.tokens.session_for_refresh(&f.pool, CLIENT, &refresh)),
        "Refresh Token has expired"
    );
}

#[test]
fn garbage_refresh_tokens_are_invalid() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let real = issued.refresh_token.unwrap();
    let inputs = [
        String::new(),
        "x".into(),
        issued.access_token.clone(),
        real[..real.len() - 1].to_owned(),
        format!("{real} "),
        "\u{0}🦀".repeat(10_000),
    ];
    for input in inputs {
        assert_eq!(
            refused(f.tokens.session_for_refresh(&f.pool, CLIENT, &input)),
            "Invalid Refresh Token"
        );
    }
}

#[test]
fn reissue_refuses_another_users_description() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let session = f
        .tokens
        .session_for_refresh(&f.pool, CLIENT, issued.refresh_token.as_deref().unwrap())
        .unwrap();
    let bob = add_user(f.store.as_ref(), &f.pool, "bob");
    let e = f.tokens.reissue(&session, &bob).unwrap_err();
    assert_eq!(e.code(), "InternalErrorException");
}

#[test]
fn jwks_of_an_unknown_pool_is_resource_not_found() {
    let f = fixture();
    let e = f.tokens.jwks(&pool_id("Nope")).unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
    let e = f
        .tokens
        .issue(&pool_id("Nope"), CLIENT, &f.user)
        .unwrap_err();
    assert_eq!(e.code(), "ResourceNotFoundException");
}

#[test]
fn a_corrupt_stored_key_is_an_internal_error_that_shows_no_bytes() {
    let store = Arc::new(MemoryStore::new());
    let pool = add_pool(store.as_ref(), "Pool1");
    let junk = SigningKey {
        kid: "junk".into(),
        private_der: zeroize::Zeroizing::new(vec![0xAB; 64]),
        created_at: epoch(),
    };
    store.insert_signing_key(&pool, &junk).unwrap();
    let tokens = Tokens::new(store, Arc::new(ManualClock::new(epoch())), BASE.into());
    match tokens.jwks(&pool) {
        Err(Error::Internal(Internal::Signing(cause))) => {
            let detail = cause.to_string();
            assert!(detail.contains("junk"), "{detail}");
            for leak in ["171", "abab", "ABAB", "q6ur"] {
                // 0xAB in decimal, hex and base64: the key's bytes in any spelling.
                assert!(!detail.contains(leak), "{detail}");
            }
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pool_created_again_under_its_old_id_signs_with_its_new_key() {
    let f = fixture();
    let (old_kid, _) = jwks_key(&f);
    let old = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    f.store.delete_pool(&f.pool).unwrap();
    let pool = add_pool(f.store.as_ref(), "Pool1");
    f.store.insert_signing_key(&pool, &shared_key(1)).unwrap();
    let user = add_user(f.store.as_ref(), &pool, "alice");

    let (new_kid, _) = jwks_key(&f);
    assert_ne!(new_kid, old_kid, "the cache follows the store");
    let issued = f.tokens.issue(&pool, CLIENT, &user).unwrap();
    let header = jsonwebtoken::decode_header(&issued.access_token).unwrap();
    assert_eq!(header.kid, Some(new_kid));
    assert!(f.tokens.verify_access(&issued.access_token).is_ok());
    assert_eq!(
        refused(f.tokens.verify_access(&old.access_token)),
        "Invalid Access Token",
        "a token of the deleted pool's key"
    );
}

#[test]
fn tokens_survive_reopening_an_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userpool.db");
    let clock = Arc::new(ManualClock::new(epoch()));
    let (pool, issued) = {
        let store = Arc::new(userpool_sqlite::SqliteStore::open(&path).unwrap());
        let pool = add_pool(store.as_ref(), "Pool1");
        store.insert_signing_key(&pool, &shared_key(0)).unwrap();
        let user = add_user(store.as_ref(), &pool, "alice");
        let tokens = Tokens::new(store, clock.clone(), BASE.into());
        (pool.clone(), tokens.issue(&pool, CLIENT, &user).unwrap())
    };
    let store = Arc::new(userpool_sqlite::SqliteStore::open(&path).unwrap());
    let tokens = Tokens::new(store.clone(), clock, BASE.into());
    let claims = tokens.verify_access(&issued.access_token).unwrap();
    let refresh = issued.refresh_token.as_deref().unwrap();
    let session = tokens.session_for_refresh(&pool, CLIENT, refresh).unwrap();
    assert_eq!(session.origin_jti, claims.origin_jti);
    assert_eq!(tokens.revoke_user(&pool, claims.sub).unwrap(), 1);
    assert_eq!(
        refused(tokens.verify_access(&issued.access_token)),
        "Access Token has been revoked"
    );
}

#[test]
fn debug_output_shows_no_token_and_no_key() {
    let f = fixture();
    let issued = f.tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
    let shown = format!("{issued:?} {:?}", f.tokens);
    let jwks = f.tokens.jwks(&f.pool).unwrap();
    let n = jwks["keys"][0]["n"].as_str().unwrap();
    let refresh = issued.refresh_token.as_deref().unwrap();
    for secret in [&issued.access_token, &issued.id_token, refresh] {
        // Any 16-character window of a token would be a leak.
        assert!(!shown.contains(&secret[..16]), "{shown}");
        assert!(!shown.contains(&secret[secret.len() - 16..]), "{shown}");
    }
    assert!(!shown.contains(&n[..16]), "{shown}");
    assert!(
        shown.contains(&shared_key(0).kid),
        "the kid is public and useful: {shown}"
    );
}

/// Key generation itself: restarts and races. These generate real keys (slow in debug).
mod keygen {
    use super::*;

    fn empty_pool() -> (Arc<MemoryStore>, UserPoolId) {
        let store = Arc::new(MemoryStore::new());
        let pool = add_pool(store.as_ref(), "Pool1");
        (store, pool)
    }

    fn tokens_over(store: &Arc<MemoryStore>) -> Tokens {
        Tokens::new(
            store.clone(),
            Arc::new(ManualClock::new(epoch())),
            BASE.into(),
        )
    }

    fn kid(jwks: &Value) -> String {
        jwks["keys"][0]["kid"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_key_survives_a_restart() {
        let (store, pool) = empty_pool();
        let user = add_user(store.as_ref(), &pool, "alice");
        let before = tokens_over(&store);
        let issued = before.issue(&pool, CLIENT, &user).unwrap();
        let jwks = before.jwks(&pool).unwrap();
        let stored = store.signing_key(&pool).unwrap().unwrap();
        assert_eq!(kid(&jwks), stored.kid);
        drop(before);

        let after = tokens_over(&store);
        assert_eq!(after.jwks(&pool).unwrap(), jwks);
        assert_eq!(
            after.verify_access(&issued.access_token).unwrap().sub,
            user.sub
        );
        // And the stored key is a real 2048-bit RSA key.
        let private = RsaKeyPair::from_pkcs8(&stored.private_der).unwrap();
        assert_eq!(private.public_modulus_len(), 256);
    }

    #[test]
    fn racing_first_users_agree_on_the_stores_key() {
        let (store, pool) = empty_pool();
        // Two "processes" (separate caches) and two threads of one of them.
        let a = Arc::new(tokens_over(&store));
        let b = Arc::new(tokens_over(&store));
        let racers = [a.clone(), b.clone(), a.clone()];
        let barrier = Arc::new(Barrier::new(racers.len()));
        let handles: Vec<_> = racers
            .into_iter()
            .map(|tokens| {
                let (barrier, pool) = (barrier.clone(), pool.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    kid(&tokens.jwks(&pool).unwrap())
                })
            })
            .collect();
        let kids: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let stored = store.signing_key(&pool).unwrap().unwrap().kid;
        assert!(kids.iter().all(|k| *k == stored), "{kids:?} vs {stored}");
        assert_eq!(kid(&a.jwks(&pool).unwrap()), stored);
        assert_eq!(kid(&b.jwks(&pool).unwrap()), stored);
    }
}

/// SPEC §19: PreTokenGeneration (V1) shapes the id token: claims added, replaced and
/// suppressed, groups overridden; a protected claim in the answer is refused.
mod pre_token_generation {
    use userpool_core::triggers::{
        PreTokenGenerationAnswer, PreTokenGenerationEvent, TokenGenerationSource, Trigger,
        TriggerError, Triggers,
    };

    use super::*;

    #[derive(Debug)]
    struct Shaper {
        forge_sub: bool,
        sources: std::sync::Mutex<Vec<TokenGenerationSource>>,
    }

    impl Triggers for Shaper {
        fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
            pool_id == "eu-west-1_Pool1" && trigger == Trigger::PreTokenGeneration
        }

        fn pre_token_generation(
            &self,
            event: &PreTokenGenerationEvent,
        ) -> Result<PreTokenGenerationAnswer, TriggerError> {
            self.sources.lock().unwrap().push(event.source);
            assert_eq!(event.user_attributes["custom:team"], "blue");
            let mut add = BTreeMap::from([
                ("tenant".to_owned(), "acme".to_owned()),
                ("email".to_owned(), "masked@example.com".to_owned()),
            ]);
            if self.forge_sub {
                add.insert("sub".into(), "someone-else".into());
            }
            Ok(PreTokenGenerationAnswer {
                claims_to_add_or_override: add,
                claims_to_suppress: vec!["phone_number".into()],
                groups_to_override: Some(vec!["admins".into()]),
            })
        }
    }

    fn payload(token: &str) -> Value {
        use base64ct::{Base64UrlUnpadded, Encoding};
        let middle = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(middle).unwrap()).unwrap()
    }

    #[test]
    fn spec_19_claims_are_added_replaced_suppressed_and_groups_overridden() {
        let f = fixture();
        let shaper = Arc::new(Shaper {
            forge_sub: false,
            sources: std::sync::Mutex::new(Vec::new()),
        });
        let tokens = Tokens::new(f.store.clone(), f.clock.clone(), BASE.into())
            .with_triggers(shaper.clone());
        let issued = tokens.issue(&f.pool, CLIENT, &f.user).unwrap();
        let id = payload(&issued.id_token);
        assert_eq!(id["tenant"], "acme");
        assert_eq!(id["email"], "masked@example.com");
        assert!(id.get("phone_number").is_none(), "{id}");
        assert_eq!(id["cognito:groups"], serde_json::json!(["admins"]));
        assert_eq!(id["sub"], f.user.sub.to_string());
        let access = payload(&issued.access_token);
        assert!(
            access.get("tenant").is_none(),
            "V1 shapes the id token only"
        );
        assert_eq!(access["cognito:groups"], serde_json::json!(["admins"]));
        // A refresh asks again.
        let session = tokens
            .session_for_refresh(&f.pool, CLIENT, issued.refresh_token.as_deref().unwrap())
            .unwrap();
        let again = tokens.reissue(&session, &f.user).unwrap();
        assert_eq!(payload(&again.id_token)["tenant"], "acme");
        assert_eq!(
            *shaper.sources.lock().unwrap(),
            [
                TokenGenerationSource::Authentication,
                TokenGenerationSource::RefreshTokens
            ]
        );
    }

    #[test]
    fn spec_19_an_answer_changing_a_protected_claim_issues_nothing() {
        let f = fixture();
        let tokens = Tokens::new(f.store.clone(), f.clock.clone(), BASE.into()).with_triggers(
            Arc::new(Shaper {
                forge_sub: true,
                sources: std::sync::Mutex::new(Vec::new()),
            }),
        );
        let e = tokens.issue(&f.pool, CLIENT, &f.user).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().as_str()),
            (
                "InvalidLambdaResponseException",
                "Unrecognizable lambda output"
            )
        );
    }
}
