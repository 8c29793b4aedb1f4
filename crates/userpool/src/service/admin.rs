//! Admin user operations: each asks the host's authoriser first (SPEC §7).

use userpool_core::{
    AdminSetUserPasswordInput, AttributeWriter, Constraint, Context, Event, PoolRules, Result,
    UserRecord, transitions,
};

use super::filter::Filter;
use super::inputs::{
    AdminCreateUserInput, AdminUpdateUserAttributesInput, AdminUserInput, ListUsersInput, MAX_LIMIT,
};
use super::paging::PageToken;
use super::{ListUsersPage, MessageAction, UserDescription, UserPools, names};
use crate::authorize::Caller;
use crate::ratelimit::Category;
use userpool_store::keys;
use userpool_store::store::Store;

/// The listing name ListUsers' page tokens carry.
const USERS_SCOPE: &str = "users";

impl<S: Store + ?Sized> UserPools<S> {
    /// **AdminSetUserPassword** (SPEC §3, §5): from any status, `permanent` → CONFIRMED,
    /// otherwise (absent means `false`) FORCE_CHANGE_PASSWORD with a new expiry. Works on
    /// disabled users and leaves `Enabled` alone. Returns the user as written (Cognito
    /// answers `{}`).
    ///
    /// Concurrent calls on one user serialise through compare-and-swap: each success
    /// advances the version by exactly one, and the last writer's password is the one that
    /// verifies.
    ///
    /// # Errors
    /// `InvalidParameterException` (every violated member listed), `NotAuthorizedException`
    /// (the authoriser refused), `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `UserNotFoundException`, `InvalidPasswordException`,
    /// `PasswordHistoryPolicyViolationException`, `InternalErrorException`.
    pub fn admin_set_user_password(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        password: &str,
        permanent: Option<bool>,
    ) -> Result<UserDescription> {
        let input = AdminSetUserPasswordInput::parse(
            Some(pool_id),
            Some(username),
            Some(password),
            permanent,
        )?;
        self.admin_set_user_password_input(caller, &input)
    }

    /// **AdminSetUserPassword** from an input the host already validated with
    /// [`AdminSetUserPasswordInput::parse`] (every member, missing ones included, reported
    /// together in Cognito's order): what a wire front end calls, so that a request is
    /// validated once and its password lives only in zeroizing memory.
    ///
    /// # Errors
    /// As [`UserPools::admin_set_user_password`], without `InvalidParameterException`.
    pub fn admin_set_user_password_input(
        &self,
        caller: &Caller,
        input: &AdminSetUserPasswordInput,
    ) -> Result<UserDescription> {
        let id = &input.user_pool_id;
        self.authorize(caller, "AdminSetUserPassword", id)?;
        self.limit(id, Category::UserAccountRecovery)?;
        // One read (pool and user together) and one write: the store's whole cost.
        let (pool, user) = self.pool_and_user(id, &input.username)?;
        let rules = self.rules(&pool)?;
        let user = self.transition_from(&pool, &input.username, Some(user), |user, ctx| {
            Ok(transitions::admin_set_user_password(
                user,
                &input.password,
                input.permanent,
                &rules,
                ctx,
            )?)
        })?;
        Ok(UserDescription::from(&user))
    }

