//! Validating an attribute write against the schema (SPEC §16): all-or-nothing, with
//! Cognito's messages.

use std::collections::BTreeMap;
use std::fmt;

use super::format::{is_e164_phone_number, is_email_address};
use super::{AttributeDataType, MAX_VALUE_LENGTH, Schema, SchemaAttribute};
use crate::error::{Error, NotAuthorized, Result};

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// Who writes: an administrator (IAM-authorised `Admin*` operations, imports) or the user
/// themself (SignUp, UpdateUserAttributes, the NEW_PASSWORD_REQUIRED answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeWriter {
    /// May write developer-only attributes and the `*_verified` flags.
    Administrator,
    /// May write neither developer-only attributes nor the verified flags.
    User,
}

/// The kind of write, which decides the wording of Cognito's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// A new user: AdminCreateUser, SignUp, import, a migrated user.
    Create,
    /// AdminUpdateUserAttributes, UpdateUserAttributes, the challenge answer.
    Update,
    /// AdminDeleteUserAttributes, DeleteUserAttributes.
    Delete,
}

/// An attribute whose value can be verified with a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum VerifiableAttribute {
    /// `email`, verified flag `email_verified`.
    Email,
    /// `phone_number`, verified flag `phone_number_verified`.
    PhoneNumber,
}

impl VerifiableAttribute {
    /// Both, in Cognito's order.
    pub const ALL: [VerifiableAttribute; 2] =
        [VerifiableAttribute::Email, VerifiableAttribute::PhoneNumber];

    /// The attribute's name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            VerifiableAttribute::Email => "email",
            VerifiableAttribute::PhoneNumber => "phone_number",
        }
    }

    /// The name of its verified flag.
    #[must_use]
    pub const fn verified_flag(self) -> &'static str {
        match self {
            VerifiableAttribute::Email => "email_verified",
            VerifiableAttribute::PhoneNumber => "phone_number_verified",
        }
    }

    /// Parses `email` or `phone_number`.
    ///
    /// # Errors
    /// `InvalidParameterException` for any other name.
    pub fn parse(s: &str) -> Result<Self> {
        VerifiableAttribute::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidParameterMessage(format!(
                    "Value '{s}' failed to satisfy constraint: Member must satisfy enum value set: [phone_number, email]"
                ))
            })
    }
}

impl fmt::Display for VerifiableAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong with one attribute of a write. The wording is Cognito's where it is
/// known (`Attribute does not exist in the schema.`, `Attribute cannot be updated.`,
/// `The attribute is required`) and a **decision** for the value checks, whose messages
/// Cognito does not document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeProblem {
    /// No such attribute in the pool's schema.
    NotInSchema,
    /// An immutable attribute written after creation (or `sub`, ever).
    Immutable,
    /// A required attribute absent from a new user, or deleted.
    Required,
    /// Fewer characters than `MinLength`.
    TooShort {
        /// `MinLength`.
        min: u32,
    },
    /// More characters than `MaxLength` (or 2048).
    TooLong {
        /// `MaxLength`.
        max: u32,
    },
    /// A Number attribute whose value is not an integer.
    NotANumber,
    /// Below `MinValue`.
    BelowMinimum {
        /// `MinValue`.
        min: i64,
    },
    /// Above `MaxValue`.
    AboveMaximum {
        /// `MaxValue`.
        max: i64,
    },
    /// A Boolean attribute whose value is neither `true` nor `false`.
    NotABoolean,
}

impl fmt::Display for AttributeProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeProblem::NotInSchema => f.write_str("Attribute does not exist in the schema."),
            AttributeProblem::Immutable => f.write_str("Attribute cannot be updated."),
            AttributeProblem::Required => f.write_str("The attribute is required"),
            AttributeProblem::TooShort { min } => {
                write!(f, "String must be no shorter than {min} characters")
            }
            AttributeProblem::TooLong { max } => {
                write!(f, "String must be no longer than {max} characters")
            }
            AttributeProblem::NotANumber => f.write_str("Number must be an integer"),
            AttributeProblem::BelowMinimum { min } => {
                write!(f, "Number must be no less than {min}")
            }
            AttributeProblem::AboveMaximum { max } => {
                write!(f, "Number must be no greater than {max}")
            }
            AttributeProblem::NotABoolean => f.write_str("Value must be true or false"),
        }
    }
}

