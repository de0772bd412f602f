# language: fr
# La réception : un message portant une archive IHE_XDM est détecté, son patient
# reconnu par le patientId de METADATA.XML, son document intégré au dossier, et
# l'expéditeur reçoit l'accusé qu'il a demandé. Le message reçu est l'exemple
# DOC_NON_STRUCTURE_CDA-R2-N1 de l'ANS (ansforge/interop-exemples-xdm).
@MSS
Fonctionnalité: Réception de documents par messagerie sécurisée de santé

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @MSS/CONF.23 @MSS/CONF.24 @MSS/CONF.25 @MSS/UX.01 @MSS/UX.39 @MSS/UX.28 @MSS/va1.28 @LGC @RIS
  Scénario: Un compte rendu reçu en IHE_XDM est détecté, rattaché au patient et intégré
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Alors le logiciel affiche le message "Compte rendu d'exemple" avec un document IHE_XDM pour "patiente"
    Et le logiciel montre l'objet du message "Compte rendu d'exemple" sans le préfixe XDM/1.0/DDM+
    Quand l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors le logiciel a intégré au dossier de "patiente" le document "Compte rendu d'examens biologiques"
    Et l'opérateur a reçu l'accusé "processed" du message "Compte rendu d'exemple"
    Et le dossier de "patiente" contient le document "Compte rendu d'examens biologiques" reçu par messagerie, avec le type et la date de son en-tête CDA
    Et les échanges sont conformes

  @MSS/UX.01 @MSS/CONF.24 @LGC
  Scénario: Le document IHE_XDM d'un patient inconnu n'est pas intégré, l'expéditeur en est averti
    Étant donné la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Alors le logiciel affiche le message "Compte rendu d'exemple" avec un document IHE_XDM sans patient identifié
    Quand l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors le logiciel refuse l'action
    Et l'opérateur a reçu l'accusé "Error: 902" du message "Compte rendu d'exemple"
    Et les échanges sont conformes

  @MSS/UX.34 @LGC
  Scénario: Accusé de lecture renvoyé à l'expéditeur qui l'a demandé
    Étant donné la boîte de la structure reçoit de "dr-colin" le message "Résultats de M. Durand" avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Alors le logiciel affiche le message "Résultats de M. Durand" avec une demande d'accusé de réception
    Quand l'utilisateur envoie l'accusé de lecture du message "Résultats de M. Durand"
    Alors l'opérateur a reçu l'accusé "displayed" du message "Résultats de M. Durand"
    Et les échanges sont conformes

  # Un patient écrit depuis Mon espace santé (<INS>@patient.mssante.fr) : la liste des
  # messages le distingue d'un professionnel et le nomme par son nom de naissance, son
  # premier prénom et son matricule INS, pas par sa seule adresse.
  @MSS/UX.25 @MSS/UX.31 @LGC @RIS
  Scénario: Un message d'un patient depuis Mon espace santé est distingué et montré avec son identité
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et la boîte de la structure reçoit du patient "patiente" le message "Question sur mon traitement" depuis Mon espace santé
    Et la boîte de la structure reçoit de "dr-colin" le message "Rendez-vous de M. Petit"
    Quand l'utilisateur relève la boîte de la structure
    Alors le logiciel affiche le message "Question sur mon traitement" comme venant du patient "patiente", avec son nom de naissance, son premier prénom et son matricule INS
    Et le logiciel affiche le message "Rendez-vous de M. Petit" comme venant d'un professionnel
    Et les échanges sont conformes
