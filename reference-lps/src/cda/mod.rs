//! The CDA documents the LPS produces (CI-SIS volets): a level-1 CDA carrying a PDF
//! (`DOC.01`, the annexe-3 documents: consultation report, imaging report `DOC/va1.16`,
//! biology report `DOC/va1.27`), the VSM as a level-3 CDA (`DOC/va1.14`) and the biology
//! report as a level-3 CR-BIO with LOINC-coded results (`DOC/va1.30`). A report names
//! its recipients and its prescriber with their MSSanté address (`DOC/va1.15`, `.17`,
//! `.26`, `.28`). The
//! patient's INS and its traits are written only when the identity is qualified
//! (`DOC/va1.04`, INS guide rule 30); otherwise the local id alone.

pub mod pdf;
pub mod view;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::dmp::professional::Professional;
use crate::identity::Status;
use crate::identity::store::Patient;
use crate::xml::{attr, text};

/// The OID under which the LPS numbers its documents (test range).
pub const DOCUMENT_ROOT: &str = "1.2.250.1.999.1.1.3";
/// The OID of the LPS's local patient ids (IPP).
pub const IPP_ROOT: &str = "1.2.250.1.999.1.1.4";

/// The XDS uniqueId of the document numbered `extension`: `root^extension`, as a CDA
/// `id` with an extension is written in XDS.
pub fn unique_id(extension: &str) -> String {
    format!("{DOCUMENT_ROOT}^{extension}")
}

/// A fresh document number (the extension of its `id`).
pub fn new_id() -> String {
    (uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000).to_string()
}

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub enum Kind {
    /// A consultation report, level 1 with its PDF.
    #[serde(rename = "cr")]
    Cr,
    /// The volet de synthèse médicale, level 3.
    #[serde(rename = "vsm")]
    Vsm,
    /// An imaging report, level 1 with its PDF.
    #[serde(rename = "cr-img")]
    CrImg,
    /// A biology report, level 3 (CR-BIO, IHE XD-LAB).
    #[serde(rename = "cr-bio")]
    CrBio,
    /// A biology report, level 1 with its PDF.
    #[serde(rename = "cr-bio-n1")]
    CrBioN1,
    /// A discharge letter (lettre de liaison de sortie), level 1 with its PDF.
    #[serde(rename = "ldl")]
    Ldl,
    /// A prescription of health products (ordonnance), level 1 with its PDF.
    #[serde(rename = "prescription")]
    Prescription,
}

/// LOINC.
const LOINC: &str = "2.16.840.1.113883.6.1";
/// The formatCode of a level-1 document carrying a PDF.
pub const FORMAT_N1: &str = "urn:ihe:iti:xds-sd:pdf:2008";

impl Kind {
    /// (LOINC or TRE_A05 code, system, label) of the document type.
    pub fn type_code(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Kind::Cr => ("11488-4", LOINC, "Note de consultation"),
            Kind::Vsm => ("SYNTH", "1.2.250.1.213.1.1.4.12", "Synthèse"),
            Kind::CrImg => ("18748-4", LOINC, "CR d'imagerie médicale"),
            Kind::CrBio | Kind::CrBioN1 => ("11502-2", LOINC, "CR d'examens biologiques"),
            Kind::Ldl => ("11490-0", LOINC, "Lettre de liaison de sortie"),
            Kind::Prescription => ("57833-6", LOINC, "Prescription de produits de santé"),
        }
    }

    /// (JDV_J57 classCode, label).
    pub fn class_code(self) -> (&'static str, &'static str) {
        match self {
            Kind::Vsm => ("10", "Synthèse"),
            _ => ("11", "Compte rendu"),
        }
    }

    /// formatCode (JDV_J60).
    pub fn format_code(self) -> &'static str {
        match self {
            Kind::Vsm => "urn:asip:ci-sis:vsm:2012",
            Kind::CrBio => "urn:ihe:lab:xd-lab:2008",
            Kind::Cr | Kind::CrImg | Kind::CrBioN1 | Kind::Ldl | Kind::Prescription => FORMAT_N1,
        }
    }
}

