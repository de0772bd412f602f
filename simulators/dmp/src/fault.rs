//! SOAP faults of the DMP: security refusals (WS-Security codes, `DMPInvalidCertificate`)
//! and malformed requests. Business errors are not faults: they travel in the
//! operation's own answer (a `RegistryErrorList`, an HL7v3 `acknowledgementDetail`, a
//! `status`), see [`crate::xds::response`] and [`crate::patients`].

use segur_core::soap::{Fault, FaultCode};

/// The WS-Security 1.1 namespace, for its standard fault codes.
const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// A fault to answer with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmpFault {
    /// The SOAP fault.
    pub fault: Fault,
    /// HTTP status (500 for every SOAP fault, as the DMP answers).
    pub status: u16,
    /// The subcode, for the journal.
    pub code: String,
}

impl DmpFault {
    fn new(
        code: FaultCode,
        subcode: &str,
        namespace: Option<(&str, &str)>,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            fault: Fault::new(code, reason).subcode(subcode, namespace),
            status: 500,
            code: subcode.to_string(),
        }
    }

    /// `soap:Sender / soap:DMPInvalidCertificate`: the VIHF's signer is not a signature
    /// certificate (the DMP's words, spec notes §1.3).
    pub fn invalid_certificate(why: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "soap:DMPInvalidCertificate",
            None,
            format!("Le certificat ayant signé le VIHF est invalide : {why}"),
        )
    }

    /// No usable VIHF (`wsse:InvalidSecurity`).
    pub fn invalid_security(why: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "wsse:InvalidSecurity",
            Some(("wsse", WSSE)),
            format!("VIHF invalide : {why}"),
        )
    }

    /// A VIHF attribute missing or malformed (`wsse:InvalidSecurityToken`).
    pub fn invalid_token(why: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "wsse:InvalidSecurityToken",
            Some(("wsse", WSSE)),
            format!("VIHF invalide : {why}"),
        )
    }

    /// The VIHF signature does not verify (`wsse:FailedCheck`).
    pub fn failed_check(why: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "wsse:FailedCheck",
            Some(("wsse", WSSE)),
            format!("Signature du VIHF invalide : {why}"),
        )
    }

    /// The VIHF is outside its validity window (`wsse:MessageExpired`).
    pub fn expired(why: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "wsse:MessageExpired",
            Some(("wsse", WSSE)),
            format!("VIHF hors de sa période de validité : {why}"),
        )
    }

    /// A request that is not a usable SOAP message.
    pub fn malformed(code: FaultCode, why: impl Into<String>, status: u16) -> Self {
        let mut fault = Self::new(code, "soap:InvalidRequest", None, why);
        fault.status = status;
        fault
    }

    /// An action the service does not offer (`wsa:ActionNotSupported`).
    pub fn action_not_supported(action: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "wsa:ActionNotSupported",
            Some(("wsa", segur_core::soap::WSA)),
            format!("action non supportée par ce service : {action:?}"),
        )
    }

    /// A fault armed through the control API: `code` is the subcode (`DMPInvalidCertificate`,
    /// `soap:DMPBusy`...), in the envelope namespace unless prefixed.
    pub fn armed(code: &str, message: Option<&str>) -> Self {
        let subcode = if code.contains(':') {
            code.to_string()
        } else {
            format!("soap:{code}")
        };
        let receiver = code.to_ascii_lowercase().contains("busy")
            || code.to_ascii_lowercase().contains("unavailable");
        Self::new(
            if receiver {
                FaultCode::Receiver
            } else {
                FaultCode::Sender
            },
            &subcode,
            None,
            message.unwrap_or("Erreur injectée par le banc de test"),
        )
    }
}
