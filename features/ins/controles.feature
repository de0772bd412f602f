# language: fr
# Ce que le logiciel doit refuser dans une réponse INSi (règles 11 et 12 du Guide
# d'implémentation de l'INS) et la mise à jour des champs après validation (règle 6).
@INS
Fonctionnalité: Contrôle des réponses INSi avant intégration

  Contexte:
    Étant donné le logiciel configuré pour le banc

  # L'identité locale diffère de celle de l'INSi par un prénom de trop : la recherche
  # la trouve, mais rien ne change avant que l'utilisateur valide.
  @INS/va1.52 @LGC
  Scénario: Les champs ne sont mis à jour qu'après validation
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe" et les prénoms "ZOE MARIE"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et les prénoms de l'identité "patiente" sont "ZOE MARIE"
    Et l'identité "patiente" n'a pas d'INS
    Quand l'utilisateur valide la réponse INSi de "patiente"
    Alors les prénoms de l'identité "patiente" sont "ZOE"
    Et l'identité "patiente" a l'INS "2751263220101" de clé "43"
    Et le statut de l'identité "patiente" est "récupérée"

  @INS/va1.28 @LGC
  Scénario: Refus d'une date de naissance en 00
    Étant donné une identité locale "patient" créée avec les traits de "benali-karim"
    Quand l'utilisateur recherche l'INS de "patient" par ses traits
    Alors le logiciel refuse la réponse INSi
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"
    Et l'identité "patient" n'a pas d'INS
    Et le statut de l'identité "patient" est "provisoire"

  @INS/va1.31 @LGC
  Plan du scénario: Refus d'une réponse au trait <élément> vide
    Étant donné l'INSi renvoie "<élément>" vide pour "adrdeux-camille"
    Et une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel refuse la réponse INSi
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"
    Et l'identité "patiente" n'a pas d'INS

    Exemples:
      | élément      |
      | NomNaissance |
      | ListePrenom  |
      | Sexe         |

  # CNDA TEST_2.08 cas 2 : la clé publiée (60) ne correspond pas au matricule (76).
  @INS/va1.52 @LGC @DPI
  Scénario: INS renvoyé avec une clé fausse
    Étant donné une identité locale "patient" créée avec les traits de "hermann-gatien"
    Quand l'utilisateur recherche l'INS de "patient" par ses traits
    Alors le logiciel refuse la réponse INSi
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"
    Et l'identité "patient" n'a pas d'INS
