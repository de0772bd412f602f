//! The `configure` action's parameters: where the national services are, which
//! credentials to use and who the software is installed for (DRIVER.md §configure).

use std::path::PathBuf;

use serde::Deserialize;

/// A credential's files.
#[derive(Debug, Clone, Deserialize)]
pub struct CredentialFiles {
    /// Leaf certificate, PEM.
    pub cert: PathBuf,
    /// Private key, PKCS#8 PEM.
    pub key: PathBuf,
    /// Leaf and its CAs, PEM.
    pub chain: PathBuf,
}

/// INSi endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct InsiEndpoints {
    /// Mutual-TLS door (`INSI-AUTO` certificate).
    pub mtls: String,
}

/// PSC endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct PscEndpoints {
    /// The realm's issuer.
    pub issuer: String,
}

/// DMP endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct DmpEndpoints {
    /// `https://…/si-dmp-server/v2/services`: the four services sit under it.
    pub base: String,
}

/// MSSanté operator endpoints (`scheme://host:port`).
#[derive(Debug, Clone, Deserialize)]
pub struct MssanteEndpoints {
    /// Submission with STARTTLS.
    pub smtp: String,
    /// IMAP with STARTTLS.
    pub imap: String,
}

/// The establishment's HL7 v2 partner (the PFI).
#[derive(Debug, Clone, Deserialize)]
pub struct Hl7Endpoints {
    /// MLLP, `mllp://host:port`.
    pub mllp: String,
}

/// The Annuaire Santé.
#[derive(Debug, Clone, Deserialize)]
pub struct AnnuaireEndpoints {
    /// The FHIR API's base (`https://host:port/fhir/v2`).
    pub fhir: String,
    /// The public extraction (`PS_LibreAcces.zip`).
    pub extraction: String,
}

/// What the Annuaire Santé issued the software: its API key.
#[derive(Debug, Clone, Deserialize)]
pub struct AnnuaireAccess {
    /// Sent in `ESANTE-API-KEY`.
    pub api_key: String,
}

/// Every endpoint the LPS uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    /// The INSi teleservice.
    pub insi: InsiEndpoints,
    /// Pro Santé Connect.
    pub psc: PscEndpoints,
    /// The DMP (absent: the bench plays no DMP, DMP actions are refused).
    #[serde(default)]
    pub dmp: Option<DmpEndpoints>,
    /// The MSSanté operator (absent: MSSanté actions are refused).
    #[serde(default)]
    pub mssante: Option<MssanteEndpoints>,
    /// The PFI (absent: documents go to the DMP directly whatever the setting).
    #[serde(default)]
    pub hl7: Option<Hl7Endpoints>,
    /// The Annuaire Santé (absent: directory actions are refused).
    #[serde(default)]
    pub annuaire: Option<AnnuaireEndpoints>,
}

/// Trust anchors.
#[derive(Debug, Clone, Deserialize)]
pub struct Trust {
    /// The CA bundle (root and intermediate of the test IGC-Santé).
    pub ca_bundle: PathBuf,
}

/// The credentials by use.
#[derive(Debug, Clone, Deserialize)]
pub struct Credentials {
    /// The structure's INSi certificate (CN `INSI-AUTO`).
    pub insi: CredentialFiles,
    /// The structure's authentication certificate (DMP mutual TLS).
    #[serde(default)]
    pub structure_auth: Option<CredentialFiles>,
    /// The structure's signature certificate (the VIHF, the submission sets).
    #[serde(default)]
    pub structure_sign: Option<CredentialFiles>,
}

/// The structure the software is installed in.
#[derive(Debug, Clone, Deserialize)]
pub struct Structure {
    /// World id.
    pub id: String,
    /// National id (`ContexteLPS/Emetteur`).
    pub national_id: String,
    /// Name (the XDS `authorInstitution`, when PSC does not name it).
    #[serde(default)]
    pub name: String,
    /// `SAxx` activity sector.
    #[serde(default)]
    pub activity_sector: String,
    /// Its MSSanté application mailbox (BAL APP), opened with the structure's certificate.
    #[serde(default)]
    pub mssante_application: Option<String>,
    /// Its organisational mailboxes (BAL ORG): the first is where answers to the mails of
    /// the application mailbox go, unless the site sets another (`mss_reply_to`).
    #[serde(default)]
    pub mssante_organisational: Vec<String>,
}

/// Registration numbers of the software.
#[derive(Debug, Clone, Deserialize)]
pub struct SoftwareIds {
    /// CNDA authorisation (`ContexteLPS/LPS/IDAM`).
    pub idam: String,
    /// CNDA DMP homologation number (`LPS_ID_HOMOLOGATION_DMP`).
    #[serde(default)]
    pub dmp_homologation: String,
    /// MSSanté product reference from Convergence (`X-MSS-NIL`).
    #[serde(default)]
    pub mssante_nil: String,
}

/// The PSC client registration.
#[derive(Debug, Clone, Deserialize)]
pub struct PscClientConfig {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// Registered redirect URI.
    pub redirect_uri: String,
}

/// The whole `configure` parameters (unknown fields are ignored: later bench versions
/// may send more).
#[derive(Debug, Clone, Deserialize)]
pub struct Configure {
    /// Service endpoints.
    pub endpoints: Endpoints,
    /// Trust anchors.
    pub trust: Trust,
    /// Credentials.
    pub credentials: Credentials,
    /// The structure.
    pub structure: Structure,
    /// Registration numbers.
    pub software_ids: SoftwareIds,
    /// PSC registration.
    pub psc_client: PscClientConfig,
    /// The Annuaire Santé's key.
    #[serde(default)]
    pub annuaire: Option<AnnuaireAccess>,
}
