//! SPEC §19: what a client passes its triggers (`ClientMetadata`, `ValidationData`) through
//! the library: `TriggerInput` is validated and bounded, `UserPools::with_trigger_input`
//! scopes it to the operations run inside, and the events carry it as Cognito routes it.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use userpool::{MAX_TRIGGER_DATA_BYTES, TriggerInput};
use userpool_core::triggers::{AuthenticationEvent, Trigger, TriggerError, Triggers};

use common::{Env, env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";

/// (trigger, validationData, clientMetadata) of every authentication event.
type Seen = Vec<(Trigger, BTreeMap<String, String>, BTreeMap<String, String>)>;

#[derive(Debug, Default)]
struct Recorder {
    pool: String,
    seen: Mutex<Seen>,
}

impl Recorder {
    fn record(&self, trigger: Trigger, event: &AuthenticationEvent) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push((
                trigger,
                event.validation_data.clone(),
                event.client_metadata.clone(),
            ));
        }
    }

    fn take(&self) -> Seen {
        self.seen
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }
}

impl Triggers for Recorder {
    fn has(&self, pool_id: &str, trigger: Trigger) -> bool {
        pool_id == self.pool
            && matches!(
                trigger,
                Trigger::PreAuthentication | Trigger::PostAuthentication
            )
    }

    fn pre_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        self.record(Trigger::PreAuthentication, event);
        Ok(())
    }

    fn post_authentication(&self, event: &AuthenticationEvent) -> Result<(), TriggerError> {
        self.record(Trigger::PostAuthentication, event);
        Ok(())
    }
}

fn recorded() -> (Env, Arc<Recorder>) {
    let env = env_with(fast_settings(), false, |b| b);
    env.confirmed("ana", PASSWORD, &[]);
    let recorder = Arc::new(Recorder {
        pool: env.pool_id.clone(),
        seen: Mutex::default(),
    });
    let pools = userpool::UserPools::builder(Arc::clone(&env.store))
        .clock(env.clock.clone())
        .triggers(Arc::clone(&recorder) as Arc<dyn Triggers>)
        .build();
    (Env { pools, ..env }, recorder)
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn sign_in(env: &Env) {
    env.pools
        .initiate_auth(&env.client_id, "USER_PASSWORD_AUTH", "ana", PASSWORD)
        .unwrap();
}

#[test]
fn spec_19_sign_in_metadata_is_pre_authentications_validation_data_only() {
    let (env, recorder) = recorded();
    let input = TriggerInput::new(map(&[("step", "sign-in")]), BTreeMap::new())
        .unwrap()
        .as_sign_in();
    env.pools.with_trigger_input(input, || sign_in(&env));
    assert_eq!(
        recorder.take(),
        vec![
            (
                Trigger::PreAuthentication,
                map(&[("step", "sign-in")]),
                BTreeMap::new()
            ),
            (
                Trigger::PostAuthentication,
                BTreeMap::new(),
                BTreeMap::new()
            ),
        ]
    );
}

#[test]
fn spec_19_trigger_input_ends_with_its_scope_and_nested_scopes_restore() {
    let (env, recorder) = recorded();
    let outer = TriggerInput::new(map(&[("scope", "outer")]), BTreeMap::new()).unwrap();
    let inner = TriggerInput::new(map(&[("scope", "inner")]), BTreeMap::new()).unwrap();
    env.pools.with_trigger_input(outer, || {
        env.pools.with_trigger_input(inner, || sign_in(&env));
        sign_in(&env);
    });
    sign_in(&env);
    let post: Vec<BTreeMap<String, String>> = recorder
        .take()
        .into_iter()
        .filter(|(t, _, _)| *t == Trigger::PostAuthentication)
        .map(|(_, _, client_metadata)| client_metadata)
        .collect();
    assert_eq!(
        post,
        vec![
            map(&[("scope", "inner")]),
            map(&[("scope", "outer")]),
            BTreeMap::new()
        ]
    );
}

#[test]
fn spec_19_trigger_input_ends_even_when_the_operation_panics() {
    let (env, recorder) = recorded();
    let input = TriggerInput::new(map(&[("k", "v")]), BTreeMap::new()).unwrap();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        env.pools.with_trigger_input(input, || panic!("host bug"))
    }));
    assert!(unwound.is_err());
    sign_in(&env);
    assert!(
        recorder
            .take()
            .iter()
            .all(|(_, v, c)| v.is_empty() && c.is_empty())
    );
}

#[test]
fn spec_19_trigger_input_is_bounded() {
    let at_bound = "v".repeat(MAX_TRIGGER_DATA_BYTES - 1);
    let over = "v".repeat(MAX_TRIGGER_DATA_BYTES);
    assert!(TriggerInput::new(map(&[("k", &at_bound)]), BTreeMap::new()).is_ok());
    assert!(TriggerInput::new(BTreeMap::new(), map(&[("k", &at_bound)])).is_ok());
    let cases = [
        (map(&[("k", &over)]), BTreeMap::new(), "'clientMetadata'"),
        (BTreeMap::new(), map(&[("k", &over)]), "'validationData'"),
    ];
    for (client_metadata, validation_data, member) in cases {
        let error = TriggerInput::new(client_metadata, validation_data).unwrap_err();
        assert_eq!(error.code(), "InvalidParameterException");
        assert!(error.to_string().contains(member), "{error}");
    }
}
