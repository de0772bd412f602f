//! The documents the vendor hands in for `@preuve-attestée` scenarios
//! (`evidence.provide`), chosen by the requirement the scenario is tagged with.

use base64::Engine as _;
use serde_json::{Value, json};

use crate::protocol::Reply;

/// The documentation the LPS hands in for INS/va1.42 (copies of identity documents).
const DOCUMENT_STORAGE: &str = "\
# Conservation des copies de pièces d'identité — LPS de référence segur-bench

## Chiffrement
Chaque copie est chiffrée au repos en AES-256-GCM (clés de 256 bits, nonce de 96 bits
tiré pour chaque fichier) ; l'étiquette d'authentification est vérifiée à chaque lecture.

## Gestion des clés
La clé de chiffrement des données est propre à l'établissement, générée par le système
d'exploitation (générateur aléatoire), enveloppée par une clé maîtresse conservée hors de
la base ; seuls le service de stockage et le compte d'administration de l'identitovigilance
peuvent la déchiffrer, chaque déchiffrement est tracé.

## Durée de conservation et suppression
La conservation dure 5 ans après la dernière activité concernant le patient ; une tâche
quotidienne supprime les copies arrivées à échéance, avec leur clé enveloppée, et trace la
suppression.
";

/// The documentation the LPS hands in for DMP/CONF.03 (deleting a document from the DMP).
const DMP_DELETION: &str = "\
# Supprimer un document du DMP — LPS de référence segur-bench

## Quand supprimer
Un document envoyé par erreur dans le DMP d'un patient (mauvais document, mauvais
patient), ou dont le patient demande le retrait, est supprimé du DMP par l'utilisateur qui
l'a envoyé ou par un professionnel de la structure auteur.

## Procédure
1. Ouvrir le dossier du patient, onglet Documents.
2. Sélectionner le document : la colonne DMP indique « envoyé au DMP ».
3. Menu Actions > Supprimer du DMP, confirmer. Le logiciel envoie la transaction TD3.3c
   (mise à jour du statut du document à « supprimé ») et affiche le résultat.
4. Si le document était erroné, produire et envoyer le document corrigé.

## Traces
Chaque suppression est tracée (utilisateur, date, document) et visible dans l'historique
du document.
";

/// The information sheets the LPS offers on consulting the DMP (DMP/UX.45, va1.20).
const DMP_HELP: &str = "\
# Le DMP dans le logiciel — fiches d'information, LPS de référence segur-bench

## Accès depuis le logiciel
Le menu Aide > DMP et l'icône « ? » du volet DMP du dossier patient ouvrent ces fiches ;
la page d'accueil du DMP du patient y renvoie aussi.

## Consultation
Ouvrir le dossier du patient (INS qualifiée) : le logiciel vérifie vos droits (TD0.2),
demande le consentement du patient à la consultation s'il n'est pas recueilli, puis
affiche la liste des documents, les nouveaux depuis votre dernière visite signalés. Un
document déjà intégré au dossier s'ouvre depuis le dossier.

## Recherche
Filtrer la liste par classe et type de document, par date de création (du… au…) ou par
auteur ; les critères s'additionnent et sont envoyés au DMP (TD3.1).

## Tutoriel vidéo
Une vidéo de trois minutes reprend ces étapes sur un patient de test.
";

/// `evidence.provide`: the document for the scenario's requirements.
pub fn provide(p: &Value) -> Reply {
    let wants = |id: &str| {
        p["requirements"]
            .as_array()
            .is_some_and(|r| r.iter().any(|v| v == id))
    };
    let (statement, name, text) = if wants("DMP/UX.45") || wants("DMP/va1.20") {
        (
            "Fiches d'information sur la consultation et la recherche dans le DMP",
            "fiches-dmp.md",
            DMP_HELP,
        )
    } else if wants("DMP/CONF.03") {
        (
            "Documentation de la procédure de suppression d'un document du DMP",
            "suppression-document-dmp.md",
            DMP_DELETION,
        )
    } else {
        (
            "Documentation des mécanismes de chiffrement et de suppression des copies de pièces d'identité",
            "conservation-pieces-identite.md",
            DOCUMENT_STORAGE,
        )
    };
    Reply::ok(json!({
        "statement": statement,
        "files": [{
            "name": name,
            "media_type": "text/markdown",
            "content": base64::engine::general_purpose::STANDARD.encode(text),
        }],
    }))
}
