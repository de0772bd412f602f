# language: fr
# La consultation du DMP depuis le logiciel : existence du dossier, droits vérifiés
# (TD0.2) avant toute consultation, autorisation posée (TD0.3) si besoin, consentement
# du patient recueilli, liste filtrée, recherche, nouveautés, intégration.
@DMP
Fonctionnalité: Consultation du DMP

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @DMP/UX.11 @DMP/UX.12 @LGC @DPI
  Plan du scénario: L'existence du DMP <état> est affichée à l'ouverture du dossier
    Étant donné un patient "patient" qualifié avec les traits de "<patient>"
    Quand l'utilisateur ouvre le dossier de "patient"
    Alors le logiciel affiche le DMP de "patient" <état>
    Et le DMP a reçu 1 appel "TD0.2"
    Et les échanges sont conformes

    Exemples:
      | patient            | état   |
      | adrtrois-dominique | ouvert |
      | le-goff-yann       | fermé  |
      | houilles-marc      | absent |

  @DMP/UX.08 @DMP/UX.50 @LGC @DPI
  Scénario: Droits vérifiés puis autorisation posée avant la consultation
    Étant donné un patient "patiente" qualifié avec les traits de "adrdeux-camille"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel n'affiche aucun document
    Et le DMP a reçu "TD0.2" avant "TD0.3"
    Et le DMP a reçu "TD0.3" avant "TD3.1"
    Et les échanges sont conformes

  @DMP/UX.08 @LGC @DPI
  Scénario: Professionnel bloqué par le patient
    Étant donné le professionnel "dr-bertin" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "lambert-julie"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel refuse l'action
    Et le DMP a reçu 1 appel "TD0.2"
    Et le DMP a reçu 0 appel "TD0.3"
    Et le DMP a reçu 0 appel "TD3.1"

  @DMP/UX.11 @LGC @DPI
  Scénario: DMP fermé : pas de consultation
    Étant donné un patient "patient" qualifié avec les traits de "le-goff-yann"
    Et le consentement de "patient" à la consultation de son DMP enregistré
    Quand l'utilisateur consulte le DMP de "patient"
    Alors le logiciel refuse l'action
    Et le DMP a reçu 0 appel "TD3.1"

  @DMP/UX.14 @LGC @DPI
  Scénario: Liste des documents quand toutes les conditions sont réunies
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu "Compte rendu de consultation" envoyé au DMP de "patiente"
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche les documents "Compte rendu de consultation"
    Et le DMP a reçu 0 appel "TD0.3"
    Et les échanges sont conformes

  @DMP/UX.14 @LGC @DPI
  Scénario: Pas de consultation du DMP pour une identité non qualifiée
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel

  @DMP/UX.14 @LGC @DPI
  Scénario: Une erreur du DMP est montrée à l'utilisateur
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et le DMP répond à la prochaine opération "TD3.1" par l'erreur "DMPSystemError"
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche l'erreur du DMP "DMPSystemError"

  @DMP/CONF.06 @LGC
  Scénario: Consultation bloquée tant que le consentement n'est pas recueilli
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel
    Quand l'utilisateur enregistre le consentement de "patiente" à la consultation de son DMP
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le DMP a reçu 1 appel "TD3.1"
    Et les échanges sont conformes

  @DMP/CONF.06 @LGC
  Scénario: Opposition du patient à la consultation
    Étant donné un patient "patient" qualifié avec les traits de "fournier-paul"
    Et l'opposition de "patient" à la consultation de son DMP enregistrée
    Quand l'utilisateur consulte le DMP de "patient"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel

  @DMP/UX.15 @LGC @DPI
  Scénario: Nouveaux documents depuis la dernière visite
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu "Bilan annuel" envoyé au DMP de "patiente"
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel signale comme nouveaux les documents "Bilan annuel"
    Quand le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Et l'utilisateur envoie au DMP de "patiente" un compte rendu "Avis de la consœur"
    Et le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche les documents "Bilan annuel, Avis de la consœur"
    Et le logiciel signale comme nouveaux les documents "Avis de la consœur"

  @DMP/UX.17 @LGC @DPI @RIS
  Scénario: Les types de documents signalés comme nouveaux se paramètrent pour la structure, le service et la spécialité
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un patient "patient" qualifié avec les traits de "adrtrois-toussaint"
    Et le consentement de "patient" à la consultation de son DMP enregistré
    Et un patient "voisine" qualifié avec les traits de "pat-trois-dominique"
    Et le consentement de "voisine" à la consultation de son DMP enregistré
    Et les types de documents signalés comme nouveaux paramétrés pour la structure : "11488-4"
    Et les types de documents signalés comme nouveaux paramétrés pour le service "cardiologie" : "11490-0"
    Et les types de documents signalés comme nouveaux paramétrés pour la spécialité "SM54" : "11490-0, 11488-4"
    Quand le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Et l'utilisateur envoie au DMP de "patiente" un compte rendu "Avis de la consœur"
    Et l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre de sortie"
    Et l'utilisateur envoie au DMP de "patient" un compte rendu "Avis cardiologique"
    Et l'utilisateur envoie au DMP de "patient" la lettre de liaison "Lettre de séjour"
    Et l'utilisateur envoie au DMP de "voisine" un compte rendu "Avis partagé"
    Et l'utilisateur envoie au DMP de "voisine" la lettre de liaison "Lettre partagée"
    Et le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel signale comme nouveaux les documents "Avis de la consœur"
    Quand l'utilisateur passe dans le service "cardiologie"
    Et l'utilisateur consulte le DMP de "patient"
    Alors le logiciel signale comme nouveaux les documents "Lettre de séjour"
    Quand l'utilisateur passe dans le service "accueil"
    Et le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Et l'utilisateur consulte le DMP de "voisine"
    Alors le logiciel signale comme nouveaux les documents "Lettre partagée, Avis partagé"

  @DMP/UX.27 @LGC @DPI
  Scénario: Recherche sur plusieurs critères de métadonnées
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu "Compte rendu de consultation" envoyé au DMP de "patiente"
    Quand l'utilisateur envoie au DMP de "patiente" le volet de synthèse médicale "Synthèse 2026"
    Et l'utilisateur recherche dans le DMP de "patiente" les documents de classe "11" et de type "11488-4"
    Alors le logiciel affiche les documents "Compte rendu de consultation"
    Et la recherche envoyée au DMP porte les critères "ClassCode, TypeCode"
    Et les échanges sont conformes

  @DMP/UX.31 @LGC @DPI
  Scénario: Sélection et intégration de plusieurs documents
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu "Compte rendu 1" envoyé au DMP de "patiente"
    Et un compte rendu "Compte rendu 2" envoyé au DMP de "patiente"
    Quand l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Compte rendu 1, Compte rendu 2" du DMP de "patiente"
    Alors le logiciel a intégré 2 documents dont l'empreinte est vérifiée
    Et le DMP a reçu 1 appel "TD3.2"
    Et les échanges sont conformes

  @DMP/AIRS.06 @DMP/AIRS.07 @DPI @RIS @BIO
  Scénario: L'identifiant national de l'utilisateur réel dans le VIHF
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur ouvre le dossier de "patiente"
    Alors le VIHF du dernier appel au DMP porte l'identifiant national de "dr-legrand"
    Quand le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Et l'utilisateur ouvre le dossier de "patiente"
    Alors le VIHF du dernier appel au DMP porte l'identifiant national de "dr-colin"
    Et les échanges sont conformes

  @DMP/UX.06 @LGC @DPI @RIS @BIO
  Scénario: Le choix du patient sur la consultation de son DMP change en cours de prise en charge
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et l'opposition de "patiente" à la consultation de son DMP enregistrée
    Quand l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel
    Quand l'utilisateur enregistre le consentement de "patiente" à la consultation de son DMP
    Et l'utilisateur ouvre le dossier de "patiente"
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le DMP a reçu 1 appel "TD3.1"
    Quand l'utilisateur enregistre l'opposition de "patiente" à la consultation de son DMP
    Et l'utilisateur ouvre le dossier de "patiente"
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel refuse l'action
    Et le DMP a reçu 1 appel "TD3.1"
    Et les échanges sont conformes

  @DMP/UX.10 @LGC @BIO @RIS
  Scénario: Le logiciel reste utilisable pendant une consultation du DMP
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu de biologie "Bilan du laboratoire" déposé au DMP de "patiente" par "dr-lemaire"
    Et le DMP répond avec 800 ms de retard à la prochaine opération "TD3.1"
    Quand l'utilisateur lance en arrière-plan la consultation du DMP de "patiente"
    Et l'utilisateur affiche les documents du dossier de "patiente" pendant la consultation
    Et l'utilisateur attend la fin de la consultation du DMP de "patiente"
    Alors le logiciel affiche les documents "Bilan du laboratoire"
    Et le dossier s'est affiché pendant que le DMP traitait la consultation
    Et les échanges sont conformes

  @DMP/UX.45 @DMP/va1.20 @preuve-attestée @LGC @DPI @RIS @BIO
  Scénario: Des fiches d'information sur la consultation et la recherche dans le DMP sont proposées
    Quand l'éditeur fournit la documentation "fiches pédagogiques sur la consultation et la recherche dans le DMP, accessibles depuis le logiciel"
    Alors la documentation fournie est enregistrée au journal avec son empreinte et couvre "consultation, recherche, DMP, accès depuis le logiciel"

  @DMP/UX.34 @LGC @DPI @RIS @BIO
  Scénario: Les documents du DMP des patients pris en charge sont préchargés selon le paramétrage, le temps paramétré
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et un patient "patient" qualifié avec les traits de "adrdeux-camille"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu de biologie "Bilan du laboratoire" déposé au DMP de "patiente" par "dr-lemaire"
    Et une synthèse médicale "Synthèse de 2020" déposée au DMP de "patiente" par "dr-colin"
    Et un compte rendu de biologie "Bilan de l'autre patient" déposé au DMP de "patient" par "dr-lemaire"
    Et le préchargement du DMP paramétré pour les documents de type "11502-2" gardés 2 heures
    Quand le logiciel précharge le DMP des patients pris en charge "patiente, patient"
    Alors le DMP a servi au préchargement exactement les documents "Bilan du laboratoire"
    Et le DMP n'a rien reçu au préchargement pour "patient"
    Quand l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur affiche le document "Bilan du laboratoire" du DMP de "patiente"
    Alors le logiciel montre le document "Bilan du laboratoire" préchargé, sans le redemander au DMP
    Quand le temps avance de 180 minutes
    Et l'utilisateur affiche le document "Bilan du laboratoire" du DMP de "patiente"
    Alors le logiciel redemande au DMP le document "Bilan du laboratoire", son préchargement expiré
    Et les échanges sont conformes
