# language: fr
# Pro Santé Connect : authentification par code (avec PKCE, state et nonce), CIBA,
# rafraîchissement et fin de session (référentiel PSC, exigences EX PSC 01 à 31).
@PSC
Fonctionnalité: Connexion des professionnels par Pro Santé Connect

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @PSC.01 @LGC @DPI
  Scénario: Connexion, déconnexion et reconnexion par Pro Santé Connect
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Alors le logiciel affiche le professionnel "dr-legrand" connecté
    Et PSC a reçu une demande d'autorisation avec PKCE, state et nonce
    Et PSC a délivré les jetons contre le code d'autorisation
    Quand l'utilisateur se déconnecte
    Alors le logiciel n'affiche aucun professionnel connecté
    Et PSC a reçu la fin de session avec le jeton d'identité en indice
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Alors le logiciel affiche le professionnel "dr-legrand" connecté
    Et les échanges sont conformes

  @PSC.08 @DPI @LGC
  Scénario: Niveau d'authentification eidas1 demandé
    Quand le professionnel "dr-bertin" se connecte avec Pro Santé Connect
    Alors le logiciel affiche le professionnel "dr-bertin" connecté
    Et PSC a reçu une demande d'autorisation avec acr_values "eidas1"
    Et les échanges sont conformes

  @PSC.01 @LGC @DPI
  Scénario: Connexion par CIBA sur la carte du professionnel
    Quand le professionnel "dr-colin" se connecte par CIBA en validant sur sa carte
    Alors le logiciel affiche le professionnel "dr-colin" connecté
    Et PSC a reçu une demande CIBA pour "dr-colin" puis l'interrogation du jeton jusqu'à sa validation
    Et les échanges sont conformes

  # Le jeton d'accès PSC vit 2 minutes, la session 30 minutes d'inactivité.
  @PSC.01 @LGC @DPI
  Scénario: Rafraîchissement du jeton d'accès expiré
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Et le temps avance de 5 minutes
    Alors le logiciel affiche le professionnel "dr-legrand" connecté
    Et PSC a reçu un rafraîchissement de jeton
    Et les échanges sont conformes

  # La session SSO de PSC dure au plus 4 heures : après, il faut se réauthentifier.
  @PSC.01 @LGC @DPI
  Scénario: Nouvelle authentification à la fin de la session PSC
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Et le temps avance de 250 minutes
    Alors le logiciel n'affiche aucun professionnel connecté
    Et PSC n'a reçu aucun rafraîchissement de jeton
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Alors le logiciel affiche le professionnel "dr-legrand" connecté
    Et les échanges sont conformes

  # OpenID Connect Core 3.1.2.7 : le state du retour doit être celui de la demande.
  @PSC.01 @LGC @DPI
  Scénario: Un retour de Pro Santé Connect au state étranger est refusé
    Étant donné Pro Santé Connect renvoie à la prochaine connexion un state étranger
    Quand le professionnel "dr-legrand" tente de se connecter avec Pro Santé Connect
    Alors le logiciel refuse la connexion
    Et PSC n'a délivré aucun jeton contre un code d'autorisation
    Et le logiciel n'affiche aucun professionnel connecté

  # OpenID Connect Core 3.1.3.7 : le nonce de l'ID token doit être celui de la demande.
  @PSC.01 @LGC @DPI
  Scénario: Un ID token au nonce étranger est refusé
    Étant donné Pro Santé Connect renvoie à la prochaine connexion un ID token au nonce étranger
    Quand le professionnel "dr-legrand" tente de se connecter avec Pro Santé Connect
    Alors le logiciel refuse la connexion
    Et le logiciel n'affiche aucun professionnel connecté

  # La signature de l'ID token se vérifie avec la clé du JWKS de PSC.
  @PSC.01 @LGC @DPI
  Scénario: Un ID token mal signé est refusé
    Étant donné Pro Santé Connect renvoie à la prochaine connexion un ID token mal signé
    Quand le professionnel "dr-legrand" tente de se connecter avec Pro Santé Connect
    Alors le logiciel refuse la connexion
    Et le logiciel n'affiche aucun professionnel connecté

  # Exigence EX PSC 19 : le compte local et l'identité PSC sont rapprochés autour du
  # RPPS (SubjectNameID) ; ensuite chaque moyen d'authentification ouvre le même compte.
  @PSC.02 @LGC @DPI @PFI @RIS @BIO @DB
  Scénario: Le compte local rapproché du RPPS est le même par Pro Santé Connect et par mot de passe
    Étant donné le compte local "legrand" du logiciel, ouvert par mot de passe
    Quand le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Et l'utilisateur rapproche son compte local de son identité Pro Santé Connect
    Et l'utilisateur se déconnecte
    Et le professionnel "dr-legrand" se connecte avec Pro Santé Connect
    Alors le logiciel ouvre le compte local "legrand" pour "dr-legrand"
    Quand l'utilisateur se déconnecte
    Et l'utilisateur ouvre le compte local "legrand" par mot de passe
    Alors le compte local "legrand" est rapproché de l'identifiant national de "dr-legrand"
    Quand l'utilisateur se déconnecte
    Et le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Alors le logiciel n'ouvre pas le compte local "legrand" pour "dr-colin"