/// A professional a report names beside its author: a recipient, or the prescriber who
/// asked for the examination (known from the request the software received).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Party {
    /// National id (`8` + RPPS).
    pub national_id: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Their MSSanté address, if they have one.
    #[serde(default)]
    pub mssante: Option<String>,
}

impl Party {
    fn telecom(&self) -> String {
        self.mssante
            .as_ref()
            .map(|m| format!("<telecom value=\"mailto:{}\"/>", attr(m)))
            .unwrap_or_default()
    }

    fn name(&self, element: &str) -> String {
        format!(
            "<{element}><name><given>{}</given><family>{}</family></name></{element}>",
            text(&self.given_name),
            text(&self.family_name)
        )
    }
}

/// What a document says and who it is about.
#[derive(Clone)]
pub struct Document<'a> {
    /// Which volet.
    pub kind: Kind,
    /// Its title.
    pub title: &'a str,
    /// The patient.
    pub patient: &'a Patient,
    /// The author (the logged-in professional).
    pub author: &'a Professional,
    /// The document's date (HISTO.03: the business date of a historical document).
    pub date: OffsetDateTime,
    /// `id@extension` (its uniqueId is `DOCUMENT_ROOT.extension`).
    pub id: String,
    /// `setId@extension`, shared by the versions.
    pub set_id: String,
    /// `versionNumber`.
    pub version: u32,
    /// The uniqueId of the version it replaces (`relatedDocument typeCode="RPLC"`).
    pub replaces: Option<String>,
    /// Whether the INS is written although the identity is not qualified (a defect).
    pub ins_regardless: bool,
    /// The médecin traitant (a VSM names them).
    pub treating_doctor: Option<&'a Professional>,
    /// Whom the report is sent to (`informationRecipient`).
    pub recipients: Vec<Party>,
    /// The prescriber who asked for the examination (`participant typeCode="REF"`).
    pub referrer: Option<Party>,
    /// A partial biology report (results still to come): its data-processing entry is
    /// `active`, the complete one `completed`.
    pub partial: bool,
    /// Whether the biology results carry the laboratory's own codes instead of LOINC (a
    /// defect).
    pub local_result_codes: bool,
    /// A section the volet does not plan, added to a structured document (its title, its
    /// narrative), CDA/INT.16.
    pub added_section: Option<(String, String)>,
    /// Whether the document goes with the LPS's stylesheet (self-presentable: the
    /// stylesheet holds the document, XDS mimeType `application/xslt+xml`).
    pub self_presentable: bool,
    /// Whether that stylesheet shows only the sections the volet plans (a defect: an
    /// added section's narrative is not shown).
    pub stylesheet_volet_sections_only: bool,
    /// The patient information notice the site set (GDPR), at the foot of the document
    /// (DOC/va1.03, va1.05).
    pub footer: Vec<String>,
    /// Mentions the report carries (an automatic validation, DOC/va1.18; the Cofrac
    /// accreditation, DOC/va1.29).
    pub mentions: Vec<String>,
    /// The LOINC codes of the results covered by the accreditation: their label is
    /// marked `*`.
    pub accredited: Vec<String>,
    /// Whether the results' units are written as printed (`10^9/L`) instead of in UCUM
    /// (`10*9/L`), a defect (DOC/va1.34).
    pub printed_units: bool,
    /// Whether its PDF is a plain PDF rather than a PDF/A-1 (a defect, DOC/va1.01).
    pub plain_pdf: bool,
    /// Whether its PDF leaves the INS out although the CDA carries it (a defect,
    /// DOC/va1.10).
    pub pdf_without_ins: bool,
}

