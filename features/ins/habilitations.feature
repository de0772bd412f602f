# language: fr
# Les habilitations et la traçabilité des accès (règle 4), le paramétrage des
# justificatifs d'identité et de l'automatisme de validation (règle 19).
@INS
Fonctionnalité: Habilitations, traçabilité des accès et paramétrage des justificatifs

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.32 @LGC @RIS @BIO
  Scénario: Seuls les utilisateurs habilités appellent le téléservice INSi
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'utilisateur "accueil" connecté au logiciel sans le droit "INSi"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel refuse l'action
    Et l'INSi n'a reçu aucun appel
    Étant donné l'utilisateur "secrétariat" connecté au logiciel
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"

  @INS/va1.50 @preuve-logiciel @LGC @RIS @BIO
  Scénario: Un utilisateur sans habilitation n'accède pas à l'identité
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'utilisateur "comptable" connecté au logiciel sans le droit "INS"
    Quand l'utilisateur ouvre la fiche de "patiente"
    Alors le logiciel refuse l'action
    Étant donné l'utilisateur "accueil" connecté au logiciel
    Quand l'utilisateur ouvre la fiche de "patiente"
    Alors la fiche de "patiente" montre les traits de "adrun-zoe"

  @INS/va1.39 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Les accès à l'identité sont tracés avec la date, l'heure et l'utilisateur
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'utilisateur "dr-soin" connecté au logiciel
    Quand l'utilisateur ouvre la fiche de "patiente"
    Étant donné l'utilisateur "accueil" connecté au logiciel
    Quand l'utilisateur ouvre la fiche de "patiente"
    Alors la trace de "patiente" contient la consultation par "dr-soin"
    Et la trace de "patiente" contient la consultation par "accueil"

  @INS/va1.49 @LGC @RIS @BIO
  Scénario: Les appels INSi de plusieurs utilisateurs sont tracés avec chacun d'eux
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et une identité locale "nouveau-né" créée avec les traits de "garnier-lou"
    Et l'utilisateur "accueil" connecté au logiciel
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Étant donné l'utilisateur "secrétariat" connecté au logiciel
    Quand l'utilisateur recherche l'INS de "nouveau-né" par ses traits
    Alors le journal des appels INSi du logiciel attribue les appels à "accueil, secrétariat"

  # Le site paramètre ses justificatifs : la carte de résident devient une pièce à haut
  # niveau de confiance, le titre de séjour n'en est plus une.
  @INS/va1.26 @preuve-logiciel @LGC @RIS @BIO
  Scénario: La liste des justificatifs et leur niveau de confiance se paramètrent
    Étant donné les justificatifs paramétrés "carte de résident" à haut niveau de confiance et "titre de séjour" à faible niveau
    Et une identité locale "résidente" créée avec les traits de "adrun-zoe"
    Et une identité locale "étudiante" créée avec les traits de "adrdeux-camille"
    Quand l'utilisateur enregistre le contrôle de la pièce "carte de résident" de "résidente"
    Et l'utilisateur présente la pièce "titre de séjour" de "étudiante"
    Alors le statut de l'identité "résidente" est "validée"
    Et le statut de l'identité "étudiante" est "provisoire"

  @INS/va1.33 @INS/va1.55 @INS/va1.23 @preuve-logiciel @LGC @RIS @BIO
  Scénario: Automatisme de validation désactivé : la pièce est notée, l'utilisateur valide à la main
    Étant donné la validation automatique sur pièce à haut niveau de confiance désactivée
    Et une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur enregistre le contrôle de la pièce "passeport" de "patiente"
    Alors le statut de l'identité "patiente" est "provisoire"
    Et la fiche de "patiente" a pour justificatif "passeport"
    Quand l'utilisateur valide manuellement l'identité "patiente"
    Alors le statut de l'identité "patiente" est "validée"
