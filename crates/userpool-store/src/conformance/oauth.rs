//! Cases on OAuth storage (SPEC §21): domains, resource servers and identity providers
//! ([`OAuthStore`]), and authorization codes (part of [`TokenStore`]). Each case first asks
//! whether the store has the capability it needs ([`oauth_storage_support`],
//! [`token_storage_support`]): it is skipped, saying so, on a store that declared it has
//! none, and fails on one that has half.

use std::sync::Barrier;

use uuid::Uuid;

use super::*;
use crate::oauth::{
    AuthorizationCode, DomainRecord, IdentityProviderRecord, ResourceServerRecord,
    ResourceServerScope,
};

fn domain(pool: &UserPoolId, name: &str) -> DomainRecord {
    DomainRecord {
        pool_id: pool.clone(),
        domain: name.to_owned(),
        certificate_arn: None,
        managed_login_version: 1,
        created_at: at(1_700_000_000_000_003),
        version: 0,
    }
}

fn resource_server(pool: &UserPoolId, identifier: &str, scopes: &[&str]) -> ResourceServerRecord {
    ResourceServerRecord {
        pool_id: pool.clone(),
        identifier: identifier.to_owned(),
        name: format!("API {identifier}"),
        scopes: scopes
            .iter()
            .map(|s| ResourceServerScope {
                name: (*s).to_owned(),
                description: format!("Lets a client {s} — ünïcödé, \"quoted\", a,b"),
            })
            .collect(),
        version: 0,
    }
}

fn provider(pool: &UserPoolId, name: &str, identifiers: &[&str]) -> IdentityProviderRecord {
    IdentityProviderRecord {
        pool_id: pool.clone(),
        provider_name: name.to_owned(),
        provider_type: "OIDC".into(),
        provider_details: BTreeMap::from([
            ("client_id".to_owned(), format!("{name}-client")),
            ("client_secret".to_owned(), "pr0v1der-sécret".to_owned()),
            (
                "oidc_issuer".to_owned(),
                "https://idp.example.com".to_owned(),
            ),
            ("authorize_scopes".to_owned(), "openid email".to_owned()),
        ]),
        attribute_mapping: BTreeMap::from([
            ("email".to_owned(), "email".to_owned()),
            ("username".to_owned(), "sub".to_owned()),
        ]),
        idp_identifiers: identifiers.iter().map(|s| (*s).to_owned()).collect(),
        created_at: at(1_700_000_000_000_005),
        modified_at: at(1_700_000_000_000_006),
        version: 0,
    }
}

/// How much of [`OAuthStore`] the store implements: every method is asked about a pool
/// that does not exist (so nothing is written), and each answer is `Unsupported` or not
/// (see [`Support`]).
pub fn oauth_storage_support<S: OAuthStore + ?Sized>(store: &S) -> Support {
    let id = pool_id("NoSuchPool0");
    let name = "no-such-name";
    Support::of(&[
        (
            "create_domain",
            unsupported(store.create_domain(&domain(&id, name))),
        ),
        ("get_domain", unsupported(store.get_domain(name))),
        ("domain_of_pool", unsupported(store.domain_of_pool(&id))),
        (
            "update_domain",
            unsupported(store.update_domain(&domain(&id, name))),
        ),
        ("delete_domain", unsupported(store.delete_domain(&id, name))),
        (
            "create_resource_server",
            unsupported(store.create_resource_server(&resource_server(&id, name, &[]))),
        ),
        (
            "get_resource_server",
            unsupported(store.get_resource_server(&id, name)),
        ),
        (
            "list_resource_servers",
            unsupported(store.list_resource_servers(&id, None, 1)),
        ),
        (
            "update_resource_server",
            unsupported(store.update_resource_server(&resource_server(&id, name, &[]))),
        ),
        (
            "delete_resource_server",
            unsupported(store.delete_resource_server(&id, name)),
        ),
        (
            "create_identity_provider",
            unsupported(store.create_identity_provider(&provider(&id, name, &[]))),
        ),
        (
            "get_identity_provider",
            unsupported(store.get_identity_provider(&id, name)),
        ),
        (
            "find_identity_provider_by_identifier",
            unsupported(store.find_identity_provider_by_identifier(&id, name)),
        ),
        (
            "list_identity_providers",
            unsupported(store.list_identity_providers(&id, None, 1)),
        ),
        (
            "update_identity_provider",
            unsupported(store.update_identity_provider(&provider(&id, name, &[]))),
        ),
        (
            "delete_identity_provider",
            unsupported(store.delete_identity_provider(&id, name)),
        ),
    ])
}

