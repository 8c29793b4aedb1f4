//! One user's life in a Cognito-style pool, one line per step: created with a temporary
//! password, challenged, confirmed, given a temporary password by an administrator that
//! expires, set a permanent one, refused a reused one, reset, recovered, locked out, disabled.
//!
//! ```sh
//! cargo run -p userpool-core --example lifecycle
//! ```
//!
//! The pool uses the real defaults (Cognito's policy with a history of 3, argon2id at OWASP's
//! m=19456 KiB, t=2, p=1) and the operating system's randomness. The core reads no clock:
//! the example starts at a fixed instant and moves time forward by hand. No password, hash,
//! code or session token is printed — only what an administrator's audit log would show.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::SysRng;
use userpool_core::{
    ConfirmationCode, Context, CredentialKind, Event, Password, PasswordHasher, PasswordPolicy,
    PoolRules, SignInOutcome, UserRecord, Username, signin, transitions,
};

type Result<T, E = Box<dyn std::error::Error>> = std::result::Result<T, E>;

/// The pool, the clock and the one user whose life we follow.
struct Life {
    rules: PoolRules,
    now: DateTime<Utc>,
    rng: SysRng,
    user: UserRecord,
}

impl Life {
    fn wait(&mut self, by: TimeDelta) {
        self.now += by;
    }

    /// Prints one step: when, what was asked, the user's status and flag, what happened.
    fn say(&self, step: &str, outcome: &str) {
        let enabled = if self.user.enabled {
            "enabled"
        } else {
            "disabled"
        };
        println!(
            "{}  {step:<44} {:<21} {enabled:<8}  {outcome}",
            self.now.format("%Y-%m-%d %H:%M:%S"),
            self.user.status.as_str(),
        );
    }

    /// Runs one transition on the current record and prints it. On success the new record
    /// replaces the old one and the event is returned; a refusal leaves the record as it was.
    fn run(
        &mut self,
        step: &str,
        operation: impl FnOnce(
            &UserRecord,
            &PoolRules,
            &mut Context<'_>,
        ) -> Result<(UserRecord, Event), userpool_core::Error>,
    ) -> Option<Event> {
        let mut ctx = Context::new(self.now, &mut self.rng);
        match operation(&self.user, &self.rules, &mut ctx) {
            Ok((user, event)) => {
                self.user = user;
                self.say(step, &describe(&event, &self.user));
                Some(event)
            }
            Err(e) => {
                self.say(
                    step,
                    &format!("refused: {}: {e} (nothing changed)", e.code()),
                );
                None
            }
        }
    }

    /// Signs in and prints the outcome; returns the challenge session when there is one.
    fn sign_in(&mut self, step: &str, password: &Password) -> Option<String> {
        let mut ctx = Context::new(self.now, &mut self.rng);
        let result = signin::sign_in(&self.user, password, &self.rules, &mut ctx);
        match result {
            Ok(signed) => {
                if let Some(record) = signed.record {
                    self.user = *record;
                }
                match signed.outcome {
                    SignInOutcome::Authenticated => {
                        self.say(step, "signed in: the host issues tokens");
                        None
                    }
                    SignInOutcome::NewPasswordRequired { session } => {
                        self.say(
                            step,
                            "challenge: NEW_PASSWORD_REQUIRED (session valid 3 min)",
                        );
                        Some(session.expose().to_owned())
                    }
                    SignInOutcome::MfaRequired { challenge } => {
                        self.say(step, &format!("challenge: {}", challenge.name.as_str()));
                        Some(challenge.session.expose().to_owned())
                    }
                }
            }
            Err(refused) => {
                let counted = refused.record.is_some();
                if let Some(record) = refused.record {
                    self.user = *record;
                }
                let error = refused.error;
                let lockout = self.user.lockout;
                let note = match (counted, lockout.locked_until) {
                    (true, Some(until)) => format!(
                        " (failure {} recorded, locked until {})",
                        lockout.consecutive_failures,
                        until.format("%H:%M:%S")
                    ),
                    (true, None) => {
                        format!(" (failure {} recorded)", lockout.consecutive_failures)
                    }
                    (false, _) => String::new(),
                };
                self.say(step, &format!("refused: {}: {error}{note}", error.code()));
                None
            }
        }
    }
}

fn describe(event: &Event, user: &UserRecord) -> String {
    let expiry = match user.credential.as_ref().map(|c| c.kind) {
        Some(CredentialKind::Temporary { expires_at }) => {
            format!(", valid until {}", expires_at.format("%Y-%m-%d %H:%M"))
        }
        _ => String::new(),
    };
    match event {
        Event::UserCreated { generated, .. } => {
            let how = if *generated {
                "generated by the pool"
            } else {
                "chosen by the administrator"
            };
            format!("UserCreated: temporary password {how}, sent to the user{expiry}")
        }
        Event::InvitationResent { .. } => format!("InvitationResent{expiry}"),
        Event::CodeIssued { purpose, .. } => {
            format!(
                "CodeIssued ({}): a one-time code sent to the user",
                purpose.as_str()
            )
        }
        Event::Confirmed => "Confirmed".to_owned(),
        Event::PasswordSet { permanent: true } => "PasswordSet: permanent".to_owned(),
        Event::PasswordSet { permanent: false } => format!("PasswordSet: temporary{expiry}"),
        Event::NewPasswordAccepted => "NewPasswordAccepted".to_owned(),
        Event::PasswordChanged => "PasswordChanged".to_owned(),
        Event::PasswordReset => "PasswordReset: new password set with the code".to_owned(),
        Event::ExternalUserCreated => "ExternalUserCreated".to_owned(),
        Event::Disabled => "Disabled".to_owned(),
        Event::Enabled => "Enabled".to_owned(),
        Event::AttributesUpdated => "AttributesUpdated".to_owned(),
        other => format!("{other:?}"),
    }
}

