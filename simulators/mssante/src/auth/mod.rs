//! Who a client is, decided as the trust space decides by mailbox type (spec notes §2.1):
//! APP mailboxes by the structure's client certificate (SASL EXTERNAL), PER and ORG
//! mailboxes by a Pro Santé Connect access token (XOAUTH2, OAUTHBEARER) checked with the
//! PSC simulator's keys and clock, and the documented test password for plain clients.

pub mod sasl;

use segur_core::finding::Finding;
use segur_core::tls::TlsPeer;
use segur_psc::TokenValidator;
use serde::Serialize;
use time::OffsetDateTime;

use crate::config::TEST_PASSWORD;
use crate::directory::{self, MailboxKind, Route};
use crate::operator::Operator;
use crate::rules;
pub use sasl::{Credentials, SaslError};

/// How the client proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Its TLS client certificate (APP mailboxes).
    Certificate,
    /// A Pro Santé Connect access token (PER and ORG mailboxes).
    PscToken,
    /// The bench's test password.
    TestPassword,
}

/// An authenticated session's identity.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// The mailbox opened, lower case.
    pub address: String,
    /// Its type.
    pub kind: MailboxKind,
    /// How it was proved.
    pub method: Method,
    /// The professional's national id (token) or the certificate's subject.
    pub subject: String,
    /// The token, kept to re-check it on every command (expiry, logout).
    #[serde(skip)]
    pub token: Option<String>,
    /// When the token expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}

/// A refused authentication: the finding journaled, whose message is also the reason
/// told to the client.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The rule broken and why.
    pub finding: Finding,
}

impl Refusal {
    fn new(rule: &segur_core::finding::Rule, reason: impl Into<String>) -> Self {
        Self {
            finding: rule.finding(reason),
        }
    }

    /// The reason, for the protocol reply.
    pub fn reason(&self) -> &str {
        &self.finding.message
    }
}

/// Checks `credentials` presented over a connection from `peer`; the identity and the
/// findings worth journaling even on success (the test password).
pub fn authenticate(
    operator: &Operator,
    credentials: &Credentials,
    peer: &TlsPeer,
) -> Result<(Identity, Vec<Finding>), Refusal> {
    match credentials {
        // The API LPS's way for an APP mailbox (MSS/CONF.12): TLS with the structure's
        // ORG AUTH_CLI certificate, then PLAIN carrying the mailbox address as login.
        Credentials::Password { user, password } if password.is_empty() && peer.cert.is_some() => {
            by_certificate(operator, Some(user), peer)
        }
        Credentials::External { authzid } => {
            let (identity, mut findings) = by_certificate(operator, authzid.as_deref(), peer)?;
            findings.push(rules::APP_LOGIN.finding(format!(
                "{} opened with SASL EXTERNAL: the API LPS opens an APP mailbox with PLAIN, its address as login, under the certificate",
                identity.address
            )));
            Ok((identity, findings))
        }
        Credentials::Bearer { user, token } => by_token(operator, user.as_deref(), token),
        Credentials::Password { user, password } => by_password(operator, user, password),
    }
}

fn mailbox(operator: &Operator, address: &str) -> Result<MailboxKind, Refusal> {
    match directory::resolve(&operator.bench.world(), address) {
        Route::Mailbox(
            kind @ (MailboxKind::Per { .. } | MailboxKind::Org { .. } | MailboxKind::App { .. }),
        ) => Ok(kind),
        Route::Mailbox(MailboxKind::Patient { .. }) | Route::PatientUnreachable(_) => {
            Err(Refusal::new(
                &rules::AUTH_REFUSED,
                format!(
                    "{address} is a patient mailbox: patients read their mail in Mon espace santé"
                ),
            ))
        }
        Route::Unknown | Route::OutsideTrustSpace => Err(Refusal::new(
            &rules::AUTH_REFUSED,
            format!("no mailbox {address} at this operator"),
        )),
    }
}

