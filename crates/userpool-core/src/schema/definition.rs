//! Building a schema from `CreateUserPool`'s `Schema` and `AddCustomAttributes`'
//! `CustomAttributes` (SPEC §16), with Cognito's messages.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    AttributeDataType, CUSTOM_PREFIX, DEVELOPER_PREFIX, MAX_CUSTOM_ATTRIBUTES, MAX_VALUE_LENGTH,
    NumberConstraints, Schema, SchemaAttribute, StringConstraints, custom_base_name,
    standard_attribute,
};
use crate::error::{Error, Result};

/// The longest `Name` of a schema attribute (the API model's limit).
const MAX_NAME_LENGTH: usize = 20;

static NAME_REGEX: LazyLock<Regex> = LazyLock::new(|| {
    // invariant: a constant, valid pattern; covered by the schema name tests.
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$").expect("valid schema name regex")
});

/// `StringAttributeConstraints` as the wire sends them (numbers as strings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StringConstraintsInput {
    /// `MinLength`.
    pub min_length: Option<String>,
    /// `MaxLength`.
    pub max_length: Option<String>,
}

/// `NumberAttributeConstraints` as the wire sends them (numbers as strings).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumberConstraintsInput {
    /// `MinValue`.
    pub min_value: Option<String>,
    /// `MaxValue`.
    pub max_value: Option<String>,
}

/// One `SchemaAttributeType` of a request, before validation. Absent members take
/// Cognito's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaAttributeInput {
    /// `Name`: a standard attribute's name, or a custom attribute's name without prefix.
    pub name: String,
    /// `AttributeDataType`; required for custom attributes.
    pub data_type: Option<String>,
    /// `DeveloperOnlyAttribute` (default false).
    pub developer_only: Option<bool>,
    /// `Mutable` (default: the standard attribute's, true for custom attributes).
    pub mutable: Option<bool>,
    /// `Required` (default: the standard attribute's; custom attributes cannot be required).
    pub required: Option<bool>,
    /// `StringAttributeConstraints`, honoured for String attributes only (as Cognito does).
    pub string_constraints: Option<StringConstraintsInput>,
    /// `NumberAttributeConstraints`, honoured for Number attributes only.
    pub number_constraints: Option<NumberConstraintsInput>,
}

impl SchemaAttributeInput {
    /// A custom attribute of that type with every other member at its default.
    #[must_use]
    pub fn custom(name: &str, data_type: AttributeDataType) -> Self {
        SchemaAttributeInput {
            name: name.to_owned(),
            data_type: Some(data_type.as_str().to_owned()),
            ..SchemaAttributeInput::default()
        }
    }
}

/// Checks a custom attribute's name (without prefix) against the API model's limits.
pub(super) fn check_custom_name(name: &str) -> Result<()> {
    check_name(name, "name")
}

fn check_name(name: &str, member: &str) -> Result<()> {
    let n = name.chars().count();
    let why = if n == 0 {
        Some("Member must have length greater than or equal to 1".to_owned())
    } else if n > MAX_NAME_LENGTH {
        Some(format!(
            "Member must have length less than or equal to {MAX_NAME_LENGTH}"
        ))
    } else if !NAME_REGEX.is_match(name) {
        Some(
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+"
                .to_owned(),
        )
    } else {
        None
    };
    match why {
        Some(why) => Err(Error::invalid_value(member, name, why)),
        None => Ok(()),
    }
}

fn limit(value: Option<&String>, constraint: &str, attribute: &str) -> Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
            Error::InvalidParameterMessage(format!(
                "Invalid {constraint} for schema attribute {attribute}"
            ))
        }),
    }
}

fn string_constraints(
    input: &StringConstraintsInput,
    attribute: &str,
) -> Result<StringConstraints> {
    const KIND: &str = "StringAttributeConstraints";
    let min = limit(input.min_length.as_ref(), KIND, attribute)?;
    let max = limit(input.max_length.as_ref(), KIND, attribute)?;
    let cap = u64::from(MAX_VALUE_LENGTH);
    if min.is_some_and(|m| m > cap) || max.is_some_and(|m| m > cap) {
        return Err(Error::InvalidParameterMessage(format!(
            "user.{attribute}: String attributes cannot have a length of more than {MAX_VALUE_LENGTH}"
        )));
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(Error::InvalidParameterMessage(format!(
            "user.{attribute}: Max length cannot be less than min length."
        )));
    }
    // Both are at most 2048 here, so they fit.
    let fit = |v: Option<u64>| v.and_then(|v| u32::try_from(v).ok());
    Ok(StringConstraints {
        min_length: fit(min),
        max_length: fit(max),
    })
}

