# language: fr
# Lire un document CDA depuis le dossier du patient : le banc dépose au DMP un compte
# rendu de niveau 1, un compte rendu de biologie auto-présentable (la feuille de style de
# son producteur le contient) et une synthèse médicale sans feuille de style ; le logiciel
# les intègre, puis les montre depuis son dossier. Ce qu'il montre (en-tête, corps,
# partie narrative de chaque section, feuille de style appliquée) est confronté au
# document que le DMP a servi.
@CDA
Fonctionnalité: Lecture des documents CDA

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Et le consentement de "patiente" à la consultation de son DMP enregistré
    Et un compte rendu en CDA R2 niveau 1 "Compte rendu du spécialiste" déposé au DMP de "patiente" par "dr-bertin"
    Et un compte rendu de biologie auto-présentable "Bilan du laboratoire" déposé au DMP de "patiente" par "dr-lemaire"
    Et une synthèse médicale "Synthèse de 2020" déposée au DMP de "patiente" par "dr-colin"

  @CDA/VISU.01 @CDA/INT.15 @DMP/UX.29 @preuve-logiciel @LGC @DPI @RIS @BIO
  Scénario: Un document intégré se lit depuis le dossier, avec la feuille de style de son producteur ou sinon celle du logiciel
    Quand l'utilisateur consulte le DMP de "patiente"
    Et l'utilisateur intègre les documents "Compte rendu du spécialiste, Bilan du laboratoire, Synthèse de 2020" du DMP de "patiente"
    Et l'utilisateur lit depuis le dossier de "patiente" le document "Compte rendu du spécialiste"
    Alors le logiciel montre l'en-tête et le corps du document
    Et le logiciel applique la feuille de style du consommateur
    Quand l'utilisateur lit depuis le dossier de "patiente" le document "Bilan du laboratoire"
    Alors le logiciel montre l'en-tête et la partie narrative de chaque section du document
    Et le logiciel applique la feuille de style du producteur
    Quand l'utilisateur lit depuis le dossier de "patiente" le document "Synthèse de 2020"
    Alors le logiciel montre l'en-tête et la partie narrative de chaque section du document
    Et le logiciel applique la feuille de style du consommateur

  @CDA/INT.16 @LGC @DPI @RIS @BIO
  Scénario: La feuille de style d'un document produit montre aussi la partie narrative des sections ajoutées
    Quand l'utilisateur envoie au DMP de "patiente" le volet de synthèse médicale auto-présentable "Synthèse du Dr Legrand" avec la section ajoutée "Projet de soins" : "Reprise du sport progressive, revoir dans trois mois"
    Alors le document reçu par le DMP pour "Synthèse du Dr Legrand" est auto-présentable et porte la section ajoutée
    Et la feuille de style du document reçu par le DMP pour "Synthèse du Dr Legrand" montre la partie narrative de chaque section
    Et les échanges sont conformes
    Quand l'utilisateur lit depuis le dossier de "patiente" le document "Synthèse du Dr Legrand"
    Alors le logiciel montre l'en-tête et la partie narrative de chaque section du document
    Et le logiciel applique la feuille de style du producteur
