//! OAuth 2.0 and OpenID Connect inputs (SPEC §21): the rules Cognito applies to domain
//! prefixes, resource servers and their scopes, an app client's OAuth settings and
//! redirect URLs, and the PKCE check of the token endpoint.
//!
//! Everything here is pure: no clock, no randomness, no I/O. A value accepted here is
//! what Cognito accepts; a refused one is `InvalidParameterException` with a message in
//! Cognito's words, naming the member.

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::Error;

/// The scopes Cognito defines itself; every other allowed scope must be a resource
/// server's (`<identifier>/<scope name>`).
pub const STANDARD_SCOPES: [&str; 5] = [
    "phone",
    "email",
    "openid",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// The most scopes one resource server defines (`Scopes`: at most 100).
pub const MAX_RESOURCE_SERVER_SCOPES: usize = 100;

/// The most entries in `CallbackURLs` or `LogoutURLs` (100 each, as in Cognito).
pub const MAX_REDIRECT_URLS: usize = 100;

/// The most entries in `AllowedOAuthScopes` (50, as in Cognito).
pub const MAX_ALLOWED_SCOPES: usize = 50;

fn invalid(message: String) -> Error {
    Error::InvalidParameterMessage(message)
}

/// Cognito's constraint message for a member's length and pattern.
fn constraint(member: &str, value: &str, max: usize, pattern: &str) -> Error {
    Error::invalid_value(
        member,
        value,
        format!(
            "Member must satisfy regular expression pattern: {pattern}, and have length \
             between 1 and {max}"
        ),
    )
}

fn length_ok(value: &str, max: usize) -> bool {
    let n = value.chars().count();
    (1..=max).contains(&n)
}

/// A user-pool domain: a prefix (`auth` in `auth.auth.<region>.amazoncognito.com`, served
/// here path-based) or, with a custom-domain configuration, a fully-qualified name.
///
/// A prefix is 1 to 63 lowercase letters, digits and hyphens, neither first nor last a
/// hyphen (`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`); a custom domain is such labels
/// joined by periods, at most 253 characters. Cognito also refuses the word `cognito`
/// (and `aws`, `amazon`) in a prefix.
///
/// # Errors
/// `InvalidParameterException` naming `domain`.
pub fn validate_domain(domain: &str, custom: bool) -> Result<(), Error> {
    const PATTERN: &str = "^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && bytes
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
    };
    if custom {
        if domain.len() > 253 || !domain.split('.').all(label_ok) || !domain.contains('.') {
            return Err(constraint("domain", domain, 253, PATTERN));
        }
        return Ok(());
    }
    if !label_ok(domain) {
        return Err(constraint("domain", domain, 63, PATTERN));
    }
    for reserved in ["aws", "amazon", "cognito"] {
        if domain.contains(reserved) {
            return Err(invalid(format!(
                "Domain cannot contain reserved word: {reserved}"
            )));
        }
    }
    Ok(())
}

/// A resource server's `Identifier`: 1 to 256 printable ASCII characters other than `"`
/// and `\` (pattern `[\x21\x23-\x5B\x5D-\x7E]+`), so a URL works.
///
/// # Errors
/// `InvalidParameterException` naming `identifier`.
pub fn validate_resource_server_identifier(identifier: &str) -> Result<(), Error> {
    if length_ok(identifier, 256) && identifier.bytes().all(scope_char) {
        Ok(())
    } else {
        Err(constraint(
            "identifier",
            identifier,
            256,
            "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
        ))
    }
}

/// A resource server's `Name`: 1 to 256 word characters, whitespace and `+=,.@-`.
///
/// # Errors
/// `InvalidParameterException` naming `name`.
pub fn validate_resource_server_name(name: &str) -> Result<(), Error> {
    let ok = length_ok(name, 256)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c.is_whitespace() || "+=,.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(constraint("name", name, 256, "[\\w\\s+=,.@-]+"))
    }
}

