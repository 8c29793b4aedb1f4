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
    let mut body = format!("<h1>{}</h1>\n<h2>Sign in</h2>\n", escape(form.pool_name));
    error(form, &mut body);
    let _ = writeln!(
        body,
        "<form method=\"post\" action=\"{}\">",
        escape(form.action)
    );
    hidden(form, &mut body);
    let _ = write!(
        body,
        "<label for=\"username\">Username</label>\n\
         <input id=\"username\" name=\"username\" type=\"text\" autocomplete=\"username\" \
         autocapitalize=\"none\" required value=\"{}\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" \
         autocomplete=\"current-password\" required>\n\
         <button type=\"submit\">Sign in</button>\n</form>\n",
        escape(username)
    );
    document(&format!("Sign in – {}", form.pool_name), &body)
}

/// The page that answers NEW_PASSWORD_REQUIRED: `new_password` (the challenge's session
/// rides in the pending request, never in the page).
#[must_use]
pub fn new_password(form: &Form<'_>) -> String {
    let mut body = format!(
        "<h1>{}</h1>\n<h2>Change password</h2>\n<p>Please enter a new password.</p>\n",
        escape(form.pool_name)
    );
    error(form, &mut body);
    let _ = writeln!(
        body,
        "<form method=\"post\" action=\"{}\">",
        escape(form.action)
    );
    hidden(form, &mut body);
    body.push_str(
        "<label for=\"new_password\">New password</label>\n\
         <input id=\"new_password\" name=\"new_password\" type=\"password\" \
         autocomplete=\"new-password\" required>\n\
         <button type=\"submit\">Change password</button>\n</form>\n",
    );
    document(&format!("Change password – {}", form.pool_name), &body)
}

/// The external providers' buttons (SPEC §21): one form per provider, posting the
/// pending request, its CSRF token and `identity_provider`, so choosing one needs no
/// JavaScript and cannot be forged by another site.
#[must_use]
pub fn provider_buttons(form: &Form<'_>, providers: &[String]) -> String {
    let mut out = String::from("<section aria-label=\"Sign in with another provider\">\n");
    for provider in providers {
        let _ = writeln!(
            out,
            "<form method=\"post\" action=\"{}\">",
            escape(form.action)
        );
        hidden(form, &mut out);
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
        let page = new_password(&form(None));
        assert!(page.contains("<label for=\"new_password\">New password</label>"));
        assert!(!page.contains("role=\"alert\""));
    }
}
