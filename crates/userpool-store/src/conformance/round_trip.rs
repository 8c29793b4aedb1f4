//! Cases on round trips of every field, and on listing order.

use super::*;

/// A user with 23 history entries, a permanent credential and every optional field set.
fn full_user(rng: &mut StdRng) -> UserRecord {
    let policy = ok(
        PasswordPolicy::builder().password_history_size(24).build(),
        "policy",
    );
    let rules = insecure_fast_rules(policy);
    let mut ctx = Context::new(at(1_000_001), rng);
    let attributes: BTreeMap<String, String> = [
        ("email", "zoë@例え.jp"),
        ("email_verified", "true"),
        ("name", "Zoë 🦀 Ünïcödé \u{200D} ñ"),
        ("custom:note", "日本語, العربية, עברית, emoji 👩‍👩‍👧"),
        ("custom:empty-ish", " "),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let username = ok(Username::parse("zoë.ünïcödé"), "username");
    let password = |i: usize| ok(Password::parse(&format!("Kit-Passw0rd-{i}!")), "password");
    let (mut user, _) = ok(
        transitions::admin_create_user(username, attributes, Some(password(0)), &rules, &mut ctx),
        "admin_create_user",
    );
    for i in 1..=24 {
        ctx.now = at(1_000_001 + i64::try_from(i).unwrap_or(0) * 1_001);
        let (next, _) = ok(
            transitions::admin_set_user_password(&user, &password(i), true, &rules, &mut ctx),
            "admin_set_user_password",
        );
        user = next;
    }
    assert_eq!(
        user.history.len(),
        23,
        "the kit's user has 23 history entries"
    );
    user.enabled = false;
    user.history_salt = Some([0xA5; 16]);
    user.lockout = Lockout {
        consecutive_failures: 7,
        last_failure_at: Some(at(2_000_003)),
        locked_until: Some(at(2_000_004)),
    };
    user.pending_code = Some(PendingCode {
        purpose: CodePurpose::PasswordReset,
        digest: ok(SecretDigest::new(b"123456", ctx.entropy), "digest"),
        expires_at: at(3_000_005),
        failed_attempts: 3,
        held_value: None,
    });
    user.code_throttles = CodeThrottles {
        sign_up: CodeThrottle {
            failures: vec![at(2_500_001)],
            issued: vec![at(2_500_002), at(2_500_003)],
        },
        password_reset: CodeThrottle {
            failures: vec![at(2_600_001), at(2_600_002), at(2_600_003)],
            issued: vec![at(2_600_004)],
        },
    };
    user.pending_challenge = Some(PendingChallenge {
        digest: ok(SecretDigest::new(b"session-token", ctx.entropy), "digest"),
        credential: SecretDigest::fingerprint(b"credential"),
        expires_at: at(3_000_007),
    });
    user.challenge_client = Some("client-ünï-7".into());
    user.created_at = at(999_999);
    user.modified_at = at(4_000_009);
    user
}

/// Every field of a user record round-trips: credential (permanent and temporary with its
/// expiry to the microsecond), 23 history entries in order, history salt, lockout, pending
/// code and challenge, Unicode attributes, timestamps, `Enabled`.
pub fn user_round_trips_every_field(h: &impl Harness) {
    let mut f = Fixture::new(h, false, &[AliasAttribute::Email]);
    let full = full_user(&mut f.rng);
    let stored = f.insert(&full);
    f.assert_stored(&stored, "a user with every field set");
    let back = f.by_name(full.username.as_str()).unwrap_or(full.clone());
    let phc: Vec<&str> = back.history.iter().map(|h| h.as_phc()).collect();
    let expected: Vec<&str> = full.history.iter().map(|h| h.as_phc()).collect();
    assert_eq!(phc, expected, "history entries keep their order");

    // Now temporary, with an expiry carrying microseconds, and optional fields cleared.
    let temporary = set(&stored, |u| {
        if let Some(c) = u.credential.as_mut() {
            c.kind = CredentialKind::Temporary {
                expires_at: at(604_800_123_457),
            };
            c.set_at = at(123_457);
        }
        u.enabled = true;
        u.history.clear();
        u.history_salt = None;
        u.lockout = Lockout::default();
        u.pending_code = None;
        u.code_throttles = CodeThrottles::default();
        u.pending_challenge = None;
        u.challenge_client = None;
        u.attributes.clear();
    });
    let v = ok(f.update(&temporary), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..temporary.clone()
        },
        "a user with a temporary credential and nothing optional",
    );

    // A user without any credential (an external-provider user).
    let external = f.add("external_provider_user", &[]);
    assert!(external.credential.is_none());
    f.assert_stored(&external, "a user without a credential");

    // A sign-up code (the other purpose).
    let code = set(&external, |u| {
        u.pending_code = Some(PendingCode {
            purpose: CodePurpose::SignUp,
            digest: SecretDigest::fingerprint(b"654321"),
            expires_at: at(86_400_000_001),
            failed_attempts: 0,
            held_value: None,
        });
    });
    let v = ok(f.update(&code), "update");
    let code = UserRecord { version: v, ..code };
    f.assert_stored(&code, "a user with a sign-up code");

    // Attribute verification codes of both attributes (SPEC §16).
    let mut current = code;
    for attribute in userpool_core::VerifiableAttribute::ALL {
        let verifying = set(&current, |u| {
            u.pending_code = Some(PendingCode {
                purpose: CodePurpose::VerifyAttribute(attribute),
                digest: SecretDigest::fingerprint(b"135790"),
                expires_at: at(86_400_000_003),
                failed_attempts: 2,
                held_value: (attribute == userpool_core::VerifiableAttribute::Email)
                    .then(|| "new-ünï@example.com".to_owned()),
            });
        });
        let v = ok(f.update(&verifying), "update");
        current = UserRecord {
            version: v,
            ..verifying
        };
        f.assert_stored(&current, "a user with an attribute verification code");
    }

    // SPEC §19: hashes imported from other systems, as the credential and in history, read
    // back as the same imported hashes (a store keeps `as_phc()` as it is).
    let hasher = userpool_core::PasswordHasher::default();
    let bcrypt = ok(
        hasher.import("$2b$04$HjLSANdyIEAsUUmqa9YZj.phZYc8DMVtIBJGso7hBkxFrDeNxvVrK"),
        "bcrypt import",
    );
    let django = ok(
        hasher.import(
            "pbkdf2_sha256$20000$1Say5bfwSEGsZhzb12577A$skksa2gRVp54G3Y+v73VcITvcWrtKGdvq+Eh7tJSJYU=",
        ),
        "Django import",
    );
    let imported = f.add("imported_user", &[]);
    let imported = set(&imported, |u| {
        u.credential = Some(userpool_core::Credential {
            hash: bcrypt.clone(),
            kind: CredentialKind::Permanent,
            set_at: at(5_000_001),
        });
        u.history = vec![django.clone()];
    });
    let v = ok(f.update(&imported), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..imported
        },
        "a user with imported hashes",
    );
    let back = f.by_name("imported_user");
    let back_hash = back
        .as_ref()
        .and_then(|u| u.credential.as_ref())
        .and_then(|c| c.hash.imported());
    assert!(
        back_hash.is_some(),
        "the imported credential reads back as imported"
    );
}

