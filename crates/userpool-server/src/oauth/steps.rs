//! The hosted page's steps after the sign-in form (SPEC §21, §18): the MFA pages, sign-up
//! and its confirmation, the forgotten password. Each post is checked as the sign-in
//! form's is (the per-address limit, a live pending request, its CSRF token in the form
//! and the cookie), then answers the step the pending request is at; the step, its
//! challenge session and a TOTP secret being set up stay server-side in
//! [`super::pending::Step`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter};
use userpool::PoolRecord;
use userpool::inputs::{
    ClientUserInput, ConfirmForgotPasswordInput, ConfirmSignUpInput, RespondToAuthChallengeInput,
    SecretText, SignUpInput,
};
use userpool::{AuthResult, MfaAnswer};
use userpool_core::mfa::{MfaChallengeName, MfaFactor};
use userpool_core::{Error as PoolError, ErrorCode, NotAuthorized};
use zeroize::Zeroizing;

use super::authorize::{authorize_refused, authorize_request};
use super::pending::{self, Pending};
use super::sign_in::{
    csrf_cookie, expired_page, finish, hold_sign_in, internal_page, page_form, sign_in_message,
    sign_in_page, sign_in_page_with,
};
use super::{
    CSRF_COOKIE, Fields, blocking, cookie_value, get_param, html, page, page_error, page_get,
    page_params, page_pool, pool_route, read_form,
};
use crate::App;

/// The page of the pending request's current step (the sign-in page for
/// [`pending::Step::SignIn`]); 400 with an error, 200 without.
fn step_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    use pending::Step;
    let body = match &pending.step {
        Step::SignIn => {
            return sign_in_page(app, segment, id, pending, error, "", page_status(error));
        }
        Step::NewPassword { required, .. } => {
            let action = format!("/{segment}/login");
            let fields: Vec<page::Field<'_>> =
                required.iter().map(|name| attribute_field(name)).collect();
            page::new_password(&page_form(pending, &action, id, error), &fields)
        }
        Step::Mfa {
            name, destination, ..
        } => {
            let action = format!("/{segment}/mfa");
            let form = page_form(pending, &action, id, error);
            match name {
                MfaChallengeName::SelectMfaType => page::select_mfa(&form, &mfa_choices(pending)),
                MfaChallengeName::SmsMfa => page::mfa_code(&form, destination.as_deref()),
                _ => page::mfa_code(&form, None),
            }
        }
        Step::MfaSetup {
            username, secret, ..
        } => {
            let action = format!("/{segment}/mfa");
            let form = page_form(pending, &action, id, error);
            let uri = Zeroizing::new(otpauth_uri(&pending.grant.pool.name, username, secret));
            let qr = qr_svg(&uri);
            page::mfa_setup(&form, secret, &uri, qr.as_ref().map(|q| q.as_str()))
        }
        Step::ConfirmSignUp { destination, .. } => {
            let action = format!("/{segment}/confirmUser");
            let resend = format!("/{segment}/resendCode");
            page::confirm_sign_up(
                &page_form(pending, &action, id, error),
                destination.as_deref(),
                &resend,
            )
        }
        Step::ResetPassword { destination, .. } => {
            let action = format!("/{segment}/confirmForgotPassword");
            page::confirm_forgot_password(&page_form(pending, &action, id, error), destination)
        }
    };
    form_page(app, segment, id, pending, error, body)
}

/// A page's status: 400 with an error, 200 without.
fn page_status(error: Option<&str>) -> StatusCode {
    if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// `body`, a form of the pending request `id`, with its CSRF cookie: 400 with an error,
/// 200 without.
fn form_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
    body: String,
) -> Response {
    html(
        page_status(error),
        body,
        Some(csrf_cookie(app, segment, id, pending)),
    )
}

