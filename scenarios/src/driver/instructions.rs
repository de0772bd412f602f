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
                "Affichez l'identité {patient} à l'écran. Joignez la capture d'écran : les champs, leurs libellés, ceux qui ne sont pas modifiables."
            ),
            vec![],
        ),
        "identity.print" => (
            format!(
                "Imprimez un document de santé de {patient}. Joignez le scan de l'édition (traits, INS et sa nature, datamatrix)."
            ),
            vec![q(
                "datamatrix",
                "Contenu décodé du datamatrix (vide si aucun) ?",
                Text,
            )],
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
        "hl7.receive" => (
            format!(
                "Faites intégrer au logiciel le message HL7 v2 :\n{}",
                s(p, "message")
            ),
            vec![q("patient", "Identifiant local de l'identité ?", Text)],
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
        "evidence.provide" => (
            format!("Fournissez la documentation : {}.", s(p, "subject")),
            vec![],
        ),
        other => (format!("Action {other} : {p}"), vec![]),
    }
}
