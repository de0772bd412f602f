# language: fr
# Une identité dont l'INS est récupéré : les traits stricts ne sont modifiables que par
# un super utilisateur, ce qui invalide l'INS, rétrograde le statut et se propage
# (règles 26 et 27) ; les traits complémentaires restent modifiables ; toute
# modification est tracée (règle 16).
@INS
Fonctionnalité: Modification des identités

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.18 @LGC @RIS @BIO
  Plan du scénario: Le champ « <champ> » d'une identité récupérée n'est pas modifiable sans habilitation
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Quand l'utilisateur modifie le champ "<champ>" de "patiente" en "<valeur>"
    Alors le logiciel refuse l'action
    Et les traits de l'identité "patiente" sont ceux renvoyés par l'INSi
    Et l'identité "patiente" a l'INS "2751263220101" de clé "43"
    Et le statut de l'identité "patiente" est "récupérée"

    Exemples:
      | champ                | valeur               |
      | nom de naissance     | ADRUN-MARTIN         |
      | prénoms de naissance | ZOE ANNE             |
      | date de naissance    | 1975-12-02           |
      | sexe                 | M                    |
      | lieu de naissance    | 75056                |
      | matricule INS        | 275126322010244      |
      | OID                  | 1.2.250.1.213.1.4.8  |

  @INS/va1.48 @LGC @RIS @BIO
  Scénario: Les traits complémentaires d'une identité récupérée restent modifiables
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Quand l'utilisateur modifie le champ "nom utilisé" de "patiente" en "DUPONT"
    Et l'utilisateur modifie le champ "prénom utilisé" de "patiente" en "ZAZA"
    Alors la fiche de "patiente" a le nom utilisé "DUPONT" et le prénom utilisé "ZAZA"
    Et les traits de l'identité "patiente" sont ceux renvoyés par l'INSi
    Et le statut de l'identité "patiente" est "récupérée"

  # Règle 27 : récupérée → provisoire, qualifiée → validée ; INS et OID invalidés ; la
  # modification part vers les systèmes raccordés (message HL7 ADT A31).
  @INS/va1.60 @LGC @RIS @BIO
  Plan du scénario: Un super utilisateur modifie le nom de naissance d'une identité <statut avant>
    Étant donné une identité locale "patiente" créée avec les traits de "adrdeux-camille"
    Et l'identité "patiente" <préparée>
    Et l'utilisateur "civ" connecté au logiciel avec le profil super utilisateur
    Quand l'utilisateur modifie le champ "nom de naissance" de "patiente" en "ADRDEUX-MARTIN"
    Alors l'identité "patiente" n'a pas d'INS
    Et le statut de l'identité "patiente" est "<statut après>"
    Et le logiciel a propagé la modification de "patiente" par un message HL7 ADT^A31 au nom "ADRDEUX-MARTIN" sans INS

    Exemples:
      | statut avant | préparée                                    | statut après |
      | récupérée    | dont l'INS est récupéré et validé           | provisoire   |
      | qualifiée    | qualifiée avec la pièce "passeport" et l'INSi | validée      |

  @INS/va1.27 @preuve-logiciel @LGC @RIS @BIO
  Scénario: Les modifications d'une identité sont tracées avec la date, l'heure et l'utilisateur
    Étant donné une identité locale "patient" créée avec les traits de "garnier-lou"
    Et l'utilisateur "accueil" connecté au logiciel
    Quand l'utilisateur modifie le champ "prénom utilisé" de "patient" en "LOULOU"
    Et l'utilisateur modifie le champ "nom de naissance" de "patient" en "GARNIER-ROUX"
    Alors la trace de "patient" contient la modification du champ "prénom utilisé" par "accueil"
    Et la trace de "patient" contient la modification du champ "nom de naissance" par "accueil"
    Et la fiche de "patient" a le nom de naissance "GARNIER-ROUX"
