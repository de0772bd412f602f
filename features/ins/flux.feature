# language: fr
# Les identités et données de santé reçues d'un autre domaine d'identification : la
# qualification ne se transmet pas (règle 30), l'INS reçu est vérifié auprès de l'INSi
# (règles 51, 52, 53, 55), les partenaires destinataires d'une INS sont tracés (règle 31).
@INS
Fonctionnalité: Identités reçues d'un autre domaine d'identification

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.11 @INS/va1.13 @INS/va1.57 @INS/va1.63 @LGC @RIS @BIO
  Scénario: Identité qualifiée reçue d'un autre domaine : INS vérifié, identité créée récupérée, document intégré
    Quand le logiciel reçoit pour "patiente" de "ch-voisin" le document "Compte rendu d'hospitalisation" et l'identité qualifiée de "adrun-zoe" avec son INS
    Alors le logiciel a vérifié auprès de l'INSi l'INS reçu pour "adrun-zoe"
    Et le logiciel affiche le résultat de vérification "OK"
    Et l'identité "patiente" a l'INS "2751263220101" de clé "43"
    Et le statut de l'identité "patiente" est "récupérée"
    Et le document reçu est intégré au dossier de "patiente"
    Et le journal des appels INSi du logiciel liste "verification 00 OK"

  @INS/va1.05 @LGC @RIS @BIO
  Scénario: Vérification KO d'une identité reçue inconnue : créée sans INS ni OID
    Étant donné l'INSi ne reconnaît plus "adrdeux-camille"
    Quand le logiciel reçoit pour "patiente" de "ch-voisin" l'identité qualifiée de "adrdeux-camille" avec son INS
    Alors le logiciel a vérifié auprès de l'INSi l'INS reçu pour "adrdeux-camille"
    Et le logiciel affiche le résultat de vérification "KO"
    Et l'identité "patiente" n'a pas d'INS
    Et la fiche de "patiente" montre les traits de "adrdeux-camille"
    Et le statut de l'identité "patiente" est "provisoire"

  @INS/va1.07 @LGC @RIS @BIO
  Scénario: Vérification KO d'une identité reçue déjà connue : l'identité n'est pas mise à jour
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'utilisateur enregistre le contrôle de la pièce "passeport" de "patiente"
    Et l'INSi ne reconnaît plus "adrdeux-camille"
    Quand le logiciel reçoit pour "patiente" de "ch-voisin" l'identité qualifiée de "adrdeux-camille" avec son INS
    Alors le logiciel a vérifié auprès de l'INSi l'INS reçu pour "adrdeux-camille"
    Et le logiciel affiche le résultat de vérification "KO"
    Et l'identité "patiente" n'a pas d'INS
    Et le statut de l'identité "patiente" est "validée"

  @INS/va1.12 @LGC @RIS @BIO
  Scénario: Donnée de santé reçue, vérification KO : pas d'intégration, alerte et liste de travail
    Étant donné l'INSi ne reconnaît plus "adrdeux-camille"
    Quand le logiciel reçoit pour "patiente" de "ch-voisin" le document "Compte rendu d'hospitalisation" et l'identité qualifiée de "adrdeux-camille" avec son INS
    Alors le logiciel a vérifié auprès de l'INSi l'INS reçu pour "adrdeux-camille"
    Et le logiciel affiche le résultat de vérification "KO"
    Et le document reçu n'est pas intégré mais placé sur la liste de travail avec une alerte

  # Règle 30, exception : avec un émetteur sous contrat de confiance, l'identité reçue
  # garde le statut qualifié ; sans contrat, elle ne l'est pas.
  @INS/va1.04 @LGC @RIS @BIO
  Scénario: Émetteur sous contrat de confiance : l'identité reçue reste qualifiée, pas celle d'un autre
    Étant donné l'émetteur "ght-partenaire" déclaré sous contrat de confiance
    Quand le logiciel reçoit pour "patiente" de "ght-partenaire" l'identité qualifiée de "adrun-zoe" avec son INS
    Alors le logiciel a vérifié auprès de l'INSi l'INS reçu pour "adrun-zoe"
    Et le statut de l'identité "patiente" est "qualifiée"
    Quand le logiciel reçoit pour "autre" de "clinique-inconnue" l'identité qualifiée de "dubois-camille" avec son INS
    Alors le statut de l'identité "autre" n'est pas "qualifiée"

  @INS/va1.46 @LGC @DPI @RIS @BIO
  Scénario: Les partenaires destinataires d'une INS qualifiée sont tracés
    Étant donné le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu "Compte rendu de consultation" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et la trace des partages de "patiente" liste l'envoi par messagerie à "dr-colin" par "dr-legrand"
