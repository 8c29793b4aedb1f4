//! The operations `X-Amz-Target` can name, and who may call each.

use crate::error::Error;

/// The prefix of every Cognito user-pool target.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

/// The prefix of this server's extensions to Cognito's API (SPEC §19: `AdminImportUsers`),
/// kept apart so no Cognito client can name one by accident.
pub const EXTENSION_PREFIX: &str = "Userpool.";

/// The operations only [`EXTENSION_PREFIX`] names.
const EXTENSIONS: &[&str] = &["AdminImportUsers"];

/// Who may call an operation (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Needs a SigV4 signature from the configured credential.
    Admin,
    /// Called by end users through an app client: no signature (`authtype: none` in the
    /// AWS service model), identified by `ClientId` or an access token in the body.
    Public,
}

macro_rules! operations {
    ($($name:ident => $access:ident,)*) => {
        /// A Cognito operation this server implements.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[allow(missing_docs)] // each variant is the Cognito operation of the same name
        pub enum Operation { $($name,)* }

        impl Operation {
            /// Every implemented operation.
            pub const ALL: &[Operation] = &[$(Operation::$name,)*];

            /// The operation's Cognito name, e.g. `AdminSetUserPassword`.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Operation::$name => stringify!($name),)* }
            }

            /// Who may call it.
            #[must_use]
            pub fn access(self) -> Access {
                match self { $(Operation::$name => Access::$access,)* }
            }
        }
    };
}

operations! {
    CreateUserPool => Admin,
    DescribeUserPool => Admin,
    UpdateUserPool => Admin,
    DeleteUserPool => Admin,
    ListUserPools => Admin,
    CreateUserPoolClient => Admin,
    DescribeUserPoolClient => Admin,
    ListUserPoolClients => Admin,
    UpdateUserPoolClient => Admin,
    DeleteUserPoolClient => Admin,
    AddCustomAttributes => Admin,
    GetCSVHeader => Admin,
    AdminDeleteUserAttributes => Admin,
    AdminCreateUser => Admin,
    AdminImportUsers => Admin,
    AdminGetUser => Admin,
    ListUsers => Admin,
    AdminDeleteUser => Admin,
    AdminSetUserPassword => Admin,
    AdminDisableUser => Admin,
    AdminEnableUser => Admin,
    AdminConfirmSignUp => Admin,
    AdminResetUserPassword => Admin,
    AdminUpdateUserAttributes => Admin,
    AdminUserGlobalSignOut => Admin,
    AdminInitiateAuth => Admin,
    AdminRespondToAuthChallenge => Admin,
    AdminSetUserMFAPreference => Admin,
    AdminSetUserSettings => Admin,
    SetUserPoolMfaConfig => Admin,
    GetUserPoolMfaConfig => Admin,
    CreateGroup => Admin,
    GetGroup => Admin,
    ListGroups => Admin,
    UpdateGroup => Admin,
    DeleteGroup => Admin,
    AdminAddUserToGroup => Admin,
    AdminRemoveUserFromGroup => Admin,
    AdminListGroupsForUser => Admin,
    ListUsersInGroup => Admin,
    CreateUserPoolDomain => Admin,
    DescribeUserPoolDomain => Admin,
    UpdateUserPoolDomain => Admin,
    DeleteUserPoolDomain => Admin,
    CreateResourceServer => Admin,
    DescribeResourceServer => Admin,
    ListResourceServers => Admin,
    UpdateResourceServer => Admin,
    DeleteResourceServer => Admin,
    CreateIdentityProvider => Admin,
    DescribeIdentityProvider => Admin,
    ListIdentityProviders => Admin,
    UpdateIdentityProvider => Admin,
    DeleteIdentityProvider => Admin,
    AdminLinkProviderForUser => Admin,
    AdminDisableProviderForUser => Admin,
    GetIdentityProviderByIdentifier => Admin,
    SignUp => Public,
    ConfirmSignUp => Public,
    ForgotPassword => Public,
    ConfirmForgotPassword => Public,
    ResendConfirmationCode => Public,
    InitiateAuth => Public,
    RespondToAuthChallenge => Public,
    ChangePassword => Public,
    GetUser => Public,
    UpdateUserAttributes => Public,
    DeleteUserAttributes => Public,
    DeleteUser => Public,
    GetUserAttributeVerificationCode => Public,
    VerifyUserAttribute => Public,
    GlobalSignOut => Public,
    AssociateSoftwareToken => Public,
    VerifySoftwareToken => Public,
    SetUserMFAPreference => Public,
    SetUserSettings => Public,
}

