//! The catalogue of mistakes `--defect NAME` turns on. Each is a plausible error of a
//! real integration; each names the requirement it breaks and the scenarios that must
//! catch it (the detection test in `scenarios/tests/defects.rs` holds them to it, and
//! `DEFECTS.md` is this table printed by `reference-lps defects`).

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// One catalogued mistake.
#[derive(Debug, Clone, Copy)]
pub struct Defect {
    /// Name given to `--defect`.
    pub name: &'static str,
    /// The REM requirement it breaks.
    pub requirement: &'static str,
    /// What the software does wrong.
    pub description: &'static str,
    /// Names of the scenarios that fail with it, and only they.
    pub caught_by: &'static [&'static str],
}

const INSI_SCENARIOS: &[&str] = &[
    "Recherche par traits : une identité trouvée (00)",
    "Recherche par traits : aucune identité (01)",
    "Recherche par traits : plusieurs identités (02)",
    "Recherche par carte Vitale",
    "Nouvel essai avec chacun des prénoms",
    "Identité née en Corse",
    "Réponse avec un NIA",
    "Historique des INS",
    "Les champs ne sont mis à jour qu'après validation",
    "Refus d'une date de naissance en 00",
    "Refus d'une réponse au trait NomNaissance vide",
    "Refus d'une réponse au trait ListePrenom vide",
    "Refus d'une réponse au trait Sexe vide",
    "INS renvoyé avec une clé fausse",
    "Qualification : pièce d'identité et INSi",
    "La pièce « carte Vitale », de faible niveau de confiance, ne qualifie pas l'identité",
    "La pièce « permis de conduire », de faible niveau de confiance, ne qualifie pas l'identité",
    "Pièce d'identité sans INSi : identité validée, puis qualifiée par l'INSi",
    "Identité douteuse : le statut redevient provisoire",
    "Identité fictive : le statut redevient provisoire",
    "Pas d'appel INSi pour une identité douteuse",
    "Pas d'appel INSi pour une identité fictive",
    "Traçabilité des appels de récupération",
    "Traçabilité des appels de vérification",
    "Vérification KO : INS retiré, statut dégradé",
    "Appel INSi avec le certificat de la structure",
    "Les traits envoyés à l'INSi sont ceux de l'identité d-almeida-joao",
    "Les traits envoyés à l'INSi sont ceux de l'identité martin-durand-lea",
    "Les traits envoyés à l'INSi sont ceux de l'identité le-goff-yann",
    "Après validation, les traits sont ceux de l'INSi, champ par champ",
    // The DMP and document scenarios qualify their patients with INSi first.
    "Alimenter et supprimer sans autorisation d'accès, consulter non",
    "Compte rendu en CDA R2 niveau 1 avec son PDF",
    "Consultation bloquée tant que le consentement n'est pas recueilli",
    "DMP fermé : l'envoi est refusé et l'erreur affichée",
    "DMP fermé : pas de consultation",
    "Document historique avec sa date métier",
    "Document historique dont l'auteur a quitté la structure",
    "Document masqué aux autres professionnels",
    "Document rendu invisible au patient et à ses représentants légaux",
    "Droits vérifiés puis autorisation posée avant la consultation",
    "L'existence du DMP ouvert est affichée à l'ouverture du dossier",
    "L'existence du DMP fermé est affichée à l'ouverture du dossier",
    "L'existence du DMP absent est affichée à l'ouverture du dossier",
    "L'identifiant national de l'utilisateur réel dans le VIHF",
    "Liste des documents quand toutes les conditions sont réunies",
    "Nouveaux documents depuis la dernière visite",
    "Opposition du patient à l'alimentation de son DMP",
    "Opposition du patient à la consultation",
    "Pas d'INS dans le CDA d'une identité non qualifiée",
    "Pas d'alimentation sans INS qualifiée",
    "Pas de consultation du DMP pour une identité non qualifiée",
    "Professionnel bloqué par le patient",
    "Recherche sur plusieurs critères de métadonnées",
    "Remplacement puis suppression d'un document",
    "Sélection et intégration de plusieurs documents",
    "Une erreur du DMP est montrée à l'utilisateur",
    "Volet de synthèse médicale en CDA R2 niveau 3",
    // The MSSanté scenarios about a patient's documents qualify them with INSi too.
    "Accusé de réception demandé à l'envoi, puis affiché",
    "Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N",
    "Compte rendu envoyé au patient à l'INS qualifiée, en PDF et en CDA N1 dans IHE_XDM",
    "Le professionnel ne veut pas de réponse du patient : X-MSS-MES à FIN",
    "Le refus du patient est respecté : rien ne part vers sa messagerie",
    "Pas d'adresse de messagerie patient sans INS qualifiée",
    "Un compte rendu reçu en IHE_XDM est détecté, rattaché au patient et intégré",
    "Un document invisible au patient ne part que vers des professionnels",
    // The INS scenarios that call INSi (retrieval, verification, a received INS).
    "Donnée de santé reçue, vérification KO : pas d'intégration, alerte et liste de travail",
    "Identité qualifiée reçue d'un autre domaine : INS vérifié, identité créée récupérée, document intégré",
    "L'écran montre les traits obligatoires et marque non modifiables les traits stricts",
    "L'édition papier porte les traits minimaux et le matricule INS suivi de sa nature",
    "La fiche enregistre les dix champs de l'identité, l'INS et l'OID de l'INSi",
    "Le champ « OID » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « date de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « lieu de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « matricule INS » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « nom de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « prénoms de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le champ « sexe » d'une identité récupérée n'est pas modifiable sans habilitation",
    "Le datamatrix INS figure sur l'édition d'une identité qualifiée, pas sur celle d'une identité récupérée",
    "Le journal des appels garde ce que l'INSi a renvoyé à la recherche par carte Vitale",
    "Le message HL7 v2 sortant porte l'INS qualifié dans le segment PID",
    "Les partenaires destinataires d'une INS qualifiée sont tracés",
    "Les traits complémentaires d'une identité récupérée restent modifiables",
    "Les traits obligatoires restent affichés quand l'utilisateur masque les champs facultatifs",
    "Premier prénom cohérent avec la liste des prénoms de l'INSi : pas d'alerte",
    "Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte",
    "Recherche d'antériorité par le matricule INS et sa clé",
    "Seuls les utilisateurs habilités appellent le téléservice INSi",
    "Sur paramétrage, l'édition porte aussi le nom utilisé, le prénom utilisé et le lieu de naissance",
    "Un super utilisateur modifie le nom de naissance d'une identité qualifiée",
    "Un super utilisateur modifie le nom de naissance d'une identité récupérée",
    "Vérification KO d'une identité reçue déjà connue : l'identité n'est pas mise à jour",
    "Vérification KO d'une identité reçue inconnue : créée sans INS ni OID",
    "Vérification en masse des identités qualifiées",
    "Émetteur sous contrat de confiance : l'identité reçue reste qualifiée, pas celle d'un autre",
    // Pro Santé Connect's user calling INSi.
    "Appel INSi authentifié par Pro Santé Connect, l'utilisateur tracé",
    "Les appels INSi et DMP portent le professionnel connecté par Pro Santé Connect",
    // The report, deletion and choice scenarios qualify their patient first.
    "Le compte rendu d'imagerie validé part au DMP sans autre action",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie",
    "Compte rendu d'imagerie masqué aux professionnels selon le paramétrage",
    "Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage",
    "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
    "Compte rendu d'imagerie remplacé puis supprimé dans le DMP",
    "Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC",
    "Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie",
    "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
    "Compte rendu de biologie remplacé puis supprimé dans le DMP",
    "Compte rendu de biologie masqué aux professionnels selon le paramétrage",
    "Compte rendu de biologie invisible au patient selon le paramétrage",
    "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
    "Un document envoyé par erreur est supprimé du DMP par l'utilisateur",
    "Le choix du patient sur la consultation de son DMP change en cours de prise en charge",
    // The record and integration scenarios.
    "Un document du DMP déjà intégré est signalé et montré depuis le dossier",
    "L'origine DMP des documents intégrés se voit dans le dossier",
    "Les documents produits et importés se trient par type et par date de création",
    "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
    "À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée",
    "Le logiciel reste utilisable pendant une consultation du DMP",
    "L'alimentation en masse des documents historiques applique ses filtres et sa vitesse",
    "Les documents intégrés du DMP suivent la conservation et l'archivage des documents du logiciel",
    "Un document intégré se lit depuis le dossier, avec la feuille de style de son producteur ou sinon celle du logiciel",
    "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
    "Les documents du DMP des patients pris en charge sont préchargés selon le paramétrage, le temps paramétré",
    "La mention d'information du patient paramétrée figure en bas de page des documents envoyés au DMP",
    "La mention d'information du patient paramétrée figure en bas de page de la lettre de liaison",
    "La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie",
    "La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1",
    "Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré",
    "Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a",
    "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
    "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
    "La lettre de liaison part vers la PFI en MDM^T02, CDA de niveau 1 avec son PDF",
    "Le compte rendu de biologie validé part vers la PFI en ORU^R01, CDA de niveau 3",
    "Rien ne part vers la PFI pour un patient opposé à l'alimentation de son DMP",
    "Les acquittements de la PFI : un refus technique signalé, un accusé métier reporté au dossier",
    "Un document reçu par MSSanté et transmis par la PFI est intégré au dossier du patient, ou refusé",
    "Le masquage aux professionnels et l'invisibilité au patient choisis partent dans les métadonnées du message",
    "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
    "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
    "L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient",
    "La lettre de liaison part en PDF/A-1, le PDF de son CDA N1",
    "Le compte rendu d'imagerie part en PDF/A-1, le PDF de son CDA N1",
    "Le compte rendu de biologie part en PDF/A-1 à côté de son CDA structuré",
    "La lettre de liaison validée part d'elle-même vers la PFI, à transmettre par messagerie à son destinataire",
    "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
    "Un document dont le prénom de naissance diffère de l'identité qualifiée n'est pas classé de lui-même",
    "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
    "Un document qui ne peut être classé de lui-même attend dans la liste de travail, avec les métadonnées de son en-tête CDA",
    "La nouvelle version d'une lettre envoyée annule et remplace la précédente, et le dit",
    "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
    "La nouvelle version d'un compte rendu de biologie envoyé annule et remplace la précédente, et le dit",
    "La suppression d'un document envoyé est annoncée à chacun de ses destinataires",
    "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
    "L'utilisateur écrit à un patient choisi dans sa base : l'adresse vient de l'INS qualifiée",
    "Le refus du patient de l'envoi de ses comptes rendus aux professionnels est respecté",
    "Un compte rendu de biologie part vers dix correspondants",
    "Le compte rendu de biologie part vers le patient, en PDF/A-1 et en CDA dans IHE_XDM",
    "Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique",
    "Un message d'un patient depuis Mon espace santé est distingué et montré avec son identité",
    "L'historique d'un document reçu va de sa réception à son intégration",
];

