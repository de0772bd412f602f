//! The faults the INSi simulator answers with. The CNAM codes are used where the public
//! sources show them (insi-psc.md §1.7); the rest are the bench's own, prefixed `bench_`
//! in the detail so nobody mistakes them for CNAM codes.

use segur_core::soap::{Fault, FaultCode, SoapError, WSA};
use segur_core::xml::{escape, escape_attribute};

/// A fault of the INSi service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsiFault {
    /// Sender or Receiver.
    pub code: FaultCode,
    /// The subcode QName (`soap:siram_100`), if any.
    pub subcode: Option<(String, Option<(&'static str, &'static str)>)>,
    /// Reason text, in French as the service writes it.
    pub reason: String,
    /// `siram:Erreur/@code`.
    pub detail_code: String,
    /// `siram:Erreur/@severite`.
    pub severity: &'static str,
    /// `siram:Erreur` text.
    pub detail: String,
    /// HTTP status: 500, as the CNAM answers faults; 413 and 415 for size and media type.
    pub status: u16,
    /// The header blocks of a `MustUnderstand` fault, named in its `NotUnderstood` blocks.
    pub not_understood: Vec<(Option<String>, String)>,
}

impl InsiFault {
    fn new(code: FaultCode, reason: &str, detail_code: &str, detail: &str) -> Self {
        Self {
            code,
            subcode: None,
            reason: reason.to_string(),
            detail_code: detail_code.to_string(),
            severity: "erreur",
            detail: detail.to_string(),
            status: 500,
            not_understood: Vec::new(),
        }
    }

    /// SOAP 1.2 `MustUnderstand`: header blocks marked `mustUnderstand` that the service
    /// does not process.
    pub fn must_understand(blocks: Vec<(Option<String>, String)>) -> Self {
        let names: Vec<&str> = blocks.iter().map(|(_, l)| l.as_str()).collect();
        let detail = format!(
            "header block(s) {} marked mustUnderstand are not processed by this service",
            names.join(", ")
        );
        Self {
            not_understood: blocks,
            ..Self::new(
                FaultCode::MustUnderstand,
                "Un en-tête obligatoire n'est pas compris par le service.",
                "bench_entete_non_compris",
                &detail,
            )
        }
    }

    fn siram(mut self, subcode: &str) -> Self {
        self.subcode = Some((format!("soap:{subcode}"), None));
        self
    }

