//! SPEC §8, §11 (admin operations): a sequence of correctly signed admin requests on a
//! populated pool (28 users in every status) — ListUsers `Filter` strings and page tokens,
//! attribute updates, pool and client settings, user management. Every answer is well
//! formed; every user a filtered ListUsers returns matches its filter; and after the
//! sequence, walking ListUsers page by page (Limit 7) returns every user the store holds,
//! each once, in at most 100 pages.
//!
//! Input: request blocks as in `wire_session` (`===` between them, `$NEXT` the last page
//! token, `$NEWPOOL`/`$NEWCLIENT` the last created), each signed whatever its first line
//! says (see `corpus/admin_ops/`).
#![no_main]
#![forbid(unsafe_code)]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use userpool_fuzz::session::{Step, blocks};
use userpool_fuzz::{Fixture, Signing, WireRequest, reach};

/// `name = "value"` / `name ^= "prefix"` as the server reads it, for the attributes that
/// compare exactly (not `username`, `status`, `cognito:user_status`).
fn exact_filter(filter: &str) -> Option<(String, bool, String)> {
    let (name, rest, prefix) = match filter.split_once("^=") {
        Some((name, rest)) => (name, rest, true),
        None => {
            let (name, rest) = filter.split_once('=')?;
            (name, rest, false)
        }
    };
    let name = name.trim().trim_matches('"');
    let value = rest.trim().strip_prefix('"')?.strip_suffix('"')?;
    let exact = [
        "email",
        "phone_number",
        "name",
        "given_name",
        "family_name",
        "preferred_username",
        "sub",
    ];
    exact
        .contains(&name)
        .then(|| (name.to_owned(), prefix, value.to_owned()))
}

fn check_filtered(body: &Value, answer: &Value) {
    let Some(filter) = body["Filter"].as_str() else {
        return;
    };
    if body.get("AttributesToGet").is_some() {
        return;
    }
    let Some((name, prefix, wanted)) = exact_filter(filter) else {
        return;
    };
    reach::mark("admin_ops filtered ListUsers checked");
    for user in answer["Users"].as_array().into_iter().flatten() {
        let value = user["Attributes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["Name"] == name.as_str())
            .and_then(|a| a["Value"].as_str());
        let matches = value.is_some_and(|v| {
            if prefix {
                v.starts_with(&wanted)
            } else {
                v == wanted
            }
        });
        assert!(matches, "ListUsers {filter:?} returned {user}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fixture = Fixture::new();
    for block in blocks(&text) {
        let mut request = WireRequest::parse(block);
        request.signing = Signing::Valid;
        let block = request.encode();
        let body: Value =
            serde_json::from_str(&fixture.vars.apply(&request.body)).unwrap_or_default();
        if let Step::Answered(request, answer) = fixture.step(&block)
            && request.target == "ListUsers"
            && answer.status == 200
        {
            check_filtered(&body, &answer.json);
        }
    }
    // Paging is whole whatever the sequence did.
    let pool = fixture.pool().clone();
    let Ok(stored) = fixture.store.list_users(&pool, None, 10_000) else {
        return; // the sequence deleted the pool
    };
    let mut seen = HashSet::new();
    let mut token: Option<String> = None;
    for _ in 0..100 {
        let mut body = json!({"UserPoolId": "$POOL", "Limit": 7});
        if let Some(token) = &token {
            body["PaginationToken"] = json!(token);
        }
        let request = WireRequest::parse(&format!("ListUsers signed\n\n{body}"));
        let answer = fixture.send_text(&request).expect("request");
        assert_eq!(answer.status, 200, "{}", answer.json);
        for user in answer.json["Users"].as_array().into_iter().flatten() {
            let name = user["Username"].as_str().unwrap_or_default().to_owned();
            assert!(seen.insert(name.clone()), "{name} listed twice");
        }
        token = answer.json["PaginationToken"].as_str().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert!(token.is_none(), "ListUsers paging did not end in 100 pages");
    assert_eq!(seen.len(), stored.len(), "ListUsers paging lost users");
    reach::mark("admin_ops paging checked");
});