/// Every scenario that calls the DMP and expects an answer or an error of its own: a
/// DMP that refuses every VIHF fails each of them.
const DMP_CALLING: &[&str] = &[
    // Its DMP call is judged on the VIHF alone (the user PSC logged in), not the answer.
    "Les appels INSi et DMP portent le professionnel connecté par Pro Santé Connect",
    "DMP fermé : l'envoi est refusé et l'erreur affichée",
    "Une erreur du DMP est montrée à l'utilisateur",
    "Remplacement puis suppression d'un document",
    "Document rendu invisible au patient et à ses représentants légaux",
    "Alimenter et supprimer sans autorisation d'accès, consulter non",
    "Document masqué aux autres professionnels",
    "Document historique avec sa date métier",
    "Document historique dont l'auteur a quitté la structure",
    "L'existence du DMP ouvert est affichée à l'ouverture du dossier",
    "L'existence du DMP fermé est affichée à l'ouverture du dossier",
    "L'existence du DMP absent est affichée à l'ouverture du dossier",
    "Droits vérifiés puis autorisation posée avant la consultation",
    "Liste des documents quand toutes les conditions sont réunies",
    "Consultation bloquée tant que le consentement n'est pas recueilli",
    "Recherche sur plusieurs critères de métadonnées",
    "Nouveaux documents depuis la dernière visite",
    "Sélection et intégration de plusieurs documents",
    "L'identifiant national de l'utilisateur réel dans le VIHF",
    // The reports fed at validation, the deletion, the changed choice.
    "Le compte rendu d'imagerie validé part au DMP sans autre action",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie",
    "Compte rendu d'imagerie masqué aux professionnels selon le paramétrage",
    "Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage",
    "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
    "Compte rendu d'imagerie remplacé puis supprimé dans le DMP",
    "Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC",
    "Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie",
    "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
    "Compte rendu de biologie remplacé puis supprimé dans le DMP",
    "Compte rendu de biologie masqué aux professionnels selon le paramétrage",
    "Compte rendu de biologie invisible au patient selon le paramétrage",
    "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
    "Un document envoyé par erreur est supprimé du DMP par l'utilisateur",
    "Le choix du patient sur la consultation de son DMP change en cours de prise en charge",
    // The record and integration scenarios.
    "Un document du DMP déjà intégré est signalé et montré depuis le dossier",
    "L'origine DMP des documents intégrés se voit dans le dossier",
    "Les documents produits et importés se trient par type et par date de création",
    "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
    "À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée",
    "Le logiciel reste utilisable pendant une consultation du DMP",
    "L'alimentation en masse des documents historiques applique ses filtres et sa vitesse",
    "Les documents intégrés du DMP suivent la conservation et l'archivage des documents du logiciel",
    "Un document intégré se lit depuis le dossier, avec la feuille de style de son producteur ou sinon celle du logiciel",
    "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
    "Les documents du DMP des patients pris en charge sont préchargés selon le paramétrage, le temps paramétré",
    "La mention d'information du patient paramétrée figure en bas de page des documents envoyés au DMP",
    "La mention d'information du patient paramétrée figure en bas de page de la lettre de liaison",
    "La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie",
    "La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1",
    "Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré",
    "Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a",
    "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
    "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
    "La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP",
    "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
    "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
    "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
    "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
];

/// The scenarios whose expected outcome needs the DMP to accept the VIHF: all those that
/// call it but the first three (one judges only the VIHF it sent, two expect a DMP error
/// anyway).
const DMP_ACCEPTING: &[&str] = DMP_CALLING.split_at(3).1;

/// The scenarios whose DMP feed must be accepted: a feed the DMP refuses fails each.
const XDS_FEEDING: &[&str] = &[
    "Remplacement puis suppression d'un document",
    "Document masqué aux autres professionnels",
    "Alimenter et supprimer sans autorisation d'accès, consulter non",
    "Document rendu invisible au patient et à ses représentants légaux",
    "Document historique avec sa date métier",
    "Document historique dont l'auteur a quitté la structure",
    "Liste des documents quand toutes les conditions sont réunies",
    "Nouveaux documents depuis la dernière visite",
    "Recherche sur plusieurs critères de métadonnées",
    "Sélection et intégration de plusieurs documents",
    // The reports fed at validation and the deletion.
    "Le compte rendu d'imagerie validé part au DMP sans autre action",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie",
    "Compte rendu d'imagerie masqué aux professionnels selon le paramétrage",
    "Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage",
    "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
    "Compte rendu d'imagerie remplacé puis supprimé dans le DMP",
    "Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC",
    "Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF",
    "L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie",
    "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
    "Compte rendu de biologie remplacé puis supprimé dans le DMP",
    "Compte rendu de biologie masqué aux professionnels selon le paramétrage",
    "Compte rendu de biologie invisible au patient selon le paramétrage",
    "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
    "Un document envoyé par erreur est supprimé du DMP par l'utilisateur",
    // The record scenarios with a document the software feeds.
    "L'origine DMP des documents intégrés se voit dans le dossier",
    "Les documents produits et importés se trient par type et par date de création",
    "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
    "L'alimentation en masse des documents historiques applique ses filtres et sa vitesse",
    "Les documents intégrés du DMP suivent la conservation et l'archivage des documents du logiciel",
    "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
    "La mention d'information du patient paramétrée figure en bas de page des documents envoyés au DMP",
    "La mention d'information du patient paramétrée figure en bas de page de la lettre de liaison",
    "La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie",
    "La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1",
    "Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré",
    "Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a",
    "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
    "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
    "La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP",
    "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
    "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
    "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
    "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
];

