# language: fr
# Les documents venus du DMP dans le dossier du patient : le banc dépose au DMP des
# exemples de l'ANS comme un autre professionnel les y a mis ; le logiciel les intègre
# (plusieurs à la fois), montre leur origine, trie son dossier par type et par date de
# création, et reconnaît un document déjà intégré. Ce que le logiciel montre est confronté
# à ce que le banc a déposé et à ce que le DMP a servi.
@CDA
Fonctionnalité: Intégration au dossier des documents du DMP

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu de biologie "Bilan du laboratoire" déposé au DMP de "patiente" par "dr-lemaire"

  @CDA/DD.04 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Un document du DMP déjà intégré est signalé et montré depuis le dossier
    Étant donné un compte rendu en CDA R2 niveau 1 "Compte rendu du spécialiste" déposé au DMP de "patiente" par "dr-bertin"
    Quand l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Bilan du laboratoire" du DMP de "patiente"
    Et l'utilisateur affiche le document "Bilan du laboratoire" du DMP de "patiente"
    Alors le logiciel indique que le document "Bilan du laboratoire" est déjà intégré au dossier et le montre depuis le dossier
    Quand l'utilisateur affiche le document "Compte rendu du spécialiste" du DMP de "patiente"
    Alors le logiciel montre le document "Compte rendu du spécialiste" du DMP, non encore intégré

  @CDA/INT.08 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: L'origine DMP des documents intégrés se voit dans le dossier
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu de consultation"
    Et l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Bilan du laboratoire" du DMP de "patiente"
    Et l'utilisateur affiche les documents du dossier de "patiente"
    Alors le dossier montre le document "Bilan du laboratoire" d'origine DMP
    Et le dossier montre le document "Compte rendu de consultation" d'origine locale

  @CDA/INT.04 @DMP/UX.31 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Les documents produits et importés se trient par type et par date de création
    Étant donné une synthèse médicale "Synthèse de 2020" déposée au DMP de "patiente" par "dr-colin"
    Quand l'utilisateur envoie au DMP de "patiente" un document historique "Consultation de 2022" daté du "2022-06-15"
    Et l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Bilan du laboratoire, Synthèse de 2020" du DMP de "patiente"
    Et l'utilisateur trie les documents du dossier de "patiente" par type
    Alors les documents du dossier sont triés par type
    Quand l'utilisateur trie les documents du dossier de "patiente" par date de création
    Alors les documents du dossier sont triés par date de création

  @CDA/DD.05 @LGC @DPI @RIS
  Scénario: À l'ouverture du dossier, la nouvelle version ou la suppression au DMP d'un document intégré est signalée
    Étant donné une synthèse médicale "Synthèse de 2020" déposée au DMP de "patiente" par "dr-colin"
    Et un compte rendu en CDA R2 niveau 1 "Compte rendu du spécialiste" déposé au DMP de "patiente" par "dr-bertin"
    Quand l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Bilan du laboratoire, Synthèse de 2020, Compte rendu du spécialiste" du DMP de "patiente"
    Et "dr-lemaire" remplace au DMP de "patiente" le document "Bilan du laboratoire" par "Bilan du laboratoire complété"
    Et "dr-colin" supprime du DMP de "patiente" le document "Synthèse de 2020"
    Et l'utilisateur ouvre le dossier de "patiente"
    Alors le logiciel signale une nouvelle version au DMP du document "Bilan du laboratoire" : "Bilan du laboratoire complété"
    Et le logiciel signale la suppression au DMP du document "Synthèse de 2020"
    Et le logiciel ne signale aucun changement au DMP du document "Compte rendu du spécialiste"
    Quand l'utilisateur intègre les documents "Bilan du laboratoire complété" du DMP de "patiente"
    Et l'utilisateur affiche les documents du dossier de "patiente"
    Alors le dossier montre le document "Bilan du laboratoire" d'origine DMP
    Et le dossier montre le document "Bilan du laboratoire complété" d'origine DMP

  @DMP/UX.44 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Les documents intégrés du DMP suivent la conservation et l'archivage des documents du logiciel
    Étant donné la conservation des documents du logiciel paramétrée à "archivage après 7 ans, destruction après 25 ans"
    Quand l'utilisateur envoie au DMP de "patiente" un compte rendu "Compte rendu de consultation"
    Et l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Bilan du laboratoire" du DMP de "patiente"
    Et l'utilisateur affiche les documents du dossier de "patiente"
    Alors le dossier applique au document "Bilan du laboratoire" la conservation paramétrée
    Et le dossier applique au document "Compte rendu de consultation" la conservation paramétrée
