//! Pool and app-client operations.

use userpool_core::{Constraint, Error, Internal, Result, UserPoolId};

use super::inputs::{CreateUserPoolClientInput, CreateUserPoolInput, PoolClientInput, PoolInput};
use super::rules::policy_with_blocklist;
use super::{ClientSettings, PoolPage, PoolSettings, PoolUpdate, UserPools};
use crate::authorize::Caller;
use crate::validate::{Validator, accepted};
use userpool_store::pool::{ClientRecord, PoolRecord};
use userpool_store::random::token;
use userpool_store::store::{Store, StoreError};

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// The auth flows Cognito knows (`ExplicitAuthFlowsType`): the legacy names first, then
/// the `ALLOW_` ones.
const AUTH_FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

/// [`AUTH_FLOWS`] as the constraint names them.
const AUTH_FLOWS_PATTERN: &str = "ADMIN_NO_SRP_AUTH|CUSTOM_AUTH_FLOW_ONLY|USER_PASSWORD_AUTH|\
    ALLOW_ADMIN_USER_PASSWORD_AUTH|ALLOW_CUSTOM_AUTH|ALLOW_USER_PASSWORD_AUTH|\
    ALLOW_USER_SRP_AUTH|ALLOW_REFRESH_TOKEN_AUTH|ALLOW_USER_AUTH";

/// Cognito's default flows when a client names none.
const DEFAULT_AUTH_FLOWS: &[&str] = &[
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
];

/// Records the violations of an `ExplicitAuthFlows` list: unknown flows, and `ALLOW_` names
/// mixed with legacy ones.
pub(super) fn check_auth_flows(v: &mut Validator, flows: &[String]) {
    for flow in flows {
        v.check(
            "explicitAuthFlows",
            (!AUTH_FLOWS.contains(&flow.as_str()))
                .then_some(Constraint::Pattern(AUTH_FLOWS_PATTERN)),
        );
    }
    // Cognito: "values with ALLOW_ prefix cannot be used along with values without
    // ALLOW_ prefix".
    let allow_prefixed = |f: &String| f.starts_with("ALLOW_");
    v.check(
        "explicitAuthFlows",
        (flows.iter().any(allow_prefixed) && !flows.iter().all(allow_prefixed)).then_some(
            Constraint::Inconsistent(
                "values with ALLOW_ prefix cannot be used along with values without ALLOW_ prefix",
            ),
        ),
    );
}

/// The flows given, or Cognito's defaults when none are.
pub(super) fn auth_flows_or_default(flows: Vec<String>) -> Vec<String> {
    if flows.is_empty() {
        DEFAULT_AUTH_FLOWS.iter().map(|f| (*f).to_owned()).collect()
    } else {
        flows
    }
}

impl<S: Store + ?Sized> UserPools<S> {
    /// **CreateUserPool**: a pool with a generated id (`<region>_<9 characters>`). The
    /// authoriser is asked for `CreateUserPool` on the id about to be created.
    ///
    /// # Errors
    /// `InvalidParameterException` (name out of its limits, hash parameters above the host's
    /// ceiling, both alias and username attributes set), `NotAuthorizedException`,
    /// `InternalErrorException`.
    pub fn create_user_pool(
        &self,
        caller: &Caller,
        name: &str,
        settings: PoolSettings,
    ) -> Result<PoolRecord> {
        let mut v = Validator::new();
        let name = v.name("poolName", name);
        self.check_pool_settings(&mut v, &settings);
        v.finish()?;
        self.create_pool(caller, accepted(name)?, &settings)
    }

    /// **CreateUserPool** from a name validated once by [`CreateUserPoolInput::parse`];
    /// the settings are checked here, against the host's limits.
    ///
    /// # Errors
    /// As [`UserPools::create_user_pool`].
    pub fn create_user_pool_input(
        &self,
        caller: &Caller,
        input: &CreateUserPoolInput,
        settings: PoolSettings,
    ) -> Result<PoolRecord> {
        let mut v = Validator::new();
        self.check_pool_settings(&mut v, &settings);
        v.finish()?;
        self.create_pool(caller, input.pool_name.clone(), &settings)
    }

