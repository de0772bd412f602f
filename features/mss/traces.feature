# language: fr
# Les traces fonctionnelles des boîtes MSSanté (MSS/CONF.17, CONF.18) : chaque traitement
# sur une boîte et son contenu, avec l'auteur authentifié, l'horodatage du poste, le type
# d'action, la demande faite à l'opérateur et sa réponse, échec compris ; et l'historique
# d'un document reçu jusqu'à son traitement (MSS/UX.37). Le banc confronte ce que le
# logiciel rapporte à ce que l'opérateur a journalisé.
@MSS
Fonctionnalité: Traces des traitements sur les boîtes MSSanté

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @MSS/CONF.17 @MSS/CONF.18 @LGC @PFI @RIS @BIO
  Scénario: Chaque envoi, accepté ou refusé par l'opérateur, est tracé avec sa demande et sa réponse
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Étant donné l'opérateur MSSanté refuse le prochain message avec la réponse "554 5.6.0 Message refusé par l'opérateur"
    Quand l'utilisateur envoie par messagerie le message "Rappel" à "dr-colin"
    Alors le logiciel refuse l'action
    Quand l'utilisateur affiche les traces de messagerie
    Alors chaque message pris ou refusé par l'opérateur est tracé avec son auteur, son horodatage, la demande et la réponse

  @MSS/UX.37 @LGC @DPI @PFI @RIS
  Scénario: L'historique d'un document reçu va de sa réception à son intégration
    Étant donné un patient "patiente" qualifié avec les traits de "pat-trois-dominique"
    Et la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Et l'utilisateur affiche l'historique du message reçu "Compte rendu d'exemple"
    Alors l'historique suit le message de sa réception à son intégration

  @MSS/UX.37 @LGC @DPI @PFI @RIS
  Scénario: L'historique d'un document reçu pour un patient inconnu va de sa réception à son refus
    Étant donné la boîte de la structure reçoit de "dr-colin" le compte rendu d'exemple de l'ANS avec demande d'accusé de réception
    Quand l'utilisateur relève la boîte de la structure
    Et l'utilisateur intègre le document du message "Compte rendu d'exemple"
    Alors le logiciel refuse l'action
    Quand l'utilisateur affiche l'historique du message reçu "Compte rendu d'exemple"
    Alors l'historique suit le message de sa réception à son refus
