//! Cases on token storage ([`TokenStore`]): each pool's signing key, and token sessions.
//! Each case first asks whether the store keeps tokens ([`token_storage_support`]): it is
//! skipped, saying so, on a store that declared it keeps none, and fails on one that keeps
//! half.

use std::sync::Barrier;

use uuid::Uuid;
use zeroize::Zeroizing;

use super::*;
use crate::tokens::{SigningKey, TokenSession};

/// How much of [`TokenStore`] the store implements: every method but the optional
/// [`TokenStore::replace_signing_key`] is asked about a pool that does not exist (so nothing
/// is written), and each answer is `Unsupported` or not (see [`Support`]).
pub fn token_storage_support<S: TokenStore + ?Sized>(store: &S) -> Support {
    let missing = pool_id("NoSuchPool0");
    let nobody = Uuid::nil();
    let digest = [0u8; 32];
    Support::of(&[
        ("signing_key", unsupported(store.signing_key(&missing))),
        (
            "insert_signing_key",
            unsupported(store.insert_signing_key(&missing, &signing_key("kid-probe", 0))),
        ),
        (
            "insert_token_session",
            unsupported(store.insert_token_session(&session(&missing, nobody, 0))),
        ),
        (
            "find_token_session",
            unsupported(store.find_token_session(&missing, nobody)),
        ),
        (
            "find_token_session_by_refresh",
            unsupported(store.find_token_session_by_refresh(&missing, &digest)),
        ),
        (
            "revoke_token_sessions",
            unsupported(store.revoke_token_sessions(&missing, nobody)),
        ),
        (
            "revoke_token_session",
            unsupported(store.revoke_token_session(&missing, nobody)),
        ),
        (
            "insert_authorization_code",
            unsupported(
                store.insert_authorization_code(&super::oauth::code(&missing, nobody, 0, 1, 1)),
            ),
        ),
        (
            "take_authorization_code",
            unsupported(store.take_authorization_code(&missing, &digest)),
        ),
    ])
}

/// Whether a token case runs on `store` (see [`Support::runs`]).
#[track_caller]
pub(super) fn keeps_tokens<S: TokenStore + ?Sized>(store: &S, case: &str) -> bool {
    token_storage_support(store).runs(case, "token storage")
}

/// A key with bytes of every value (a real PKCS#8 RSA-2048 key is about this long).
fn signing_key(kid: &str, seed: u8) -> SigningKey {
    let bytes: Vec<u8> = (0..1_218u32)
        .map(|i| u8::try_from((i + u32::from(seed)) % 256).unwrap_or(0))
        .collect();
    SigningKey {
        kid: kid.to_owned(),
        private_der: Zeroizing::new(bytes),
        created_at: at(4_242_424_242_421 + i64::from(seed)),
    }
}

/// Session `n` of `sub`: its own `origin_jti` and refresh digest, times in microseconds.
pub(super) fn session(pool: &UserPoolId, sub: Uuid, n: u8) -> TokenSession {
    let mut refresh_digest = [n; 32];
    refresh_digest[0] = 0x00;
    refresh_digest[31] = 0xFF;
    TokenSession {
        pool_id: pool.clone(),
        origin_jti: Uuid::from_u128(0x5e55_0000_0000_4000_8000_0000_0000_0000 + u128::from(n)),
        sub,
        client_id: format!("client{n}"),
        refresh_digest,
        issued_at: at(1_700_000_000_000_001 + i64::from(n)),
        expires_at: at(1_702_592_000_000_007 + i64::from(n)),
        revoked: false,
        scopes: if n.is_multiple_of(2) {
            Vec::new()
        } else {
            vec!["openid".into(), "https://api.example.com/read".into()]
        },
    }
}

fn find(f: &Fixture<impl Harness>, jti: Uuid) -> Option<TokenSession> {
    ok(
        f.store.find_token_session(f.id(), jti),
        "find_token_session",
    )
}

fn find_by_refresh(f: &Fixture<impl Harness>, digest: &[u8; 32]) -> Option<TokenSession> {
    ok(
        f.store.find_token_session_by_refresh(f.id(), digest),
        "find_token_session_by_refresh",
    )
}