fn by_certificate(
    operator: &Operator,
    authzid: Option<&str>,
    peer: &TlsPeer,
) -> Result<(Identity, Vec<Finding>), Refusal> {
    let (Some(subject), Some(unit)) = (peer.subject(), peer.unit()) else {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            "EXTERNAL needs a client certificate of the structure (IGC Santé ORG AUTH_CLI)",
        ));
    };
    let world = operator.bench.world();
    let Some(structure) = world.structures.iter().find(|s| s.national_id == unit) else {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            format!("the certificate names structure {unit}, unknown to the operator"),
        ));
    };
    let address = match authzid {
        Some(a) => a.to_ascii_lowercase(),
        None => match structure.mssante_applications.as_slice() {
            [only] => only.to_ascii_lowercase(),
            _ => {
                return Err(Refusal::new(
                    &rules::AUTH_REFUSED,
                    format!(
                        "structure {unit} has {} applicative mailboxes: name one as authorization identity",
                        structure.mssante_applications.len()
                    ),
                ));
            }
        },
    };
    drop(world);
    match mailbox(operator, &address)? {
        kind @ MailboxKind::App { .. } => {
            if matches!(&kind, MailboxKind::App { national_id, .. } if national_id == unit) {
                Ok((
                    Identity {
                        address,
                        kind,
                        method: Method::Certificate,
                        subject: subject.to_string(),
                        token: None,
                        expires_at: None,
                    },
                    Vec::new(),
                ))
            } else {
                Err(Refusal::new(
                    &rules::AUTH_REFUSED,
                    format!(
                        "{address} belongs to another structure than the certificate's ({unit})"
                    ),
                ))
            }
        }
        kind => Err(Refusal::new(
            &rules::AUTH_REFUSED,
            format!(
                "{address} is a {} mailbox: it opens with a Pro Santé Connect token, not a certificate",
                kind.label()
            ),
        )),
    }
}

/// Checks a PSC token, as at login and before every later command of the session.
pub fn check_token(operator: &Operator, token: &str) -> Result<segur_psc::AccessToken, Refusal> {
    let Some(validator) = operator.bench.extension::<TokenValidator>() else {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            "no Pro Santé Connect simulator runs in this bench to check the token",
        ));
    };
    validator.validate(token).map_err(|e| {
        let rule = match e {
            segur_psc::TokenError::Expired(_) => &rules::TOKEN_EXPIRED,
            _ => &rules::AUTH_REFUSED,
        };
        Refusal::new(rule, format!("Pro Santé Connect token refused: {e}"))
    })
}

fn by_token(
    operator: &Operator,
    user: Option<&str>,
    token: &str,
) -> Result<(Identity, Vec<Finding>), Refusal> {
    let access = check_token(operator, token)?;
    let Some(address) = user.map(str::to_ascii_lowercase) else {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            "the bearer response names no mailbox (a= or user=)",
        ));
    };
    let kind = mailbox(operator, &address)?;
    if let MailboxKind::App { .. } = kind {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            format!(
                "{address} is an APP mailbox: it opens with the structure's certificate (EXTERNAL)"
            ),
        ));
    }
    if !directory::professional_may_open(&operator.bench.world(), &access.national_id, &address) {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            format!(
                "the token's professional {} may not open {address}",
                access.national_id
            ),
        ));
    }
    Ok((
        Identity {
            address,
            kind,
            method: Method::PscToken,
            subject: access.national_id.clone(),
            token: Some(token.to_string()),
            expires_at: Some(access.expires_at),
        },
        Vec::new(),
    ))
}

fn by_password(
    operator: &Operator,
    user: &str,
    password: &str,
) -> Result<(Identity, Vec<Finding>), Refusal> {
    if !operator.config.allow_test_password || password != TEST_PASSWORD {
        return Err(Refusal::new(
            &rules::AUTH_REFUSED,
            "wrong password (MSSanté mailboxes open with a PSC token or a certificate)",
        ));
    }
    let address = user.to_ascii_lowercase();
    let kind = mailbox(operator, &address)?;
    let note = rules::TEST_PASSWORD.finding(format!(
        "{address} ({}) opened with the bench's test password; a real operator asks for {}",
        kind.label(),
        if matches!(kind, MailboxKind::App { .. }) {
            "the structure's certificate"
        } else {
            "a Pro Santé Connect token"
        }
    ));
    Ok((
        Identity {
            address: address.clone(),
            kind,
            method: Method::TestPassword,
            subject: address,
            token: None,
            expires_at: None,
        },
        vec![note],
    ))
}
