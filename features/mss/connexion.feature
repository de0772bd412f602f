# language: fr
# Les connexions à l'opérateur : SMTP et IMAP chiffrés par STARTTLS avant toute
# authentification ; la boîte applicative ouverte par le certificat de la structure,
# la boîte personnelle par le jeton Pro Santé Connect, renouvelé quand il expire ; TLS 1.2
# avec les suites de l'ANSSI, TLS 1.3 quand l'opérateur l'offre.
@MSS
Fonctionnalité: Connexions à l'opérateur MSSanté

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  # La boîte applicative (API LPS, MSS/CONF.12) : TLS avec le certificat ORG AUTH_CLI de
  # la structure, puis PLAIN portant l'adresse de la boîte en identifiant.
  @MSS/CONF.01 @MSS/CONF.03 @MSS/CONF.05 @MSS/va1.03 @MSS/CONF.12 @LGC @PFI @RIS
  Scénario: Envoi et relève chiffrés par STARTTLS, boîte applicative ouverte par certificat
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Et l'utilisateur relève la boîte de la structure
    Alors l'opérateur a reçu les authentifications SMTP et IMAP sous TLS
    Et l'opérateur a ouvert la boîte applicative par le certificat de la structure, son adresse en identifiant PLAIN
    Et l'opérateur a reçu 0 authentification par jeton Pro Santé Connect
    Et les échanges sont conformes

  # Le jeton d'accès PSC vit 2 minutes : la session IMAP ouverte avec lui est fermée et
  # rouverte avec un jeton rafraîchi, jamais prolongée avec un jeton expiré.
  @MSS/CONF.07 @MSS/CONF.08 @MSS/CONF.10 @MSS/CONF.11 @LGC
  Scénario: Boîte personnelle ouverte par le jeton Pro Santé Connect, qui expire en cours de session
    Quand l'utilisateur relève sa boîte personnelle
    Et le temps avance de 5 minutes
    Et l'utilisateur relève sa boîte personnelle
    Et l'utilisateur envoie par messagerie le message "Information" à "dr-colin" depuis sa boîte personnelle
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et l'opérateur a reçu 3 authentifications par jeton Pro Santé Connect
    Et PSC a reçu un rafraîchissement de jeton
    Et les échanges sont conformes

  # L'opérateur présente son certificat serveur de l'IGC Santé et n'offre que TLS 1.2 :
  # le logiciel s'y connecte (ECO.1.1.2, ECO.1.1.4) avec une suite autorisée (ECO.1.1.3).
  @MSS/va1.31 @MSS/va1.06 @LGC @PFI @RIS @BIO
  Scénario: L'opérateur n'accepte que TLS 1.2 : le logiciel s'y connecte avec une suite autorisée
    Étant donné l'opérateur MSSanté n'accepte à la prochaine connexion que TLS 1.2
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et l'opérateur a chiffré la session en TLS 1.2 avec une suite de chiffrement autorisée
    Et les échanges sont conformes

  @MSS/CONF.02 @LGC @PFI @RIS @BIO
  Scénario: L'opérateur n'accepte que TLS 1.3 : le logiciel sait s'en servir
    Étant donné l'opérateur MSSanté n'accepte à la prochaine connexion que TLS 1.3
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et l'opérateur a chiffré la session en TLS 1.3 avec une suite de chiffrement autorisée
    Et les échanges sont conformes

  @MSS/CONF.06 @MSS/va1.04 @LGC
  Scénario: Certificat expiré présenté par l'opérateur : rien n'est envoyé
    Étant donné l'opérateur MSSanté présente à la prochaine connexion un certificat expiré
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors le logiciel signale le certificat refusé de l'opérateur
    Et l'opérateur n'a reçu aucun message
    Et les échanges sont conformes

  @MSS/CONF.06 @LGC
  Scénario: Certificat hors IGC Santé présenté par l'opérateur : rien n'est envoyé
    Étant donné l'opérateur MSSanté présente à la prochaine connexion un certificat hors IGC Santé
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors le logiciel signale le certificat refusé de l'opérateur
    Et l'opérateur n'a reçu aucun message
    Et les échanges sont conformes

  # Plusieurs boîtes configurées ensemble : la personnelle du professionnel (jeton PSC) et
  # l'applicative de la structure (certificat), chacune relevée et lue pour elle-même.
  @MSS/UX.36 @LGC @RIS
  Scénario: La boîte personnelle et celle de la structure sont configurées ensemble et relevées chacune
    Étant donné la boîte de "dr-legrand" reçoit de "dr-colin" le message "Pour vous seul"
    Et la boîte de la structure reçoit de "dr-colin" le message "Pour le cabinet"
    Quand l'utilisateur relève sa boîte personnelle
    Alors le logiciel affiche le message "Pour vous seul" comme venant d'un professionnel
    Quand l'utilisateur relève la boîte de la structure
    Alors le logiciel affiche le message "Pour le cabinet" comme venant d'un professionnel
    Et l'opérateur a ouvert la boîte de "dr-legrand" et celle de la structure
    Et les échanges sont conformes