/// The code throttles of SPEC §12 round-trip exactly: per purpose, each list in its order
/// (not sorted: a clock set back writes an earlier time after a later one), to the
/// microsecond, from empty to [`CodeThrottle::MAX_TRACKED`] entries, on insert and on
/// update, and back to empty. Wrong-attempt counts must survive every write, or reissuing
/// a code would reopen brute force.
pub fn user_round_trips_code_throttles(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let throttles = CodeThrottles {
        sign_up: CodeThrottle {
            failures: vec![at(10_000_001), at(9_000_002), at(10_000_003)],
            issued: Vec::new(),
        },
        password_reset: CodeThrottle {
            failures: Vec::new(),
            issued: vec![at(-5), at(20_000_007)],
        },
    };
    let user = set(&f.user("throttled", &[]), |u| u.code_throttles = throttles);
    let stored = f.insert(&user);
    f.assert_stored(&stored, "code throttles on insert");

    let most: Vec<_> = (0..CodeThrottle::MAX_TRACKED)
        .map(|i| at(30_000_000 + i64::try_from(i).unwrap_or(0) * 1_000_001))
        .collect();
    let full = set(&stored, |u| {
        u.code_throttles.sign_up = CodeThrottle::default();
        u.code_throttles.password_reset = CodeThrottle {
            failures: most.clone(),
            issued: most.iter().rev().copied().collect(),
        };
    });
    let v = ok(f.update(&full), "update");
    let full = UserRecord { version: v, ..full };
    f.assert_stored(&full, "the most entries a throttle keeps");

    let cleared = set(&full, |u| u.code_throttles = CodeThrottles::default());
    let v = ok(f.update(&cleared), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..cleared
        },
        "code throttles cleared after a correct code",
    );
}

