# language: fr
# L'alimentation du DMP : envoi, nouvelle version, suppression, masquage et visibilité,
# sans demander d'autorisation d'accès ; l'opposition du patient respectée ; les
# documents historiques.
@DMP
Fonctionnalité: Alimentation du DMP

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @DMP/va1.16 @LGC
  Scénario: Remplacement puis suppression d'un document
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu"
    Et l'utilisateur remplace le document "Compte rendu" du DMP de "patiente" par une nouvelle version "Compte rendu corrigé"
    Alors le DMP tient le document "Compte rendu" au statut "Deprecated"
    Et le DMP tient le document "Compte rendu corrigé" au statut "Approved"
    Quand l'utilisateur supprime le document "Compte rendu corrigé" du DMP de "patiente"
    Alors le DMP tient le document "Compte rendu corrigé" au statut "Deleted"
    Et les échanges sont conformes

  @DMP/va1.17 @LGC
  Scénario: Document masqué aux autres professionnels
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Résultat sensible" masqué aux professionnels
    Et l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu courant"
    Et le professionnel "dr-colin" se connecte avec Pro Santé Connect
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche les documents "Compte rendu courant"
    Et le DMP tient le document "Résultat sensible" avec la visibilité "masqué aux professionnels"
    Et les échanges sont conformes

  @DMP/va1.17 @LGC
  Scénario: Document rendu invisible au patient et à ses représentants légaux
    Étant donné un patient "enfant" qualifié avec les traits de "ecetinsi-pierre-alain"
    Quand l'utilisateur envoie au DMP de "enfant" un compte rendu "Annonce diagnostique"
    Et l'utilisateur rend le document "Annonce diagnostique" du DMP de "enfant" "invisible au patient et invisible aux représentants légaux"
    Alors le DMP tient le document "Annonce diagnostique" avec la visibilité "invisible au patient et invisible aux représentants légaux"
    Et les échanges sont conformes

  @DMP/CONF.05 @LGC
  Scénario: Alimenter et supprimer sans autorisation d'accès, consulter non
    Étant donné un patient "patiente" qualifié avec les traits de "adrdeux-camille"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu"
    Et l'utilisateur supprime le document "Compte rendu" du DMP de "patiente"
    Et l'utilisateur consulte le DMP de "patiente" sans confirmer l'autorisation d'accès
    Alors le logiciel refuse l'action
    Et le DMP a reçu 0 appel "TD0.3"
    Et le DMP a reçu 0 appel "TD3.1"
    Et les échanges sont conformes

  @DMP/CONF.09 @LGC
  Scénario: Opposition du patient à l'alimentation de son DMP
    Étant donné un patient "patiente" qualifié avec les traits de "roux-claire"
    Et l'opposition de "patiente" à l'alimentation de son DMP enregistrée
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel

  @DMP/HISTO.03 @LGC @DPI
  Scénario: Document historique avec sa date métier
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur envoie au DMP de "patiente" un document historique "Compte rendu 2019" daté du "2019-03-15"
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche le document "Compte rendu 2019" daté du "2019-03-15"
    Et les échanges sont conformes

  @DMP/HISTO.04 @LGC @DPI
  Scénario: Document historique dont l'auteur a quitté la structure
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Quand l'utilisateur envoie au DMP de "patiente" un document historique "Ancien compte rendu" dont l'auteur a quitté la structure
    Et l'utilisateur consulte le DMP de "patiente"
    Alors le logiciel affiche le document "Ancien compte rendu" sans auteur personne physique
    Et les échanges sont conformes

  @DMP/HISTO.05 @LGC @DPI
  Scénario: Pas d'alimentation sans INS qualifiée
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu"
    Alors le logiciel refuse l'action
    Et le DMP n'a reçu aucun appel

  @DMP/va1.16 @LGC
  Scénario: DMP fermé : l'envoi est refusé et l'erreur affichée
    Étant donné un patient "patient" qualifié avec les traits de "le-goff-yann"
    Quand l'utilisateur envoie au DMP de "patient" un compte rendu "Compte rendu"
    Alors le logiciel affiche l'erreur du DMP "DMPClosed"

  @DMP/CONF.03 @LGC @DPI @RIS @BIO
  Scénario: Un document envoyé par erreur est supprimé du DMP par l'utilisateur
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu d'un autre patient"
    Et l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu du jour"
    Et l'utilisateur supprime le document "Compte rendu d'un autre patient" du DMP de "patiente"
    Alors le DMP tient le document "Compte rendu d'un autre patient" au statut "Deleted"
    Et le DMP tient le document "Compte rendu du jour" au statut "Approved"
    Et les échanges sont conformes

  @DMP/CONF.03 @preuve-attestée @LGC @DPI @RIS @BIO
  Scénario: La procédure de suppression d'un document du DMP est documentée
    Quand l'éditeur fournit la documentation "procédure de suppression d'un document du DMP"
    Alors la documentation fournie est enregistrée au journal avec son empreinte et couvre "suppression, DMP, document"

  @DMP/HISTO.06 @DPI @RIS @BIO
  Scénario: L'alimentation en masse des documents historiques applique ses filtres et sa vitesse
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et un patient "opposant" qualifié avec les traits de "adrdeux-camille"
    Et un patient "défunt" qualifié avec les traits de "schmidt-anna"
    Et une identité locale "provisoire" créée avec les traits de "dubois-camille"
    Et l'opposition de "opposant" à l'alimentation de son DMP enregistrée
    Et le décès de "défunt" le "2024-02-01" enregistré dans le logiciel
    Et un compte rendu "Compte rendu déjà envoyé" envoyé au DMP de "patiente"
    Et le compte rendu "Consultation de 2023" de "patiente" daté du "2023-03-10" conservé dans le dossier sans être envoyé au DMP
    Et le compte rendu "Consultation de 2021" de "patiente" daté du "2021-09-21" conservé dans le dossier sans être envoyé au DMP
    Et le compte rendu "Consultation de 2015" de "patiente" daté du "2015-05-02" conservé dans le dossier sans être envoyé au DMP
    Et le volet de synthèse médicale "Synthèse de 2022" de "patiente" daté du "2022-01-12" conservé dans le dossier sans être envoyé au DMP
    Et le compte rendu "Consultation de l'opposant" de "opposant" daté du "2023-04-01" conservé dans le dossier sans être envoyé au DMP
    Et le compte rendu "Consultation du défunt" de "défunt" daté du "2023-05-01" conservé dans le dossier sans être envoyé au DMP
    Et le compte rendu "Consultation non qualifiée" de "provisoire" daté du "2023-06-01" conservé dans le dossier sans être envoyé au DMP
    Quand l'utilisateur alimente le DMP avec les comptes rendus historiques datés depuis le "2020-01-01", 4 documents par seconde au plus
    Alors l'alimentation en masse a envoyé au DMP exactement les documents "Consultation de 2023, Consultation de 2021"
    Et les envois de l'alimentation en masse respectent la vitesse maximale
    Et le logiciel a écarté de l'alimentation en masse :
      | document                   | motif             |
      | Compte rendu déjà envoyé   | déjà envoyé       |
      | Consultation de 2015       | hors période      |
      | Synthèse de 2022           | type              |
      | Consultation de l'opposant | opposition        |
      | Consultation du défunt     | décès             |
      | Consultation non qualifiée | INS non qualifiée |
    Et les échanges sont conformes

  @DMP/HISTO.07 @DMP/HISTO.08 @DMP/HISTO.09 @preuve-logiciel @DPI @BIO
  Scénario: L'indicateur mensuel des séjours dont un document historique a été versé au DMP
    Étant donné un patient "alimenté" qualifié avec les traits de "adrtrois-dominique"
    Et un patient "en attente" qualifié avec les traits de "adrtrois-toussaint"
    Et un patient "ancien" qualifié avec les traits de "roux-claire"
    Et un patient "nouveau" qualifié avec les traits de "pat-trois-dominique"
    Et un séjour antérieur de "alimenté" terminé il y a 2 ans
    Et un document du séjour d'il y a 2 ans de "alimenté", "Compte rendu d'hospitalisation 1", envoyé au DMP
    Et un séjour antérieur de "en attente" terminé il y a 3 ans
    Et un document du séjour d'il y a 3 ans de "en attente", "Compte rendu d'hospitalisation 2", gardé au dossier sans envoi
    Et un séjour antérieur de "ancien" terminé il y a 6 ans
    Et un document du séjour d'il y a 6 ans de "ancien", "Compte rendu d'hospitalisation 3", envoyé au DMP
    Et un séjour de "alimenté" clôturé il y a 3 mois
    Et un séjour de "alimenté" clôturé le mois dernier
    Et un séjour de "en attente" clôturé le mois dernier
    Et un séjour de "ancien" clôturé le mois dernier
    Et un séjour de "nouveau" clôturé le mois dernier
    Quand l'utilisateur affiche l'indicateur d'alimentation historique du mois dernier
    Alors l'indicateur compte 2 séjours dont 1 avec un document historique versé au DMP, soit 50 %
    Et les échanges sont conformes
