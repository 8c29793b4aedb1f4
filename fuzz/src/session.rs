//! A sequence of requests against one [`Fixture`], carrying what a client carries between
//! them: each answer's `Session`, tokens and page tokens, and each delivered code and
//! temporary password, become placeholders the next requests can name.
//!
//! The text is request blocks (see [`crate::request`]) separated by lines `===`; a block
//! whose first line is `ADVANCE <seconds>` moves the clock instead (signatures follow it).
//!
//! | placeholder | value |
//! |---|---|
//! | `$SESSION` | the last answer's `Session` |
//! | `$ACCESS`, `$ID`, `$REFRESH` | the last `AuthenticationResult`'s tokens |
//! | `$NEXT` | the last `PaginationToken` (or `NextToken`) |
//! | `$CODE` | the last confirmation code delivered, to anyone |
//! | `$TEMP` | the last temporary password delivered |
//! | `$NEWPOOL`, `$NEWCLIENT` | the last pool and app client created |

use serde_json::Value;
use userpool_core::Event;

use crate::fixture::{Answer, Fixture};
use crate::request::WireRequest;

/// At most this many blocks of an input run.
pub const MAX_STEPS: usize = 16;

/// The blocks of a session text.
#[must_use]
pub fn blocks(text: &str) -> Vec<&str> {
    text.split("\n===\n").take(MAX_STEPS).collect()
}

/// What one block did.
#[derive(Debug)]
pub enum Step {
    /// The clock moved.
    Advanced,
    /// A request was sent and answered.
    Answered(WireRequest, Answer),
    /// The text was no HTTP request.
    Skipped,
}

impl Fixture {
    /// Runs one block, then takes the placeholders its answer and deliveries give.
    pub fn step(&mut self, block: &str) -> Step {
        if let Some(seconds) = block.strip_prefix("ADVANCE ") {
            let seconds: i64 = seconds
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .parse()
                .unwrap_or(0);
            self.clock.advance(chrono::TimeDelta::seconds(
                seconds.clamp(-86_400, 400 * 86_400),
            ));
            return Step::Advanced;
        }
        let request = WireRequest::parse(block);
        let Some(answer) = self.send_text(&request) else {
            return Step::Skipped;
        };
        self.capture(&answer.json);
        Step::Answered(request, answer)
    }

    fn capture(&mut self, json: &Value) {
        let text = |value: &Value| value.as_str().map(str::to_owned);
        if let Some(session) = text(&json["Session"]) {
            self.vars.set("$SESSION", session);
        }
        let result = &json["AuthenticationResult"];
        for (name, member) in [
            ("$ACCESS", "AccessToken"),
            ("$ID", "IdToken"),
            ("$REFRESH", "RefreshToken"),
        ] {
            if let Some(token) = text(&result[member]) {
                self.vars.set(name, token);
            }
        }
        if let Some(next) = text(&json["PaginationToken"]).or_else(|| text(&json["NextToken"])) {
            self.vars.set("$NEXT", next);
        }
        if let Some(pool) = text(&json["UserPool"]["Id"]) {
            self.vars.set("$NEWPOOL", pool);
        }
        if let Some(client) = text(&json["UserPoolClient"]["ClientId"]) {
            self.vars.set("$NEWCLIENT", client);
        }
        for delivered in self.deliveries.events().into_iter().rev().take(1) {
            match delivered.event {
                Event::CodeIssued { code, .. } => self.vars.set("$CODE", code.expose()),
                Event::UserCreated {
                    temporary_password, ..
                }
                | Event::InvitationResent {
                    temporary_password, ..
                } => self.vars.set("$TEMP", temporary_password.expose()),
                _ => {}
            }
        }
    }
}