/// Whether an OAuth configuration case runs on `store` (see [`Support::runs`]).
#[track_caller]
fn keeps_oauth<S: OAuthStore + ?Sized>(store: &S, case: &str) -> bool {
    oauth_storage_support(store).runs(case, "OAuth configuration storage")
}

pub(super) fn code(
    pool: &UserPoolId,
    sub: Uuid,
    n: u8,
    issued: i64,
    lifetime: i64,
) -> AuthorizationCode {
    let mut code_digest = [n; 32];
    code_digest[0] = 0xC0;
    AuthorizationCode {
        pool_id: pool.clone(),
        code_digest,
        client_id: format!("client{n}"),
        sub,
        redirect_uri: "https://app.example.com/cb?a=1&b=ü".into(),
        scopes: vec!["openid".into(), "https://api.example.com/read".into()],
        code_challenge: Some("qjrzSW9gMiUgpUvqgEPE4_-8swvyCtfOVvg55o5S_es".into()),
        nonce: n.is_multiple_of(2).then(|| format!("nonce-{n}")),
        auth_time: at(issued - 7),
        issued_at: at(issued),
        expires_at: at(issued + lifetime),
    }
}

/// A domain round-trips, is found by name and by pool, is unique across pools (one per
/// pool), updates by compare-and-swap, and its name is free again once deleted or once
/// its pool is.
pub fn domain_round_trips_and_is_unique_across_pools(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    if !keeps_oauth(&f.store, "domain_round_trips_and_is_unique_across_pools") {
        return;
    }
    let mut other = pool_record("Kit2", true, &[]);
    other.version = ok(f.store.create_pool(&other), "create_pool");
    let mut mine = domain(f.id(), "auth-kit");
    mine.certificate_arn = Some("arn:aws:acm:us-east-1:123456789012:certificate/ab-12".into());
    assert_eq!(ok(f.store.create_domain(&mine), "create_domain"), 1);
    let stored = DomainRecord {
        version: 1,
        ..mine.clone()
    };
    assert_eq!(
        ok(f.store.get_domain("auth-kit"), "get_domain"),
        Some(stored.clone()),
        "SPEC §21: a domain round-trips"
    );
    assert_eq!(
        ok(f.store.domain_of_pool(f.id()), "domain_of_pool"),
        Some(stored.clone())
    );
    assert_eq!(ok(f.store.get_domain("auth-kit2"), "get_domain"), None);
    assert_eq!(
        f.store.create_domain(&domain(&other.id, "auth-kit")),
        Err(StoreError::DomainExists),
        "SPEC §21: domains are unique across pools"
    );
    assert_eq!(
        f.store.create_domain(&domain(f.id(), "auth-kit-second")),
        Err(StoreError::PoolHasDomain),
        "SPEC §21: a pool has one domain"
    );
    assert_eq!(
        ok(f.store.get_domain("auth-kit-second"), "get_domain"),
        None,
        "a refused create writes nothing"
    );
    let update = DomainRecord {
        managed_login_version: 2,
        certificate_arn: None,
        ..stored.clone()
    };
    assert_eq!(ok(f.store.update_domain(&update), "update_domain"), 2);
    assert_eq!(
        f.store.update_domain(&update),
        Err(StoreError::Conflict {
            expected: 1,
            found: Some(2)
        }),
        "a stale update conflicts"
    );
    let back = ok(f.store.get_domain("auth-kit"), "get_domain");
    assert_eq!(
        back,
        Some(DomainRecord {
            version: 2,
            ..update.clone()
        })
    );
    assert_eq!(
        f.store.delete_domain(f.id(), "auth-other"),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        f.store.delete_domain(&other.id, "auth-kit"),
        Err(StoreError::NotFound),
        "another pool cannot delete the domain"
    );
    ok(f.store.delete_domain(f.id(), "auth-kit"), "delete_domain");
    assert_eq!(ok(f.store.get_domain("auth-kit"), "get_domain"), None);
    assert_eq!(ok(f.store.domain_of_pool(f.id()), "domain_of_pool"), None);
    ok(
        f.store.create_domain(&domain(&other.id, "auth-kit")),
        "a deleted domain's name is free",
    );
    ok(f.store.delete_pool(&other.id), "delete_pool");
    assert_eq!(ok(f.store.get_domain("auth-kit"), "get_domain"), None);
    ok(
        f.store.create_domain(&domain(f.id(), "auth-kit")),
        "a deleted pool's domain name is free",
    );
}