/// A custom scope's `ScopeName`: 1 to 256 printable ASCII characters other than `"`, `/`
/// and `\` (pattern `[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`): the slash separates it from
/// its resource server's identifier.
///
/// # Errors
/// `InvalidParameterException` naming `scopes.member.scopeName`.
pub fn validate_scope_name(name: &str) -> Result<(), Error> {
    if length_ok(name, 256) && name.bytes().all(|b| scope_char(b) && b != b'/') {
        Ok(())
    } else {
        Err(constraint(
            "scopes.member.scopeName",
            name,
            256,
            "[\\x21\\x23-\\x2E\\x30-\\x5B\\x5D-\\x7E]+",
        ))
    }
}

/// A custom scope's `ScopeDescription`: 1 to 256 characters.
///
/// # Errors
/// `InvalidParameterException` naming `scopes.member.scopeDescription`.
pub fn validate_scope_description(description: &str) -> Result<(), Error> {
    if length_ok(description, 256) {
        Ok(())
    } else {
        Err(Error::invalid_value(
            "scopes.member.scopeDescription",
            description,
            "Member must have length between 1 and 256",
        ))
    }
}

/// An entry of `AllowedOAuthScopes` (or a scope in a request): 1 to 256 printable ASCII
/// characters other than `"` and `\`.
///
/// # Errors
/// `InvalidParameterException` naming `allowedOAuthScopes`.
pub fn validate_scope(scope: &str) -> Result<(), Error> {
    if length_ok(scope, 256) && scope.bytes().all(scope_char) {
        Ok(())
    } else {
        Err(constraint(
            "allowedOAuthScopes",
            scope,
            256,
            "[\\x21\\x23-\\x5B\\x5D-\\x7E]+",
        ))
    }
}

/// Printable ASCII other than space, `"` and `\`.
fn scope_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

/// Whether `scope` is one Cognito defines itself.
#[must_use]
pub fn is_standard_scope(scope: &str) -> bool {
    STANDARD_SCOPES.contains(&scope)
}

/// A custom scope split into its resource server's identifier and its name (at the last
/// `/`, as identifiers may be URLs); `None` for a scope without one.
#[must_use]
pub fn split_custom_scope(scope: &str) -> Option<(&str, &str)> {
    let (identifier, name) = scope.rsplit_once('/')?;
    (!identifier.is_empty() && !name.is_empty()).then_some((identifier, name))
}

/// An OAuth grant an app client may be allowed (`AllowedOAuthFlows`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OAuthFlow {
    /// `code`: the authorization code grant (with PKCE for public clients).
    Code,
    /// `implicit`: tokens in the redirect's fragment.
    Implicit,
    /// `client_credentials`: machine-to-machine, for clients with a secret.
    ClientCredentials,
}

impl OAuthFlow {
    /// Parses Cognito's spelling.
    ///
    /// # Errors
    /// `InvalidParameterException` naming `allowedOAuthFlows`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value {
            "code" => Ok(OAuthFlow::Code),
            "implicit" => Ok(OAuthFlow::Implicit),
            "client_credentials" => Ok(OAuthFlow::ClientCredentials),
            other => Err(Error::invalid_value(
                "allowedOAuthFlows",
                format!("[{other}]"),
                "Member must satisfy constraint: [Member must satisfy enum value set: \
                 [implicit, client_credentials, code]]",
            )),
        }
    }

    /// Cognito's spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Code => "code",
            OAuthFlow::Implicit => "implicit",
            OAuthFlow::ClientCredentials => "client_credentials",
        }
    }
}

