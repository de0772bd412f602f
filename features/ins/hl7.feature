# language: fr
# Les messages HL7 v2 du domaine d'identification : l'INS dans le segment PID (annexe
# CI-SIS « Prise en charge de l'INS dans les standards d'interopérabilité », extension
# française d'IHE PAM) — en PID-3 le matricule INS et sa clé, l'OID de l'INS en autorité
# d'affectation et le type d'identifiant INS ; en PID-32 VALI pour une identité dont
# l'INS est qualifié. Le banc donne le message entrant au logiciel par son pilote et lit
# le message sortant que le logiciel produit.
@INS
Fonctionnalité: L'INS dans les messages HL7 v2

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.61 @INS/va1.71 @DPI @BIO
  Scénario: Le message HL7 v2 sortant porte l'INS qualifié dans le segment PID
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Quand le logiciel émet le message HL7 v2 "ADT^A31" de "patiente"
    Alors le segment PID du message porte l'INS renvoyé par l'INSi et PID-32 "VALI"

  @INS/va1.62 @INS/va1.67 @INS/va1.68 @INS/va1.73 @preuve-logiciel @DPI @RIS @BIO
  Scénario: Identité créée par un message ADT de son domaine : qualifiée avec l'INS, provisoire sans
    Quand le logiciel reçoit de son domaine d'identification le message "ADT^A28" de création de "adrun-zoe" avec son INS et PID-32 "VALI"
    Alors l'identité créée par le message a l'INS de "adrun-zoe" et le statut "qualifiée"
    Quand le logiciel reçoit de son domaine d'identification le message "ADT^A28" de création de "garnier-lou" sans INS et PID-32 "PROV"
    Alors l'identité créée par le message n'a pas d'INS et a le statut "provisoire"

  @INS/va1.62 @INS/va1.68 @INS/va1.73 @preuve-logiciel @DPI @RIS @BIO
  Scénario: Identité mise à jour puis supprimée par les messages ADT de son domaine
    Quand le logiciel reçoit de son domaine d'identification le message "ADT^A28" de création de "adrdeux-camille" avec son INS et PID-32 "VALI"
    Et le logiciel reçoit de son domaine d'identification le message "ADT^A31" de mise à jour de "adrdeux-camille" au nom utilisé "MARTIN"
    Alors l'identité créée par le message a le nom utilisé "MARTIN"
    Quand le logiciel reçoit de son domaine d'identification le message "ADT^A23" de suppression de "adrdeux-camille"
    Alors le logiciel ne connaît plus l'identité créée par le message

  @INS/va1.16 @INS/va1.69 @INS/va1.72 @preuve-logiciel @PFI @RIS @BIO
  Scénario: Un message HL7 v2 entrant au segment PID portant l'INS qualifié est reçu et montré
    Quand le logiciel reçoit le message "ORM^O01" de "adrtrois-dominique" avec son INS et PID-32 "VALI"
    Alors le logiciel montre le message reçu avec l'INS qualifié de "adrtrois-dominique"
