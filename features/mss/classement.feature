# language: fr
# Le classement des documents reçus par messagerie sécurisée de santé : dans le dossier
# du patient avec les métadonnées de leur en-tête CDA, de lui-même quand le site le permet
# et que l'INS et les traits de naissance correspondent strictement à une identité
# qualifiée, les autres dans une liste de travail qui montre ces métadonnées ; les
# documents intégrés automatiquement sur une période ; les comptes par type de document.
# Les documents reçus sont les exemples IHE_XDM de l'ANS (ansforge/interop-exemples-xdm).
@MSS
Fonctionnalité: Classement des documents reçus par messagerie

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @MSS/UX.07 @MSS/UX.40 @MSS/va1.28 @LGC @DPI @RIS
  Scénario: Un document reçu pour une INS qualifiée identique est classé de lui-même, avec les métadonnées de son en-tête CDA
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Et l'intégration automatique des documents reçus par messagerie activée dans le logiciel
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Alors le dossier de "patiente" contient le document "Compte rendu d'examens biologiques" reçu par messagerie, avec le type et la date de son en-tête CDA
    Et l'opérateur a reçu l'accusé "processed" du message "Compte rendu d'exemple"
    Quand l'utilisateur affiche les documents intégrés automatiquement depuis 7 jours
    Alors la liste des documents intégrés automatiquement montre "Compte rendu d'examens biologiques" pour "patiente"
    Quand le temps avance de 8 jours
    Et l'utilisateur affiche les documents intégrés automatiquement depuis 7 jours
    Alors la liste des documents intégrés automatiquement est vide
    Et les échanges sont conformes

  @MSS/UX.09 @MSS/va1.25 @MSS/UX.07 @LGC @DPI @RIS
  Scénario: Un document qui ne peut être classé de lui-même attend dans la liste de travail, avec les métadonnées de son en-tête CDA
    Étant donné l'intégration automatique des documents reçus par messagerie activée dans le logiciel
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur affiche la liste de travail des documents reçus
    Alors la liste de travail montre le document "Compte rendu d'examens biologiques" avec le titre, la date, le patient, les auteurs, la version et les actes de son en-tête CDA
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Quand l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors le logiciel a intégré au dossier de "patiente" le document "Compte rendu d'examens biologiques"
    Quand l'utilisateur affiche la liste de travail des documents reçus
    Alors la liste de travail des documents reçus est vide
    Et les échanges sont conformes

  # Trois documents du même patient : l'un laissé en attente, l'un intégré par
  # l'utilisateur, le dernier classé de lui-même une fois l'intégration automatique activée.
  @MSS/UX.16 @DPI @RIS
  Scénario: Les statistiques d'intégration comptent par type les documents intégrés automatiquement, manuellement et ceux en attente
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Et la boîte de la structure reçoit de "dr-colin" l'exemple IHE_XDM "IMG_CR_IMG_2024.01" de l'ANS
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Étant donné l'intégration automatique des documents reçus par messagerie activée dans le logiciel
    Et la boîte de la structure reçoit de "dr-colin" l'exemple IHE_XDM "VSM_1.4_2022.01" de l'ANS
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur affiche les statistiques d'intégration des documents reçus sur 30 jours
    Alors les statistiques comptent pour le type "11502-2" 0 document intégré automatiquement, 1 manuellement et 0 non intégré
    Et les statistiques comptent pour le type "18748-4" 0 document intégré automatiquement, 0 manuellement et 1 non intégré
    Et les statistiques comptent pour le type "SYNTH" 1 document intégré automatiquement, 0 manuellement et 0 non intégré

  # « Strictement » : l'INS seule ne suffit pas, les traits de naissance du CDA doivent
  # être ceux de l'identité qualifiée. L'expéditeur a écrit un autre premier prénom.
  @MSS/UX.07 @LGC @DPI @RIS
  Scénario: Un document dont le prénom de naissance diffère de l'identité qualifiée n'est pas classé de lui-même
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Et l'intégration automatique des documents reçus par messagerie activée dans le logiciel
    Et la boîte de la structure reçoit de "dr-colin" un compte rendu d'exemple de l'ANS dont le CDA donne le premier prénom de naissance "MARIE"
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur affiche la liste de travail des documents reçus
    Alors le document "Compte rendu d'examens biologiques" attend dans la liste de travail
    Et les échanges sont conformes
