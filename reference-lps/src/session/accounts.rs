//! Local accounts and their link to Pro Santé Connect (PSC.02, EX PSC 19): a user with a
//! login and password links the account to the national id PSC gives them
//! (`SubjectNameID`); from then on either way in opens the same account.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Session, params};
use crate::protocol::Reply;

/// One local account.
#[derive(Debug, Clone)]
pub struct Account {
    /// SHA-256 of the password (never kept in clear).
    password: [u8; 32],
    /// The professional's national id once linked to PSC.
    national_id: Option<String>,
}

/// The accounts and the one open now.
#[derive(Debug, Default)]
pub struct Accounts {
    /// By login.
    by_login: BTreeMap<String, Account>,
    /// The account open, and how it was opened (`password` or `psc`).
    open: Option<(String, &'static str)>,
}

impl Accounts {
    /// Closes the account open (a logout).
    pub fn close(&mut self) {
        self.open = None;
    }

    /// Opens the account linked to `national_id`, if one is (otherwise the account open,
    /// if any, stays: its user may be about to link it).
    pub fn open_linked(&mut self, national_id: &str) {
        if let Some((login, _)) = self
            .by_login
            .iter()
            .find(|(_, a)| a.national_id.as_deref() == Some(national_id))
        {
            self.open = Some((login.clone(), "psc"));
        }
    }
}

fn digest(password: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(password.as_bytes()).into()
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

impl Session {
    /// `account.create`: the site creates a local account.
    pub(super) fn account_create(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Credentials { login, password } = params(p)?;
        if login.is_empty() || password.is_empty() {
            return Err(Reply::error(
                "identifiant et mot de passe requis",
                Value::Null,
            ));
        }
        if self.accounts.by_login.contains_key(&login) {
            return Err(Reply::error(
                format!("le compte {login} existe déjà"),
                Value::Null,
            ));
        }
        self.accounts.by_login.insert(
            login.clone(),
            Account {
                password: digest(&password),
                national_id: None,
            },
        );
        Ok(Reply::ok(json!({ "account": login })))
    }

    /// `account.login_password`.
    pub(super) fn account_login(&mut self, p: &Value) -> Result<Reply, Reply> {
        let Credentials { login, password } = params(p)?;
        let ok = self
            .accounts
            .by_login
            .get(&login)
            .is_some_and(|a| a.password == digest(&password));
        if !ok {
            return Err(Reply::error(
                "identifiant ou mot de passe incorrect",
                Value::Null,
            ));
        }
        self.accounts.open = Some((login, "password"));
        Ok(self.account_show())
    }

    /// `account.link_psc`: the open account takes the national id of the professional
    /// logged in with PSC.
    pub(super) fn account_link(&mut self) -> Result<Reply, Reply> {
        let Some((login, _)) = self.accounts.open.clone() else {
            return Err(Reply::error(
                "aucun compte local ouvert à rapprocher",
                Value::Null,
            ));
        };
        let Some(national_id) = self.psc_national_id() else {
            return Err(Reply::error(
                "aucun professionnel connecté avec Pro Santé Connect",
                Value::Null,
            ));
        };
        if !self.defects.on("psc-account-not-linked")
            && let Some(account) = self.accounts.by_login.get_mut(&login)
        {
            account.national_id = Some(national_id);
        }
        Ok(self.account_show())
    }

    /// `account.show`.
    pub(super) fn account_show(&self) -> Reply {
        match &self.accounts.open {
            Some((login, via)) => Reply::ok(json!({
                "account": login,
                "via": via,
                "national_id": self.accounts.by_login.get(login).and_then(|a| a.national_id.clone()),
            })),
            None => Reply::ok(json!({ "account": null })),
        }
    }

    /// The national id PSC's UserInfo gave for the professional logged in.
    pub(super) fn psc_national_id(&self) -> Option<String> {
        self.psc
            .user()
            .and_then(|u| {
                u["SubjectNameID"]
                    .as_str()
                    .or(u["preferred_username"].as_str())
            })
            .map(str::to_string)
    }
}
