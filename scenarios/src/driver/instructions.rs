//! What the manual driver asks the person at the software, per action: an instruction
//! in French and the questions whose answers make up the reply.

use serde_json::Value;

/// What kind of answer a question expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text, kept as typed.
    Text,
    /// `oui` / `non`.
    YesNo,
    /// A list, comma-separated.
    List,
    /// One line of a screen or paper, `libellé = valeur`, with ` (non modifiable)` when
    /// the screen marks it so; empty when the field is not shown. The question's field is
    /// `list/name`: the entry `{field: name, label, value, editable}` goes into `list`.
    Entry,
}

/// One question: the reply's field it fills, and its wording.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// JSON path in `result` (`status`, `ins.matricule`).
    pub field: &'static str,
    /// What is asked.
    pub text: &'static str,
    /// How the answer is read.
    pub kind: Kind,
}

const fn q(field: &'static str, text: &'static str, kind: Kind) -> Question {
    Question { field, text, kind }
}

fn s<'a>(p: &'a Value, path: &str) -> &'a str {
    path.split('.')
        .try_fold(p, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or("?")
}

/// The fields of the identity screen, as `identity.display` reports them.
const SCREEN: [Question; 10] = [
    q("fields/birth_name", "Nom de naissance ?", Kind::Entry),
    q(
        "fields/first_name",
        "1er prénom de naissance ?",
        Kind::Entry,
    ),
    q("fields/birth_date", "Date de naissance ?", Kind::Entry),
    q("fields/sex", "Sexe ?", Kind::Entry),
    q(
        "fields/matricule_ins",
        "Matricule INS (et sa nature) ?",
        Kind::Entry,
    ),
    q("fields/oid", "OID ?", Kind::Entry),
    q("fields/first_names", "Prénoms de naissance ?", Kind::Entry),
    q("fields/used_name", "Nom utilisé ?", Kind::Entry),
    q("fields/used_first_name", "Prénom utilisé ?", Kind::Entry),
    q(
        "fields/birthplace",
        "Lieu de naissance (code INSEE) ?",
        Kind::Entry,
    ),
];

/// The lines of a paper document, as `identity.print` reports them.
const PAPER: [Question; 9] = [
    q("lines/birth_name", "Nom de naissance ?", Kind::Entry),
    q("lines/first_name", "1er prénom de naissance ?", Kind::Entry),
    q("lines/birth_date", "Date de naissance ?", Kind::Entry),
    q("lines/sex", "Sexe ?", Kind::Entry),
    q(
        "lines/matricule_ins",
        "Matricule INS (et sa nature) ?",
        Kind::Entry,
    ),
    q("lines/used_name", "Nom utilisé ?", Kind::Entry),
    q("lines/used_first_name", "Prénom utilisé ?", Kind::Entry),
    q(
        "lines/birthplace",
        "Lieu de naissance (code INSEE) ?",
        Kind::Entry,
    ),
    q(
        "datamatrix",
        "Contenu décodé du datamatrix (vide si aucun) ?",
        Kind::Text,
    ),
];

/// Reads an [`Kind::Entry`] answer: `libellé = valeur [(non modifiable)]`.
pub fn entry(field: &str, answer: &str) -> Option<Value> {
    let answer = answer.trim();
    if answer.is_empty() {
        return None;
    }
    let (text, editable) = match answer.strip_suffix("(non modifiable)") {
        Some(rest) => (rest.trim(), false),
        None => (answer, true),
    };
    let (label, value) = text.split_once('=').unwrap_or(("", text));
    Some(serde_json::json!({
        "field": field,
        "label": label.trim(),
        "value": value.trim(),
        "editable": editable,
    }))
}

