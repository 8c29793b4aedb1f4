//! SPEC §16: the pool settings whose effect the domain decides (where SignUp's code goes,
//! which channels ForgotPassword may use) and their validation; the serialised form stores
//! persist.

use std::collections::BTreeMap;

use userpool_core::settings::{
    AccountRecoverySetting, AdminCreateUserConfig, InviteMessageTemplate, LambdaConfig,
    RecoveryOption, VerificationMessages,
};
use userpool_core::{PoolSettings, Schema, SchemaAttributeInput, VerifiableAttribute};

fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn sign_up_sends_a_code_only_to_an_auto_verified_attribute_the_user_has() {
    let both = attributes(&[("email", "a@example.com"), ("phone_number", "+12065551212")]);
    let none = PoolSettings::default();
    assert_eq!(none.sign_up_code_destination(&both), None);

    let email = PoolSettings {
        auto_verified_attributes: vec![VerifiableAttribute::Email],
        ..PoolSettings::default()
    };
    assert_eq!(
        email.sign_up_code_destination(&both),
        Some(VerifiableAttribute::Email)
    );
    assert_eq!(
        email.sign_up_code_destination(&attributes(&[("phone_number", "+12065551212")])),
        None
    );

    let phone_first = PoolSettings {
        auto_verified_attributes: vec![
            VerifiableAttribute::Email,
            VerifiableAttribute::PhoneNumber,
        ],
        ..PoolSettings::default()
    };
    assert_eq!(
        phone_first.sign_up_code_destination(&both),
        Some(VerifiableAttribute::PhoneNumber)
    );
}

#[test]
fn account_recovery_decides_the_channels_and_admin_only_closes_them_all() {
    let default = PoolSettings::default();
    assert!(default.recovery_allows(VerifiableAttribute::Email));
    assert!(default.recovery_allows(VerifiableAttribute::PhoneNumber));

    let email_only = PoolSettings {
        account_recovery: Some(
            AccountRecoverySetting::new(vec![(RecoveryOption::VerifiedEmail, 1)]).expect("valid"),
        ),
        ..PoolSettings::default()
    };
    assert!(email_only.recovery_allows(VerifiableAttribute::Email));
    assert!(!email_only.recovery_allows(VerifiableAttribute::PhoneNumber));

    let admin_only = PoolSettings {
        account_recovery: Some(
            AccountRecoverySetting::new(vec![(RecoveryOption::AdminOnly, 1)]).expect("valid"),
        ),
        ..PoolSettings::default()
    };
    assert!(
        admin_only
            .account_recovery
            .as_ref()
            .expect("set")
            .admin_only()
    );
    for channel in VerifiableAttribute::ALL {
        assert!(!admin_only.recovery_allows(channel));
    }
}

#[test]
fn settings_that_break_their_rules_are_refused() {
    let with_messages = |m: VerificationMessages| PoolSettings {
        verification_messages: m,
        ..PoolSettings::default()
    };
    let cases = [
        (
            with_messages(VerificationMessages {
                sms_message: Some("no code here".into()),
                ..VerificationMessages::default()
            }),
            "SmsVerificationMessage must contain the placeholder {####}",
        ),
        (
            with_messages(VerificationMessages {
                email_message: Some("no code here".into()),
                ..VerificationMessages::default()
            }),
            "EmailVerificationMessage must contain the placeholder {####}",
        ),
        (
            with_messages(VerificationMessages {
                email_message_by_link: Some("no link".into()),
                ..VerificationMessages::default()
            }),
            "EmailMessageByLink must contain the placeholder {##Verify Email##}",
        ),
        (
            PoolSettings {
                admin_create_user: AdminCreateUserConfig {
                    invite_message_template: Some(InviteMessageTemplate {
                        email_message: Some("code {####} only".into()),
                        ..InviteMessageTemplate::default()
                    }),
                    ..AdminCreateUserConfig::default()
                },
                ..PoolSettings::default()
            },
            "InviteMessageTemplate.EmailMessage must contain the placeholder {username}",
        ),
        (
            PoolSettings {
                admin_create_user: AdminCreateUserConfig {
                    unused_account_validity_days: Some(366),
                    ..AdminCreateUserConfig::default()
                },
                ..PoolSettings::default()
            },
            "1 validation error detected: Value '366' at 'adminCreateUserConfig.unusedAccountValidityDays' failed to satisfy constraint: Member must have value less than or equal to 365",
        ),
        (
            PoolSettings {
                lambda_config: LambdaConfig {
                    triggers: [("PreSignIn".to_owned(), "arn".to_owned())].into(),
                    ..LambdaConfig::default()
                },
                ..PoolSettings::default()
            },
            "Unknown LambdaConfig trigger: PreSignIn",
        ),
        (
            PoolSettings {
                attributes_require_verification_before_update: vec![VerifiableAttribute::Email],
                ..PoolSettings::default()
            },
            "The attribute email in AttributesRequireVerificationBeforeUpdate must also be in AutoVerifiedAttributes.",
        ),
    ];
    for (settings, expected) in cases {
        let e = settings.validate().expect_err(expected);
        assert_eq!(e.code(), "InvalidParameterException");
        assert_eq!(e.to_string(), expected);
    }
    assert!(PoolSettings::default().validate().is_ok());
}

#[test]
fn settings_and_schema_round_trip_through_their_serialised_form() {
    let settings = PoolSettings {
        auto_verified_attributes: vec![VerifiableAttribute::Email],
        account_recovery: Some(
            AccountRecoverySetting::new(vec![
                (RecoveryOption::VerifiedEmail, 1),
                (RecoveryOption::VerifiedPhoneNumber, 2),
            ])
            .expect("valid"),
        ),
        verification_messages: VerificationMessages {
            sms_message: Some("{####} baz".into()),
            ..VerificationMessages::default()
        },
        lambda_config: LambdaConfig {
            triggers: [("PreSignUp".to_owned(), "arn:aws:lambda:x".to_owned())].into(),
            versioned: [(
                "CustomEmailSender".to_owned(),
                ("V1_0".to_owned(), "arn:aws:lambda:y".to_owned()),
            )]
            .into(),
        },
        deletion_protection: true,
        attributes_require_verification_before_update: vec![VerifiableAttribute::Email],
        tags: [("team".to_owned(), "auth".to_owned())].into(),
        ..PoolSettings::default()
    };
    let json = serde_json::to_string(&settings).expect("serialise");
    let back: PoolSettings = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, settings);
    // A stored value written before a setting existed reads back with its default.
    let old: PoolSettings = serde_json::from_str("{}").expect("defaults");
    assert_eq!(old, PoolSettings::default());

    let schema = Schema::for_new_pool(&[SchemaAttributeInput::custom(
        "tier",
        userpool_core::AttributeDataType::String,
    )])
    .expect("valid");
    let json = serde_json::to_string(&schema).expect("serialise");
    let back: Schema = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, schema);
    // A stored schema is checked again when read: one without the standard set is refused.
    assert!(serde_json::from_str::<Schema>("[]").is_err());
}
