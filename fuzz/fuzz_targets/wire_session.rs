//! SPEC §11, stateful: a sequence of up to 16 requests against one server, each able to
//! use what the earlier answers and deliveries gave (`$SESSION`, `$CODE`, `$TEMP`,
//! `$ACCESS`, `$ID`, `$REFRESH`, `$NEXT`, ...: see `userpool_fuzz::session`), so the
//! fuzzer reaches sign-in challenges, confirmations, resets, refresh and sign-out with real
//! values. Every answer is well formed, and an access token revoked by a successful
//! GlobalSignOut is never accepted again.
//!
//! Input: request blocks in the text format of `userpool_fuzz::request`, separated by lines
//! `===` (see `corpus/wire_session/`).
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use userpool_fuzz::Fixture;
use userpool_fuzz::session::{Step, blocks};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fixture = Fixture::new();
    let mut revoked: Vec<String> = Vec::new();
    for block in blocks(&text) {
        // The body as sent, for the token it carries.
        let sent = fixture.vars.apply(block);
        let Step::Answered(request, answer) = fixture.step(block) else {
            continue;
        };
        let body = sent.split_once("\n\n").map_or("", |(_, body)| body);
        let body: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let token = body["AccessToken"].as_str().filter(|_| {
            matches!(
                request.target.as_str(),
                "GetUser" | "ChangePassword" | "GlobalSignOut"
            )
        });
        if let (200, Some(token)) = (answer.status, token) {
            assert!(
                !revoked.iter().any(|r| r == token),
                "a signed-out access token was accepted by {}",
                request.target
            );
            if request.target == "GlobalSignOut" {
                revoked.push(token.to_owned());
            }
        }
    }
});
