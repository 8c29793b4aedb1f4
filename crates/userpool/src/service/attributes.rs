//! SPEC §16: AddCustomAttributes, the user's own attribute and account operations, the
//! attribute deletions, the app-client operations beyond create and describe, and
//! GetCSVHeader. Attribute writes are checked against the pool's schema
//! ([`userpool_core::Schema`]) all-or-nothing.

use std::collections::BTreeMap;

use userpool_core::{
    AttributeWriter, Error, Internal, Result, SchemaAttributeInput, UserPoolId, Username,
    VerifiableAttribute, transitions,
};

use super::inputs::{
    AddCustomAttributesInput, AdminDeleteUserAttributesInput, ListUserPoolClientsInput,
    PoolClientInput, PoolInput, UpdateUserPoolClientInput,
};
use super::{ClientPage, ClientUpdate, CodeDeliveryDetails, UserPools};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::store::{Store, StoreError};

/// The refusal to delete the `phone_number` SMS MFA sends to (SPEC §18). Cognito refuses
/// the deletion too **(decision: its message is not documented; this one says what to do)**.
const PHONE_HOLDS_SMS_MFA: &str =
    "phone_number cannot be deleted while SMS MFA is enabled for the user. Turn SMS MFA off first.";

impl<S: Store + ?Sized> UserPools<S> {
    /// **AddCustomAttributes**: appends custom (`custom:`) or developer-only
    /// (`dev:custom:`) attributes to the pool's schema, all or nothing (SPEC §16).
    ///
    /// # Errors
    /// `InvalidParameterException` (see [`userpool_core::Schema::with_custom_attributes`]),
    /// `NotAuthorizedException`, `ResourceNotFoundException`, `InternalErrorException`.
    pub fn add_custom_attributes(
        &self,
        caller: &Caller,
        pool_id: &str,
        attributes: &[SchemaAttributeInput],
    ) -> Result<PoolRecord> {
        let input = AddCustomAttributesInput::parse(Some(pool_id), Some(attributes))?;
        self.add_custom_attributes_input(caller, &input)
    }