    /// Records what a new pool's settings break: hash parameters above the host's ceiling,
    /// alias and username attributes both set.
    fn check_pool_settings(&self, v: &mut Validator, settings: &PoolSettings) {
        v.take(self.host.hasher(settings.hash_params));
        v.check(
            "aliasAttributes",
            (!settings.alias_attributes.is_empty() && !settings.username_attributes.is_empty())
                .then_some(Constraint::Inconsistent(
                    "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
                )),
        );
    }

    fn create_pool(
        &self,
        caller: &Caller,
        name: String,
        settings: &PoolSettings,
    ) -> Result<PoolRecord> {
        let schema = userpool_core::Schema::for_new_pool(&settings.schema)?;
        settings.settings.validate()?;
        let mfa =
            userpool_core::mfa::PoolMfaConfig::at_creation(settings.mfa_mode, &settings.settings)?;
        let policy = policy_with_blocklist(&settings.policy, None)?;
        let now = self.clock.now();
        let dedup = |mut list: Vec<_>| {
            list.sort();
            list.dedup();
            list
        };
        for _ in 0..self.max_attempts {
            let suffix = token(&*self.random, ALPHANUMERIC, 9)?;
            let id = UserPoolId::parse(&format!("{}_{suffix}", self.host.region()))?;
            self.authorize(caller, "CreateUserPool", &id)?;
            let mut record = PoolRecord {
                id,
                name: name.clone(),
                policy: policy.clone(),
                hash_params: settings.hash_params,
                history_mode: settings.history_mode,
                alias_attributes: dedup(settings.alias_attributes.clone()),
                username_attributes: dedup(settings.username_attributes.clone()),
                case_sensitive: settings.case_sensitive,
                mfa: mfa.clone(),
                schema: schema.clone(),
                settings: settings.settings.clone(),
                created_at: now,
                modified_at: now,
                version: 0,
            };
            match self.store.create_pool(&record) {
                Ok(version) => {
                    record.version = version;
                    return Ok(record);
                }
                // A generated id that collides: draw another.
                Err(StoreError::PoolExists) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// **DescribeUserPool**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn describe_user_pool(&self, caller: &Caller, pool_id: &str) -> Result<PoolRecord> {
        self.describe_user_pool_input(caller, &PoolInput::parse(Some(pool_id))?)
    }

    /// **DescribeUserPool** from an input validated once by [`PoolInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_user_pool`].
    pub fn describe_user_pool_input(
        &self,
        caller: &Caller,
        input: &PoolInput,
    ) -> Result<PoolRecord> {
        self.authorize(caller, "DescribeUserPool", &input.user_pool_id)?;
        self.pool(&input.user_pool_id)
    }

    /// **UpdateUserPool**: policy, hashing parameters and history mode. Alias attributes,
    /// username attributes and case sensitivity are immutable, as in Cognito.
    ///
    /// # Errors
    /// `InvalidParameterException` (hash parameters above the ceiling),
    /// `NotAuthorizedException`, `ResourceNotFoundException`, `InternalErrorException`.
    pub fn update_user_pool(
        &self,
        caller: &Caller,
        pool_id: &str,
        update: PoolUpdate,
    ) -> Result<PoolRecord> {
        let mut v = Validator::new();
        let id = v.pool_id(pool_id);
        self.check_pool_update(&mut v, &update);
        v.finish()?;
        self.update_pool(caller, &accepted(id)?, update)
    }

    /// **UpdateUserPool** from a pool validated once by [`PoolInput::parse`]; the update is
    /// checked here, against the host's limits.
    ///
    /// # Errors
    /// As [`UserPools::update_user_pool`].
    pub fn update_user_pool_input(
        &self,
        caller: &Caller,
        input: &PoolInput,
        update: PoolUpdate,
    ) -> Result<PoolRecord> {
        let mut v = Validator::new();
        self.check_pool_update(&mut v, &update);
        v.finish()?;
        self.update_pool(caller, &input.user_pool_id, update)
    }

    /// Records what an update breaks: hash parameters above the host's ceiling.
    fn check_pool_update(&self, v: &mut Validator, update: &PoolUpdate) {
        if let Some(params) = update.hash_params {
            v.take(self.host.hasher(params));
        }
    }

    fn update_pool(
        &self,
        caller: &Caller,
        id: &UserPoolId,
        update: PoolUpdate,
    ) -> Result<PoolRecord> {
        self.authorize(caller, "UpdateUserPool", id)?;
        let policy = update
            .policy
            .as_ref()
            .map(|p| policy_with_blocklist(p, None))
            .transpose()?;
        if let Some(settings) = &update.settings {
            settings.validate()?;
        }
        for _ in 0..self.max_attempts {
            let mut record = self.pool(id)?;
            if let Some(policy) = &policy {
                record.policy = policy.clone();
            }
            if let Some(params) = update.hash_params {
                record.hash_params = params;
            }
            if let Some(mode) = update.history_mode {
                record.history_mode = mode;
            }
            if let Some(settings) = &update.settings {
                record.settings = settings.clone();
            }
            if let Some(mode) = update.mfa_mode {
                let mfa = userpool_core::mfa::PoolMfaConfig {
                    mode,
                    ..record.mfa.clone()
                };
                mfa.validate()?;
                record.mfa = mfa;
            }
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

    /// **DeleteUserPool**, with all its users and clients.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn delete_user_pool(&self, caller: &Caller, pool_id: &str) -> Result<()> {
        self.delete_user_pool_input(caller, &PoolInput::parse(Some(pool_id))?)
    }

    /// **DeleteUserPool** from an input validated once by [`PoolInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::delete_user_pool`].
    pub fn delete_user_pool_input(&self, caller: &Caller, input: &PoolInput) -> Result<()> {
        let id = &input.user_pool_id;
        self.authorize(caller, "DeleteUserPool", id)?;
        if self.pool(id)?.settings.deletion_protection {
            return Err(Error::InvalidParameterMessage(
                "The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.".into(),
            ));
        }
        self.store.delete_pool(id)?;
        self.forget_rules(id);
        Ok(())
    }

    /// **ListUserPools**: `max_results` in 1..=60, starting after `next_token`.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException` (account-level action, see
    /// [`crate::Authorizer::authorize_account`]), `InternalErrorException`.
    pub fn list_user_pools(
        &self,
        caller: &Caller,
        max_results: usize,
        next_token: Option<&str>,
    ) -> Result<PoolPage> {
        let mut v = Validator::new();
        v.check(
            "maxResults",
            (!(1..=60).contains(&max_results))
                .then_some(Constraint::OutOfRange { min: 1, max: 60 }),
        );
        v.finish()?;
        if !self.authorizer.authorize_account(caller, "ListUserPools") {
            return Err(userpool_core::NotAuthorized::AccessDenied {
                action: "ListUserPools".into(),
                pool_id: "*".into(),
            }
            .into());
        }
        let mut pools: Vec<PoolRecord> = self
            .store
            .list_pools()?
            .into_iter()
            .filter(|p| next_token.is_none_or(|after| p.id.as_str() > after))
            .collect();
        let more = pools.len() > max_results;
        pools.truncate(max_results);
        let next_token = more
            .then(|| pools.last().map(|p| p.id.as_str().to_owned()))
            .flatten();
        Ok(PoolPage { pools, next_token })
    }

    /// **CreateUserPoolClient**: a client with a generated id (26 characters) and, when
    /// asked, a generated secret.
    ///
    /// The secret is returned in the record; checking `SECRET_HASH` on public operations is
    /// the wire layer's (it holds the request), not this library's.
    ///
    /// `ExplicitAuthFlows` takes Cognito's whole `ExplicitAuthFlowsType`: the `ALLOW_`
    /// names, or the legacy ones (`ADMIN_NO_SRP_AUTH`, `CUSTOM_AUTH_FLOW_ONLY`,
    /// `USER_PASSWORD_AUTH`), never both kinds in one client, as Cognito requires. Only the
    /// password flows are implemented by this library (see [`UserPools::initiate_auth`],
    /// [`UserPools::admin_initiate_auth`]); the others are stored for the host.
    ///
    /// # Errors
    /// `InvalidParameterException` (name, unknown auth flow, legacy and `ALLOW_` flows
    /// mixed), `NotAuthorizedException`, `ResourceNotFoundException`,
    /// `InternalErrorException`.
    pub fn create_user_pool_client(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_name: &str,
        settings: ClientSettings,
    ) -> Result<ClientRecord> {
        let input = CreateUserPoolClientInput::parse(Some(pool_id), Some(client_name), settings)?;
        self.create_user_pool_client_input(caller, input)
    }

    /// **CreateUserPoolClient** from an input validated once by
    /// [`CreateUserPoolClientInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::create_user_pool_client`].
    pub fn create_user_pool_client_input(
        &self,
        caller: &Caller,
        input: CreateUserPoolClientInput,
    ) -> Result<ClientRecord> {
        let (id, name, settings) = (input.user_pool_id, input.client_name, input.settings);
        self.authorize(caller, "CreateUserPoolClient", &id)?;
        self.pool(&id)?;
        self.check_client_oauth(&id, &settings.oauth, settings.generate_secret)?;
        let explicit_auth_flows = auth_flows_or_default(settings.explicit_auth_flows);
        let now = self.clock.now();
        for _ in 0..self.max_attempts {
            let client = ClientRecord {
                pool_id: id.clone(),
                client_id: token(&*self.random, LOWER_ALPHANUMERIC, 26)?,
                name: name.clone(),
                secret: settings
                    .generate_secret
                    .then(|| token(&*self.random, LOWER_ALPHANUMERIC, 52))
                    .transpose()?,
                explicit_auth_flows: explicit_auth_flows.clone(),
                prevent_user_existence_errors: settings.prevent_user_existence_errors,
                created_at: now,
                modified_at: now,
                oauth: settings.oauth.clone(),
            };
            match self.store.create_client(&client) {
                Ok(()) => return Ok(client),
                Err(StoreError::ClientExists) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Err(Internal::ContentionRetriesExhausted.into())
    }

    /// **DescribeUserPoolClient**.
    ///
    /// # Errors
    /// `InvalidParameterException`, `NotAuthorizedException`, `ResourceNotFoundException`
    /// (pool or client), `InternalErrorException`.
    pub fn describe_user_pool_client(
        &self,
        caller: &Caller,
        pool_id: &str,
        client_id: &str,
    ) -> Result<ClientRecord> {
        let input = PoolClientInput::parse(Some(pool_id), Some(client_id))?;
        self.describe_user_pool_client_input(caller, &input)
    }

    /// **DescribeUserPoolClient** from an input validated once by
    /// [`PoolClientInput::parse`].
    ///
    /// # Errors
    /// As [`UserPools::describe_user_pool_client`].
    pub fn describe_user_pool_client_input(
        &self,
        caller: &Caller,
        input: &PoolClientInput,
    ) -> Result<ClientRecord> {
        let (id, client_id) = (&input.user_pool_id, &input.client_id);
        self.authorize(caller, "DescribeUserPoolClient", id)?;
        self.pool(id)?;
        self.store.get_client(id, client_id)?.ok_or_else(|| {
            Error::ResourceNotFound(format!("User pool client {client_id} does not exist."))
        })
    }
}