impl Document<'_> {
    /// Its XDS uniqueId.
    pub fn unique_id(&self) -> String {
        unique_id(&self.id)
    }

    /// The INS the document names its patient by: the qualified identity's (or any, by
    /// the `ins_regardless` defect).
    fn written_ins(&self) -> Option<&crate::identity::Ins> {
        let qualified = self.patient.status == Status::Qualifiee || self.ins_regardless;
        self.patient.ins.as_ref().filter(|_| qualified)
    }
}

/// `YYYYMMDDHHMMSS+0000`.
fn ts(t: OffsetDateTime) -> String {
    format!("{}+0000", crate::dmp::xds::dtm(t))
}

fn person(p: &Professional) -> String {
    format!(
        "<assignedPerson><name><given>{}</given><family>{}</family></name></assignedPerson>",
        text(&p.given_name),
        text(&p.family_name)
    )
}

fn organization(element: &str, p: &Professional) -> String {
    format!(
        "<{element}><id root=\"1.2.250.1.71.4.2.2\" extension=\"{}\"/><name>{}</name></{element}>",
        attr(&p.structure_id),
        text(&p.structure_name)
    )
}

fn specialty_code(p: &Professional) -> String {
    let code = match &p.second_role {
        Some((s, crate::dmp::professional::SPECIALTY_SYSTEM)) => {
            format!("G15_{}/{s}", p.profession)
        }
        _ => format!("G15_{}", p.profession),
    };
    format!(
        "<code code=\"{}\" displayName=\"{}\" codeSystem=\"1.2.250.1.213.1.1.4.5\"/>",
        attr(&code),
        attr(&code)
    )
}

/// The recordTarget: the INS and all its traits when qualified, the IPP always.
fn record_target(d: &Document<'_>) -> String {
    let p = d.patient;
    let t = &p.traits;
    let ins = match d.written_ins() {
        Some(ins) => format!(
            "<id root=\"{}\" extension=\"{}\"/>",
            attr(&ins.oid),
            attr(&ins.number())
        ),
        None => String::new(),
    };
    let birth = t.birth_date.replace('-', "");
    let sex = match t.sex.as_str() {
        "M" => ("M", "Masculin"),
        "F" => ("F", "Féminin"),
        _ => ("U", "Inconnu"),
    };
    format!(
        concat!(
            "<recordTarget><patientRole>{ins}<id root=\"{ipp_root}\" extension=\"{ipp}\"/>",
            "<patient classCode=\"PSN\"><name><family qualifier=\"BR\">{family}</family>",
            "<given>{given}</given><given qualifier=\"BR\">{first}</given></name>",
            "<administrativeGenderCode code=\"{sex}\" displayName=\"{sex_label}\" codeSystem=\"2.16.840.1.113883.5.1\"/>",
            "<birthTime value=\"{birth}\"/>",
            "<birthplace><place><addr><county>{county}</county></addr></place></birthplace>",
            "</patient></patientRole></recordTarget>"
        ),
        ins = ins,
        ipp_root = IPP_ROOT,
        ipp = attr(&p.patient),
        family = text(&t.birth_name),
        given = text(&t.first_names.join(" ")),
        first = text(
            t.first_names
                .first()
                .map(String::as_str)
                .unwrap_or_default()
        ),
        sex = sex.0,
        sex_label = sex.1,
        birth = birth,
        county = text(&t.birthplace),
    )
}

/// The document as a person reads it: the PDF a level-1 CDA carries, and the one sent
/// beside an IHE_XDM archive.
pub fn readable(d: &Document<'_>) -> Vec<u8> {
    let (t, a) = (&d.patient.traits, d.author);
    let mut lines = vec![
        format!("Patient : {} {}", t.first_names.join(" "), t.birth_name),
        format!("Ne(e) le {}", t.birth_date),
    ];
    // The INS in the PDF as in the CDA (DOC/va1.10): the matricule and its key.
    if let Some(ins) = d.written_ins().filter(|_| !d.pdf_without_ins) {
        lines.push(format!("INS : {}", ins.number()));
    }
    lines.extend([
        format!("Auteur : Dr {} {}", a.given_name, a.family_name),
        format!("{} - {}", a.structure_name, d.date.date()),
    ]);
    lines.extend(d.mentions.iter().cloned());
    pdf::render(d.title, &lines, &d.footer, !d.plain_pdf)
}