/// A pool has no key until one is inserted; the first insert wins and every later one gets
/// the first key back and changes nothing. Keys are per pool.
pub fn signing_key_first_writer_wins(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "signing_key_first_writer_wins") {
        return;
    }
    assert_eq!(
        ok(f.store.signing_key(f.id()), "signing_key"),
        None,
        "a new pool has no signing key"
    );
    let first = signing_key("kid-first", 0);
    let in_force = ok(f.store.insert_signing_key(f.id(), &first), "first insert");
    assert_eq!(in_force, first, "the first writer's key is in force");
    let second = signing_key("kid-second", 7);
    let in_force = ok(f.store.insert_signing_key(f.id(), &second), "second insert");
    assert_eq!(in_force, first, "a second writer gets the first key back");
    assert_eq!(
        ok(f.store.signing_key(f.id()), "signing_key"),
        Some(first.clone()),
        "the key round-trips byte for byte, kid and time to the microsecond"
    );
    let other = pool_record("Kit2", true, &[]);
    ok(f.store.create_pool(&other), "create_pool");
    assert_eq!(
        ok(f.store.signing_key(&other.id), "signing_key"),
        None,
        "keys are per pool"
    );
    let theirs = ok(f.store.insert_signing_key(&other.id, &second), "insert");
    assert_eq!(theirs, second);
    assert_eq!(ok(f.store.signing_key(f.id()), "signing_key"), Some(first));
}

/// Threads racing to insert a pool's first key all get the same key back, and it is the
/// one stored: processes starting together sign with one key.
pub fn concurrent_signing_key_inserts_agree_on_one(h: &impl Harness) {
    const RACERS: u8 = 8;
    let f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "concurrent_signing_key_inserts_agree_on_one") {
        return;
    }
    let barrier = Barrier::new(usize::from(RACERS));
    let (store, id, barrier) = (&f.store, f.id(), &barrier);
    let results: Vec<SigningKey> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..RACERS)
            .map(|t| {
                scope.spawn(move || {
                    let mine = signing_key(&format!("kid-{t}"), t);
                    barrier.wait();
                    ok(store.insert_signing_key(id, &mine), "insert_signing_key")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(key) => key,
                Err(_) => panic!("a racer panicked"),
            })
            .collect()
    });
    let stored = ok(f.store.signing_key(f.id()), "signing_key");
    let Some(stored) = stored else {
        panic!("no key stored after the race");
    };
    assert!(
        results.iter().all(|k| *k == stored),
        "every racer gets the stored key back (first writer wins, atomically)"
    );
    assert!(
        (0..RACERS).any(|t| signing_key(&format!("kid-{t}"), t) == stored),
        "the stored key is one of the racers'"
    );
}

/// A session round-trips every field (times to the microsecond, the digest byte for
/// byte), by `origin_jti` and by refresh digest; a revoked one too.
pub fn token_session_round_trips(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "token_session_round_trips") {
        return;
    }
    let alice = f.add("alice", &[]);
    let live = session(f.id(), alice.sub, 1);
    let revoked = TokenSession {
        revoked: true,
        client_id: "ünïcödé client".into(),
        ..session(f.id(), alice.sub, 2)
    };
    for s in [&live, &revoked] {
        ok(f.store.insert_token_session(s), "insert_token_session");
    }
    for s in [&live, &revoked] {
        assert_eq!(find(&f, s.origin_jti).as_ref(), Some(s), "by origin_jti");
        assert_eq!(
            find_by_refresh(&f, &s.refresh_digest).as_ref(),
            Some(s),
            "by refresh digest"
        );
    }
    assert_eq!(find(&f, Uuid::nil()), None, "an unknown origin_jti");
    assert_eq!(find_by_refresh(&f, &[0x42; 32]), None, "an unknown digest");
}

/// Within a pool, `origin_jti` and the refresh digest are unique: a duplicate of either is
/// `TokenSessionExists` and changes nothing.
pub fn duplicate_token_session_is_refused(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "duplicate_token_session_is_refused") {
        return;
    }
    let alice = f.add("alice", &[]);
    let first = session(f.id(), alice.sub, 1);
    ok(f.store.insert_token_session(&first), "insert");
    let same_jti = TokenSession {
        refresh_digest: [0x77; 32],
        client_id: "other".into(),
        ..first.clone()
    };
    let same_digest = TokenSession {
        origin_jti: Uuid::from_u128(77),
        client_id: "other".into(),
        ..first.clone()
    };
    for duplicate in [&same_jti, &same_digest] {
        assert_eq!(
            f.store.insert_token_session(duplicate),
            Err(StoreError::TokenSessionExists),
            "a duplicate session is refused"
        );
    }
    assert_eq!(find(&f, first.origin_jti), Some(first.clone()));
    assert_eq!(find(&f, same_digest.origin_jti), None, "nothing written");
    assert_eq!(
        find_by_refresh(&f, &same_jti.refresh_digest),
        None,
        "nothing written"
    );
}

