//! The directory's entries as FHIR R4 resources, shaped as the Annuaire Santé IG profiles
//! them (`as-practitioner`, `as-practitionerrole`, `as-organization`): national ids,
//! the MSSanté mailboxes in `telecom` with their type (TRE_R257 `PER`/`ORG`/`APP`) in the
//! `as-ext-mailbox-mss-metadata` extension. Sources in the README.

use serde_json::{Value, json};

use crate::directory::{Organization, Practitioner, Role};

/// The IG's canonical base.
pub const IG: &str = "https://interop.esante.gouv.fr/ig/fhir/annuaire";
/// The mailbox metadata extension (its `type` sub-extension holds the kind of mailbox).
pub const MAILBOX_METADATA: &str = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/as-ext-mailbox-mss-metadata";
/// fr-core's e-mail type extension (`MSSANTE` for a mailbox of the trust space).
pub const EMAIL_TYPE: &str = "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-email-type";
/// TRE_R256 TypeMessagerie.
const TYPE_MESSAGERIE: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie";
/// TRE_R257 TypeBAL.
pub const TYPE_BAL: &str = "https://mos.esante.gouv.fr/NOS/TRE_R257-TypeBAL/FHIR/TRE-R257-TypeBAL";
/// The national id of professionals (`idNatPs`).
pub const ID_NAT_PS: &str = "urn:oid:1.2.250.1.71.4.2.1";
/// The national id of structures (`idNatSt`).
pub const ID_NAT_ST: &str = "urn:oid:1.2.250.1.71.4.2.2";
/// The RPPS.
pub const RPPS: &str = "https://rpps.esante.gouv.fr";
/// fr-core's identifier types (v2-0203).
const ID_TYPE: &str = "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203";
/// TRE_G15 ProfessionSante.
pub const PROFESSION: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante";
/// TRE_R23 ModeExercice.
const MODE: &str = "https://mos.esante.gouv.fr/NOS/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice";
/// TRE_R38 SpecialiteOrdinale.
pub const SPECIALTY: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";
/// TRE_R02 SecteurActivite.
pub const SECTOR: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R02-SecteurActivite/FHIR/TRE-R02-SecteurActivite";

fn identifier(system: &str, value: &str, kind: &str) -> Value {
    json!({
        "use": "official",
        "type": { "coding": [{ "system": ID_TYPE, "code": kind }] },
        "system": system,
        "value": value,
    })
}

/// A mailbox as a `telecom` entry, its kind (`PER`, `ORG`, `APP`) in the metadata.
fn mailbox(address: &str, kind: &str) -> Value {
    json!({
        "system": "email",
        "value": address,
        "extension": [
            {
                "url": EMAIL_TYPE,
                "valueCoding": { "system": TYPE_MESSAGERIE, "code": "MSSANTE" },
            },
            {
                "url": MAILBOX_METADATA,
                "extension": [
                    { "url": "type", "valueCodeableConcept": { "coding": [{ "system": TYPE_BAL, "code": kind }] } },
                    { "url": "listeRouge", "valueBoolean": false },
                ],
            },
        ],
    })
}

/// `Practitioner`.
pub fn practitioner(p: &Practitioner) -> Value {
    let mut name = json!({ "use": "official", "family": p.family, "given": [p.given] });
    if let Some(title) = &p.title {
        name["prefix"] = json!([title]);
    }
    let mut out = json!({
        "resourceType": "Practitioner",
        "id": p.id,
        "meta": { "profile": [format!("{IG}/StructureDefinition/as-practitioner")] },
        "active": true,
        "identifier": [
            identifier(ID_NAT_PS, &p.national_id, "IDNPS"),
            identifier(RPPS, p.rpps(), "RPPS"),
        ],
        "name": [name],
        "qualification": [{ "code": { "coding": [{ "system": PROFESSION, "code": p.profession }] } }],
    });
    if let Some(m) = &p.mailbox {
        out["telecom"] = json!([mailbox(m, "PER")]);
    }
    out
}

/// `PractitionerRole`.
pub fn role(r: &Role) -> Value {
    let mut out = json!({
        "resourceType": "PractitionerRole",
        "id": r.id,
        "meta": { "profile": [format!("{IG}/StructureDefinition/as-practitionerrole")] },
        "active": true,
        "practitioner": { "reference": format!("Practitioner/{}", r.practitioner) },
        "organization": { "reference": format!("Organization/{}", r.organization) },
        "code": [{ "coding": [
            { "system": PROFESSION, "code": r.profession },
            { "system": MODE, "code": r.mode },
        ] }],
    });
    if let Some(s) = &r.specialty {
        out["specialty"] = json!([{ "coding": [{ "system": SPECIALTY, "code": s }] }]);
    }
    out
}

/// `Organization`.
pub fn organization(o: &Organization) -> Value {
    let mut identifiers = vec![identifier(ID_NAT_ST, &o.national_id, "IDNST")];
    if let Some(f) = &o.finess {
        identifiers.push(identifier("http://finess.sante.gouv.fr", f, "FINEG"));
    }
    if let Some(s) = &o.siret {
        identifiers.push(identifier("https://sirene.fr", s, "SIRET"));
    }
    let mut out = json!({
        "resourceType": "Organization",
        "id": o.id,
        "meta": { "profile": [format!("{IG}/StructureDefinition/as-organization")] },
        "active": true,
        "identifier": identifiers,
        "type": [{ "coding": [{ "system": SECTOR, "code": o.sector }] }],
        "name": o.name,
    });
    if !o.mailboxes.is_empty() {
        out["telecom"] = o
            .mailboxes
            .iter()
            .map(|(m, kind)| mailbox(m, kind))
            .collect();
    }
    out
}

/// An `OperationOutcome` with one issue: what a FHIR server answers an error with.
pub fn outcome(severity: &str, code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": severity, "code": code, "diagnostics": diagnostics }],
    })
}

/// The mailboxes a resource lists, with their kind (`PER`, `ORG`, `APP`).
pub fn mailboxes(resource: &Value) -> Vec<(String, String)> {
    resource["telecom"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| {
            let address = t["value"].as_str()?.to_string();
            let kind = t["extension"]
                .as_array()?
                .iter()
                .find(|e| e["url"] == MAILBOX_METADATA)?["extension"]
                .as_array()?
                .iter()
                .find(|e| e["url"] == "type")?["valueCodeableConcept"]["coding"][0]["code"]
                .as_str()?
                .to_string();
            Some((address, kind))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{Changes, Directory};
    use segur_core::world::World;

    #[test]
    fn a_practitioner_carries_its_national_ids_and_its_personal_mailbox() {
        let d = Directory::of(&World::embedded().unwrap(), &Changes::default());
        let p = practitioner(d.practitioner("003-899900100001").unwrap());
        assert_eq!(p["identifier"][0]["system"], ID_NAT_PS);
        assert_eq!(p["identifier"][0]["value"], "899900100001");
        assert_eq!(p["identifier"][1]["value"], "99900100001");
        assert_eq!(p["name"][0]["family"], "LEGRAND");
        assert_eq!(p["name"][0]["prefix"][0], "DR");
        assert_eq!(
            mailboxes(&p),
            vec![("jean.legrand@medecin.mssante.fr".into(), "PER".into())]
        );
        let o = organization(d.organization("001-10B0100016").unwrap());
        assert_eq!(
            mailboxes(&o)
                .iter()
                .map(|(_, k)| k.as_str())
                .collect::<Vec<_>>(),
            ["ORG", "ORG", "APP"]
        );
        assert_eq!(o["identifier"][1]["value"], "0B0100016");
    }
}
