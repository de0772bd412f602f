# language: fr
# Récupération de l'INS par le téléservice INSi (Guide d'implémentation de l'INS,
# règles 37 et suivantes), avec les identités publiées pour la qualification INSi et
# les cas du CNDA.
@INS
Fonctionnalité: Récupération de l'INS par le téléservice INSi

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.38 @LGC @DPI
  Scénario: Recherche par traits : une identité trouvée (00)
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"
    Et les échanges sont conformes

  @INS/va1.38 @LGC @DPI
  Scénario: Recherche par traits : aucune identité (01)
    Étant donné une identité locale "nouveau-né" créée avec les traits de "garnier-lou"
    Quand l'utilisateur recherche l'INS de "nouveau-né" par ses traits
    Alors le logiciel indique "aucune identité trouvée"
    Et l'INSi a répondu "01" à l'appel "rechercherInsAvecTraitsIdentite"
    Et le statut de l'identité "nouveau-né" est "provisoire"
    Et l'identité "nouveau-né" n'a pas d'INS

  @INS/va1.38 @LGC @DPI
  Scénario: Recherche par traits : plusieurs identités (02)
    Étant donné une identité locale "homonyme" créée avec les traits de "de-vinci-leonardo-florence" sans lieu de naissance connu
    Quand l'utilisateur recherche l'INS de "homonyme" par ses traits
    Alors le logiciel indique "plusieurs identités trouvées"
    Et l'INSi a répondu "02" à l'appel "rechercherInsAvecTraitsIdentite"
    Et l'identité "homonyme" n'a pas d'INS

  @INS/va1.38 @LGC @RIS @BIO
  Scénario: Recherche par carte Vitale
    Étant donné une identité locale "assuré" créée avec les traits de "adrtrois-toussaint"
    Quand l'utilisateur recherche l'INS de "assuré" avec la carte Vitale de "adrtrois-toussaint"
    Alors le logiciel indique "une identité trouvée"
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecCarteVitale"
    Et les échanges sont conformes

  # TLSI: la patiente est connue de l'INSi sous CATARINA BELLA ; le logiciel a saisi
  # OLA CATARINA. Tous les prénoms ensemble donnent 01 : il faut essayer chacun.
  @INS/va1.38 @LGC @DPI
  Scénario: Nouvel essai avec chacun des prénoms
    Étant donné une identité locale "patiente" créée avec les traits de "tchitchi-catarina" et les prénoms "OLA CATARINA"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et l'INSi a reçu 3 appels "rechercherInsAvecTraitsIdentite"
    Et l'INSi a répondu "00" à l'appel "rechercherInsAvecTraitsIdentite"

  @INS/va1.38 @LGC @DPI
  Scénario: Identité née en Corse
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors l'identité "patiente" a l'INS "297022A020778" de clé "78"
    Et le statut de l'identité "patiente" est "récupérée"

  @INS/va1.38 @LGC @DPI
  Scénario: Réponse avec un NIA
    Étant donné une identité locale "patient" créée avec les traits de "provisoire-matricule"
    Quand l'utilisateur recherche l'INS de "patient" par ses traits
    Et l'utilisateur valide la réponse INSi de "patient"
    Alors la nature de l'INS de "patient" est "NIA"

  @INS/va1.38 @LGC @DPI
  Scénario: Historique des INS
    Étant donné une identité locale "patiente" créée avec les traits de "dubois-camille"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors l'identité "patiente" a l'INS "2830867482090" de clé "69"
    Et l'historique INS de "patiente" contient le matricule "2830867482089"

  # Le nom de naissance part tel quel : apostrophe, double tiret et espaces compris.
  @INS/va1.38 @LGC @DPI
  Plan du scénario: Les traits envoyés à l'INSi sont ceux de l'identité <patient>
    Étant donné une identité locale "patient" créée avec les traits de "<patient>"
    Quand l'utilisateur recherche l'INS de "patient" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et l'INSi a reçu les traits de l'identité "patient"

    Exemples:
      | patient           |
      | d-almeida-joao    |
      | martin-durand-lea |
      | le-goff-yann      |

  # Trois prénoms dont un composé : le logiciel les garde comme une liste de trois.
  @INS/va1.52 @LGC @DPI
  Scénario: Après validation, les traits sont ceux de l'INSi, champ par champ
    Étant donné une identité locale "patient" créée avec les traits de "ecetinsi-pierre-alain"
    Quand l'utilisateur recherche l'INS de "patient" par ses traits
    Et l'utilisateur valide la réponse INSi de "patient"
    Alors les traits de l'identité "patient" sont ceux renvoyés par l'INSi
    Et le statut de l'identité "patient" est "récupérée"

  @INS/va1.14 @LGC
  Scénario: Appel INSi avec le certificat de la structure
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et les appels INSi ont été faits avec le certificat "INSI-AUTO" de la structure "cabinet-lilas"

  # Règle 39 : tout ce que l'INSi renvoie est tracé (code, et pour un 00 le matricule,
  # l'OID, l'historique et les traits de référence).
  @INS/va1.35 @LGC @RIS @BIO
  Scénario: Le journal des appels garde ce que l'INSi a renvoyé à la recherche par carte Vitale
    Étant donné une identité locale "assuré" créée avec les traits de "adrtrois-toussaint"
    Quand l'utilisateur recherche l'INS de "assuré" avec la carte Vitale de "adrtrois-toussaint"
    Alors le journal des appels INSi du logiciel garde le matricule, l'OID, l'historique et les traits renvoyés par l'INSi

  # Règle 6 : le 1er prénom saisi (OLA) n'est pas le début de la liste de l'INSi
  # (CATARINA BELLA) : le logiciel alerte et ne remplace pas le 1er prénom.
  @INS/va1.51 @LGC @RIS @BIO
  Scénario: Premier prénom incohérent avec la liste des prénoms de l'INSi : alerte
    Étant donné une identité locale "patiente" créée avec les traits de "tchitchi-catarina" et les prénoms "OLA CATARINA"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors le logiciel alerte d'une incohérence entre le premier prénom et les prénoms renvoyés par l'INSi
    Et la fiche de "patiente" a le premier prénom de naissance "OLA"
    Et les traits de l'identité "patiente" sont ceux renvoyés par l'INSi

  @INS/va1.51 @LGC @RIS @BIO
  Scénario: Premier prénom cohérent avec la liste des prénoms de l'INSi : pas d'alerte
    Étant donné une identité locale "patiente" créée avec les traits de "ecetinsi-pierre-alain"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Et l'utilisateur valide la réponse INSi de "patiente"
    Alors le logiciel n'alerte d'aucune incohérence du premier prénom
    Et les traits de l'identité "patiente" sont ceux renvoyés par l'INSi
