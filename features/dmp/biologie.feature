# language: fr
# Le compte rendu d'examens de biologie d'un SGL : produit en CDA R2 niveau 3 (volet
# CR-BIO, résultats codés en LOINC) ou niveau 1 avec son PDF, envoyé au DMP dès sa
# validation sauf blocage, le compte rendu partiel remplacé par le complet, masqué ou
# rendu invisible selon le paramétrage, nommant ses destinataires et l'adresse MSSanté
# du prescripteur. Chaque vérification lit le document que le DMP a reçu.
@DMP @BIO
Fonctionnalité: Compte rendu de biologie et DMP

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-lemaire" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"

  @DOC/va1.30
  Scénario: Le compte rendu de biologie validé part au DMP en CDA R2 niveau 3, résultats en LOINC
    Quand l'utilisateur valide le compte rendu de biologie "Numération formule sanguine" de "patiente"
    Alors le DMP a reçu 1 appel "TD2.1"
    Et le document reçu par le DMP pour "Numération formule sanguine" est un CDA de niveau 3 de type "11502-2" sans erreur
    Et les échanges sont conformes

  @DOC/va1.27
  Scénario: Le compte rendu de biologie en CDA R2 niveau 1 avec son PDF
    Quand l'utilisateur valide le compte rendu de biologie "Ionogramme" de "patiente" au format CDA R2 N1
    Alors le document reçu par le DMP pour "Ionogramme" est un CDA de niveau 1 de type "11502-2" sans erreur
    Et les échanges sont conformes

  @DMP/va1.22
  Scénario: L'utilisateur bloque l'alimentation du DMP pour un compte rendu de biologie
    Quand l'utilisateur valide le compte rendu de biologie "Bilan pour expertise" de "patiente" en bloquant l'alimentation du DMP
    Alors le DMP n'a reçu aucun appel
    Quand l'utilisateur valide le compte rendu de biologie "Bilan lipidique" de "patiente"
    Alors le DMP a reçu 1 appel "TD2.1"
    Et le DMP tient le document "Bilan lipidique" au statut "Approved"

  @DMP/va1.15
  Scénario: Le compte rendu complet remplace dans le DMP le compte rendu partiel
    Quand l'utilisateur valide le compte rendu de biologie partiel "NFS partielle" de "patiente"
    Et l'utilisateur complète le compte rendu de biologie "NFS partielle" de "patiente" par la version "NFS complète"
    Alors le DMP tient le document "NFS partielle" au statut "Deprecated"
    Et le DMP tient le document "NFS complète" au statut "Approved"
    Et le document reçu par le DMP pour "NFS complète" est un CDA de niveau 3 de type "11502-2" sans erreur
    Et les échanges sont conformes

  @DMP/va1.23
  Scénario: Compte rendu de biologie remplacé puis supprimé dans le DMP
    Quand l'utilisateur valide le compte rendu de biologie "Glycémie" de "patiente"
    Et l'utilisateur remplace le document "Glycémie" du DMP de "patiente" par une nouvelle version "Glycémie corrigée"
    Alors le DMP tient le document "Glycémie" au statut "Deprecated"
    Et le DMP tient le document "Glycémie corrigée" au statut "Approved"
    Quand l'utilisateur supprime le document "Glycémie corrigée" du DMP de "patiente"
    Alors le DMP tient le document "Glycémie corrigée" au statut "Deleted"
    Et les échanges sont conformes

  @DOC/va1.24 @DOC/va1.21
  Scénario: Compte rendu de biologie masqué aux professionnels selon le paramétrage
    Quand l'utilisateur valide le compte rendu de biologie "Sérologie" de "patiente" masqué aux professionnels
    Et l'utilisateur valide le compte rendu de biologie "Hémoglobine glyquée" de "patiente"
    Alors le DMP tient le document "Sérologie" avec la visibilité "masqué aux professionnels"
    Et le DMP tient le document "Hémoglobine glyquée" sans masquage ni invisibilité
    Et les échanges sont conformes

  @DOC/va1.24 @DOC/va1.21
  Scénario: Compte rendu de biologie invisible au patient selon le paramétrage
    Quand l'utilisateur valide le compte rendu de biologie "Caryotype" de "patiente" invisible au patient
    Alors le DMP tient le document "Caryotype" avec la visibilité "invisible au patient"
    Et les échanges sont conformes

  @DOC/va1.26 @DOC/va1.28
  Scénario: Le compte rendu de biologie nomme ses destinataires et l'adresse MSSanté du prescripteur
    Quand l'utilisateur valide le compte rendu de biologie "Bilan hépatique" de "patiente" demandé par "dr-legrand" et adressé à "dr-legrand, dr-bertin"
    Alors le document reçu par le DMP pour "Bilan hépatique" nomme les destinataires "dr-legrand, dr-bertin"
    Et le document reçu par le DMP pour "Bilan hépatique" porte l'adresse MSSanté de son demandeur "dr-legrand"
    Et les échanges sont conformes

  @DOC/va1.25 @DOC/va1.34
  Scénario: Le compte rendu de biologie auto-présentable porte la feuille de style du laboratoire, qui en montre tout le récit
    Quand l'utilisateur valide le compte rendu de biologie "Numération auto-présentable" de "patiente" auto-présentable
    Alors le document reçu par le DMP pour "Numération auto-présentable" est auto-présentable
    Et le document reçu par le DMP pour "Numération auto-présentable" est un CDA de niveau 3 de type "11502-2" sans erreur
    Et la feuille de style du document reçu par le DMP pour "Numération auto-présentable" montre la partie narrative de chaque section
    Et les unités des résultats du document reçu par le DMP pour "Numération auto-présentable" sont écrites en UCUM
    Et les échanges sont conformes

  @DOC/va1.23 @preuve-logiciel
  Scénario: L'utilisateur visualise le compte rendu de biologie produit, en CDA R2 niveau 3 et en niveau 1 avec son PDF
    Quand l'utilisateur valide le compte rendu de biologie "Numération du jour" de "patiente"
    Et l'utilisateur valide le compte rendu de biologie "Numération du jour en PDF" de "patiente" au format CDA R2 N1
    Et l'utilisateur lit depuis le dossier de "patiente" le document "Numération du jour"
    Alors le logiciel montre l'en-tête et la partie narrative de chaque section du document
    Quand l'utilisateur lit depuis le dossier de "patiente" le document "Numération du jour en PDF"
    Alors le logiciel montre l'en-tête et le corps du document