    /// **AddCustomAttributes** from an input validated once by
    /// [`AddCustomAttributesInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::add_custom_attributes`].
    pub fn add_custom_attributes_input(
        &self,
        caller: &Caller,
        input: &AddCustomAttributesInput,
    ) -> Result<PoolRecord> {
        let id = &input.user_pool_id;
        self.authorize(caller, "AddCustomAttributes", id)?;
        for _ in 0..self.max_attempts {
            let mut record = self.pool(id)?;
            record.schema = record.schema.with_custom_attributes(&input.attributes)?;
            record.modified_at = self.clock.now();
            match self.store.update_pool(&record) {
                Ok(version) => {
                    self.forget_rules(id);
                    return Ok(PoolRecord { version, ..record });
                }
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// How many users the pool has (DescribeUserPool's `EstimatedNumberOfUsers`). The
    /// caller was authorised by the describe it accompanies.
    ///
    /// # Errors
    /// `ResourceNotFoundException`, `InternalErrorException`.
    pub fn estimated_number_of_users(&self, pool_id: &UserPoolId) -> Result<u64> {
        Ok(self.store.count_users(pool_id)?)
    }

    /// Writes the attributes `decide` returns for the user, under compare-and-swap.
    pub(super) fn write_attributes(
        &self,
        pool: &PoolRecord,
        name: &userpool_core::Username,
        mut decide: impl FnMut(
            &userpool_core::UserRecord,
        ) -> Result<std::collections::BTreeMap<String, String>>,
    ) -> Result<userpool_core::UserRecord> {
        let (user, ()) = self.mutate(pool, name, |user, ctx| {
            let attributes = decide(user)?;
            if attributes == user.attributes {
                return Ok((None, ()));
            }
            // The phone number SMS MFA sends to is not deleted from under it (SPEC §18): a
            // stolen access token must not strip the second factor. Cognito refuses this
            // deletion too; changing the number stays possible.
            let has_phone = |a: &std::collections::BTreeMap<String, String>| {
                a.get("phone_number").is_some_and(|p| !p.is_empty())
            };
            if has_phone(&user.attributes)
                && !has_phone(&attributes)
                && userpool_core::mfa::sms_factor_active(user, &pool.mfa)?
            {
                return Err(Error::InvalidParameterMessage(PHONE_HOLDS_SMS_MFA.into()).into());
            }
            let mut next = user.clone();
            next.attributes = attributes;
            next.modified_at = ctx.now;
            Ok((Some(next), ()))
        })?;
        Ok(user)
    }

    /// **AdminDeleteUserAttributes** (SPEC §16): deleting `email` or `phone_number`
    /// deletes its verified flag; an attribute the user does not have changes nothing.
    /// The `phone_number` of a user whose sign-in asks for an SMS code is not deleted
    /// (SPEC §18): turn SMS MFA off first (AdminSetUserMFAPreference), or change the number.
    ///
    /// # Errors
    /// `InvalidParameterException` (`Invalid user attributes: user.<name>: ...` for names
    /// not in the schema, immutable or required attributes; `phone_number cannot be deleted while
    /// SMS MFA is enabled for the user. ...` for the phone number SMS MFA sends to),
    /// `NotAuthorizedException`,
    /// `TooManyRequestsException`, `ResourceNotFoundException`, `UserNotFoundException`,
    /// `InternalErrorException`.
    pub fn admin_delete_user_attributes(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        names: &[&str],
    ) -> Result<()> {
        let input =
            AdminDeleteUserAttributesInput::parse(Some(pool_id), Some(username), Some(names))?;
        self.admin_delete_user_attributes_input(caller, &input)
    }

    /// **AdminDeleteUserAttributes** from an input validated once by
    /// [`AdminDeleteUserAttributesInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_delete_user_attributes`].
    pub fn admin_delete_user_attributes_input(
        &self,
        caller: &Caller,
        input: &AdminDeleteUserAttributesInput,
    ) -> Result<()> {
        let (action, category) = ("AdminDeleteUserAttributes", Category::UserUpdate);
        let pool = self.admin_user(caller, action, category, &input.user)?;
        self.write_attributes(&pool, &input.user.username, |user| {
            pool.schema.validate_delete(
                &user.attributes,
                &input.names,
                AttributeWriter::Administrator,
            )
        })?;
        Ok(())
    }

    /// **UpdateUserAttributes**, by the user (the wire layer maps the access token to the
    /// pool and username): as AdminUpdateUserAttributes, except that the user may not write
    /// `sub`, the verified flags or developer-only attributes (NotAuthorizedException `A
    /// client attempted to write unauthorized attribute`). A changed email or phone number
    /// the pool auto-verifies gets a verification code, as Cognito sends one; the result
    /// lists where codes went (`CodeDeliveryDetailsList`).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `AliasExistsException`,
    /// `LimitExceededException` (the code's issuance limit; the attributes are written),
    /// `InternalErrorException`.
    pub fn update_user_attributes(
        &self,
        pool_id: &str,
        username: &str,
        attributes: &[(&str, &str)],
    ) -> Result<Vec<CodeDeliveryDetails>> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let updates = v.attributes("userAttributes", attributes);
        v.finish()?;
        let (id, name, updates) = (accepted(id)?, accepted(name)?, accepted(updates)?);
        self.update_user_attributes_of(&id, &name, &updates)
    }

    /// [`Self::update_user_attributes`] once its members are valid.
    pub(super) fn update_user_attributes_of(
        &self,
        id: &UserPoolId,
        name: &Username,
        updates: &BTreeMap<String, String>,
    ) -> Result<Vec<CodeDeliveryDetails>> {
        self.limit(id, Category::UserUpdate)?;
        let pool = self.pool(id)?;
        let (user, mut deliveries) =
            self.update_attributes(&pool, name, updates, AttributeWriter::User)?;
        for attribute in &pool.settings.auto_verified_attributes {
            let changed = updates
                .get(attribute.as_str())
                .is_some_and(|v| !v.is_empty());
            let unverified = user
                .attributes
                .get(attribute.verified_flag())
                .is_none_or(|f| f != "true");
            if changed && unverified {
                let rules = self.rules(&pool)?;
                let sent = self.transition(&pool, name, |user, ctx| {
                    Ok(transitions::get_user_attribute_verification_code(
                        user, *attribute, &rules, ctx,
                    )?)
                })?;
                deliveries.extend(CodeDeliveryDetails::for_attribute(&sent, *attribute));
            }
        }
        Ok(deliveries)
    }

    /// Writes an attribute update checked against the schema; a change the pool holds until
    /// it is verified (`AttributesRequireVerificationBeforeUpdate`) gets a code sent to the
    /// new value instead. Returns the user as written and where held changes' codes went.
    pub(super) fn update_attributes(
        &self,
        pool: &PoolRecord,
        name: &userpool_core::Username,
        updates: &std::collections::BTreeMap<String, String>,
        writer: AttributeWriter,
    ) -> Result<(userpool_core::UserRecord, Vec<CodeDeliveryDetails>)> {
        let mut held = std::collections::BTreeMap::new();
        let user = self.write_attributes(pool, name, |user| {
            let update = pool.schema.validate_update(
                &user.attributes,
                updates,
                writer,
                &pool.settings.attributes_require_verification_before_update,
            )?;
            held = update.pending;
            Ok(update.attributes)
        })?;
        if held.is_empty() {
            return Ok((user, Vec::new()));
        }
        let rules = self.rules(pool)?;
        self.hold_attribute_updates(pool, user, held, &rules)
    }

    /// Holds each change the pool keeps until it is verified, a code going to the new
    /// value (SPEC §16). Returns the user as last written and where the codes went.
    pub(super) fn hold_attribute_updates(
        &self,
        pool: &PoolRecord,
        mut user: userpool_core::UserRecord,
        held: BTreeMap<VerifiableAttribute, String>,
        rules: &userpool_core::PoolRules,
    ) -> Result<(userpool_core::UserRecord, Vec<CodeDeliveryDetails>)> {
        let mut deliveries = Vec::new();
        for (attribute, value) in held {
            user = self.transition(pool, &user.username, |user, ctx| {
                Ok(transitions::hold_attribute_update(
                    user,
                    attribute,
                    value.clone(),
                    rules,
                    ctx,
                )?)
            })?;
            deliveries.push(CodeDeliveryDetails::for_value(attribute, &value));
        }
        Ok((user, deliveries))
    }

    /// **GetUserAttributeVerificationCode**, by the user: a code to verify their email or
    /// phone number goes to the [`crate::Delivery`] (SPEC §16). It replaces any other
    /// pending code and counts toward the sign-up codes' limit (SPEC §12).
    ///
    /// # Errors
    /// `InvalidParameterException` (not `email` or `phone_number`, or the user has no
    /// value for it), `NotAuthorizedException` (`User is disabled.`),
    /// `TooManyRequestsException`, `ResourceNotFoundException`, `UserNotFoundException`,
    /// `LimitExceededException`, `InternalErrorException`.
    pub fn get_user_attribute_verification_code(
        &self,
        pool_id: &str,
        username: &str,
        attribute: &str,
    ) -> Result<Option<CodeDeliveryDetails>> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        self.get_user_attribute_verification_code_of(&id, &name, attribute)
    }

    /// [`Self::get_user_attribute_verification_code`] once its members are valid.
    pub(super) fn get_user_attribute_verification_code_of(
        &self,
        id: &UserPoolId,
        name: &Username,
        attribute: &str,
    ) -> Result<Option<CodeDeliveryDetails>> {
        let attribute = VerifiableAttribute::parse(attribute)?;
        self.limit(id, Category::UserUpdate)?;
        let pool = self.pool(id)?;
        let rules = self.rules(&pool)?;
        let user = self.transition(&pool, name, |user, ctx| {
            Ok(transitions::get_user_attribute_verification_code(
                user, attribute, &rules, ctx,
            )?)
        })?;
        Ok(CodeDeliveryDetails::for_attribute(&user, attribute))
    }

    /// **VerifyUserAttribute**, by the user: with the code, `email_verified` (or
    /// `phone_number_verified`) becomes `true`. A verified value that is another user's
    /// name is `AliasExistsException` (SPEC §8). Wrong codes count as in SPEC §12.
    ///
    /// # Errors
    /// `InvalidParameterException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `CodeMismatchException`,
    /// `ExpiredCodeException`, `LimitExceededException`, `AliasExistsException`,
    /// `InternalErrorException`.
    pub fn verify_user_attribute(
        &self,
        pool_id: &str,
        username: &str,
        attribute: &str,
        code: &str,
    ) -> Result<()> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        let code = v.code(code);
        v.finish()?;
        let (id, name, code) = (accepted(id)?, accepted(name)?, accepted(code)?);
        self.verify_user_attribute_of(&id, &name, attribute, &code)
    }

