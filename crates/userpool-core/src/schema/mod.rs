//! The attribute schema of a pool (SPEC §16): Cognito's standard attributes with their
//! published types, mutability and constraints, plus the pool's custom (`custom:`) and
//! developer-only (`dev:custom:`) attributes.
//!
//! A [`Schema`] exists only if it is valid: it is built from Cognito's standard set
//! ([`Schema::standard`]), from a `CreateUserPool` `Schema` list ([`Schema::for_new_pool`]),
//! extended by `AddCustomAttributes` ([`Schema::with_custom_attributes`]) or read back from
//! a store ([`Schema::from_stored`]). Every attribute write (create, sign-up, import,
//! update, delete) is checked by one of its methods ([`Schema::validate_create`],
//! [`Schema::validate_update`], [`Schema::validate_delete`]), all-or-nothing: either every
//! attribute of the request is acceptable and the caller gets the attributes to store, or
//! the caller gets one `InvalidParameterException` listing what was wrong and nothing is
//! written.
//!
//! # What is not supported
//!
//! - The `identities` attribute Cognito adds for federated users is not part of the schema.
//! - `DateTime` custom attributes are accepted as any string within the value limit: Cognito
//!   documents no format for them.

mod definition;
mod format;
mod write;

use std::fmt;

pub use definition::{NumberConstraintsInput, SchemaAttributeInput, StringConstraintsInput};
pub use format::{is_e164_phone_number, is_email_address};
pub use write::{
    AttributeProblem, AttributeUpdate, AttributeWriteErrors, AttributeWriter, VerifiableAttribute,
    WriteKind,
};

use crate::error::{Error, Internal, Result};

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

/// The most custom attributes a pool may have (Cognito's quota).
pub const MAX_CUSTOM_ATTRIBUTES: usize = 50;

/// The longest value any attribute may hold (the `AttributeType.Value` limit of the API
/// model), and the largest string length a schema may declare.
pub const MAX_VALUE_LENGTH: u32 = 2048;

/// The prefix of custom attribute names.
pub const CUSTOM_PREFIX: &str = "custom:";

/// The prefix of developer-only attribute names (before `custom:`).
pub const DEVELOPER_PREFIX: &str = "dev:";

/// An attribute's data type, as Cognito names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub enum AttributeDataType {
    /// A string.
    String,
    /// An integer (decision: Cognito's constraints are integers, so are the values).
    Number,
    /// A date and time, kept as a string.
    DateTime,
    /// `true` or `false`.
    Boolean,
}

impl AttributeDataType {
    /// Every type, in the order Cognito's validation message lists them.
    pub const ALL: [AttributeDataType; 4] = [
        AttributeDataType::Boolean,
        AttributeDataType::Number,
        AttributeDataType::String,
        AttributeDataType::DateTime,
    ];

    /// The type as Cognito spells it (`String`, `Number`, `DateTime`, `Boolean`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AttributeDataType::String => "String",
            AttributeDataType::Number => "Number",
            AttributeDataType::DateTime => "DateTime",
            AttributeDataType::Boolean => "Boolean",
        }
    }

    /// Parses Cognito's spelling.
    ///
    /// # Errors
    /// `InvalidParameterException` with Cognito's enum message for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        AttributeDataType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                Error::InvalidParameterMessage(format!(
                    "Validation error detected: Value '{s}' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]"
                ))
            })
    }
}

impl fmt::Display for AttributeDataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Length limits of a `String` attribute (`StringAttributeConstraints`), in characters.
/// Either bound may be absent, as Cognito returns them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct StringConstraints {
    /// `MinLength`.
    pub min_length: Option<u32>,
    /// `MaxLength`.
    pub max_length: Option<u32>,
}

/// Value limits of a `Number` attribute (`NumberAttributeConstraints`). Either bound may
/// be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct NumberConstraints {
    /// `MinValue`.
    pub min_value: Option<i64>,
    /// `MaxValue`.
    pub max_value: Option<i64>,
}

/// One attribute of a pool's schema (`SchemaAttributeType`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct SchemaAttribute {
    /// The full name as users write it: `email`, `custom:tier`, `dev:custom:legacy_id`.
    pub name: String,
    /// `AttributeDataType`.
    pub data_type: AttributeDataType,
    /// `DeveloperOnlyAttribute`: written only by administrators, never by users.
    pub developer_only: bool,
    /// `Mutable`: whether a value can change after the user was created.
    pub mutable: bool,
    /// `Required`: whether a new user must have a value.
    pub required: bool,
    /// `StringAttributeConstraints` (String attributes only).
    pub string_constraints: Option<StringConstraints>,
    /// `NumberAttributeConstraints` (Number attributes only).
    pub number_constraints: Option<NumberConstraints>,
}

impl SchemaAttribute {
    /// Whether this is one of Cognito's standard attributes.
    #[must_use]
    pub fn is_standard(&self) -> bool {
        standard_attribute(&self.name).is_some()
    }

    /// Whether this is a custom attribute (`custom:` or `dev:custom:`).
    #[must_use]
    pub fn is_custom(&self) -> bool {
        !self.is_standard()
    }
}

