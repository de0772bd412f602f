//! The Pro Santé Connect client: authorization code flow with PKCE (S256), `state` and
//! `nonce`, `acr_values=eidas1` (PSC.08); CIBA in poll mode; refresh while the session
//! lasts and a new authentication once it ended; RP-initiated logout.
//!
//! The LPS plays an embedded browser: it reads the authorization redirect itself instead
//! of serving its redirect URI.

pub mod jwt;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::Value;
use sha2::Digest;

use crate::defects::Defects;
use jwt::IdToken;

/// The client's registration at PSC.
#[derive(Debug, Clone)]
pub struct Registration {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (client_secret_basic).
    pub client_secret: String,
    /// Registered redirect URI.
    pub redirect_uri: String,
}

/// A logged-in professional.
#[derive(Debug, Clone)]
pub struct Session {
    /// The access token.
    access_token: String,
    /// When it expires (session clock, Unix seconds).
    access_expires_at: i64,
    /// The refresh token, if any.
    refresh_token: Option<String>,
    /// When the refresh token (and so the PSC session) ends.
    refresh_expires_at: i64,
    /// The checked ID token.
    id_token: IdToken,
    /// How many refreshes so far.
    refreshes: u32,
    /// Last UserInfo read.
    pub userinfo: Value,
}

/// Why a PSC operation failed, in the words shown to the user.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PscFailure(pub String);

/// The PSC client of one session.
#[derive(Debug)]
pub struct PscClient {
    /// The realm's issuer URL.
    issuer: String,
    /// Over the bench's CA.
    http: reqwest::Client,
    /// The registration.
    registration: Registration,
    /// The discovery document, once read.
    discovery: Option<Value>,
    /// The current session.
    session: Option<Session>,
    /// Why the last session ended, for `show_session`.
    ended: Option<String>,
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .expect("the system random source works");
    bytes
}

fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

fn fail(what: &str, e: impl std::fmt::Display) -> PscFailure {
    PscFailure(format!("Pro Santé Connect: {what}: {e}"))
}

impl PscClient {
    /// A client of the realm at `issuer`.
    pub fn new(issuer: String, http: reqwest::Client, registration: Registration) -> Self {
        Self {
            issuer,
            http,
            registration,
            discovery: None,
            session: None,
            ended: None,
        }
    }

    async fn get_json(&self, url: &str) -> Result<Value, PscFailure> {
        let response = self.http.get(url).send().await.map_err(|e| fail(url, e))?;
        crate::tls::bounded_json(response)
            .await
            .map_err(|e| fail(url, e))
    }

    async fn endpoint(&mut self, name: &str) -> Result<String, PscFailure> {
        if self.discovery.is_none() {
            let url = format!("{}/.well-known/wallet-openid-configuration", self.issuer);
            self.discovery = Some(self.get_json(&url).await?);
        }
        self.discovery
            .as_ref()
            .and_then(|d| d[name].as_str())
            .map(str::to_string)
            .ok_or_else(|| {
                PscFailure(format!(
                    "Pro Santé Connect: pas de {name} dans la découverte"
                ))
            })
    }