/// A callback or logout URL (`CallbackURLs`, `LogoutURLs`, `DefaultRedirectURI`): an
/// absolute URI of at most 1024 characters without a fragment. A web URL must be
/// `https`, except `http` to a loopback host (`localhost`, `127.0.0.1`, `[::1]`) for
/// testing; an app's own scheme (`myapp://callback`) is allowed.
///
/// # Errors
/// `InvalidParameterException` naming `member`.
pub fn validate_redirect_url(member: &str, url: &str) -> Result<(), Error> {
    let refuse = |why: &str| Err(Error::invalid_value(member, url, why));
    // A backslash is refused: browsers read `http://evil.example\@localhost` as a URL of
    // `evil.example`, while the host check below would see `localhost`.
    if !length_ok(url, 1024)
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return refuse("Member must have length between 1 and 1024 and contain no whitespace");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return refuse("Member must be an absolute URI");
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok || rest.is_empty() {
        return refuse("Member must be an absolute URI");
    }
    if url.contains('#') {
        return refuse("Member must not include a fragment component");
    }
    let scheme = scheme.to_ascii_lowercase();
    // A browser runs these as script or content of the server's choosing, not as a place
    // to go: `javascript://x/%0aalert(1)` passes the shape check above, and the sign-in
    // and sign-out redirects would hand the user's code or session to it.
    if matches!(
        scheme.as_str(),
        "javascript" | "data" | "vbscript" | "file" | "blob"
    ) {
        return refuse("Member must not use a script or local scheme");
    }
    if scheme == "http" {
        if !is_loopback_host(rest) {
            return refuse("Member must use https unless its host is localhost");
        }
    } else if scheme == "https" && host_of(rest).is_empty() {
        return refuse("Member must be an absolute URI");
    }
    Ok(())
}

/// The host of `rest` (what follows `scheme://`), without port or user info.
fn host_of(rest: &str) -> &str {
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if authority.starts_with('[') {
        return authority
            .split_once(']')
            .map_or(authority, |(h, _)| &h[1..]);
    }
    authority.split(':').next().unwrap_or_default()
}

fn is_loopback_host(rest: &str) -> bool {
    matches!(
        host_of(rest).to_ascii_lowercase().as_str(),
        "localhost" | "127.0.0.1" | "::1"
    )
}

/// An identity provider's `ProviderName`: 1 to 32 characters, no whitespace, not starting
/// with `_` (Cognito's `ProviderNameTypeV2`). `COGNITO` names the pool itself.
///
/// # Errors
/// `InvalidParameterException` naming `providerName`.
pub fn validate_provider_name(name: &str) -> Result<(), Error> {
    let ok = length_ok(name, 32)
        && !name.starts_with('_')
        && !name.chars().any(|c| c.is_whitespace() || c.is_control())
        && name != "COGNITO";
    if ok {
        Ok(())
    } else {
        Err(constraint(
            "providerName",
            name,
            32,
            "[^_\\p{Z}][\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}][^_\\p{Z}]+",
        ))
    }
}

/// The provider types Cognito knows (`ProviderType`).
pub const PROVIDER_TYPES: [&str; 6] = [
    "SAML",
    "Facebook",
    "Google",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
];

/// The Facebook Graph API version Cognito's documentation shows when `api_version` is
/// not given.
pub const FACEBOOK_DEFAULT_API_VERSION: &str = "v17.0";