/// A refresh digest is looked up in its pool only: the same digest in two pools is two
/// sessions, and a pool never finds another pool's session.
pub fn refresh_lookup_is_per_pool(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "refresh_lookup_is_per_pool") {
        return;
    }
    let alice = f.add("alice", &[]);
    let other = pool_record("Kit2", true, &[]);
    ok(f.store.create_pool(&other), "create_pool");
    let bob = f.user("bob", &[]);
    ok(f.store.insert_user(&other.id, &bob), "insert_user");

    let ours = session(f.id(), alice.sub, 1);
    ok(f.store.insert_token_session(&ours), "insert ours");
    assert_eq!(
        ok(
            f.store
                .find_token_session_by_refresh(&other.id, &ours.refresh_digest),
            "find in the other pool"
        ),
        None,
        "a pool never finds another pool's refresh token"
    );
    assert_eq!(
        ok(
            f.store.find_token_session(&other.id, ours.origin_jti),
            "find"
        ),
        None,
        "nor its origin_jti"
    );
    let theirs = TokenSession {
        pool_id: other.id.clone(),
        sub: bob.sub,
        origin_jti: Uuid::from_u128(2),
        ..ours.clone()
    };
    ok(
        f.store.insert_token_session(&theirs),
        "the same digest in another pool is another session",
    );
    assert_eq!(find_by_refresh(&f, &ours.refresh_digest), Some(ours));
    assert_eq!(
        ok(
            f.store
                .find_token_session_by_refresh(&other.id, &theirs.refresh_digest),
            "find theirs"
        ),
        Some(theirs)
    );
}

/// Revoking a user's sessions marks every one of them, counts only those newly revoked,
/// and leaves other users' sessions (and other pools') alone.
pub fn revoke_marks_all_of_a_users_sessions_and_only_theirs(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(
        &f.store,
        "revoke_marks_all_of_a_users_sessions_and_only_theirs",
    ) {
        return;
    }
    let alice = f.add("alice", &[]);
    let bob = f.add("bob", &[]);
    let already = TokenSession {
        revoked: true,
        ..session(f.id(), alice.sub, 3)
    };
    let alices = [
        session(f.id(), alice.sub, 1),
        session(f.id(), alice.sub, 2),
        already.clone(),
    ];
    let bobs = session(f.id(), bob.sub, 4);
    for s in alices.iter().chain([&bobs]) {
        ok(f.store.insert_token_session(s), "insert");
    }
    assert_eq!(
        ok(f.store.revoke_token_sessions(f.id(), alice.sub), "revoke"),
        2,
        "two sessions were newly revoked (one already was)"
    );
    for s in &alices {
        let back = find(&f, s.origin_jti);
        assert_eq!(
            back,
            Some(TokenSession {
                revoked: true,
                ..s.clone()
            }),
            "every session of the user is revoked, nothing else changed"
        );
    }
    assert_eq!(
        find(&f, bobs.origin_jti),
        Some(bobs.clone()),
        "another user's session is untouched"
    );
    assert_eq!(
        ok(f.store.revoke_token_sessions(f.id(), alice.sub), "again"),
        0,
        "revoking again revokes nothing new"
    );
    assert_eq!(
        ok(
            f.store.revoke_token_sessions(f.id(), Uuid::from_u128(99)),
            "revoke a sub without sessions"
        ),
        0
    );
}

