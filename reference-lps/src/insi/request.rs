//! Writing INSi requests (WSDL `DESIR_ICIR_EXP_1.5.0`, SOAP 1.2): the two context headers
//! the CNAM requires (`ContexteBAM`, `ContexteLPS` with the CNDA authorisation `IDAM`),
//! WS-Addressing, and the body of each operation.

use crate::identity::Ins;

const SOAP12: &str = "http://www.w3.org/2003/05/soap-envelope";
const WSA: &str = "http://www.w3.org/2005/08/addressing";
const CTXBAM: &str = "urn:siram:bam:ctxbam";
const CTXLPS: &str = "urn:siram:lps:ctxlps";
const REC_SANS: &str = "http://www.cnamts.fr/INSiRecSans";
const REC_VIT: &str = "http://www.cnamts.fr/INSiRecVit";
/// Action prefix of the service's operations.
pub const ACTION_PREFIX: &str = "urn:ServiceIdentiteCertifiee:1.0.0:";

/// Who is calling, for the context headers.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `ContexteLPS/Emetteur`: the structure's national id.
    pub emitter: String,
    /// `ContexteLPS/LPS/IDAM`: the CNDA authorisation number; `None` leaves it out.
    pub idam: Option<String>,
    /// Software version.
    pub version: String,
    /// Installation id (stable per installation).
    pub instance: String,
}

/// The traits sent to INSi.
#[derive(Debug, Clone)]
pub struct QueryTraits<'a> {
    /// Birth name.
    pub birth_name: &'a str,
    /// One `Prenom` element: one first name or several, space-separated.
    pub first_names: &'a str,
    /// Sex.
    pub sex: &'a str,
    /// Birth date.
    pub birth_date: &'a str,
    /// COG of the birthplace, when known.
    pub birthplace: Option<&'a str>,
}

/// The data read from a carte Vitale.
#[derive(Debug, Clone)]
pub struct VitaleCard<'a> {
    /// The beneficiary's own NIR, when the card carries it.
    pub beneficiary_nir: Option<&'a str>,
    /// The NIR of the insured person opening the rights.
    pub od_nir: Option<&'a str>,
    /// Birth name.
    pub birth_name: Option<&'a str>,
    /// Birth date.
    pub birth_date: &'a str,
    /// Rank of birth (twins).
    pub rank: &'a str,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn traits_xml(prefix: &str, t: &QueryTraits<'_>) -> String {
    let mut out = format!(
        "<{prefix}NomNaissance>{}</{prefix}NomNaissance><{prefix}Prenom>{}</{prefix}Prenom><{prefix}Sexe>{}</{prefix}Sexe><{prefix}DateNaissance>{}</{prefix}DateNaissance>",
        escape(t.birth_name),
        escape(t.first_names),
        escape(t.sex),
        escape(t.birth_date)
    );
    if let Some(place) = t.birthplace {
        out.push_str(&format!(
            "<{prefix}LieuNaissance>{}</{prefix}LieuNaissance>",
            escape(place)
        ));
    }
    out
}

/// `rechercherInsAvecTraitsIdentite`.
pub fn search_by_traits(t: &QueryTraits<'_>) -> (String, String) {
    (
        "rechercherInsAvecTraitsIdentite".into(),
        format!(
            "<ins:RECSANSVITALE xmlns:ins=\"{REC_SANS}\">{}</ins:RECSANSVITALE>",
            traits_xml("ins:", t)
        ),
    )
}

/// `rechercherInsAvecCarteVitale`.
pub fn search_by_vitale(card: &VitaleCard<'_>) -> (String, String) {
    let mut body = String::new();
    for (name, nir) in [
        ("MatriculeIndividu", card.beneficiary_nir),
        ("MatriculeOD", card.od_nir),
    ] {
        if let Some(nir) = nir {
            body.push_str(&format!(
                "<v:{name}><v:NumIdentifiant>{}</v:NumIdentifiant></v:{name}>",
                escape(nir)
            ));
        }
    }
    if let Some(name) = card.birth_name {
        body.push_str(&format!(
            "<v:NomNaissance>{}</v:NomNaissance>",
            escape(name)
        ));
    }
    body.push_str(&format!(
        "<v:DateNaissance>{}</v:DateNaissance><v:RangNaissance>{}</v:RangNaissance>",
        escape(card.birth_date),
        escape(card.rank)
    ));
    (
        "rechercherInsAvecCarteVitale".into(),
        format!("<v:RECVITALE xmlns:v=\"{REC_VIT}\">{body}</v:RECVITALE>"),
    )
}

/// `verifierInsAvecTraitsIdentite`: the INS held and the traits it was qualified with.
pub fn verify(ins: &Ins, t: &QueryTraits<'_>) -> (String, String) {
    let mut traits = traits_xml("", t);
    traits.push_str(&format!(
        "<ListePrenom>{}</ListePrenom>",
        escape(t.first_names)
    ));
    (
        "verifierInsAvecTraitsIdentite".into(),
        format!(
            "<RequeteUnitaire><IndividuVerifie><INSFourni><IdIndividu><NumIdentifiant>{}</NumIdentifiant><Cle>{}</Cle><TypeMatricule>INS</TypeMatricule></IdIndividu><OID>{}</OID></INSFourni><TraitsIdentiteIndividu>{traits}</TraitsIdentiteIndividu></IndividuVerifie></RequeteUnitaire>",
            escape(&ins.matricule),
            escape(&ins.key),
            escape(&ins.oid)
        ),
    )
}

/// The whole envelope for `operation` with `body`, at `now` (RFC 3339).
pub fn envelope(caller: &Caller, operation: &str, body: &str, now: &str) -> String {
    let message_id = uuid::Uuid::new_v4();
    let idam = caller
        .idam
        .as_ref()
        .map(|i| format!("<lps:IDAM R=\"4\">{}</lps:IDAM>", escape(i)))
        .unwrap_or_default();
    format!(
        "<soap:Envelope xmlns:soap=\"{SOAP12}\"><soap:Header>\
<bam:ContexteBAM xmlns:bam=\"{CTXBAM}\" Version=\"01_02\"><bam:Id>{bam_id}</bam:Id><bam:Temps>{now}</bam:Temps><bam:COUVERTURE/></bam:ContexteBAM>\
<wsa:MessageID xmlns:wsa=\"{WSA}\">uuid:{message_id}</wsa:MessageID>\
<wsa:Action xmlns:wsa=\"{WSA}\">{ACTION_PREFIX}{operation}</wsa:Action>\
<lps:ContexteLPS xmlns:lps=\"{CTXLPS}\" Version=\"01_00\"><lps:Id>{lps_id}</lps:Id><lps:Temps>{now}</lps:Temps><lps:Emetteur>{emitter}</lps:Emetteur><lps:LPS>{idam}<lps:Version>{version}</lps:Version><lps:Instance>{instance}</lps:Instance><lps:Nom>urn:lps:segur-bench-reference-lps:{version}</lps:Nom></lps:LPS></lps:ContexteLPS>\
</soap:Header><soap:Body>{body}</soap:Body></soap:Envelope>",
        bam_id = uuid::Uuid::new_v4(),
        lps_id = uuid::Uuid::new_v4(),
        emitter = escape(&caller.emitter),
        version = escape(&caller.version),
        instance = escape(&caller.instance),
    )
}
