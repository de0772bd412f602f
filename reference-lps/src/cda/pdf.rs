//! A one-page PDF/A-1b holding the document's lines: the human-readable body a level-1
//! CDA carries in base64 (`nonXMLBody`) and the PDF a mail joins beside its IHE_XDM
//! (DOC/va1.01).
//!
//! What makes it a PDF/A-1 (ISO 19005-1, level B): PDF 1.4 with the binary comment after
//! its header; a file identifier in the trailer; an unfiltered XMP stream naming
//! `pdfaid:part` 1 and conformance B, whose title and producer are the document
//! information's; every font in the file (a Type 3 font drawn from the LPS's own bitmap
//! glyphs, `glyphs.txt`: no font program to embed or license); colour in a calibrated
//! grey (`CalGray`), device-independent, so no output intent is needed; no transparency,
//! no compression at all.

use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The glyphs' grid, in the font's units: a pixel is 100 of 1000 to the em.
const PIXEL: usize = 100;
/// Every glyph's advance: 5 columns of ink and one of space.
const ADVANCE: usize = 600;
/// The rows of a glyph's bitmap.
const ROWS: usize = 7;

/// One glyph of `glyphs.txt`.
struct Glyph {
    /// The ASCII character it draws.
    code: u8,
    /// Its rows, top first; `true` is ink.
    rows: Vec<Vec<bool>>,
    /// Two rows lower, below the baseline (a descender).
    drop: bool,
}

/// The typeface, read once from the file beside this one.
static GLYPHS: LazyLock<Vec<Glyph>> = LazyLock::new(|| parse(include_str!("glyphs.txt")));

fn parse(text: &str) -> Vec<Glyph> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut lines = block.lines().filter(|l| !l.is_empty());
        let Some(header) = lines.next() else { continue };
        if header.starts_with("# ") {
            continue;
        }
        let (name, drop) = match header.strip_suffix(" v") {
            Some(name) => (name, true),
            None => (header, false),
        };
        let code = match name {
            "space" => b' ',
            one if one.len() == 1 => one.as_bytes()[0],
            _ => continue,
        };
        let rows = lines
            .map(|l| l.bytes().map(|b| b == b'#').collect())
            .collect();
        out.push(Glyph { code, rows, drop });
    }
    out
}

/// The glyph's drawing: its metrics (`d1`), then one filled rectangle per run of ink.
fn glyph_procedure(glyph: &Glyph) -> String {
    let lowered = if glyph.drop { 2 * PIXEL } else { 0 };
    let mut out = format!(
        "{ADVANCE} 0 0 -{} {} {} d1\n",
        2 * PIXEL,
        5 * PIXEL,
        ROWS * PIXEL
    );
    let mut any = false;
    for (r, row) in glyph.rows.iter().enumerate() {
        // Row `r` from the top stands on the line `ROWS - 1 - r` pixels above the baseline.
        let y = (ROWS - 1 - r) * PIXEL;
        let mut c = 0;
        while c < row.len() {
            if !row[c] {
                c += 1;
                continue;
            }
            let start = c;
            while c < row.len() && row[c] {
                c += 1;
            }
            let y = i64::try_from(y).unwrap_or(0) - i64::try_from(lowered).unwrap_or(0);
            out.push_str(&format!(
                "{} {y} {} {PIXEL} re\n",
                start * PIXEL,
                (c - start) * PIXEL
            ));
            any = true;
        }
    }
    if any {
        out.push_str("f\n");
    }
    out
}

/// Folds a line to the typeface's ASCII (accents dropped) and escapes it for a PDF
/// string.
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
        .collect()
}

