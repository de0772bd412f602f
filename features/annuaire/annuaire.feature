# language: fr
# L'Annuaire Santé : l'adresse MSSanté d'un correspondant cherchée dans l'API FHIR
# nationale (ANN/va1.05, va1.06), l'extraction publique « PS_LibreAcces_Personne_activite »
# intégrée à la demande et à la fréquence paramétrée (ANN/va1.01, va1.04), et les
# utilisateurs et correspondants tenus à jour avec elle (ANN/va1.02, va1.03). Le banc joue
# l'annuaire à partir du monde ; chaque vérification compare ce que montre le logiciel à
# ce que l'annuaire a servi, et exige l'échange qui le fonde.
@ANN
Fonctionnalité: Annuaire Santé

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @ANN/va1.05 @ANN/va1.06 @LGC @DPI @RIS @BIO
  Scénario: L'adresse MSSanté d'un correspondant est cherchée dans l'Annuaire Santé
    Quand l'utilisateur recherche dans l'Annuaire Santé l'adresse MSSanté de "dr-colin"
    Alors le logiciel présente l'adresse MSSanté de "dr-colin" que donne l'Annuaire Santé
    Et les échanges sont conformes

  @ANN/va1.05 @ANN/va1.06 @LGC @DPI @RIS @BIO
  Scénario: Un professionnel sans boîte MSSanté n'en reçoit aucune de l'Annuaire Santé
    Quand l'utilisateur recherche dans l'Annuaire Santé l'adresse MSSanté de "ph-gautier"
    Alors le logiciel ne présente aucune adresse MSSanté pour "ph-gautier"
    Et les échanges sont conformes

  @ANN/va1.05 @ANN/va1.06 @LGC @DPI @RIS @BIO
  Scénario: Une boîte MSSanté fermée n'est plus proposée
    Étant donné la boîte MSSanté de "dr-camus" fermée dans l'Annuaire Santé
    Quand l'utilisateur recherche dans l'Annuaire Santé l'adresse MSSanté de "dr-camus"
    Alors le logiciel ne présente aucune adresse MSSanté pour "dr-camus"
    Et les échanges sont conformes

  @ANN/va1.01 @LGC @DPI @RIS @BIO @preuve-logiciel
  Scénario: L'extraction publique de l'Annuaire Santé est intégrée
    Quand le logiciel intègre l'extraction publique de l'Annuaire Santé
    Alors le logiciel connaît "dr-colin" comme l'Annuaire Santé le publie
    # Deux structures d'exercice, l'une libérale, l'autre salariée.
    Et le logiciel connaît "dr-bertin" comme l'Annuaire Santé le publie
    # Un exercice salarié à l'hôpital seulement.
    Et le logiciel connaît "dr-camus" comme l'Annuaire Santé le publie
    Et le logiciel connaît "ph-gautier" comme l'Annuaire Santé le publie

  @ANN/va1.02 @LGC @DPI @RIS @BIO @preuve-logiciel
  Scénario: Un utilisateur du logiciel renommé dans l'Annuaire Santé l'est dans le logiciel
    Étant donné le logiciel a intégré l'extraction publique de l'Annuaire Santé
    Et "dr-legrand" exerce désormais sous le nom "LEGRAND-MARTIN" selon l'Annuaire Santé
    Quand le logiciel intègre l'extraction publique de l'Annuaire Santé
    Alors le logiciel connaît "dr-legrand" comme l'Annuaire Santé le publie

  @ANN/va1.03 @LGC @DPI @RIS @BIO @preuve-logiciel
  Scénario: Un correspondant renommé dans l'Annuaire Santé l'est dans le logiciel
    Étant donné le logiciel a intégré l'extraction publique de l'Annuaire Santé
    Et "sf-blanc" exerce désormais sous le nom "BLANC-ROUX" selon l'Annuaire Santé
    Quand le logiciel intègre l'extraction publique de l'Annuaire Santé
    Alors le logiciel connaît "sf-blanc" comme l'Annuaire Santé le publie

  @ANN/va1.04 @LGC @DPI @RIS @BIO @preuve-logiciel
  Scénario: L'extraction est intégrée de nouveau à la fréquence paramétrée
    Étant donné la fréquence d'intégration de l'Annuaire Santé paramétrée à 24 heures dans le logiciel
    Et le logiciel a intégré l'extraction publique de l'Annuaire Santé
    Et "dr-colin" exerce désormais sous le nom "COLIN-MARTY" selon l'Annuaire Santé
    Quand le temps avance de 25 heures
    Alors le logiciel a téléchargé l'extraction de l'Annuaire Santé 2 fois
    Et le logiciel connaît "dr-colin" comme l'Annuaire Santé le publie