/// The choices of a SELECT_MFA_TYPE step, as `(value, label)`.
fn mfa_choices(pending: &Pending) -> Vec<(&'static str, &'static str)> {
    let pending::Step::Mfa { options, .. } = &pending.step else {
        return Vec::new();
    };
    options
        .iter()
        .map(|f| match f {
            MfaFactor::SoftwareToken => ("SOFTWARE_TOKEN_MFA", "Authenticator app"),
            MfaFactor::Sms => ("SMS_MFA", "Text message (SMS)"),
        })
        .collect()
}

/// The key URI authenticator apps read (`otpauth://totp/<issuer>:<user>?secret=...`):
/// the pool's name as the issuer, the username as the account.
fn otpauth_uri(issuer: &str, username: &str, secret: &str) -> String {
    let encode = |text: &str| {
        form_urlencoded::byte_serialize(text.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("secret", secret)
        .append_pair("issuer", issuer)
        .finish()
        .replace('+', "%20");
    format!(
        "otpauth://totp/{}:{}?{query}",
        encode(issuer),
        encode(username)
    )
}

/// The QR code of `uri` as inline SVG (black modules on white, a quiet zone), for an
/// authenticator app's camera; `None` if the URI is too long for a QR code. It encodes
/// the secret, so it is wiped like the secret.
fn qr_svg(uri: &str) -> Option<Zeroizing<String>> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = Zeroizing::new(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    );
    // The renderer writes a standalone document: inline in HTML, only the element.
    let start = svg.find("<svg")?;
    Some(Zeroizing::new(svg[start..].to_owned()))
}

/// What the sign-up, confirmation and reset pages say for a refusal: the service's own
/// message (which already follows the client's PreventUserExistenceErrors, as the API's
/// answers do), except an internal error's detail.
fn account_message(error: &PoolError) -> String {
    match error {
        PoolError::Internal(_) => "An internal error occurred.".to_owned(),
        other => other.to_string(),
    }
}

/// The forms of the hosted pages, each posted to its own path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Post {
    /// `/login`: username and password, or the new password of NEW_PASSWORD_REQUIRED.
    Login,
    /// `/mfa`: an MFA code, the chosen factor, or the first code of a new TOTP.
    Mfa,
    /// `/signup`.
    SignUp,
    /// `/confirmUser`: the sign-up's confirmation code.
    ConfirmUser,
    /// `/resendCode`: a new confirmation code.
    ResendCode,
    /// `/forgotPassword`: the username to send a reset code for.
    Forgot,
    /// `/confirmForgotPassword`: the code and the new password.
    ConfirmForgot,
}

/// The route of the form posted to one path: [`step_post`] with the form's kind.
pub(super) fn form_route(kind: Post) -> MethodRouter<Arc<App>> {
    pool_route(MethodFilter::POST, move |app, segment, request| {
        step_post(app, segment, request, kind)
    })
}

/// The route of the sign-up page (`sign_up`) or the forgotten-password page:
/// [`account_page`].
pub(super) fn account_route(sign_up: bool) -> MethodRouter<Arc<App>> {
    pool_route(MethodFilter::GET, move |app, segment, request| {
        account_page(app, segment, request, sign_up)
    })
}