/// Deleting a pool deletes its signing key and its sessions: a pool created again with the
/// same id starts with neither.
pub fn pool_delete_removes_its_signing_key_and_sessions(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "pool_delete_removes_its_signing_key_and_sessions") {
        return;
    }
    let alice = f.add("alice", &[]);
    let key = signing_key("kid", 1);
    ok(f.store.insert_signing_key(f.id(), &key), "insert key");
    let s = session(f.id(), alice.sub, 1);
    ok(f.store.insert_token_session(&s), "insert session");
    ok(f.store.delete_pool(f.id()), "delete_pool");
    ok(f.store.create_pool(&f.pool), "create the pool again");
    assert_eq!(
        ok(f.store.signing_key(f.id()), "signing_key"),
        None,
        "the old key is gone"
    );
    assert_eq!(find(&f, s.origin_jti), None, "the old session is gone");
    assert_eq!(find_by_refresh(&f, &s.refresh_digest), None);
    // The same user and session can be stored again: nothing of the old pool lingers.
    ok(f.store.insert_user(f.id(), &alice), "insert_user");
    ok(
        f.store.insert_token_session(&s),
        "insert the same session again",
    );
}

/// Deleting a user deletes its sessions and only its sessions; a user created again with
/// the same username has a new `sub` and none of them.
pub fn user_delete_removes_its_sessions(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "user_delete_removes_its_sessions") {
        return;
    }
    let alice = f.add("alice", &[]);
    let bob = f.add("bob", &[]);
    let alices = [session(f.id(), alice.sub, 1), session(f.id(), alice.sub, 2)];
    let bobs = session(f.id(), bob.sub, 3);
    for s in alices.iter().chain([&bobs]) {
        ok(f.store.insert_token_session(s), "insert");
    }
    ok(
        f.store.delete_user(f.id(), &alice.username, alice.version),
        "delete_user",
    );
    for s in &alices {
        assert_eq!(find(&f, s.origin_jti), None, "the user's session is gone");
        assert_eq!(find_by_refresh(&f, &s.refresh_digest), None);
    }
    assert_eq!(find(&f, bobs.origin_jti), Some(bobs), "others' stay");
    // The digest is free again, for whoever gets it next.
    let again = f.add("alice", &[]);
    assert_ne!(again.sub, alice.sub);
    let reused = TokenSession {
        sub: again.sub,
        ..alices[0].clone()
    };
    ok(
        f.store.insert_token_session(&reused),
        "a deleted session's jti and digest can be stored again",
    );
    assert_eq!(
        ok(f.store.revoke_token_sessions(f.id(), alice.sub), "revoke"),
        0,
        "the deleted user has no sessions left"
    );
}

/// A session for a `sub` no user of the pool has is refused with `NotFound` (it would
/// outlive the user it belongs to), and nothing is written.
pub fn token_session_for_unknown_user_is_refused(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "token_session_for_unknown_user_is_refused") {
        return;
    }
    let orphan = session(f.id(), Uuid::from_u128(12_345), 1);
    assert_eq!(
        f.store.insert_token_session(&orphan),
        Err(StoreError::NotFound)
    );
    assert_eq!(find(&f, orphan.origin_jti), None, "nothing written");
}

/// Every token method names an unknown pool `PoolNotFound`, and writes nothing (the
/// optional `replace_signing_key` aside).
pub fn token_storage_of_unknown_pool_is_pool_not_found(h: &impl Harness) {
    let (store, _guard) = h.make();
    if !keeps_tokens(&store, "token_storage_of_unknown_pool_is_pool_not_found") {
        return;
    }
    let missing = pool_id("Missing9");
    let not_found = || Err::<(), _>(StoreError::PoolNotFound(missing.as_str().to_owned()));
    let digest = [1u8; 32];
    assert_eq!(store.signing_key(&missing).map(drop), not_found());
    assert_eq!(
        store
            .insert_signing_key(&missing, &signing_key("kid", 1))
            .map(drop),
        not_found()
    );
    assert_eq!(
        store.insert_token_session(&session(&missing, Uuid::from_u128(1), 1)),
        not_found()
    );
    assert_eq!(
        store
            .find_token_session(&missing, Uuid::from_u128(1))
            .map(drop),
        not_found()
    );
    assert_eq!(
        store
            .find_token_session_by_refresh(&missing, &digest)
            .map(drop),
        not_found()
    );
    assert_eq!(
        store
            .revoke_token_sessions(&missing, Uuid::from_u128(1))
            .map(drop),
        not_found()
    );
    assert_eq!(
        store
            .revoke_token_session(&missing, Uuid::from_u128(1))
            .map(drop),
        not_found()
    );
    assert_eq!(
        store.insert_authorization_code(&super::oauth::code(&missing, Uuid::from_u128(1), 1, 1, 1)),
        not_found()
    );
    assert_eq!(
        store.take_authorization_code(&missing, &digest).map(drop),
        not_found()
    );
    assert_eq!(
        ok(store.get_pool(&missing), "get_pool"),
        None,
        "no pool was created"
    );
}

