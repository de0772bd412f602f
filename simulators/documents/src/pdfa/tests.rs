use super::check;

/// A small PDF, object by object: each a dictionary and, for a stream, its content (the
/// `/Length` is written when the file is built, so a case can change the content).
#[derive(Clone)]
struct Parts {
    header: String,
    objects: Vec<(String, Option<String>)>,
    trailer: String,
}

const XMP: &str = concat!(
    "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>",
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
    "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>",
    "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Essai &amp; test</rdf:li></rdf:Alt></dc:title></rdf:Description>",
    "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"><pdf:Producer>banc</pdf:Producer></rdf:Description>",
    "</rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>"
);

/// A PDF/A-1b: PDF 1.4 with its binary comment, an identifier, the XMP, a Type 3 font
/// and a calibrated (device-independent) grey.
fn conforming() -> Parts {
    let object = |d: &str| (d.to_string(), None);
    let stream = |d: &str, c: &str| (d.to_string(), Some(c.to_string()));
    Parts {
        header: "%PDF-1.4\n%\u{e2}\u{e3}\u{cf}\u{d3}\n".into(),
        objects: vec![
            object("<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>"),
            object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            object(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> /ColorSpace << /CS0 [/CalGray << /WhitePoint [0.9505 1 1.089] >>] >> >> /Contents 5 0 R >>",
            ),
            object(
                "<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] /FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << /a 7 0 R >> /Encoding << /Type /Encoding /Differences [97 /a] >> /FirstChar 97 /LastChar 97 /Widths [600] /Resources << >> >>",
            ),
            stream("<< >>", "/CS0 cs 0 sc BT /F1 11 Tf 56 780 Td (a) Tj ET"),
            stream("<< /Type /Metadata /Subtype /XML >>", XMP),
            stream("<< >>", "600 0 0 0 500 500 d1 0 0 500 500 re f"),
            object("<< /Title (Essai & test) /Producer (banc) >>"),
        ],
        trailer: "/Root 1 0 R /Info 8 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>]".into(),
    }
}

impl Parts {
    /// Latin-1 bytes (the header's binary comment is four characters above 127).
    fn bytes(&self) -> Vec<u8> {
        let latin1 = |s: &str| s.chars().map(|c| c as u32 as u8).collect::<Vec<u8>>();
        let mut out = latin1(&self.header);
        let mut offsets = Vec::new();
        for (n, (dictionary, content)) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            let body = match content {
                None => dictionary.clone(),
                Some(c) => {
                    let length = c.len();
                    let dictionary = dictionary.trim_end_matches(">>");
                    format!("{dictionary} /Length {length} >>\nstream\n{c}\nendstream")
                }
            };
            out.extend(format!("{} 0 obj\n{body}\nendobj\n", n + 1).as_bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
        for offset in offsets {
            out.extend(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} {} >>\nstartxref\n{xref}\n%%EOF\n",
                self.objects.len() + 1,
                self.trailer
            )
            .as_bytes(),
        );
        out
    }

    fn edit(&mut self, object: usize, from: &str, to: &str) {
        let (dictionary, content) = &mut self.objects[object - 1];
        let before = (dictionary.clone(), content.clone());
        *dictionary = dictionary.replace(from, to);
        if let Some(c) = content {
            *c = c.replace(from, to);
        }
        assert!(
            before != (dictionary.clone(), content.clone()),
            "{from:?} is not in object {object}"
        );
    }

    fn add(&mut self, dictionary: &str, content: Option<&str>) {
        self.objects
            .push((dictionary.to_string(), content.map(str::to_string)));
    }
}

#[test]
fn the_sample_is_a_pdf_a_1b() {
    let report = check(&conforming().bytes());
    assert_eq!(report.rules(), Vec::<&str>::new(), "{:#?}", report.findings);
    assert_eq!(report.version, "1.4");
    assert_eq!(report.claimed, Some(("1".into(), "B".into())));
}