/// The whole document.
pub fn build(d: &Document<'_>) -> Vec<u8> {
    let a = d.author;
    let now = ts(d.date);
    let (type_code, type_system, type_label) = d.kind.type_code();
    let templates = match d.kind {
        Kind::Cr | Kind::CrImg | Kind::CrBioN1 | Kind::Ldl | Kind::Prescription => {
            "<templateId root=\"2.16.840.1.113883.2.8.2.1\"/><templateId root=\"1.2.250.1.213.1.1.1.1\"/><templateId root=\"1.3.6.1.4.1.19376.1.2.20\"/>"
        }
        Kind::Vsm => {
            "<templateId root=\"2.16.840.1.113883.2.8.2.1\"/><templateId root=\"1.2.250.1.213.1.1.1.1\"/><templateId root=\"1.2.250.1.213.1.1.1.13\"/>"
        }
        Kind::CrBio => {
            "<templateId root=\"2.16.840.1.113883.2.8.2.1\"/><templateId root=\"1.2.250.1.213.1.1.1.1\"/><templateId root=\"1.3.6.1.4.1.19376.1.3.3\"/><templateId root=\"1.2.250.1.213.1.1.1.55\" extension=\"2024.01\"/>"
        }
    };
    let recipients: String = d
        .recipients
        .iter()
        .map(|r| {
            format!(
                "<informationRecipient><intendedRecipient><id root=\"1.2.250.1.71.4.2.1\" extension=\"{}\"/>{}{}</intendedRecipient></informationRecipient>",
                attr(&r.national_id),
                r.telecom(),
                r.name("informationRecipient")
            )
        })
        .collect();
    let referrer = d
        .referrer
        .as_ref()
        .map(|r| {
            format!(
                "<participant typeCode=\"REF\"><time><high value=\"{}\"/></time><associatedEntity classCode=\"PROV\"><id root=\"1.2.250.1.71.4.2.1\" extension=\"{}\"/>{}{}</associatedEntity></participant>",
                ts(d.date),
                attr(&r.national_id),
                r.telecom(),
                r.name("associatedPerson")
            )
        })
        .unwrap_or_default();
    let related = d
        .replaces
        .as_ref()
        .map(|old| {
            let (root, extension) = old.split_once('^').unwrap_or((old.as_str(), ""));
            format!(
                "<relatedDocument typeCode=\"RPLC\"><parentDocument><id root=\"{}\" extension=\"{}\"/></parentDocument></relatedDocument>",
                attr(root),
                attr(extension)
            )
        })
        .unwrap_or_default();
    let treating = match (d.kind, d.treating_doctor) {
        (Kind::Vsm, Some(t)) => format!(
            "<participant typeCode=\"INF\"><functionCode code=\"PCP\" displayName=\"Médecin traitant\" codeSystem=\"2.16.840.1.113883.5.88\"/><associatedEntity classCode=\"PROV\"><id root=\"1.2.250.1.71.4.2.1\" extension=\"{}\"/><associatedPerson><name><given>{}</given><family>{}</family></name></associatedPerson></associatedEntity></participant>",
            attr(&t.national_id),
            text(&t.given_name),
            text(&t.family_name)
        ),
        _ => String::new(),
    };
    let event_code = match d.kind {
        Kind::Vsm => "<code code=\"34117-2\" displayName=\"Historique et clinique\" codeSystem=\"2.16.840.1.113883.6.1\"/>".to_string(),
        other => {
            let (code, system, label) = other.type_code();
            format!("<code code=\"{code}\" displayName=\"{label}\" codeSystem=\"{system}\"/>")
        }
    };
    let header = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
            "<realmCode code=\"FR\"/><typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>{templates}",
            "<id root=\"{root}\" extension=\"{id}\"/>",
            "<code code=\"{type_code}\" displayName=\"{type_label}\" codeSystem=\"{type_system}\"/>",
            "<title>{title}</title><effectiveTime value=\"{now}\"/>",
            "<confidentialityCode code=\"N\" displayName=\"Normal\" codeSystem=\"2.16.840.1.113883.5.25\"/>",
            "<languageCode code=\"fr-FR\"/><setId root=\"{root}\" extension=\"{set_id}\"/><versionNumber value=\"{version}\"/>",
            "{record_target}",
            "<author><time value=\"{now}\"/><assignedAuthor><id root=\"1.2.250.1.71.4.2.1\" extension=\"{author_id}\"/>{specialty}{person}{org}</assignedAuthor></author>",
            "<custodian><assignedCustodian>{custodian}</assignedCustodian></custodian>{recipients}",
            "<legalAuthenticator><time value=\"{now}\"/><signatureCode code=\"S\"/><assignedEntity><id root=\"1.2.250.1.71.4.2.1\" extension=\"{author_id}\"/>{person}</assignedEntity></legalAuthenticator>",
            "{treating}{referrer}",
            "<documentationOf><serviceEvent>{event_code}<effectiveTime><low value=\"{now}\"/><high value=\"{now}\"/></effectiveTime>",
            "<performer typeCode=\"PRF\"><assignedEntity><id root=\"1.2.250.1.71.4.2.1\" extension=\"{author_id}\"/>{person}",
            "<representedOrganization><id root=\"1.2.250.1.71.4.2.2\" extension=\"{structure_id}\"/><name>{structure_name}</name>",
            "<standardIndustryClassCode code=\"AMBULATOIRE\" displayName=\"Ambulatoire\" codeSystem=\"1.2.250.1.213.1.1.4.9\"/>",
            "</representedOrganization></assignedEntity></performer></serviceEvent></documentationOf>",
            "{related}",
            "<componentOf><encompassingEncounter><effectiveTime><low value=\"{now}\"/></effectiveTime>",
            "<location><healthCareFacility><code code=\"{sector}\" displayName=\"{sector}\" codeSystem=\"1.2.250.1.71.4.2.4\"/></healthCareFacility></location>",
            "</encompassingEncounter></componentOf>"
        ),
        templates = templates,
        root = DOCUMENT_ROOT,
        id = attr(&d.id),
        type_code = type_code,
        type_label = type_label,
        type_system = type_system,
        title = text(d.title),
        now = now,
        set_id = attr(&d.set_id),
        version = d.version,
        record_target = record_target(d),
        author_id = attr(&a.national_id),
        specialty = specialty_code(a),
        person = person(a),
        org = organization("representedOrganization", a),
        custodian = organization("representedCustodianOrganization", a),
        treating = treating,
        recipients = recipients,
        referrer = referrer,
        event_code = event_code,
        structure_id = attr(&a.structure_id),
        structure_name = text(&a.structure_name),
        related = related,
        sector = attr(&a.sector),
    );
    let body = match d.kind {
        Kind::Cr | Kind::CrImg | Kind::CrBioN1 | Kind::Ldl | Kind::Prescription => {
            let pdf = readable(d);
            format!(
                "<component><nonXMLBody><text mediaType=\"application/pdf\" representation=\"B64\">{}</text></nonXMLBody></component>",
                base64::engine::general_purpose::STANDARD.encode(pdf)
            )
        }
        Kind::Vsm => vsm_body(d.added_section.as_ref(), &notes(d)),
        Kind::CrBio => bio_body(d, &notes(d)),
    };
    let document = format!("{header}{body}</ClinicalDocument>");
    if d.self_presentable {
        return self_presentable(&document, d.stylesheet_volet_sections_only).into_bytes();
    }
    document.into_bytes()
}