/// The `ProviderDetails` Cognito fills in for a social provider (SPEC §21), as its
/// DescribeIdentityProvider shows them: the provider's endpoints, the token request's
/// method, and whether the attribute names are appended to `attributes_url`. A key the
/// operator gave keeps its value (a provider reached through a proxy, or a test's fake);
/// `OIDC` and `SAML` providers get nothing here (an OIDC provider's endpoints come from
/// its issuer's discovery). Facebook's URLs carry `api_version` (given, or
/// [`FACEBOOK_DEFAULT_API_VERSION`], which is then recorded too).
#[must_use]
pub fn social_provider_defaults(
    provider_type: &str,
    api_version: Option<&str>,
) -> Vec<(&'static str, String)> {
    let fixed = |pairs: &[(&'static str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    match provider_type {
        "Google" => fixed(&[
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=",
            ),
            ("attributes_url_add_attributes", "true"),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth",
            ),
            ("oidc_issuer", "https://accounts.google.com"),
            ("token_request_method", "POST"),
            ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
        ]),
        "SignInWithApple" => fixed(&[
            ("attributes_url_add_attributes", "false"),
            ("authorize_url", "https://appleid.apple.com/auth/authorize"),
            ("oidc_issuer", "https://appleid.apple.com"),
            ("token_request_method", "POST"),
            ("token_url", "https://appleid.apple.com/auth/token"),
        ]),
        "LoginWithAmazon" => fixed(&[
            ("attributes_url", "https://api.amazon.com/user/profile"),
            ("attributes_url_add_attributes", "false"),
            ("authorize_url", "https://www.amazon.com/ap/oa"),
            ("token_request_method", "POST"),
            ("token_url", "https://api.amazon.com/auth/o2/token"),
        ]),
        "Facebook" => {
            let version = api_version
                .filter(|v| !v.is_empty())
                .unwrap_or(FACEBOOK_DEFAULT_API_VERSION);
            vec![
                ("api_version", version.to_owned()),
                (
                    "attributes_url",
                    format!("https://graph.facebook.com/{version}/me?fields="),
                ),
                ("attributes_url_add_attributes", "true".to_owned()),
                (
                    "authorize_url",
                    format!("https://www.facebook.com/{version}/dialog/oauth"),
                ),
                ("token_request_method", "GET".to_owned()),
                (
                    "token_url",
                    format!("https://graph.facebook.com/{version}/oauth/access_token"),
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// An identity provider's `ProviderType`.
///
/// # Errors
/// `InvalidParameterException` naming `providerType`.
pub fn validate_provider_type(provider_type: &str) -> Result<(), Error> {
    if PROVIDER_TYPES.contains(&provider_type) {
        Ok(())
    } else {
        Err(Error::invalid_value(
            "providerType",
            provider_type,
            "Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, \
             SignInWithApple, OIDC]",
        ))
    }
}

/// Whether `verifier` is a PKCE code verifier (RFC 7636 §4.1): 43 to 128 characters of
/// `[A-Za-z0-9-._~]`.
#[must_use]
pub fn is_code_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `challenge` is an S256 code challenge: the unpadded base64url of a SHA-256
/// digest (43 characters).
#[must_use]
pub fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && Base64UrlUnpadded::decode_vec(challenge).is_ok_and(|bytes| bytes.len() == 32)
}

/// The S256 challenge of a verifier: `BASE64URL(SHA256(verifier))`.
#[must_use]
pub fn s256_challenge(verifier: &str) -> String {
    Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes()))
}

/// Whether `verifier` answers the S256 `challenge` the authorization request carried,
/// compared in constant time. A malformed verifier never answers.
#[must_use]
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    is_code_verifier(verifier)
        && bool::from(
            s256_challenge(verifier)
                .as_bytes()
                .ct_eq(challenge.as_bytes()),
        )
}

/// An OAuth 2.0 error of the token, authorize and revoke endpoints (RFC 6749 §4.1.2.1,
/// §5.2; RFC 7009), spelled as Cognito sends it in `{"error": "..."}` or the redirect's
/// `error` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthError {
    /// `invalid_request`: a parameter missing, repeated or malformed.
    InvalidRequest,
    /// `invalid_client`: client authentication failed (unknown client, wrong or missing
    /// secret).
    InvalidClient,
    /// `invalid_grant`: the code or refresh token is unknown, used, expired, revoked,
    /// issued to another client or for another redirect URI, or the PKCE verifier is wrong.
    InvalidGrant,
    /// `unauthorized_client`: the client may not use this grant or response type.
    UnauthorizedClient,
    /// `unsupported_grant_type`: a `grant_type` this server does not know.
    UnsupportedGrantType,
    /// `unsupported_response_type`: a `response_type` other than `code` (or `token`).
    UnsupportedResponseType,
    /// `invalid_scope`: a scope unknown or not allowed to the client.
    InvalidScope,
    /// `unsupported_token_type`: the revoke endpoint was given a token it does not revoke
    /// (an access or id token: only refresh tokens are revoked, RFC 7009 §2.2.1).
    UnsupportedTokenType,
    /// `access_denied`: the user or the server refused.
    AccessDenied,
    /// `server_error`: an internal failure (details only in the logs).
    ServerError,
}