/// `text` (folded) as a PDF literal string.
fn literal(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '(' | ')' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// `text` (folded) as XML character data.
fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// What the document information and the XMP both say the producer is.
const PRODUCER: &str = "segur-bench reference LPS";

/// The XMP packet: PDF/A-1b's identification, the title and the producer.
fn xmp(title: &str) -> String {
    format!(
        concat!(
            "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
            "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n",
            "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
            "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">",
            "<pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>\n",
            "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">",
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title></rdf:Description>\n",
            "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">",
            "<pdf:Producer>{}</pdf:Producer></rdf:Description>\n",
            "</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
        ),
        xml(title),
        PRODUCER
    )
}

/// An object of the file: a dictionary, or a stream with its dictionary.
enum Object {
    Dictionary(String),
    Stream(String, Vec<u8>),
}

/// The PDF bytes of `lines`, one per row at 11 points, and `footer` at 8 points at the
/// foot of the page (the patient information notice, DOC/va1.03). Not `archival` (a
/// defect): a plain PDF in Helvetica, not embedded, without XMP or file identifier.
pub fn render(title: &str, lines: &[String], footer: &[String], archival: bool) -> Vec<u8> {
    let folded_title = fold(title);
    let mut content = "/CS0 cs 0 sc\n".to_string();
    content.push_str(&format!(
        "BT /F1 16 Tf 56 780 Td ({}) Tj ET\n",
        literal(&folded_title)
    ));
    for (n, line) in lines.iter().enumerate() {
        let y = 750 - 16 * i64::try_from(n).unwrap_or(0);
        content.push_str(&format!(
            "BT /F1 11 Tf 56 {y} Td ({}) Tj ET\n",
            literal(&fold(line))
        ));
    }
    for (n, line) in footer.iter().enumerate() {
        let y = 60 - 10 * i64::try_from(n).unwrap_or(0);
        content.push_str(&format!(
            "BT /F1 8 Tf 56 {y} Td ({}) Tj ET\n",
            literal(&fold(line))
        ));
    }
    // The glyphs' objects follow the seven fixed ones: those the page draws (a subset,
    // as PDF/A-1 allows), so that a short letter stays small.
    const FIRST_GLYPH: usize = 8;
    let used: std::collections::BTreeSet<u8> = std::iter::once(title)
        .chain(lines.iter().chain(footer).map(String::as_str))
        .flat_map(|l| fold(l).into_bytes())
        .collect();
    let glyphs: Vec<&Glyph> = GLYPHS.iter().filter(|g| used.contains(&g.code)).collect();
    let first = glyphs.iter().map(|g| g.code).min().unwrap_or(b' ');
    let last = glyphs.iter().map(|g| g.code).max().unwrap_or(b'~');
    let name = |code: u8| format!("/uni{:04X}", u32::from(code));
    let char_procs: String = glyphs
        .iter()
        .enumerate()
        .map(|(n, g)| format!("{} {} 0 R ", name(g.code), FIRST_GLYPH + n))
        .collect();
    let differences: String = (first..=last).map(name).collect::<Vec<_>>().join(" ");
    let widths: String = (first..=last)
        .map(|code| {
            if used.contains(&code) {
                ADVANCE.to_string()
            } else {
                "0".into()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if !archival {
        return plain(&content.replace("/CS0 cs 0 sc\n", ""));
    }
    let mut objects = vec![
        Object::Dictionary("<< /Type /Catalog /Pages 2 0 R /Metadata 7 0 R >>".into()),
        Object::Dictionary("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        Object::Dictionary(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /ColorSpace << /CS0 [/CalGray << /WhitePoint [0.9505 1 1.089] >>] >> >> /Contents 5 0 R >>".into(),
        ),
        Object::Dictionary(format!(
            "<< /Type /Font /Subtype /Type3 /FontBBox [0 -{} {} {}] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << {char_procs}>> /Encoding << /Type /Encoding /Differences [{first} {differences}] >> /FirstChar {first} /LastChar {last} /Widths [{widths}] /Resources << >> >>",
            2 * PIXEL,
            ADVANCE,
            ROWS * PIXEL
        )),
        Object::Stream("<<".into(), content.clone().into_bytes()),
        Object::Dictionary(format!(
            "<< /Title ({}) /Producer ({PRODUCER}) >>",
            literal(&folded_title)
        )),
        Object::Stream(
            "<< /Type /Metadata /Subtype /XML".into(),
            xmp(&folded_title).into_bytes(),
        ),
    ];
    objects.extend(
        glyphs
            .iter()
            .map(|g| Object::Stream("<<".into(), glyph_procedure(g).into_bytes())),
    );
    // The file identifier: the same page gives the same file (PDF/A-1 6.1.3).
    let id = hex::encode(&Sha256::digest(&content)[..16]);
    // The header's second line: a comment of four bytes above 127 (PDF/A-1 6.1.2).
    write(
        b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n",
        &objects,
        &format!("/Root 1 0 R /Info 6 0 R /ID [<{id}> <{id}>]"),
    )
}

/// A PDF as many tools write it: Helvetica, which the reader is expected to have.
fn plain(content: &str) -> Vec<u8> {
    let objects = [
        Object::Dictionary("<< /Type /Catalog /Pages 2 0 R >>".into()),
        Object::Dictionary("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into()),
        Object::Dictionary("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".into()),
        Object::Dictionary("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into()),
        Object::Stream("<<".into(), content.as_bytes().to_vec()),
    ];
    write(b"%PDF-1.4\n", &objects, "/Root 1 0 R")
}

/// The file: `header`, the objects numbered from 1, their cross-reference table and the
/// trailer with `trailer` (its `/Size` added).
fn write(header: &[u8], objects: &[Object], trailer: &str) -> Vec<u8> {
    let mut out = header.to_vec();
    let mut offsets = Vec::new();
    for (n, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", n + 1).as_bytes());
        match object {
            Object::Dictionary(d) => out.extend_from_slice(d.as_bytes()),
            Object::Stream(d, data) => {
                out.extend_from_slice(
                    format!("{d} /Length {} >>\nstream\n", data.len()).as_bytes(),
                );
                out.extend_from_slice(data);
                out.extend_from_slice(b"\nendstream");
            }
        }
        out.extend_from_slice(b"\nendobj\n");
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
            "trailer\n<< /Size {} {trailer} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typeface_draws_every_printable_ascii_character_on_its_grid() {
        let glyphs = &*GLYPHS;
        for code in b' '..=b'~' {
            let found: Vec<&Glyph> = glyphs.iter().filter(|g| g.code == code).collect();
            assert_eq!(found.len(), 1, "{:?}", char::from(code));
            let g = found[0];
            assert_eq!(g.rows.len(), ROWS, "{:?}", char::from(code));
            assert!(
                g.rows.iter().all(|r| r.len() == 5),
                "{:?}",
                char::from(code)
            );
        }
        assert_eq!(glyphs.len(), 95);
    }

    #[test]
    fn the_cross_reference_table_points_at_each_object() {
        let pdf = render(
            "Compte rendu (test)",
            &["Créé à Paris".into()],
            &["Vos droits : RGPD".into()],
            true,
        );
        let text = String::from_utf8_lossy(&pdf).into_owned();
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
        assert!(pdf[xref..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[xref..]).into_owned();
        let count: usize = table
            .lines()
            .nth(1)
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|n| n.parse().ok())
            .expect("the subsection's count");
        // The seven fixed objects and one per distinct character drawn.
        assert_eq!(
            count,
            1 + 7
                + "Compte rendu (test)Cree a ParisVos droits : RGPD"
                    .bytes()
                    .collect::<std::collections::BTreeSet<u8>>()
                    .len()
        );
        for (n, line) in table.lines().skip(3).take(count - 1).enumerate() {
            let offset: usize = line[..10].parse().expect("offset");
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", n + 1).as_bytes()),
                "object {}",
                n + 1
            );
        }
    }

    /// The sample PDF/A-1b the bench's tests join to their mails is this renderer's page
    /// (`SEGUR_UPDATE_GOLDEN=1` writes it again after a deliberate change).
    #[test]
    fn the_bench_tests_sample_is_this_renderers_page() {
        let pdf = render(
            "Compte rendu de consultation",
            &[
                "Patient : Marie DUPONT".into(),
                "Auteur : Dr Jean LEGRAND".into(),
            ],
            &["Vos droits : mention d'information RGPD".into()],
            true,
        );
        let path = format!(
            "{}/../simulators/documents/src/pdfa/sample-pdfa-1b.pdf",
            env!("CARGO_MANIFEST_DIR")
        );
        if std::env::var_os("SEGUR_UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &pdf).unwrap();
            return;
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(committed == pdf, "{path} is not what the renderer writes");
    }

    /// The bench's own PDF/A-1 checker finds nothing to say, and its text reader still
    /// reads the lines.
    #[test]
    fn the_page_is_a_pdf_a_1b_whose_lines_read_back() {
        let pdf = render(
            "Lettre de liaison",
            &[
                "Patient : Marie DUPONT".into(),
                "INS : 2 84 05 75 120 005 42".into(),
            ],
            &["Mention RGPD".into()],
            true,
        );
        let plain = render(
            "Lettre de liaison",
            &["Patient : Marie DUPONT".into()],
            &[],
            false,
        );
        let rules = segur_documents::pdfa::check(&plain).rules().join(" ");
        assert!(
            rules.contains("PDFA-FONT-EMBEDDED") && rules.contains("PDFA-METADATA"),
            "{rules}"
        );
        let report = segur_documents::pdfa::check(&pdf);
        assert!(report.conforms(), "{:#?}", report.findings);
        let text = segur_documents::pdf::read(&pdf).expect("a PDF");
        assert!(text.all().contains("INS : 2 84 05 75 120 005 42"));
        assert_eq!(text.foot(1.0 / 6.0), "Mention RGPD");
    }
}