fn number_constraints(
    input: &NumberConstraintsInput,
    attribute: &str,
) -> Result<NumberConstraints> {
    const KIND: &str = "NumberAttributeConstraints";
    let invalid = || {
        Error::InvalidParameterMessage(format!("Invalid {KIND} for schema attribute {attribute}"))
    };
    let to_i64 = |v: Option<u64>| {
        v.map(|v| i64::try_from(v).map_err(|_| invalid()))
            .transpose()
    };
    let min = to_i64(limit(input.min_value.as_ref(), KIND, attribute)?)?;
    let max = to_i64(limit(input.max_value.as_ref(), KIND, attribute)?)?;
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        return Err(Error::InvalidParameterMessage(format!(
            "user.{attribute}: Max value cannot be less than min value."
        )));
    }
    Ok(NumberConstraints {
        min_value: min,
        max_value: max,
    })
}

/// The constraints of a new attribute: those the request gave for its type, else the
/// defaults; constraints given for another type are ignored, as Cognito ignores them.
fn constraints(
    input: &SchemaAttributeInput,
    data_type: AttributeDataType,
    name: &str,
    defaults: Option<&SchemaAttribute>,
) -> Result<(Option<StringConstraints>, Option<NumberConstraints>)> {
    match data_type {
        AttributeDataType::String => {
            let strings = match &input.string_constraints {
                Some(given) => Some(string_constraints(given, name)?),
                None => defaults.and_then(|d| d.string_constraints),
            };
            Ok((strings, None))
        }
        AttributeDataType::Number => {
            let numbers = match &input.number_constraints {
                Some(given) => Some(number_constraints(given, name)?),
                None => defaults.and_then(|d| d.number_constraints),
            };
            Ok((None, numbers))
        }
        AttributeDataType::DateTime | AttributeDataType::Boolean => Ok((None, None)),
    }
}

fn standard_override(
    input: &SchemaAttributeInput,
    std: SchemaAttribute,
) -> Result<SchemaAttribute> {
    let refused = || {
        Error::InvalidParameterMessage(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
            std.name
        ))
    };
    if let Some(t) = &input.data_type
        && AttributeDataType::parse(t)? != std.data_type
    {
        return Err(refused());
    }
    if input.developer_only == Some(true) {
        return Err(refused());
    }
    let mutable = input.mutable.unwrap_or(std.mutable);
    let required = input.required.unwrap_or(std.required);
    if std.name == "sub" && (mutable || !required) {
        // decision: `sub` identifies the user for good (SPEC §8); a pool cannot loosen it.
        return Err(Error::InvalidParameterMessage(
            "The standard attribute sub is required and cannot be made mutable.".into(),
        ));
    }
    let (string_constraints, number_constraints) =
        constraints(input, std.data_type, &std.name, Some(&std))?;
    Ok(SchemaAttribute {
        name: std.name.clone(),
        data_type: std.data_type,
        developer_only: false,
        mutable,
        required,
        string_constraints,
        number_constraints,
    })
}

fn custom(input: &SchemaAttributeInput, member: &str) -> Result<SchemaAttribute> {
    check_name(&input.name, member)?;
    let developer_only = input.developer_only.unwrap_or(false);
    let name = if developer_only {
        format!("{DEVELOPER_PREFIX}{CUSTOM_PREFIX}{}", input.name)
    } else {
        format!("{CUSTOM_PREFIX}{}", input.name)
    };
    let data_type = match &input.data_type {
        Some(t) => AttributeDataType::parse(t)?,
        None => {
            return Err(Error::InvalidParameterMessage(
                "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
                    .into(),
            ));
        }
    };
    if input.required == Some(true) {
        return Err(Error::InvalidParameterMessage(
            "Required custom attributes are not supported currently.".into(),
        ));
    }
    let (string_constraints, number_constraints) = constraints(input, data_type, &name, None)?;
    Ok(SchemaAttribute {
        name,
        data_type,
        developer_only,
        mutable: input.mutable.unwrap_or(true),
        required: false,
        string_constraints,
        number_constraints,
    })
}