impl OAuthError {
    /// The error code on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OAuthError::InvalidRequest => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant => "invalid_grant",
            OAuthError::UnauthorizedClient => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::UnsupportedResponseType => "unsupported_response_type",
            OAuthError::InvalidScope => "invalid_scope",
            OAuthError::UnsupportedTokenType => "unsupported_token_type",
            OAuthError::AccessDenied => "access_denied",
            OAuthError::ServerError => "server_error",
        }
    }

    /// The HTTP status of a token-endpoint answer carrying this error: 401 for a failed
    /// client authentication (RFC 6749 §5.2), 500 for `server_error`, 400 otherwise.
    #[must_use]
    pub const fn status(self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            OAuthError::ServerError => 500,
            OAuthError::InvalidRequest
            | OAuthError::InvalidGrant
            | OAuthError::UnauthorizedClient
            | OAuthError::UnsupportedGrantType
            | OAuthError::UnsupportedResponseType
            | OAuthError::InvalidScope
            | OAuthError::UnsupportedTokenType
            | OAuthError::AccessDenied => 400,
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of a `scope` parameter: space-separated (a form's `+` is already a space),
/// duplicates dropped, order kept.
#[must_use]
pub fn parse_scope_parameter(scope: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// The scopes an authorization request is granted: those requested, each of which must be
/// among the client's `AllowedOAuthScopes` (else `invalid_scope`); without a `scope`
/// parameter, all the client's allowed scopes (as Cognito).
///
/// # Errors
/// `invalid_scope`.
pub fn grant_authorize_scopes(
    requested: Option<&str>,
    allowed: &[String],
) -> Result<Vec<String>, OAuthError> {
    match requested.map(parse_scope_parameter) {
        None => Ok(allowed.to_vec()),
        Some(scopes) if scopes.is_empty() => Ok(allowed.to_vec()),
        Some(scopes) => {
            if scopes.iter().all(|s| allowed.contains(s)) {
                Ok(scopes)
            } else {
                Err(OAuthError::InvalidScope)
            }
        }
    }
}

/// The scopes a client-credentials request is granted: only custom (resource-server)
/// scopes exist for a client acting for itself, so a requested standard scope, or one not
/// allowed to the client, is `invalid_scope`; without a `scope` parameter, every custom
/// scope the client is allowed. A client allowed no custom scope gets `invalid_scope`:
/// its token would grant nothing.
///
/// # Errors
/// `invalid_scope`.
pub fn grant_client_credentials_scopes(
    requested: Option<&str>,
    allowed: &[String],
) -> Result<Vec<String>, OAuthError> {
    let custom: Vec<String> = allowed
        .iter()
        .filter(|s| !is_standard_scope(s))
        .cloned()
        .collect();
    let granted = match requested.map(parse_scope_parameter) {
        None => custom,
        Some(scopes) if scopes.is_empty() => custom,
        Some(scopes) => {
            if scopes.iter().all(|s| custom.contains(s)) {
                scopes
            } else {
                return Err(OAuthError::InvalidScope);
            }
        }
    };
    if granted.is_empty() {
        return Err(OAuthError::InvalidScope);
    }
    Ok(granted)
}

/// The attributes OpenID Connect's `profile` scope names (OIDC Core §5.4).
const PROFILE_ATTRIBUTES: [&str; 14] = [
    "name",
    "family_name",
    "given_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "updated_at",
];

/// Whether the userInfo endpoint answers `attribute` for an access token granted `scopes`
/// (which hold `openid`), as Cognito's does: with `openid` alone, every attribute; with
/// any of `profile`, `email`, `phone` or `address`, only the attributes those scopes name
/// (OIDC Core §5.4). `sub` is always answered.
#[must_use]
pub fn user_info_allows(scopes: &[String], attribute: &str) -> bool {
    let has = |scope: &str| scopes.iter().any(|s| s == scope);
    let narrowed = ["profile", "email", "phone", "address"]
        .iter()
        .any(|s| has(s));
    if attribute == "sub" || !narrowed {
        return true;
    }
    (has("profile") && PROFILE_ATTRIBUTES.contains(&attribute))
        || (has("email") && matches!(attribute, "email" | "email_verified"))
        || (has("phone") && matches!(attribute, "phone_number" | "phone_number_verified"))
        || (has("address") && attribute == "address")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_prefixes_follow_cognitos_pattern() {
        let cases: &[(&str, bool, bool)] = &[
            ("auth", false, true),
            ("my-app-1", false, true),
            ("a", false, true),
            ("-auth", false, false),
            ("auth-", false, false),
            ("Auth", false, false),
            ("au_th", false, false),
            ("", false, false),
            ("my.app", false, false),
            ("mycognito", false, false),
            ("auth.example.com", true, true),
            ("auth..example.com", true, false),
            ("example", true, false),
        ];
        for (domain, custom, ok) in cases {
            assert_eq!(
                validate_domain(domain, *custom).is_ok(),
                *ok,
                "{domain:?} custom={custom}"
            );
        }
        assert!(validate_domain(&"a".repeat(63), false).is_ok());
        assert!(validate_domain(&"a".repeat(64), false).is_err());
    }

    #[test]
    fn scope_names_refuse_slash_quote_backslash_and_space() {
        for good in ["read", "*", "write:all", "a.b-c"] {
            assert!(validate_scope_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a/b", "a b", "a\"b", "a\\b", "é"] {
            assert!(validate_scope_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_resource_server_identifier("https://api.example.com").is_ok());
        assert!(validate_resource_server_identifier("has space").is_err());
        assert!(validate_scope("https://api.example.com/read").is_ok());
        assert_eq!(
            split_custom_scope("https://api.example.com/read"),
            Some(("https://api.example.com", "read"))
        );
        assert_eq!(split_custom_scope("openid"), None);
    }

    #[test]
    fn redirect_urls_need_https_except_loopback_and_no_fragment() {
        let cases: &[(&str, bool)] = &[
            ("https://app.example.com/callback", true),
            ("http://localhost:3000/cb", true),
            ("http://127.0.0.1:8080/cb", true),
            ("http://[::1]:8080/cb", true),
            ("myapp://callback", true),
            ("http://example.com/cb", false),
            ("http://localhost.evil.com/cb", false),
            ("http://localhost@evil.com/cb", false),
            ("http://evil.com\\@localhost/cb", false),
            ("https://app.example.com\\cb", false),
            ("https://app.example.com/cb#frag", false),
            ("/relative", false),
            ("https://", false),
            ("https://a b.com", false),
            ("", false),
            ("javascript://localhost/%0aalert(1)", false),
            ("JavaScript://x/%0aalert(1)", false),
            ("data://text/html,x", false),
            ("vbscript://x/y", false),
            ("file:///etc/passwd", false),
        ];
        for (url, ok) in cases {
            assert_eq!(
                validate_redirect_url("callbackURLs", url).is_ok(),
                *ok,
                "{url:?}"
            );
        }
    }

    #[test]
    fn user_info_answers_what_the_scopes_name() {
        let scopes = |s: &str| parse_scope_parameter(s);
        let cases: &[(&str, &str, bool)] = &[
            ("openid", "phone_number", true),
            ("openid", "custom:tier", true),
            ("openid aws.cognito.signin.user.admin", "custom:tier", true),
            ("openid email", "email", true),
            ("openid email", "email_verified", true),
            ("openid email", "phone_number", false),
            ("openid email", "custom:tier", false),
            ("openid email", "sub", true),
            ("openid profile", "given_name", true),
            ("openid profile", "email", false),
            ("openid phone", "phone_number_verified", true),
            ("openid phone email", "email", true),
            ("openid address", "address", true),
            ("openid address", "name", false),
        ];
        for (granted, attribute, answered) in cases {
            assert_eq!(
                user_info_allows(&scopes(granted), attribute),
                *answered,
                "{granted} / {attribute}"
            );
        }
    }

    #[test]
    fn pkce_s256_matches_an_independent_computation() {
        // The challenge computed by Python's hashlib and base64 for this verifier.
        let verifier = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag";
        let challenge = "qjrzSW9gMiUgpUvqgEPE4_-8swvyCtfOVvg55o5S_es";
        assert_eq!(s256_challenge(verifier), challenge);
        assert!(is_s256_challenge(challenge));
        assert!(verify_s256(verifier, challenge));
        assert!(!verify_s256(&verifier.replace('M', "N"), challenge));
        assert!(!verify_s256("short", &s256_challenge("short")));
        assert!(!is_s256_challenge("plain-challenge"));
    }

    /// A requested `scope` parameter and the scopes granted (or the refusal).
    type GrantCase = (
        Option<&'static str>,
        Result<&'static [&'static str], OAuthError>,
    );

    #[test]
    fn scopes_are_granted_as_cognito_grants_them() {
        let allowed: Vec<String> = ["openid", "email", "api/read", "api/write"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let cases: &[GrantCase] = &[
            (None, Ok(&["openid", "email", "api/read", "api/write"])),
            (Some("openid api/read"), Ok(&["openid", "api/read"])),
            (Some("openid  openid"), Ok(&["openid"])),
            (Some("openid profile"), Err(OAuthError::InvalidScope)),
            (Some("api/admin"), Err(OAuthError::InvalidScope)),
        ];
        for (requested, expected) in cases {
            let got = grant_authorize_scopes(*requested, &allowed);
            let expected = expected.map(|s| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
            assert_eq!(got, expected, "authorize {requested:?}");
        }
        let cases: &[GrantCase] = &[
            (None, Ok(&["api/read", "api/write"])),
            (Some("api/write"), Ok(&["api/write"])),
            (Some("openid"), Err(OAuthError::InvalidScope)),
            (Some("api/read api/admin"), Err(OAuthError::InvalidScope)),
        ];
        for (requested, expected) in cases {
            let got = grant_client_credentials_scopes(*requested, &allowed);
            let expected = expected.map(|s| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
            assert_eq!(got, expected, "client_credentials {requested:?}");
        }
        let standard_only: Vec<String> = vec!["openid".into()];
        assert_eq!(
            grant_client_credentials_scopes(None, &standard_only),
            Err(OAuthError::InvalidScope)
        );
        assert_eq!(OAuthError::InvalidClient.status(), 401);
        assert_eq!(OAuthError::InvalidGrant.as_str(), "invalid_grant");
    }

    #[test]
    fn flows_and_provider_inputs_parse_as_cognito_spells_them() {
        for flow in [
            OAuthFlow::Code,
            OAuthFlow::Implicit,
            OAuthFlow::ClientCredentials,
        ] {
            assert_eq!(OAuthFlow::parse(flow.as_str()).ok(), Some(flow));
        }
        assert!(OAuthFlow::parse("password").is_err());
        assert!(validate_provider_name("MyOIDC").is_ok());
        assert!(validate_provider_name("_x").is_err());
        assert!(validate_provider_name("COGNITO").is_err());
        assert!(validate_provider_name(&"x".repeat(33)).is_err());
        assert!(validate_provider_type("OIDC").is_ok());
        assert!(validate_provider_type("oidc").is_err());
    }

    #[test]
    fn social_defaults_s21_follow_cognito() {
        let google: std::collections::BTreeMap<_, _> = social_provider_defaults("Google", None)
            .into_iter()
            .collect();
        assert_eq!(google["oidc_issuer"], "https://accounts.google.com");
        assert_eq!(
            google["token_url"],
            "https://www.googleapis.com/oauth2/v4/token"
        );
        let facebook: std::collections::BTreeMap<_, _> =
            social_provider_defaults("Facebook", Some("v19.0"))
                .into_iter()
                .collect();
        assert_eq!(
            facebook["authorize_url"],
            "https://www.facebook.com/v19.0/dialog/oauth"
        );
        assert_eq!(facebook["token_request_method"], "GET");
        assert!(social_provider_defaults("OIDC", None).is_empty());
        assert!(social_provider_defaults("SAML", None).is_empty());
    }
}