/// Resource servers round-trip with their scopes in order, are unique per pool by exact
/// identifier, page by identifier, update by compare-and-swap and delete.
pub fn resource_servers_round_trip_page_and_update(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    if !keeps_oauth(&f.store, "resource_servers_round_trip_page_and_update") {
        return;
    }
    let identifiers = ["https://api.example.com", "orders", "Orders", "a", "zeta/ü"];
    for id in identifiers {
        let server = resource_server(f.id(), id, &["read", "write", "*"]);
        assert_eq!(
            ok(
                f.store.create_resource_server(&server),
                "create_resource_server"
            ),
            1
        );
    }
    let orders = resource_server(f.id(), "orders", &["read", "write", "*"]);
    assert_eq!(
        f.store
            .create_resource_server(&resource_server(f.id(), "orders", &[])),
        Err(StoreError::ResourceServerExists),
        "SPEC §21: identifiers are unique per pool"
    );
    let stored = ok(
        f.store.get_resource_server(f.id(), "orders"),
        "get_resource_server",
    );
    assert_eq!(
        stored,
        Some(ResourceServerRecord {
            version: 1,
            ..orders.clone()
        }),
        "a resource server round-trips with its scopes in order"
    );
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(
            f.store.list_resource_servers(f.id(), after.as_deref(), 2),
            "list_resource_servers",
        );
        let done = page.len() < 2;
        after = page.last().map(|s| s.identifier.clone());
        all.extend(page.into_iter().map(|s| s.identifier));
        if done {
            break;
        }
    }
    let mut expected: Vec<String> = identifiers.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(all, expected, "pages by identifier, by bytes");
    let update = ResourceServerRecord {
        name: "Renamed".into(),
        scopes: vec![ResourceServerScope {
            name: "admin".into(),
            description: "everything".into(),
        }],
        version: 1,
        ..orders.clone()
    };
    assert_eq!(
        ok(
            f.store.update_resource_server(&update),
            "update_resource_server"
        ),
        2
    );
    assert!(matches!(
        f.store.update_resource_server(&update),
        Err(StoreError::Conflict { expected: 1, .. })
    ));
    assert_eq!(
        ok(
            f.store.get_resource_server(f.id(), "orders"),
            "get_resource_server"
        ),
        Some(ResourceServerRecord {
            version: 2,
            ..update.clone()
        })
    );
    assert_eq!(
        f.store
            .update_resource_server(&resource_server(f.id(), "nope", &[])),
        Err(StoreError::NotFound)
    );
    ok(
        f.store.delete_resource_server(f.id(), "orders"),
        "delete_resource_server",
    );
    assert_eq!(
        f.store.delete_resource_server(f.id(), "orders"),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        ok(
            f.store.get_resource_server(f.id(), "orders"),
            "get_resource_server"
        ),
        None
    );
    ok(f.store.delete_pool(f.id()), "delete_pool");
    assert!(matches!(
        f.store.get_resource_server(f.id(), "a"),
        Err(StoreError::PoolNotFound(_))
    ));
}

