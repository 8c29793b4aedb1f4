//! The hosted sign-in pages (SPEC §21): plain HTML forms that work without JavaScript,
//! every input labelled, every value escaped.
//!
//! The pages hold no secret but the form's CSRF token (also in a cookie, compared on
//! post) and the pending request's id; a password is never written back into a page.

use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attribute values.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What every form of the sign-in flow carries.
pub struct Form<'a> {
    /// The pool's name, shown as the page's brand.
    pub pool_name: &'a str,
    /// Where the form posts.
    pub action: &'a str,
    /// The pending authorization request.
    pub request: &'a str,
    /// The CSRF token (the same value is in the cookie).
    pub csrf: &'a str,
    /// The message of the last refusal, if any.
    pub error: Option<&'a str>,
}

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\
         body{{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}}\
         label{{display:block;margin-top:1rem}}input{{width:100%;padding:.5rem;box-sizing:border-box}}\
         button{{margin-top:1.5rem;padding:.6rem 1.2rem}}.error{{color:#a00;border:1px solid #a00;padding:.5rem}}\
         </style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        escape(title)
    )
}

fn hidden(form: &Form<'_>, out: &mut String) {
    let _ = write!(
        out,
        "<input type=\"hidden\" name=\"request\" value=\"{}\">\n\
         <input type=\"hidden\" name=\"_csrf\" value=\"{}\">\n",
        escape(form.request),
        escape(form.csrf)
    );
}

fn error(form: &Form<'_>, out: &mut String) {
    if let Some(message) = form.error {
        let _ = writeln!(
            out,
            "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>",
            escape(message)
        );
    }
}

/// The sign-in page: `username` and `password`.
#[must_use]
pub fn sign_in(form: &Form<'_>, username: &str) -> String {
    let mut body = step_body(form, "Sign in", "");
    let _ = write!(
        body,
        "<label for=\"username\">Username</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" \
         autocapitalize=\"none\" required value=\"{}\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required>\n",
        escape(username)
    );
    step_page(form, "Sign in", body, "Sign in")
}

/// The page that answers NEW_PASSWORD_REQUIRED: `new_password` (the challenge's session
/// rides in the pending request, never in the page).
#[must_use]
pub fn new_password(form: &Form<'_>, fields: &[Field<'_>]) -> String {
    let mut body = step_body(form, "Change password", "Please enter a new password.");
    body.push_str(
        "<label for=\"new_password\">New password</label>\n\
         <input id=\"new_password\" name=\"new_password\" type=\"password\" \
         autocomplete=\"new-password\" required>\n",
    );
    attribute_inputs(&mut body, fields);
    step_page(form, "Change password", body, "Change password")
}

/// The external providers' buttons (SPEC §21): one form per provider, posting the
/// pending request, its CSRF token and `identity_provider`, so choosing one needs no
/// JavaScript and cannot be forged by another site.
#[must_use]
pub fn provider_buttons(form: &Form<'_>, providers: &[String]) -> String {
    let mut out = String::from("<section aria-label=\"Sign in with another provider\">\n");
    for provider in providers {
        open_form(form, &mut out);
        let _ = write!(
            out,
            "<button type=\"submit\" name=\"identity_provider\" value=\"{0}\">\
             Continue with {0}</button>\n</form>\n",
            escape(provider)
        );
    }
    out.push_str("</section>\n");
    out
}

/// The sign-in page of a client without the pool's own passwords: the providers only.
#[must_use]
pub fn choose_provider(form: &Form<'_>, providers: &[String]) -> String {
    let mut body = format!("<h1>{}</h1>\n<h2>Sign in</h2>\n", escape(form.pool_name));
    error(form, &mut body);
    body.push_str(&provider_buttons(form, providers));
    document(&format!("Sign in – {}", form.pool_name), &body)
}

/// A page for a request that cannot go back to the client (no registered redirect URI):
/// the error is shown, nothing redirects.
#[must_use]
pub fn refused(title: &str, message: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n",
        escape(title),
        escape(message)
    );
    document(title, &body)
}

/// The page after a sign-out without a logout URL to go to.
#[must_use]
pub fn signed_out(pool_name: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p>You are signed out.</p>\n",
        escape(pool_name)
    );
    document(&format!("Signed out – {pool_name}"), &body)
}

// ---- the further steps: MFA, sign-up, forgotten password ---------------------------------
//
// Each is its own page function; the sign-in page itself gains only the links of
// [`with_account_links`] and the notice of [`with_notice`], added from outside it.

/// Opens a page of `form` with its heading, its error and the opening of its form.
fn step_body(form: &Form<'_>, heading: &str, intro: &str) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<h2>{}</h2>\n",
        escape(form.pool_name),
        escape(heading)
    );
    if !intro.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", escape(intro));
    }
    error(form, &mut body);
    open_form(form, &mut body);
    body
}

/// The opening of a form posting to the form's action, with its hidden fields.
fn open_form(form: &Form<'_>, out: &mut String) {
    let _ = writeln!(
        out,
        "<form method=\"post\" action=\"{}\">",
        escape(form.action)
    );
    hidden(form, out);
}