fn code_of(event: &Event) -> Result<ConfirmationCode> {
    match event {
        Event::CodeIssued { code, .. } => Ok(code.clone()),
        _ => Err("expected a code".into()),
    }
}

fn main() -> Result<()> {
    let policy = PasswordPolicy::builder().password_history_size(3).build()?;
    let rules = PoolRules::new(policy, PasswordHasher::default());
    let start = DateTime::parse_from_rfc3339("2024-01-01T09:00:00Z")?.to_utc();
    let mut rng = SysRng;
    let attributes = BTreeMap::from([
        ("email".to_owned(), "diego@example.com".to_owned()),
        ("email_verified".to_owned(), "true".to_owned()),
    ]);

    // AdminCreateUser without a password: the pool generates a temporary one.
    let (user, event) = transitions::admin_create_user(
        Username::parse("diego")?,
        attributes,
        None,
        &rules,
        &mut Context::new(start, &mut rng),
    )?;
    let Event::UserCreated {
        temporary_password, ..
    } = &event
    else {
        return Err("expected UserCreated".into());
    };
    let temporary_password = temporary_password.clone();
    let mut life = Life {
        rules,
        now: start,
        rng,
        user,
    };
    life.say(
        "AdminCreateUser (no TemporaryPassword)",
        &describe(&event, &life.user),
    );

    // The user signs in with it: a challenge, never tokens.
    life.wait(TimeDelta::hours(2));
    let session = life
        .sign_in(
            "InitiateAuth with the temporary password",
            &temporary_password,
        )
        .ok_or("expected a challenge")?;

    // Answering with the temporary password itself is history (the current password counts).
    life.wait(TimeDelta::seconds(20));
    life.run(
        "RespondToAuthChallenge, same password",
        |user, rules, ctx| {
            transitions::respond_to_new_password_required(
                user,
                &session,
                &temporary_password,
                rules,
                ctx,
            )
        },
    );
    let first = Password::parse("Diego-first-1!")?;
    life.run(
        "RespondToAuthChallenge, new password",
        |user, rules, ctx| {
            transitions::respond_to_new_password_required(user, &session, &first, rules, ctx)
        },
    );
    life.sign_in("InitiateAuth", &first);

    // The administrator sets a temporary password; the user lets it expire.
    life.wait(TimeDelta::days(30));
    let temporary = Password::parse("Temp-for-diego-2")?;
    life.run(
        "AdminSetUserPassword Permanent=false",
        |user, rules, ctx| {
            transitions::admin_set_user_password(user, &temporary, false, rules, ctx)
        },
    );
    life.wait(TimeDelta::days(7));
    life.sign_in("InitiateAuth, 7 days later", &temporary);

    // Only an administrator can help now: a permanent password this time.
    life.wait(TimeDelta::hours(1));
    let second = Password::parse("Diego-second-2!")?;
    life.run("AdminSetUserPassword Permanent=true", |user, rules, ctx| {
        transitions::admin_set_user_password(user, &second, true, rules, ctx)
    });
    life.run(
        "AdminSetUserPassword, an earlier password",
        |user, rules, ctx| transitions::admin_set_user_password(user, &first, true, rules, ctx),
    );
    let weak = Password::parse("diego123")?;
    life.run(
        "AdminSetUserPassword, a weak password",
        |user, rules, ctx| transitions::admin_set_user_password(user, &weak, true, rules, ctx),
    );
    life.sign_in("InitiateAuth", &second);

    // ChangePassword by the user, who knows the current one.
    life.wait(TimeDelta::days(10));
    let third = Password::parse("Diego-third-3!")?;
    life.run("ChangePassword", |user, rules, ctx| {
        transitions::change_password(user, &second, &third, rules, ctx)
    });

    // An administrator forces a reset; the user recovers with ForgotPassword.
    life.wait(TimeDelta::days(60));
    life.run(
        "AdminResetUserPassword",
        transitions::admin_reset_user_password,
    );
    life.sign_in("InitiateAuth, old password", &third);
    let forgot = life
        .run("ForgotPassword", transitions::forgot_password)
        .ok_or("ForgotPassword refused")?;
    let code = code_of(&forgot)?;
    life.wait(TimeDelta::minutes(5));
    let fourth = Password::parse("Diego-fourth-4!")?;
    life.run("ConfirmForgotPassword", |user, rules, ctx| {
        transitions::confirm_forgot_password(user, &code, &fourth, rules, ctx)
            .map_err(|refused| refused.error)
    });
    life.sign_in("InitiateAuth", &fourth);

    // Someone guesses: five failures are free, the sixth locks for a second.
    life.wait(TimeDelta::days(3));
    let guess = Password::parse("Guess-1234!")?;
    for _ in 0..6 {
        life.sign_in("InitiateAuth, a wrong guess", &guess);
    }
    life.sign_in("InitiateAuth, right password, in lockout", &fourth);
    life.wait(TimeDelta::seconds(1));
    life.sign_in("InitiateAuth, a second later", &fourth);

    // AdminDisableUser: the password still verifies, the user is told it is disabled.
    life.wait(TimeDelta::days(1));
    life.run("AdminDisableUser", |user, _, ctx| {
        transitions::admin_disable_user(user, ctx)
    });
    life.sign_in("InitiateAuth", &fourth);
    life.run("AdminEnableUser", |user, _, ctx| {
        transitions::admin_enable_user(user, ctx)
    });
    life.sign_in("InitiateAuth", &fourth);
    Ok(())
}