/// Identity providers round-trip (details, mapping, identifiers), are unique per pool by
/// name and by each identifier (a refused write changes nothing), are found by
/// identifier, page by name, and update by compare-and-swap moving their identifiers.
pub fn identity_providers_round_trip_and_identifiers_are_unique(h: &impl Harness) {
    let f = Fixture::new(h, true, &[]);
    if !keeps_oauth(
        &f.store,
        "identity_providers_round_trip_and_identifiers_are_unique",
    ) {
        return;
    }
    let corp = provider(f.id(), "Corp", &["corp.example.com", "corp"]);
    assert_eq!(
        ok(
            f.store.create_identity_provider(&corp),
            "create_identity_provider"
        ),
        1
    );
    let stored = IdentityProviderRecord {
        version: 1,
        ..corp.clone()
    };
    assert_eq!(
        ok(
            f.store.get_identity_provider(f.id(), "Corp"),
            "get_identity_provider"
        ),
        Some(stored.clone()),
        "SPEC §21: a provider round-trips"
    );
    assert_eq!(
        ok(
            f.store.find_identity_provider_by_identifier(f.id(), "corp"),
            "find_identity_provider_by_identifier"
        ),
        Some(stored.clone())
    );
    assert_eq!(
        f.store
            .create_identity_provider(&provider(f.id(), "Corp", &[])),
        Err(StoreError::IdentityProviderExists)
    );
    assert_eq!(
        f.store
            .create_identity_provider(&provider(f.id(), "Other", &["fresh", "corp"])),
        Err(StoreError::IdpIdentifierExists),
        "SPEC §21: an identifier belongs to one provider"
    );
    assert_eq!(
        ok(
            f.store.get_identity_provider(f.id(), "Other"),
            "get_identity_provider"
        ),
        None,
        "a refused create writes nothing"
    );
    assert_eq!(
        ok(
            f.store
                .find_identity_provider_by_identifier(f.id(), "fresh"),
            "find_identity_provider_by_identifier"
        ),
        None,
        "a refused create indexes nothing"
    );
    ok(
        f.store
            .create_identity_provider(&provider(f.id(), "Other", &["fresh"])),
        "create_identity_provider",
    );
    ok(
        f.store
            .create_identity_provider(&provider(f.id(), "Apple", &[])),
        "create_identity_provider",
    );
    let names: Vec<String> = ok(
        f.store.list_identity_providers(f.id(), None, 10),
        "list_identity_providers",
    )
    .into_iter()
    .map(|p| p.provider_name)
    .collect();
    assert_eq!(names, ["Apple", "Corp", "Other"]);
    let after: Vec<String> = ok(
        f.store.list_identity_providers(f.id(), Some("Apple"), 1),
        "list_identity_providers",
    )
    .into_iter()
    .map(|p| p.provider_name)
    .collect();
    assert_eq!(after, ["Corp"]);

    let mut update = stored.clone();
    update.idp_identifiers = vec!["corp-new".into(), "corp.example.com".into()];
    update
        .attribute_mapping
        .insert("name".into(), "name".into());
    update
        .provider_details
        .insert("client_secret".into(), "rotated".into());
    update.modified_at = at(1_700_000_000_000_999);
    assert_eq!(
        f.store.update_identity_provider(&IdentityProviderRecord {
            idp_identifiers: vec!["fresh".into()],
            ..update.clone()
        }),
        Err(StoreError::IdpIdentifierExists)
    );
    assert_eq!(
        ok(
            f.store.update_identity_provider(&update),
            "update_identity_provider"
        ),
        2
    );
    assert!(matches!(
        f.store.update_identity_provider(&update),
        Err(StoreError::Conflict { expected: 1, .. })
    ));
    let back = ok(
        f.store
            .find_identity_provider_by_identifier(f.id(), "corp-new"),
        "find_identity_provider_by_identifier",
    );
    assert_eq!(
        back,
        Some(IdentityProviderRecord {
            version: 2,
            ..update.clone()
        })
    );
    assert_eq!(
        ok(
            f.store.find_identity_provider_by_identifier(f.id(), "corp"),
            "find_identity_provider_by_identifier"
        ),
        None,
        "an identifier dropped by an update is free"
    );
    ok(
        f.store.delete_identity_provider(f.id(), "Corp"),
        "delete_identity_provider",
    );
    assert_eq!(
        f.store.delete_identity_provider(f.id(), "Corp"),
        Err(StoreError::NotFound)
    );
    assert_eq!(
        ok(
            f.store
                .find_identity_provider_by_identifier(f.id(), "corp.example.com"),
            "find_identity_provider_by_identifier"
        ),
        None
    );
    ok(
        f.store
            .create_identity_provider(&provider(f.id(), "Again", &["corp.example.com"])),
        "a deleted provider's identifiers are free",
    );
}