/// The instruction for `action` with `params`, and its questions.
pub fn for_action(action: &str, p: &Value) -> (String, Vec<Question>) {
    use Kind::*;
    let patient = s(p, "patient");
    match action {
        "configure" => (
            format!(
                "Configurez le logiciel pour ce scénario :\n  INSi (mTLS) : {}\n  Pro Santé Connect : {}\n  autorités de confiance : {}\n  certificat INSi : {}",
                s(p, "endpoints.insi.mtls"),
                s(p, "endpoints.psc.issuer"),
                s(p, "trust.ca_bundle"),
                s(p, "credentials.insi.chain"),
            ),
            vec![
                q("software.name", "Nom du logiciel ?", Text),
                q("software.version", "Version ?", Text),
            ],
        ),
        "identity.create" => (
            format!(
                "Créez une identité : nom de naissance {}, prénoms {}, sexe {}, née le {}, lieu de naissance {}.",
                s(p, "traits.birth_name"),
                p["traits"]["first_names"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "))
                    .unwrap_or_default(),
                s(p, "traits.sex"),
                s(p, "traits.birth_date"),
                s(p, "traits.birthplace"),
            ),
            vec![
                q("patient", "Identifiant local de l'identité créée ?", Text),
                q("status", "Statut affiché ?", Text),
            ],
        ),
        "identity.fetch_ins_by_traits" => (
            format!("Lancez la recherche de l'INS par les traits pour l'identité {patient}."),
            vec![
                q(
                    "outcome",
                    "Résultat (found, not_found, several, refused) ?",
                    Text,
                ),
                q("code", "Code retour INSi affiché ?", Text),
            ],
        ),
        "identity.fetch_ins_by_vitale" => (
            format!(
                "Lisez la carte Vitale et lancez la recherche de l'INS pour l'identité {patient}."
            ),
            vec![
                q("outcome", "Résultat (found, not_found, refused) ?", Text),
                q("code", "Code retour INSi affiché ?", Text),
            ],
        ),
        "identity.accept_ins" => (
            format!("Validez la réponse INSi affichée pour l'identité {patient}."),
            vec![q("status", "Statut affiché ?", Text)],
        ),
        "identity.validate_document" => (
            format!(
                "Enregistrez le contrôle de la pièce d'identité « {} » pour l'identité {patient}.",
                s(p, "document")
            ),
            vec![q("status", "Statut affiché ?", Text)],
        ),
        "identity.mark" => (
            format!("Marquez l'identité {patient} comme {}.", s(p, "attribute")),
            vec![q("status", "Statut affiché ?", Text)],
        ),
        "identity.verify_ins" => (
            format!("Lancez la vérification de l'INS de l'identité {patient}."),
            vec![
                q("verdict", "Résultat (OK, KO) ?", Text),
                q("status", "Statut affiché ?", Text),
            ],
        ),
        "identity.show" => (
            format!("Ouvrez l'identité {patient}."),
            vec![
                q("status", "Statut affiché ?", Text),
                q(
                    "ins.matricule",
                    "Matricule INS affiché (vide si aucun) ?",
                    Text,
                ),
                q(
                    "attributes",
                    "Attributs (douteuse, fictive ; vide si aucun) ?",
                    List,
                ),
            ],
        ),
        "identity.insi_log" => (
            "Ouvrez le journal des appels INSi.".to_string(),
            vec![q(
                "codes",
                "Codes retour listés, dans l'ordre (séparés par des virgules) ?",
                List,
            )],
        ),
        "psc.login" => (
            "Connectez-vous avec Pro Santé Connect.".to_string(),
            vec![
                q("logged_in", "Connecté ?", YesNo),
                q("user.national_id", "Identifiant national affiché ?", Text),
            ],
        ),
        "psc.login_ciba" => (
            format!(
                "Connectez-vous par CIBA (identifiant {}).",
                s(p, "national_id")
            ),
            vec![
                q("logged_in", "Connecté ?", YesNo),
                q("user.national_id", "Identifiant national affiché ?", Text),
            ],
        ),
        "psc.show_session" => (
            "Affichez l'utilisateur connecté.".to_string(),
            vec![
                q("logged_in", "Connecté ?", YesNo),
                q("user.national_id", "Identifiant national affiché ?", Text),
            ],
        ),
        "psc.logout" => (
            "Déconnectez-vous.".to_string(),
            vec![q("logged_in", "Toujours connecté ?", YesNo)],
        ),
        "clock.advance" => (
            format!(
                "Le temps du banc avance de {} secondes : attendez ou avancez l'horloge du logiciel.",
                p["seconds"]
            ),
            vec![],
        ),
        "identity.update" => (
            format!("Modifiez l'identité {patient} : {}.", p["changes"]),
            vec![q("status", "Statut affiché après la modification ?", Text)],
        ),
        "identity.validate" => (
            format!("Validez à la main l'identité {patient} sur le justificatif enregistré."),
            vec![q("status", "Statut affiché ?", Text)],
        ),
        "identity.display" => (
            format!(
                "Affichez l'identité {patient} à l'écran. Pour chaque champ, recopiez « libellé = valeur » tel qu'affiché, suivi de « (non modifiable) » si l'écran le marque ainsi ; vide si le champ n'est pas affiché. Joignez la capture d'écran."
            ),
            SCREEN.to_vec(),
        ),
        "identity.print" => (
            format!(
                "Imprimez un document de santé de {patient}. Recopiez « libellé = valeur » de chaque champ imprimé (vide s'il ne l'est pas). Joignez le scan de l'édition."
            ),
            PAPER.to_vec(),
        ),
        "identity.audit" => (
            format!(
                "Ouvrez la trace des accès et modifications de {patient}. Joignez la capture d'écran."
            ),
            vec![],
        ),
        "identity.receive" => (
            format!(
                "Le logiciel reçoit d'un autre domaine l'identité {}.",
                p["flow"]
            ),
            vec![
                q("patient", "Identifiant local de l'identité ?", Text),
                q(
                    "verdict",
                    "Résultat de la vérification INSi (OK, KO) ?",
                    Text,
                ),
                q("status", "Statut affiché ?", Text),
            ],
        ),
        "identity.shares" => (
            format!("Ouvrez la trace des partages de {patient}. Joignez la capture d'écran."),
            vec![],
        ),
        "identity.verify_all" => (
            "Lancez la vérification en masse des identités.".to_string(),
            vec![],
        ),
        "user.switch" => (
            format!(
                "Connectez-vous au logiciel sous l'utilisateur {} (droits : {}).",
                s(p, "user"),
                p["rights"]
            ),
            vec![],
        ),
        "settings.set" => (
            format!(
                "Paramétrez le logiciel : {} = {}.",
                s(p, "name"),
                p["value"]
            ),
            vec![],
        ),
        "hl7.receive" if s(p, "message").contains("|ZAM^Z01") => (
            format!(
                "Transmettez au logiciel, comme sa PFI, l'accusé métier HL7 v2 (MLLP) :\n{}",
                s(p, "message")
            ),
            vec![
                q("ack", "ACK rendu par le logiciel (segments séparés par des retours) ?", Text),
                q("unique_id", "Document auquel le logiciel rapporte l'accusé (uniqueId) ?", Text),
                q("acknowledged", "Accusé rapporté (ACK_RECEPTION_DMP...) ?", Text),
                q("done", "Le logiciel le montre-t-il comme réussi ?", YesNo),
                q("error", "Erreur montrée (DMPClosed...), vide sinon ?", Text),
            ],
        ),
        "hl7.receive" if s(p, "message").contains("|MDM^T02") => (
            format!(
                "Transmettez au logiciel, comme sa PFI, le document reçu par MSSanté (MDM^T02 en MLLP) :\n{}",
                s(p, "message")
            ),
            vec![q(
                "ack",
                "ACK rendu par le logiciel (segments séparés par des retours) ?",
                Text,
            )],
        ),
        "hl7.receive" => (
            format!(
                "Faites intégrer au logiciel le message HL7 v2 :\n{}",
                s(p, "message")
            ),
            vec![q("patient", "Identifiant local de l'identité ?", Text)],
        ),
        "stay.record" => (
            format!(
                "Enregistrez pour {patient} un séjour du {} au {}, clôturé.",
                s(p, "admitted"),
                s(p, "discharged")
            ),
            vec![],
        ),
        "indicator.history_feed" => (
            format!(
                "Affichez l'indicateur des séjours clôturés en {} dont un document historique a été versé au DMP, et sa formule de calcul.",
                s(p, "month")
            ),
            vec![
                q("closed_stays", "Nombre de séjours clôturés retenus ?", Text),
                q("with_history_fed", "Dont avec un document historique versé au DMP ?", Text),
                q("percent", "Pourcentage affiché ?", Text),
                q("formula", "Formule de calcul affichée (ou extrait du code) ?", Text),
            ],
        ),
        "directory.search" => (
            format!(
                "Recherchez depuis le logiciel, dans l'Annuaire Santé, l'adresse MSSanté de {} {}.",
                s(p, "given_name"),
                s(p, "family_name")
            ),
            vec![q(
                "results",
                "Professionnels présentés (JSON : [{\"national_id\", \"family_name\", \"given_name\", \"mssante\": [adresses]}]) ?",
                Text,
            )],
        ),
        "directory.import" => (
            "Faites intégrer par le logiciel l'extraction publique de l'Annuaire Santé (PS_LibreAcces_Personne_activite).".to_string(),
            vec![
                q("file", "Fichier intégré ?", Text),
                q("count", "Professionnels dans l'annuaire du logiciel ?", Text),
            ],
        ),
        "directory.lookup" => (
            format!(
                "Affichez dans l'annuaire du logiciel le professionnel {}.",
                s(p, "national_id")
            ),
            vec![
                q("family_name", "Nom d'exercice ?", Text),
                q("given_name", "Prénom d'exercice ?", Text),
                q("profession", "Code profession ?", Text),
                q("specialty", "Code savoir-faire (vide si aucun) ?", Text),
                q("structures", "Structures d'exercice (séparées par des virgules) ?", List),
            ],
        ),
        "vsm.reminders" => (
            "Affichez la liste des volets de synthèse médicale à mettre à jour selon les rappels paramétrés.".to_string(),
            vec![q(
                "due",
                "VSM listés (titres, séparés par des virgules) ?",
                List,
            )],
        ),
        "hl7.produce" => (
            format!(
                "Faites émettre par le logiciel le message HL7 v2 {} de {patient}.",
                s(p, "kind")
            ),
            vec![q(
                "message",
                "Message émis (segments séparés par des retours) ?",
                Text,
            )],
        ),
        "report.validate" => (
            format!(
                "Validez pour {patient} le compte rendu « {} » ({}){}{}{}{}.",
                s(p, "title"),
                match s(p, "kind") {
                    "cr-img" => "imagerie, CDA R2 N1",
                    "cr-bio-n1" => "biologie, CDA R2 N1",
                    _ => "biologie, CDA R2 N3",
                },
                if p["partial"] == true { ", partiel" } else { "" },
                if p["block_dmp"] == true {
                    ", en bloquant l'alimentation du DMP"
                } else {
                    ""
                },
                p["visibility"]
                    .as_array()
                    .filter(|v| !v.is_empty())
                    .map(|v| format!(", visibilité DMP {}", Value::Array(v.clone())))
                    .unwrap_or_default(),
                p["referrer"]["national_id"]
                    .as_str()
                    .map(|r| format!(", demandé par {r}, adressé à {}", p["recipients"]))
                    .unwrap_or_default(),
            ),
            vec![q(
                "unique_id",
                "Identifiant (uniqueId) du compte rendu produit ?",
                Text,
            )],
        ),
        "report.complete" => (
            format!(
                "Complétez le compte rendu de biologie {} de {patient} (version « {} ») : le logiciel le remplace dans le DMP.",
                s(p, "document"),
                s(p, "title")
            ),
            vec![q(
                "unique_id",
                "Identifiant (uniqueId) de la version complète ?",
                Text,
            )],
        ),
        "documents.list" => (
            format!(
                "Affichez les documents du dossier de {patient}{}.",
                match s(p, "sort") {
                    "type" => ", triés par type de document",
                    "date" => ", triés par date de création",
                    _ => "",
                }
            ),
            vec![q(
                "documents",
                "Documents affichés, dans l'ordre (JSON : [{\"unique_id\", \"title\", \"type_code\", \"created\", \"origin\", \"dmp_fed\"}]) ?",
                Text,
            )],
        ),
        "dmp.display" => (
            format!(
                "Ouvrez pour {patient} le document {} de la liste du DMP.",
                s(p, "document")
            ),
            vec![q(
                "already_integrated",
                "Le logiciel indique-t-il que le document est déjà intégré au dossier ?",
                YesNo,
            )],
        ),
        "account.create" => (
            format!("Créez le compte local {} (mot de passe : {}).", s(p, "login"), s(p, "password")),
            vec![],
        ),
        "account.login_password" => (
            format!("Ouvrez le compte local {} par son mot de passe.", s(p, "login")),
            vec![
                q("account", "Compte ouvert ?", Text),
                q("national_id", "Identifiant national rapproché (vide si aucun) ?", Text),
            ],
        ),
        "account.link_psc" => (
            "Rapprochez le compte local ouvert de l'identité Pro Santé Connect du professionnel connecté.".to_string(),
            vec![q("national_id", "Identifiant national rapproché ?", Text)],
        ),
        "account.show" => (
            "Affichez le compte local ouvert.".to_string(),
            vec![
                q("account", "Compte ouvert (vide si aucun) ?", Text),
                q("via", "Ouvert par (password, psc) ?", Text),
                q("national_id", "Identifiant national rapproché (vide si aucun) ?", Text),
            ],
        ),
        "evidence.provide" => (
            format!("Fournissez la documentation : {}.", s(p, "subject")),
            vec![],
        ),
        other => (format!("Action {other} : {p}"), vec![]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What an operator types for one line of a screen, and the entry it makes.
    #[test]
    fn screen_lines_typed_by_the_operator() {
        let table = [
            (
                "Nom de naissance = ADRUN (non modifiable)",
                Some(
                    json!({"field": "f", "label": "Nom de naissance", "value": "ADRUN", "editable": false}),
                ),
            ),
            (
                " Nom utilisé=DUPONT ",
                Some(
                    json!({"field": "f", "label": "Nom utilisé", "value": "DUPONT", "editable": true}),
                ),
            ),
            (
                "DDN = 01/12/1975",
                Some(
                    json!({"field": "f", "label": "DDN", "value": "01/12/1975", "editable": true}),
                ),
            ),
            // A value without a label: the label is empty, which the steps call equivocal.
            (
                "ADRUN",
                Some(json!({"field": "f", "label": "", "value": "ADRUN", "editable": true})),
            ),
            ("", None),
        ];
        for (typed, expected) in table {
            assert_eq!(entry("f", typed), expected, "{typed:?}");
        }
    }

    #[test]
    fn every_new_action_has_an_instruction() {
        for action in [
            "identity.update",
            "identity.validate",
            "identity.display",
            "identity.print",
            "identity.audit",
            "identity.receive",
            "identity.shares",
            "identity.verify_all",
            "user.switch",
            "settings.set",
            "hl7.receive",
            "hl7.produce",
            "evidence.provide",
            "account.create",
            "account.login_password",
            "account.link_psc",
            "account.show",
            "report.validate",
            "report.complete",
            "documents.list",
            "dmp.display",
            "vsm.reminders",
            "directory.search",
            "directory.import",
            "directory.lookup",
            "stay.record",
            "indicator.history_feed",
        ] {
            let (text, _) = for_action(action, &json!({}));
            assert!(!text.starts_with("Action "), "{action}: {text}");
        }
        assert_eq!(for_action("identity.display", &json!({})).1.len(), 10);
    }
}
