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