/// Each of the eight statuses round-trips (SPEC §3; three are only ever read back).
pub fn user_round_trips_every_status(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let mut current = f.add("status", &[]);
    for status in UserStatus::ALL {
        let next = set(&current, |u| u.status = status);
        let v = ok(f.update(&next), "update");
        current = UserRecord { version: v, ..next };
        f.assert_stored(&current, status.as_str());
    }
    for status in UserStatus::ALL {
        let name = format!("fresh-{}", status.as_str().to_lowercase());
        let user = set(&f.user(&name, &[]), |u| u.status = status);
        let stored = f.insert(&user);
        f.assert_stored(&stored, status.as_str());
    }
}

/// `list_users` pages through users in username-key order, starting after a key.
pub fn list_users_paginates_in_key_order(h: &impl Harness) {
    for case_sensitive in [true, false] {
        let mut f = Fixture::new(h, case_sensitive, &[]);
        for name in ["carol", "Bob", "erin", "alice", "dave"] {
            f.add(name, &[]);
        }
        let mut pages = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = ok(
                f.store.list_users(f.id(), after.as_deref(), 2),
                "list_users",
            );
            assert!(page.len() <= 2, "list_users returns at most `limit`");
            let Some(last) = page.last() else { break };
            after = Some(keys::username_key(&f.pool, last.username.as_str()));
            pages.push(
                page.iter()
                    .map(|u| u.username.as_str().to_owned())
                    .collect::<Vec<_>>(),
            );
        }
        let expected: Vec<Vec<&str>> = if case_sensitive {
            // Byte order of the exact usernames: uppercase sorts first.
            vec![vec!["Bob", "alice"], vec!["carol", "dave"], vec!["erin"]]
        } else {
            vec![vec!["alice", "Bob"], vec!["carol", "dave"], vec!["erin"]]
        };
        assert_eq!(pages, expected, "case_sensitive = {case_sensitive}");
        assert!(ok(f.store.list_users(f.id(), None, 0), "limit 0").is_empty());
    }
}