/// Where a custom attribute's base name is already taken (`custom:x` and `dev:custom:x`
/// share the base name `x`).
fn taken<'a>(attributes: &'a [SchemaAttribute], candidate: &SchemaAttribute) -> Option<&'a str> {
    let base = |a: &SchemaAttribute| custom_base_name(&a.name, a.developer_only).map(str::to_owned);
    let wanted = base(candidate);
    attributes
        .iter()
        .find(|a| a.name == candidate.name || (wanted.is_some() && base(a) == wanted))
        .map(|a| a.name.as_str())
}

fn too_many() -> Error {
    // decision: Cognito documents the quota, not the message.
    Error::InvalidParameterMessage(format!(
        "A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
    ))
}

impl Schema {
    /// The schema of a pool created with `CreateUserPool`'s `Schema` list: the standard
    /// attributes, with the overrides the list gives for them (`Required`, `Mutable`,
    /// constraints), plus the list's custom attributes. An empty list gives
    /// [`Schema::standard`].
    ///
    /// # Errors
    /// `InvalidParameterException` with Cognito's message for: an unknown
    /// `AttributeDataType`; a custom attribute without one, `Required`, or with a name of
    /// 0 or more than 20 characters; a standard attribute retyped or made developer-only;
    /// constraints that are not non-negative integers, longer than 2048, or with min above
    /// max; a name given twice; more than 50 custom attributes.
    pub fn for_new_pool(inputs: &[SchemaAttributeInput]) -> Result<Schema> {
        let mut schema = Schema::standard();
        let mut overridden = std::collections::BTreeSet::new();
        let mut added = Vec::new();
        for input in inputs {
            if let Some(std) = standard_attribute(&input.name) {
                if !overridden.insert(std.name.clone()) {
                    return Err(Error::InvalidParameterMessage(format!(
                        "{0}: Existing attribute already has name {0}.",
                        std.name
                    )));
                }
                let attribute = standard_override(input, std)?;
                if let Some(slot) = schema
                    .attributes
                    .iter_mut()
                    .find(|a| a.name == attribute.name)
                {
                    *slot = attribute;
                }
            } else {
                let attribute = custom(input, "schema.member.name")?;
                if let Some(existing) = taken(&added, &attribute) {
                    return Err(Error::InvalidParameterMessage(format!(
                        "{CUSTOM_PREFIX}{}: Existing attribute already has name {existing}.",
                        input.name
                    )));
                }
                added.push(attribute);
            }
        }
        if added.len() > MAX_CUSTOM_ATTRIBUTES {
            return Err(too_many());
        }
        schema.attributes.extend(added);
        Ok(schema)
    }

    /// This schema with `AddCustomAttributes`' attributes appended; `self` is unchanged.
    /// Every entry is a custom attribute, whatever its name (so `email` becomes
    /// `custom:email`).
    ///
    /// # Errors
    /// `InvalidParameterException`: an empty list; any entry that
    /// [`Schema::for_new_pool`] would refuse for a custom attribute; a name already in the
    /// schema (`custom:x: Existing attribute already has name dev:custom:x.`); more than 50
    /// custom attributes in all.
    pub fn with_custom_attributes(&self, inputs: &[SchemaAttributeInput]) -> Result<Schema> {
        if inputs.is_empty() {
            return Err(Error::invalid_value(
                "customAttributes",
                "[]",
                "Member must have length greater than or equal to 1",
            ));
        }
        let mut next = self.clone();
        for input in inputs {
            let attribute = custom(input, "customAttributes.member.name")?;
            if let Some(existing) = taken(&next.attributes, &attribute) {
                return Err(Error::InvalidParameterMessage(format!(
                    "{CUSTOM_PREFIX}{}: Existing attribute already has name {existing}.",
                    input.name
                )));
            }
            next.attributes.push(attribute);
        }
        if next.custom_attributes().count() > MAX_CUSTOM_ATTRIBUTES {
            return Err(too_many());
        }
        Ok(next)
    }
}