fn step_page(form: &Form<'_>, heading: &str, mut body: String, button: &str) -> String {
    let _ = write!(
        body,
        "<button type=\"submit\">{}</button>\n</form>\n",
        escape(button)
    );
    document(&format!("{heading} – {}", form.pool_name), &body)
}

/// The one-time-code input of the MFA and confirmation pages.
fn code_input(body: &mut String, label: &str) {
    let _ = write!(
        body,
        "<label for=\"code\">{}</label>\n\
         <input id=\"code\" name=\"code\" type=\"text\" inputmode=\"numeric\" \
         autocomplete=\"one-time-code\" autocapitalize=\"none\" required>\n",
        escape(label)
    );
}

/// SOFTWARE_TOKEN_MFA or SMS_MFA: one field, `code`. `destination` is the masked phone
/// number an SMS code went to.
#[must_use]
pub fn mfa_code(form: &Form<'_>, sms_destination: Option<&str>) -> String {
    let intro = match sms_destination {
        Some(to) => format!("We have sent a code by SMS to {to}. Enter it to sign in."),
        None => "Enter the code from your authenticator app.".to_owned(),
    };
    let mut body = step_body(form, "Multi-factor authentication", &intro);
    code_input(&mut body, "Code");
    step_page(form, "Multi-factor authentication", body, "Sign in")
}

/// SELECT_MFA_TYPE: radio buttons named `mfa_type`, valued with Cognito's names
/// (`SMS_MFA`, `SOFTWARE_TOKEN_MFA`); the first is checked.
#[must_use]
pub fn select_mfa(form: &Form<'_>, options: &[(&str, &str)]) -> String {
    let mut body = step_body(form, "Choose how to sign in", "");
    body.push_str("<fieldset>\n<legend>Second factor</legend>\n");
    for (i, (value, label)) in options.iter().enumerate() {
        let id = format!("mfa_type_{i}");
        let _ = write!(
            body,
            "<input type=\"radio\" id=\"{id}\" name=\"mfa_type\" value=\"{}\"{}>\n\
             <label for=\"{id}\" style=\"display:inline\">{}</label><br>\n",
            escape(value),
            if i == 0 { " checked" } else { "" },
            escape(label)
        );
    }
    body.push_str("</fieldset>\n");
    step_page(form, "Choose how to sign in", body, "Continue")
}

/// MFA_SETUP with an authenticator app: the secret as text, the `otpauth://` URI as a
/// link (a phone's browser opens the app with it) and, when given, a QR code of it as
/// inline SVG (no script, no request elsewhere); then the first code, `code`.
#[must_use]
pub fn mfa_setup(form: &Form<'_>, secret: &str, uri: &str, qr_svg: Option<&str>) -> String {
    let mut body = step_body(
        form,
        "Set up an authenticator app",
        "This account needs a second factor. Add this key to your authenticator app, then enter the code it shows.",
    );
    if let Some(svg) = qr_svg {
        // The SVG is generated here from the URI, never from user input.
        let _ = writeln!(
            body,
            "<figure role=\"img\" aria-label=\"QR image of the key\">{svg}</figure>"
        );
    }
    let _ = write!(
        body,
        "<p>Key: <code id=\"secret\">{}</code></p>\n\
         <p><a id=\"otpauth\" href=\"{}\">Open in an authenticator app</a></p>\n",
        escape(secret),
        escape(uri)
    );
    code_input(&mut body, "Code");
    step_page(form, "Set up an authenticator app", body, "Verify")
}

/// One input of the sign-up form: `(label, name, type, autocomplete)`.
pub type Field<'a> = (&'a str, &'a str, &'a str, &'a str);

/// The sign-up page: `username`, `password` and the pool's required attributes.
#[must_use]
pub fn sign_up(form: &Form<'_>, username_label: &str, fields: &[Field<'_>]) -> String {
    let mut body = step_body(form, "Sign up", "");
    let _ = write!(
        body,
        "<label for=\"username\">{}</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" \
         autocapitalize=\"none\" required>\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"new-password\" required>\n",
        escape(username_label)
    );
    attribute_inputs(&mut body, fields);
    step_page(form, "Sign up", body, "Sign up")
}

