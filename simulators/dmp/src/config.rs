//! Policies and limits of the DMP simulator.

use std::time::Duration;

use segur_core::xml::Limits;

/// How VIHF signatures are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VihfSignatures {
    /// As the DMP: an unsigned VIHF, a signature that does not verify, or a signer outside
    /// the test PKI is refused.
    #[default]
    Required,
    /// Findings only: to replay messages signed by certificates the bench cannot trust
    /// (the official kit's samples, unsigned; a capture with its certificate redacted).
    Reported,
}

/// What the CDA checks of a fed document lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CdaPolicy {
    /// Findings only: the DMP registers documents the CI-SIS validators would fault (the
    /// kit's own sample has no INS traits).
    #[default]
    Report,
    /// The feed is refused with `XDSRepositoryMetadataError`.
    Refuse,
}

/// Policies and limits.
#[derive(Debug, Clone)]
pub struct DmpConfig {
    /// Largest request accepted (HTTP body, all MIME parts), in bytes.
    pub max_body: usize,
    /// Largest single document accepted, in bytes.
    pub max_document: usize,
    /// Time allowed to receive a request body.
    pub read_timeout: Duration,
    /// Bounds on the SOAP envelope.
    pub xml_limits: Limits,
    /// How VIHF signatures are treated.
    pub vihf_signatures: VihfSignatures,
    /// Tolerance between the VIHF times and the bench clock.
    pub clock_skew: time::Duration,
    /// How old a VIHF may be (its `IssueInstant`) when no `NotOnOrAfter` says otherwise.
    pub vihf_max_age: time::Duration,
    /// Whether a feed must carry the signed submission set (XAdES entry + `signs`), as
    /// the DMP requires; false plays a plain XDS registry.
    pub signed_submission: bool,
    /// Most entries a stored query returns before answering `XDSTooManyResults`.
    pub max_results: usize,
    /// What CDA check failures do to a feed.
    pub cda: CdaPolicy,
    /// The repository's `repositoryUniqueId` (the DMP's, from the kit's answers).
    pub repository_unique_id: String,
}

impl Default for DmpConfig {
    fn default() -> Self {
        Self {
            max_body: 32 * 1024 * 1024,
            max_document: 20 * 1024 * 1024,
            read_timeout: Duration::from_secs(30),
            xml_limits: Limits {
                max_depth: 64,
                max_nodes: 500_000,
            },
            vihf_signatures: VihfSignatures::Required,
            clock_skew: time::Duration::minutes(5),
            vihf_max_age: time::Duration::hours(1),
            signed_submission: true,
            max_results: 5_000,
            cda: CdaPolicy::Report,
            repository_unique_id: "1.2.250.1.213.4.1.1.1.2".into(),
        }
    }
}