/// The re-sealing writes ([`Store::replace_client_secret`], [`TokenStore::replace_signing_key`])
/// are compare-and-swap on the stored value and change nothing else. They are optional: a
/// store answering `Unsupported` to both passes (a sealing store then leaves old values as
/// they are, and still reads them).
pub fn secret_replacement_is_compare_and_swap(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    let c = client(f.id(), "client1");
    ok(f.store.create_client(&c), "create_client");
    let old = c.secret.clone().unwrap_or_default();
    match f
        .store
        .replace_client_secret(f.id(), "client1", "not-the-stored-one", "new")
    {
        Err(StoreError::Unsupported(_)) => {}
        stale => {
            assert_eq!(stale, Ok(false), "a stale expected value replaces nothing");
            assert_eq!(
                ok(f.store.get_client(f.id(), "client1"), "get_client").as_ref(),
                Some(&c)
            );
            let swapped = f
                .store
                .replace_client_secret(f.id(), "client1", &old, "new");
            assert_eq!(swapped, Ok(true));
            let expected = ClientRecord {
                secret: Some("new".into()),
                ..c.clone()
            };
            assert_eq!(
                ok(f.store.find_client("client1"), "find_client"),
                Some(expected)
            );
            let unknown = f
                .store
                .replace_client_secret(f.id(), "nope", "new", "newer");
            assert_eq!(unknown, Ok(false));
        }
    }
    if !keeps_tokens(
        &f.store,
        "secret_replacement_is_compare_and_swap (its signing key half)",
    ) {
        return;
    }
    let key = signing_key("kid-1", 3);
    ok(
        f.store.insert_signing_key(f.id(), &key),
        "insert_signing_key",
    );
    match f
        .store
        .replace_signing_key(f.id(), "kid-1", b"stale", b"new bytes")
    {
        Err(StoreError::Unsupported(_)) => {}
        stale => {
            assert_eq!(stale, Ok(false), "a stale expected value replaces nothing");
            assert_eq!(
                ok(f.store.signing_key(f.id()), "signing_key"),
                Some(key.clone())
            );
            let other_kid = f
                .store
                .replace_signing_key(f.id(), "kid-2", &key.private_der, b"x");
            assert_eq!(other_kid, Ok(false), "another kid is another key");
            let swapped =
                f.store
                    .replace_signing_key(f.id(), "kid-1", &key.private_der, b"new bytes");
            assert_eq!(swapped, Ok(true));
            let expected = SigningKey {
                private_der: Zeroizing::new(b"new bytes".to_vec()),
                ..key
            };
            assert_eq!(
                ok(f.store.signing_key(f.id()), "signing_key"),
                Some(expected)
            );
        }
    }
}

/// Revoking one session (SPEC §21's RFC 7009 revocation) marks that session only: the
/// user's other sessions stay live; revoking it again, or an unknown one, reports false.
pub fn revoke_one_session_leaves_the_users_others(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !keeps_tokens(&f.store, "revoke_one_session_leaves_the_users_others") {
        return;
    }
    let alice = f.add("alice", &[]);
    let first = session(f.id(), alice.sub, 1);
    let second = session(f.id(), alice.sub, 2);
    for s in [&first, &second] {
        ok(f.store.insert_token_session(s), "insert");
    }
    assert_eq!(
        f.store.revoke_token_session(f.id(), first.origin_jti),
        Ok(true)
    );
    assert_eq!(
        find(&f, first.origin_jti),
        Some(TokenSession {
            revoked: true,
            ..first.clone()
        })
    );
    assert_eq!(
        find(&f, second.origin_jti),
        Some(second.clone()),
        "SPEC §21: the user's other session stays live"
    );
    assert_eq!(
        f.store.revoke_token_session(f.id(), first.origin_jti),
        Ok(false),
        "already revoked"
    );
    assert_eq!(
        f.store.revoke_token_session(f.id(), Uuid::from_u128(42)),
        Ok(false),
        "unknown session"
    );
    assert!(matches!(
        f.store
            .revoke_token_session(&pool_id("Nope9"), first.origin_jti),
        Err(StoreError::PoolNotFound(_))
    ));
}