/// Every problem of one refused write, reported together (`InvalidParameterException`).
///
/// `Display` is Cognito's message: for a new user
/// `Attributes did not conform to the schema: email: The attribute is required\n`, for an
/// update `user.thing: Attribute does not exist in the schema.\n`, for a delete
/// `Invalid user attributes: user.thing: Attribute does not exist in the schema.\n` — one
/// line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeWriteErrors {
    kind: WriteKind,
    problems: Vec<(String, AttributeProblem)>,
}

impl AttributeWriteErrors {
    /// The kind of write that was refused.
    #[must_use]
    pub fn kind(&self) -> WriteKind {
        self.kind
    }

    /// The problems, attribute by attribute, in the order found.
    #[must_use]
    pub fn problems(&self) -> &[(String, AttributeProblem)] {
        &self.problems
    }
}

impl fmt::Display for AttributeWriteErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, qualifier) = match self.kind {
            WriteKind::Create => ("Attributes did not conform to the schema: ", ""),
            WriteKind::Update => ("", "user."),
            WriteKind::Delete => ("Invalid user attributes: ", "user."),
        };
        f.write_str(prefix)?;
        for (name, problem) in &self.problems {
            writeln!(f, "{qualifier}{name}: {problem}")?;
        }
        Ok(())
    }
}

/// The outcome of a valid update: what to store now, and what waits for a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeUpdate {
    /// The user's attributes after the write (without `sub`, which is not an attribute
    /// of the record).
    pub attributes: BTreeMap<String, String>,
    /// New values of verified attributes the pool keeps until they are verified
    /// (`UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`): the old
    /// value and its flag stay in `attributes` meanwhile.
    pub pending: BTreeMap<VerifiableAttribute, String>,
    /// Attributes whose new value is unverified (changed here, flag now `false`, or
    /// pending): where the pool auto-verifies them, a code goes there.
    pub unverified: Vec<VerifiableAttribute>,
}

const VERIFIED_FLAGS: [&str; 2] = ["email_verified", "phone_number_verified"];

/// A value for a Boolean attribute in the form stored (`true`/`false`), accepting any case
/// (**decision**).
fn boolean(value: &str) -> Option<&'static str> {
    if value.eq_ignore_ascii_case("true") {
        Some("true")
    } else if value.eq_ignore_ascii_case("false") {
        Some("false")
    } else {
        None
    }
}

/// The problem with `value` for `attribute`, if any (format checks of email and phone
/// number excepted: they have messages of their own).
fn value_problem(attribute: &SchemaAttribute, value: &str) -> Option<AttributeProblem> {
    let length = value.chars().count();
    let max_length = u32::try_from(length).unwrap_or(u32::MAX);
    if max_length > MAX_VALUE_LENGTH {
        return Some(AttributeProblem::TooLong {
            max: MAX_VALUE_LENGTH,
        });
    }
    match attribute.data_type {
        AttributeDataType::String => {
            let c = attribute.string_constraints.unwrap_or_default();
            if let Some(min) = c.min_length
                && max_length < min
            {
                return Some(AttributeProblem::TooShort { min });
            }
            if let Some(max) = c.max_length
                && max_length > max
            {
                return Some(AttributeProblem::TooLong { max });
            }
            None
        }
        AttributeDataType::Number => {
            let Ok(n) = value.parse::<i64>() else {
                return Some(AttributeProblem::NotANumber);
            };
            let c = attribute.number_constraints.unwrap_or_default();
            if let Some(min) = c.min_value
                && n < min
            {
                return Some(AttributeProblem::BelowMinimum { min });
            }
            if let Some(max) = c.max_value
                && n > max
            {
                return Some(AttributeProblem::AboveMaximum { max });
            }
            None
        }
        AttributeDataType::Boolean => boolean(value)
            .is_none()
            .then_some(AttributeProblem::NotABoolean),
        AttributeDataType::DateTime => None,
    }
}

/// The format message of an email or phone number value, if it is malformed.
fn format_error(name: &str, value: &str) -> Option<Error> {
    match name {
        "email" if !is_email_address(value) => Some(Error::InvalidParameterMessage(
            "Invalid email address format.".into(),
        )),
        "phone_number" if !is_e164_phone_number(value) => Some(Error::InvalidParameterMessage(
            "Invalid phone number format.".into(),
        )),
        _ => None,
    }
}