/// The standard attributes in the order Cognito lists them in `SchemaAttributes`.
pub const STANDARD_ATTRIBUTE_NAMES: [&str; 20] = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// The standard attributes a user-import file has columns for, in GetCSVHeader's order:
/// every one but `sub`, which the pool assigns. GetCSVHeader, the offline import and their
/// tests all read this one list, so the header a pool hands out is the one it accepts.
pub fn csv_standard_columns() -> impl Iterator<Item = &'static str> {
    STANDARD_ATTRIBUTE_NAMES
        .into_iter()
        .filter(|name| *name != "sub")
}

/// Cognito's published definition of a standard attribute, `None` for any other name.
#[must_use]
pub fn standard_attribute(name: &str) -> Option<SchemaAttribute> {
    let string = |min: u32, max: u32| StringConstraints {
        min_length: Some(min),
        max_length: Some(max),
    };
    let (data_type, mutable, required, strings, numbers) = match name {
        "sub" => (
            AttributeDataType::String,
            false,
            true,
            Some(string(1, 2048)),
            None,
        ),
        "birthdate" => (
            AttributeDataType::String,
            true,
            false,
            Some(string(10, 10)),
            None,
        ),
        "email_verified" | "phone_number_verified" => {
            (AttributeDataType::Boolean, true, false, None, None)
        }
        "updated_at" => (
            AttributeDataType::Number,
            true,
            false,
            None,
            Some(NumberConstraints {
                min_value: Some(0),
                max_value: None,
            }),
        ),
        "name" | "given_name" | "family_name" | "middle_name" | "nickname"
        | "preferred_username" | "profile" | "picture" | "website" | "email" | "gender"
        | "zoneinfo" | "locale" | "phone_number" | "address" => (
            AttributeDataType::String,
            true,
            false,
            Some(string(0, 2048)),
            None,
        ),
        _ => return None,
    };
    Some(SchemaAttribute {
        name: name.to_owned(),
        data_type,
        developer_only: false,
        mutable,
        required,
        string_constraints: strings,
        number_constraints: numbers,
    })
}

/// A pool's attribute schema: every standard attribute (with the pool's overrides of
/// `Required`, `Mutable` and constraints) followed by its custom attributes, in the order
/// they were added. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(try_from = "Vec<SchemaAttribute>", into = "Vec<SchemaAttribute>")
)]
pub struct Schema {
    attributes: Vec<SchemaAttribute>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::standard()
    }
}

impl Schema {
    /// Cognito's standard attributes with their published settings and no custom
    /// attribute: the schema of a pool created without `Schema`.
    #[must_use]
    pub fn standard() -> Self {
        Schema {
            attributes: STANDARD_ATTRIBUTE_NAMES
                .iter()
                .filter_map(|n| standard_attribute(n))
                .collect(),
        }
    }

    /// Every attribute, standard first, as `DescribeUserPool` lists them.
    #[must_use]
    pub fn attributes(&self) -> &[SchemaAttribute] {
        &self.attributes
    }

    /// The attribute of that full name (`email`, `custom:tier`, `dev:custom:x`).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&SchemaAttribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The custom and developer-only attributes, in the order they were added.
    pub fn custom_attributes(&self) -> impl Iterator<Item = &SchemaAttribute> {
        self.attributes.iter().filter(|a| a.is_custom())
    }

    /// The names of the attributes a new user must have (`sub` excluded: the pool gives it).
    pub fn required_attributes(&self) -> impl Iterator<Item = &str> {
        self.attributes
            .iter()
            .filter(|a| a.required && a.name != "sub")
            .map(|a| a.name.as_str())
    }

    /// Rebuilds a schema read back from a store, checking it as a `CreateUserPool` would
    /// (so a corrupted row cannot produce a schema that could not have been created).
    ///
    /// # Errors
    /// `InternalErrorException` (storage) if the stored list is not a valid schema: a
    /// standard attribute missing or retyped, a duplicate, a malformed custom name.
    pub fn from_stored(attributes: Vec<SchemaAttribute>) -> Result<Self> {
        let storage = || Error::Internal(Internal::Storage);
        let mut seen = std::collections::BTreeSet::new();
        for a in &attributes {
            if !seen.insert(a.name.as_str()) {
                return Err(storage());
            }
            match standard_attribute(&a.name) {
                Some(std) => {
                    if std.data_type != a.data_type || a.developer_only {
                        return Err(storage());
                    }
                }
                None => {
                    let base = custom_base_name(&a.name, a.developer_only).ok_or_else(storage)?;
                    definition::check_custom_name(base).map_err(|_| storage())?;
                }
            }
        }
        if STANDARD_ATTRIBUTE_NAMES.iter().any(|n| !seen.contains(n)) {
            return Err(storage());
        }
        if attributes.iter().filter(|a| a.is_custom()).count() > MAX_CUSTOM_ATTRIBUTES {
            return Err(storage());
        }
        Ok(Schema { attributes })
    }
}

/// The name after `custom:` (or `dev:custom:` for developer-only attributes).
fn custom_base_name(name: &str, developer_only: bool) -> Option<&str> {
    let rest = if developer_only {
        name.strip_prefix(DEVELOPER_PREFIX)?
    } else {
        name
    };
    rest.strip_prefix(CUSTOM_PREFIX)
}

impl TryFrom<Vec<SchemaAttribute>> for Schema {
    type Error = Error;

    fn try_from(attributes: Vec<SchemaAttribute>) -> Result<Self> {
        Schema::from_stored(attributes)
    }
}

impl From<Schema> for Vec<SchemaAttribute> {
    fn from(schema: Schema) -> Self {
        schema.attributes
    }
}
