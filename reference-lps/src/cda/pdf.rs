//! A one-page PDF holding the document's lines: the human-readable body a level-1 CDA
//! carries in base64 (`nonXMLBody`).

/// Folds a line to the PDF standard fonts' ASCII subset (accents dropped).
fn fold(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'É' | 'È' | 'Ê' => 'E',
            'À' | 'Â' => 'A',
            'Ç' => 'C',
            c if c.is_ascii() && !c.is_ascii_control() => c,
            _ => '?',
        })
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The PDF bytes of `lines`, one per row in Helvetica 11, and `footer` in Helvetica 8
/// at the foot of the page (the patient information notice, DOC/va1.03).
pub fn render(title: &str, lines: &[String], footer: &[String]) -> Vec<u8> {
    let mut content = format!("BT /F1 16 Tf 56 780 Td ({}) Tj ET\n", fold(title));
    for (n, line) in lines.iter().enumerate() {
        let y = 750 - 16 * i64::try_from(n).unwrap_or(0);
        content.push_str(&format!("BT /F1 11 Tf 56 {y} Td ({}) Tj ET\n", fold(line)));
    }
    for (n, line) in footer.iter().enumerate() {
        let y = 60 - 10 * i64::try_from(n).unwrap_or(0);
        content.push_str(&format!("BT /F1 8 Tf 56 {y} Td ({}) Tj ET\n", fold(line)));
    }
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}endstream", content.len()),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", n + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let pdf = super::render(
            "Compte rendu (test)",
            &["Créé à Paris".into()],
            &["Vos droits : RGPD".into()],
        );
        let text = String::from_utf8(pdf.clone()).expect("ASCII");
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        assert!(text.contains("(Compte rendu \\(test\\))") && text.contains("(Cree a Paris)"));
        // The footer at the foot of the page.
        assert!(text.contains("56 60 Td (Vos droits : RGPD) Tj"));
        let xref: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .expect("startxref");
        assert!(text[xref..].starts_with("xref"));
        for (n, line) in text[xref..].lines().skip(3).take(5).enumerate() {
            let offset: usize = line[..10].parse().expect("offset");
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
    }
}
