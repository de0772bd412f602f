//! The test PKI: a fictitious IGC-Santé and every credential the bench and the candidate
//! software need, written to a folder (default `.segur-bench/pki/`) as PEM and PKCS#12,
//! with `index.json` listing each one. Reused while it matches the world and stays valid.
//!
//! Layout:
//! - `ca/root.crt.pem`, `ca/intermediate.crt.pem`, `ca/bundle.pem` (trust these),
//!   `ca/crl.pem` and `ca/crl.der`, `ca/unknown-ca.crt.pem` (trust nothing from it);
//! - `<purpose>/<name>.crt.pem`, `.key.pem` (PKCS#8), `.chain.pem` (leaf and CAs),
//!   `.p12` (key, leaf and CAs; password [`P12_PASSWORD`]).

pub mod issue;
pub mod plan;

use std::fs;
use std::path::{Path, PathBuf};

use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::{Duration, OffsetDateTime};

pub use plan::Purpose;

use crate::world::World;

/// Password of every `.p12` file (test material only).
pub const P12_PASSWORD: &str = "segur-bench";
/// PBKDF2 / PKCS#12-KDF iterations of the `.p12` files.
const P12_ITERATIONS: u32 = 2048;
/// Default folder of the PKI.
pub const DEFAULT_DIR: &str = ".segur-bench/pki";
/// Bumped when the layout or the issuing rules change, so an old PKI is replaced.
const FORMAT_VERSION: u32 = 1;
/// A PKI whose certificates or CRL expire sooner than this is issued anew.
const RENEW_MARGIN_DAYS: i64 = 7;

/// Why the PKI could not be made or read.
#[derive(Debug, Error)]
pub enum PkiError {
    /// Reading or writing the folder failed.
    #[error("PKI {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Issuing failed.
    #[error(transparent)]
    Issue(#[from] issue::IssueError),
    /// The PKCS#12 file could not be written.
    #[error("PKCS#12 for {name}: {message}")]
    Pkcs12 {
        /// The credential.
        name: String,
        /// The library's message.
        message: String,
    },
    /// A file of the PKI is not what `index.json` says.
    #[error("PKI {path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// No credential of that name.
    #[error("no credential named {0:?} in the PKI (see `segur-bench pki show`)")]
    Unknown(String),
}

/// `index.json`: what the folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PkiIndex {
    /// Layout version.
    pub format: u32,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Password of the `.p12` files.
    pub p12_password: String,
    /// The keys of the LPS's credentials (absent in a PKI issued before the option).
    #[serde(default)]
    pub key_algorithm: KeyAlgorithm,
    /// The certification authorities.
    pub ca: CaFiles,
    /// Every credential.
    pub credentials: Vec<CredentialEntry>,
}

/// The CA files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaFiles {
    /// Root certificate.
    pub root: String,
    /// Intermediate certificate (issues everything).
    pub intermediate: String,
    /// Root and intermediate, to import as trust anchors.
    pub bundle: String,
    /// CRL of the intermediate, PEM.
    pub crl: String,
    /// CRL of the intermediate, DER.
    pub crl_der: String,
    /// The CA nobody trusts (issuer of `negative-unknown-ca`).
    pub unknown_ca: String,
    /// Root validity end.
    #[serde(with = "time::serde::rfc3339")]
    pub root_not_after: OffsetDateTime,
    /// Intermediate validity end.
    #[serde(with = "time::serde::rfc3339")]
    pub intermediate_not_after: OffsetDateTime,
    /// When the CRL must be replaced.
    #[serde(with = "time::serde::rfc3339")]
    pub crl_next_update: OffsetDateTime,
}

/// One credential in `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialEntry {
    /// Name (file stem).
    pub name: String,
    /// What it is for.
    pub purpose: Purpose,
    /// Subject DN.
    pub subject: String,
    /// Serial number, hex.
    pub serial: String,
    /// Validity start.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// Validity end.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Whether TLS endpoints must refuse it.
    pub tls_must_refuse: bool,
    /// Its files, relative to the PKI folder.
    pub files: CredentialFiles,
}

/// A credential's files, relative to the PKI folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialFiles {
    /// Leaf certificate.
    pub cert: String,
    /// Private key (PKCS#8).
    pub key: String,
    /// Leaf followed by its CAs.
    pub chain: String,
    /// PKCS#12 bundle.
    pub p12: String,
}

