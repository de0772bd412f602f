//! Issuing the test PKI with rcgen: a fictitious IGC-Santé (root and intermediate), an
//! unknown CA for the negative case, the planned credentials and the CRL.
//!
//! Keys are ECDSA P-256 by default. With [`KeyAlgorithm::Rsa2048`] the credentials an LPS
//! holds (structures, INSi clients, cards and their negative twins) get RSA-2048 keys, as
//! IGC-Santé's are; ring cannot generate RSA keys, so the RustCrypto `rsa` crate does, and
//! rcgen signs with ring. The CAs and the services' server certificates stay ECDSA.

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CertifiedIssuer,
    DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RevocationReason, RevokedCertParams, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use super::KeyAlgorithm;
use super::plan::{Planned, Purpose};

/// Subject CN of the fictitious root CA.
pub const ROOT_CN: &str = "TEST AC RACINE IGC-SANTE FICTIVE SEGUR-BENCH";
/// Subject CN of the fictitious intermediate CA that issues every credential.
pub const INTERMEDIATE_CN: &str = "TEST AC IGC-SANTE FICTIVE ELEMENTAIRE ORGANISATIONS SEGUR-BENCH";
/// Subject CN of the CA nobody trusts.
pub const UNKNOWN_CA_CN: &str = "AC INCONNUE NON RECONNUE SEGUR-BENCH";

/// Why issuing failed (rcgen or the key generator refused; a bug rather than bad input).
#[derive(Debug, thiserror::Error)]
#[error("issuing {what}: {message}")]
pub struct IssueError {
    what: String,
    message: String,
}

fn err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> IssueError + '_ {
    move |source| IssueError {
        what: what.to_string(),
        message: source.to_string(),
    }
}

/// A new key pair for a credential of `purpose`.
fn key_for(purpose: Purpose, algorithm: KeyAlgorithm, what: &str) -> Result<KeyPair, IssueError> {
    if algorithm == KeyAlgorithm::EcdsaP256 || purpose == Purpose::Server {
        return KeyPair::generate().map_err(err(what));
    }
    use rsa::pkcs8::EncodePrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).map_err(err(what))?;
    let der = key.to_pkcs8_der().map_err(err(what))?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &rustls_pki_types::PrivatePkcs8KeyDer::from(der.as_bytes()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(err(what))
}

/// One issued credential, in memory.
pub struct Issued {
    /// The plan it fulfils.
    pub planned: Planned,
    /// Leaf certificate, DER.
    pub cert_der: Vec<u8>,
    /// Private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// The CA certificates above it, nearest first, DER.
    pub chain_der: Vec<Vec<u8>>,
    /// Validity start.
    pub not_before: OffsetDateTime,
    /// Validity end.
    pub not_after: OffsetDateTime,
    /// Serial number, hex.
    pub serial: String,
}

/// The whole PKI, in memory.
pub struct IssuedPki {
    /// Root CA certificate, DER.
    pub root_der: Vec<u8>,
    /// Intermediate CA certificate, DER.
    pub intermediate_der: Vec<u8>,
    /// The unknown CA's certificate, DER (never trusted).
    pub unknown_ca_der: Vec<u8>,
    /// CRL of the intermediate, DER.
    pub crl_der: Vec<u8>,
    /// CRL `nextUpdate`.
    pub crl_next_update: OffsetDateTime,
    /// Root validity end.
    pub root_not_after: OffsetDateTime,
    /// Intermediate validity end.
    pub intermediate_not_after: OffsetDateTime,
    /// The credentials.
    pub credentials: Vec<Issued>,
}

fn name(cn: &str, organisation: &str, unit: Option<&str>) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "FR");
    dn.push(DnType::OrganizationName, organisation);
    if let Some(unit) = unit {
        dn.push(DnType::OrganizationalUnitName, unit);
    }
    dn.push(DnType::CommonName, cn);
    dn
}

fn random_serial() -> SerialNumber {
    let mut bytes = *uuid::Uuid::new_v4().as_bytes();
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // and not shortened by DER
    SerialNumber::from_slice(&bytes)
}

fn ca_params(
    cn: &str,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    path_len: Option<u8>,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    params.distinguished_name = name(
        cn,
        "segur-bench (IGC-Santé fictive de test)",
        Some("IGC-SANTE FICTIVE"),
    );
    params.is_ca = IsCa::Ca(path_len.map_or(
        BasicConstraints::Unconstrained,
        BasicConstraints::Constrained,
    ));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial());
    params.use_authority_key_identifier_extension = true;
    params
}

