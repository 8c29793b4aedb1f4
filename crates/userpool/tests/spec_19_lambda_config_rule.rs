//! SPEC §19, which triggers run: the function a pool's `LambdaConfig` names reaches the host
//! in the event (`TriggerCaller::function`) without `Triggers::has` being asked; a pool
//! without it runs a trigger only when the host's `has` says so, with no function; and a
//! host leaving `has` at its default runs nothing for a pool without `LambdaConfig`.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use userpool_core::triggers::{PreSignUpAnswer, PreSignUpEvent, Trigger, TriggerError, Triggers};

use common::{env_with, fast_settings};

const PASSWORD: &str = "Str0ng-Passw0rd!";
const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up";

/// Records the function of every PreSignUp event; `has` answers `has_answer`.
#[derive(Debug)]
struct Recorder {
    has_answer: bool,
    functions: Mutex<Vec<Option<String>>>,
}

impl Triggers for Recorder {
    fn has(&self, _pool_id: &str, _trigger: Trigger) -> bool {
        self.has_answer
    }

    fn pre_sign_up(&self, event: &PreSignUpEvent) -> Result<PreSignUpAnswer, TriggerError> {
        if let Ok(mut functions) = self.functions.lock() {
            functions.push(event.caller.function.clone());
        }
        Ok(PreSignUpAnswer::default())
    }
}

/// A default host: `has` is not overridden.
#[derive(Debug, Default)]
struct DefaultHas {
    calls: Mutex<u32>,
}

impl Triggers for DefaultHas {
    fn pre_sign_up(&self, _event: &PreSignUpEvent) -> Result<PreSignUpAnswer, TriggerError> {
        if let Ok(mut calls) = self.calls.lock() {
            *calls += 1;
        }
        Ok(PreSignUpAnswer::default())
    }
}

fn settings(lambda: Option<&str>) -> userpool::PoolSettings {
    let mut settings = fast_settings();
    if let Some(arn) = lambda {
        settings.settings.lambda_config.triggers =
            BTreeMap::from([("PreSignUp".to_owned(), arn.to_owned())]);
    }
    settings
}

fn functions_seen(lambda: Option<&str>, has_answer: bool) -> Vec<Option<String>> {
    let recorder = Arc::new(Recorder {
        has_answer,
        functions: Mutex::new(Vec::new()),
    });
    let hook = Arc::clone(&recorder) as Arc<dyn Triggers>;
    let env = env_with(settings(lambda), false, |b| b.triggers(hook));
    env.pools
        .sign_up(
            &env.client_id,
            "ana",
            PASSWORD,
            &[("email", "ana@example.com")],
        )
        .expect("sign up");
    recorder
        .functions
        .lock()
        .map(|f| f.clone())
        .unwrap_or_default()
}

#[test]
fn spec_19_the_lambda_config_function_reaches_the_host_whatever_has_says() {
    assert_eq!(functions_seen(Some(ARN), false), [Some(ARN.to_owned())]);
    assert_eq!(functions_seen(Some(ARN), true), [Some(ARN.to_owned())]);
}

#[test]
fn spec_19_without_lambda_config_the_hosts_has_decides() {
    assert_eq!(functions_seen(None, true), [None]);
    assert!(functions_seen(None, false).is_empty());
}

#[test]
fn spec_19_a_host_with_the_default_has_runs_only_lambda_config_triggers() {
    let host = Arc::new(DefaultHas::default());
    let hook = Arc::clone(&host) as Arc<dyn Triggers>;
    let env = env_with(settings(None), false, |b| b.triggers(hook));
    env.pools
        .sign_up(
            &env.client_id,
            "bo",
            PASSWORD,
            &[("email", "bo@example.com")],
        )
        .expect("sign up");
    assert_eq!(host.calls.lock().map(|c| *c).unwrap_or(99), 0);

    let hook = Arc::clone(&host) as Arc<dyn Triggers>;
    let env = env_with(settings(Some(ARN)), false, |b| b.triggers(hook));
    env.pools
        .sign_up(
            &env.client_id,
            "cy",
            PASSWORD,
            &[("email", "cy@example.com")],
        )
        .expect("sign up");
    assert_eq!(host.calls.lock().map(|c| *c).unwrap_or(99), 1);
}
