//! SPEC §16: the attribute schema — its definition (CreateUserPool `Schema`,
//! AddCustomAttributes) and the validation of every attribute write, through the public API.

use std::collections::BTreeMap;

use proptest::prelude::*;
use userpool_core::schema::{
    AttributeProblem, MAX_CUSTOM_ATTRIBUTES, NumberConstraints, NumberConstraintsInput,
    STANDARD_ATTRIBUTE_NAMES, StringConstraints, StringConstraintsInput, WriteKind,
    csv_standard_columns,
};
use userpool_core::{
    AttributeDataType, AttributeWriter, Error, Schema, SchemaAttributeInput, VerifiableAttribute,
};

const INVALID_PARAMETER: &str = "InvalidParameterException";

/// One row of a write table: what it shows, the attributes written, the exact message.
type WriteCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn custom(name: &str, data_type: &str) -> SchemaAttributeInput {
    SchemaAttributeInput {
        name: name.into(),
        data_type: Some(data_type.into()),
        ..SchemaAttributeInput::default()
    }
}

/// A pool like the ones the §16 tests use: email required, a mutable custom String of
/// 1..=5 characters, an immutable custom Number in 10..=20, a developer-only String.
fn pool_schema() -> Schema {
    Schema::for_new_pool(&[
        SchemaAttributeInput {
            name: "email".into(),
            required: Some(true),
            ..SchemaAttributeInput::default()
        },
        SchemaAttributeInput {
            string_constraints: Some(StringConstraintsInput {
                min_length: Some("1".into()),
                max_length: Some("5".into()),
            }),
            ..custom("tier", "String")
        },
        SchemaAttributeInput {
            mutable: Some(false),
            number_constraints: Some(NumberConstraintsInput {
                min_value: Some("10".into()),
                max_value: Some("20".into()),
            }),
            ..custom("level", "Number")
        },
        SchemaAttributeInput {
            developer_only: Some(true),
            ..custom("legacy", "String")
        },
        custom("admin", "Boolean"),
    ])
    .expect("a valid schema")
}

fn message(result: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    let e = result.expect_err("expected a refusal");
    (e.code().to_owned(), e.to_string())
}

// ---- the standard attributes -------------------------------------------------------

#[test]
fn csv_standard_columns_are_the_standard_attributes_but_sub_in_their_order() {
    let columns: Vec<&str> = csv_standard_columns().collect();
    assert_eq!(columns.len(), STANDARD_ATTRIBUTE_NAMES.len() - 1);
    assert_eq!(columns[..3], ["name", "given_name", "family_name"]);
    assert_eq!(columns.last(), Some(&"updated_at"));
    assert!(!columns.contains(&"sub"));
}

#[test]
fn standard_schema_lists_cognitos_twenty_attributes_with_their_published_settings() {
    let schema = Schema::standard();
    let names: Vec<&str> = schema
        .attributes()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, STANDARD_ATTRIBUTE_NAMES);
    let sub = schema.get("sub").expect("sub");
    assert!(sub.required && !sub.mutable);
    assert_eq!(
        sub.string_constraints,
        Some(StringConstraints {
            min_length: Some(1),
            max_length: Some(2048)
        })
    );
    let birthdate = schema.get("birthdate").expect("birthdate");
    assert_eq!(
        birthdate.string_constraints,
        Some(StringConstraints {
            min_length: Some(10),
            max_length: Some(10)
        })
    );
    for flag in ["email_verified", "phone_number_verified"] {
        let a = schema.get(flag).expect("flag");
        assert_eq!(a.data_type, AttributeDataType::Boolean);
        assert_eq!((a.string_constraints, a.number_constraints), (None, None));
    }
    let updated_at = schema.get("updated_at").expect("updated_at");
    assert_eq!(updated_at.data_type, AttributeDataType::Number);
    assert_eq!(
        updated_at.number_constraints,
        Some(NumberConstraints {
            min_value: Some(0),
            max_value: None
        })
    );
    for a in schema.attributes() {
        assert!(!a.developer_only, "{}", a.name);
        assert_eq!(a.required, a.name == "sub", "{}", a.name);
        assert_eq!(a.mutable, a.name != "sub", "{}", a.name);
    }
    assert_eq!(schema.custom_attributes().count(), 0);
    assert_eq!(Schema::for_new_pool(&[]).expect("empty"), schema);
}

