//! SPEC §11 (tokens): mutations of really issued access, ID and refresh tokens, presented
//! to GetUser, GlobalSignOut and InitiateAuth `REFRESH_TOKEN_AUTH`. Every answer is well
//! formed, and only the genuine token of the kind the operation takes is ever accepted:
//! an edited, re-encoded, truncated or re-signed token, or one of another kind, is refused.
//!
//! Each input signs `alice` in (a real RS256 access and ID token and a refresh token), then
//! reads, in text (see `corpus/tokens/`): line 1, the operation (`GetUser`,
//! `GlobalSignOut` or `Refresh`) and the token to edit (`access`, `id` or `refresh`); then
//! edits, one per line:
//! - `header <from>\t<to>` / `payload <from>\t<to>`: replace text in the decoded JWT header
//!   or claims JSON, re-encoded as base64url;
//! - `signature <text>`: the third segment becomes `<text>`;
//! - `token <text>`: the whole token becomes `<text>` (`$TOKEN` is the one being edited,
//!   `$ACCESS`, `$ID`, `$REFRESH` the issued ones);
//! - `truncate <n>`: keep the first `n` bytes.
#![no_main]
#![forbid(unsafe_code)]

use base64ct::{Base64UrlUnpadded, Encoding};
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use userpool_fuzz::{Fixture, WireRequest, fixture, reach};

/// Replaces `from` with `to` in the decoded JSON of JWT segment `index`.
fn edit_segment(token: &str, index: usize, from: &str, to: &str) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    if let Some(part) = parts.get_mut(index) {
        let decoded = Base64UrlUnpadded::decode_vec(part).unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded);
        let edited = if from.is_empty() {
            text.into_owned()
        } else {
            text.replace(from, to)
        };
        *part = Base64UrlUnpadded::encode_string(edited.as_bytes());
    }
    parts.join(".")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.lines();
    let mut first = lines.next().unwrap_or("").split_whitespace();
    let operation = first.next().unwrap_or("GetUser");
    let which = first.next().unwrap_or("access");

    let mut fixture = Fixture::new();
    let sign_in = format!(
        "InitiateAuth\n\n{}",
        json!({"ClientId": "$CLIENT", "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "alice", "PASSWORD": fixture::PASSWORD}})
    );
    let userpool_fuzz::session::Step::Answered(_, answer) = fixture.step(&sign_in) else {
        panic!("sign-in request");
    };
    assert_eq!(answer.status, 200, "{}", answer.json);
    let issued = |name| fixture.vars.apply(name);
    let (access, id, refresh) = (issued("$ACCESS"), issued("$ID"), issued("$REFRESH"));
    let original = match which {
        "id" => id.clone(),
        "refresh" => refresh.clone(),
        _ => access.clone(),
    };
    let mut token = original.clone();
    for line in lines.take(8) {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (from, to) = rest.split_once('\t').unwrap_or((rest, ""));
        token = match verb {
            "header" => edit_segment(&token, 0, from, to),
            "payload" => edit_segment(&token, 1, from, to),
            "signature" => {
                let mut parts: Vec<&str> = token.split('.').collect();
                if let Some(last) = parts.get_mut(2) {
                    *last = rest;
                }
                parts.join(".")
            }
            "token" => rest
                .replace("$TOKEN", &token)
                .replace("$ACCESS", &access)
                .replace("$ID", &id)
                .replace("$REFRESH", &refresh),
            "truncate" => {
                let n = rest.trim().parse().unwrap_or(usize::MAX);
                token
                    .char_indices()
                    .nth(n)
                    .map_or(token.clone(), |(i, _)| token[..i].to_owned())
            }
            _ => token,
        };
    }
    let (target, body, genuine) = match operation {
        "Refresh" => (
            "InitiateAuth",
            json!({"ClientId": "$CLIENT", "AuthFlow": "REFRESH_TOKEN_AUTH",
                   "AuthParameters": {"REFRESH_TOKEN": token}}),
            &refresh,
        ),
        "GlobalSignOut" => ("GlobalSignOut", json!({"AccessToken": token}), &access),
        _ => ("GetUser", json!({"AccessToken": token}), &access),
    };
    let request = WireRequest::parse(&format!("{target}\n\n{body}"));
    let Some(answer) = fixture.send_text(&request) else {
        return;
    };
    reach::mark(&format!(
        "tokens {operation} {which} {} {}",
        if token == original {
            "unchanged"
        } else {
            "edited"
        },
        answer.error().unwrap_or("OK")
    ));
    if answer.status == 200 {
        // As sent: the request text's placeholders were replaced in it too.
        assert_eq!(
            &fixture.vars.apply(&token),
            genuine,
            "{operation} accepted a token that is not the genuine one"
        );
    }
});
