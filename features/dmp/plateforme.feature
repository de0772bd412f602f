# language: fr
# La PFI de l'établissement (couloir PFI) : elle reçoit en HL7 v2 (MDM^T02) les documents
# que le DPI, le RIS ou le SGL produisent, les publie au DMP sans action de l'utilisateur
# et renvoie au système émetteur l'accusé métier du DMP (ZAM^Z01) par MLLP. Le banc joue
# l'émetteur : il remet le message au logiciel par son pilote, reçoit l'accusé métier sur
# son point MLLP (`hl7.mllp`) et juge l'alimentation sur ce que le DMP a reçu.
@HL7
Fonctionnalité: La PFI publie au DMP les documents reçus des systèmes producteurs

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @DMP/va1.01 @CDA/HL7.01 @CDA/HL7.02 @PFI
  Scénario: La lettre de liaison reçue du DPI est publiée au DMP sans action de l'utilisateur, et le DPI reçoit l'accusé de réception du DMP
    Quand le DPI transmet à la PFI la lettre de liaison "Lettre de liaison de sortie" de "adrtrois-dominique" à publier au DMP
    Alors le logiciel acquitte "AA" le message du document "Lettre de liaison de sortie"
    Et le DMP tient le document "Lettre de liaison de sortie" au statut "Approved"
    Et le DPI a reçu de la PFI l'accusé métier "ACK_RECEPTION_DMP" positif pour le document "Lettre de liaison de sortie"
    Et les échanges sont conformes

  @CDA/HL7.03 @CDA/HL7.04 @PFI
  Scénario: Le document reçu par MSSanté est transmis au DPI en MDM^T02, et l'accusé du DPI revient à l'expéditeur
    Étant donné le logiciel transmet au DPI en HL7 v2 les documents reçus par MSSanté
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors le DPI a reçu de la PFI un document de type "11502-2" pour l'INS "279035121518989" dans un message "MDM^T02"
    Et l'opérateur a reçu l'accusé "processed" du message "Compte rendu d'exemple"
    Et les échanges sont conformes

  @CDA/HL7.04 @PFI
  Scénario: Le refus du DPI revient à l'expéditeur du courriel avec son code d'erreur
    Étant donné le logiciel transmet au DPI en HL7 v2 les documents reçus par MSSanté
    Et le DPI répond au prochain message "MDM^T02" par l'acquittement "AE" avec l'erreur "902"
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors l'opérateur a reçu l'accusé "Error: 902" du message "Compte rendu d'exemple"
    Et les échanges sont conformes
