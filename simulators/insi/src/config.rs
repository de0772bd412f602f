//! How an INSi simulator behaves where the real service's behaviour is not public or
//! where a rehearsal needs slack.

use std::time::Duration;

use segur_core::xml::Limits;

/// How the signature of a CPx assertion is treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignaturePolicy {
    /// As the real service: the signature must verify and its certificate must be a card
    /// of the bench's test PKI valid at bench time; otherwise the call is refused.
    #[default]
    Strict,
    /// The signature is still verified and a failure is a finding, but the call goes on:
    /// for rehearsals with a real test CPS card, whose certificate the bench cannot trust.
    Lenient,
}

/// What the verification operation does (the public WSDL has none, insi-psc.md §1.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum VerifyPolicy {
    /// Verify = search by the traits supplied, answer the search's `RESULTAT`, and
    /// journal whether the INS supplied is the one found (OK/KO). Accepted under the
    /// bench's action `urn:ServiceIdentiteCertifiee:1.0.0:verifierInsAvecTraitsIdentite`
    /// and, with an `INSFourni` payload, under the traits-search action.
    #[default]
    SearchAndCompare,
    /// No verification operation, as in WSDL 1.5.0: its action gets
    /// `wsa:ActionNotSupported`; LPS must verify with a traits search.
    NotOffered,
}

/// The simulator's settings.
#[derive(Debug, Clone)]
pub struct InsiConfig {
    /// CPx signature checks.
    pub signatures: SignaturePolicy,
    /// The verification operation.
    pub verify: VerifyPolicy,
    /// Largest request body accepted (1 MiB).
    pub max_body: usize,
    /// Longest time a client may take to send its request body.
    pub read_timeout: Duration,
    /// Limits on the request's XML.
    pub xml_limits: Limits,
}

impl Default for InsiConfig {
    fn default() -> Self {
        Self {
            signatures: SignaturePolicy::default(),
            verify: VerifyPolicy::default(),
            max_body: 1024 * 1024,
            read_timeout: Duration::from_secs(10),
            xml_limits: Limits {
                max_depth: 32,
                max_nodes: 20_000,
            },
        }
    }
}
