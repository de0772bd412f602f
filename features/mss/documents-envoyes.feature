# language: fr
# Ce que devient un document une fois envoyé par messagerie : sa nouvelle version
# l'annule et le remplace et le dit (même setId, version suivante, relatedDocument RPLC,
# la mention dans le document et dans le message) ; sa suppression est annoncée à chacun
# de ses destinataires par un message pré-paramétré ; le compte rendu validé d'un RIS ou
# d'un SGL part de lui-même par la boîte applicative, le partiel d'abord, le complet
# ensuite. Le banc lit chaque message pris par l'opérateur.
@MSS
Fonctionnalité: Versions, suppression et envoi automatique des documents envoyés par messagerie

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"

  @MSS/va1.02 @LGC @RIS
  Scénario: La nouvelle version d'une lettre envoyée annule et remplace la précédente, et le dit
    Quand l'utilisateur envoie par messagerie le compte rendu "Lettre de suivi" de "patiente" à "dr-colin"
    Et l'utilisateur envoie par messagerie une nouvelle version du compte rendu "Lettre de suivi" de "patiente" à "dr-colin"
    Alors le document "Lettre de suivi" envoyé par messagerie annule et remplace le document "Lettre de suivi" envoyé avant : même setId, version suivante et la mention « annule et remplace »
    Et les échanges sont conformes

  @MSS/va1.13 @DPI @PFI
  Scénario: La nouvelle version d'un compte rendu de biologie envoyé annule et remplace la précédente, et le dit
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Bilan lipidique" de "patiente" à "dr-colin"
    Et l'utilisateur envoie par messagerie une nouvelle version du compte rendu de biologie "Bilan lipidique" de "patiente" à "dr-colin"
    Alors le document "Bilan lipidique" envoyé par messagerie annule et remplace le document "Bilan lipidique" envoyé avant : même setId, version suivante et la mention « annule et remplace »
    Et les échanges sont conformes

  @MSS/va1.30 @MSS/va1.37 @LGC @PFI @RIS @BIO
  Scénario: La suppression d'un document envoyé est annoncée à chacun de ses destinataires
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Glycémie" de "patiente" à "dr-colin et dr-bertin"
    Et l'utilisateur avertit par messagerie les destinataires du document "Glycémie" de "patiente" de sa suppression
    Alors chacun des destinataires du document "Glycémie" a reçu l'avis de sa suppression
    Et les échanges sont conformes

  @MSS/va1.21 @MSS/va1.29 @RIS
  Scénario: Le compte rendu d'imagerie validé part de lui-même par la boîte applicative vers son destinataire
    Étant donné l'envoi automatique par messagerie des comptes rendus validés activé dans le logiciel
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner thoracique" de "patiente" demandé par "dr-legrand" et adressé à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message vient de la boîte applicative de la structure, avec son intitulé
    Et le message joint le PDF et une archive IHE_XDM conforme pour "patiente"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "18748-4"
    Et les échanges sont conformes

  @MSS/va1.21 @MSS/va1.32 @MSS/va1.35 @BIO
  Scénario: Le compte rendu de biologie partiel part de lui-même, puis le complet qui l'annule et le remplace
    Étant donné l'envoi automatique par messagerie des comptes rendus validés activé dans le logiciel
    Quand l'utilisateur valide le compte rendu de biologie partiel "NFS partielle" de "patiente" demandé par "dr-legrand" et adressé à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le compte rendu "NFS partielle" envoyé par messagerie est partiel
    Quand l'utilisateur complète le compte rendu de biologie "NFS partielle" de "patiente" par la version "NFS complète"
    Alors le compte rendu "NFS complète" envoyé par messagerie est complet
    Et le document "NFS complète" envoyé par messagerie annule et remplace le document "NFS partielle" envoyé avant : même setId, version suivante et la mention « annule et remplace »
    Et les échanges sont conformes
