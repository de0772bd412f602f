# language: fr
# Le professionnel connecté par Pro Santé Connect appelle les services en son nom :
# l'INSi avec son jeton d'accès à côté du certificat de la structure, le DMP avec un
# VIHF à son identifiant national (volet transport PSC du CI-SIS).
@PSC
Fonctionnalité: Appels des services de santé au nom du professionnel connecté par Pro Santé Connect

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/PSC.01 @PSC.10 @LGC @RIS @BIO
  Scénario: Appel INSi authentifié par Pro Santé Connect, l'utilisateur tracé
    Étant donné le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Quand l'utilisateur recherche l'INS de "patiente" par ses traits
    Alors le logiciel indique "une identité trouvée"
    Et l'INSi a reçu l'appel authentifié par le jeton Pro Santé Connect de "dr-legrand"
    Et le journal des appels INSi du logiciel indique l'authentification Pro Santé Connect et l'utilisateur "dr-legrand"

  @PSC.10 @DMP/PSC.01 @LGC @RIS @BIO
  Scénario: Les appels INSi et DMP portent le professionnel connecté par Pro Santé Connect
    Étant donné le professionnel "dr-colin" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Alors l'INSi a reçu l'appel authentifié par le jeton Pro Santé Connect de "dr-colin"
    Quand l'utilisateur ouvre le dossier de "patiente"
    Alors le VIHF du dernier appel au DMP porte l'identifiant national de "dr-colin"
