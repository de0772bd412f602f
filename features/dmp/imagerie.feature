# language: fr
# Le compte rendu d'imagerie d'un RIS : produit en CDA R2 niveau 1 avec son PDF, envoyé
# au DMP dès sa validation par le radiologue sauf blocage par l'utilisateur, masqué ou
# rendu invisible selon le paramétrage, nommant ses destinataires et l'adresse MSSanté
# du demandeur, remplacé puis supprimé dans le DMP. Chaque vérification lit le document
# que le DMP a reçu.
@DMP @RIS
Fonctionnalité: Compte rendu d'imagerie et DMP

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-camus" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"

  @DMP/va1.13 @DOC/va1.16
  Scénario: Le compte rendu d'imagerie validé part au DMP sans autre action
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner thoracique" de "patiente"
    Alors le DMP a reçu 1 appel "TD2.1"
    Et le document reçu par le DMP pour "Scanner thoracique" est un CDA de niveau 1 de type "18748-4" sans erreur
    Et les échanges sont conformes

  @DMP/va1.12
  Scénario: L'utilisateur bloque l'alimentation du DMP pour un compte rendu d'imagerie
    Quand l'utilisateur valide le compte rendu d'imagerie "Expertise pour assurance" de "patiente" en bloquant l'alimentation du DMP
    Alors le DMP n'a reçu aucun appel
    Quand l'utilisateur valide le compte rendu d'imagerie "Radiographie du genou" de "patiente"
    Alors le DMP a reçu 1 appel "TD2.1"
    Et le DMP tient le document "Radiographie du genou" au statut "Approved"

  @DMP/va1.14 @DMP/va1.10
  Scénario: Compte rendu d'imagerie masqué aux professionnels selon le paramétrage
    Quand l'utilisateur valide le compte rendu d'imagerie "IRM cérébrale" de "patiente" masqué aux professionnels
    Et l'utilisateur valide le compte rendu d'imagerie "Radiographie du thorax" de "patiente"
    Alors le DMP tient le document "IRM cérébrale" avec la visibilité "masqué aux professionnels"
    Et le DMP tient le document "Radiographie du thorax" sans masquage ni invisibilité
    Et les échanges sont conformes

  @DMP/va1.14 @DMP/va1.10
  Scénario: Compte rendu d'imagerie invisible au patient et à ses représentants légaux selon le paramétrage
    Quand l'utilisateur valide le compte rendu d'imagerie "Échographie" de "patiente" invisible au patient et invisible aux représentants légaux
    Alors le DMP tient le document "Échographie" avec la visibilité "invisible au patient et invisible aux représentants légaux"
    Et les échanges sont conformes

  @DOC/va1.15 @DOC/va1.17
  Scénario: Le compte rendu d'imagerie nomme ses destinataires et l'adresse MSSanté du demandeur
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner abdominal" de "patiente" demandé par "dr-colin" et adressé à "dr-colin, dr-legrand"
    Alors le document reçu par le DMP pour "Scanner abdominal" nomme les destinataires "dr-colin, dr-legrand"
    Et le document reçu par le DMP pour "Scanner abdominal" porte l'adresse MSSanté de son demandeur "dr-colin"
    Et les échanges sont conformes

  @DMP/va1.09
  Scénario: Compte rendu d'imagerie remplacé puis supprimé dans le DMP
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner du rachis" de "patiente"
    Et l'utilisateur remplace le document "Scanner du rachis" du DMP de "patiente" par une nouvelle version "Scanner du rachis corrigé"
    Alors le DMP tient le document "Scanner du rachis" au statut "Deprecated"
    Et le DMP tient le document "Scanner du rachis corrigé" au statut "Approved"
    Quand l'utilisateur supprime le document "Scanner du rachis corrigé" du DMP de "patiente"
    Alors le DMP tient le document "Scanner du rachis corrigé" au statut "Deleted"
    Et les échanges sont conformes

  @DMP/HISTO.01 @preuve-logiciel
  Scénario: Le dossier indique pour chaque compte rendu s'il a été envoyé au DMP
    Quand l'utilisateur valide le compte rendu d'imagerie "Scanner des sinus" de "patiente"
    Et l'utilisateur valide le compte rendu d'imagerie "Expertise médico-légale" de "patiente" en bloquant l'alimentation du DMP
    Et l'utilisateur affiche les documents du dossier de "patiente"
    Alors le dossier montre le document "Scanner des sinus" envoyé au DMP
    Et le dossier montre le document "Expertise médico-légale" non envoyé au DMP
