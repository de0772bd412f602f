//! What the operator checks on every submitted message ([`inspect`]), and the same checks
//! re-run on a recorded transaction ([`recheck`]).

pub mod inspect;
pub mod sender;

use segur_core::finding::Finding;
use segur_core::world::World;

use crate::directory::{self, Route};
use crate::rules;

/// Rules of an SMTP DATA record that come from the session or the delivery, not from the
/// message: a re-check of the message alone neither finds nor drops them.
pub const SESSION_RULES: &[&str] = &[
    rules::UNDELIVERABLE.name,
    rules::SENDER_MISMATCH.name,
    rules::CLEARTEXT.name,
    rules::TEST_PASSWORD.name,
    rules::TOO_LARGE.name,
    rules::AUTH_REFUSED.name,
    rules::TOKEN_EXPIRED.name,
    rules::PROTOCOL.name,
];

/// The message checks of today's operator on a recorded SMTP DATA transaction: `raw` as
/// submitted, sent to `rcpt_to` (resolved in `world`).
pub fn recheck(world: &World, rcpt_to: &[String], raw: &[u8]) -> Vec<Finding> {
    let mailboxes: Vec<_> = rcpt_to
        .iter()
        .filter_map(|address| match directory::resolve(world, address) {
            Route::Mailbox(kind) => Some((address.to_ascii_lowercase(), kind)),
            _ => None,
        })
        .collect();
    inspect::inspect(raw, &mailboxes, world).findings
}