    /// `siram_100` / `desir_550`: the software's authorisation number (IDAM) is unknown.
    pub fn unknown_software(detail: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du progiciel ou votre responsable informatique.",
            "desir_550",
            detail,
        )
        .siram("siram_100")
    }

    /// `DESIR_560`: the certificate does not give access (CN not `INSI-AUTO`/`INSI-MANU`).
    pub fn insufficient_access(detail: &str) -> Self {
        // The subcode of this fault was not captured publicly; siram_100 is the access
        // family's (UNCERTAIN, insi-psc.md §1.7).
        Self::new(
            FaultCode::Sender,
            "Niveau d'accès insuffisant",
            "DESIR_560",
            &format!(
                "Vous ne disposez pas des droits suffisants pour accéder à ce service. {detail}"
            ),
        )
        .siram("siram_100")
    }

    /// `siram_40` / `insi_102`: the service is temporarily unavailable.
    pub fn unavailable() -> Self {
        let mut f = Self::new(
            FaultCode::Receiver,
            "Le service est momentanément indisponible. Veuillez réessayer ultérieurement.",
            "insi_102",
            "Erreur technique lors de la recherche par traits d'identité.",
        )
        .siram("siram_40");
        // As seen live: "fatal", not the XSD's "fatale".
        f.severity = "fatal";
        f
    }

    /// A request that is not a usable SOAP 1.2 message (bench code).
    pub fn malformed(code: FaultCode, why: String, status: u16) -> Self {
        Self {
            code,
            subcode: None,
            reason: "Requête SOAP invalide.".into(),
            detail_code: "bench_requete_invalide".into(),
            severity: "erreur",
            detail: why,
            status,
            not_understood: Vec::new(),
        }
    }

    /// The fault SOAP 1.2 prescribes for `error`, as a malformed-request fault.
    pub fn from_soap_error(error: &SoapError, status: u16) -> Self {
        Self::malformed(error.fault().code, error.to_string(), status)
    }

    /// An action that names no INSi operation (WS-Addressing's standard subcode).
    pub fn action_not_supported(action: &str) -> Self {
        let mut f = Self::new(
            FaultCode::Sender,
            "Action SOAP non supportée par le service.",
            "bench_action_inconnue",
            &format!(
                "L'action {action:?} ne désigne aucune opération du service (attendu : {}rechercherInsAvecTraitsIdentite ou {}rechercherInsAvecCarteVitale).",
                crate::operation::ACTION_PREFIX,
                crate::operation::ACTION_PREFIX
            ),
        );
        f.subcode = Some(("wsa:ActionNotSupported".into(), Some(("wsa", WSA))));
        f
    }

    /// A request whose headers or body break the CNAM schemas (bench code).
    pub fn invalid_request(detail: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "La requête n'est pas conforme au contrat du service.",
            "bench_requete_non_conforme",
            detail,
        )
    }

    /// The CPx assertion is refused (bench code; the CNAM's is not public).
    pub fn assertion_refused(detail: &str) -> Self {
        Self::new(
            FaultCode::Sender,
            "L'authentification par carte (assertion SAML) est refusée.",
            "bench_assertion_refusee",
            detail,
        )
    }

    /// A fault armed through the control API with an explicit code.
    pub fn armed(code: &str, message: Option<&str>, detail: Option<&serde_json::Value>) -> Self {
        let known = match code {
            "siram_40" | "insi_102" => Some(Self::unavailable()),
            "siram_100" | "desir_550" => Some(Self::unknown_software(
                "Numéro d'autorisation du logiciel inconnu.",
            )),
            "DESIR_560" => Some(Self::insufficient_access("")),
            _ => None,
        };
        let mut fault = known.unwrap_or_else(|| {
            Self::new(
                FaultCode::Receiver,
                "Erreur du service.",
                code,
                "Faute injectée par le banc.",
            )
            .siram(code)
        });
        if let Some(m) = message {
            fault.reason = m.to_string();
        }
        if let Some(d) = detail {
            if let Some(c) = d.get("code").and_then(|v| v.as_str()) {
                fault.detail_code = c.to_string();
            }
            if let Some(s) = d.get("severite").and_then(|v| v.as_str()) {
                fault.severity = match s {
                    "information" => "information",
                    "avertissement" => "avertissement",
                    "fatale" => "fatale",
                    "fatal" => "fatal",
                    _ => "erreur",
                };
            }
            if let Some(t) = d.get("text").and_then(|v| v.as_str()) {
                fault.detail = t.to_string();
            }
        }
        fault
    }

    /// The SOAP envelope, echoing `message_id` in the detail as the service does.
    pub fn to_xml(&self, message_id: Option<&str>) -> String {
        let mut fault = if self.not_understood.is_empty() {
            Fault::new(self.code, self.reason.clone())
        } else {
            Fault {
                reason: self.reason.clone(),
                ..Fault::must_understand(&self.not_understood)
            }
        };
        if let Some((qname, ns)) = &self.subcode {
            fault = fault.subcode(qname.clone(), *ns);
        }
        let message_id = message_id
            .map(|m| format!(" messageID=\"{}\"", escape_attribute(m)))
            .unwrap_or_default();
        fault
            .detail(format!(
                "<siram:Erreur code=\"{}\"{message_id} severite=\"{}\" xmlns:siram=\"urn:siram\">{}</siram:Erreur>",
                escape_attribute(&self.detail_code),
                self.severity,
                escape(&self.detail)
            ))
            .to_xml()
    }
}
