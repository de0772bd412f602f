# language: fr
# Les documents produits par le logiciel : CDA R2 niveau 1 avec son PDF (annexe 3), le
# VSM en niveau 3, et l'INS écrit seulement pour une identité qualifiée.
@CDA
Fonctionnalité: Documents CDA produits par le logiciel

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect

  @DOC.01 @LGC
  Scénario: Compte rendu en CDA R2 niveau 1 avec son PDF
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur produit un compte rendu "Compte rendu de consultation" pour "patiente"
    Alors le document produit est un CDA de niveau 1 sans erreur
    Et le document produit porte l'INS de "adrtrois-dominique"

  @DOC/va1.04 @INS/va1.53 @INS/va1.59 @LGC @DPI @RIS @BIO
  Scénario: Pas d'INS dans le CDA d'une identité non qualifiée
    Étant donné une identité locale "patient" créée avec les traits de "durand-pierre"
    Et l'INS de "patient" récupéré et validé par l'utilisateur
    Quand l'utilisateur produit un compte rendu "Compte rendu de consultation" pour "patient"
    Alors le document produit ne porte pas d'INS
    Et le document produit est un CDA de niveau 1 sans erreur

  @DOC/va1.14 @LGC
  Scénario: Volet de synthèse médicale en CDA R2 niveau 3
    Étant donné un patient "patiente" qualifié avec les traits de "adrtrois-dominique"
    Quand l'utilisateur produit le volet de synthèse médicale de "patiente"
    Alors le document produit est un CDA de niveau 3 sans erreur
    Et le document produit porte l'INS de "adrtrois-dominique"
