//! SPEC §11: any request — any target, content type, headers and body, signed or not — gets
//! a well-formed answer from the server's router: HTTP 200, or 400/500 with a JSON body
//! `{"__type", "message"}` whose type matches the status. Never a panic, never a dropped
//! request.
//!
//! The input is one request in the text format of `userpool_fuzz::request` (the seeds under
//! `corpus/wire/` are written in it): the fuzzer mutates the operation, the headers and the
//! body, while the first line's `signed` flag decides whether the request carries a correct
//! SigV4 signature (the development credential, at the fixture's pinned clock), so admin
//! operations run for real on a populated pool. `$POOL` and `$CLIENT` name it and its app
//! client.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use userpool_fuzz::{Fixture, Signing, WireRequest};

fuzz_target!(|data: &[u8]| {
    let request = WireRequest::parse(&String::from_utf8_lossy(data));
    let fixture = Fixture::new();
    let Some(answer) = fixture.send_text(&request) else {
        return;
    };
    // A correct signature is never what the server refuses (when a header it signed could
    // not be taken, the request went unsigned and may be refused; a claimed body hash or
    // session token is the fuzzer's to get wrong).
    let claims = |name: &str| {
        request
            .headers
            .iter()
            .any(|(n, _)| n.trim().eq_ignore_ascii_case(name))
    };
    if request.signing == Signing::Valid
        && request.operation().is_some()
        && !claims("x-amz-content-sha256")
        && !claims("x-amz-security-token")
    {
        assert!(
            !matches!(
                answer.error(),
                Some("InvalidSignatureException" | "UnrecognizedClientException")
            ),
            "{request:?}\n{}",
            answer.json
        );
    }
});