/// A loaded PKI: the index plus the CA material the TLS listener needs.
#[derive(Debug, Clone)]
pub struct Pki {
    dir: PathBuf,
    index: PkiIndex,
    root: CertificateDer<'static>,
    intermediate: CertificateDer<'static>,
    crl: CertificateRevocationListDer<'static>,
}

/// A credential ready for rustls.
#[derive(Debug)]
pub struct Credential {
    /// Leaf first, then its CAs.
    pub chain: Vec<CertificateDer<'static>>,
    /// Private key.
    pub key: PrivateKeyDer<'static>,
}

/// The keys of the credentials an LPS holds (structures, INSi clients, cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// ECDSA P-256: small and fast, what the bench issues by default.
    #[default]
    EcdsaP256,
    /// RSA-2048, as IGC-Santé's organisation and card certificates are (the DMP kit signs
    /// rsa-sha1 or rsa-sha256): for an LPS whose crypto stack only handles RSA.
    Rsa2048,
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::Rsa2048 => "rsa-2048",
        })
    }
}

/// What [`Pki::ensure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provenance {
    /// The folder's PKI was still good and was reused.
    Reused,
    /// A new PKI was issued (none, or the old one did not fit).
    Issued,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn pem_of(tag: &str, der: &[u8]) -> String {
    pem::encode(&pem::Pem::new(tag, der))
}

fn folder(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Server => "server",
        Purpose::StructureAuthentication | Purpose::StructureSignature => "structures",
        Purpose::InsiClient => "insi",
        Purpose::ProfessionalCard => "cards",
        _ => "negative",
    }
}

impl Pki {
    /// Reuses the PKI in `dir` if it fits `world` and stays valid for a while after `now`;
    /// otherwise issues a new one there.
    pub fn ensure(
        dir: &Path,
        world: &World,
        now: OffsetDateTime,
    ) -> Result<(Self, Provenance), PkiError> {
        Self::ensure_with(dir, world, now, KeyAlgorithm::default())
    }

    /// [`Pki::ensure`] with `algorithm` keys: a PKI of other keys is issued again.
    pub fn ensure_with(
        dir: &Path,
        world: &World,
        now: OffsetDateTime,
        algorithm: KeyAlgorithm,
    ) -> Result<(Self, Provenance), PkiError> {
        if let Ok(pki) = Self::load(dir)
            && pki.index.key_algorithm == algorithm
            && pki.fits(world, now)
        {
            return Ok((pki, Provenance::Reused));
        }
        Ok((
            Self::create_with(dir, world, now, algorithm)?,
            Provenance::Issued,
        ))
    }

    /// Issues a new PKI into `dir`, replacing what was there.
    pub fn create(dir: &Path, world: &World, now: OffsetDateTime) -> Result<Self, PkiError> {
        Self::create_with(dir, world, now, KeyAlgorithm::default())
    }

