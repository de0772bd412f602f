# language: fr
# Le référentiel d'identités du logiciel : les champs de l'identité (règle 1 du Guide
# d'implémentation de l'INS), les traits obligatoires et facultatifs à la création
# (règle 5), le statut provisoire par défaut (règle 20) et la recherche d'antériorité
# par date de naissance, par nom et par matricule INS (règle 17).
@INS
Fonctionnalité: Création et recherche des identités dans le référentiel du logiciel

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.56 @INS/va1.01 @LGC @DPI @RIS @BIO
  Scénario: La fiche enregistre les dix champs de l'identité, l'INS et l'OID de l'INSi
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Alors la fiche de "patiente" a les champs matricule INS, OID, nom de naissance, prénoms de naissance, premier prénom de naissance, date de naissance, sexe, lieu de naissance, nom utilisé et prénom utilisé
    Et la fiche de "patiente" porte le matricule INS et l'OID renvoyés par l'INSi

  # Règle 5 : nom de naissance, 1er prénom de naissance, date de naissance, sexe et code
  # lieu de naissance sont obligatoires (99999 quand le lieu n'est pas connu).
  @INS/va1.21 @preuve-logiciel @LGC @RIS @BIO
  Plan du scénario: Pas de création d'identité sans <trait>
    Quand l'utilisateur crée l'identité "incomplète" avec les traits de "adrun-zoe" sans <trait>
    Alors le logiciel refuse l'action
    Quand l'utilisateur crée l'identité "complète" avec les traits de "adrun-zoe"
    Alors la recherche des identités nées comme "adrun-zoe" trouve "complète"

    Exemples:
      | trait                       |
      | nom de naissance            |
      | premier prénom de naissance |
      | date de naissance           |
      | sexe                        |
      | lieu de naissance           |

  @INS/va1.22 @INS/va1.45 @preuve-logiciel @LGC @RIS @BIO
  Scénario: Les seuls traits obligatoires suffisent à créer une identité, provisoire par défaut
    Quand l'utilisateur crée l'identité "patiente" avec les seuls traits obligatoires de "adrun-zoe"
    Alors la fiche de "patiente" montre les traits de "adrun-zoe"
    Et le statut de l'identité "patiente" est "provisoire"

  # Trois identités dont deux nées le même jour ; « paul » porte MARTIN en nom utilisé :
  # la recherche sur le début du nom regarde le nom de naissance et le nom utilisé.
  @INS/va1.02 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Recherche d'antériorité par la date de naissance, complétée du début du nom
    Étant donné les identités locales suivantes :
      | identité | nom de naissance | prénoms | sexe | date de naissance | lieu de naissance | nom utilisé |
      | léa      | MARTIN           | LEA     | F    | 1988-04-12        | 75056             |             |
      | paul     | DURAND           | PAUL    | M    | 1988-04-12        | 69123             | MARTIN      |
      | anne     | MARTIN           | ANNE    | F    | 1990-07-01        | 75056             |             |
    Quand l'utilisateur recherche les identités nées le "1988-04-12"
    Alors la recherche trouve "léa, paul"
    Quand l'utilisateur recherche les identités nées le "1988-04-12" au nom commençant par "MAR"
    Alors la recherche trouve "léa, paul"
    Quand l'utilisateur recherche les identités nées le "1988-04-12" au nom commençant par "dur"
    Alors la recherche trouve "paul"

  @INS/va1.25 @preuve-logiciel @LGC @DPI @RIS @BIO
  Plan du scénario: La recherche d'antériorité ne tient pas compte <de la différence>
    Étant donné les identités locales suivantes :
      | identité | nom de naissance | prénoms | sexe | date de naissance | lieu de naissance | nom utilisé |
      | cible    | <nom enregistré> | LEA     | F    | 1988-04-12        | 75056             |             |
      | autre    | MARTINEZ         | LEA     | F    | 1988-04-12        | 75056             |             |
    Quand l'utilisateur recherche les identités au nom commençant par "<saisie>"
    Alors la recherche trouve "cible"

    Exemples:
      | de la différence   | nom enregistré | saisie         |
      | du tiret           | MARTIN DUPRE   | MARTIN-DUPRE   |
      | du double tiret    | MARTIN DUPRE   | MARTIN--DUPRE  |
      | de l'apostrophe    | N GUESSAN      | N'GUESSAN      |
      | des accents        | MARTIN DUPRE   | Martin Dupré   |
      | de la cédille      | FRANCOIS       | François       |

  # Règle 17 : les 15 caractères du matricule INS, validés par la clé, avant toute
  # recherche.
  @INS/va1.41 @LGC @DPI @RIS @BIO
  Scénario: Recherche d'antériorité par le matricule INS et sa clé
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Et une identité locale "témoin" créée avec les traits de "adrdeux-camille"
    Quand l'utilisateur recherche une identité par l'INS de "patiente"
    Alors la recherche trouve "patiente"
    Quand l'utilisateur recherche une identité par l'INS de "patiente" avec une clé fausse
    Alors le logiciel refuse l'action
    Quand l'utilisateur recherche une identité par l'INS de "patiente" sans sa clé
    Alors le logiciel refuse l'action