    /// [`Self::verify_user_attribute`] once its members are valid.
    pub(super) fn verify_user_attribute_of(
        &self,
        id: &UserPoolId,
        name: &Username,
        attribute: &str,
        code: &userpool_core::ConfirmationCode,
    ) -> Result<()> {
        let attribute = VerifiableAttribute::parse(attribute)?;
        self.limit(id, Category::UserUpdate)?;
        let pool = self.pool(id)?;
        let rules = self.rules(&pool)?;
        self.transition(&pool, name, |user, ctx| {
            transitions::verify_user_attribute(user, attribute, code, &rules, ctx)
        })?;
        Ok(())
    }

    /// **DeleteUserAttributes**, by the user.
    ///
    /// # Errors
    /// As [`UserPools::admin_delete_user_attributes`], and `NotAuthorizedException` for
    /// `sub`, the verified flags and developer-only attributes.
    pub fn delete_user_attributes(
        &self,
        pool_id: &str,
        username: &str,
        names: &[&str],
    ) -> Result<()> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        self.delete_user_attributes_of(&id, &name, &names)
    }

    /// [`Self::delete_user_attributes`] once its members are valid.
    pub(super) fn delete_user_attributes_of(
        &self,
        id: &UserPoolId,
        name: &Username,
        names: &[String],
    ) -> Result<()> {
        self.limit(id, Category::UserUpdate)?;
        let pool = self.pool(id)?;
        self.write_attributes(&pool, name, |user| {
            pool.schema
                .validate_delete(&user.attributes, names, AttributeWriter::User)
        })?;
        Ok(())
    }

    /// **DeleteUser**, by the user: the user, their group memberships and their token
    /// sessions go.
    ///
    /// # Errors
    /// `InvalidParameterException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn delete_user(&self, pool_id: &str, username: &str) -> Result<()> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        let name = v.username(username);
        v.finish()?;
        let (id, name) = (accepted(id)?, accepted(name)?);
        self.limit(&id, Category::UserUpdate)?;
        let pool = self.pool(&id)?;
        self.delete_user_record(&pool, &name, None)
    }

    /// **ListUserPoolClients**: `max_results` 1..=60 (absent: 60), in client-id order,
    /// after `next_token` (the last client id of the previous page).
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn list_user_pool_clients(
        &self,
        caller: &Caller,
        pool_id: &str,
        max_results: Option<usize>,
        next_token: Option<&str>,
    ) -> Result<ClientPage> {
        let max_results = max_results.map(|m| i64::try_from(m).unwrap_or(i64::MAX));
        let input = ListUserPoolClientsInput::parse(Some(pool_id), max_results, next_token)?;
        self.list_user_pool_clients_input(caller, &input)
    }

    /// **ListUserPoolClients** from an input validated once by
    /// [`ListUserPoolClientsInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::list_user_pool_clients`].
    pub fn list_user_pool_clients_input(
        &self,
        caller: &Caller,
        input: &ListUserPoolClientsInput,
    ) -> Result<ClientPage> {
        let (id, limit) = (&input.user_pool_id, input.max_results);
        self.authorize(caller, "ListUserPoolClients", id)?;
        self.pool(id)?;
        let next_token = input.next_token.as_deref();
        let mut clients = self.store.list_clients(id, next_token, limit + 1)?;
        let more = clients.len() > limit;
        clients.truncate(limit);
        let next_token = more
            .then(|| clients.last().map(|c| c.client_id.clone()))
            .flatten();
        Ok(ClientPage {
            clients,
            next_token,
        })
    }

    /// **UpdateUserPoolClient**: the settings given replace the client's; those left out
    /// return to their defaults, as Cognito documents (a name left out keeps the name).
    /// The id, secret and creation time never change.
    ///
    /// # Errors
    /// `InvalidParameterException` (as CreateUserPoolClient), `NotAuthorizedException`,
    /// `ResourceNotFoundException` (pool or client), `InternalErrorException`.
    pub fn update_user_pool_client(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
        update: ClientUpdate,
    ) -> Result<ClientRecord> {
        let input = UpdateUserPoolClientInput::parse(Some(pool_id), Some(client_id), update)?;
        self.update_user_pool_client_input(caller, input)
    }

    /// **UpdateUserPoolClient** from an input validated once by
    /// [`UpdateUserPoolClientInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::update_user_pool_client`].
    pub fn update_user_pool_client_input(
        &self,
        caller: &Caller,
        input: UpdateUserPoolClientInput,
    ) -> Result<ClientRecord> {
        let (id, client_id) = (&input.client.user_pool_id, &input.client.client_id);
        let update = input.update;
        self.authorize(caller, "UpdateUserPoolClient", id)?;
        self.pool(id)?;
        let current = self.store.get_client(id, client_id)?.ok_or_else(|| {
            Error::ResourceNotFound(format!("User pool client {client_id} does not exist."))
        })?;
        self.check_client_oauth(id, &update.oauth, current.secret.is_some())?;
        let client = ClientRecord {
            name: update.client_name.unwrap_or_else(|| current.name.clone()),
            explicit_auth_flows: super::pools::auth_flows_or_default(update.explicit_auth_flows),
            prevent_user_existence_errors: update.prevent_user_existence_errors,
            oauth: update.oauth,
            // Never before its creation, whatever the clock did meanwhile.
            modified_at: self.clock.now().max(current.created_at),
            ..current
        };
        match self.store.update_client(&client) {
            Ok(()) => Ok(client),
            Err(StoreError::NotFound) => Err(Error::ResourceNotFound(format!(
                "User pool client {client_id} does not exist."
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// **DeleteUserPoolClient**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`
    /// (pool or client), `InternalErrorException`.
    pub fn delete_user_pool_client(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
    ) -> Result<()> {
        let input = PoolClientInput::parse(Some(pool_id), Some(client_id))?;
        self.delete_user_pool_client_input(caller, &input)
    }

    /// **DeleteUserPoolClient** from an input validated once by [`PoolClientInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_user_pool_client`].
    pub fn delete_user_pool_client_input(
        &self,
        caller: &Caller,
        input: &PoolClientInput,
    ) -> Result<()> {
        let (id, client_id) = (&input.user_pool_id, &input.client_id);
        self.authorize(caller, "DeleteUserPoolClient", id)?;
        self.pool(id)?;
        match self.store.delete_client(id, client_id) {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(Error::ResourceNotFound(format!(
                "User pool client {client_id} does not exist."
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// **GetCSVHeader**: the columns of a user import file for this pool — the standard
    /// attributes but `sub`, then `cognito:mfa_enabled` and `cognito:username`, then the
    /// custom and developer-only attributes, as Cognito lists them.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn get_csv_header(&self, caller: &Caller, pool_id: &str) -> Result<Vec<String>> {
        self.get_csv_header_input(caller, &PoolInput::parse(Some(pool_id))?)
    }

    /// **GetCSVHeader** from an input validated once by [`PoolInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::get_csv_header`].
    pub fn get_csv_header_input(&self, caller: &Caller, input: &PoolInput) -> Result<Vec<String>> {
        self.authorize(caller, "GetCSVHeader", &input.user_pool_id)?;
        let pool = self.pool(&input.user_pool_id)?;
        let mut header: Vec<String> = userpool_core::schema::csv_standard_columns()
            .chain(["cognito:mfa_enabled", "cognito:username"])
            .map(str::to_owned)
            .collect();
        header.extend(pool.schema.custom_attributes().map(|a| a.name.clone()));
        Ok(header)
    }
}