    /// **AdminCreateUser** (SPEC §3): a FORCE_CHANGE_PASSWORD user with the given temporary
    /// password, or one generated to satisfy the policy; the password goes to the
    /// [`crate::Delivery`] unless `SUPPRESS`. With `RESEND`, an existing
    /// FORCE_CHANGE_PASSWORD user gets a new temporary password and its expiry restarts.
    ///
    /// A new user's username and alias values may not take a name another user is found
    /// by, exactly as for [`UserPools::sign_up`] (SPEC §8). In a pool with username
    /// attributes, `username` is an email address or phone number, stored as that
    /// attribute, and the user's username is its `sub`, as for [`UserPools::sign_up`];
    /// with `RESEND`, `username` finds the user as any lookup does.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UsernameExistsException`, `AliasExistsException`,
    /// `InvalidPasswordException`, `UserNotFoundException` and
    /// `UnsupportedUserStateException` (RESEND), `InternalErrorException`; the PreSignUp
    /// trigger's errors (SPEC §19, `PreSignUp_AdminCreateUser`), before anything is written.
    pub fn admin_create_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        temporary_password: Option<&str>,
        attributes: &[(&str, &str)],
        message_action: Option<MessageAction>,
    ) -> Result<UserDescription> {
        let mut input = AdminCreateUserInput::parse(
            Some(pool_id),
            Some(username),
            temporary_password,
            attributes,
            None,
        )?;
        input.message_action = message_action;
        self.admin_create_user_input(caller, &input)
    }

    /// **AdminCreateUser** from an input validated once by [`AdminCreateUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_create_user`].
    pub fn admin_create_user_input(
        &self,
        caller: &Caller,
        input: &AdminCreateUserInput,
    ) -> Result<UserDescription> {
        let (name, password) = (input.username.clone(), input.temporary_password.clone());
        let (mut attributes, message_action) = (input.attributes.clone(), input.message_action);
        let id = &input.user_pool_id;
        let pool = self.admin(caller, "AdminCreateUser", Category::UserCreation, id)?;
        let rules = self.rules(&pool)?;
        let user = if message_action == Some(MessageAction::Resend) {
            self.transition(&pool, &name, |user, ctx| {
                Ok(transitions::resend_invitation(
                    user,
                    password.clone(),
                    &rules,
                    ctx,
                )?)
            })?
        } else {
            let new_name = names::new_user_name(&pool, &name, &mut attributes)?;
            let attributes = pool
                .schema
                .validate_create(&attributes, AttributeWriter::Administrator)?;
            // PreSignUp_AdminCreateUser (SPEC §19): its refusal creates nothing. Its answer
            // is not applied **(decision)**: the user is FORCE_CHANGE_PASSWORD by the
            // operation's contract, and the administrator sets verified flags directly.
            let sub = self.chosen_sub(new_name)?;
            self.pre_sign_up(
                None,
                &pool,
                &sub.map_or_else(|| name.as_str().to_owned(), |s| s.to_string()),
                &attributes,
                userpool_core::triggers::PreSignUpSource::AdminCreateUser,
            )?;
            let deliver = message_action != Some(MessageAction::Suppress);
            self.create(&pool, deliver, |ctx| {
                let (user, event) =
                    transitions::admin_create_user(name, attributes, password, &rules, ctx)?;
                let password = match &event {
                    Event::UserCreated {
                        temporary_password, ..
                    } => Some(temporary_password),
                    _ => None,
                };
                let user = names::name_new_user(new_name, user, sub, password, &rules, ctx)?;
                Ok((user, event))
            })
            .map_err(|e| names::creation_error(new_name, e))?
        };
        Ok(UserDescription::from(&user))
    }

    /// **AdminGetUser**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn admin_get_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<UserDescription> {
        self.admin_get_user_input(
            caller,
            &AdminUserInput::parse(Some(pool_id), Some(username))?,
        )
    }

    /// **AdminGetUser** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_get_user`].
    pub fn admin_get_user_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<UserDescription> {
        let (_, user) = self.admin_pool_user(caller, "AdminGetUser", Category::UserRead, input)?;
        Ok(UserDescription::from(&user))
    }

    /// **AdminDeleteUser**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn admin_delete_user(&self, caller: &Caller, pool_id: &str, username: &str) -> Result<()> {
        self.admin_delete_user_input(
            caller,
            &AdminUserInput::parse(Some(pool_id), Some(username))?,
        )
    }

    /// **AdminDeleteUser** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_delete_user`].
    pub fn admin_delete_user_input(&self, caller: &Caller, input: &AdminUserInput) -> Result<()> {
        let (pool, user) =
            self.admin_pool_user(caller, "AdminDeleteUser", Category::UserUpdate, input)?;
        self.delete_user_record(&pool, &input.username, Some(user))
    }

    /// **AdminDisableUser**: `Enabled` false, status unchanged; open challenges are voided
    /// and every token session revoked.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn admin_disable_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<UserDescription> {
        self.admin_disable_user_input(
            caller,
            &AdminUserInput::parse(Some(pool_id), Some(username))?,
        )
    }

    /// **AdminDisableUser** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_disable_user`].
    pub fn admin_disable_user_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<UserDescription> {
        let user = self.admin_transition(
            caller,
            "AdminDisableUser",
            Category::UserUpdate,
            input,
            |user, _, ctx| transitions::admin_disable_user(user, ctx),
        )?;
        // A disabled user's tokens stop working at once, as in Cognito.
        self.revoke_sessions(&input.user_pool_id, user.sub)?;
        Ok(user)
    }

    /// **AdminEnableUser**: `Enabled` true, status unchanged.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `InternalErrorException`.
    pub fn admin_enable_user(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<UserDescription> {
        self.admin_enable_user_input(
            caller,
            &AdminUserInput::parse(Some(pool_id), Some(username))?,
        )
    }

    /// **AdminEnableUser** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_enable_user`].
    pub fn admin_enable_user_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<UserDescription> {
        self.admin_transition(
            caller,
            "AdminEnableUser",
            Category::UserUpdate,
            input,
            |user, _, ctx| transitions::admin_enable_user(user, ctx),
        )
    }

    /// **AdminConfirmSignUp**: UNCONFIRMED → CONFIRMED without a code, then the pool's
    /// PostConfirmation trigger (`PostConfirmation_ConfirmSignUp`, no app client; SPEC §19),
    /// whose refusal is the operation's error while the user stays confirmed, as after
    /// ConfirmSignUp.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (refused, or `User cannot be
    /// confirmed. Current status is ...`), `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, the trigger's errors,
    /// `InternalErrorException`.
    pub fn admin_confirm_sign_up(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<UserDescription> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        self.admin_confirm_sign_up_input(caller, &input)
    }

    /// **AdminConfirmSignUp** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_confirm_sign_up`].
    pub fn admin_confirm_sign_up_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<UserDescription> {
        let (pool, user) =
            self.admin_pool_user(caller, "AdminConfirmSignUp", Category::UserCreation, input)?;
        let user = self.transition_from(&pool, &input.username, Some(user), |user, ctx| {
            Ok(transitions::admin_confirm_sign_up(user, ctx)?)
        })?;
        // PostConfirmation_ConfirmSignUp runs here too, without an app client, as Cognito's
        // (SPEC §19).
        self.post_confirmation(
            None,
            &pool,
            &user,
            userpool_core::triggers::PostConfirmationSource::ConfirmSignUp,
        )?;
        Ok(UserDescription::from(&user))
    }

    /// **AdminResetUserPassword**: CONFIRMED → RESET_REQUIRED; the password stops working
    /// and a reset code goes to the [`crate::Delivery`].
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (refused, or `User password
    /// cannot be reset in the current state.`), `TooManyRequestsException`,
    /// `ResourceNotFoundException`, `UserNotFoundException`, `LimitExceededException` (the
    /// user already got five reset codes this hour, SPEC §12: nothing changes and nothing
    /// is sent), `InternalErrorException`.
    pub fn admin_reset_user_password(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
    ) -> Result<UserDescription> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        self.admin_reset_user_password_input(caller, &input)
    }

    /// **AdminResetUserPassword** from an input validated once by [`AdminUserInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_reset_user_password`].
    pub fn admin_reset_user_password_input(
        &self,
        caller: &Caller,
        input: &AdminUserInput,
    ) -> Result<UserDescription> {
        self.admin_transition(
            caller,
            "AdminResetUserPassword",
            Category::UserAccountRecovery,
            input,
            transitions::admin_reset_user_password,
        )
    }

    /// **AdminUpdateUserAttributes**: sets attributes (an empty value removes one). A
    /// changed email or phone number loses its verified flag unless the update sets it.
    /// An alias value the user newly holds that finds another user (as username, alias
    /// value or `sub`) is `AliasExistsException` (SPEC §8).
    ///
    /// # Errors
    /// `InvalidParameterException` (including an attempt to change `sub`),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `UserNotFoundException`, `AliasExistsException`, `InternalErrorException`.
    pub fn admin_update_user_attributes(
        &self,
        caller: &Caller,
        pool_id: &str,
        username: &str,
        attributes: &[(&str, &str)],
    ) -> Result<UserDescription> {
        let input =
            AdminUpdateUserAttributesInput::parse(Some(pool_id), Some(username), Some(attributes))?;
        self.admin_update_user_attributes_input(caller, &input)
    }

    /// **AdminUpdateUserAttributes** from an input validated once by
    /// [`AdminUpdateUserAttributesInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::admin_update_user_attributes`].
    pub fn admin_update_user_attributes_input(
        &self,
        caller: &Caller,
        input: &AdminUpdateUserAttributesInput,
    ) -> Result<UserDescription> {
        let (action, category) = ("AdminUpdateUserAttributes", Category::UserUpdate);
        let pool = self.admin_user(caller, action, category, &input.user)?;
        let (user, _) = self.update_attributes(
            &pool,
            &input.user.username,
            &input.attributes,
            AttributeWriter::Administrator,
        )?;
        Ok(UserDescription::from(&user))
    }

    /// **ListUsers**: users in username order, `limit` per page (Cognito's 0..=60, 0 or
    /// absent meaning 60), starting after `pagination_token` (one this operation handed out
    /// for this pool; any other is refused), keeping only those `filter` matches.
    ///
    /// `filter` is Cognito's `name = "value"` or `name ^= "prefix"` on `username`, `email`,
    /// `phone_number`, `name`, `given_name`, `family_name`, `preferred_username`,
    /// `cognito:user_status`, `status` or `sub`. In a case-insensitive pool a `username`
    /// filter compares case-folded, as the pool compares usernames (SPEC §8); `status`
    /// (`Enabled`/`Disabled`) ignores case, as Cognito documents. A filtered page scans the
    /// store a bounded page at a time.
    ///
    /// # Errors
    /// `InvalidParameterException` (a limit out of range, `Invalid pagination token`,
    /// `Error while parsing filter.`, `Invalid search attribute: <name>`),
    /// `NotAuthorizedException`, `TooManyRequestsException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn list_users(
        &self,
        caller: &Caller,
        pool_id: &str,
        limit: Option<i64>,
        pagination_token: Option<&str>,
        filter: Option<&str>,
    ) -> Result<ListUsersPage> {
        let input = ListUsersInput::parse(Some(pool_id), limit, pagination_token, filter)?;
        self.list_users_input(caller, &input)
    }

    /// **ListUsers** from an input validated once by [`ListUsersInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::list_users`].
    pub fn list_users_input(
        &self,
        caller: &Caller,
        input: &ListUsersInput,
    ) -> Result<ListUsersPage> {
        let (id, limit) = (&input.user_pool_id, input.limit);
        let filter = input.filter.as_deref().map(Filter::parse).transpose()?;
        let pool = self.admin(caller, "ListUsers", Category::UserRead, id)?;
        let mut after = PageToken::resume(id, USERS_SCOPE, input.pagination_token.as_deref())?;
        let mut matched: Vec<UserDescription> = Vec::new();
        loop {
            // One more than needed, to know whether another page follows.
            let page = self.store.list_users(id, after.as_deref(), MAX_LIMIT + 1)?;
            let store_has_more = page.len() > MAX_LIMIT;
            let mut scanned = page.into_iter().take(MAX_LIMIT).peekable();
            while let Some(user) = scanned.next() {
                let user = UserDescription::from(&user);
                after = Some(keys::username_key(&pool, &user.username));
                if filter
                    .as_ref()
                    .is_none_or(|f| f.matches(&user, pool.case_sensitive))
                {
                    matched.push(user);
                    if matched.len() == limit {
                        let more = scanned.peek().is_some() || store_has_more;
                        let pagination_token = more
                            .then(|| {
                                after
                                    .as_deref()
                                    .map(|k| PageToken::issue(id, USERS_SCOPE, k))
                            })
                            .flatten();
                        return Ok(ListUsersPage {
                            users: matched,
                            pagination_token,
                        });
                    }
                }
            }
            if !store_has_more {
                return Ok(ListUsersPage {
                    users: matched,
                    pagination_token: None,
                });
            }
        }
    }

    /// ListUsers' page size from its `Limit`: Cognito's 0..=60, 0 or absent meaning 60. A
    /// host that checks members before calling [`UserPools::list_users`] (to report them
    /// together, as Cognito does) asks here.
    ///
    /// # Errors
    /// The constraint a `Limit` out of range breaks.
    pub fn list_users_limit(limit: Option<i64>) -> std::result::Result<usize, Constraint> {
        super::inputs::limit_page(limit)
    }

    /// The prelude of the admin operations that take only a pool and a username, given
    /// as text: validated, then [`Self::admin_user`].
    pub(super) fn admin_user_str(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        pool_id: &str,
        username: &str,
    ) -> Result<(crate::PoolRecord, userpool_core::Username)> {
        let input = AdminUserInput::parse(Some(pool_id), Some(username))?;
        let pool = self.admin_user(caller, action, category, &input)?;
        Ok((pool, input.username))
    }

    /// The prelude of the admin operations on one user: the authoriser and the pool's
    /// quota, then the pool.
    pub(super) fn admin_user(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        input: &AdminUserInput,
    ) -> Result<crate::PoolRecord> {
        self.admin(caller, action, category, &input.user_pool_id)
    }

    /// The prelude of the admin operations that read one user: the authoriser and the
    /// pool's quota, then the pool and the user together (one store read, as
    /// AdminSetUserPassword does).
    fn admin_pool_user(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        input: &AdminUserInput,
    ) -> Result<(crate::PoolRecord, UserRecord)> {
        self.authorize(caller, action, &input.user_pool_id)?;
        self.limit(&input.user_pool_id, category)?;
        self.pool_and_user(&input.user_pool_id, &input.username)
    }

    /// The shape of every admin operation that is one core transition on one user:
    /// [`Self::admin_pool_user`], then `op` under compare-and-swap.
    fn admin_transition(
        &self,
        caller: &Caller,
        action: &str,
        category: Category,
        input: &AdminUserInput,
        mut op: impl FnMut(&UserRecord, &PoolRules, &mut Context<'_>) -> Result<(UserRecord, Event)>,
    ) -> Result<UserDescription> {
        let (pool, user) = self.admin_pool_user(caller, action, category, input)?;
        let rules = self.rules(&pool)?;
        let user = self.transition_from(&pool, &input.username, Some(user), |user, ctx| {
            Ok(op(user, &rules, ctx)?)
        })?;
        Ok(UserDescription::from(&user))
    }
}
