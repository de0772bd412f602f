# language: fr
# Les documents qu'un DPI, un RIS ou un SGL confie à la PFI de l'établissement, qui les
# publie au DMP et les envoie par MSSanté (volet CI-SIS « Transmission de documents CDA-R2
# en HL7v2 », Ségur vague 2) : le banc joue la PFI (MLLP), juge chaque MDM^T02 ou ORU^R01
# reçu et son CDA, et l'acquitte ; il remet au logiciel les accusés métier de la PFI
# (ZAM^Z01) et les documents reçus par MSSanté (MDM^T02), et lit l'ACK du logiciel.
@HL7
Fonctionnalité: Documents transmis par la PFI de l'établissement en HL7 v2

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et le logiciel envoie ses documents au DMP par la PFI de l'établissement

  @CDA/HL7.02 @DMP/va1.03 @DMP/va1.05 @DOC/va1.06 @DOC/va1.07 @DOC/va1.08 @DPI
  Scénario: La lettre de liaison part vers la PFI en MDM^T02, CDA de niveau 1 avec son PDF
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre de liaison de sortie"
    Alors la PFI a reçu le document "Lettre de liaison de sortie" dans un message "MDM^T02" de type "11490-0" en CDA de niveau 1, destiné au DMP
    Et les échanges sont conformes

  # Le DPI n'a pas d'opérateur MSSanté à lui : la lettre validée part vers la PFI, qui la
  # publie au DMP et l'envoie par messagerie au destinataire que nomme son PRT.
  @MSS/va1.24 @DPI
  Scénario: La lettre de liaison validée part d'elle-même vers la PFI, à transmettre par messagerie à son destinataire
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur valide pour le DMP de "patiente" la lettre de liaison "Lettre de sortie" adressée à "dr-colin"
    Alors la PFI a reçu le document "Lettre de sortie" dans un message "MDM^T02" de type "11490-0" en CDA de niveau 1, destiné au DMP
    Et la PFI a reçu le document "Lettre de sortie" à transmettre par messagerie à "dr-colin"
    Et les échanges sont conformes

  @DOC/va1.20 @BIO
  Scénario: Le compte rendu de biologie validé part vers la PFI en ORU^R01, CDA de niveau 3
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur valide le compte rendu de biologie "Bilan lipidique" de "patiente"
    Alors la PFI a reçu le document "Bilan lipidique" dans un message "ORU^R01" de type "11502-2" en CDA de niveau 3, destiné au DMP
    Et les échanges sont conformes

  @DMP/CONF.09 @DPI
  Scénario: Rien ne part vers la PFI pour un patient opposé à l'alimentation de son DMP
    Étant donné un patient "opposée" qualifié avec les traits de "roux-claire"
    Et l'opposition de "opposée" à l'alimentation de son DMP enregistrée
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie au DMP de "opposée" la lettre de liaison "Lettre refusée"
    Alors le logiciel refuse l'action
    Quand l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre envoyée"
    Alors la PFI a reçu le document "Lettre envoyée" dans un message "MDM^T02" de type "11490-0" en CDA de niveau 1, destiné au DMP
    Et la PFI n'a reçu aucun document pour "opposée"

  @CDA/HL7.01 @DPI
  Scénario: Les acquittements de la PFI : un refus technique signalé, un accusé métier reporté au dossier
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et la PFI répond au prochain message "MDM^T02" par l'acquittement "AE" avec l'erreur "207"
    Quand l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre refusée"
    Alors le logiciel signale que la PFI a répondu "AE" au document "Lettre refusée"
    Quand l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre de sortie"
    Alors la PFI a reçu le document "Lettre de sortie" dans un message "MDM^T02" de type "11490-0" en CDA de niveau 1, destiné au DMP
    Quand la PFI renvoie l'accusé métier "ACK_RECEPTION_DMP" négatif "DMPClosed" pour le document "Lettre de sortie"
    Alors le logiciel acquitte l'accusé métier et rapporte au document "Lettre de sortie" : "ACK_RECEPTION_DMP" négatif "DMPClosed"
    Et le dossier de "patiente" montre le document "Lettre de sortie" non versé au DMP

  @CDA/HL7.04 @preuve-logiciel @DPI
  Scénario: Un document reçu par MSSanté et transmis par la PFI est intégré au dossier du patient, ou refusé
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand la PFI transmet au logiciel le compte rendu "Compte rendu du laboratoire" reçu par MSSanté pour "patiente"
    Alors le logiciel acquitte "AA" le message du document "Compte rendu du laboratoire"
    Et le dossier de "patiente" contient le document "Compte rendu du laboratoire" reçu par MSSanté
    Quand la PFI transmet au logiciel le compte rendu "Compte rendu d'un inconnu" reçu par MSSanté pour "adrun-zoe"
    Alors le logiciel refuse le message du document "Compte rendu d'un inconnu" par l'acquittement "AE" avec l'erreur "902"
    Quand la PFI transmet au logiciel le compte rendu "Compte rendu sans INS" reçu par MSSanté pour "patiente" sans son INS
    Alors le logiciel refuse le message du document "Compte rendu sans INS" par l'acquittement "AE" avec l'erreur "903"
    Et le dossier de "patiente" ne contient pas le document "Compte rendu sans INS"

  @DMP/va1.04 @DPI
  Scénario: Le masquage aux professionnels et l'invisibilité au patient choisis partent dans les métadonnées du message
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Résultat sensible" masqué aux professionnels
    Alors la PFI a reçu le document "Résultat sensible" avec les métadonnées "MASQUE_PS=Y, INVISIBLE_PATIENT=N, INVISIBLE_REP_LEGAUX=N, DESTDMP=Y"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Annonce du diagnostic" invisible au patient et à ses représentants légaux
    Alors la PFI a reçu le document "Annonce du diagnostic" avec les métadonnées "MASQUE_PS=N, INVISIBLE_PATIENT=Y, INVISIBLE_REP_LEGAUX=Y, DESTDMP=Y"
    Et les échanges sont conformes