/// Every defect, in catalogue order.
pub const CATALOGUE: &[Defect] = &[
    Defect {
        name: "ins-key-unchecked",
        requirement: "INS/va1.52",
        description: "accepts an INS whose key does not match its number (CNDA 2.08 cas 2)",
        caught_by: &["INS renvoyé avec une clé fausse"],
    },
    Defect {
        name: "accept-00-date",
        requirement: "INS/va1.28",
        description: "imports an INSi identity whose birth date has a 00 day or month",
        caught_by: &["Refus d'une date de naissance en 00"],
    },
    Defect {
        name: "accept-empty-trait",
        requirement: "INS/va1.31",
        description: "imports an INSi identity with an empty birth name, first names or sex",
        caught_by: &[
            "Refus d'une réponse au trait NomNaissance vide",
            "Refus d'une réponse au trait ListePrenom vide",
            "Refus d'une réponse au trait Sexe vide",
        ],
    },
    Defect {
        name: "qualify-without-document",
        requirement: "INS/va1.54",
        description: "marks an identity Qualifiée as soon as INSi answers, without an identity document",
        // Every scenario that expects Récupérée after validating INSi's answer.
        caught_by: &[
            "Qualification : pièce d'identité et INSi",
            "Identité née en Corse",
            "Les champs ne sont mis à jour qu'après validation",
            "Après validation, les traits sont ceux de l'INSi, champ par champ",
            "La pièce « carte Vitale », de faible niveau de confiance, ne qualifie pas l'identité",
            "La pièce « permis de conduire », de faible niveau de confiance, ne qualifie pas l'identité",
            // The DMP and CDA scenarios that expect a retrieved, unqualified identity.
            "Pas d'INS dans le CDA d'une identité non qualifiée",
            "Pas d'alimentation sans INS qualifiée",
            "Pas de consultation du DMP pour une identité non qualifiée",
            // The MSSanté scenarios that expect one.
            "Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N",
            "Pas d'adresse de messagerie patient sans INS qualifiée",
            "Le champ « OID » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « date de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « lieu de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « matricule INS » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « nom de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « prénoms de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « sexe » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le datamatrix INS figure sur l'édition d'une identité qualifiée, pas sur celle d'une identité récupérée",
            "Les traits complémentaires d'une identité récupérée restent modifiables",
            "Un super utilisateur modifie le nom de naissance d'une identité récupérée",
        ],
    },
    Defect {
        name: "insi-for-doubtful",
        requirement: "INS/va1.20",
        description: "calls INSi for a doubtful or fictitious identity",
        caught_by: &[
            "Pas d'appel INSi pour une identité douteuse",
            "Pas d'appel INSi pour une identité fictive",
        ],
    },
    Defect {
        name: "doubtful-keeps-status",
        requirement: "INS/va1.44",
        description: "keeps the status when the identity is marked doubtful or fictitious",
        caught_by: &[
            "Identité douteuse : le statut redevient provisoire",
            "Identité fictive : le statut redevient provisoire",
        ],
    },
    Defect {
        name: "keep-ins-after-ko",
        requirement: "INS/va1.08",
        description: "keeps the INS and the status after a KO verification",
        caught_by: &[
            "Vérification KO : INS retiré, statut dégradé",
            "Vérification en masse des identités qualifiées",
        ],
    },
    Defect {
        name: "low-trust-document",
        requirement: "INS/va1.54",
        description: "qualifies an identity on a carte Vitale or a driving licence",
        caught_by: &[
            "La pièce « carte Vitale », de faible niveau de confiance, ne qualifie pas l'identité",
            "La pièce « permis de conduire », de faible niveau de confiance, ne qualifie pas l'identité",
            "La liste des justificatifs et leur niveau de confiance se paramètrent",
        ],
    },
    Defect {
        name: "insi-name-punctuation-dropped",
        requirement: "INS/va1.38",
        description: "sends INSi the birth name with its hyphens and apostrophes turned to spaces",
        // PAT-TROIS, the ANS examples' patient, is found at INSi only with her hyphen;
        // LE GOFF has a space only, which the defect keeps.
        caught_by: &[
            "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
            "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
            "Les traits envoyés à l'INSi sont ceux de l'identité d-almeida-joao",
            "Les traits envoyés à l'INSi sont ceux de l'identité martin-durand-lea",
            "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
            "Un document qui ne peut être classé de lui-même attend dans la liste de travail, avec les métadonnées de son en-tête CDA",
            "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
            "Un document dont le prénom de naissance diffère de l'identité qualifiée n'est pas classé de lui-même",
            "Un compte rendu reçu en IHE_XDM est détecté, rattaché au patient et intégré",
            "L'historique d'un document reçu va de sa réception à son intégration",
        ],
    },
    Defect {
        name: "first-names-joined",
        requirement: "INS/va1.52",
        description: "stores INSi's first-name list as one first name",
        caught_by: &[
            "Après validation, les traits sont ceux de l'INSi, champ par champ",
            "Premier prénom cohérent avec la liste des prénoms de l'INSi : pas d'alerte",
            "Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte",
            "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
            "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
        ],
    },
    Defect {
        name: "psc-ignores-state",
        requirement: "PSC.01",
        description: "takes the code of a PSC redirect whose state it never sent",
        caught_by: &["Un retour de Pro Santé Connect au state étranger est refusé"],
    },
    Defect {
        name: "psc-ignores-nonce",
        requirement: "PSC.01",
        description: "accepts an ID token whose nonce is not the one it sent",
        caught_by: &["Un ID token au nonce étranger est refusé"],
    },
    Defect {
        name: "psc-skips-signature",
        requirement: "PSC.01",
        description: "accepts an ID token without verifying its signature against the JWKS",
        caught_by: &["Un ID token mal signé est refusé"],
    },
    Defect {
        name: "no-idam",
        requirement: "INS/va1.09",
        description: "sends ContexteLPS without its IDAM (the CNDA authorisation number)",
        caught_by: INSI_SCENARIOS,
    },
    Defect {
        name: "first-first-name-only",
        requirement: "INS/va1.38",
        description: "after a 01 with every first name, tries only the first one",
        caught_by: &[
            "Nouvel essai avec chacun des prénoms",
            "Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte",
        ],
    },
    Defect {
        name: "fields-before-validation",
        requirement: "INS/va1.52",
        description: "overwrites the local traits with INSi's before the user validated them",
        caught_by: &["Les champs ne sont mis à jour qu'après validation"],
    },
    Defect {
        name: "insi-log-without-codes",
        requirement: "INS/va1.38",
        description: "traces INSi calls without their return codes or verdicts",
        caught_by: &[
            "Traçabilité des appels de récupération",
            "Traçabilité des appels de vérification",
            "Identité qualifiée reçue d'un autre domaine : INS vérifié, identité créée récupérée, document intégré",
        ],
    },
    Defect {
        name: "no-nonce",
        requirement: "PSC.01",
        description: "sends the authorization request without a nonce",
        caught_by: &[
            "Connexion, déconnexion et reconnexion par Pro Santé Connect",
            "Rafraîchissement du jeton d'accès expiré",
            "Nouvelle authentification à la fin de la session PSC",
            // Without a nonce sent, there is none to compare the ID token's with.
            "Un ID token au nonce étranger est refusé",
        ],
    },
    Defect {
        name: "no-acr-values",
        requirement: "PSC.08",
        description: "asks for no eIDAS level (no acr_values) instead of acr_values=eidas1",
        caught_by: &["Niveau d'authentification eidas1 demandé"],
    },
    Defect {
        name: "no-refresh",
        requirement: "PSC.01",
        description: "keeps using an expired access token instead of refreshing it",
        caught_by: &[
            "Boîte personnelle ouverte par le jeton Pro Santé Connect, qui expire en cours de session",
            "Rafraîchissement du jeton d'accès expiré",
            "Nouvelle authentification à la fin de la session PSC",
        ],
    },
    Defect {
        name: "refresh-after-session-end",
        requirement: "PSC.01",
        description: "tries to refresh after the PSC session ended instead of asking the user to log in again",
        caught_by: &["Nouvelle authentification à la fin de la session PSC"],
    },
    Defect {
        name: "ciba-no-binding-message",
        requirement: "PSC.01",
        description: "starts a CIBA authentication without the two-digit binding message",
        caught_by: &["Connexion par CIBA sur la carte du professionnel"],
    },
    Defect {
        name: "vihf-without-specialty",
        requirement: "DMP/AIRS.06",
        description: "writes the VIHF without the doctor's specialty role (the second Role)",
        // The DMP refuses the VIHF with a fault: every scenario that calls it fails.
        caught_by: DMP_CALLING,
    },
    Defect {
        name: "vihf-signed-with-auth-key",
        requirement: "DMP/AIRS.06",
        description: "signs the VIHF with the structure's authentication key instead of its signature certificate",
        // The DMP refuses the VIHF with a fault: every scenario that calls it fails.
        caught_by: DMP_CALLING,
    },
    Defect {
        name: "vihf-other-patient",
        requirement: "DMP/UX.08",
        description: "puts another patient's INS in the VIHF's resource-id",
        caught_by: DMP_ACCEPTING,
    },
    Defect {
        name: "vihf-generic-user",
        requirement: "DMP/AIRS.06",
        description: "writes a generic account of the structure in the VIHF's NameID instead of the real user",
        caught_by: &[
            "Document masqué aux autres professionnels",
            "Professionnel bloqué par le patient",
            "Liste des documents quand toutes les conditions sont réunies",
            "L'identifiant national de l'utilisateur réel dans le VIHF",
            "Les appels INSi et DMP portent le professionnel connecté par Pro Santé Connect",
        ],
    },
    Defect {
        name: "xds-wrong-hash",
        requirement: "DMP/va1.16",
        description: "declares a hash in the ITI-41 metadata that does not match the document",
        caught_by: XDS_FEEDING,
    },
    Defect {
        name: "submission-signed-before-edit",
        requirement: "DMP/va1.16",
        description: "signs the submission set (IHE DSG manifest) over a draft of the document, not over the bytes it sends",
        caught_by: XDS_FEEDING,
    },
    Defect {
        name: "consult-without-rights-check",
        requirement: "DMP/UX.08",
        description: "consults the DMP (TD3.1) without checking the rights with TD0.2 nor setting the authorisation",
        caught_by: &[
            "Alimenter et supprimer sans autorisation d'accès, consulter non",
            "Document masqué aux autres professionnels",
            "Droits vérifiés puis autorisation posée avant la consultation",
            "Professionnel bloqué par le patient",
            "DMP fermé : pas de consultation",
            "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
        ],
    },
    Defect {
        name: "consult-without-consent",
        requirement: "DMP/CONF.06",
        description: "consults the DMP without the patient's recorded consent",
        caught_by: &[
            "Opposition du patient à la consultation",
            "Consultation bloquée tant que le consentement n'est pas recueilli",
            "Le choix du patient sur la consultation de son DMP change en cours de prise en charge",
        ],
    },
    Defect {
        name: "feed-despite-opposition",
        requirement: "DMP/CONF.09",
        description: "feeds the DMP although the patient opposed it",
        caught_by: &[
            "Opposition du patient à l'alimentation de son DMP",
            "Rien ne part vers la PFI pour un patient opposé à l'alimentation de son DMP",
        ],
    },
    Defect {
        name: "cda-ins-unqualified",
        requirement: "DOC/va1.04",
        description: "writes the INS in the CDA of an identity that is not qualified",
        caught_by: &[
            "Pas d'INS dans le CDA d'une identité non qualifiée",
            // The CDA's INS says qualified, the X-MSS-INS header (rightly) not.
            "Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N",
        ],
    },
    Defect {
        name: "dmp-unqualified-ins",
        requirement: "DMP/UX.14",
        description: "exchanges with the DMP for an identity whose INS is not qualified",
        caught_by: &[
            "Pas d'alimentation sans INS qualifiée",
            "Pas de consultation du DMP pour une identité non qualifiée",
        ],
    },
    Defect {
        name: "authorise-before-feed",
        requirement: "DMP/CONF.05",
        description: "asks for the access authorisation (TD0.3) before feeding",
        caught_by: &[
            "Alimenter et supprimer sans autorisation d'accès, consulter non",
            "Liste des documents quand toutes les conditions sont réunies",
        ],
    },
    Defect {
        name: "mss-ins-flag-always-o",
        requirement: "MSS/CONF.14",
        description: "writes X-MSS-INS: O on every mail carrying a CDA, qualified INS or not",
        caught_by: &[
            "Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N",
        ],
    },
    Defect {
        name: "xdm-lowercase-names",
        requirement: "MSS/CONF.24",
        description: "names the IHE_XDM archive's files in lower case (readme.txt, ihe_xdm/subset01/doc0001.xml)",
        // Every scenario whose archive the operator checks against the requirements it
        // serves (CONF.14/15 or va1.01).
        caught_by: &[
            "L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient",
            "La lettre de liaison part en PDF/A-1, le PDF de son CDA N1",
            "Le compte rendu d'imagerie part en PDF/A-1, le PDF de son CDA N1",
            "Le compte rendu de biologie part en PDF/A-1 à côté de son CDA structuré",
            "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
            "Compte rendu envoyé au patient à l'INS qualifiée, en PDF et en CDA N1 dans IHE_XDM",
            "Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N",
            "Un document invisible au patient ne part que vers des professionnels",
            "Un compte rendu de biologie part vers dix correspondants",
            "Le compte rendu de biologie part vers le patient, en PDF/A-1 et en CDA dans IHE_XDM",
        ],
    },
    Defect {
        name: "mss-invisible-to-patient",
        requirement: "DMP/va1.17",
        description: "sends a document invisible to the patient to the patient's mailbox",
        caught_by: &["Un document invisible au patient ne part que vers des professionnels"],
    },
    Defect {
        name: "mss-ignores-refusal",
        requirement: "MSS/va1.20",
        description: "sends to the patient's Mon espace santé mailbox despite the refusal recorded",
        caught_by: &["Le refus du patient est respecté : rien ne part vers sa messagerie"],
    },
    Defect {
        name: "mss-trusts-any-certificate",
        requirement: "MSS/CONF.06",
        description: "connects to an MSSanté operator whatever its certificate (expired, or from outside the IGC Santé)",
        caught_by: &[
            "Certificat expiré présenté par l'opérateur : rien n'est envoyé",
            "Certificat hors IGC Santé présenté par l'opérateur : rien n'est envoyé",
        ],
    },
    Defect {
        name: "mss-keeps-expired-session",
        requirement: "MSS/CONF.10",
        description: "keeps using an IMAP session opened with a Pro Santé Connect token after the token expired",
        caught_by: &[
            "Boîte personnelle ouverte par le jeton Pro Santé Connect, qui expire en cours de session",
        ],
    },
    Defect {
        name: "creation-without-birthplace",
        requirement: "INS/va1.21",
        description: "creates an identity without a birthplace code (files it as unknown, 99999) instead of refusing it",
        caught_by: &["Pas de création d'identité sans lieu de naissance"],
    },
    Defect {
        name: "record-without-first-name",
        requirement: "INS/va1.56",
        description: "keeps no 1st birth first name of its own: the record has no such field",
        caught_by: &[
            "La fiche enregistre les dix champs de l'identité, l'INS et l'OID de l'INSi",
            "Les seuls traits obligatoires suffisent à créer une identité, provisoire par défaut",
            "Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte",
            "Un utilisateur sans habilitation n'accède pas à l'identité",
            "Vérification KO d'une identité reçue inconnue : créée sans INS ni OID",
        ],
    },
    Defect {
        name: "search-ignores-used-name",
        requirement: "INS/va1.02",
        description: "searches the start of the birth name only, never the used name",
        caught_by: &["Recherche d'antériorité par la date de naissance, complétée du début du nom"],
    },
    Defect {
        name: "search-keeps-diacritics",
        requirement: "INS/va1.25",
        description: "compares accented letters and cedillas as typed in a local search",
        caught_by: &[
            "La recherche d'antériorité ne tient pas compte des accents",
            "La recherche d'antériorité ne tient pas compte de la cédille",
        ],
    },
    Defect {
        name: "ins-search-without-key",
        requirement: "INS/va1.41",
        description: "searches on a 13-character matricule, without its key",
        caught_by: &["Recherche d'antériorité par le matricule INS et sa clé"],
    },
    Defect {
        name: "strict-traits-editable",
        requirement: "INS/va1.18",
        description: "lets any user change the strict traits of an identity whose INS is retrieved",
        caught_by: &[
            "Le champ « nom de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « prénoms de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « date de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « sexe » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « lieu de naissance » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « matricule INS » d'une identité récupérée n'est pas modifiable sans habilitation",
            "Le champ « OID » d'une identité récupérée n'est pas modifiable sans habilitation",
        ],
    },
    Defect {
        name: "used-names-locked",
        requirement: "INS/va1.48",
        description: "refuses a new used name or used first name once the INS is retrieved",
        caught_by: &[
            "Les traits complémentaires d'une identité récupérée restent modifiables",
            "Sur paramétrage, l'édition porte aussi le nom utilisé, le prénom utilisé et le lieu de naissance",
        ],
    },
    Defect {
        name: "strict-change-keeps-ins",
        requirement: "INS/va1.60",
        description: "keeps the INS and the status after a strict trait changes, and propagates nothing",
        caught_by: &[
            "Un super utilisateur modifie le nom de naissance d'une identité récupérée",
            "Un super utilisateur modifie le nom de naissance d'une identité qualifiée",
        ],
    },
    Defect {
        name: "modifications-untraced",
        requirement: "INS/va1.27",
        description: "does not trace who changed an identity, nor when",
        caught_by: &[
            "Les modifications d'une identité sont tracées avec la date, l'heure et l'utilisateur",
        ],
    },
    Defect {
        name: "insi-without-rights",
        requirement: "INS/va1.32",
        description: "lets a user without the right call INSi",
        caught_by: &["Seuls les utilisateurs habilités appellent le téléservice INSi"],
    },
    Defect {
        name: "identity-without-rights",
        requirement: "INS/va1.50",
        description: "opens an identity to a user without the right",
        caught_by: &["Un utilisateur sans habilitation n'accède pas à l'identité"],
    },
    Defect {
        name: "accesses-untraced",
        requirement: "INS/va1.39",
        description: "does not trace who opened an identity",
        caught_by: &["Les accès à l'identité sont tracés avec la date, l'heure et l'utilisateur"],
    },
    Defect {
        name: "insi-log-without-user",
        requirement: "INS/va1.49",
        description: "traces INSi calls without the user who made them",
        caught_by: &[
            "Les appels INSi de plusieurs utilisateurs sont tracés avec chacun d'eux",
            "Appel INSi authentifié par Pro Santé Connect, l'utilisateur tracé",
        ],
    },
    Defect {
        name: "fixed-justificatifs",
        requirement: "INS/va1.26",
        description: "ignores the site's list of identity documents and their trust levels",
        caught_by: &["La liste des justificatifs et leur niveau de confiance se paramètrent"],
    },
    Defect {
        name: "auto-validation-forced",
        requirement: "INS/va1.33",
        description: "validates on a high-trust document even when the site turned the automatism off",
        caught_by: &[
            "Automatisme de validation désactivé : la pièce est notée, l'utilisateur valide à la main",
        ],
    },
    Defect {
        name: "received-ins-unverified",
        requirement: "INS/va1.11",
        description: "takes an INS received from another domain without verifying it with INSi",
        caught_by: &[
            "Identité qualifiée reçue d'un autre domaine : INS vérifié, identité créée récupérée, document intégré",
            "Vérification KO d'une identité reçue inconnue : créée sans INS ni OID",
            "Vérification KO d'une identité reçue déjà connue : l'identité n'est pas mise à jour",
            "Donnée de santé reçue, vérification KO : pas d'intégration, alerte et liste de travail",
            "Émetteur sous contrat de confiance : l'identité reçue reste qualifiée, pas celle d'un autre",
        ],
    },
    Defect {
        name: "received-ko-keeps-ins",
        requirement: "INS/va1.05",
        description: "creates a received identity with its INS although INSi's verification was KO",
        caught_by: &["Vérification KO d'une identité reçue inconnue : créée sans INS ni OID"],
    },
    Defect {
        name: "received-ko-updates-known",
        requirement: "INS/va1.07",
        description: "updates a known identity with the INS a KO verification refused",
        caught_by: &[
            "Vérification KO d'une identité reçue déjà connue : l'identité n'est pas mise à jour",
        ],
    },
    Defect {
        name: "received-ko-integrated",
        requirement: "INS/va1.12",
        description: "integrates a document whose INS verification was KO",
        caught_by: &[
            "Donnée de santé reçue, vérification KO : pas d'intégration, alerte et liste de travail",
        ],
    },
    Defect {
        name: "trust-contract-ignored",
        requirement: "INS/va1.04",
        description: "ignores the trust contracts: an identity from a trusted sender is not kept qualified",
        caught_by: &[
            "Émetteur sous contrat de confiance : l'identité reçue reste qualifiée, pas celle d'un autre",
        ],
    },
    Defect {
        name: "shares-untraced",
        requirement: "INS/va1.46",
        description: "does not trace the partners a qualified INS was sent to",
        caught_by: &["Les partenaires destinataires d'une INS qualifiée sont tracés"],
    },
    Defect {
        name: "bulk-verification-skips",
        requirement: "INS/va1.70",
        description: "verifies only the first identity of a bulk verification",
        caught_by: &["Vérification en masse des identités qualifiées"],
    },
    Defect {
        name: "insi-log-drops-answer",
        requirement: "INS/va1.35",
        description: "traces INSi calls without what INSi returned",
        caught_by: &[
            "Le journal des appels garde ce que l'INSi a renvoyé à la recherche par carte Vitale",
        ],
    },
    Defect {
        name: "first-name-overwritten",
        requirement: "INS/va1.51",
        description: "replaces the 1st first name typed by INSi's without alerting",
        caught_by: &["Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte"],
    },
    Defect {
        name: "screen-label-ambiguous",
        requirement: "INS/va1.36",
        description: "labels the birth name « Nom » on screen",
        caught_by: &[
            "L'écran montre les traits obligatoires et marque non modifiables les traits stricts",
            "Les traits obligatoires restent affichés quand l'utilisateur masque les champs facultatifs",
        ],
    },
    Defect {
        name: "screen-strict-editable",
        requirement: "INS/va1.47",
        description: "shows the strict traits of a retrieved identity as modifiable",
        caught_by: &[
            "L'écran montre les traits obligatoires et marque non modifiables les traits stricts",
        ],
    },
    Defect {
        name: "screen-hides-mandatory",
        requirement: "INS/va1.36",
        description: "hides the 1st birth first name when the site hides the optional fields",
        caught_by: &[
            "Les traits obligatoires restent affichés quand l'utilisateur masque les champs facultatifs",
        ],
    },
    Defect {
        name: "print-without-nature",
        requirement: "INS/va1.15",
        description: "prints the INS without its nature (NIR or NIA)",
        caught_by: &[
            "L'édition papier porte les traits minimaux et le matricule INS suivi de sa nature",
        ],
    },
    Defect {
        name: "datamatrix-for-any-identity",
        requirement: "INS/va1.03",
        description: "prints the INS and its datamatrix for an identity that is not qualified",
        caught_by: &[
            "Le datamatrix INS figure sur l'édition d'une identité qualifiée, pas sur celle d'une identité récupérée",
        ],
    },
    Defect {
        name: "print-ignores-settings",
        requirement: "INS/va1.10",
        description: "prints only the minimal traits whatever the site's settings",
        caught_by: &[
            "Sur paramétrage, l'édition porte aussi le nom utilisé, le prénom utilisé et le lieu de naissance",
        ],
    },
    Defect {
        name: "hl7-pid-ins-as-nh",
        requirement: "INS/va1.61",
        description: "writes the INS in PID-3 in its XDS form (type NH, no assigning authority name)",
        caught_by: &["Le message HL7 v2 sortant porte l'INS qualifié dans le segment PID"],
    },
    Defect {
        name: "hl7-ins-ignored",
        requirement: "INS/va1.62",
        description: "drops the INS of an identity its domain sends qualified (PID-32 VALI)",
        caught_by: &[
            "Identité créée par un message ADT de son domaine : qualifiée avec l'INS, provisoire sans",
            "Un message HL7 v2 entrant au segment PID portant l'INS qualifié est reçu et montré",
        ],
    },
    Defect {
        name: "hl7-deletion-ignored",
        requirement: "INS/va1.62",
        description: "keeps an identity its domain deleted (ADT A23)",
        caught_by: &["Identité mise à jour puis supprimée par les messages ADT de son domaine"],
    },
    Defect {
        name: "insi-without-psc",
        requirement: "INS/PSC.01",
        description: "calls INSi with the structure's certificate alone although the user logged in with Pro Santé Connect",
        caught_by: &[
            "Appel INSi authentifié par Pro Santé Connect, l'utilisateur tracé",
            "Les appels INSi et DMP portent le professionnel connecté par Pro Santé Connect",
        ],
    },
    Defect {
        name: "psc-account-not-linked",
        requirement: "PSC.02",
        description: "forgets the link between the local account and the professional's RPPS",
        caught_by: &[
            "Le compte local rapproché du RPPS est le même par Pro Santé Connect et par mot de passe",
        ],
    },
    Defect {
        name: "report-not-fed-at-validation",
        requirement: "DMP/va1.13",
        description: "a validated imaging or biology report is not sent to the DMP until the user sends it by hand",
        caught_by: &[
            "La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie",
            "Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré",
            "La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1",
            "Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a",
            "Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC",
            "Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF",
            "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
            "L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie",
            "Compte rendu de biologie remplacé puis supprimé dans le DMP",
            "Compte rendu de biologie invisible au patient selon le paramétrage",
            "Compte rendu de biologie masqué aux professionnels selon le paramétrage",
            "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
            "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
            "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
            "L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie",
            "Le compte rendu d'imagerie validé part au DMP sans autre action",
            "Compte rendu d'imagerie masqué aux professionnels selon le paramétrage",
            "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
            "Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage",
            "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
            "Compte rendu d'imagerie remplacé puis supprimé dans le DMP",
            "Le compte rendu de biologie validé part vers la PFI en ORU^R01, CDA de niveau 3",
            "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
        ],
    },
    Defect {
        name: "dmp-block-ignored",
        requirement: "DMP/va1.12",
        description: "the user blocks the feeding of the DMP for a report, the report is fed anyway",
        caught_by: &[
            "L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie",
            "L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie",
            "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
        ],
    },
    Defect {
        name: "cr-img-typed-as-consultation",
        requirement: "DOC/va1.16",
        description: "the imaging report is typed as a consultation note (11488-4), not 18748-4",
        caught_by: &[
            "Le compte rendu d'imagerie validé part au DMP sans autre action",
            "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
        ],
    },
    Defect {
        name: "report-visibility-ignored",
        requirement: "DMP/va1.14",
        description: "the masking or invisibility chosen for a report is not put in its DMP metadata",
        caught_by: &[
            "Compte rendu d'imagerie masqué aux professionnels selon le paramétrage",
            "Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage",
            "Compte rendu de biologie masqué aux professionnels selon le paramétrage",
            "Compte rendu de biologie invisible au patient selon le paramétrage",
        ],
    },
    Defect {
        name: "report-without-recipients",
        requirement: "DOC/va1.15",
        description: "the report does not name the recipients it is sent to (informationRecipient)",
        caught_by: &[
            "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
            "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
            "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
            "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
        ],
    },
    Defect {
        name: "referrer-without-mailbox",
        requirement: "DOC/va1.17",
        description: "the report names the prescriber without their MSSanté address",
        caught_by: &[
            "Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur",
            "Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur",
        ],
    },
    Defect {
        name: "cr-bio-local-codes",
        requirement: "DOC/va1.30",
        description: "the CR-BIO's results carry the laboratory's own codes, not LOINC",
        caught_by: &[
            "Le compte rendu de biologie part en PDF/A-1 à côté de son CDA structuré",
            "Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC",
            "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
            "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
            "Le compte rendu de biologie validé part vers la PFI en ORU^R01, CDA de niveau 3",
            "Le compte rendu de biologie part vers le patient, en PDF/A-1 et en CDA dans IHE_XDM",
            "Un compte rendu de biologie part vers dix correspondants",
        ],
    },
    Defect {
        name: "cr-bio-always-n3",
        requirement: "DOC/va1.27",
        description: "asked for a biology report in CDA R2 N1 with its PDF, the software sends the N3",
        caught_by: &[
            "Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF",
            "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
        ],
    },
    Defect {
        name: "complete-report-not-replacing",
        requirement: "DMP/va1.15",
        description: "the complete biology report is fed as a new document: the partial one stays in the DMP",
        caught_by: &[
            "Le compte rendu complet remplace dans le DMP le compte rendu partiel",
            "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
        ],
    },
    Defect {
        name: "consultation-choice-frozen",
        requirement: "DMP/UX.06",
        description: "the patient's first choice on the consultation of their DMP cannot be changed later",
        caught_by: &[
            "Le choix du patient sur la consultation de son DMP change en cours de prise en charge",
        ],
    },
    Defect {
        name: "record-always-fed",
        requirement: "DMP/HISTO.01",
        description: "the record shows every document as sent to the DMP, whether it reached it or not",
        caught_by: &[
            "Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP",
            "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
        ],
    },
    Defect {
        name: "origin-not-shown",
        requirement: "CDA/INT.08",
        description: "a document integrated from the DMP is shown as if the software had produced it",
        caught_by: &[
            "L'origine DMP des documents intégrés se voit dans le dossier",
            "À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée",
        ],
    },
    Defect {
        name: "documents-sort-ignored",
        requirement: "CDA/INT.04",
        description: "the record's documents keep their own order whatever sort the user asks for",
        caught_by: &[
            "Les documents produits et importés se trient par type et par date de création",
        ],
    },
    Defect {
        name: "dmp-duplicate-not-detected",
        requirement: "CDA/DD.04",
        description: "a DMP document already integrated is fetched and shown again as new, the user not told",
        caught_by: &["Un document du DMP déjà intégré est signalé et montré depuis le dossier"],
    },
    Defect {
        name: "dmp-updates-not-checked",
        requirement: "CDA/DD.05",
        description: "opening the record does not look the integrated DMP documents up again: a new version or a deletion goes unnoticed",
        caught_by: &[
            "À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée",
        ],
    },
    Defect {
        name: "dmp-update-drops-previous",
        requirement: "CDA/DD.05",
        description: "integrating the new version of a DMP document removes the previous one from the record",
        caught_by: &[
            "À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée",
        ],
    },
    Defect {
        name: "dmp-blocks-ui",
        requirement: "DMP/UX.10",
        description: "a DMP consultation asked to run in the background runs in the foreground: the user waits for the DMP before anything else",
        caught_by: &["Le logiciel reste utilisable pendant une consultation du DMP"],
    },
    Defect {
        name: "history-feeds-deceased",
        requirement: "DMP/HISTO.06",
        description: "the bulk feed of historical documents sends those of a patient whose death the record holds",
        caught_by: &[
            "L'alimentation en masse des documents historiques applique ses filtres et sa vitesse",
        ],
    },
    Defect {
        name: "history-pace-ignored",
        requirement: "DMP/HISTO.06",
        description: "the bulk feed sends its documents as fast as it can, whatever highest pace the user set",
        caught_by: &[
            "L'alimentation en masse des documents historiques applique ses filtres et sa vitesse",
        ],
    },
    Defect {
        name: "dmp-documents-not-retained",
        requirement: "DMP/UX.44",
        description: "the documents integrated from the DMP escape the retention and archiving the site set for the record's documents",
        caught_by: &[
            "Les documents intégrés du DMP suivent la conservation et l'archivage des documents du logiciel",
        ],
    },
    Defect {
        name: "producer-stylesheet-ignored",
        requirement: "DMP/UX.29",
        description: "a self-presentable document is stored and shown with the software's own stylesheet, its producer's dropped",
        caught_by: &[
            "Un document intégré se lit depuis le dossier, avec la feuille de style de son producteur ou sinon celle du logiciel",
            "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
        ],
    },
    Defect {
        name: "nested-sections-hidden",
        requirement: "CDA/VISU.01",
        description: "only the top-level sections of a structured document are shown: the narrative of the sections they hold is lost",
        caught_by: &[
            "Un document intégré se lit depuis le dossier, avec la feuille de style de son producteur ou sinon celle du logiciel",
            "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
        ],
    },
    Defect {
        name: "stylesheet-drops-added-sections",
        requirement: "CDA/INT.16",
        description: "the stylesheet sent with a structured document shows only the sections the volet plans: an added section's narrative is not shown",
        caught_by: &[
            "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
        ],
    },
    Defect {
        name: "self-presentable-declared-as-cda",
        requirement: "CDA/INT.16",
        description: "a self-presentable document (its stylesheet holding the CDA) is declared text/xml in the DMP metadata",
        caught_by: &[
            "La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées",
        ],
    },
    Defect {
        name: "preload-without-consent",
        requirement: "DMP/UX.34",
        description: "the DMP documents of every patient in care are preloaded, whether or not the patient consented to the consultation of the DMP",
        caught_by: &[
            "Les documents du DMP des patients pris en charge sont préchargés selon le paramétrage, le temps paramétré",
        ],
    },
    Defect {
        name: "preload-never-expires",
        requirement: "DMP/UX.34",
        description: "a preloaded document is kept and shown beyond the time the site set",
        caught_by: &[
            "Les documents du DMP des patients pris en charge sont préchargés selon le paramétrage, le temps paramétré",
        ],
    },
    Defect {
        name: "gdpr-notice-missing",
        requirement: "DOC/va1.03",
        description: "the patient information notice the site set is not printed at the foot of the documents",
        caught_by: &[
            "La mention d'information du patient paramétrée figure en bas de page des documents envoyés au DMP",
            "La mention d'information du patient paramétrée figure en bas de page de la lettre de liaison",
            "La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie",
            "La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1",
        ],
    },
    Defect {
        name: "auto-validation-unmentioned",
        requirement: "DOC/va1.18",
        description: "a biology report with an examination validated automatically does not say so",
        caught_by: &[
            "Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré",
        ],
    },
    Defect {
        name: "accreditation-always-mentioned",
        requirement: "DOC/va1.29",
        description: "the accreditation statement is printed on every biology report, even one with no accredited examination",
        caught_by: &[
            "Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a",
        ],
    },
    Defect {
        name: "report-without-stylesheet",
        requirement: "DOC/va1.25",
        description: "a biology report asked self-presentable is sent without the laboratory's stylesheet",
        caught_by: &[
            "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
        ],
    },
    Defect {
        name: "units-not-ucum",
        requirement: "DOC/va1.34",
        description: "the biology results' units are written as printed (10^9/L, g/100 mL), not in UCUM",
        caught_by: &[
            "Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit",
        ],
    },
    Defect {
        name: "report-not-kept",
        requirement: "DOC/va1.23",
        description: "the software does not keep the biology reports it produced: the user cannot view them",
        caught_by: &[
            "L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF",
        ],
    },
    Defect {
        name: "pfi-metadata-missing",
        requirement: "DMP/va1.03",
        description: "the documents the software hands its PFI carry no DESTDMP metadata: the PFI cannot tell they go to the DMP, and answers AE",
        caught_by: &[
            "La lettre de liaison part vers la PFI en MDM^T02, CDA de niveau 1 avec son PDF",
            "La lettre de liaison validée part d'elle-même vers la PFI, à transmettre par messagerie à son destinataire",
            "Le compte rendu de biologie validé part vers la PFI en ORU^R01, CDA de niveau 3",
            "Rien ne part vers la PFI pour un patient opposé à l'alimentation de son DMP",
            "Les acquittements de la PFI : un refus technique signalé, un accusé métier reporté au dossier",
            "Le masquage aux professionnels et l'invisibilité au patient choisis partent dans les métadonnées du message",
        ],
    },
    Defect {
        name: "pfi-ack-ignored",
        requirement: "CDA/HL7.01",
        description: "the software takes the PFI's AE or AR acknowledgement as success, and a refused DMP reception (ZAM^Z01 N) as a document fed",
        caught_by: &[
            "Les acquittements de la PFI : un refus technique signalé, un accusé métier reporté au dossier",
        ],
    },
    Defect {
        name: "hl7-ack-wrong-id",
        requirement: "CDA/HL7.04",
        description: "the ACKs the software sends back do not cite the message they acknowledge (MSA-2)",
        caught_by: &[
            "Les acquittements de la PFI : un refus technique signalé, un accusé métier reporté au dossier",
            "Un document reçu par MSSanté et transmis par la PFI est intégré au dossier du patient, ou refusé",
            "La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP",
        ],
    },
    Defect {
        name: "mdm-unknown-patient-integrated",
        requirement: "CDA/HL7.04",
        description: "a document the PFI hands the DPI for a patient it does not know is integrated into another patient's record and acknowledged AA",
        caught_by: &[
            "Un document reçu par MSSanté et transmis par la PFI est intégré au dossier du patient, ou refusé",
        ],
    },
    Defect {
        name: "pfi-visibility-dropped",
        requirement: "DMP/va1.04",
        description: "the masking to professionals and the invisibility to the patient the user chose are not in the metadata the software hands its PFI: every document goes to the DMP visible to all",
        caught_by: &[
            "Le masquage aux professionnels et l'invisibilité au patient choisis partent dans les métadonnées du message",
        ],
    },
    Defect {
        name: "pfi-publishes-nothing",
        requirement: "DMP/va1.01",
        description: "as the PFI, the software acknowledges the documents the producers hand it but publishes none on the DMP",
        caught_by: &[
            "La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP",
        ],
    },
    Defect {
        name: "pfi-business-ack-missing",
        requirement: "CDA/HL7.02",
        description: "as the PFI, the software never tells the producer what the DMP answered (no ZAM^Z01 ACK_RECEPTION_DMP)",
        caught_by: &[
            "La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP",
        ],
    },
    Defect {
        name: "pfi-mail-not-forwarded",
        requirement: "CDA/HL7.03",
        description: "as the PFI, the software keeps the documents received by MSSanté instead of handing them to the DPI they are for",
        caught_by: &[
            "Le document reçu par MSSanté est transmis au DPI en MDM^T02, et l'accusé du DPI revient à l'expéditeur",
            "Le refus du DPI revient à l'expéditeur du courriel avec son code d'erreur",
        ],
    },
    Defect {
        name: "pfi-dpi-refusal-not-relayed",
        requirement: "CDA/HL7.04",
        description: "as the PFI, the software tells the sender of a mail that its document was processed when the DPI refused it",
        caught_by: &["Le refus du DPI revient à l'expéditeur du courriel avec son code d'erreur"],
    },
    Defect {
        name: "new-types-structure-only",
        requirement: "DMP/UX.17",
        description: "the document types signalled as new can be set for the whole structure only: the settings of a service or a specialty are ignored",
        caught_by: &[
            "Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité",
        ],
    },
    Defect {
        name: "vsm-reminder-rule-ignored",
        requirement: "DOC/va1.13",
        description: "the VSM update reminders follow a fixed 12-month rule: what the site sets, and any change the user makes, is ignored",
        caught_by: &[
            "La liste des VSM à mettre à jour suit la règle de rappel paramétrée, et sa modification",
        ],
    },
    Defect {
        name: "history-indicator-window-ignored",
        requirement: "DMP/HISTO.08",
        description: "the historical-feed indicator counts the stays of patients whose earlier stay ended more than 5 years before",
        caught_by: &[
            "L'indicateur mensuel des séjours dont un document historique a été versé au DMP",
        ],
    },
    Defect {
        name: "pdf-not-pdfa",
        requirement: "DOC/va1.01",
        description: "the PDF of a level-1 CDA, and the one joined beside the IHE_XDM archive, is a plain PDF (Helvetica not embedded, no XMP, no file identifier), not a PDF/A-1",
        caught_by: &[
            "L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient",
            "La lettre de liaison part en PDF/A-1, le PDF de son CDA N1",
            "Le compte rendu de biologie part en PDF/A-1 à côté de son CDA structuré",
            "Le compte rendu d'imagerie part en PDF/A-1, le PDF de son CDA N1",
            "Compte rendu envoyé au patient à l'INS qualifiée, en PDF et en CDA N1 dans IHE_XDM",
            "Le compte rendu de biologie part vers le patient, en PDF/A-1 et en CDA dans IHE_XDM",
        ],
    },
    Defect {
        name: "mail-pdf-regenerated",
        requirement: "DOC/va1.01",
        description: "the PDF joined to a mail beside its IHE_XDM archive is drawn again (the next day) instead of being the PDF the level-1 CDA carries (ECO.2.1.5)",
        caught_by: &[
            "La lettre de liaison part en PDF/A-1, le PDF de son CDA N1",
            "Le compte rendu d'imagerie part en PDF/A-1, le PDF de son CDA N1",
            "L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient",
            "Compte rendu envoyé au patient à l'INS qualifiée, en PDF et en CDA N1 dans IHE_XDM",
        ],
    },
    Defect {
        name: "pdf-without-ins",
        requirement: "DOC/va1.10",
        description: "the PDF of a document leaves out the INS its CDA carries",
        caught_by: &["L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient"],
    },
    Defect {
        name: "directory-search-without-key",
        requirement: "ANN/va1.05",
        description: "searches the Annuaire Santé's FHIR API without its ESANTE-API-KEY: the directory refuses, the user gets no address",
        caught_by: &[
            "Une boîte MSSanté fermée n'est plus proposée",
            "Un professionnel sans boîte MSSanté n'en reçoit aucune de l'Annuaire Santé",
            "L'adresse MSSanté d'un correspondant est cherchée dans l'Annuaire Santé",
            "En composant un message, l'adresse du correspondant est cherchée dans l'Annuaire Santé",
        ],
    },
    Defect {
        name: "directory-import-liberal-only",
        requirement: "ANN/va1.01",
        description: "integrates only the libéral lines of the extraction: salaried professionals and salaried activities are left out",
        caught_by: &[
            "L'extraction publique de l'Annuaire Santé est intégrée",
            "Un correspondant renommé dans l'Annuaire Santé l'est dans le logiciel",
        ],
    },
    Defect {
        name: "directory-import-creates-only",
        requirement: "ANN/va1.03",
        description: "integrates the extraction in creation only: a professional already known keeps the name and activities first integrated",
        caught_by: &[
            "Un utilisateur du logiciel renommé dans l'Annuaire Santé l'est dans le logiciel",
            "Un correspondant renommé dans l'Annuaire Santé l'est dans le logiciel",
            "L'extraction est intégrée de nouveau à la fréquence paramétrée",
        ],
    },
    Defect {
        name: "directory-refresh-setting-ignored",
        requirement: "ANN/va1.04",
        description: "integrates the extraction weekly whatever frequency the site set",
        caught_by: &["L'extraction est intégrée de nouveau à la fréquence paramétrée"],
    },
    Defect {
        name: "mail-from-without-label",
        requirement: "MSS/va1.16",
        description: "writes From as the bare address, without the mailbox's label (Intitulé_BAL)",
        caught_by: &[
            "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
            "Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique",
            "Un message de la boîte personnelle porte les prénom et nom du professionnel",
        ],
    },
    Defect {
        name: "mail-html-only",
        requirement: "MSS/va1.11",
        description: "writes the body as text/html only, without the text/plain part",
        caught_by: &[
            "Les réponses aux envois automatiques vont à l'adresse paramétrée par la structure",
            "Un message de la boîte personnelle porte les prénom et nom du professionnel",
            "Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique",
        ],
    },
    Defect {
        name: "app-mail-without-reply-to",
        requirement: "MSS/va1.09",
        description: "sends from the application mailbox without a Reply-To to a personal or organisational mailbox",
        caught_by: &[
            "Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique",
            "Les réponses aux envois automatiques vont à l'adresse paramétrée par la structure",
        ],
    },
    Defect {
        name: "app-mail-without-notice",
        requirement: "MSS/va1.09",
        description: "sends from the application mailbox without the closing notice (generated automatically, where to reach the sender)",
        caught_by: &[
            "Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique",
            "Les réponses aux envois automatiques vont à l'adresse paramétrée par la structure",
        ],
    },
    Defect {
        name: "reply-to-setting-ignored",
        requirement: "MSS/va1.18",
        description: "ignores the reply address the site set (mss_reply_to) and keeps the structure's organisational mailbox",
        caught_by: &[
            "Les réponses aux envois automatiques vont à l'adresse paramétrée par la structure",
        ],
    },
    Defect {
        name: "mss-tls13-only",
        requirement: "MSS/va1.31",
        description: "speaks only TLS 1.3 to the MSSanté operator: no session with an operator that offers TLS 1.2",
        caught_by: &[
            "L'opérateur n'accepte que TLS 1.2 : le logiciel s'y connecte avec une suite autorisée",
        ],
    },
    Defect {
        name: "mss-tls12-only",
        requirement: "MSS/CONF.02",
        description: "speaks only TLS 1.2 to the MSSanté operator: no session with an operator that offers TLS 1.3 alone",
        caught_by: &["L'opérateur n'accepte que TLS 1.3 : le logiciel sait s'en servir"],
    },
    Defect {
        name: "mss-traces-without-failures",
        requirement: "MSS/CONF.18",
        description: "traces the treatments on its MSSanté mailboxes that succeed, not those the operator refused",
        caught_by: &[
            "Chaque envoi, accepté ou refusé par l'opérateur, est tracé avec sa demande et sa réponse",
            "L'historique d'un document reçu pour un patient inconnu va de sa réception à son refus",
        ],
    },
    Defect {
        name: "mss-traces-without-author",
        requirement: "MSS/CONF.18",
        description: "writes its MSSanté traces without the authenticated author",
        caught_by: &[
            "Chaque envoi, accepté ou refusé par l'opérateur, est tracé avec sa demande et sa réponse",
        ],
    },
    Defect {
        name: "mss-received-history-missing",
        requirement: "MSS/UX.37",
        description: "keeps no history of a received document between its reception and its treatment",
        caught_by: &[
            "L'historique d'un document reçu va de sa réception à son intégration",
            "L'historique d'un document reçu pour un patient inconnu va de sa réception à son refus",
        ],
    },
    Defect {
        name: "xdm-prefix-shown",
        requirement: "MSS/UX.28",
        description: "shows the subject of a received IHE_XDM mail with its XDM/1.0/DDM+ prefix",
        caught_by: &[
            "Le document reçu par MSSanté est transmis au DPI en MDM^T02, et l'accusé du DPI revient à l'expéditeur",
            "Le refus du DPI revient à l'expéditeur du courriel avec son code d'erreur",
            "Un document qui ne peut être classé de lui-même attend dans la liste de travail, avec les métadonnées de son en-tête CDA",
            "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
            "Le document IHE_XDM d'un patient inconnu n'est pas intégré, l'expéditeur en est averti",
            "Un compte rendu reçu en IHE_XDM est détecté, rattaché au patient et intégré",
            "L'historique d'un document reçu pour un patient inconnu va de sa réception à son refus",
            "L'historique d'un document reçu va de sa réception à son intégration",
        ],
    },
    Defect {
        name: "patient-mail-shown-as-address",
        requirement: "MSS/UX.31",
        description: "shows a message from Mon espace santé as from any address: not told apart from professionals, without the patient's names and INS",
        caught_by: &[
            "Un message d'un patient depuis Mon espace santé est distingué et montré avec son identité",
        ],
    },
    Defect {
        name: "mss-auto-integration-ignored",
        requirement: "MSS/UX.07",
        description: "ignores the setting that files received documents on their own",
        caught_by: &[
            "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
            "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
        ],
    },
    Defect {
        name: "mss-auto-integration-loose",
        requirement: "MSS/UX.07",
        description: "files a received document on its own on the INS number alone, without comparing the birth traits its CDA carries",
        caught_by: &[
            "Un document dont le prénom de naissance diffère de l'identité qualifiée n'est pas classé de lui-même",
        ],
    },
    Defect {
        name: "worklist-without-metadata",
        requirement: "MSS/va1.25",
        description: "lists the documents waiting to be filed without the metadata of their CDA header",
        caught_by: &[
            "Un document qui ne peut être classé de lui-même attend dans la liste de travail, avec les métadonnées de son en-tête CDA",
        ],
    },
    Defect {
        name: "auto-integrated-period-ignored",
        requirement: "MSS/UX.40",
        description: "lists the documents filed on their own whatever the period asked",
        caught_by: &[
            "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
        ],
    },
    Defect {
        name: "integration-stats-miscounted",
        requirement: "MSS/UX.16",
        description: "counts the documents a user filed as filed automatically",
        caught_by: &[
            "Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente",
        ],
    },
    Defect {
        name: "integrated-without-cda-metadata",
        requirement: "MSS/va1.28",
        description: "files a received document with the date of its filing and no type, not those of its CDA header",
        caught_by: &[
            "Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA",
            "Un compte rendu reçu en IHE_XDM est détecté, rattaché au patient et intégré",
        ],
    },
    Defect {
        name: "replacement-without-mention",
        requirement: "MSS/va1.02",
        description: "sends the new version of a document without the mention that it cancels and replaces the previous one",
        caught_by: &[
            "La nouvelle version d'un compte rendu de biologie envoyé annule et remplace la précédente, et le dit",
            "La nouvelle version d'une lettre envoyée annule et remplace la précédente, et le dit",
            "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
        ],
    },
    Defect {
        name: "deletion-not-notified",
        requirement: "MSS/va1.30",
        description: "tells no recipient of a sent document that it was deleted",
        caught_by: &[
            "La suppression d'un document envoyé est annoncée à chacun de ses destinataires",
        ],
    },
    Defect {
        name: "validated-report-not-sent",
        requirement: "MSS/va1.21",
        description: "leaves a validated report unsent by MSSanté although the site set it to leave on its own",
        caught_by: &[
            "Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire",
            "Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace",
        ],
    },
    Defect {
        name: "pro-refusal-ignored",
        requirement: "MSS/va1.22",
        description: "sends a patient's reports to professionals by MSSanté despite the patient's recorded refusal",
        caught_by: &[
            "Le refus du patient de l'envoi de ses comptes rendus aux professionnels est respecté",
        ],
    },
    Defect {
        name: "correspondents-capped",
        requirement: "MSS/va1.36",
        description: "sends a report to its first five correspondents only",
        caught_by: &["Un compte rendu de biologie part vers dix correspondants"],
    },
    Defect {
        name: "patient-message-without-key",
        requirement: "MSS/UX.32",
        description: "writes to a patient at an address built from the INS matricule without its key",
        caught_by: &[
            "L'utilisateur écrit à un patient choisi dans sa base : l'adresse vient de l'INS qualifiée",
        ],
    },
    Defect {
        name: "single-mailbox",
        requirement: "MSS/UX.36",
        description: "works with the structure's mailbox only, whichever mailbox the user opens",
        caught_by: &[
            "Boîte personnelle ouverte par le jeton Pro Santé Connect, qui expire en cours de session",
            "La boîte personnelle et celle de la structure sont configurées ensemble et relevées chacune",
            "Un message de la boîte personnelle porte les prénom et nom du professionnel",
        ],
    },
    Defect {
        name: "app-login-external",
        requirement: "MSS/CONF.12",
        description: "opens the application mailbox with SASL EXTERNAL instead of the API LPS's PLAIN with the mailbox address as login",
        caught_by: &[
            "Envoi et relève chiffrés par STARTTLS, boîte applicative ouverte par certificat",
        ],
    },
    Defect {
        name: "pfi-mail-recipients-dropped",
        requirement: "MSS/va1.24",
        description: "hands a validated letter to the PFI without its MSSanté recipients (no PRT RCT, DESTMSSANTEPS N)",
        caught_by: &[
            "La lettre de liaison validée part d'elle-même vers la PFI, à transmettre par messagerie à son destinataire",
        ],
    },
];