    fn basic(&self) -> String {
        let r = &self.registration;
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", r.client_id, r.client_secret))
        )
    }

    async fn token_call(
        &mut self,
        form: &[(&str, &str)],
    ) -> Result<(reqwest::StatusCode, Value), PscFailure> {
        let url = self.endpoint("token_endpoint").await?;
        let response = self
            .http
            .post(&url)
            .header("authorization", self.basic())
            .form(form)
            .send()
            .await
            .map_err(|e| fail("jeton", e))?;
        let status = response.status();
        let body: Value = crate::tls::bounded_json(response)
            .await
            .map_err(|e| fail("jeton", e))?;
        Ok((status, body))
    }

    async fn open_session(
        &mut self,
        tokens: Value,
        nonce: Option<&str>,
        verify_signature: bool,
        now: i64,
    ) -> Result<(), PscFailure> {
        let jwks_uri = self.endpoint("jwks_uri").await?;
        let jwks = self.get_json(&jwks_uri).await?;
        let raw = tokens["id_token"]
            .as_str()
            .ok_or_else(|| PscFailure("Pro Santé Connect: pas d'ID token".into()))?;
        let id_token = jwt::check(
            raw,
            &jwks,
            &self.issuer,
            &self.registration.client_id,
            nonce,
            verify_signature,
            now,
        )
        .map_err(|e| PscFailure(format!("Pro Santé Connect: {e}")))?;
        let access_token = tokens["access_token"]
            .as_str()
            .ok_or_else(|| PscFailure("Pro Santé Connect: pas de jeton d'accès".into()))?
            .to_string();
        self.session = Some(Session {
            access_token,
            access_expires_at: now + tokens["expires_in"].as_i64().unwrap_or(0),
            refresh_token: tokens["refresh_token"].as_str().map(str::to_string),
            refresh_expires_at: now + tokens["refresh_expires_in"].as_i64().unwrap_or(0),
            id_token,
            refreshes: 0,
            userinfo: Value::Null,
        });
        self.ended = None;
        Ok(())
    }

    /// The authorization code flow, the LPS reading the redirect as an embedded browser.
    pub async fn login(&mut self, defects: &Defects, now: i64) -> Result<(), PscFailure> {
        let authorize = self.endpoint("authorization_endpoint").await?;
        let state = random_token();
        let nonce = random_token();
        let verifier = random_token();
        let challenge = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
        let r = self.registration.clone();
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", r.client_id.as_str()),
            ("redirect_uri", r.redirect_uri.as_str()),
            ("scope", "openid scope_all"),
            ("state", state.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        if !defects.on("no-acr-values") {
            query.push(("acr_values", "eidas1"));
        }
        if !defects.on("no-nonce") {
            query.push(("nonce", nonce.as_str()));
        }
        let response = self
            .http
            .get(&authorize)
            .query(&query)
            .send()
            .await
            .map_err(|e| fail("autorisation", e))?;
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| {
                PscFailure(format!(
                    "Pro Santé Connect: l'authentification n'a pas abouti (HTTP {})",
                    response.status()
                ))
            })?;
        let url = reqwest::Url::parse(&location).map_err(|e| fail("redirection", e))?;
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        if let Some(error) = param("error") {
            return Err(PscFailure(format!(
                "Pro Santé Connect a refusé la connexion: {error} {}",
                param("error_description").unwrap_or_default()
            )));
        }
        if param("state").as_deref() != Some(state.as_str()) && !defects.on("psc-ignores-state") {
            return Err(PscFailure(
                "Pro Santé Connect: state différent de celui envoyé".into(),
            ));
        }
        let code =
            param("code").ok_or_else(|| PscFailure("Pro Santé Connect: pas de code".into()))?;
        let (status, tokens) = self
            .token_call(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &r.redirect_uri),
                ("code_verifier", &verifier),
            ])
            .await?;
        if !status.is_success() {
            return Err(PscFailure(format!(
                "Pro Santé Connect: échange du code refusé: {tokens}"
            )));
        }
        let sent_nonce =
            (!defects.on("no-nonce") && !defects.on("psc-ignores-nonce")).then_some(nonce.as_str());
        let verify = !defects.on("psc-skips-signature");
        self.open_session(tokens, sent_nonce, verify, now).await
    }

    /// CIBA: the professional confirms on their card or phone; the LPS polls no faster
    /// than the interval PSC gives.
    pub async fn login_ciba(
        &mut self,
        national_id: &str,
        defects: &Defects,
        clock: impl Fn() -> i64,
    ) -> Result<(), PscFailure> {
        let endpoint = self.endpoint("backchannel_authentication_endpoint").await?;
        // Two digits shown on the card and in the software, so the user knows it is theirs.
        let binding = format!("{:02}", random_bytes::<1>()[0] % 100);
        let mut form = vec![
            ("scope", "openid scope_all"),
            ("login_hint", national_id),
            ("channel", "CARD"),
        ];
        if !defects.on("no-acr-values") {
            form.push(("acr_values", "eidas1"));
        }
        if !defects.on("ciba-no-binding-message") {
            form.push(("binding_message", binding.as_str()));
        }
        let response = self
            .http
            .post(&endpoint)
            .header("authorization", self.basic())
            .form(&form)
            .send()
            .await
            .map_err(|e| fail("CIBA", e))?;
        let status = response.status();
        let started: Value = crate::tls::bounded_json(response)
            .await
            .map_err(|e| fail("CIBA", e))?;
        if !status.is_success() {
            return Err(PscFailure(format!(
                "Pro Santé Connect a refusé la demande CIBA: {started}"
            )));
        }
        let auth_req_id = started["auth_req_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut interval = started["interval"].as_u64().unwrap_or(5);
        let deadline = std::time::Instant::now()
            + Duration::from_secs(started["expires_in"].as_u64().unwrap_or(120));
        loop {
            tokio::time::sleep(Duration::from_secs(interval)).await;
            if std::time::Instant::now() > deadline {
                return Err(PscFailure(
                    "Pro Santé Connect: la demande CIBA a expiré".into(),
                ));
            }
            let (status, body) = self
                .token_call(&[
                    ("grant_type", "urn:openid:params:grant-type:ciba"),
                    ("auth_req_id", &auth_req_id),
                ])
                .await?;
            if status.is_success() {
                return self.open_session(body, None, true, clock()).await;
            }
            match body["error"].as_str() {
                Some("authorization_pending") => {}
                Some("slow_down") => interval += 5,
                _ => {
                    return Err(PscFailure(format!(
                        "Pro Santé Connect: CIBA refusé: {body}"
                    )));
                }
            }
        }
    }

    /// A valid access token: the current one, or a refreshed one while the session
    /// lasts; `None` when the user must authenticate again.
    async fn access_token(
        &mut self,
        defects: &Defects,
        now: i64,
    ) -> Result<Option<String>, PscFailure> {
        let Some(session) = self.session.as_ref() else {
            return Ok(None);
        };
        if now < session.access_expires_at - 5 || defects.on("no-refresh") {
            return Ok(Some(session.access_token.clone()));
        }
        let session_over = now >= session.refresh_expires_at;
        let Some(refresh) = session.refresh_token.clone() else {
            self.end_session("jeton d'accès expiré, pas de jeton de rafraîchissement");
            return Ok(None);
        };
        if session_over && !defects.on("refresh-after-session-end") {
            self.end_session("la session Pro Santé Connect a pris fin : reconnectez-vous");
            return Ok(None);
        }
        let (status, tokens) = self
            .token_call(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)])
            .await?;
        if !status.is_success() {
            self.end_session("la session Pro Santé Connect a pris fin : reconnectez-vous");
            return Ok(None);
        }
        let session = self.session.as_mut().expect("checked above");
        session.access_token = tokens["access_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        session.access_expires_at = now + tokens["expires_in"].as_i64().unwrap_or(0);
        if let Some(r) = tokens["refresh_token"].as_str() {
            session.refresh_token = Some(r.to_string());
            session.refresh_expires_at = now + tokens["refresh_expires_in"].as_i64().unwrap_or(0);
        }
        session.refreshes += 1;
        Ok(Some(session.access_token.clone()))
    }

    /// A valid access token and when it expires (LPS clock), refreshed if needed; for a
    /// mail session opened with it (MSSanté XOAUTH2).
    pub async fn bearer(
        &mut self,
        defects: &Defects,
        now: i64,
    ) -> Result<Option<(String, i64)>, PscFailure> {
        let token = self.access_token(defects, now).await?;
        Ok(token.zip(self.session.as_ref().map(|s| s.access_expires_at)))
    }

    fn end_session(&mut self, why: &str) {
        self.session = None;
        self.ended = Some(why.to_string());
    }

    /// What the software shows about the logged-in user, read from UserInfo.
    pub async fn show(&mut self, defects: &Defects, now: i64) -> Result<Value, PscFailure> {
        let Some(token) = self.access_token(defects, now).await? else {
            return Ok(serde_json::json!({
                "logged_in": false,
                "reason": self.ended.clone().unwrap_or_else(|| "aucun utilisateur connecté".into()),
            }));
        };
        let url = self.endpoint("userinfo_endpoint").await?;
        let response = self
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| fail("UserInfo", e))?;
        if !response.status().is_success() {
            self.end_session(&format!(
                "UserInfo a refusé le jeton (HTTP {})",
                response.status()
            ));
            return Ok(serde_json::json!({ "logged_in": false, "reason": self.ended }));
        }
        let userinfo: Value = crate::tls::bounded_json(response)
            .await
            .map_err(|e| fail("UserInfo", e))?;
        let session = self.session.as_mut().expect("a token implies a session");
        session.userinfo = userinfo.clone();
        Ok(serde_json::json!({
            "logged_in": true,
            "user": {
                "national_id": userinfo["SubjectNameID"].as_str().or(userinfo["preferred_username"].as_str()).or(session.id_token.claims["sub"].as_str()),
                "family_name": userinfo["family_name"],
                "given_name": userinfo["given_name"],
            },
            "refreshes": session.refreshes,
        }))
    }

    /// RP-initiated logout with the ID token as hint.
    pub async fn logout(&mut self) -> Result<(), PscFailure> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let url = self.endpoint("end_session_endpoint").await?;
        let response = self
            .http
            .post(&url)
            .form(&[
                ("id_token_hint", session.id_token.raw.as_str()),
                ("client_id", &self.registration.client_id),
            ])
            .send()
            .await
            .map_err(|e| fail("déconnexion", e))?;
        self.ended = Some("déconnecté".into());
        if response.status().is_server_error() {
            return Err(PscFailure(format!(
                "Pro Santé Connect: déconnexion refusée (HTTP {})",
                response.status()
            )));
        }
        Ok(())
    }

    /// The logged-in professional's UserInfo claims, once read.
    pub fn user(&self) -> Option<&Value> {
        self.session
            .as_ref()
            .map(|s| &s.userinfo)
            .filter(|u| !u.is_null())
    }

    /// Whether a professional is logged in.
    pub fn logged_in(&self) -> bool {
        self.session.is_some()
    }
}