// ---- defining a schema ------------------------------------------------------------

#[test]
fn custom_attributes_get_their_prefix_and_defaults() {
    let schema = Schema::for_new_pool(&[
        custom("string", "String"),
        custom("number", "Number"),
        SchemaAttributeInput {
            developer_only: Some(true),
            ..custom("banana", "String")
        },
    ])
    .expect("valid");
    let string = schema.get("custom:string").expect("custom:string");
    assert!(string.mutable && !string.required && !string.developer_only);
    assert_eq!(string.string_constraints, None);
    let number = schema.get("custom:number").expect("custom:number");
    assert_eq!(number.number_constraints, None);
    let dev = schema.get("dev:custom:banana").expect("dev:custom:banana");
    assert!(dev.developer_only);
    assert_eq!(schema.custom_attributes().count(), 3);
}

#[test]
fn constraints_of_another_type_are_ignored_and_partial_constraints_kept() {
    let both = |name: &str, t: &str| SchemaAttributeInput {
        number_constraints: Some(NumberConstraintsInput {
            min_value: Some("10".into()),
            max_value: Some("20".into()),
        }),
        string_constraints: Some(StringConstraintsInput {
            min_length: Some("10".into()),
            max_length: None,
        }),
        ..custom(name, t)
    };
    let schema = Schema::for_new_pool(&[
        both("s", "String"),
        both("n", "Number"),
        both("b", "Boolean"),
    ])
    .expect("valid");
    let s = schema.get("custom:s").expect("s");
    assert_eq!(
        (s.string_constraints, s.number_constraints),
        (
            Some(StringConstraints {
                min_length: Some(10),
                max_length: None
            }),
            None
        )
    );
    let n = schema.get("custom:n").expect("n");
    assert_eq!(
        (n.string_constraints, n.number_constraints),
        (
            None,
            Some(NumberConstraints {
                min_value: Some(10),
                max_value: Some(20)
            })
        )
    );
    let b = schema.get("custom:b").expect("b");
    assert_eq!((b.string_constraints, b.number_constraints), (None, None));
}

#[test]
fn standard_attributes_take_required_mutable_and_constraints_overrides() {
    let schema = Schema::for_new_pool(&[SchemaAttributeInput {
        name: "email".into(),
        data_type: Some("String".into()),
        required: Some(true),
        mutable: Some(false),
        string_constraints: Some(StringConstraintsInput {
            min_length: Some("5".into()),
            max_length: Some("100".into()),
        }),
        ..SchemaAttributeInput::default()
    }])
    .expect("valid");
    let email = schema.get("email").expect("email");
    assert!(email.required && !email.mutable);
    assert_eq!(
        email.string_constraints,
        Some(StringConstraints {
            min_length: Some(5),
            max_length: Some(100)
        })
    );
    // Still in Cognito's position, not appended.
    assert_eq!(schema.attributes()[10].name, "email");
    assert_eq!(schema.required_attributes().collect::<Vec<_>>(), ["email"]);
}

