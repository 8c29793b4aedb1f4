//! The SPEC §16 members of CreateUserPool and UpdateUserPool: the schema and the pool
//! settings, parsed into the core's types, and DescribeUserPool's view of them. A member
//! this service cannot honour is refused here, never accepted and dropped.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use userpool_core::schema::{NumberConstraintsInput, SchemaAttribute, StringConstraintsInput};
use userpool_core::settings::{
    AccountRecoverySetting, AdminCreateUserConfig, DefaultEmailOption, EmailConfiguration,
    InviteMessageTemplate, LAMBDA_TRIGGERS, LambdaConfig, RecoveryOption, SmsConfiguration,
    VERSIONED_LAMBDA_TRIGGERS, VerificationMessages,
};
use userpool_core::{Error as PoolError, PoolSettings, SchemaAttributeInput, VerifiableAttribute};

use crate::error::Error;

fn refuse(message: impl Into<String>) -> Error {
    Error::Pool(PoolError::InvalidParameterMessage(message.into()))
}

/// A number the model types as a string (`"10"`) or that a client sends as a number.
#[derive(Deserialize)]
#[serde(untagged)]
enum Limit {
    Text(String),
    Number(i64),
}

impl Limit {
    fn text(self) -> String {
        match self {
            Limit::Text(s) => s,
            Limit::Number(n) => n.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StringConstraints {
    min_length: Option<Limit>,
    max_length: Option<Limit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NumberConstraints {
    min_value: Option<Limit>,
    max_value: Option<Limit>,
}

/// `SchemaAttributeType` as sent.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttributeWire {
    name: Option<String>,
    attribute_data_type: Option<String>,
    developer_only_attribute: Option<bool>,
    mutable: Option<bool>,
    required: Option<bool>,
    string_attribute_constraints: Option<StringConstraints>,
    number_attribute_constraints: Option<NumberConstraints>,
}

impl SchemaAttributeWire {
    /// The core's input for this entry.
    pub fn into_input(self) -> SchemaAttributeInput {
        SchemaAttributeInput {
            name: self.name.unwrap_or_default(),
            data_type: self.attribute_data_type,
            developer_only: self.developer_only_attribute,
            mutable: self.mutable,
            required: self.required,
            string_constraints: self
                .string_attribute_constraints
                .map(|c| StringConstraintsInput {
                    min_length: c.min_length.map(Limit::text),
                    max_length: c.max_length.map(Limit::text),
                }),
            number_constraints: self
                .number_attribute_constraints
                .map(|c| NumberConstraintsInput {
                    min_value: c.min_value.map(Limit::text),
                    max_value: c.max_value.map(Limit::text),
                }),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecoveryOptionWire {
    name: Option<String>,
    priority: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccountRecoveryWire {
    recovery_mechanisms: Option<Vec<RecoveryOptionWire>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerificationMessageTemplateWire {
    sms_message: Option<String>,
    email_message: Option<String>,
    email_subject: Option<String>,
    email_message_by_link: Option<String>,
    email_subject_by_link: Option<String>,
    default_email_option: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct InviteWire {
    #[serde(rename = "SMSMessage")]
    sms_message: Option<String>,
    email_message: Option<String>,
    email_subject: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AdminCreateUserConfigWire {
    allow_admin_create_user_only: Option<bool>,
    unused_account_validity_days: Option<i64>,
    invite_message_template: Option<InviteWire>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailConfigurationWire {
    source_arn: Option<String>,
    reply_to_email_address: Option<String>,
    email_sending_account: Option<String>,
    from: Option<String>,
    configuration_set: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SmsConfigurationWire {
    sns_caller_arn: Option<String>,
    external_id: Option<String>,
    sns_region: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserAttributeUpdateSettingsWire {
    attributes_require_verification_before_update: Option<Vec<String>>,
}

/// The SPEC §16 members of CreateUserPool / UpdateUserPool.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct SettingsWire {
    auto_verified_attributes: Option<Vec<String>>,
    account_recovery_setting: Option<AccountRecoveryWire>,
    verification_message_template: Option<VerificationMessageTemplateWire>,
    email_verification_message: Option<String>,
    email_verification_subject: Option<String>,
    sms_verification_message: Option<String>,
    sms_authentication_message: Option<String>,
    admin_create_user_config: Option<AdminCreateUserConfigWire>,
    email_configuration: Option<EmailConfigurationWire>,
    sms_configuration: Option<SmsConfigurationWire>,
    lambda_config: Option<Map<String, Value>>,
    deletion_protection: Option<String>,
    user_attribute_update_settings: Option<UserAttributeUpdateSettingsWire>,
    user_pool_tags: Option<BTreeMap<String, String>>,
    mfa_configuration: Option<String>,
    user_pool_add_ons: Option<Map<String, Value>>,
    device_configuration: Option<Map<String, Value>>,
}

fn verifiable(list: Option<Vec<String>>) -> Result<Vec<VerifiableAttribute>, Error> {
    let mut out = Vec::new();
    for name in list.unwrap_or_default() {
        let a = VerifiableAttribute::parse(&name)?;
        if !out.contains(&a) {
            out.push(a);
        }
    }
    Ok(out)
}

fn lambda_config(given: Map<String, Value>) -> Result<LambdaConfig, Error> {
    let mut config = LambdaConfig::default();
    for (name, value) in given {
        if LAMBDA_TRIGGERS.contains(&name.as_str()) {
            let Value::String(arn) = value else {
                return Err(Error::Serialization(format!(
                    "Value at 'LambdaConfig.{name}' is not of the type the operation expects"
                )));
            };
            config.triggers.insert(name, arn);
        } else if VERSIONED_LAMBDA_TRIGGERS.contains(&name.as_str()) {
            let version = value.get("LambdaVersion").and_then(Value::as_str);
            let arn = value.get("LambdaArn").and_then(Value::as_str);
            let (Some(version), Some(arn)) = (version, arn) else {
                return Err(refuse(format!(
                    "LambdaConfig.{name} needs LambdaVersion and LambdaArn"
                )));
            };
            config
                .versioned
                .insert(name, (version.to_owned(), arn.to_owned()));
        } else {
            return Err(refuse(format!("Unknown LambdaConfig trigger: {name}")));
        }
    }
    Ok(config)
}

impl SettingsWire {
    /// Takes `MfaConfiguration` out (UpdateUserPool applies it as SetUserPoolMfaConfig's
    /// mode, SPEC §18); what is left goes to [`SettingsWire::into_settings`].
    ///
    /// # Errors
    /// `InvalidParameterException` for a value other than `OFF`, `ON` or `OPTIONAL`.
    pub fn take_mfa_mode(&mut self) -> Result<Option<userpool_core::mfa::MfaMode>, Error> {
        Ok(self
            .mfa_configuration
            .take()
            .map(|mode| mode.parse::<userpool_core::mfa::MfaMode>())
            .transpose()?)
    }

    /// The core's settings, validated. Members that would ask for behaviour this service
    /// does not have are refused: advanced security other than `OFF`, device tracking.
    /// `MfaConfiguration` is not a setting: the operations take it out first
    /// ([`SettingsWire::take_mfa_mode`]).
    pub fn into_settings(self) -> Result<PoolSettings, Error> {
        if let Some(add_ons) = &self.user_pool_add_ons
            && add_ons
                .get("AdvancedSecurityMode")
                .is_some_and(|m| m != "OFF")
        {
            return Err(refuse(
                "UserPoolAddOns.AdvancedSecurityMode other than OFF is not supported by this service",
            ));
        }
        if let Some(device) = &self.device_configuration
            && device.values().any(|v| v == &Value::Bool(true))
        {
            return Err(refuse(
                "DeviceConfiguration (remembered devices) is not supported by this service",
            ));
        }
        let account_recovery = match self.account_recovery_setting {
            None => None,
            Some(setting) => {
                let mut mechanisms = Vec::new();
                for m in setting.recovery_mechanisms.unwrap_or_default() {
                    let option = RecoveryOption::parse(m.name.as_deref().unwrap_or_default())?;
                    let priority = m.priority.and_then(|p| u8::try_from(p).ok()).unwrap_or(0);
                    mechanisms.push((option, priority));
                }
                Some(AccountRecoverySetting::new(mechanisms)?)
            }
        };
        let template = self.verification_message_template;
        let pick = |from_template: Option<String>, top: Option<String>| from_template.or(top);
        let (t_sms, t_email, t_subject, t_link, t_link_subject, t_option) = match template {
            Some(t) => (
                t.sms_message,
                t.email_message,
                t.email_subject,
                t.email_message_by_link,
                t.email_subject_by_link,
                t.default_email_option,
            ),
            None => (None, None, None, None, None, None),
        };
        let verification_messages = VerificationMessages {
            sms_message: pick(t_sms, self.sms_verification_message),
            email_message: pick(t_email, self.email_verification_message),
            email_subject: pick(t_subject, self.email_verification_subject),
            email_message_by_link: t_link,
            email_subject_by_link: t_link_subject,
            default_email_option: t_option
                .as_deref()
                .map(DefaultEmailOption::parse)
                .transpose()?,
            sms_authentication_message: self.sms_authentication_message,
        };
        let admin_create_user = match self.admin_create_user_config {
            None => AdminCreateUserConfig::default(),
            Some(c) => AdminCreateUserConfig {
                allow_admin_create_user_only: c.allow_admin_create_user_only.unwrap_or(false),
                unused_account_validity_days: c
                    .unused_account_validity_days
                    .map(|d| {
                        u16::try_from(d).map_err(|_| {
                            refuse(format!(
                                "1 validation error detected: Value '{d}' at 'adminCreateUserConfig.unusedAccountValidityDays' failed to satisfy constraint: Member must have value between 0 and 365"
                            ))
                        })
                    })
                    .transpose()?,
                invite_message_template: c.invite_message_template.map(|t| InviteMessageTemplate {
                    sms_message: t.sms_message,
                    email_message: t.email_message,
                    email_subject: t.email_subject,
                }),
            },
        };
        let sms_configuration = match self.sms_configuration {
            None => None,
            Some(c) => Some(SmsConfiguration {
                sns_caller_arn: c.sns_caller_arn.ok_or_else(|| {
                    Error::Pool(PoolError::invalid_parameter(
                        "smsConfiguration.snsCallerArn",
                        userpool_core::Constraint::Missing,
                    ))
                })?,
                external_id: c.external_id,
                sns_region: c.sns_region,
            }),
        };
        let deletion_protection = match self.deletion_protection.as_deref() {
            None | Some("INACTIVE") => false,
            Some("ACTIVE") => true,
            Some(other) => {
                return Err(refuse(format!(
                    "1 validation error detected: Value '{other}' at 'deletionProtection' failed to satisfy constraint: Member must satisfy enum value set: [ACTIVE, INACTIVE]"
                )));
            }
        };
        let settings = PoolSettings {
            auto_verified_attributes: verifiable(self.auto_verified_attributes)?,
            account_recovery,
            verification_messages,
            admin_create_user,
            email_configuration: self.email_configuration.map(|c| EmailConfiguration {
                source_arn: c.source_arn,
                reply_to_email_address: c.reply_to_email_address,
                email_sending_account: c.email_sending_account,
                from: c.from,
                configuration_set: c.configuration_set,
            }),
            sms_configuration,
            lambda_config: lambda_config(self.lambda_config.unwrap_or_default())?,
            deletion_protection,
            attributes_require_verification_before_update: verifiable(
                self.user_attribute_update_settings
                    .and_then(|s| s.attributes_require_verification_before_update),
            )?,
            tags: self.user_pool_tags.unwrap_or_default(),
        };
        settings.validate()?;
        Ok(settings)
    }
}

fn put(out: &mut Value, key: &str, value: Option<&String>) {
    if let Some(v) = value {
        out[key] = json!(v);
    }
}

/// `SchemaAttributeType`.
pub fn schema_attribute(a: &SchemaAttribute) -> Value {
    let mut out = json!({
        "Name": a.name,
        "AttributeDataType": a.data_type.as_str(),
        "DeveloperOnlyAttribute": a.developer_only,
        "Mutable": a.mutable,
        "Required": a.required,
    });
    if let Some(c) = a.string_constraints {
        let mut v = json!({});
        if let Some(min) = c.min_length {
            v["MinLength"] = json!(min.to_string());
        }
        if let Some(max) = c.max_length {
            v["MaxLength"] = json!(max.to_string());
        }
        out["StringAttributeConstraints"] = v;
    }
    if let Some(c) = a.number_constraints {
        let mut v = json!({});
        if let Some(min) = c.min_value {
            v["MinValue"] = json!(min.to_string());
        }
        if let Some(max) = c.max_value {
            v["MaxValue"] = json!(max.to_string());
        }
        out["NumberAttributeConstraints"] = v;
    }
    out
}

/// Adds the settings to a `UserPoolType` being written.
pub fn describe_settings(out: &mut Value, s: &PoolSettings) {
    let names = |list: &[VerifiableAttribute]| -> Vec<&'static str> {
        list.iter().map(|a| a.as_str()).collect()
    };
    if !s.auto_verified_attributes.is_empty() {
        out["AutoVerifiedAttributes"] = json!(names(&s.auto_verified_attributes));
    }
    if let Some(r) = &s.account_recovery {
        out["AccountRecoverySetting"] = json!({
            "RecoveryMechanisms": r.mechanisms().iter().map(|(o, p)| json!({"Name": o.as_str(), "Priority": p})).collect::<Vec<_>>(),
        });
    }
    let m = &s.verification_messages;
    let mut template = json!({
        "DefaultEmailOption": m.default_email_option.unwrap_or(DefaultEmailOption::ConfirmWithCode).as_str(),
    });
    put(&mut template, "SmsMessage", m.sms_message.as_ref());
    put(&mut template, "EmailMessage", m.email_message.as_ref());
    put(&mut template, "EmailSubject", m.email_subject.as_ref());
    put(
        &mut template,
        "EmailMessageByLink",
        m.email_message_by_link.as_ref(),
    );
    put(
        &mut template,
        "EmailSubjectByLink",
        m.email_subject_by_link.as_ref(),
    );
    out["VerificationMessageTemplate"] = template;
    put(out, "SmsVerificationMessage", m.sms_message.as_ref());
    put(out, "EmailVerificationMessage", m.email_message.as_ref());
    put(out, "EmailVerificationSubject", m.email_subject.as_ref());
    put(
        out,
        "SmsAuthenticationMessage",
        m.sms_authentication_message.as_ref(),
    );
    let a = &s.admin_create_user;
    let mut admin = json!({ "AllowAdminCreateUserOnly": a.allow_admin_create_user_only });
    if let Some(days) = a.unused_account_validity_days {
        admin["UnusedAccountValidityDays"] = json!(days);
    }
    if let Some(t) = &a.invite_message_template {
        let mut invite = json!({});
        put(&mut invite, "SMSMessage", t.sms_message.as_ref());
        put(&mut invite, "EmailMessage", t.email_message.as_ref());
        put(&mut invite, "EmailSubject", t.email_subject.as_ref());
        admin["InviteMessageTemplate"] = invite;
    }
    out["AdminCreateUserConfig"] = admin;
    if let Some(e) = &s.email_configuration {
        let mut v = json!({});
        put(&mut v, "SourceArn", e.source_arn.as_ref());
        put(
            &mut v,
            "ReplyToEmailAddress",
            e.reply_to_email_address.as_ref(),
        );
        put(
            &mut v,
            "EmailSendingAccount",
            e.email_sending_account.as_ref(),
        );
        put(&mut v, "From", e.from.as_ref());
        put(&mut v, "ConfigurationSet", e.configuration_set.as_ref());
        out["EmailConfiguration"] = v;
    } else {
        out["EmailConfiguration"] = json!({ "EmailSendingAccount": "COGNITO_DEFAULT" });
    }
    if let Some(c) = &s.sms_configuration {
        let mut v = json!({ "SnsCallerArn": c.sns_caller_arn });
        put(&mut v, "ExternalId", c.external_id.as_ref());
        put(&mut v, "SnsRegion", c.sns_region.as_ref());
        out["SmsConfiguration"] = v;
    }
    let mut lambda = json!({});
    for (name, arn) in &s.lambda_config.triggers {
        lambda[name] = json!(arn);
    }
    for (name, (version, arn)) in &s.lambda_config.versioned {
        lambda[name] = json!({ "LambdaVersion": version, "LambdaArn": arn });
    }
    out["LambdaConfig"] = lambda;
    out["DeletionProtection"] = json!(if s.deletion_protection {
        "ACTIVE"
    } else {
        "INACTIVE"
    });
    out["UserAttributeUpdateSettings"] = json!({
        "AttributesRequireVerificationBeforeUpdate": names(&s.attributes_require_verification_before_update),
    });
    if !s.tags.is_empty() {
        out["UserPoolTags"] = json!(s.tags);
    }
}
