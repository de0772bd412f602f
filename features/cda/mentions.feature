# language: fr
# Les mentions que portent les documents produits, telles que le site les a paramétrées :
# la mention d'information du patient (RGPD) en bas de page de chaque document, la
# validation automatique d'un examen de biologie, l'accréditation Cofrac et sa marque.
# Chaque vérification lit le document que le DMP a reçu (le récit d'un CDA de niveau 3,
# le PDF d'un niveau 1, dont le bas de page est le sixième inférieur).
@CDA
Fonctionnalité: Mentions paramétrées des documents produits

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"

  @DOC/va1.05 @LGC
  Scénario: La mention d'information du patient paramétrée figure en bas de page des documents envoyés au DMP
    Étant donné le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et la mention d'information du patient paramétrée dans le logiciel : "Vos données sont traitées par le cabinet des Lilas pour votre suivi ; droits d'accès et de rectification auprès du cabinet (RGPD, art. 13)"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu de consultation"
    Et l'utilisateur envoie au DMP de "patiente" le volet de synthèse médicale "Synthèse annuelle"
    Alors le document reçu par le DMP pour "Compte rendu de consultation" porte en bas de page la mention d'information du patient
    Et le document reçu par le DMP pour "Synthèse annuelle" porte en bas de page la mention d'information du patient
    Étant donné la mention d'information du patient paramétrée dans le logiciel : "Information patient du centre de santé Lumière : conservation vingt ans, délégué à la protection des données joignable au secrétariat"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu de contrôle"
    Alors le document reçu par le DMP pour "Compte rendu de contrôle" porte en bas de page la mention d'information du patient
    Et les échanges sont conformes

  @DOC/va1.03 @DPI
  Scénario: La mention d'information du patient paramétrée figure en bas de page de la lettre de liaison
    Étant donné le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et la mention d'information du patient paramétrée dans le logiciel : "Le centre hospitalier traite vos données pour votre prise en charge ; vos droits s'exercent auprès de son délégué à la protection des données"
    Quand l'utilisateur envoie au DMP de "patiente" la lettre de liaison "Lettre de liaison de sortie"
    Alors le document reçu par le DMP pour "Lettre de liaison de sortie" porte en bas de page la mention d'information du patient
    Et les échanges sont conformes

  @DOC/va1.03 @DOC/va1.05 @RIS
  Scénario: La mention d'information du patient paramétrée figure en bas du compte rendu d'imagerie
    Étant donné le professionnel "dr-camus" connecté avec Pro Santé Connect
    Et la mention d'information du patient paramétrée dans le logiciel : "Le centre d'imagerie traite vos données pour votre examen ; droits d'accès et d'opposition auprès du centre"
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner thoracique" de "patiente"
    Alors le document reçu par le DMP pour "Scanner thoracique" porte en bas de page la mention d'information du patient
    Et les échanges sont conformes

  @DOC/va1.03 @DOC/va1.05 @BIO
  Scénario: La mention d'information du patient paramétrée figure en bas du compte rendu de biologie, en CDA R2 niveau 3 et niveau 1
    Étant donné le professionnel "dr-lemaire" connecté avec Pro Santé Connect
    Et la mention d'information du patient paramétrée dans le logiciel : "Le laboratoire traite vos données pour vos analyses ; droits d'accès et de rectification auprès du laboratoire"
    Quand l'utilisateur valide le compte rendu de biologie "Numération formule sanguine" de "patiente"
    Et l'utilisateur valide le compte rendu de biologie "Ionogramme" de "patiente" au format CDA R2 N1
    Alors le document reçu par le DMP pour "Numération formule sanguine" porte en bas de page la mention d'information du patient
    Et le document reçu par le DMP pour "Ionogramme" porte en bas de page la mention d'information du patient
    Et les échanges sont conformes

  @DOC/va1.18 @BIO
  Scénario: Un examen validé automatiquement est mentionné sur le compte rendu de biologie, avec le texte paramétré
    Étant donné le professionnel "dr-lemaire" connecté avec Pro Santé Connect
    Et le texte de validation automatique paramétré dans le logiciel : "Compte rendu validé par un processus automatique, sans revue ultérieure par un biologiste"
    Quand l'utilisateur valide le compte rendu de biologie "Numération du matin" de "patiente" avec un examen validé automatiquement
    Et l'utilisateur valide le compte rendu de biologie "Ionogramme du matin" de "patiente" au format CDA R2 N1 avec un examen validé automatiquement
    Et l'utilisateur valide le compte rendu de biologie "Numération du soir" de "patiente"
    Alors le document reçu par le DMP pour "Numération du matin" porte la mention "Compte rendu validé par un processus automatique, sans revue ultérieure par un biologiste"
    Et le document reçu par le DMP pour "Ionogramme du matin" porte la mention "Compte rendu validé par un processus automatique, sans revue ultérieure par un biologiste"
    Et le document reçu par le DMP pour "Numération du soir" ne porte pas la mention "Compte rendu validé par un processus automatique, sans revue ultérieure par un biologiste"
    Et les échanges sont conformes

  @DOC/va1.29 @BIO
  Scénario: Les examens couverts par l'accréditation Cofrac sont marqués et la mention portée, sur le seul compte rendu qui en a
    Étant donné le professionnel "dr-lemaire" connecté avec Pro Santé Connect
    Et l'accréditation du laboratoire paramétrée dans le logiciel : "Accréditation Cofrac examens médicaux n°8-4521, liste des sites et portée disponibles sur www.cofrac.fr"
    Quand l'utilisateur valide le compte rendu de biologie "Numération accréditée" de "patiente" dont les examens "718-7, 6690-2" sont couverts par l'accréditation
    Et l'utilisateur valide le compte rendu de biologie "Numération hors accréditation" de "patiente"
    Alors le document reçu par le DMP pour "Numération accréditée" porte la mention "Accréditation Cofrac examens médicaux n°8-4521, liste des sites et portée disponibles sur www.cofrac.fr"
    Et le document reçu par le DMP pour "Numération accréditée" porte la mention "Seuls les résultats précédés du signe * sont couverts par l'accréditation"
    Et le document reçu par le DMP pour "Numération accréditée" marque d'un astérisque les seuls examens "718-7, 6690-2"
    Et le document reçu par le DMP pour "Numération hors accréditation" ne porte pas la mention "Accréditation Cofrac examens médicaux n°8-4521, liste des sites et portée disponibles sur www.cofrac.fr"
    Et le document reçu par le DMP pour "Numération hors accréditation" marque d'un astérisque les seuls examens ""
    Et les échanges sont conformes