/// Each change of the conforming sample breaks one clause, and only its rule reports it.
#[test]
fn each_clause_broken_is_reported_by_its_rule() {
    type Change = fn(&mut Parts);
    let cases: &[(&str, Change, Option<&str>)] = &[
        (
            "PDF 1.5",
            |p| p.header = p.header.replace("1.4", "1.5"),
            Some("PDFA-HEADER"),
        ),
        (
            "no binary comment",
            |p| p.header = "%PDF-1.4\n".into(),
            Some("PDFA-HEADER"),
        ),
        (
            "no file identifier",
            |p| p.trailer = "/Root 1 0 R /Info 8 0 R".into(),
            Some("PDFA-TRAILER"),
        ),
        (
            "no XMP",
            |p| p.edit(1, " /Metadata 6 0 R", ""),
            Some("PDFA-METADATA"),
        ),
        (
            "the XMP filtered",
            |p| {
                p.edit(6, "/Subtype /XML", "/Subtype /XML /Filter /ASCIIHexDecode");
            },
            Some("PDFA-METADATA"),
        ),
        (
            "PDF/A-2 claimed",
            |p| p.edit(6, "<pdfaid:part>1<", "<pdfaid:part>2<"),
            Some("PDFA-METADATA"),
        ),
        (
            "the identification as attributes",
            |p| {
                p.edit(
                    6,
                    "><pdfaid:part>1</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance></rdf:Description>",
                    " pdfaid:part=\"1\" pdfaid:conformance=\"A\"/>",
                )
            },
            None,
        ),
        (
            "a title other than the XMP's",
            |p| p.edit(8, "(Essai & test)", "(Autre titre)"),
            Some("PDFA-INFO-XMP"),
        ),
        (
            "a producer the XMP does not give",
            |p| p.edit(6, "<pdf:Producer>banc</pdf:Producer>", ""),
            Some("PDFA-INFO-XMP"),
        ),
        (
            "Helvetica, not embedded",
            |p| {
                p.objects[3] = (
                    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into(),
                    None,
                )
            },
            Some("PDFA-FONT-EMBEDDED"),
        ),
        (
            "a TrueType font with its program",
            |p| {
                p.objects[3] = (
                    "<< /Type /Font /Subtype /TrueType /BaseFont /Essai /FontDescriptor 9 0 R >>"
                        .into(),
                    None,
                );
                p.add(
                    "<< /Type /FontDescriptor /FontName /Essai /FontFile2 10 0 R >>",
                    None,
                );
                p.add("<< /Length1 4 >>", Some("true"));
            },
            None,
        ),
        (
            "red drawn in DeviceRGB without an output intent",
            |p| p.edit(5, "/CS0 cs 0 sc", "1 0 0 rg"),
            Some("PDFA-DEVICE-COLOUR"),
        ),
        (
            "DeviceRGB with the PDF/A output intent",
            |p| {
                p.edit(5, "/CS0 cs 0 sc", "1 0 0 rg");
                p.edit(
                    1,
                    " /Metadata",
                    " /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) /DestOutputProfile 9 0 R >>] /Metadata",
                );
                p.add("<< /N 3 >>", Some("profile"));
            },
            None,
        ),
        (
            "a grey image in DeviceGray",
            |p| {
                p.add(
                    "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /BitsPerComponent 8 /ColorSpace /DeviceGray >>",
                    Some("x"),
                )
            },
            Some("PDFA-DEVICE-COLOUR"),
        ),
        (
            "a soft mask",
            |p| {
                p.add(
                    "<< /Type /ExtGState /SMask << /S /Luminosity /G 5 0 R >> >>",
                    None,
                )
            },
            Some("PDFA-TRANSPARENCY"),
        ),
        (
            "half-transparent fill",
            |p| p.add("<< /Type /ExtGState /ca 0.5 >>", None),
            Some("PDFA-TRANSPARENCY"),
        ),
        (
            "a graphics state saying no soft mask",
            |p| {
                p.add(
                    "<< /Type /ExtGState /SMask /None /ca 1 /BM /Normal >>",
                    None,
                )
            },
            None,
        ),
        (
            "a transparency group",
            |p| {
                p.edit(
                    3,
                    "/Contents 5 0 R",
                    "/Contents 5 0 R /Group << /S /Transparency >>",
                )
            },
            Some("PDFA-TRANSPARENCY"),
        ),
        (
            "JavaScript on opening",
            |p| {
                p.edit(
                    1,
                    "/Pages 2 0 R",
                    "/Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
                )
            },
            Some("PDFA-FORBIDDEN"),
        ),
        (
            "an embedded file",
            |p| {
                p.edit(
                    1,
                    "/Pages 2 0 R",
                    "/Pages 2 0 R /Names << /EmbeddedFiles << /Names [] >> >>",
                )
            },
            Some("PDFA-FORBIDDEN"),
        ),
        (
            "an LZW stream",
            |p| p.add("<< /Filter /LZWDecode >>", Some("x")),
            Some("PDFA-FORBIDDEN"),
        ),
    ];
    for (what, change, rule) in cases {
        let mut parts = conforming();
        change(&mut parts);
        let report = check(&parts.bytes());
        let mut rules = report.rules();
        rules.dedup();
        let expected: Vec<&str> = rule.iter().copied().collect();
        assert_eq!(rules, expected, "{what}: {:#?}", report.findings);
    }
}

/// The sample the bench's tests join to their mails (the reference LPS's page, kept equal
/// to its renderer by a test of the reference LPS) is a PDF/A-1b too.
#[test]
fn the_committed_sample_is_a_pdf_a_1b() {
    let report = check(include_bytes!("sample-pdfa-1b.pdf"));
    assert!(report.conforms(), "{:#?}", report.findings);
}

#[test]
fn bytes_that_are_no_pdf_are_reported_not_panicked_on() {
    for bytes in [
        &b""[..],
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type",
        b"<html/>",
    ] {
        let report = check(bytes);
        assert!(report.rules().contains(&"PDFA-HEADER"), "{bytes:?}");
    }
}

/// The ANS's own level-1 example carries a plain PDF 1.5: the rules it breaks are the
/// golden file `ans-n1.golden` beside this test (`SEGUR_UPDATE_GOLDEN=1` writes it again).
#[test]
fn the_ans_level_1_example_reads_as_its_golden_report() {
    let path = format!(
        "{}/../../fixtures/cda/DOC_NON_STRUCTURE_CDA-R2-N1.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let cda = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let pdf = crate::cda::presentation::body_bytes(&cda, None).expect("a PDF body");
    let report = check(&pdf);
    let text: String = report
        .findings
        .iter()
        .map(|f| format!("{}: {}\n", f.rule, f.message))
        .collect();
    let golden = format!("{}/src/pdfa/ans-n1.golden", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("SEGUR_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| panic!("{golden}: {e}"));
    assert_eq!(text, expected, "the report differs from {golden}");
}