/// Refuses a user's own write of an attribute only administrators may write.
fn check_writer(schema: &Schema, writer: AttributeWriter, names: &[&str]) -> Result<()> {
    if writer == AttributeWriter::User
        && names.iter().any(|n| {
            *n == "sub"
                || VERIFIED_FLAGS.contains(n)
                || schema.get(n).is_some_and(|a| a.developer_only)
        })
    {
        return Err(NotAuthorized::UnauthorizedAttribute.into());
    }
    Ok(())
}

/// The value as stored: Booleans in lower case, everything else as given.
fn stored(attribute: &SchemaAttribute, value: &str) -> String {
    match attribute.data_type {
        AttributeDataType::Boolean => boolean(value).unwrap_or(value).to_owned(),
        AttributeDataType::String | AttributeDataType::Number | AttributeDataType::DateTime => {
            value.to_owned()
        }
    }
}

impl Schema {
    fn refuse(kind: WriteKind, problems: Vec<(String, AttributeProblem)>) -> Result<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidAttributes(AttributeWriteErrors {
                kind,
                problems,
            }))
        }
    }

    /// The schema problems of a write's attributes; an empty value is a deletion in an
    /// update and an absent attribute in a creation.
    fn value_problems(
        &self,
        kind: WriteKind,
        writes: &BTreeMap<String, String>,
    ) -> Vec<(String, AttributeProblem)> {
        let mut problems = Vec::new();
        for (name, value) in writes {
            let Some(attribute) = self.get(name) else {
                problems.push((name.clone(), AttributeProblem::NotInSchema));
                continue;
            };
            if name == "sub" || (kind == WriteKind::Update && !attribute.mutable) {
                problems.push((name.clone(), AttributeProblem::Immutable));
                continue;
            }
            if value.is_empty() {
                if kind == WriteKind::Update && attribute.required {
                    problems.push((name.clone(), AttributeProblem::Required));
                }
                continue;
            }
            if let Some(problem) = value_problem(attribute, value) {
                problems.push((name.clone(), problem));
            }
        }
        problems
    }

    /// The first malformed email or phone number, checked once the schema is satisfied.
    fn check_formats(writes: &BTreeMap<String, String>) -> Result<()> {
        for (name, value) in writes {
            if !value.is_empty()
                && let Some(e) = format_error(name, value)
            {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Validates the attributes of a new user (AdminCreateUser, SignUp, an imported or
    /// migrated user) and returns them as they are to be stored. An empty value counts as
    /// absent. This is the one entry point for every creation path, so an import cannot
    /// store what AdminCreateUser would refuse.
    ///
    /// # Errors
    /// - `NotAuthorizedException` `A client attempted to write unauthorized attribute` when
    ///   a user writes `sub`, a verified flag or a developer-only attribute;
    /// - `InvalidParameterException` `Attributes did not conform to the schema: ...` listing
    ///   every attribute not in the schema, `sub`, values outside their constraints and
    ///   required attributes missing;
    /// - then `Invalid email address format.` / `Invalid phone number format.`.
    pub fn validate_create(
        &self,
        attributes: &BTreeMap<String, String>,
        writer: AttributeWriter,
    ) -> Result<BTreeMap<String, String>> {
        let names: Vec<&str> = attributes.keys().map(String::as_str).collect();
        check_writer(self, writer, &names)?;
        let mut problems = self.value_problems(WriteKind::Create, attributes);
        for required in self.required_attributes() {
            if attributes.get(required).is_none_or(String::is_empty) {
                problems.push((required.to_owned(), AttributeProblem::Required));
            }
        }
        Schema::refuse(WriteKind::Create, problems)?;
        Schema::check_formats(attributes)?;
        Ok(attributes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(n, v)| self.get(n).map(|a| (n.clone(), stored(a, v))))
            .collect())
    }

    /// Validates an update of an existing user's attributes (an empty value deletes the
    /// attribute, as AdminUpdateUserAttributes documents) and returns the attributes to
    /// store and what awaits verification.
    ///
    /// A changed `email` or `phone_number` becomes unverified (its flag `false`) unless
    /// an administrator sets the flag in the same request. Where `require_verification`
    /// (the pool's `AttributesRequireVerificationBeforeUpdate`) names the attribute and
    /// its current value is verified, the new value is held in
    /// [`AttributeUpdate::pending`] and the old one stays until the new one is verified.
    /// Deleting `email` or `phone_number` deletes its flag too.
    ///
    /// # Errors
    /// - `NotAuthorizedException` `A client attempted to write unauthorized attribute` when
    ///   a user writes `sub`, a verified flag or a developer-only attribute;
    /// - `InvalidParameterException` `user.<name>: ...` lines for attributes not in the
    ///   schema, immutable attributes (`Attribute cannot be updated.`), required
    ///   attributes deleted and values outside their constraints;
    /// - then `Invalid email address format.` / `Invalid phone number format.`.
    pub fn validate_update(
        &self,
        current: &BTreeMap<String, String>,
        changes: &BTreeMap<String, String>,
        writer: AttributeWriter,
        require_verification: &[VerifiableAttribute],
    ) -> Result<AttributeUpdate> {
        let names: Vec<&str> = changes.keys().map(String::as_str).collect();
        check_writer(self, writer, &names)?;
        Schema::refuse(
            WriteKind::Update,
            self.value_problems(WriteKind::Update, changes),
        )?;
        Schema::check_formats(changes)?;
        let mut next = current.clone();
        let mut pending = BTreeMap::new();
        let mut unverified = Vec::new();
        for (name, value) in changes {
            if VERIFIED_FLAGS.contains(&name.as_str()) {
                continue;
            }
            let Some(attribute) = self.get(name) else {
                continue;
            };
            let verifiable = VerifiableAttribute::ALL
                .into_iter()
                .find(|v| v.as_str() == name);
            if value.is_empty() {
                next.remove(name);
                if let Some(v) = verifiable {
                    next.remove(v.verified_flag());
                }
                continue;
            }
            let Some(v) = verifiable else {
                next.insert(name.clone(), stored(attribute, value));
                continue;
            };
            if current.get(name) == Some(value) {
                continue;
            }
            let flag_given = changes.contains_key(v.verified_flag());
            let verified_now = current.get(v.verified_flag()).is_some_and(|f| f == "true");
            if !flag_given && verified_now && require_verification.contains(&v) {
                pending.insert(v, value.clone());
                unverified.push(v);
                continue;
            }
            next.insert(name.clone(), value.clone());
            if !flag_given {
                next.insert(v.verified_flag().to_owned(), "false".to_owned());
                unverified.push(v);
            }
        }
        for flag in VERIFIED_FLAGS {
            if let (Some(value), Some(attribute)) = (changes.get(flag), self.get(flag)) {
                if value.is_empty() {
                    next.remove(flag);
                } else {
                    next.insert(flag.to_owned(), stored(attribute, value));
                }
            }
        }
        Ok(AttributeUpdate {
            attributes: next,
            pending,
            unverified,
        })
    }

    /// Validates a deletion of attributes (AdminDeleteUserAttributes,
    /// DeleteUserAttributes) and returns the attributes to store. Deleting an attribute
    /// the user does not have changes nothing; deleting `email` or `phone_number` deletes
    /// its verified flag.
    ///
    /// # Errors
    /// - `NotAuthorizedException` when a user deletes `sub`, a verified flag or a
    ///   developer-only attribute;
    /// - `InvalidParameterException` `Invalid user attributes: user.<name>: ...` lines for
    ///   names not in the schema, immutable attributes and required attributes.
    pub fn validate_delete(
        &self,
        current: &BTreeMap<String, String>,
        names: &[String],
        writer: AttributeWriter,
    ) -> Result<BTreeMap<String, String>> {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        check_writer(self, writer, &refs)?;
        let mut problems = Vec::new();
        for name in names {
            let problem = match self.get(name) {
                None => Some(AttributeProblem::NotInSchema),
                Some(a) if a.name == "sub" || !a.mutable => Some(AttributeProblem::Immutable),
                Some(a) if a.required => Some(AttributeProblem::Required),
                Some(_) => None,
            };
            if let Some(problem) = problem {
                problems.push((name.clone(), problem));
            }
        }
        Schema::refuse(WriteKind::Delete, problems)?;
        let mut next = current.clone();
        for name in names {
            next.remove(name);
            if let Some(v) = VerifiableAttribute::ALL
                .into_iter()
                .find(|v| v.as_str() == name)
            {
                next.remove(v.verified_flag());
            }
        }
        Ok(next)
    }
}
