//! `grant_type=urn:openid:params:grant-type:ciba`: the client polls until the
//! professional answers (`authorization_pending`), no faster than the interval
//! (`slow_down`, which adds 5 s), and not after expiry (`expired_token`).

use segur_core::world::OidcClient;
use serde_json::Value;

use super::refuse;
use crate::error::OAuthError;
use crate::exchange::{Call, Params};
use crate::realm::Realm;
use crate::store::{CibaDecision, CibaState, Session};
use crate::tokens::{self, Grant};
use crate::{claims, rules};

/// One poll.
pub fn poll(
    realm: &Realm,
    client: &OidcClient,
    params: &Params,
    call: &mut Call,
) -> Result<Value, OAuthError> {
    let id = params.required("auth_req_id", call)?;
    let now = realm.now();
    let request = {
        let mut store = realm.store.lock();
        let policy = store
            .ciba
            .get(id)
            .and_then(|r| store.ciba_policies.get(&r.professional))
            .copied();
        let Some(request) = store.ciba.get_mut(id) else {
            drop(store);
            return Err(refuse(call, "unknown auth_req_id".into()));
        };
        if request.client_id != client.client_id {
            let why = format!("auth_req_id belongs to client {:?}", request.client_id);
            drop(store);
            return Err(refuse(call, why));
        }
        call.answer("polls", request.polls + 1);
        if now >= request.expires_at {
            drop(store);
            call.find(rules::CIBA_POLLING.finding("polling after the request expired"));
            return Err(OAuthError::expired_token());
        }
        let too_fast = request
            .last_poll
            .is_some_and(|last| (now - last).whole_seconds() < request.interval as i64);
        request.last_poll = Some(now);
        request.polls += 1;
        if too_fast && request.state == CibaState::Pending {
            request.interval += 5;
            let interval = request.interval;
            drop(store);
            call.find(rules::CIBA_POLLING.finding(format!(
                "polled faster than the interval: slow_down, now {interval} s"
            )));
            return Err(OAuthError::slow_down(interval));
        }
        if request.state == CibaState::Pending
            && let Some(policy) = policy
            && request.polls > policy.after_polls
        {
            request.state = match policy.decision {
                CibaDecision::Approve => CibaState::Approved,
                CibaDecision::Deny => CibaState::Denied,
            };
        }
        match request.state {
            CibaState::Pending => return Err(OAuthError::authorization_pending()),
            CibaState::Denied => {
                return Err(OAuthError::access_denied(
                    "the professional refused the authentication",
                ));
            }
            CibaState::Delivered => {
                drop(store);
                return Err(refuse(
                    call,
                    "the tokens of this auth_req_id were already delivered".into(),
                ));
            }
            CibaState::Approved => request.state = CibaState::Delivered,
        }
        request.clone()
    };
    let professional = claims::find(&realm.bench.world(), &request.professional).cloned();
    let Some(professional) = professional else {
        return Err(refuse(
            call,
            "the professional of this request left the world".into(),
        ));
    };
    let session = Session {
        sid: uuid::Uuid::new_v4().to_string(),
        professional: professional.id.clone(),
        auth_time: now,
        last_active: now,
        logged_out: false,
    };
    realm
        .store
        .lock()
        .sessions
        .insert(session.sid.clone(), session.clone());
    call.answer("professional", professional.national_id.clone());
    Ok(tokens::issue(
        realm,
        &Grant {
            client,
            professional: &professional,
            session: &session,
            scope: &request.scope,
            nonce: None,
            family: &request.auth_req_id,
        },
        now,
    ))
}