#[test]
fn schema_definitions_are_refused_with_cognitos_messages() {
    let string_limits = |name: &str, min: Option<&str>, max: Option<&str>| SchemaAttributeInput {
        name: name.into(),
        data_type: Some("String".into()),
        string_constraints: Some(StringConstraintsInput {
            min_length: min.map(Into::into),
            max_length: max.map(Into::into),
        }),
        ..SchemaAttributeInput::default()
    };
    let number_limits = |name: &str, min: Option<&str>, max: Option<&str>| SchemaAttributeInput {
        name: name.into(),
        data_type: Some("Number".into()),
        number_constraints: Some(NumberConstraintsInput {
            min_value: min.map(Into::into),
            max_value: max.map(Into::into),
        }),
        ..SchemaAttributeInput::default()
    };
    let cases: Vec<(&str, Vec<SchemaAttributeInput>, &str)> = vec![
        (
            "unknown data type",
            vec![custom("custom", "Banana")],
            "Validation error detected: Value 'Banana' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]",
        ),
        (
            "custom without a data type",
            vec![SchemaAttributeInput {
                name: "custom".into(),
                ..SchemaAttributeInput::default()
            }],
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ),
        (
            "required custom",
            vec![SchemaAttributeInput {
                required: Some(true),
                ..custom("banana", "String")
            }],
            "Required custom attributes are not supported currently.",
        ),
        (
            "standard retyped",
            vec![custom("email", "Number")],
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            "standard developer-only",
            vec![SchemaAttributeInput {
                name: "email".into(),
                developer_only: Some(true),
                ..SchemaAttributeInput::default()
            }],
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email",
        ),
        (
            "min length not a number",
            vec![string_limits("email", Some("invalid_value"), None)],
            "Invalid StringAttributeConstraints for schema attribute email",
        ),
        (
            "max length not a number",
            vec![string_limits("email", None, Some("invalid_value"))],
            "Invalid StringAttributeConstraints for schema attribute email",
        ),
        (
            "max value not a number",
            vec![number_limits("updated_at", None, Some("invalid_value"))],
            "Invalid NumberAttributeConstraints for schema attribute updated_at",
        ),
        (
            "min value negative",
            vec![number_limits("updated_at", Some("-1"), None)],
            "Invalid NumberAttributeConstraints for schema attribute updated_at",
        ),
        (
            "min length over 2048",
            vec![string_limits("email", Some("2049"), None)],
            "user.email: String attributes cannot have a length of more than 2048",
        ),
        (
            "max length over 2048",
            vec![string_limits("email", None, Some("2049"))],
            "user.email: String attributes cannot have a length of more than 2048",
        ),
        (
            "min length above max",
            vec![string_limits("email", Some("2"), Some("1"))],
            "user.email: Max length cannot be less than min length.",
        ),
        (
            "min value above max",
            vec![number_limits("updated_at", Some("2"), Some("1"))],
            "user.updated_at: Max value cannot be less than min value.",
        ),
        (
            "custom constraints name the prefixed attribute",
            vec![string_limits("tier", Some("3"), Some("2"))],
            "user.custom:tier: Max length cannot be less than min length.",
        ),
        (
            "custom name given twice",
            vec![custom("x", "String"), custom("x", "Number")],
            "custom:x: Existing attribute already has name custom:x.",
        ),
        (
            "custom and developer-only share a base name",
            vec![
                custom("x", "String"),
                SchemaAttributeInput {
                    developer_only: Some(true),
                    ..custom("x", "String")
                },
            ],
            "custom:x: Existing attribute already has name custom:x.",
        ),
        (
            "standard given twice",
            vec![
                SchemaAttributeInput {
                    name: "email".into(),
                    ..SchemaAttributeInput::default()
                },
                SchemaAttributeInput {
                    name: "email".into(),
                    ..SchemaAttributeInput::default()
                },
            ],
            "email: Existing attribute already has name email.",
        ),
        (
            "name longer than 20",
            vec![custom("abcdefghijklmnopqrstu", "String")],
            "1 validation error detected: Value 'abcdefghijklmnopqrstu' at 'schema.member.name' failed to satisfy constraint: Member must have length less than or equal to 20",
        ),
        (
            "empty name",
            vec![custom("", "String")],
            "1 validation error detected: Value '' at 'schema.member.name' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ),
        (
            "name with a space",
            vec![custom("a b", "String")],
            "1 validation error detected: Value 'a b' at 'schema.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ),
        (
            "sub made mutable",
            vec![SchemaAttributeInput {
                name: "sub".into(),
                mutable: Some(true),
                ..SchemaAttributeInput::default()
            }],
            "The standard attribute sub is required and cannot be made mutable.",
        ),
    ];
    for (what, inputs, expected) in cases {
        let (code, text) = message(Schema::for_new_pool(&inputs));
        assert_eq!(code, INVALID_PARAMETER, "{what}");
        assert_eq!(text, expected, "{what}");
    }
}

#[test]
fn at_most_fifty_custom_attributes() {
    let fifty: Vec<_> = (0..MAX_CUSTOM_ATTRIBUTES)
        .map(|i| custom(&format!("a{i}"), "String"))
        .collect();
    let schema = Schema::for_new_pool(&fifty).expect("fifty is the quota");
    let (code, text) = message(schema.with_custom_attributes(&[custom("one_more", "String")]));
    assert_eq!(code, INVALID_PARAMETER);
    assert_eq!(text, "A user pool can have at most 50 custom attributes.");
    let mut fifty_one = fifty;
    fifty_one.push(custom("one_more", "String"));
    assert_eq!(
        message(Schema::for_new_pool(&fifty_one)).1,
        "A user pool can have at most 50 custom attributes."
    );
}

#[test]
fn add_custom_attributes_appends_and_leaves_the_old_schema_alone() {
    let before = Schema::standard();
    let after = before
        .with_custom_attributes(&[custom("banana", "String"), custom("email", "Number")])
        .expect("valid");
    assert!(before.get("custom:banana").is_none());
    assert!(after.get("custom:banana").is_some());
    // Every AddCustomAttributes entry is custom, whatever its name.
    assert_eq!(
        after.get("custom:email").expect("custom:email").data_type,
        AttributeDataType::Number
    );
    assert_eq!(
        after.get("email").expect("email").data_type,
        AttributeDataType::String
    );
    let last = after.attributes().last().expect("non-empty");
    assert_eq!(last.name, "custom:email");
}

#[test]
fn add_custom_attributes_refuses_an_existing_name() {
    let dev = SchemaAttributeInput {
        developer_only: Some(true),
        ..custom("banana", "String")
    };
    let schema = Schema::for_new_pool(std::slice::from_ref(&dev)).expect("valid");
    let (code, text) = message(schema.with_custom_attributes(&[dev]));
    assert_eq!(code, INVALID_PARAMETER);
    assert_eq!(
        text,
        "custom:banana: Existing attribute already has name dev:custom:banana."
    );
    // All or nothing: a good entry beside a bad one adds nothing.
    let refused =
        schema.with_custom_attributes(&[custom("fresh", "String"), custom("banana", "Banana")]);
    assert!(refused.is_err());
    assert!(schema.get("custom:fresh").is_none());
    assert!(
        message(schema.with_custom_attributes(&[]))
            .1
            .contains("customAttributes")
    );
}

#[test]
fn a_stored_schema_round_trips_and_a_corrupted_one_is_refused() {
    let schema = pool_schema();
    let back = Schema::from_stored(schema.attributes().to_vec()).expect("round trip");
    assert_eq!(back, schema);

    let mut missing = schema.attributes().to_vec();
    missing.retain(|a| a.name != "email");
    assert_eq!(
        message(Schema::from_stored(missing)).0,
        "InternalErrorException"
    );

    let mut retyped = schema.attributes().to_vec();
    retyped[10].data_type = AttributeDataType::Number;
    assert_eq!(
        message(Schema::from_stored(retyped)).0,
        "InternalErrorException"
    );

    let mut duplicated = schema.attributes().to_vec();
    duplicated.push(duplicated[0].clone());
    assert_eq!(
        message(Schema::from_stored(duplicated)).0,
        "InternalErrorException"
    );

    let mut unprefixed = schema.attributes().to_vec();
    unprefixed.push(userpool_core::SchemaAttribute {
        name: "thing".into(),
        ..schema.get("custom:tier").expect("tier").clone()
    });
    assert_eq!(
        message(Schema::from_stored(unprefixed)).0,
        "InternalErrorException"
    );
}

// ---- validating writes ------------------------------------------------------------

#[test]
fn creation_writes_are_refused_with_cognitos_messages() {
    let schema = pool_schema();
    let admin = AttributeWriter::Administrator;
    let cases: &[WriteCase] = &[
        (
            "undeclared standard-looking name",
            &[("email", "a@example.com"), ("thing", "x")],
            "Attributes did not conform to the schema: thing: Attribute does not exist in the schema.\n",
        ),
        (
            "undeclared custom",
            &[("email", "a@example.com"), ("custom:x", "x")],
            "Attributes did not conform to the schema: custom:x: Attribute does not exist in the schema.\n",
        ),
        (
            "required missing",
            &[("name", "Ada")],
            "Attributes did not conform to the schema: email: The attribute is required\n",
        ),
        (
            "required empty",
            &[("email", "")],
            "Attributes did not conform to the schema: email: The attribute is required\n",
        ),
        (
            "several problems in one message",
            &[("custom:tier", "toolong"), ("custom:level", "9")],
            "Attributes did not conform to the schema: custom:level: Number must be no less than 10\ncustom:tier: String must be no longer than 5 characters\nemail: The attribute is required\n",
        ),
        (
            "number above its maximum",
            &[("email", "a@example.com"), ("custom:level", "21")],
            "Attributes did not conform to the schema: custom:level: Number must be no greater than 20\n",
        ),
        (
            "number not a number",
            &[("email", "a@example.com"), ("custom:level", "1.5")],
            "Attributes did not conform to the schema: custom:level: Number must be an integer\n",
        ),
        (
            "boolean not a boolean",
            &[("email", "a@example.com"), ("custom:admin", "yes")],
            "Attributes did not conform to the schema: custom:admin: Value must be true or false\n",
        ),
        (
            "birthdate of the wrong length",
            &[("email", "a@example.com"), ("birthdate", "1990-1-1")],
            "Attributes did not conform to the schema: birthdate: String must be no shorter than 10 characters\n",
        ),
        (
            "updated_at negative",
            &[("email", "a@example.com"), ("updated_at", "-1")],
            "Attributes did not conform to the schema: updated_at: Number must be no less than 0\n",
        ),
        (
            "sub is never written",
            &[("email", "a@example.com"), ("sub", "x")],
            "Attributes did not conform to the schema: sub: Attribute cannot be updated.\n",
        ),
        (
            "malformed email",
            &[("email", "test@m***")],
            "Invalid email address format.",
        ),
        (
            "phone without country code",
            &[("email", "a@example.com"), ("phone_number", "555555555")],
            "Invalid phone number format.",
        ),
    ];
    for (what, attributes, expected) in cases {
        let (code, text) = message(schema.validate_create(&map(attributes), admin));
        assert_eq!(code, INVALID_PARAMETER, "{what}");
        assert_eq!(text, *expected, "{what}");
    }
}

#[test]
fn a_value_longer_than_2048_is_refused_even_without_constraints() {
    let schema = Schema::for_new_pool(&[custom("free", "String")]).expect("valid");
    let long = "x".repeat(2049);
    let (_, text) = message(schema.validate_create(
        &map(&[("custom:free", &long)]),
        AttributeWriter::Administrator,
    ));
    assert_eq!(
        text,
        "Attributes did not conform to the schema: custom:free: String must be no longer than 2048 characters\n"
    );
    let fits = "x".repeat(2048);
    assert!(
        schema
            .validate_create(
                &map(&[("custom:free", &fits)]),
                AttributeWriter::Administrator
            )
            .is_ok()
    );
}

#[test]
fn a_valid_creation_is_stored_with_booleans_normalised_and_empty_values_dropped() {
    let schema = pool_schema();
    let stored = schema
        .validate_create(
            &map(&[
                ("email", "a@example.com"),
                ("email_verified", "True"),
                ("custom:level", "15"),
                ("dev:custom:legacy", "L-1"),
                ("nickname", ""),
                ("phone_number", "+12065551212"),
            ]),
            AttributeWriter::Administrator,
        )
        .expect("valid");
    assert_eq!(
        stored,
        map(&[
            ("custom:level", "15"),
            ("dev:custom:legacy", "L-1"),
            ("email", "a@example.com"),
            ("email_verified", "true"),
            ("phone_number", "+12065551212"),
        ])
    );
}

#[test]
fn users_cannot_write_developer_only_attributes_sub_or_verified_flags() {
    let schema = pool_schema();
    let user = AttributeWriter::User;
    for name in [
        "dev:custom:legacy",
        "email_verified",
        "phone_number_verified",
        "sub",
    ] {
        let attributes = map(&[("email", "a@example.com"), (name, "true")]);
        let (code, text) = message(schema.validate_create(&attributes, user));
        assert_eq!(code, "NotAuthorizedException", "{name}");
        assert_eq!(
            text, "A client attempted to write unauthorized attribute",
            "{name}"
        );
        let (code, _) = message(schema.validate_update(&BTreeMap::new(), &attributes, user, &[]));
        assert_eq!(code, "NotAuthorizedException", "{name}");
        let (code, _) = message(schema.validate_delete(&BTreeMap::new(), &[name.to_owned()], user));
        assert_eq!(code, "NotAuthorizedException", "{name}");
    }
    // The same user may write ordinary attributes.
    assert!(
        schema
            .validate_create(
                &map(&[("email", "a@example.com"), ("custom:tier", "gold")]),
                user
            )
            .is_ok()
    );
}

#[test]
fn updates_are_refused_with_cognitos_messages() {
    let schema = pool_schema();
    let current = map(&[("email", "a@example.com"), ("custom:level", "12")]);
    let admin = AttributeWriter::Administrator;
    let cases: &[WriteCase] = &[
        (
            "undeclared",
            &[("thing", "x")],
            "user.thing: Attribute does not exist in the schema.\n",
        ),
        (
            "immutable, even to the same value",
            &[("custom:level", "12")],
            "user.custom:level: Attribute cannot be updated.\n",
        ),
        (
            "sub",
            &[("sub", "x")],
            "user.sub: Attribute cannot be updated.\n",
        ),
        (
            "required deleted with an empty value",
            &[("email", "")],
            "user.email: The attribute is required\n",
        ),
        (
            "an optional attribute deleted with an empty value is fine",
            &[("custom:tier", "")],
            "",
        ),
        (
            "malformed phone",
            &[("phone_number", "+1 206 555 1212")],
            "Invalid phone number format.",
        ),
        (
            "malformed email",
            &[("email", "no-at-sign")],
            "Invalid email address format.",
        ),
    ];
    for (what, changes, expected) in cases {
        let result = schema.validate_update(&current, &map(changes), admin, &[]);
        if expected.is_empty() {
            assert!(result.is_ok(), "{what}: {result:?}");
            continue;
        }
        let (code, text) = message(result);
        assert_eq!(code, INVALID_PARAMETER, "{what}");
        assert_eq!(text, *expected, "{what}");
    }
}

#[test]
fn an_immutable_attribute_can_be_set_at_creation_only() {
    let schema = pool_schema();
    let created = schema
        .validate_create(
            &map(&[("email", "a@example.com"), ("custom:level", "12")]),
            AttributeWriter::Administrator,
        )
        .expect("creation may set it");
    assert_eq!(created.get("custom:level").map(String::as_str), Some("12"));
    // Even a user created without it cannot get it later.
    let without = map(&[("email", "a@example.com")]);
    let (_, text) = message(schema.validate_update(
        &without,
        &map(&[("custom:level", "15")]),
        AttributeWriter::Administrator,
        &[],
    ));
    assert_eq!(text, "user.custom:level: Attribute cannot be updated.\n");
}

#[test]
fn changing_an_email_unverifies_it_unless_the_administrator_verifies_it() {
    let schema = Schema::standard();
    let current = map(&[("email", "old@example.com"), ("email_verified", "true")]);
    let update = schema
        .validate_update(
            &current,
            &map(&[("email", "new@example.com")]),
            AttributeWriter::User,
            &[],
        )
        .expect("valid");
    assert_eq!(
        update.attributes,
        map(&[("email", "new@example.com"), ("email_verified", "false")])
    );
    assert_eq!(update.unverified, [VerifiableAttribute::Email]);
    assert!(update.pending.is_empty());

    let update = schema
        .validate_update(
            &current,
            &map(&[("email", "new@example.com"), ("email_verified", "true")]),
            AttributeWriter::Administrator,
            &[VerifiableAttribute::Email],
        )
        .expect("valid");
    assert_eq!(
        update.attributes,
        map(&[("email", "new@example.com"), ("email_verified", "true")])
    );
    assert!(update.unverified.is_empty() && update.pending.is_empty());

    // The same value again changes nothing.
    let update = schema
        .validate_update(
            &current,
            &map(&[("email", "old@example.com")]),
            AttributeWriter::User,
            &[],
        )
        .expect("valid");
    assert_eq!(update.attributes, current);
    assert!(update.unverified.is_empty());
}

#[test]
fn with_verification_before_update_a_verified_value_stays_until_the_new_one_is_verified() {
    let schema = Schema::standard();
    let current = map(&[
        ("email", "old@example.com"),
        ("email_verified", "true"),
        ("phone_number", "+12065551212"),
        ("phone_number_verified", "false"),
    ]);
    let update = schema
        .validate_update(
            &current,
            &map(&[
                ("email", "new@example.com"),
                ("phone_number", "+12065550000"),
            ]),
            AttributeWriter::User,
            &[VerifiableAttribute::Email, VerifiableAttribute::PhoneNumber],
        )
        .expect("valid");
    // The verified email is held back; the unverified phone number changes at once.
    assert_eq!(
        update.attributes.get("email").map(String::as_str),
        Some("old@example.com")
    );
    assert_eq!(
        update.attributes.get("email_verified").map(String::as_str),
        Some("true")
    );
    assert_eq!(
        update
            .pending
            .get(&VerifiableAttribute::Email)
            .map(String::as_str),
        Some("new@example.com")
    );
    assert_eq!(
        update.attributes.get("phone_number").map(String::as_str),
        Some("+12065550000")
    );
    assert_eq!(
        update.unverified,
        [VerifiableAttribute::Email, VerifiableAttribute::PhoneNumber]
    );
}

#[test]
fn deleting_an_attribute_removes_its_verified_flag() {
    let schema = pool_schema();
    let current = map(&[
        ("email", "a@example.com"),
        ("phone_number", "+12065551212"),
        ("phone_number_verified", "true"),
        ("custom:tier", "gold"),
    ]);
    let next = schema
        .validate_delete(
            &current,
            &[
                "phone_number".into(),
                "custom:tier".into(),
                "nickname".into(),
            ],
            AttributeWriter::User,
        )
        .expect("valid");
    assert_eq!(next, map(&[("email", "a@example.com")]));
    // An empty value in an update deletes too.
    let update = schema
        .validate_update(
            &current,
            &map(&[("phone_number", "")]),
            AttributeWriter::User,
            &[],
        )
        .expect("valid");
    assert!(!update.attributes.contains_key("phone_number"));
    assert!(!update.attributes.contains_key("phone_number_verified"));
}

#[test]
fn deletions_are_refused_with_cognitos_messages() {
    let schema = pool_schema();
    let current = map(&[("email", "a@example.com"), ("custom:level", "12")]);
    let cases: &[(&[&str], &str)] = &[
        (
            &["foo"],
            "Invalid user attributes: user.foo: Attribute does not exist in the schema.\n",
        ),
        (
            &["foo", "bar"],
            "Invalid user attributes: user.foo: Attribute does not exist in the schema.\nuser.bar: Attribute does not exist in the schema.\n",
        ),
        (
            &["email"],
            "Invalid user attributes: user.email: The attribute is required\n",
        ),
        (
            &["custom:level"],
            "Invalid user attributes: user.custom:level: Attribute cannot be updated.\n",
        ),
        (
            &["sub"],
            "Invalid user attributes: user.sub: Attribute cannot be updated.\n",
        ),
    ];
    for (names, expected) in cases {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let (code, text) =
            message(schema.validate_delete(&current, &names, AttributeWriter::Administrator));
        assert_eq!(code, INVALID_PARAMETER);
        assert_eq!(text, *expected);
    }
}

#[test]
fn refusals_carry_the_kind_and_each_problem() {
    let schema = pool_schema();
    let Err(Error::InvalidAttributes(errors)) = schema.validate_update(
        &BTreeMap::new(),
        &map(&[("thing", "x"), ("custom:tier", "toolong")]),
        AttributeWriter::Administrator,
        &[],
    ) else {
        panic!("expected InvalidAttributes");
    };
    assert_eq!(errors.kind(), WriteKind::Update);
    assert_eq!(
        errors.problems(),
        [
            (
                "custom:tier".to_owned(),
                AttributeProblem::TooLong { max: 5 }
            ),
            ("thing".to_owned(), AttributeProblem::NotInSchema),
        ]
    );
}

// ---- properties --------------------------------------------------------------------

fn attribute_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(STANDARD_ATTRIBUTE_NAMES.to_vec()).prop_map(str::to_owned),
        proptest::sample::select(vec![
            "custom:tier",
            "custom:level",
            "custom:admin",
            "dev:custom:legacy",
            "custom:nope",
            "thing",
        ])
        .prop_map(str::to_owned),
    ]
}