/// A post of one of the hosted pages: the per-address limit, the pending request (live,
/// single-use) and its CSRF token (form and cookie) first, then the step.
async fn step_post(app: Arc<App>, segment: String, request: Request, kind: Post) -> Response {
    let (parts, body) = request.into_parts();
    let peer = crate::serve::peer(&parts.extensions);
    let headers = parts.headers;
    let body = match read_form(body).await {
        Ok(body) => body,
        Err(_) => {
            return page_error(
                StatusCode::BAD_REQUEST,
                "Sign-in error",
                "The form is too large.",
            );
        }
    };
    blocking(&app, move |app| {
        let form = match page_params(app, peer, &body, "Sign-in error", "A field is repeated.") {
            Ok(form) => form,
            Err(refused) => return *refused,
        };
        let id = get_param(&form, "request").unwrap_or_default().to_owned();
        let now = app.clock.now();
        // A request held for an external provider (under its `state`) answers only at
        // `/oauth2/idpresponse`, never to these forms.
        let Some(pending) = app.pending.get(&id, now).filter(|p| p.upstream.is_none()) else {
            return expired_page();
        };
        if !pending.csrf_matches(
            get_param(&form, "_csrf").unwrap_or_default(),
            cookie_value(&headers, &format!("{CSRF_COOKIE}_{id}")),
        ) {
            return page_error(
                StatusCode::FORBIDDEN,
                "Sign-in error",
                "The form could not be verified. Start again from the application.",
            );
        }
        if let (Post::Login, Some(provider)) = (&kind, get_param(&form, "identity_provider")) {
            if !pending
                .grant
                .external_providers
                .iter()
                .any(|p| p == provider)
            {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Sign-in error",
                    "Login option is not available. Please try another one.",
                );
            }
            let Some(mut taken) = app.pending.take(&id) else {
                return expired_page();
            };
            taken.grant.identity_provider = Some(provider.to_owned());
            return super::federation::redirect_upstream(app, taken, peer);
        }
        let flow = Flow {
            app,
            segment: &segment,
            id: &id,
        };
        match kind {
            Post::Login => flow.login(pending, &form),
            Post::Mfa => flow.mfa(pending, &form),
            Post::SignUp => flow.sign_up(pending, &form),
            Post::ConfirmUser => flow.confirm_user(pending, &form),
            Post::ResendCode => flow.resend_code(pending),
            Post::Forgot => flow.forgot(pending, &form),
            Post::ConfirmForgot => flow.confirm_forgot(pending, &form),
        }
    })
    .await
}

/// One post of one pending request.
struct Flow<'a> {
    app: &'a App,
    segment: &'a str,
    id: &'a str,
}

