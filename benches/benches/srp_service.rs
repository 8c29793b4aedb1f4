//! What SRP (SPEC §15) costs through the service, at the default argon2id parameters
//! (m=19456 KiB, t=2, p=1) over `MemoryStore` behind `SealingStore` (so sealing the SRP
//! state is in the figures), measured interleaved (see `userpool_benches::paired`):
//!
//! - AdminSetUserPassword with SRP on (argon2id hash + verifier g^x + sealing) next to the
//!   same with SRP off (`HostOptions::with_srp(false)`);
//! - a password sign-in (InitiateAuth `USER_PASSWORD_AUTH`: one argon2id verify) next to
//!   the two SRP requests: InitiateAuth `USER_SRP_AUTH` (g^b, a sealed write) and
//!   RespondToAuthChallenge `PASSWORD_VERIFIER` (v^u, (A·v^u)^b, HKDF, HMAC, a sealed
//!   write). The client's side (aws-cognito-srp computing A and the proof) runs before the
//!   timing, each answer to its own freshly opened challenge.
//!
//! `cargo bench -p userpool-benches --bench srp_service` (`PAIRED_ROUNDS`, default 60)

#![allow(missing_docs)]

use std::cell::RefCell;
use std::sync::Arc;

use aws_cognito_srp::{SrpClient, User};
use userpool::{
    AuthResult, Caller, ClientSettings, HostOptions, MemoryStore, OsRandom, PoolSettings,
    SealingStore, UserPools,
};
use userpool_benches::paired::{self, Op};
use userpool_core::HashParams;
use userpool_store::seal::{Keyring, SealingKey};

const PASSWORD: &str = "Correct-horse-9!";
const SET_ON: &str = "AdminSetUserPassword, SRP on";
const SET_OFF: &str = "AdminSetUserPassword, SRP off";
const SIGN_IN: &str = "InitiateAuth USER_PASSWORD_AUTH";
const SRP_START: &str = "InitiateAuth USER_SRP_AUTH";
const SRP_ANSWER: &str = "RespondToAuthChallenge PASSWORD_VERIFIER";
const VERIFIER: &str = "srp::verifier_for_write alone (what SRP adds to a write)";

struct Service {
    pools: UserPools<SealingStore<MemoryStore>>,
    pool_id: String,
    client_id: String,
}

fn service(srp: bool) -> Service {
    let keyring = Keyring::new(SealingKey::generate(&OsRandom).expect("key"));
    let store = Arc::new(SealingStore::new(Arc::new(MemoryStore::new()), keyring));
    let pools = UserPools::builder(store)
        .host_options(HostOptions::default().with_srp(srp))
        .build();
    let admin = Caller::new("admin");
    let pool = pools
        .create_user_pool(
            &admin,
            "bench",
            PoolSettings {
                hash_params: HashParams::default(),
                ..PoolSettings::default()
            },
        )
        .expect("pool");
    let client = pools
        .create_user_pool_client(
            &admin,
            pool.id.as_str(),
            "app",
            ClientSettings {
                explicit_auth_flows: vec![
                    "ALLOW_USER_SRP_AUTH".into(),
                    "ALLOW_USER_PASSWORD_AUTH".into(),
                ],
                ..ClientSettings::default()
            },
        )
        .expect("client");
    Service {
        pools,
        pool_id: pool.id.as_str().to_owned(),
        client_id: client.client_id,
    }
}

impl Service {
    fn user(&self, name: &str) {
        let admin = Caller::new("admin");
        self.pools
            .admin_create_user(&admin, &self.pool_id, name, None, &[], None)
            .expect("create");
        self.pools
            .admin_set_user_password(&admin, &self.pool_id, name, PASSWORD, Some(true))
            .expect("set");
    }