/// Issues the whole PKI for `plan`, dated from `now`, with `algorithm` keys.
pub fn issue(
    plan: &[Planned],
    now: OffsetDateTime,
    algorithm: KeyAlgorithm,
) -> Result<IssuedPki, IssueError> {
    let start = now - Duration::days(1);
    let root_not_after = now + Duration::days(3650);
    let intermediate_not_after = now + Duration::days(1825);
    let root_key = KeyPair::generate().map_err(err::<rcgen::Error>("root key"))?;
    let root =
        CertifiedIssuer::self_signed(ca_params(ROOT_CN, start, root_not_after, Some(1)), root_key)
            .map_err(err("root CA"))?;
    let intermediate_key = KeyPair::generate().map_err(err("intermediate key"))?;
    let intermediate = CertifiedIssuer::signed_by(
        ca_params(INTERMEDIATE_CN, start, intermediate_not_after, Some(0)),
        intermediate_key,
        &root,
    )
    .map_err(err("intermediate CA"))?;
    let unknown_key = KeyPair::generate().map_err(err("unknown CA key"))?;
    let unknown = CertifiedIssuer::self_signed(
        ca_params(UNKNOWN_CA_CN, start, root_not_after, Some(0)),
        unknown_key,
    )
    .map_err(err("unknown CA"))?;

    let mut credentials = Vec::with_capacity(plan.len());
    let mut revoked = Vec::new();
    for planned in plan {
        let key = key_for(planned.purpose, algorithm, &planned.name)?;
        let mut params =
            CertificateParams::new(planned.alt_names.clone()).map_err(err(&planned.name))?;
        params.distinguished_name = name(
            &planned.common_name,
            &planned.organisation,
            planned.unit.as_deref(),
        );
        params.serial_number = Some(random_serial());
        params.use_authority_key_identifier_extension = true;
        params.not_before = start;
        params.not_after = now + Duration::days(730);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        match planned.purpose {
            Purpose::Server => {
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth]
            }
            Purpose::StructureSignature
            | Purpose::NegativeWrongUsage
            | Purpose::NegativeSignatureRevoked => {
                params.key_usages = vec![KeyUsagePurpose::ContentCommitment];
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
            }
            Purpose::NegativeSignatureExpired => {
                params.key_usages = vec![KeyUsagePurpose::ContentCommitment];
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
                params.not_before = now - Duration::days(730);
                params.not_after = now - Duration::days(1);
            }
            Purpose::ProfessionalCard => {
                params.key_usages = vec![
                    KeyUsagePurpose::DigitalSignature,
                    KeyUsagePurpose::ContentCommitment,
                ];
                params.extended_key_usages = vec![
                    ExtendedKeyUsagePurpose::ClientAuth,
                    ExtendedKeyUsagePurpose::EmailProtection,
                ];
            }
            Purpose::NegativeExpired => {
                params.not_before = now - Duration::days(730);
                params.not_after = now - Duration::days(1);
            }
            Purpose::NegativeNotYetValid => {
                params.not_before = now + Duration::days(30);
                params.not_after = now + Duration::days(760);
            }
            Purpose::StructureAuthentication
            | Purpose::InsiClient
            | Purpose::NegativeRevoked
            | Purpose::NegativeUnknownCa
            | Purpose::NegativeInsiCn => {}
        }
        let (issuer, chain_der) = if planned.purpose == Purpose::NegativeUnknownCa {
            (&unknown, vec![unknown.der().to_vec()])
        } else {
            (
                &intermediate,
                vec![intermediate.der().to_vec(), root.der().to_vec()],
            )
        };
        let cert = params.signed_by(&key, issuer).map_err(err(&planned.name))?;
        let serial = params.serial_number.clone().unwrap_or_else(random_serial);
        if matches!(
            planned.purpose,
            Purpose::NegativeRevoked | Purpose::NegativeSignatureRevoked
        ) {
            revoked.push(RevokedCertParams {
                serial_number: serial.clone(),
                revocation_time: start,
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            });
        }
        credentials.push(Issued {
            planned: planned.clone(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
            chain_der,
            not_before: params.not_before,
            not_after: params.not_after,
            serial: hex::encode(serial.to_bytes()),
        });
    }
    let crl_next_update = now + Duration::days(365);
    let crl = CertificateRevocationListParams {
        this_update: start,
        next_update: crl_next_update,
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: revoked,
        key_identifier_method: KeyIdMethod::Sha256,
    }
    .signed_by(&intermediate)
    .map_err(err("CRL"))?;
    Ok(IssuedPki {
        root_der: root.der().to_vec(),
        intermediate_der: intermediate.der().to_vec(),
        unknown_ca_der: unknown.der().to_vec(),
        crl_der: crl.der().to_vec(),
        crl_next_update,
        root_not_after,
        intermediate_not_after,
        credentials,
    })
}