impl Flow<'_> {
    fn client_id(pending: &Pending) -> &str {
        &pending.grant.client_id
    }

    /// Runs a public operation for the pending request's client with `username`'s
    /// `SECRET_HASH`, which the page presents as the client's own back end would
    /// ([`userpool::UserPools::hosted_secret_hash`]): the service checks it as for any
    /// request (SPEC §11).
    fn with_secret_hash<T>(
        &self,
        pending: &Pending,
        username: &str,
        run: impl FnOnce(Option<&str>) -> userpool_core::Result<T>,
    ) -> userpool_core::Result<T> {
        let hash = self
            .app
            .pools
            .hosted_secret_hash(&pending.grant, username)?;
        run(hash.as_ref().map(SecretText::expose))
    }

    /// RespondToAuthChallenge with an MFA answer for the pending request's client:
    /// `challenge` is the challenge's name and session.
    fn answer_mfa(
        &self,
        pending: &Pending,
        username: &str,
        (name, session): (&str, &str),
        answer: MfaAnswer<'_>,
    ) -> userpool_core::Result<AuthResult> {
        let client_id = Self::client_id(pending);
        self.with_secret_hash(pending, username, |hash| {
            let input =
                RespondToAuthChallengeInput::parse(Some(client_id), Some(name), Some(session))?;
            self.app.pools.respond_to_mfa_challenge_input(
                &input.with_secret_hash(hash),
                username,
                answer,
            )
        })
    }

    /// The page of the request's current step again, with `error`.
    fn again(&self, pending: &Pending, error: Option<&str>) -> Response {
        step_page(self.app, self.segment, self.id, pending, error)
    }

    /// Moves the request to `step` and shows its page.
    fn go(&self, mut pending: Pending, step: pending::Step, error: Option<&str>) -> Response {
        pending.step = step;
        self.app.pending.update(self.id, pending.clone());
        self.again(&pending, error)
    }

    /// One attempt from the username's limit (SPEC §13); past it, the step's page again
    /// with the error.
    fn over_limit(&self, pending: &Pending, client_id: &str, username: &str) -> Option<Response> {
        let refused = self.app.pools.limit_username(client_id, username).err()?;
        Some(self.again(pending, Some(&refused.to_string())))
    }

    /// The user of the account step in progress (`username`: the step's, `None` when the
    /// request is at another step, whose page is shown again), one attempt taken from
    /// their limit (SPEC §13): the client id and the username, or the page to answer with.
    fn account_user(
        &self,
        pending: &Pending,
        username: Option<&str>,
    ) -> Result<(String, String), Box<Response>> {
        let Some(username) = username else {
            return Err(Box::new(self.again(pending, None)));
        };
        let client_id = Self::client_id(pending).to_owned();
        if let Some(page) = self.over_limit(pending, &client_id, username) {
            return Err(Box::new(page));
        }
        Ok((client_id, username.to_owned()))
    }

    /// Back to the sign-in page, with `error` and the username typed.
    fn back_to_sign_in(&self, pending: Pending, error: &str, username: &str) -> Response {
        self.to_sign_in(pending, Some(error), None, username)
    }

    /// Moves the request back to its sign-in step and shows the sign-in page with `error`
    /// (400) or `notice` (200), the username filled in.
    fn to_sign_in(
        &self,
        mut pending: Pending,
        error: Option<&str>,
        notice: Option<&str>,
        username: &str,
    ) -> Response {
        pending.step = pending::Step::SignIn;
        self.app.pending.update(self.id, pending.clone());
        sign_in_page_with(
            self.app,
            self.segment,
            self.id,
            &pending,
            error,
            notice,
            username,
            page_status(error),
        )
    }

    /// The page for what a sign-in step answered: the code (or tokens), or the next step.
    fn answered(&self, pending: Pending, result: AuthResult) -> Response {
        use pending::Step;
        match result {
            AuthResult::Authenticated(user) => {
                finish(self.app, self.segment, self.id, &pending, &user.user)
            }
            AuthResult::NewPasswordRequired {
                session,
                user,
                required_attributes,
            } => self.go(
                pending,
                Step::NewPassword {
                    username: user.username,
                    session: Zeroizing::new(session.expose().to_owned()),
                    required: required_attributes,
                },
                None,
            ),
            AuthResult::Mfa(challenge) if challenge.name == MfaChallengeName::MfaSetup => {
                self.set_up_totp(pending, &challenge)
            }
            AuthResult::Mfa(challenge) => self.go(
                pending,
                Step::Mfa {
                    name: challenge.name,
                    username: challenge.user.username,
                    session: Zeroizing::new(challenge.session.expose().to_owned()),
                    destination: challenge.delivery.map(|d| d.destination),
                    options: challenge.options,
                },
                None,
            ),
            AuthResult::PasswordVerifier(_) => internal_page(),
        }
    }

    /// MFA_SETUP: associates a TOTP secret with the challenge's session and shows it.
    fn set_up_totp(&self, pending: Pending, challenge: &userpool::MfaChallengeResult) -> Response {
        let username = challenge.user.username.clone();
        if !challenge.options.contains(&MfaFactor::SoftwareToken) {
            // Cognito's hosted UI sets up only an authenticator app: a user who could set
            // up SMS alone needs a phone number first, which only the API can add.
            return self.back_to_sign_in(
                pending,
                "This account must set up multi-factor authentication by SMS, which this page does not offer. Ask an administrator to add a phone number.",
                &username,
            );
        }
        match self
            .app
            .pools
            .associate_software_token_in_session(challenge.session.expose())
        {
            Ok((secret, session)) => self.go(
                pending,
                pending::Step::MfaSetup {
                    username,
                    session: Zeroizing::new(session.expose().to_owned()),
                    secret,
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    fn login(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        if let (
            Some(new_password),
            pending::Step::NewPassword {
                username,
                session,
                required,
            },
        ) = (get_param(form, "new_password"), pending.step.clone())
        {
            // The required attributes the challenge asked for, as typed (the service
            // validates them with the new password, all or nothing).
            let attributes: Vec<(&str, &str)> = required
                .iter()
                .filter_map(|name| get_param(form, name).map(|value| (name.as_str(), value)))
                .collect();
            if let Some(page) = self.over_limit(&pending, &client_id, &username) {
                return page;
            }
            let answered = self.with_secret_hash(&pending, &username, |hash| {
                let input = RespondToAuthChallengeInput::parse(
                    Some(&client_id),
                    Some("NEW_PASSWORD_REQUIRED"),
                    Some(&session),
                )?
                .with_secret_hash(hash);
                self.app.pools.respond_to_new_password_required_input(
                    &input,
                    &username,
                    new_password,
                    &attributes,
                )
            });
            return match answered {
                // SPEC §18: the new password may be followed by an MFA step.
                Ok(result) => self.answered(pending, result),
                // The session survives these: the page asks again.
                Err(
                    e @ (PoolError::InvalidPassword(_)
                    | PoolError::PasswordHistoryPolicyViolation
                    | PoolError::InvalidParameter(_)
                    | PoolError::InvalidValue(_)
                    | PoolError::InvalidParameterMessage(_)),
                ) => self.again(&pending, Some(&e.to_string())),
                Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
            };
        }
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let password = get_param(form, "password").unwrap_or_default();
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return sign_in_page(
                self.app,
                self.segment,
                self.id,
                &pending,
                Some(&e.to_string()),
                &username,
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
        // A sign-in restarts the request's flow, whatever step it had reached.
        let mut pending = pending;
        pending.step = pending::Step::SignIn;
        match self
            .app
            .pools
            .hosted_sign_in(&client_id, &username, password)
        {
            Ok(result) => self.answered(pending, result),
            // Both come only after the password was verified (SPEC §6), so they tell the
            // user nothing a stranger could learn; as Cognito's hosted UI, the page goes
            // on to the step that resolves them.
            Err(PoolError::UserNotConfirmed) => self.unconfirmed(pending, &username),
            Err(PoolError::PasswordResetRequired) => self.reset_required(pending, &username),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    /// An UNCONFIRMED user signed in with the right password: a new confirmation code
    /// (ResendConfirmationCode, §12's issuance limit) and the confirmation page.
    fn unconfirmed(&self, pending: Pending, username: &str) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        match self.with_secret_hash(&pending, username, |hash| {
            let input = ClientUserInput::parse(Some(&client_id), Some(username))?;
            let input = input.with_secret_hash(hash);
            self.app.pools.resend_confirmation_code_input(&input)
        }) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ConfirmSignUp {
                    username: username.to_owned(),
                    destination: delivery.map(|d| d.destination),
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), username),
        }
    }

    /// A RESET_REQUIRED user signed in with the old password: a reset code
    /// (ForgotPassword, refused where only administrators recover accounts) and the reset
    /// page.
    fn reset_required(&self, pending: Pending, username: &str) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        match self.with_secret_hash(&pending, username, |hash| {
            let input = ClientUserInput::parse(Some(&client_id), Some(username))?;
            let input = input.with_secret_hash(hash);
            self.app.pools.forgot_password_input(&input)
        }) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ResetPassword {
                    username: username.to_owned(),
                    destination: delivery.destination,
                },
                None,
            ),
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), username),
        }
    }

    fn mfa(&self, pending: Pending, form: &Fields) -> Response {
        use pending::Step;
        let client_id = Self::client_id(&pending).to_owned();
        let code = get_param(form, "code").unwrap_or_default();
        let (username, session) = match &pending.step {
            Step::Mfa {
                username, session, ..
            }
            | Step::MfaSetup {
                username, session, ..
            } => (username.clone(), session.clone()),
            _ => return self.again(&pending, None),
        };
        if let Some(page) = self.over_limit(&pending, &client_id, &username) {
            return page;
        }
        let answer = match &pending.step {
            Step::MfaSetup { .. } => {
                match self
                    .app
                    .pools
                    .verify_software_token_in_session(&session, code)
                {
                    Ok(verified) => self.answer_mfa(
                        &pending,
                        &username,
                        ("MFA_SETUP", verified.expose()),
                        MfaAnswer::Setup,
                    ),
                    Err(e) => Err(e),
                }
            }
            Step::Mfa { name, .. } => {
                let answer = match name {
                    MfaChallengeName::SelectMfaType => MfaAnswer::Select {
                        answer: get_param(form, "mfa_type").unwrap_or_default(),
                    },
                    MfaChallengeName::SmsMfa => MfaAnswer::Sms { code },
                    _ => MfaAnswer::SoftwareToken { code },
                };
                self.answer_mfa(&pending, &username, (name.as_str(), &session), answer)
            }
            _ => return internal_page(),
        };
        match answer {
            Ok(result) => self.answered(pending, result),
            // A wrong code is counted as the API counts it (SPEC §18) and may be tried
            // again on the same page, until the session is spent.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorCode::CodeMismatch
                        | ErrorCode::EnableSoftwareTokenMfa
                        | ErrorCode::InvalidParameter
                ) =>
            {
                self.again(&pending, Some(&e.to_string()))
            }
            Err(e) => self.back_to_sign_in(pending, &sign_in_message(&e), &username),
        }
    }

    fn sign_up(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let password = get_param(form, "password").unwrap_or_default();
        let values: Vec<(String, String)> = sign_up_attributes(&pending.grant.pool)
            .into_iter()
            .filter_map(|name| {
                get_param(form, name).map(|value| (name.to_owned(), value.to_owned()))
            })
            .collect();
        let attributes: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let show = |pending: &Pending, error: &str| {
            sign_up_page(self.app, self.segment, self.id, pending, Some(error))
        };
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return show(&pending, &e.to_string());
        }
        match self.with_secret_hash(&pending, &username, |hash| {
            let (client, name) = (Some(client_id.as_str()), Some(username.as_str()));
            let input = SignUpInput::parse(client, name, Some(password), &attributes)?;
            self.app.pools.sign_up_input(&input.with_secret_hash(hash))
        }) {
            Ok(result) if result.user_confirmed => self.signed_up(pending, &username),
            Ok(result) => self.go(
                pending,
                pending::Step::ConfirmSignUp {
                    username,
                    destination: result.code_delivery.map(|d| d.destination),
                },
                None,
            ),
            Err(e) => show(&pending, &account_message(&e)),
        }
    }

    /// The sign-in page after a finished sign-up, the username filled in.
    fn signed_up(&self, pending: Pending, username: &str) -> Response {
        self.finished(pending, "Your account is confirmed. Sign in.", username)
    }

    /// Back to the sign-in page after a finished account step, with `notice` and the
    /// username filled in.
    fn finished(&self, pending: Pending, notice: &str, username: &str) -> Response {
        self.to_sign_in(pending, None, Some(notice), username)
    }

    fn confirm_user(&self, pending: Pending, form: &Fields) -> Response {
        let (client_id, username) =
            match self.account_user(&pending, pending.step.confirming_sign_up()) {
                Ok(user) => user,
                Err(page) => return *page,
            };
        let code = get_param(form, "code").unwrap_or_default();
        match self.with_secret_hash(&pending, &username, |hash| {
            let input = ConfirmSignUpInput::parse(Some(&client_id), Some(&username), Some(code))?;
            self.app
                .pools
                .confirm_sign_up_input(&input.with_secret_hash(hash))
        }) {
            Ok(()) => self.signed_up(pending, &username),
            Err(e) => self.again(&pending, Some(&account_message(&e))),
        }
    }

    /// A new confirmation code for the sign-up being confirmed (ResendConfirmationCode:
    /// §12's issuance limit applies), and the confirmation page again.
    fn resend_code(&self, pending: Pending) -> Response {
        let (client_id, username) =
            match self.account_user(&pending, pending.step.confirming_sign_up()) {
                Ok(user) => user,
                Err(page) => return *page,
            };
        match self.with_secret_hash(&pending, &username, |hash| {
            let input = ClientUserInput::parse(Some(&client_id), Some(&username))?;
            let input = input.with_secret_hash(hash);
            self.app.pools.resend_confirmation_code_input(&input)
        }) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ConfirmSignUp {
                    username,
                    destination: delivery.map(|d| d.destination),
                },
                None,
            ),
            Err(e) => self.again(&pending, Some(&account_message(&e))),
        }
    }

    fn forgot(&self, pending: Pending, form: &Fields) -> Response {
        let client_id = Self::client_id(&pending).to_owned();
        let username = get_param(form, "username").unwrap_or_default().to_owned();
        let show = |pending: &Pending, error: &str| {
            forgot_page(self.app, self.segment, self.id, pending, Some(error))
        };
        if let Err(e) = self.app.pools.limit_username(&client_id, &username) {
            return show(&pending, &e.to_string());
        }
        match self.with_secret_hash(&pending, &username, |hash| {
            let input = ClientUserInput::parse(Some(&client_id), Some(&username))?;
            let input = input.with_secret_hash(hash);
            self.app.pools.forgot_password_input(&input)
        }) {
            Ok(delivery) => self.go(
                pending,
                pending::Step::ResetPassword {
                    username,
                    destination: delivery.destination,
                },
                None,
            ),
            Err(e) => show(&pending, &account_message(&e)),
        }
    }

    fn confirm_forgot(&self, pending: Pending, form: &Fields) -> Response {
        let (client_id, username) =
            match self.account_user(&pending, pending.step.resetting_password()) {
                Ok(user) => user,
                Err(page) => return *page,
            };
        let code = get_param(form, "code").unwrap_or_default();
        let password = get_param(form, "new_password").unwrap_or_default();
        match self.with_secret_hash(&pending, &username, |hash| {
            let input = ConfirmForgotPasswordInput::parse(
                Some(&client_id),
                Some(&username),
                Some(code),
                Some(password),
            )?;
            self.app
                .pools
                .confirm_forgot_password_input(&input.with_secret_hash(hash))
        }) {
            Ok(()) => self.finished(
                pending,
                "Your password has been reset. Sign in with the new password.",
                &username,
            ),
            Err(e) => self.again(&pending, Some(&account_message(&e))),
        }
    }
}

