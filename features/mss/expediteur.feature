# language: fr
# Ce qu'un courriel dit de son expéditeur (référentiel socle MSSanté #2, ECO.2.2.4,
# ECO.2.2.5 et ECO.2.2.7) : la boîte qui envoie et son intitulé, un corps en texte brut
# (ou texte brut et HTML disant la même chose) ; depuis la boîte applicative, une adresse
# de réponse vers une boîte personnelle ou organisationnelle, annoncée à la fin du texte
# avec la mention d'un envoi automatique. L'opérateur du banc vérifie ces règles sur
# chaque courriel ; ces scénarios les montrent une à une.
@MSS
Fonctionnalité: Expéditeur, corps et adresse de réponse des courriels

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @MSS/va1.09 @MSS/va1.11 @MSS/va1.16 @LGC @PFI @RIS @BIO
  Scénario: Un compte rendu part de la boîte applicative : intitulé, texte brut, adresse de réponse et mention d'envoi automatique
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie par messagerie le compte rendu "Compte rendu de consultation" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message vient de la boîte applicative de la structure, avec son intitulé
    Et le corps du message est en texte brut
    Et le message désigne pour les réponses la boîte organisationnelle de la structure
    Et le message se termine par la mention d'un envoi automatique et l'adresse de réponse
    Et les échanges sont conformes

  @MSS/va1.18 @MSS/va1.09 @LGC @PFI @RIS @BIO
  Scénario: Les réponses aux envois automatiques vont à l'adresse paramétrée par la structure
    Étant donné l'adresse de réponse des envois automatiques paramétrée à la boîte de "dr-legrand"
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message désigne pour les réponses la boîte de "dr-legrand"
    Et le message se termine par la mention d'un envoi automatique et l'adresse de réponse
    Et les échanges sont conformes

  @MSS/va1.16 @LGC @RIS
  Scénario: Un message de la boîte personnelle porte les prénom et nom du professionnel
    Quand l'utilisateur envoie par messagerie le message "Information" à "dr-colin" depuis sa boîte personnelle
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message vient de la boîte de "dr-legrand", avec ses prénom et nom
    Et le corps du message est en texte brut
    Et les échanges sont conformes