    /// [`Pki::create`] with `algorithm` keys for the LPS's credentials.
    pub fn create_with(
        dir: &Path,
        world: &World,
        now: OffsetDateTime,
        algorithm: KeyAlgorithm,
    ) -> Result<Self, PkiError> {
        let planned = plan::plan(world);
        let issued = issue::issue(&planned, now, algorithm)?;
        for sub in ["ca", "server", "structures", "insi", "cards", "negative"] {
            let path = dir.join(sub);
            if path.exists() {
                fs::remove_dir_all(&path).map_err(io_err(&path))?;
            }
            fs::create_dir_all(&path).map_err(io_err(&path))?;
        }
        let write = |rel: &str, bytes: &[u8]| -> Result<String, PkiError> {
            let path = dir.join(rel);
            fs::write(&path, bytes).map_err(io_err(&path))?;
            Ok(rel.to_string())
        };
        let root_pem = pem_of("CERTIFICATE", &issued.root_der);
        let intermediate_pem = pem_of("CERTIFICATE", &issued.intermediate_der);
        let ca = CaFiles {
            root: write("ca/root.crt.pem", root_pem.as_bytes())?,
            intermediate: write("ca/intermediate.crt.pem", intermediate_pem.as_bytes())?,
            bundle: write(
                "ca/bundle.pem",
                format!("{intermediate_pem}{root_pem}").as_bytes(),
            )?,
            crl: write("ca/crl.pem", pem_of("X509 CRL", &issued.crl_der).as_bytes())?,
            crl_der: write("ca/crl.der", &issued.crl_der)?,
            unknown_ca: write(
                "ca/unknown-ca.crt.pem",
                pem_of("CERTIFICATE", &issued.unknown_ca_der).as_bytes(),
            )?,
            root_not_after: issued.root_not_after,
            intermediate_not_after: issued.intermediate_not_after,
            crl_next_update: issued.crl_next_update,
        };
        let mut credentials = Vec::with_capacity(issued.credentials.len());
        for c in &issued.credentials {
            let base = format!("{}/{}", folder(c.planned.purpose), c.planned.name);
            let leaf_pem = pem_of("CERTIFICATE", &c.cert_der);
            let chain_pem: String = std::iter::once(leaf_pem.clone())
                .chain(c.chain_der.iter().map(|der| pem_of("CERTIFICATE", der)))
                .collect();
            let p12 = pkcs12(&c.planned.name, &c.key_der, &c.cert_der, &c.chain_der)?;
            credentials.push(CredentialEntry {
                name: c.planned.name.clone(),
                purpose: c.planned.purpose,
                subject: subject_of(&c.cert_der).unwrap_or_default(),
                serial: c.serial.clone(),
                not_before: c.not_before,
                not_after: c.not_after,
                tls_must_refuse: c.planned.purpose.tls_must_refuse(),
                files: CredentialFiles {
                    cert: write(&format!("{base}.crt.pem"), leaf_pem.as_bytes())?,
                    key: write(
                        &format!("{base}.key.pem"),
                        pem_of("PRIVATE KEY", &c.key_der).as_bytes(),
                    )?,
                    chain: write(&format!("{base}.chain.pem"), chain_pem.as_bytes())?,
                    p12: write(&format!("{base}.p12"), &p12)?,
                },
            });
        }
        let index = PkiIndex {
            format: FORMAT_VERSION,
            issued_at: now,
            p12_password: P12_PASSWORD.to_string(),
            key_algorithm: algorithm,
            ca,
            credentials,
        };
        let json = serde_json::to_vec_pretty(&index).unwrap_or_default();
        write("index.json", &json)?;
        Self::load(dir)
    }

    /// Reads the PKI in `dir` (its index and CA material).
    pub fn load(dir: &Path) -> Result<Self, PkiError> {
        let index_path = dir.join("index.json");
        let bytes = fs::read(&index_path).map_err(io_err(&index_path))?;
        let index: PkiIndex = serde_json::from_slice(&bytes).map_err(|e| PkiError::Invalid {
            path: index_path.clone(),
            message: e.to_string(),
        })?;
        let one_cert = |rel: &str| -> Result<CertificateDer<'static>, PkiError> {
            let path = dir.join(rel);
            let text = fs::read(&path).map_err(io_err(&path))?;
            let pem = pem::parse(&text).map_err(|e| PkiError::Invalid {
                path: path.clone(),
                message: e.to_string(),
            })?;
            Ok(CertificateDer::from(pem.into_contents()))
        };
        let root = one_cert(&index.ca.root)?;
        let intermediate = one_cert(&index.ca.intermediate)?;
        let crl_path = dir.join(&index.ca.crl_der);
        let crl =
            CertificateRevocationListDer::from(fs::read(&crl_path).map_err(io_err(&crl_path))?);
        Ok(Self {
            dir: dir.to_path_buf(),
            index,
            root,
            intermediate,
            crl,
        })
    }

    fn fits(&self, world: &World, now: OffsetDateTime) -> bool {
        let horizon = now + Duration::days(RENEW_MARGIN_DAYS);
        let index = &self.index;
        let planned = plan::plan(world);
        index.format == FORMAT_VERSION
            && index.ca.root_not_after > horizon
            && index.ca.intermediate_not_after > horizon
            && index.ca.crl_next_update > horizon
            && planned.len() == index.credentials.len()
            && planned.iter().zip(&index.credentials).all(|(p, c)| {
                p.name == c.name
                    && p.purpose == c.purpose
                    && (c.purpose.is_negative() || (c.not_before <= now && c.not_after > horizon))
                    && [&c.files.cert, &c.files.key, &c.files.chain, &c.files.p12]
                        .iter()
                        .all(|f| self.dir.join(f).is_file())
            })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the folder holds.
    pub fn index(&self) -> &PkiIndex {
        &self.index
    }

    /// The trust anchor: the fictitious root.
    pub fn root(&self) -> &CertificateDer<'static> {
        &self.root
    }

    /// The intermediate CA.
    pub fn intermediate(&self) -> &CertificateDer<'static> {
        &self.intermediate
    }

    /// The intermediate's CRL.
    pub fn crl(&self) -> &CertificateRevocationListDer<'static> {
        &self.crl
    }

    /// A credential's index entry.
    pub fn entry(&self, name: &str) -> Result<&CredentialEntry, PkiError> {
        self.index
            .credentials
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| PkiError::Unknown(name.to_string()))
    }

    /// A credential's absolute file path.
    pub fn path_of(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }

    /// Loads a credential (chain and key) for rustls.
    pub fn credential(&self, name: &str) -> Result<Credential, PkiError> {
        let entry = self.entry(name)?;
        let chain_path = self.dir.join(&entry.files.chain);
        let chain_text = fs::read(&chain_path).map_err(io_err(&chain_path))?;
        let invalid = |path: &Path, message: String| PkiError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let chain = pem::parse_many(&chain_text)
            .map_err(|e| invalid(&chain_path, e.to_string()))?
            .into_iter()
            .map(|p| CertificateDer::from(p.into_contents()))
            .collect();
        let key_path = self.dir.join(&entry.files.key);
        let key_text = fs::read(&key_path).map_err(io_err(&key_path))?;
        let key = pem::parse(&key_text).map_err(|e| invalid(&key_path, e.to_string()))?;
        Ok(Credential {
            chain,
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.into_contents())),
        })
    }

    /// The server credential of a service (`insi`, `dmp`, `psc`, `mssante`, `control`).
    pub fn server_credential(&self, service: &str) -> Result<Credential, PkiError> {
        self.credential(&format!("server-{service}"))
    }
}