/// The sign-up page: the pool's required attributes besides username and password.
fn sign_up_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    let pool = &pending.grant.pool;
    let asked = sign_up_attributes(pool);
    let fields: Vec<page::Field<'_>> = asked.iter().map(|name| attribute_field(name)).collect();
    let username_label = username_label(pool);
    let action = format!("/{segment}/signup");
    let form = page_form(pending, &action, id, error);
    let body = page::sign_up(&form, username_label, &fields);
    form_page(app, segment, id, pending, error, body)
}

fn forgot_page(
    app: &App,
    segment: &str,
    id: &str,
    pending: &Pending,
    error: Option<&str>,
) -> Response {
    let action = format!("/{segment}/forgotPassword");
    let body = page::forgot_password(&page_form(pending, &action, id, error));
    form_page(app, segment, id, pending, error, body)
}

/// The attributes the sign-up page asks for: the pool's required ones and the ones it
/// verifies automatically (where the confirmation code goes), except those the username
/// itself is (a pool whose `UsernameAttributes` make the username an email address or
/// phone number stores it as that attribute).
fn sign_up_attributes(pool: &PoolRecord) -> Vec<&str> {
    let is_username = |name: &str| pool.username_attributes.iter().any(|a| a.as_str() == name);
    let mut names: Vec<&str> = Vec::new();
    let auto_verified = pool
        .settings
        .auto_verified_attributes
        .iter()
        .map(|a| a.as_str());
    for name in pool.schema.required_attributes().chain(auto_verified) {
        if !is_username(name) && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// What the username field is called in a pool that signs in with an email address or
/// phone number instead of a username.
fn username_label(pool: &PoolRecord) -> &'static str {
    use userpool_core::AliasAttribute;
    let email = pool.username_attributes.contains(&AliasAttribute::Email);
    let phone = pool
        .username_attributes
        .contains(&AliasAttribute::PhoneNumber);
    match (email, phone) {
        (true, true) => "Email or phone number",
        (true, false) => "Email",
        (false, true) => "Phone number",
        (false, false) => "Username",
    }
}

/// The input of a required attribute: `(label, name, type, autocomplete)`.
fn attribute_field(name: &str) -> page::Field<'_> {
    let (label, kind, autocomplete) = match name {
        "email" => ("Email", "email", "email"),
        "phone_number" => ("Phone number", "tel", "tel"),
        "name" => ("Name", "text", "name"),
        "given_name" => ("Given name", "text", "given-name"),
        "family_name" => ("Family name", "text", "family-name"),
        "middle_name" => ("Middle name", "text", "additional-name"),
        "nickname" => ("Nickname", "text", "nickname"),
        "preferred_username" => ("Preferred username", "text", "nickname"),
        "birthdate" => ("Birthdate (YYYY-MM-DD)", "text", "bday"),
        "address" => ("Address", "text", "street-address"),
        "gender" => ("Gender", "text", "sex"),
        "locale" => ("Locale", "text", "language"),
        "zoneinfo" => ("Time zone", "text", "off"),
        "website" => ("Website", "url", "url"),
        "profile" => ("Profile page", "url", "url"),
        "picture" => ("Picture", "url", "photo"),
        other => (other, "text", "off"),
    };
    (label, name, kind, autocomplete)
}