/// The defects turned on for one LPS.
#[derive(Debug, Clone, Default)]
pub struct Defects {
    /// Names of the active defects.
    active: BTreeSet<&'static str>,
}

impl Defects {
    /// Turns on the named defects; an unknown name is an error listing the known ones.
    pub fn parse<S: AsRef<str>>(names: &[S]) -> Result<Self, String> {
        let mut active = BTreeSet::new();
        for name in names {
            let name = name.as_ref();
            let defect = CATALOGUE.iter().find(|d| d.name == name).ok_or_else(|| {
                let known: Vec<&str> = CATALOGUE.iter().map(|d| d.name).collect();
                format!("unknown defect {name:?}; known: {}", known.join(", "))
            })?;
            active.insert(defect.name);
        }
        Ok(Self { active })
    }

    /// Whether `name` is on.
    pub fn on(&self, name: &str) -> bool {
        self.active.contains(name)
    }

    /// The active names.
    pub fn names(&self) -> impl Iterator<Item = &&'static str> {
        self.active.iter()
    }
}

/// The catalogue as the Markdown table of `DEFECTS.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "| defect | breaks | what the software does wrong | scenarios that catch it |\n|---|---|---|---|\n",
    );
    for d in CATALOGUE {
        let scenarios = if std::ptr::eq(d.caught_by, INSI_SCENARIOS) {
            format!("every scenario that calls INSi ({})", d.caught_by.len())
        } else if std::ptr::eq(d.caught_by, DMP_CALLING) {
            format!("every scenario that calls the DMP ({})", d.caught_by.len())
        } else if std::ptr::eq(d.caught_by, DMP_ACCEPTING) {
            format!(
                "every scenario that needs the DMP to accept the call ({})",
                d.caught_by.len()
            )
        } else {
            d.caught_by.join("<br>")
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            d.name, d.requirement, d.description, scenarios
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn defects_md_is_the_catalogue() {
        let doc = include_str!("../DEFECTS.md");
        assert!(
            doc.contains(&super::markdown()),
            "DEFECTS.md is out of date: paste the output of `reference-lps defects`"
        );
    }

    #[test]
    fn unknown_defects_are_named_with_the_known_ones() {
        let err = super::Defects::parse(&["no-such"]).expect_err("unknown");
        assert!(err.contains("no-such") && err.contains("no-nonce"), "{err}");
    }
}