    /// Opens a challenge for `name` and computes the client's answer (untimed).
    fn prepared_answer(&self, name: &str) -> (String, [String; 3]) {
        let client = SrpClient::new(
            User::new(&self.pool_id, name, PASSWORD),
            &self.client_id,
            None,
        );
        let a = client.get_auth_parameters().a;
        let AuthResult::PasswordVerifier(p) = self
            .pools
            .initiate_srp_auth(&self.client_id, name, &a)
            .expect("challenge")
        else {
            panic!("expected PASSWORD_VERIFIER");
        };
        let v = client
            .verify(&p.secret_block, &p.user_id_for_srp, &p.salt, &p.srp_b)
            .expect("proof");
        (
            p.user_id_for_srp,
            [
                v.password_claim_secret_block,
                v.password_claim_signature,
                v.timestamp,
            ],
        )
    }
}

fn main() {
    if paired::listing_only() {
        return;
    }
    let rounds = paired::rounds(60);
    let warm_up = 3;
    let on = service(true);
    let off = service(false);
    on.user("writer");
    off.user("writer");
    on.user("signer");
    let start_a = SrpClient::new(
        User::new(&on.pool_id, "signer", PASSWORD),
        &on.client_id,
        None,
    )
    .get_auth_parameters()
    .a;
    // One user per answer: a challenge is single use and a user holds only a few open.
    let prepared: RefCell<Vec<(String, [String; 3])>> = RefCell::new(
        (0..rounds + warm_up)
            .map(|i| {
                let name = format!("answer{i}");
                on.user(&name);
                on.prepared_answer(&name)
            })
            .collect(),
    );
    let admin = Caller::new("admin");
    // The verifier a password write adds, alone, for scale next to the end-to-end writes.
    let mut rules = userpool_core::PoolRules::default();
    rules.srp_pool = Some(userpool_core::UserPoolId::parse(&on.pool_id).expect("pool id"));
    let writer = userpool_core::Username::parse("writer").expect("username");
    let password = userpool_core::Password::parse(PASSWORD).expect("password");
    let mut entropy = userpool_core::testing::seeded_entropy(7);
    // The stored records say the switch works: a verifier with SRP on, none with it off.
    let stored = |s: &Service| {
        let id = userpool_core::UserPoolId::parse(&s.pool_id).expect("pool id");
        userpool::Store::find_user(
            &**s.pools.store(),
            &id,
            userpool::UserKey::Username("writer"),
        )
        .expect("store")
        .expect("writer")
        .srp
        .is_some()
    };
    assert!(
        stored(&on) && !stored(&off),
        "SRP on writes a verifier, off none"
    );
    let mut ops = vec![
        Op::new(VERIFIER, || {
            let blob =
                userpool_core::srp::verifier_for_write(&writer, &password, &rules, &mut entropy)
                    .expect("verifier");
            assert!(blob.is_some());
        }),
        Op::new(SET_ON, || {
            on.pools
                .admin_set_user_password(&admin, &on.pool_id, "writer", PASSWORD, Some(true))
                .expect("set");
        }),
        Op::new(SET_OFF, || {
            off.pools
                .admin_set_user_password(&admin, &off.pool_id, "writer", PASSWORD, Some(true))
                .expect("set");
        }),
        Op::new(SIGN_IN, || {
            let r = on
                .pools
                .initiate_auth(&on.client_id, "USER_PASSWORD_AUTH", "signer", PASSWORD)
                .expect("sign in");
            assert!(matches!(r, AuthResult::Authenticated(_)));
        }),
        Op::new(SRP_START, || {
            let r = on
                .pools
                .initiate_srp_auth(&on.client_id, "signer", &start_a)
                .expect("challenge");
            assert!(matches!(r, AuthResult::PasswordVerifier(_)));
        }),
        Op::new(SRP_ANSWER, || {
            let (name, [block, signature, timestamp]) = prepared
                .borrow_mut()
                .pop()
                .expect("a prepared answer per round");
            let r = on
                .pools
                .respond_to_password_verifier(&on.client_id, &name, &block, &signature, &timestamp)
                .expect("answer");
            assert!(matches!(r, AuthResult::Authenticated(_)));
        }),
    ];
    let samples = paired::interleave(&mut ops, warm_up, rounds);
    drop(ops);
    println!("{rounds} interleaved rounds; medians with 95 % intervals; ratios per round");
    paired::ratio_table(&samples, &[SET_OFF, SIGN_IN]);
}