/// A user's SRP state (SPEC §15) round-trips byte for byte: it is opaque to the store (a
/// real verifier with open challenges, or the sealed form `SealingStore` hands down, or
/// any bytes), set on insert, replaced on update, and cleared back to none.
pub fn user_round_trips_srp_state(h: &impl Harness) {
    let mut f = Fixture::new(h, true, &[]);
    let mut rules = insecure_fast_rules(PasswordPolicy::default());
    rules.srp_pool = Some(f.id().clone());
    let username = ok(Username::parse("srp_user"), "username");
    let password = ok(Password::parse("Srp-Passw0rd!"), "password");
    let real = ok(
        userpool_core::srp::verifier_for_write(&username, &password, &rules, &mut f.rng),
        "verifier",
    );
    assert!(real.is_some(), "SRP on: a verifier");
    let base = f.user("srp_user", &[]);
    let with_real = set(&base, |u| u.srp = real.clone());
    let stored = f.insert(&with_real);
    f.assert_stored(&stored, "a user with a verifier");

    // Any bytes, every value of a byte included, as large as a state with open challenges.
    let bytes: Vec<u8> = (0..4_000u32).map(|i| (i % 256) as u8).collect();
    let opaque = set(&stored, |u| {
        u.srp = Some(userpool_core::srp::SrpBlob::from_bytes(bytes.clone()));
    });
    let v = ok(f.update(&opaque), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..opaque.clone()
        },
        "a user with opaque SRP bytes",
    );

    let cleared = set(
        &UserRecord {
            version: v,
            ..opaque
        },
        |u| u.srp = None,
    );
    let v = ok(f.update(&cleared), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..cleared
        },
        "a user whose SRP state was cleared",
    );
}

/// A user's MFA state (SPEC §18) round-trips byte for byte: it is opaque to the store (a
/// real state with a verified TOTP secret, a pending one, factors and an open challenge;
/// the sealed form `SealingStore` hands down; or any bytes), set on insert, replaced on
/// update, and cleared back to none.
pub fn user_round_trips_mfa_state(h: &impl Harness) {
    use userpool_core::mfa::{self, FactorPreference, MfaMode, PoolMfaConfig};
    let mut f = Fixture::new(h, true, &[]);
    let mut rules = insecure_fast_rules(PasswordPolicy::default());
    rules.mfa = PoolMfaConfig {
        mode: MfaMode::On,
        software_token: true,
        sms: true,
        sms_message: None,
    };
    let base = set(&f.user("mfa_user", &[]), |u| {
        u.attributes
            .insert("phone_number".into(), "+15555550100".into());
    });
    // A real state: a verified token, SMS on and preferred, a pending secret, a challenge.
    let mut ctx = Context::new(at(1_700_000_000), &mut f.rng);
    let (user, secret) = ok(
        mfa::associate_software_token(&base, &rules, &mut ctx),
        "associate",
    );
    let code = ok(secret.code_at(ctx.now), "code");
    let user = ok(mfa::verify_software_token(&user, &code, &mut ctx), "verify");
    let on = FactorPreference {
        enabled: Some(true),
        preferred: Some(true),
    };
    let user = ok(
        mfa::set_user_mfa_preference(&user, FactorPreference::default(), on, &mut ctx),
        "preference",
    );
    let (user, _) = ok(
        mfa::associate_software_token(&user, &rules, &mut ctx),
        "associate again",
    );
    let opened = ok(
        mfa::challenge_after_first_factor(&user, &rules, &mut ctx),
        "challenge",
    );
    let (user, _challenge) = opened.unwrap_or_else(|| panic!("an ON pool challenges"));
    assert!(user.mfa.is_some(), "a real MFA state");
    let stored = f.insert(&user);
    f.assert_stored(&stored, "a user with an MFA state");

    let bytes: Vec<u8> = (0..600u32).map(|i| (i % 256) as u8).collect();
    let opaque = set(&stored, |u| {
        u.mfa = Some(mfa::MfaBlob::from_bytes(bytes.clone()));
    });
    let v = ok(f.update(&opaque), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..opaque.clone()
        },
        "a user with opaque MFA bytes",
    );
    let cleared = set(
        &UserRecord {
            version: v,
            ..opaque
        },
        |u| u.mfa = None,
    );
    let v = ok(f.update(&cleared), "update");
    f.assert_stored(
        &UserRecord {
            version: v,
            ..cleared
        },
        "a user whose MFA state was cleared",
    );
}
