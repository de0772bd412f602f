//! The directory's public extraction, `PS_LibreAcces_Personne_activite` (ANN/va1.01): one
//! line per activity of a professional in a structure, fields separated by `|`, a header
//! line of the 52 column names, UTF-8, in a zip named after the extraction's time, as
//! annuaire.sante.fr publishes it. The column names are those of the published file
//! (README, sources); the bench fills those its world knows and leaves the others empty.

use std::io::Write as _;

use crate::directory::Directory;

/// The columns of `PS_LibreAcces_Personne_activite`, in order.
pub const COLUMNS: [&str; 52] = [
    "Type d'identifiant PP",
    "Identifiant PP",
    "Identification nationale PP",
    "Code civilité d'exercice",
    "Libellé civilité d'exercice",
    "Code civilité",
    "Libellé civilité",
    "Nom d'exercice",
    "Prénom d'exercice",
    "Code profession",
    "Libellé profession",
    "Code catégorie professionnelle",
    "Libellé catégorie professionnelle",
    "Code type savoir-faire",
    "Libellé type savoir-faire",
    "Code savoir-faire",
    "Libellé savoir-faire",
    "Code mode exercice",
    "Libellé mode exercice",
    "Numéro SIRET site",
    "Numéro SIREN site",
    "Numéro FINESS site",
    "Numéro FINESS établissement juridique",
    "Identifiant technique de la structure",
    "Raison sociale site",
    "Enseigne commerciale site",
    "Complément destinataire (coord. structure)",
    "Complément point géographique (coord. structure)",
    "Numéro Voie (coord. structure)",
    "Indice répétition voie (coord. structure)",
    "Code type de voie (coord. structure)",
    "Libellé type de voie (coord. structure)",
    "Libellé Voie (coord. structure)",
    "Mention distribution (coord. structure)",
    "Bureau cedex (coord. structure)",
    "Code postal (coord. structure)",
    "Code commune (coord. structure)",
    "Libellé commune (coord. structure)",
    "Code pays (coord. structure)",
    "Libellé pays (coord. structure)",
    "Téléphone (coord. structure)",
    "Téléphone 2 (coord. structure)",
    "Télécopie (coord. structure)",
    "Adresse e-mail (coord. structure)",
    "Code Département (structure)",
    "Libellé Département (structure)",
    "Ancien identifiant de la structure",
    "Autorité d'enregistrement",
    "Code secteur d'activité",
    "Libellé secteur d'activité",
    "Code section tableau pharmaciens",
    "Libellé section tableau pharmaciens",
];

/// The label of a TRE_G15 profession the world uses.
fn profession_label(code: &str) -> &'static str {
    match code {
        "10" => "Médecin",
        "21" => "Pharmacien",
        "40" => "Chirurgien-Dentiste",
        "50" => "Sage-Femme",
        "60" => "Infirmier",
        _ => "",
    }
}

/// A field: no `|` nor line break may be written inside it.
fn field(value: &str) -> String {
    value.replace(['|', '\r', '\n'], " ")
}

/// The text file: the header and one line per activity, each line ending with `|` as the
/// published file's do.
pub fn personne_activite(directory: &Directory) -> String {
    let mut out = COLUMNS.join("|");
    out.push_str("|\r\n");
    for role in &directory.roles {
        let (Some(p), Some(o)) = (
            directory.practitioner(&role.practitioner),
            directory.organization(&role.organization),
        ) else {
            continue;
        };
        let mut row = vec![String::new(); COLUMNS.len()];
        row[0] = "8".into();
        row[1] = p.rpps().to_string();
        row[2] = p.national_id.clone();
        if let Some(title) = &p.title {
            row[3] = title.clone();
            row[4] = if title == "DR" {
                "Docteur".into()
            } else {
                String::new()
            };
        }
        row[5] = p.civility.clone();
        row[6] = match p.civility.as_str() {
            "M" => "Monsieur".into(),
            "MME" => "Madame".into(),
            _ => String::new(),
        };
        row[7] = p.family.clone();
        row[8] = p.given.clone();
        row[9] = p.profession.clone();
        row[10] = profession_label(&p.profession).into();
        row[11] = "C".into();
        row[12] = "Civil".into();
        if let Some(s) = &role.specialty {
            row[13] = "S".into();
            row[14] = "Spécialité ordinale".into();
            row[15] = s.clone();
        }
        row[17] = role.mode.into();
        row[18] = if role.mode == "L" {
            "Libéral"
        } else {
            "Salarié"
        }
        .into();
        row[19] = o.siret.clone().unwrap_or_default();
        row[21] = o.finess.clone().unwrap_or_default();
        row[23] = o.national_id.clone();
        row[24] = o.name.clone();
        row[48] = o.sector.clone();
        let line: Vec<String> = row.iter().map(|v| field(v)).collect();
        out.push_str(&line.join("|"));
        out.push_str("|\r\n");
    }
    out
}

/// The zip as published: `PS_LibreAcces_<stamp>.zip` holding
/// `PS_LibreAcces_Personne_activite_<stamp>.txt`, `stamp` being `YYYYMMDDhhmm`. Returns the
/// archive's name and bytes.
pub fn archive(directory: &Directory, stamp: &str) -> std::io::Result<(String, Vec<u8>)> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(
        format!("PS_LibreAcces_Personne_activite_{stamp}.txt"),
        options,
    )
    .map_err(std::io::Error::other)?;
    zip.write_all(personne_activite(directory).as_bytes())?;
    let bytes = zip.finish().map_err(std::io::Error::other)?.into_inner();
    Ok((format!("PS_LibreAcces_{stamp}.zip"), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Changes;
    use segur_core::world::World;
    use std::io::Read as _;

    #[test]
    fn one_line_per_activity_under_the_published_header() {
        let d = Directory::of(&World::embedded().unwrap(), &Changes::default());
        let text = personne_activite(&d);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1 + d.roles.len());
        assert!(
            lines[0]
                .starts_with("Type d'identifiant PP|Identifiant PP|Identification nationale PP|")
        );
        for line in &lines {
            assert_eq!(line.matches('|').count(), 52, "{line}");
        }
        let legrand = lines
            .iter()
            .find(|l| l.contains("|899900100001|"))
            .expect("Dr Legrand's line");
        let fields: Vec<&str> = legrand.split('|').collect();
        assert_eq!(
            &fields[..10],
            [
                "8",
                "99900100001",
                "899900100001",
                "DR",
                "Docteur",
                "M",
                "Monsieur",
                "LEGRAND",
                "Jean",
                "10"
            ]
        );
        assert_eq!(fields[15], "SM26");
        assert_eq!(fields[17], "L");
        assert_eq!(fields[24], "Cabinet médical des Lilas");
        assert_eq!(fields[48], "SA08");
    }

    #[test]
    fn the_zip_holds_the_dated_file() {
        let d = Directory::of(&World::embedded().unwrap(), &Changes::default());
        let (name, bytes) = archive(&d, "202612071200").unwrap();
        assert_eq!(name, "PS_LibreAcces_202612071200.zip");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut file = zip
            .by_name("PS_LibreAcces_Personne_activite_202612071200.txt")
            .unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert_eq!(text, personne_activite(&d));
    }
}