/// The LPS's stylesheet (`stylesheet.xsl`), sent with the documents it makes
/// self-presentable.
const STYLESHEET: &str = include_str!("stylesheet.xsl");

/// `document` (a `ClinicalDocument` with its prolog) held by the LPS's stylesheet.
fn self_presentable(document: &str, volet_sections_only: bool) -> String {
    let stylesheet = if volet_sections_only {
        STYLESHEET.replace(
            "h:structuredBody//h:section\"",
            "h:structuredBody//h:section[h:templateId]\"",
        )
    } else {
        STYLESHEET.to_string()
    };
    let start = document.find("<ClinicalDocument").unwrap_or(0);
    let end = stylesheet
        .rfind("</xsl:stylesheet>")
        .unwrap_or(stylesheet.len());
    format!(
        "{}{}\n{}",
        &stylesheet[..end],
        &document[start..],
        &stylesheet[end..]
    )
}

fn section(template: &str, code: &str, title: &str, content: &str) -> String {
    format!(
        "<component><section><templateId root=\"{template}\"/><code code=\"{code}\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>{title}</title>{content}</section></component>"
    )
}

/// The last sections of a structured document: its mentions, then the patient
/// information notice (the foot of the document).
fn notes(d: &Document<'_>) -> String {
    let block = |title: &str, lines: &[String]| {
        if lines.is_empty() {
            return String::new();
        }
        let paragraphs: String = lines
            .iter()
            .map(|l| format!("<paragraph>{}</paragraph>", text(l)))
            .collect();
        format!(
            "<component><section><code code=\"MENTIONS\" codeSystem=\"1.2.250.1.999.9.1\" displayName=\"{title}\"/><title>{title}</title><text>{paragraphs}</text></section></component>"
        )
    };
    format!(
        "{}{}",
        block("Mentions", &d.mentions),
        block("Information du patient", &d.footer)
    )
}

