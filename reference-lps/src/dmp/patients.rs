//! TD0.2 (does the patient have a DMP, and may this professional consult it?) and TD0.3
//! (the professional sets their own access authorisation), on the `patients` and
//! `habilitations` services.

use crate::xml::{Node, attr};

/// HL7v3 patient query (TD0.2).
pub const TD02_ACTION: &str = "urn:hl7-org:v3:PRPA_IN201307UV02";
/// `setAuthorization` (TD0.3).
pub const TD03_ACTION: &str = "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization";

/// What TD0.2 tells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Existence {
    /// `open`, `closed` or `absent`.
    pub state: &'static str,
    /// `VALIDE`, `AUCUNE`, `INTERDITE`... (open DMPs only).
    pub authorisation: Option<String>,
    /// Whether the caller is the patient's médecin traitant DMP.
    pub treating_doctor: bool,
    /// The DMP's message (a closed DMP's date and reason).
    pub message: Option<String>,
}

/// The TD0.2 body about the INS `number` (matricule + key) of OID `oid`.
pub fn existence_request(number: &str, oid: &str, software: &str) -> String {
    format!(
        concat!(
            "<PRPA_IN201307UV02 xmlns=\"urn:hl7-org:v3\" ITSVersion=\"XML_1.0\">",
            "<id root=\"1.2.250.1.999.1.1.1\" extension=\"{id}\"/>",
            "<creationTime value=\"{now}\"/>",
            "<interactionId root=\"2.16.840.1.113883.1.6\" extension=\"PRPA_IN201307UV02\"/>",
            "<processingCode code=\"P\"/><processingModeCode code=\"T\"/><acceptAckCode code=\"AL\"/>",
            "<receiver typeCode=\"RCV\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\"><id root=\"1.2.250.1.213.4.1.1.1\"/><softwareName>DMP</softwareName></device></receiver>",
            "<sender typeCode=\"SND\"><device classCode=\"DEV\" determinerCode=\"INSTANCE\"><id root=\"1.2.250.1.999.1.1\"/><softwareName>{software}</softwareName></device></sender>",
            "<controlActProcess classCode=\"CACT\" moodCode=\"EVN\">",
            "<reasonCode code=\"TEST_EXST\" codeSystem=\"1.2.250.1.213.1.1.4.11\" displayName=\"Test d'existence de dossier\"/>",
            "<queryByParameter><queryId root=\"1.2.250.1.999.1.1.2\" extension=\"{query}\"/><statusCode code=\"new\"/>",
            "<parameterList><patientIdentifier><value root=\"{oid}\" extension=\"{number}\"/><semanticsText>Patient.id</semanticsText></patientIdentifier></parameterList>",
            "</queryByParameter></controlActProcess></PRPA_IN201307UV02>"
        ),
        id = uuid::Uuid::new_v4(),
        query = uuid::Uuid::new_v4(),
        now = super::xds::dtm(time::OffsetDateTime::now_utc()),
        software = crate::xml::text(software),
        oid = attr(oid),
        number = attr(number),
    )
}

/// Reads a TD0.2 answer.
pub fn read_existence(body: &Node) -> Existence {
    let detail = body.find("acknowledgementDetail");
    let code = detail
        .and_then(|d| d.child("code"))
        .and_then(|c| c.attr("code"))
        .unwrap_or_default();
    let message = detail.and_then(|d| d.text_of("text"));
    let not_found = body.find("queryResponseCode").and_then(|c| c.attr("code")) == Some("NF");
    let patient_status = body
        .find("patient")
        .and_then(|p| p.child("statusCode"))
        .and_then(|s| s.attr("code"));
    let state = if code == "DMPClosed" || patient_status == Some("nullified") {
        "closed"
    } else if not_found || code == "DMPNotFound" || patient_status.is_none() {
        "absent"
    } else {
        "open"
    };
    let attention = |keyword: &str| {
        body.children_named("attentionLine")
            .find(|l| l.child("keyWordText").and_then(|k| k.attr("code")) == Some(keyword))
            .and_then(|l| l.child("value"))
    };
    Existence {
        state,
        authorisation: attention("AUTORISATION")
            .and_then(|v| v.attr("code"))
            .map(str::to_string),
        treating_doctor: attention("STATUT_MT").and_then(|v| v.attr("value")) == Some("true"),
        message,
    }
}

/// The TD0.3 body: `AJOUT` (add the caller's authorisation) or `SUPPRESSION`.
pub fn authorisation_request(action: &str) -> String {
    format!(
        "<setAuthorization xmlns=\"urn:si-dmp-habilitations\"><action>{}</action></setAuthorization>",
        crate::xml::text(action)
    )
}

/// A TD0.3 answer: (status, context).
pub fn read_authorisation(body: &Node) -> (String, String) {
    (
        body.text_of("status").unwrap_or_default(),
        body.text_of("context").unwrap_or_default(),
    )
}
