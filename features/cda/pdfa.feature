# language: fr
# Les documents produits en PDF/A-1 (DOC/va1.01, DOC/va1.10) : le PDF que le logiciel
# joint à son courriel à côté de l'archive IHE_XDM est un PDF/A-1 (ISO 19005-1 niveau B :
# en-tête PDF 1.4 et commentaire binaire, identifiant de fichier, XMP pdfaid non filtré et
# d'accord avec les informations du document, polices incorporées, couleur indépendante du
# périphérique ou intention de sortie, ni transparence, ni chiffrement, ni JavaScript, ni
# fichier joint, ni LZW), nommé en .pdf, et pour un CDA de niveau 1, le PDF même que ce CDA
# porte (ECO.2.1.5 du référentiel socle MSSanté #2). La règle de nommage ECO.2.1.6 n'est pas
# dans les faits que le banc a recueillis : il vérifie le nom, l'extension et l'absence de
# chemin, et l'évaluateur lit le nom dans la preuve (le SMTP DATA du journal). Chaque
# vérification lit le message que l'opérateur MSSanté a reçu.
@DOC
Fonctionnalité: Documents produits en PDF/A-1

  Contexte:
    Étant donné le logiciel configuré pour le banc
    Et le professionnel "dr-legrand" connecté avec Pro Santé Connect
    Et un patient "patiente" qualifié avec les traits de "adrtrois-dominique"

  @DOC/va1.01 @DOC/va1.10 @LGC
  Scénario: L'ordonnance part en PDF/A-1, le PDF de son CDA N1, avec l'INS du patient
    Quand l'utilisateur envoie par messagerie l'ordonnance "Ordonnance de sortie" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "57833-6"
    Et le PDF joint au message est un PDF/A-1
    Et le PDF joint au message porte un nom de fichier en .pdf
    Et le PDF joint au message est celui du CDA N1 de son archive IHE_XDM
    Et le PDF joint au message porte l'INS de "patiente"
    Et les échanges sont conformes

  @DOC/va1.01 @DPI
  Scénario: La lettre de liaison part en PDF/A-1, le PDF de son CDA N1
    Quand l'utilisateur envoie par messagerie la lettre de liaison "Lettre de liaison de sortie" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "11490-0"
    Et le PDF joint au message est un PDF/A-1
    Et le PDF joint au message porte un nom de fichier en .pdf
    Et le PDF joint au message est celui du CDA N1 de son archive IHE_XDM
    Et les échanges sont conformes

  @DOC/va1.01 @RIS
  Scénario: Le compte rendu d'imagerie part en PDF/A-1, le PDF de son CDA N1
    Quand l'utilisateur envoie par messagerie le compte rendu d'imagerie "Scanner thoracique" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "18748-4"
    Et le PDF joint au message est un PDF/A-1
    Et le PDF joint au message porte un nom de fichier en .pdf
    Et le PDF joint au message est celui du CDA N1 de son archive IHE_XDM
    Et les échanges sont conformes

  # Le CR-BIO est un CDA de niveau 3 : son PDF en est la transcription, pas une copie.
  @DOC/va1.01 @MSS/va1.33 @BIO
  Scénario: Le compte rendu de biologie part en PDF/A-1 à côté de son CDA structuré
    Quand l'utilisateur envoie par messagerie le compte rendu de biologie "Bilan lipidique" de "patiente" à "dr-colin"
    Alors l'opérateur a reçu un message pour "dr-colin"
    Et le message joint le PDF et une archive IHE_XDM conforme pour "patiente"
    Et le message porte l'en-tête "X-MSS-CODECDA" à "11502-2"
    Et le PDF joint au message est un PDF/A-1
    Et le PDF joint au message porte un nom de fichier en .pdf
    Et les échanges sont conformes