/// The VSM's three required sections, the treatment holding its medication subsection,
/// and the section the author added (a local code, no templateId: the volet does not plan
/// it).
fn vsm_body(added: Option<&(String, String)>, notes: &str) -> String {
    let added = added
        .map(|(title, narrative)| {
            format!(
                "<component><section><code code=\"NOTE-LIBRE\" codeSystem=\"1.2.250.1.999.9.1\" displayName=\"Note libre\"/><title>{}</title><text><paragraph>{}</paragraph></text></section></component>",
                text(title),
                text(narrative)
            )
        })
        .unwrap_or_default();
    let history = section(
        "1.2.250.1.213.1.1.2.29",
        "34117-2",
        "Pathologies, antécédents, allergies et facteurs de risque",
        "<text><list><item>Hypertension artérielle</item><item>Pas d'allergie connue</item></list></text>",
    );
    let results = section(
        "1.3.6.1.4.1.19376.1.5.3.1.3.27",
        "30954-2",
        "Résultats",
        "<text><paragraph>Pas de résultat récent</paragraph></text>",
    );
    let medications = section(
        "1.3.6.1.4.1.19376.1.5.3.1.3.19",
        "10160-0",
        "Traitements",
        "<text><list><item>Amlodipine 5 mg, 1 comprimé le matin</item></list></text>",
    );
    let treatment = section(
        "1.2.250.1.213.1.1.2.32",
        "18776-5",
        "Traitement au long cours",
        &format!("<text><paragraph>Voir ci-dessous</paragraph></text>{medications}"),
    );
    format!(
        "<component><structuredBody>{history}{results}{treatment}{added}{notes}</structuredBody></component>"
    )
}

/// One biology result: (LOINC code, label, value, unit).
type BioResult = (&'static str, &'static str, &'static str, &'static str);