/// A required, labelled input per attribute (sign-up's attributes, or those a
/// NEW_PASSWORD_REQUIRED challenge asks for).
fn attribute_inputs(body: &mut String, fields: &[Field<'_>]) {
    for (i, (label, name, kind, autocomplete)) in fields.iter().enumerate() {
        let _ = write!(
            body,
            "<label for=\"attribute_{i}\">{}</label>\n\
             <input id=\"attribute_{i}\" name=\"{}\" type=\"{}\" autocomplete=\"{}\" required>\n",
            escape(label),
            escape(name),
            escape(kind),
            escape(autocomplete)
        );
    }
}

/// The confirmation page of a sign-up: `code`; and a second form, to `resend_action`,
/// that asks for a new code.
#[must_use]
pub fn confirm_sign_up(form: &Form<'_>, destination: Option<&str>, resend_action: &str) -> String {
    let intro = match destination {
        Some(to) => format!("We have sent a code to {to}. Enter it to confirm your account."),
        None => "Enter the confirmation code to confirm your account.".to_owned(),
    };
    let mut body = step_body(form, "Confirm your account", &intro);
    code_input(&mut body, "Confirmation code");
    let _ = write!(
        body,
        "<button type=\"submit\">Confirm account</button>\n</form>\n\
         <form method=\"post\" action=\"{}\">\n",
        escape(resend_action)
    );
    hidden(form, &mut body);
    step_page(form, "Confirm your account", body, "Resend code")
}

/// The forgotten-password page: `username`.
#[must_use]
pub fn forgot_password(form: &Form<'_>) -> String {
    let mut body = step_body(
        form,
        "Forgot your password?",
        "Enter your username and we will send you a code to reset your password.",
    );
    body.push_str(
        "<label for=\"username\">Username</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" \
         autocapitalize=\"none\" required>\n",
    );
    step_page(form, "Forgot your password?", body, "Reset my password")
}

/// The reset page: `code` and `new_password`.
#[must_use]
pub fn confirm_forgot_password(form: &Form<'_>, destination: &str) -> String {
    let intro = format!("We have sent a password reset code to {destination}.");
    let mut body = step_body(form, "Reset your password", &intro);
    code_input(&mut body, "Code");
    body.push_str(
        "<label for=\"new_password\">New password</label>\n\
         <input id=\"new_password\" name=\"new_password\" type=\"password\" \
         autocomplete=\"new-password\" required>\n",
    );
    step_page(form, "Reset your password", body, "Change password")
}

/// `page` with links to the sign-up and forgotten-password pages (each only when given),
/// before the end of its main content.
#[must_use]
pub fn with_account_links(page: String, sign_up: Option<&str>, forgot: Option<&str>) -> String {
    if sign_up.is_none() && forgot.is_none() {
        return page;
    }
    let mut nav = String::from("<nav aria-label=\"Account\">\n");
    if let Some(href) = forgot {
        let _ = writeln!(
            nav,
            "<p><a href=\"{}\">Forgot your password?</a></p>",
            escape(href)
        );
    }
    if let Some(href) = sign_up {
        let _ = writeln!(
            nav,
            "<p>Need an account? <a href=\"{}\">Sign up</a></p>",
            escape(href)
        );
    }
    nav.push_str("</nav>\n");
    page.replacen("</main>", &format!("{nav}</main>"), 1)
}

/// `page` with a status message (not an error) before its form.
#[must_use]
pub fn with_notice(page: String, notice: Option<&str>) -> String {
    match notice {
        Some(text) => page.replacen(
            "<form ",
            &format!(
                "<p class=\"notice\" role=\"status\" id=\"notice\">{}</p>\n<form ",
                escape(text)
            ),
            1,
        ),
        None => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(error: Option<&'a str>) -> Form<'a> {
        Form {
            pool_name: "Acme <pool>",
            action: "/us-east-1_X/login",
            request: "req\"id",
            csrf: "tok&en",
            error,
        }
    }

    #[test]
    fn everything_shown_is_escaped_and_inputs_are_labelled() {
        let page = sign_in(&form(Some("<b>no</b>")), "\"><script>alert(1)</script>");
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("Acme &lt;pool&gt;"));
        assert!(page.contains("value=\"req&quot;id\""));
        assert!(page.contains("value=\"tok&amp;en\""));
        assert!(page.contains("&lt;b&gt;no&lt;/b&gt;"));
        for id in ["username", "password"] {
            assert!(page.contains(&format!("<label for=\"{id}\">")), "{id}");
            assert!(page.contains(&format!("id=\"{id}\" name=\"{id}\"")), "{id}");
        }
        let page = mfa_code(&form(None), None);
        assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
        assert!(page.contains("<label for=\"code\">"));
        let page = mfa_setup(&form(None), "SECRET<", "otpauth://totp/a\"b", None);
        assert!(page.contains("SECRET&lt;") && page.contains("otpauth://totp/a&quot;b"));
        let page = sign_up(
            &form(None),
            "Username",
            &[("Email", "email", "email", "email")],
        );
        assert!(page.contains("autocomplete=\"new-password\""), "{page}");
        assert!(page.contains("<label for=\"attribute_0\">Email</label>"));
        let page = with_account_links(new_password(&form(None), &[]), Some("/s?a=1&b"), None);
        assert!(page.contains("href=\"/s?a=1&amp;b\""), "{page}");
        let page = new_password(
            &form(None),
            &[("Given <name>", "given_name", "text", "given-name")],
        );
        assert!(page.contains("<label for=\"new_password\">New password</label>"));
        // A required attribute the challenge asks for: labelled, escaped, required.
        assert!(
            page.contains("<label for=\"attribute_0\">Given &lt;name&gt;</label>"),
            "{page}"
        );
        assert!(
            page.contains("name=\"given_name\" type=\"text\" autocomplete=\"given-name\" required")
        );
        assert!(!page.contains("role=\"alert\""));
    }
}
