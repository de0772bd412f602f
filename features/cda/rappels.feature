# language: fr
# Les rappels de mise à jour du volet de synthèse médicale (DOC/va1.11, va1.13) : le site
# règle au bout de combien de mois le dernier VSM d'un patient est à mettre à jour, le
# logiciel liste les VSM concernés, et la liste suit le réglage quand l'utilisateur le
# modifie. Le banc range au dossier des VSM d'âges connus et juge la liste sur ces âges.
@CDA
Fonctionnalité: Rappels de mise à jour du volet de synthèse médicale

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @DOC/va1.11 @DOC/va1.13 @preuve-logiciel @LGC
  Scénario: La liste des VSM à mettre à jour suit la règle de rappel paramétrée, et sa modification
    Étant donné une identité locale "ancien" créée avec les traits de "adrtrois-dominique"
    Et une identité locale "récent" créée avec les traits de "adrtrois-toussaint"
    Et une identité locale "suivi" créée avec les traits de "roux-claire"
    Et le volet de synthèse médicale "VSM de 2 ans" de "ancien" daté d'il y a 24 mois au dossier
    Et le volet de synthèse médicale "VSM de 8 mois" de "ancien" daté d'il y a 8 mois au dossier
    Et le volet de synthèse médicale "VSM de 3 mois" de "récent" daté d'il y a 3 mois au dossier
    Et le volet de synthèse médicale "VSM d'un an" de "suivi" daté d'il y a 12 mois au dossier
    Et le volet de synthèse médicale "VSM du mois" de "suivi" daté d'il y a 1 mois au dossier
    Et les rappels de mise à jour du VSM paramétrés à 6 mois
    Alors la liste des VSM à mettre à jour est "VSM de 8 mois"
    Quand l'utilisateur modifie les rappels de mise à jour du VSM à 2 mois
    Alors la liste des VSM à mettre à jour est "VSM de 8 mois, VSM de 3 mois"
    Quand l'utilisateur modifie les rappels de mise à jour du VSM à 9 mois
    Alors la liste des VSM à mettre à jour est "vide"