fn attribute_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("true".to_owned()),
        Just("15".to_owned()),
        Just("a@example.com".to_owned()),
        Just("+12065551212".to_owned()),
        ".{0,12}",
    ]
}

proptest! {
    /// Every write gets a stored map or a typed error, never a panic; and whatever is
    /// returned passes the same validation again (what is stored is valid).
    #[test]
    fn validation_is_total_and_what_it_returns_is_valid(
        writes in proptest::collection::btree_map(attribute_name(), attribute_value(), 0..6),
        admin in any::<bool>(),
    ) {
        let schema = pool_schema();
        let writer = if admin { AttributeWriter::Administrator } else { AttributeWriter::User };
        if let Ok(stored) = schema.validate_create(&writes, writer) {
            prop_assert!(stored.keys().all(|k| schema.get(k).is_some()));
            prop_assert!(stored.values().all(|v| !v.is_empty()));
            let again = schema.validate_create(&stored, AttributeWriter::Administrator);
            prop_assert_eq!(again.as_ref().ok(), Some(&stored));
            if let Some(email) = stored.get("email") {
                prop_assert!(userpool_core::schema::is_email_address(email));
            }
        }
        let current = map(&[("email", "a@example.com"), ("custom:level", "12")]);
        match schema.validate_update(&current, &writes, writer, &[VerifiableAttribute::Email]) {
            Ok(update) => {
                prop_assert!(update.attributes.contains_key("email") || update.pending.is_empty());
                prop_assert_eq!(update.attributes.get("custom:level"), current.get("custom:level"));
            }
            Err(e) => prop_assert!(matches!(e.code(), "InvalidParameterException" | "NotAuthorizedException")),
        }
    }

    /// A phone number is accepted exactly when it is `+` and 2..=15 digits not led by 0.
    #[test]
    fn phone_numbers_are_e164(digits in "[0-9]{0,17}", plus in any::<bool>()) {
        let value = if plus { format!("+{digits}") } else { digits.clone() };
        let expected = plus && (2..=15).contains(&digits.len()) && !digits.starts_with('0');
        prop_assert_eq!(userpool_core::schema::is_e164_phone_number(&value), expected);
    }
}
