# language: fr
# Ce que le logiciel montre de l'identité : l'écran (règle 3, libellés sans équivoque,
# traits stricts non modifiables mis en évidence, règle 26) et les éditions papier
# (règle 32 : traits minimaux, INS suivi de sa nature, datamatrix INS, traits
# complémentaires sur paramétrage). Le logiciel rapporte ce qu'il affiche ou imprime ;
# le banc le confronte à l'identité et à la réponse de l'INSi.
@INS
Fonctionnalité: Affichage et éditions de l'identité

  Contexte:
    Étant donné le logiciel configuré pour le banc

  @INS/va1.36 @INS/va1.47 @LGC @DPI @RIS @BIO
  Scénario: L'écran montre les traits obligatoires et marque non modifiables les traits stricts
    Étant donné une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Alors l'écran de "patiente" affiche les traits obligatoires avec des libellés sans équivoque
    Et l'écran de "patiente" affiche le matricule INS renvoyé par l'INSi suivi de sa nature
    Et l'écran de "patiente" marque non modifiables les traits stricts, le matricule INS et l'OID
    Et l'écran de "patiente" laisse modifiables le nom utilisé et le prénom utilisé

  @INS/va1.36 @LGC @DPI @RIS @BIO
  Scénario: Les traits obligatoires restent affichés quand l'utilisateur masque les champs facultatifs
    Étant donné l'affichage de l'identité paramétré sans les champs facultatifs
    Et une identité locale "patiente" créée avec les traits de "adrun-zoe"
    Et l'INS de "patiente" récupéré et validé par l'utilisateur
    Alors l'écran de "patiente" affiche les traits obligatoires avec des libellés sans équivoque
    Et l'écran de "patiente" n'affiche pas le nom utilisé ni le prénom utilisé

  @INS/va1.15 @LGC @DPI @RIS @BIO
  Scénario: L'édition papier porte les traits minimaux et le matricule INS suivi de sa nature
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Quand l'utilisateur imprime un document de santé de "patiente"
    Alors l'édition porte en clair les traits minimaux avec des libellés sans équivoque
    Et l'édition porte le matricule INS renvoyé par l'INSi suivi de sa nature

  @INS/va1.03 @LGC @DPI @RIS @BIO
  Scénario: Le datamatrix INS figure sur l'édition d'une identité qualifiée, pas sur celle d'une identité récupérée
    Étant donné une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Et une identité locale "patient" créée avec les traits de "durand-pierre"
    Et l'INS de "patient" récupéré et validé par l'utilisateur
    Quand l'utilisateur imprime un document de santé de "patiente"
    Alors l'édition porte un datamatrix INS avec le matricule, la clé, l'OID et les traits renvoyés par l'INSi
    Quand l'utilisateur imprime un document de santé de "patient"
    Alors l'édition ne porte ni datamatrix ni matricule INS

  @INS/va1.10 @LGC @DPI @RIS @BIO
  Scénario: Sur paramétrage, l'édition porte aussi le nom utilisé, le prénom utilisé et le lieu de naissance
    Étant donné les éditions paramétrées avec le nom utilisé, le prénom utilisé et le lieu de naissance
    Et une identité locale "patiente" créée avec les traits de "adrtrois-dominique"
    Et l'identité "patiente" qualifiée avec la pièce "passeport" et l'INSi
    Et l'utilisateur modifie le champ "nom utilisé" de "patiente" en "MARTIN"
    Et l'utilisateur modifie le champ "prénom utilisé" de "patiente" en "DOMI"
    Quand l'utilisateur imprime un document de santé de "patiente"
    Alors l'édition porte en clair les traits minimaux avec des libellés sans équivoque
    Et l'édition porte le nom utilisé "MARTIN", le prénom utilisé "DOMI" et le lieu de naissance renvoyé par l'INSi