/// An authorization code round-trips once: taking it removes it, and of threads racing
/// to take one code exactly one gets it. Codes are per pool, need their user, go with
/// the user and the pool, and expired ones are forgotten when a code is inserted.
pub fn authorization_code_is_taken_once(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !super::tokens::keeps_tokens(&f.store, "authorization_code_is_taken_once") {
        return;
    }
    let user = f.add("coder", &[]);
    let first = code(f.id(), user.sub, 1, 1_700_000_000_000_000, 300_000_000);
    ok(
        f.store.insert_authorization_code(&first),
        "insert_authorization_code",
    );
    assert_eq!(
        f.store.insert_authorization_code(&first),
        Err(StoreError::AuthorizationCodeExists)
    );
    let mut other = pool_record("Kit2", true, &[]);
    other.version = ok(f.store.create_pool(&other), "create_pool");
    assert_eq!(
        ok(
            f.store
                .take_authorization_code(&other.id, &first.code_digest),
            "take_authorization_code"
        ),
        None,
        "SPEC §21: codes are per pool"
    );
    assert_eq!(
        ok(
            f.store.take_authorization_code(f.id(), &first.code_digest),
            "take_authorization_code"
        ),
        Some(first.clone()),
        "a code round-trips"
    );
    assert_eq!(
        ok(
            f.store.take_authorization_code(f.id(), &first.code_digest),
            "take_authorization_code"
        ),
        None,
        "SPEC §21: a code is single use"
    );
    assert_eq!(
        f.store
            .insert_authorization_code(&code(f.id(), Uuid::from_u128(7), 2, 1, 1)),
        Err(StoreError::NotFound),
        "a code needs its user"
    );

    // Racing takers: one wins.
    let raced = code(f.id(), user.sub, 3, 1_700_000_000_000_100, 300_000_000);
    ok(
        f.store.insert_authorization_code(&raced),
        "insert_authorization_code",
    );
    const RACERS: usize = 8;
    let barrier = Barrier::new(RACERS);
    let (store, id, barrier, digest) = (&f.store, f.id(), &barrier, &raced.code_digest);
    let winners: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..RACERS)
            .map(|_| {
                scope.spawn(move || {
                    barrier.wait();
                    ok(
                        store.take_authorization_code(id, digest),
                        "take_authorization_code",
                    )
                    .is_some()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(won) => usize::from(won),
                Err(_) => panic!("a racer panicked"),
            })
            .sum()
    });
    assert_eq!(
        winners, 1,
        "SPEC §21: of racing exchanges, one gets the code"
    );

    // Expired codes go when another is inserted; live ones stay.
    let expired = code(f.id(), user.sub, 4, 1_700_000_000_000_000, 300_000_000);
    let live = code(f.id(), user.sub, 5, 1_700_000_200_000_000, 300_000_000);
    ok(f.store.insert_authorization_code(&expired), "insert");
    ok(f.store.insert_authorization_code(&live), "insert");
    let later = code(f.id(), user.sub, 6, 1_700_000_400_000_000, 300_000_000);
    ok(f.store.insert_authorization_code(&later), "insert");
    assert_eq!(
        ok(
            f.store
                .take_authorization_code(f.id(), &expired.code_digest),
            "take_authorization_code"
        ),
        None,
        "an expired code is forgotten at the next insert"
    );
    assert_eq!(
        ok(
            f.store.take_authorization_code(f.id(), &live.code_digest),
            "take_authorization_code"
        ),
        Some(live)
    );

    // A user's codes go with the user.
    ok(
        f.store.delete_user(f.id(), &user.username, user.version),
        "delete_user",
    );
    assert_eq!(
        ok(
            f.store.take_authorization_code(f.id(), &later.code_digest),
            "take_authorization_code"
        ),
        None,
        "a deleted user's codes are gone"
    );
}

