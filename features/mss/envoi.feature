# language: fr
# L'envoi par messagerie sécurisée de santé : le document en PDF et en CDA dans une
# archive IHE_XDM, les en-têtes X-MSS-* du référentiel MSSanté, l'adresse du patient
# tirée de sa seule INS qualifiée, son refus respecté, les fils de discussion et les
# accusés de réception.
@MSS
Fonctionnalité: Envoi par messagerie sécurisée de santé

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @MSS/va1.01 @MSS/va1.17 @MSS/va1.12 @MSS/CONF.14 @MSS/CONF.15 @MSS/CONF.16 @MSS/CONF.24 @MSS/CONF.25 @LGC
  Scénario: Compte rendu envoyé au patient à l'INS qualifiée, en PDF et en CDA N1 dans IHE_XDM
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu "Compte rendu de consultation" de "patiente" à "patiente"
    Alors l'opérateur a reçu un message pour "patiente"
    Et le message joint le PDF et une archive IHE_XDM conforme pour "patiente"
    Et le PDF joint au message est un PDF/A-1
    Et le PDF joint au message est celui du CDA N1 de son archive IHE_XDM
    Et le message porte l'en-tête "X-MSS-INS" à "O"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "11488-4"
    Et le message porte la référence produit du logiciel dans X-MSS-NIL
    Et le message porte un identifiant Message-ID
    Et les échanges sont conformes

  @MSS/CONF.14 @MSS/CONF.15 @MSS/CONF.16 @INS/va1.53 @INS/va1.59 @LGC @RIS @BIO
  Scénario: Compte rendu d'une identité non qualifiée envoyé à un confrère, X-MSS-INS à N
    Étant donné une identité locale "patient" créée avec les traits de "durand-pierre"
    Et l'INS de "patient" récupéré et validé par l'utilisateur
    Quand l'utilisateur envoie par messagerie le compte rendu "Bilan sanguin" de "patient" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message porte l'en-tête "X-MSS-INS" à "N"
    Et le message ne porte pas l'INS de "patient" dans son archive IHE_XDM
    Et le message porte l'en-tête "X-MSS-CODECDA" à "11488-4"
    Et les échanges sont conformes

  @MSS/va1.19 @LGC
  Scénario: Pas d'adresse de messagerie patient sans INS qualifiée
    Étant donné une identité locale "patient" créée avec les traits de "durand-pierre"
    Et l'INS de "patient" récupéré et validé par l'utilisateur
    Quand l'utilisateur envoie par messagerie le compte rendu "Bilan sanguin" de "patient" à "patient"
    Alors le logiciel refuse l'action
    Et l'opérateur n'a reçu aucun message

  @MSS/va1.20 @LGC @DPI
  Scénario: Le refus du patient est respecté : rien ne part vers sa messagerie
    Étant donné un patient "patient" qualifié avec les traits de "petit-louis"
    Et le refus de "patient" de recevoir des documents dans sa messagerie enregistré
    Quand l'utilisateur envoie par messagerie le compte rendu "Bilan sanguin" de "patient" à "patient"
    Alors le logiciel refuse l'action
    Et l'opérateur n'a reçu aucun message
    # Le refus ne vaut que pour la messagerie du patient : un confrère reçoit le document.
    Quand l'utilisateur envoie par messagerie le compte rendu "Bilan sanguin" de "patient" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et les échanges sont conformes

  @MSS/va1.01 @DMP/va1.17 @LGC
  Scénario: Un document invisible au patient ne part que vers des professionnels
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu "Annonce diagnostique" de "patiente" à "patiente et dr-colin" invisible au patient
    Alors le logiciel refuse l'action
    Et l'opérateur n'a reçu aucun message
    Quand l'utilisateur envoie par messagerie le compte rendu "Annonce diagnostique" de "patiente" à "dr-colin" invisible au patient
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et les échanges sont conformes

  @MSS/CONF.21 @LGC @DPI
  Scénario: Le professionnel ne veut pas de réponse du patient : X-MSS-MES à FIN
    Étant donné un patient "patiente" qualifié avec les traits de "adrdeux-camille"
    Quand l'utilisateur envoie par messagerie le compte rendu "Résultats" de "patiente" à "patiente" sans réponse possible du patient
    Alors l'opérateur a reçu un message pour "patiente"
    Et le message porte l'en-tête "X-MSS-MES" à "FIN"
    Et le message porte l'en-tête "X-MSS-INS" à "O"
    Et les échanges sont conformes

  @MSS/va1.12 @MSS/va1.08 @LGC
  Scénario: Réponse à un confrère : Message-ID, In-Reply-To et References
    Étant donné la boîte de la structure reçoit de "dr-colin" le message "Rendez-vous de M. Petit"
    Quand l'utilisateur répond au message "Rendez-vous de M. Petit"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message porte un identifiant Message-ID
    Et le message répond au message "Rendez-vous de M. Petit"
    Et les échanges sont conformes

  @MSS/va1.15 @MSS/va1.14 @MSS/UX.33 @LGC
  Scénario: Accusé de réception demandé à l'envoi, puis affiché
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu "Compte rendu opératoire" de "patiente" à "dr-colin" avec demande d'accusé de réception
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message demande un accusé de réception à son expéditeur
    Quand l'utilisateur affiche les accusés du message "Compte rendu opératoire"
    Alors le logiciel affiche un accusé de réception "processed" de "dr-colin"
    Et les échanges sont conformes

  # Le patient est choisi dans la base des patients du logiciel : l'adresse vient de son
  # INS qualifiée (<matricule><clé>@patient.mssante.fr), même sans document joint.
  @MSS/UX.32 @LGC @RIS
  Scénario: L'utilisateur écrit à un patient choisi dans sa base : l'adresse vient de l'INS qualifiée
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le message "Suivi de votre traitement" à "patiente"
    Alors l'opérateur a reçu un message pour "patiente"
    Et les échanges sont conformes

  @MSS/CONF.20 @LGC @RIS
  Scénario: En composant un message, l'adresse du correspondant est cherchée dans l'Annuaire Santé
    Quand l'utilisateur recherche dans l'Annuaire Santé l'adresse MSSanté de "dr-bertin"
    Et l'utilisateur écrit à l'adresse MSSanté trouvée dans l'Annuaire Santé pour "dr-bertin" le message "Demande d'avis"
    Alors l'opérateur a reçu un message pour "dr-bertin"
    Et les échanges sont conformes

  # Le refus vaut pour les professionnels, que l'envoi soit demandé par l'utilisateur ou
  # parte de lui-même à la validation du compte rendu.
  @MSS/va1.22 @LGC @BIO
  Scénario: Le refus du patient de l'envoi de ses comptes rendus aux professionnels est respecté
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le refus de "patiente" de l'envoi de ses comptes rendus aux professionnels par messagerie enregistré
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Bilan lipidique" de "patiente" à "dr-colin"
    Alors le logiciel refuse l'action
    Étant donné l'envoi automatique par messagerie des comptes rendus validés activé dans le logiciel
    Quand l'utilisateur valide le compte rendu de biologie "Glycémie" de "patiente" demandé par "dr-legrand" et adressé à "dr-colin"
    Alors l'opérateur n'a reçu aucun message

  @MSS/va1.36 @BIO
  Scénario: Un compte rendu de biologie part vers dix correspondants
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Bilan annuel" de "patiente" à "dr-legrand et dr-colin et dr-bertin et dr-camus et dr-lemaire et ph-dupre et inf-faure et sf-blanc et cd-mercier et cardiologie@ch-valbourg.mssante.fr"
    Alors l'opérateur a reçu un message pour "dr-legrand et dr-colin et dr-bertin et dr-camus et dr-lemaire et ph-dupre et inf-faure et sf-blanc et cd-mercier et cardiologie@ch-valbourg.mssante.fr"
    Et le message joint le PDF et une archive IHE_XDM conforme pour "patiente"
    Et les échanges sont conformes

  @MSS/va1.34 @BIO
  Scénario: Le compte rendu de biologie part vers le patient, en PDF/A-1 et en CDA dans IHE_XDM
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Bilan lipidique" de "patiente" à "patiente"
    Alors l'opérateur a reçu un message pour "patiente"
    Et le message joint le PDF et une archive IHE_XDM conforme pour "patiente"
    Et le PDF joint au message est un PDF/A-1
    Et le message porte l'en-tête "X-MSS-INS" à "O"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "11502-2"
    Et les échanges sont conformes
