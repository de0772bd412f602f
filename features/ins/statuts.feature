# language: fr
# Les statuts du RNIV (Provisoire, Récupérée, Validée, Qualifiée), les attributs
# douteuse et fictive, et la vérification de l'INS (règles 20, 21, 25, 48, 49).
@INS
Fonctionnalité: Statuts de l'identité et vérification de l'INS

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.54 @INS/va1.40 @INS/va1.45 @LGC @DPI @RIS @BIO
  Scénario: Qualification : pièce d'identité et INSi
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Alors le statut de l'identité "patiente" est "provisoire"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors le statut de l'identité "patiente" est "récupérée"
    Quand l'utilisateur enregistre le contrôle de la pièce "carte d'identité" de "patiente"
    Alors le statut de l'identité "patiente" est "qualifiée"

  # La pièce seule valide l'identité, sans appel INSi ; l'INS récupéré ensuite la qualifie.
  @INS/va1.54 @INS/va1.43 @INS/va1.55 @LGC @DPI @RIS @BIO
  Scénario: Pièce d'identité sans INSi : identité validée, puis qualifiée par l'INSi
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur enregistre le contrôle de la pièce "passeport" de "patiente"
    Alors le statut de l'identité "patiente" est "validée"
    Et l'INSi n'a reçu aucun appel
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors le statut de l'identité "patiente" est "qualifiée"
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"

  # Carte Vitale et permis de conduire ne sont pas des pièces à haut niveau de confiance.
  @INS/va1.54 @LGC @DPI
  Plan du scénario: La pièce « <pièce> », de faible niveau de confiance, ne qualifie pas l'identité
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Quand l'utilisateur présente la pièce "<pièce>" de "patiente"
    Alors le statut de l'identité "patiente" est "récupérée"

    Exemples:
      | pièce              |
      | carte Vitale       |
      | permis de conduire |

  @INS/va1.44 @LGC
  Plan du scénario: Identité <attribut> : le statut redevient provisoire
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Quand l'utilisateur marque l'identité "patiente" comme <attribut>
    Alors le statut de l'identité "patiente" est "provisoire"
    Et l'historique des statuts de "patiente" contient "qualifiée"

    Exemples:
      | attribut |
      | douteuse |
      | fictive  |

  @INS/va1.20 @LGC
  Plan du scénario: Pas d'appel INSi pour une identité <attribut>
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" marquée comme <attribut>
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel refuse l'action
    Et l'INSi n'a reçu aucun appel
    # Témoin : la même recherche pour une identité sans attribut part bien à l'INSi.
    Étant donné une identité locale "témoin" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur recherche l'INS de "témoin" par ses traits
    Alors le logiciel indique "une identité trouvée"

    Exemples:
      | attribut |
      | douteuse |
      | fictive  |

  @INS/va1.38 @LGC
  Scénario: Traçabilité des appels de récupération
    Étant donné une identité locale "assuré" créée avec les traits de "adrtrois-toussaint"
    Et une identité locale "nouveau-né" créée avec les traits de "garnier-lou"
    Quand l'utilisateur recherche l'INS de "assuré" avec la carte Vitale de "adrtrois-toussaint"
    Et l'utilisateur recherche l'INS de "nouveau-né" par ses traits
    Alors le journal des appels INSi du logiciel liste "recuperation_vitale 00, recuperation_traits 01"

  @INS/va1.06 @INS/va1.63 @LGC @RIS @BIO
  Scénario: Traçabilité des appels de vérification
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Quand l'utilisateur vérifie l'INS de "patiente"
    Alors le logiciel affiche le résultat de vérification "OK"
    Et l'INSi a reçu 1 appel "verifierInsAvecTraitsIdentite"
    Et le journal des appels INSi du logiciel liste "recuperation_traits 00, verification 00 OK"

  # Le patient n'est plus connu de l'INSi sous ces traits : la vérification est KO.
  @INS/va1.08 @LGC
  Scénario: Vérification KO : INS retiré, statut dégradé
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Et l'INSi ne reconnaît plus "adrdeux-camille"
    Quand l'utilisateur vérifie l'INS de "patiente"
    Alors le logiciel affiche le résultat de vérification "KO"
    Et l'identité "patiente" n'a pas d'INS
    Et le statut de l'identité "patiente" est "validée"

  # Règle 46 : le logiciel peut vérifier en masse les identités auprès de l'INSi.
  @INS/va1.70 @BIO
  Scénario: Vérification en masse des identités qualifiées
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Et une identité locale "assurée" créée avec les traits de "adrun-zoe"
    Et l'identité "assurée" qualifiée avec la pièce "carte d'identité" et l'INSi
    Et l'INSi ne reconnaît plus "adrdeux-camille"
    Quand l'utilisateur lance la vérification en masse des identités
    Alors l'INSi a reçu 2 appels "verifierInsAvecTraitsIdentite"
    Et le logiciel affiche pour chaque identité le résultat de vérification de l'INSi
    Et l'identité "patiente" n'a pas d'INS
    Et le statut de l'identité "assurée" est "qualifiée"

  # Rien à prouver hors du logiciel : l'éditeur remet sa documentation, le banc en garde
  # l'empreinte au journal pour le dossier.
  @INS/va1.42 @preuve-attestée @LGC @RIS @BIO
  Scénario: Chiffrement et suppression à 5 ans des copies de pièces d'identité : documentation
    Quand l'éditeur fournit la documentation "chiffrement et suppression automatique des copies de pièces d'identité"
    Alors la documentation fournie est enregistrée au journal avec son empreinte et couvre "chiffrement, clés, conservation, suppression"