/// Every OAuth configuration method answers `PoolNotFound` for an unknown pool (the lookup
/// by domain name alone answers `None`). The authorization codes' methods are token
/// storage: [`token_storage_of_unknown_pool_is_pool_not_found`] checks them.
pub fn oauth_storage_of_unknown_pool_is_pool_not_found(h: &impl Harness) {
    let (store, _guard) = h.make();
    if !keeps_oauth(&store, "oauth_storage_of_unknown_pool_is_pool_not_found") {
        return;
    }
    let id = pool_id("Nope1");
    let missing = |r: Result<(), StoreError>, what: &str| {
        assert!(
            matches!(r, Err(StoreError::PoolNotFound(_))),
            "{what}: {r:?}"
        );
    };
    missing(
        store.create_domain(&domain(&id, "x")).map(drop),
        "create_domain",
    );
    missing(store.domain_of_pool(&id).map(drop), "domain_of_pool");
    missing(
        store.update_domain(&domain(&id, "x")).map(drop),
        "update_domain",
    );
    missing(store.delete_domain(&id, "x"), "delete_domain");
    missing(
        store
            .create_resource_server(&resource_server(&id, "x", &[]))
            .map(drop),
        "create_resource_server",
    );
    missing(
        store.get_resource_server(&id, "x").map(drop),
        "get_resource_server",
    );
    missing(
        store.list_resource_servers(&id, None, 10).map(drop),
        "list_resource_servers",
    );
    missing(
        store
            .update_resource_server(&resource_server(&id, "x", &[]))
            .map(drop),
        "update_resource_server",
    );
    missing(
        store.delete_resource_server(&id, "x"),
        "delete_resource_server",
    );
    missing(
        store
            .create_identity_provider(&provider(&id, "x", &[]))
            .map(drop),
        "create_identity_provider",
    );
    missing(
        store.get_identity_provider(&id, "x").map(drop),
        "get_identity_provider",
    );
    missing(
        store
            .find_identity_provider_by_identifier(&id, "x")
            .map(drop),
        "find_identity_provider_by_identifier",
    );
    missing(
        store.list_identity_providers(&id, None, 10).map(drop),
        "list_identity_providers",
    );
    missing(
        store
            .update_identity_provider(&provider(&id, "x", &[]))
            .map(drop),
        "update_identity_provider",
    );
    missing(
        store.delete_identity_provider(&id, "x"),
        "delete_identity_provider",
    );
    assert_eq!(store.get_domain("x"), Ok(None));
}

/// Deleting an app client ends what it issued, in the same write: its token sessions are
/// revoked and its pending authorization codes are gone; another client's are untouched.
pub fn client_delete_revokes_its_sessions_and_deletes_its_codes(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    if !super::tokens::keeps_tokens(
        &f.store,
        "client_delete_revokes_its_sessions_and_deletes_its_codes",
    ) {
        return;
    }
    let user = f.add("holder", &[]);
    for n in [1, 2] {
        ok(
            f.store
                .create_client(&client(f.id(), &format!("client{n}"))),
            "create_client",
        );
    }
    let sessions = [1, 2].map(|n| super::tokens::session(f.id(), user.sub, n));
    let codes = [1, 2].map(|n| code(f.id(), user.sub, n, 1_700_000_000_000_000, 300_000_000));
    for (session, code) in sessions.iter().zip(&codes) {
        ok(
            f.store.insert_token_session(session),
            "insert_token_session",
        );
        ok(
            f.store.insert_authorization_code(code),
            "insert_authorization_code",
        );
    }
    ok(f.store.delete_client(f.id(), "client1"), "delete_client");
    let find = |n: usize| {
        ok(
            f.store.find_token_session(f.id(), sessions[n].origin_jti),
            "find_token_session",
        )
    };
    assert_eq!(
        find(0).map(|s| s.revoked),
        Some(true),
        "the deleted client's session is revoked"
    );
    assert_eq!(find(1), Some(sessions[1].clone()), "another client's stays");
    let take = |n: usize| {
        ok(
            f.store
                .take_authorization_code(f.id(), &codes[n].code_digest),
            "take_authorization_code",
        )
    };
    assert_eq!(take(0), None, "the deleted client's code is gone");
    assert_eq!(take(1), Some(codes[1].clone()), "another client's stays");
}