/// The subject DN of a DER certificate, as text.
pub fn subject_of(der: &[u8]) -> Option<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.subject().to_string())
}

/// Whether the certificate's key usage includes `nonRepudiation` (contentCommitment).
pub fn has_non_repudiation(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der)
        .ok()
        .and_then(|(_, cert)| {
            cert.key_usage()
                .ok()
                .flatten()
                .map(|ku| ku.value.non_repudiation())
        })
        .unwrap_or(false)
}

/// The parts of a certificate's subject the simulators compare with what a message says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectNames {
    /// The whole DN, as text (a VIHF's `Issuer` names it).
    pub subject: String,
    /// The first CN: `INSI-AUTO`, a structure's name, or a card's `id/FAMILY/Given`.
    pub common_name: Option<String>,
    /// The first OU: the structure's national id in IGC-Santé certificates.
    pub unit: Option<String>,
}

impl SubjectNames {
    /// The names of a DER certificate; `None` if it does not parse.
    pub fn of(der: &[u8]) -> Option<Self> {
        let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
        let subject = cert.subject();
        let first = |value: Option<&x509_parser::x509::AttributeTypeAndValue<'_>>| {
            value.and_then(|v| v.as_str().ok()).map(str::to_string)
        };
        Some(Self {
            subject: subject.to_string(),
            common_name: first(subject.iter_common_name().next()),
            unit: first(subject.iter_organizational_unit().next()),
        })
    }

    /// The national id of a professional card (CN `<IdNatPS>/<FAMILY>/<Given>`, as the
    /// bench and the IGC-Santé CPS certificates write it); `None` for other certificates.
    pub fn card_holder(&self) -> Option<&str> {
        let cn = self.common_name.as_deref()?;
        let (id, rest) = cn.split_once('/')?;
        (!rest.is_empty() && id.len() > 1 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
    }
}

fn pkcs12(
    name: &str,
    key_der: &[u8],
    cert_der: &[u8],
    chain_der: &[Vec<u8>],
) -> Result<Vec<u8>, PkiError> {
    let fail = |e: p12_keystore::error::Error| PkiError::Pkcs12 {
        name: name.to_string(),
        message: e.to_string(),
    };
    let key = p12_keystore::PrivateKey::from_der(key_der).map_err(fail)?;
    let certs = std::iter::once(cert_der)
        .chain(chain_der.iter().map(Vec::as_slice))
        .map(p12_keystore::Certificate::from_der)
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    let mut store = p12_keystore::KeyStore::new();
    let chain = p12_keystore::PrivateKeyChain::new(name, key, certs);
    store.add_entry(name, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    // OpenSSL's default iteration count: test material, read by every PKCS#12 consumer.
    store
        .writer(P12_PASSWORD)
        .encryption_iterations(P12_ITERATIONS)
        .mac_iterations(P12_ITERATIONS)
        .write()
        .map_err(fail)
}

#[cfg(test)]
mod tests;