/// The pending request a GET of `/signup` or `/forgotPassword` continues: `request=<id>`
/// (the sign-in page's links), or the parameters of an authorization request, accepted
/// as `/oauth2/authorize` accepts them (Cognito's own links to these pages carry them).
fn pending_for_get(
    app: &App,
    segment: &str,
    params: &Fields,
    cookie: Option<&str>,
    peer: Option<SocketAddr>,
) -> Result<(String, Pending), Box<Response>> {
    if let Some(id) = get_param(params, "request") {
        let pending = app
            .pending
            .get(id, app.clock.now())
            .ok_or_else(|| Box::new(expired_page()))?;
        // The id travels in this link's URL: only the browser holding the request's CSRF
        // cookie may continue it (a leaked URL alone yields neither the form's token nor
        // a cookie for it).
        let cookie = cookie.unwrap_or_default();
        if !pending.csrf_matches(cookie, Some(cookie)) {
            return Err(Box::new(page_error(
                StatusCode::FORBIDDEN,
                "Sign-in error",
                "The request could not be verified. Start again from the application.",
            )));
        }
        return Ok((id.to_owned(), pending));
    }
    let pool = page_pool(app, segment, "Sign-in error")?;
    let grant = app
        .pools
        .oauth_authorize(&pool, &authorize_request(params))
        .map_err(|r| Box::new(authorize_refused(r)))?;
    hold_sign_in(app, grant, peer)
}