/// The haematology chapter of a blood count: haemoglobin and leucocytes, then (when the
/// report is complete) the platelets.
const BLOOD_COUNT: &[BioResult] = &[
    ("718-7", "Hémoglobine", "14.2", "g/dL"),
    ("6690-2", "Leucocytes", "6.8", "10*9/L"),
    ("777-3", "Plaquettes", "245", "10*9/L"),
];

/// A CR-BIO body: one haematology chapter (IHE XD-LAB speciality section) with its
/// data-processing entry, the results coded in LOINC (`DOC/va1.30`); a partial report
/// holds the first results only, its entry `active`.
fn bio_body(d: &Document<'_>, notes: &str) -> String {
    let (partial, local_codes, accredited) = (d.partial, d.local_result_codes, &d.accredited);
    let shown = if partial { 2 } else { BLOOD_COUNT.len() };
    let results = &BLOOD_COUNT[..shown];
    let rows: String = results
        .iter()
        .map(|(code, label, value, unit)| {
            // A result covered by the accreditation is marked before its label.
            let mark = if accredited.iter().any(|a| a == code) {
                "* "
            } else {
                ""
            };
            format!(
                "<tr><td>{mark}{}</td><td>{value} {}</td></tr>",
                text(label),
                text(unit)
            )
        })
        .collect();
    let observations: String = results
        .iter()
        .enumerate()
        .map(|(n, (code, label, value, unit))| {
            let system = if local_codes {
                "1.2.250.1.999.1.1.9"
            } else {
                LOINC
            };
            format!(
                concat!(
                    "<component><observation classCode=\"OBS\" moodCode=\"EVN\">",
                    "<templateId root=\"1.3.6.1.4.1.19376.1.3.1.6\"/><templateId root=\"1.2.250.1.213.1.1.3.80\"/>",
                    "<id root=\"{root}\" extension=\"r{n}\"/>",
                    "<code code=\"{code}\" displayName=\"{label}\" codeSystem=\"{system}\"/>",
                    "<statusCode code=\"completed\"/>",
                    "<value xsi:type=\"PQ\" value=\"{value}\" unit=\"{unit}\"/>",
                    "</observation></component>"
                ),
                root = DOCUMENT_ROOT,
                n = n,
                code = code,
                label = attr(label),
                system = system,
                value = value,
                unit = attr(&if d.printed_units {
                    unit.replace('*', "^").replace("dL", "100 mL")
                } else {
                    unit.to_string()
                }),
            )
        })
        .collect();
    let status = if partial { "active" } else { "completed" };
    let chapter = format!(
        concat!(
            "<component><section><templateId root=\"1.3.6.1.4.1.19376.1.3.3.2.1\"/><templateId root=\"1.2.250.1.213.1.1.2.70\"/>",
            "<code code=\"18723-7\" displayName=\"Hématologie\" codeSystem=\"{loinc}\"/><title>Hématologie</title>",
            "<text><table><tbody>{rows}</tbody></table></text>",
            "<entry typeCode=\"DRIV\"><templateId root=\"1.3.6.1.4.1.19376.1.3.1\"/><templateId root=\"1.2.250.1.213.1.1.3.21\"/>",
            "<act classCode=\"ACT\" moodCode=\"EVN\"><code code=\"18723-7\" codeSystem=\"{loinc}\"/><statusCode code=\"{status}\"/>",
            "<entryRelationship typeCode=\"COMP\"><organizer classCode=\"BATTERY\" moodCode=\"EVN\">",
            "<templateId root=\"1.3.6.1.4.1.19376.1.3.1.4\"/><templateId root=\"1.2.250.1.213.1.1.3.78\"/>",
            "<code code=\"58410-2\" displayName=\"Numération formule sanguine\" codeSystem=\"{loinc}\"/><statusCode code=\"{status}\"/>",
            "{observations}</organizer></entryRelationship></act></entry></section></component>"
        ),
        loinc = LOINC,
        rows = rows,
        status = status,
        observations = observations,
    );
    format!("<component><structuredBody>{chapter}{notes}</structuredBody></component>")
}
