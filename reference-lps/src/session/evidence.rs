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

/// `evidence.provide`: the document for the scenario's requirements.
pub fn provide(p: &Value) -> Reply {
    let wants = |id: &str| {
        p["requirements"]
            .as_array()
            .is_some_and(|r| r.iter().any(|v| v == id))
    };
    let (statement, name, text) = if wants("DMP/CONF.03") {
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