/// `GET /signup` and `GET /forgotPassword`.
async fn account_page(app: Arc<App>, segment: String, request: Request, sign_up: bool) -> Response {
    let headers = request.headers().clone();
    page_get(&app, request, "Sign-in error", move |app, params, peer| {
        let cookie = get_param(&params, "request")
            .and_then(|id| cookie_value(&headers, &format!("{CSRF_COOKIE}_{id}")));
        let (id, pending) = match pending_for_get(app, &segment, &params, cookie, peer) {
            Ok(found) => found,
            Err(response) => return *response,
        };
        let pool = &pending.grant.pool;
        if sign_up {
            if pool.settings.admin_create_user.allow_admin_create_user_only {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Sign-up error",
                    &NotAuthorized::SignUpNotPermitted.to_string(),
                );
            }
            sign_up_page(app, &segment, &id, &pending, None)
        } else {
            if pool
                .settings
                .account_recovery
                .as_ref()
                .is_some_and(userpool_core::settings::AccountRecoverySetting::admin_only)
            {
                return page_error(
                    StatusCode::BAD_REQUEST,
                    "Password reset error",
                    &NotAuthorized::AdminOnlyRecovery.to_string(),
                );
            }
            forgot_page(app, &segment, &id, &pending, None)
        }
    })
    .await
}