/// Cognito user-pool operations this server knows by name but does not implement: they
/// get `UnsupportedOperationException` naming them, not `UnknownOperationException`, so a
/// client learns the endpoint is a partial Cognito rather than a wrong endpoint.
const NOT_IMPLEMENTED: &[&str] = &[
    "AddUserPoolClientSecret",
    "AdminForgetDevice",
    "AdminGetDevice",
    "AdminListDevices",
    "AdminListUserAuthEvents",
    "AdminUpdateAuthEventFeedback",
    "AdminUpdateDeviceStatus",
    "CompleteWebAuthnRegistration",
    "ConfirmDevice",
    "CreateManagedLoginBranding",
    "CreateTerms",
    "CreateUserImportJob",
    "DeleteManagedLoginBranding",
    "DeleteTerms",
    "DeleteUserPoolClientSecret",
    "DeleteWebAuthnCredential",
    "DescribeManagedLoginBranding",
    "DescribeManagedLoginBrandingByClient",
    "DescribeRiskConfiguration",
    "DescribeTerms",
    "DescribeUserImportJob",
    "ForgetDevice",
    "GetDevice",
    "GetLogDeliveryConfiguration",
    "GetSigningCertificate",
    "GetTokensFromRefreshToken",
    "GetUICustomization",
    "GetUserAuthFactors",
    "ListDevices",
    "ListTagsForResource",
    "ListTerms",
    "ListUserImportJobs",
    "ListUserPoolClientSecrets",
    "ListWebAuthnCredentials",
    "RevokeToken",
    "SetLogDeliveryConfiguration",
    "SetRiskConfiguration",
    "SetUICustomization",
    "StartUserImportJob",
    "StartWebAuthnRegistration",
    "StopUserImportJob",
    "TagResource",
    "UntagResource",
    "UpdateAuthEventFeedback",
    "UpdateDeviceStatus",
    "UpdateManagedLoginBranding",
    "UpdateTerms",
];

impl Operation {
    /// Whether the operation is this server's extension, named with [`EXTENSION_PREFIX`].
    #[must_use]
    pub fn is_extension(self) -> bool {
        EXTENSIONS.contains(&self.name())
    }

    /// The `X-Amz-Target` value naming the operation.
    #[must_use]
    pub fn target(self) -> String {
        let prefix = if self.is_extension() {
            EXTENSION_PREFIX
        } else {
            TARGET_PREFIX
        };
        format!("{prefix}{}", self.name())
    }

    /// Parses an `X-Amz-Target` header value.
    ///
    /// # Errors
    /// `UnknownOperationException` for a missing prefix or an unknown name,
    /// `UnsupportedOperationException` for a Cognito operation not implemented here.
    pub fn from_target(target: Option<&str>) -> Result<Operation, Error> {
        let Some(target) = target else {
            return Err(Error::UnknownOperation(
                "Missing X-Amz-Target header: expected AWSCognitoIdentityProviderService.<Operation>"
                    .into(),
            ));
        };
        if let Some(name) = target.strip_prefix(EXTENSION_PREFIX)
            && let Some(op) = Operation::ALL
                .iter()
                .find(|op| op.name() == name && op.is_extension())
        {
            return Ok(*op);
        }
        let name = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
            Error::UnknownOperation(format!(
                "Unknown target {}: expected {TARGET_PREFIX}<Operation>",
                printable(target)
            ))
        })?;
        if let Some(op) = Operation::ALL
            .iter()
            .find(|op| op.name() == name && !op.is_extension())
        {
            return Ok(*op);
        }
        if NOT_IMPLEMENTED.contains(&name) {
            return Err(Error::UnsupportedOperation(format!(
                "Operation {name} is not supported by userpool-server."
            )));
        }
        Err(Error::UnknownOperation(format!(
            "Unknown operation {}",
            printable(name)
        )))
    }
}

/// A header value safe to echo in a message: at most 64 printable ASCII characters.
fn printable(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_round_trips_through_its_target() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_target(Some(&op.target())).ok(), Some(*op));
        }
    }

    #[test]
    fn spec_19_extensions_answer_only_to_their_own_prefix() {
        let code = |t: &str| Operation::from_target(Some(t)).err().map(|e| e.code());
        assert_eq!(
            Operation::from_target(Some("Userpool.AdminImportUsers")).ok(),
            Some(Operation::AdminImportUsers)
        );
        assert_eq!(
            code("AWSCognitoIdentityProviderService.AdminImportUsers"),
            Some("UnknownOperationException")
        );
        assert_eq!(
            code("Userpool.AdminCreateUser"),
            Some("UnknownOperationException")
        );
    }

    #[test]
    fn admin_operations_are_the_admin_and_pool_management_ones() {
        for op in Operation::ALL {
            let name = op.name();
            let public = [
                "SignUp",
                "ConfirmSignUp",
                "ForgotPassword",
                "ConfirmForgotPassword",
                "ResendConfirmationCode",
                "InitiateAuth",
                "RespondToAuthChallenge",
                "ChangePassword",
                "GetUser",
                "GlobalSignOut",
                // SPEC §18: called with an access token or an MFA session (Cognito's
                // model marks them `authtype: none`).
                "AssociateSoftwareToken",
                "VerifySoftwareToken",
                "SetUserMFAPreference",
                "SetUserSettings",
                "UpdateUserAttributes",
                "DeleteUserAttributes",
                "DeleteUser",
                "GetUserAttributeVerificationCode",
                "VerifyUserAttribute",
            ]
            .contains(&name);
            assert_eq!(op.access() == Access::Public, public, "{name}");
        }
    }

    #[test]
    fn unknown_and_unsupported_targets_are_told_apart() {
        let code = |t: Option<&str>| Operation::from_target(t).err().map(|e| e.code());
        assert_eq!(code(None), Some("UnknownOperationException"));
        assert_eq!(
            code(Some("DynamoDB_20120810.GetItem")),
            Some("UnknownOperationException")
        );
        assert_eq!(
            code(Some("AWSCognitoIdentityProviderService.Frobnicate")),
            Some("UnknownOperationException")
        );
        assert_eq!(
            code(Some("AWSCognitoIdentityProviderService.AdminForgetDevice")),
            Some("UnsupportedOperationException")
        );
        let err =
            Operation::from_target(Some("AWSCognitoIdentityProviderService.AdminForgetDevice"));
        assert!(
            err.err()
                .is_some_and(|e| e.to_string().contains("AdminForgetDevice"))
        );
    }

    #[test]
    fn no_operation_is_both_implemented_and_listed_as_unsupported() {
        for op in Operation::ALL {
            assert!(!NOT_IMPLEMENTED.contains(&op.name()), "{}", op.name());
        }
    }

    /// Every operation of Cognito's service model (botocore 1.43's `cognito-idp`): each is
    /// either implemented or answered `UnsupportedOperationException`, never
    /// `UnknownOperationException`, which would tell a client it has the wrong endpoint.
    const COGNITO_OPERATIONS: &[&str] = &[
        "AddCustomAttributes",
        "AddUserPoolClientSecret",
        "AdminAddUserToGroup",
        "AdminConfirmSignUp",
        "AdminCreateUser",
        "AdminDeleteUser",
        "AdminDeleteUserAttributes",
        "AdminDisableProviderForUser",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminForgetDevice",
        "AdminGetDevice",
        "AdminGetUser",
        "AdminInitiateAuth",
        "AdminLinkProviderForUser",
        "AdminListDevices",
        "AdminListGroupsForUser",
        "AdminListUserAuthEvents",
        "AdminRemoveUserFromGroup",
        "AdminResetUserPassword",
        "AdminRespondToAuthChallenge",
        "AdminSetUserMFAPreference",
        "AdminSetUserPassword",
        "AdminSetUserSettings",
        "AdminUpdateAuthEventFeedback",
        "AdminUpdateDeviceStatus",
        "AdminUpdateUserAttributes",
        "AdminUserGlobalSignOut",
        "AssociateSoftwareToken",
        "ChangePassword",
        "CompleteWebAuthnRegistration",
        "ConfirmDevice",
        "ConfirmForgotPassword",
        "ConfirmSignUp",
        "CreateGroup",
        "CreateIdentityProvider",
        "CreateManagedLoginBranding",
        "CreateResourceServer",
        "CreateTerms",
        "CreateUserImportJob",
        "CreateUserPool",
        "CreateUserPoolClient",
        "CreateUserPoolDomain",
        "DeleteGroup",
        "DeleteIdentityProvider",
        "DeleteManagedLoginBranding",
        "DeleteResourceServer",
        "DeleteTerms",
        "DeleteUser",
        "DeleteUserAttributes",
        "DeleteUserPool",
        "DeleteUserPoolClient",
        "DeleteUserPoolClientSecret",
        "DeleteUserPoolDomain",
        "DeleteWebAuthnCredential",
        "DescribeIdentityProvider",
        "DescribeManagedLoginBranding",
        "DescribeManagedLoginBrandingByClient",
        "DescribeResourceServer",
        "DescribeRiskConfiguration",
        "DescribeTerms",
        "DescribeUserImportJob",
        "DescribeUserPool",
        "DescribeUserPoolClient",
        "DescribeUserPoolDomain",
        "ForgetDevice",
        "ForgotPassword",
        "GetCSVHeader",
        "GetDevice",
        "GetGroup",
        "GetIdentityProviderByIdentifier",
        "GetLogDeliveryConfiguration",
        "GetSigningCertificate",
        "GetTokensFromRefreshToken",
        "GetUICustomization",
        "GetUser",
        "GetUserAttributeVerificationCode",
        "GetUserAuthFactors",
        "GetUserPoolMfaConfig",
        "GlobalSignOut",
        "InitiateAuth",
        "ListDevices",
        "ListGroups",
        "ListIdentityProviders",
        "ListResourceServers",
        "ListTagsForResource",
        "ListTerms",
        "ListUserImportJobs",
        "ListUserPoolClientSecrets",
        "ListUserPoolClients",
        "ListUserPools",
        "ListUsers",
        "ListUsersInGroup",
        "ListWebAuthnCredentials",
        "ResendConfirmationCode",
        "RespondToAuthChallenge",
        "RevokeToken",
        "SetLogDeliveryConfiguration",
        "SetRiskConfiguration",
        "SetUICustomization",
        "SetUserMFAPreference",
        "SetUserPoolMfaConfig",
        "SetUserSettings",
        "SignUp",
        "StartUserImportJob",
        "StartWebAuthnRegistration",
        "StopUserImportJob",
        "TagResource",
        "UntagResource",
        "UpdateAuthEventFeedback",
        "UpdateDeviceStatus",
        "UpdateGroup",
        "UpdateIdentityProvider",
        "UpdateManagedLoginBranding",
        "UpdateResourceServer",
        "UpdateTerms",
        "UpdateUserAttributes",
        "UpdateUserPool",
        "UpdateUserPoolClient",
        "UpdateUserPoolDomain",
        "VerifySoftwareToken",
        "VerifyUserAttribute",
    ];

    #[test]
    fn every_cognito_operation_is_implemented_or_unsupported() {
        for name in COGNITO_OPERATIONS {
            let target = format!("{TARGET_PREFIX}{name}");
            match Operation::from_target(Some(&target)) {
                Ok(op) => assert_eq!(op.name(), *name),
                Err(e) => assert_eq!(e.code(), "UnsupportedOperationException", "{name}"),
            }
        }
    }
}
