//! Submission with real clients (lettre over STARTTLS with a client certificate, and with
//! XOAUTH2 and a PSC token), then the checks on what is submitted: each ANS IHE_XDM
//! example sent with the right headers raises nothing, and each mutated copy raises its
//! rule.

mod support;

use std::io::{Read, Write};

use lettre::message::{Attachment, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Identity, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use segur_documents::xdm::{self, XdmLimits};
use support::*;

fn tls_parameters(client_cert: Option<&str>) -> TlsParameters {
    let pki = segur_core::testing::shared_pki();
    let root_pem = pem_of(pki.root().as_ref());
    let mut builder = TlsParameters::builder("localhost".into())
        .add_root_certificate(Certificate::from_pem(root_pem.as_bytes()).expect("root"));
    if let Some(name) = client_cert {
        let entry = pki.entry(name).expect("credential");
        let key = std::fs::read(pki.path_of(&entry.files.key)).expect("key");
        let der = pki.credential(name).expect("credential").chain[0].to_vec();
        // lettre stores the certificate argument verbatim as DER (crates.md gotcha 2).
        builder = builder.identify_with(Identity::from_pem(&der, &key).expect("identity"));
    }
    builder.build_rustls().expect("TLS parameters")
}

fn pem_of(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// A mail as a client writes it: the sender's label; from the application mailbox, the
/// `Reply-To` of the structure's organisational one announced at the end of the text.
fn letter(from: &str, to: &str) -> Message {
    const ORG: &str = "secretariat@cabinet-lilas.mssante.fr";
    Message::builder()
        .from(format!("{} <{from}>", support::label_of(from)).parse().unwrap())
        .reply_to(ORG.parse().unwrap())
        .to(to.parse().unwrap())
        .subject("Compte rendu")
        // lettre writes no Message-ID unless asked: MSS/va1.12 wants one.
        .message_id(None)
        .raw_header(lettre::message::header::HeaderValue::new(
            lettre::message::header::HeaderName::new_from_ascii_str("X-MSS-NIL"),
            "SEGUR-BENCH-LPS-1.0".into(),
        ))
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(format!(
                    "Bonjour\r\n-- \r\nMessage généré automatiquement ; pour joindre l'émetteur : {ORG}"
                )))
                .singlepart(Attachment::new("CR.pdf".into()).body(
                    support::SAMPLE_PDF.to_vec(),
                    ContentType::parse("application/pdf").unwrap(),
                )),
        )
        .unwrap()
}

#[tokio::test]
async fn lettre_submits_over_starttls_with_the_structure_certificate() {
    let t = start().await;
    let addr = t.addr("smtp");
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(Tls::Required(tls_parameters(Some(LGC_CERT))))
        .build();
    transport
        .send(letter(LGC, LEGRAND))
        .await
        .expect("accepted");
    let inbox = t.mss.store().folder(LEGRAND, "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
    let records = t.records();
    let auth = records
        .iter()
        .find(|r| r.operation == "SMTP AUTH")
        .expect("an AUTH record");
    assert!(format!("{:?}", auth.request).contains("client certificate"));
    let data = records
        .iter()
        .find(|r| r.operation == "SMTP DATA")
        .expect("a DATA record");
    assert!(data.findings.is_empty(), "{:?}", data.findings);
}

#[tokio::test]
async fn lettre_without_certificate_or_credentials_is_refused() {
    let t = start().await;
    let addr = t.addr("smtp");
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(Tls::Required(tls_parameters(None)))
        .build();
    let error = transport
        .send(letter(LGC, LEGRAND))
        .await
        .expect_err("refused");
    assert!(
        error.to_string().contains("530") || format!("{error:?}").contains("530"),
        "{error:?}"
    );
    assert!(t.flagged("MSS-AUTH-REFUSED"));
}

#[tokio::test]
async fn lettre_submits_with_xoauth2_and_a_psc_token() {
    let t = start().await;
    let token = t.psc_token("dr-legrand").await;
    let addr = t.addr("smtps");
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(Tls::Wrapper(tls_parameters(None)))
        .credentials(Credentials::new(LEGRAND.into(), token.clone()))
        .authentication(vec![Mechanism::Xoauth2])
        .build();
    transport
        .send(letter(LEGRAND, COLIN))
        .await
        .expect("accepted");
    assert_eq!(
        t.mss.store().folder(COLIN, "INBOX").unwrap().messages.len(),
        1
    );

    // Dr Colin's token does not open Dr Legrand's mailbox.
    let colin = t.psc_token("dr-colin").await;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(Tls::Wrapper(tls_parameters(None)))
        .credentials(Credentials::new(LEGRAND.into(), colin))
        .authentication(vec![Mechanism::Xoauth2])
        .build();
    assert!(transport.send(letter(LEGRAND, COLIN)).await.is_err());

    // Once the token expired (bench time), it is refused.
    t.bench.clock().advance(time::Duration::hours(2));
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
        .port(addr.port())
        .tls(Tls::Wrapper(tls_parameters(None)))
        .credentials(Credentials::new(LEGRAND.into(), token))
        .authentication(vec![Mechanism::Xoauth2])
        .build();
    assert!(transport.send(letter(LEGRAND, COLIN)).await.is_err());
    assert!(t.flagged("MSS-TOKEN-EXPIRED"));
}

/// The headers an LPS writes for `zip`: the CDA codes and whether the INS is qualified.
fn right_headers(zip: &[u8]) -> (String, &'static str) {
    let report = xdm::check(zip, &XdmLimits::default());
    let mut codes = Vec::new();
    let mut qualified = true;
    for d in &report.documents {
        let cda = d.cda.as_ref().expect("a CDA");
        let facts = cda.facts.as_ref().expect("readable");
        codes.push(facts.code.as_ref().expect("a code").code.clone());
        qualified &= facts.ins.is_some() && !cda.rules().contains(&"CDA-INS-TRAITS");
    }
    (codes.join(","), if qualified { "O" } else { "N" })
}

fn xdm_mail(to: &str, zip: Vec<u8>) -> Mail {
    let (codes, ins) = right_headers(&zip);
    Mail::new(LEGRAND, to, "XDM/1.0/DDM+Compte rendu")
        .header(&format!("X-MSS-CODECDA: {codes}"))
        .header(&format!("X-MSS-INS: {ins}"))
        .with_xdm(zip)
}

/// What the PDF joined beside `zip` says of itself: the ANS's level-1 example carries a
/// plain PDF 1.5, not a PDF/A-1, whose `PDFA-*` warnings the operator journals (see
/// `simulators/documents/src/pdfa/ans-n1.golden`); nothing for the others.
fn own_pdf_rules(zip: &[u8]) -> Vec<String> {
    let report = segur_documents::xdm::check(zip, &Default::default());
    report
        .documents
        .iter()
        .filter_map(|d| d.pdf.as_deref())
        .flat_map(|pdf| segur_documents::pdfa::check(pdf).findings)
        .map(|f| f.rule)
        .collect()
}

#[tokio::test]
async fn each_ans_xdm_example_with_the_right_headers_raises_no_finding() {
    let t = start().await;
    let mut c = smtp_as(&t, LEGRAND).await;
    let examples = xdm_examples();
    assert!(examples.len() >= 10, "{examples:?}");
    for name in examples {
        let zip = xdm_example(&name);
        let expected = own_pdf_rules(&zip);
        let mail = xdm_mail(COLIN, zip);
        let answer = submit(&mut c, LEGRAND, &[COLIN], &mail.build()).await;
        assert!(answer.starts_with("250 2.0.0"), "{name}: {answer}");
        assert_eq!(t.last_submission_rules(), expected, "{name}");
    }
}

fn unpack(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    (0..archive.len())
        .filter_map(|i| {
            let mut f = archive.by_index(i).unwrap();
            if f.is_dir() {
                return None;
            }
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            Some((f.name().unwrap().to_string(), bytes))
        })
        .collect()
}

fn pack(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        out.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn mutate(zip: &[u8], change: impl Fn(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut files = unpack(zip);
    change(&mut files);
    pack(&files)
}

fn replace_in(files: &mut [(String, Vec<u8>)], file: &str, from: &str, to: &str) {
    let entry = files
        .iter_mut()
        .find(|(n, _)| n.ends_with(file))
        .expect("file");
    let text = String::from_utf8(entry.1.clone()).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    entry.1 = text.replacen(from, to, 1).into_bytes();
}

/// The patient of the ANS level-1 example (the default world's `pat-trois-dominique`),
/// with a Mon espace santé mailbox.
const PATIENT: &str = "279035121518989@patient.mssante.fr";

#[tokio::test]
async fn mutated_archives_and_headers_each_raise_their_rule() {
    let t = start().await;
    let original = xdm_example("DOC_NON_STRUCTURE_CDA-R2-N1");
    let (codes, ins) = right_headers(&original);
    assert_eq!(ins, "O", "the ANS level-1 example carries a qualified INS");
    let hash_changed = mutate(&original, |files| {
        let meta = files
            .iter()
            .find(|(n, _)| n.ends_with("METADATA.XML"))
            .unwrap()
            .1
            .clone();
        let text = String::from_utf8(meta).unwrap();
        let start = text.find("name=\"hash\"").expect("a hash slot");
        let value = text[start..].find("Value>").unwrap() + start + 6;
        let mut changed = text.clone();
        changed.replace_range(value..value + 4, "0000");
        files
            .iter_mut()
            .find(|(n, _)| n.ends_with("METADATA.XML"))
            .unwrap()
            .1 = changed.into_bytes();
    });
    let lower_case = mutate(&original, |files| {
        for (name, _) in files.iter_mut() {
            if name.ends_with("DOC0001.XML") {
                *name = name.replace("DOC0001.XML", "doc0001.xml");
            }
        }
        replace_in(files, "METADATA.XML", "DOC0001.XML", "doc0001.xml");
    });
    let no_metadata = mutate(&original, |files| {
        files.retain(|(n, _)| !n.ends_with("METADATA.XML"))
    });
    let invisible = mutate(&original, |files| {
        replace_in(
            files,
            "METADATA.XML",
            "nodeRepresentation=\"N\"",
            "nodeRepresentation=\"INVISIBLE_PATIENT\"",
        );
    });
    let base = |zip: Vec<u8>, to: &str| {
        Mail::new(LEGRAND, to, "XDM/1.0/DDM+Compte rendu")
            .header(&format!("X-MSS-CODECDA: {codes}"))
            .header("X-MSS-INS: O")
            .with_xdm(zip)
    };
    let cases: Vec<(&str, Mail, &[&str], &str)> = vec![
        (
            "hash changed",
            base(hash_changed, COLIN),
            &[COLIN],
            "XDM-HASH-SIZE",
        ),
        (
            "lower-case names",
            base(lower_case, COLIN),
            &[COLIN],
            "XDM-NAMES-8.3",
        ),
        (
            "METADATA.XML missing",
            base(no_metadata, COLIN),
            &[COLIN],
            "XDM-METADATA",
        ),
        (
            "X-MSS-INS wrong",
            base(original.clone(), COLIN)
                .without("X-MSS-INS")
                .header("X-MSS-INS: N"),
            &[COLIN],
            "MSS-X-MSS-INS",
        ),
        (
            "X-MSS-CODECDA wrong",
            base(original.clone(), COLIN)
                .without("X-MSS-CODECDA")
                .header("X-MSS-CODECDA: 11488-4"),
            &[COLIN],
            "MSS-X-MSS-CODECDA",
        ),
        (
            "X-MSS-NIL missing",
            base(original.clone(), COLIN).without("X-MSS-NIL"),
            &[COLIN],
            "MSS-X-MSS-NIL",
        ),
        (
            "X-MSS-MES toward a professional",
            base(original.clone(), COLIN).header("X-MSS-MES: FIN"),
            &[COLIN],
            "MSS-X-MSS-MES",
        ),
        (
            "invisible to the patient, sent to the patient",
            base(invisible, PATIENT),
            &[PATIENT],
            "MSS-VISIBILITY-RECIPIENT",
        ),
        (
            "subject without the prefix",
            {
                let mut m = base(original.clone(), COLIN).without("Subject");
                m.headers.push("Subject: Compte rendu".into());
                m
            },
            &[COLIN],
            "MSS-SUBJECT-PREFIX",
        ),
        (
            "a PDF beside the archive other than the one its CDA carries",
            {
                let mut m = base(original.clone(), COLIN);
                m.pdf = Some(SAMPLE_PDF.to_vec());
                m
            },
            &[COLIN],
            "MSS-PDF-SAME-AS-CDA",
        ),
        (
            "no Message-ID",
            base(original.clone(), COLIN).without("Message-ID"),
            &[COLIN],
            "MSS-MESSAGE-ID",
        ),
        (
            "reply without References",
            base(original.clone(), COLIN).header("In-Reply-To: <parent@lps.test>"),
            &[COLIN],
            "MSS-REPLY-THREADING",
        ),
    ];
    let mut c = smtp_as(&t, LEGRAND).await;
    for (what, mail, to, rule) in cases {
        let answer = submit(&mut c, LEGRAND, to, &mail.build()).await;
        assert!(answer.starts_with("250 "), "{what}: {answer}");
        let rules = t.last_submission_rules();
        assert!(
            rules.iter().any(|r| r == rule),
            "{what}: expected {rule}, got {rules:?}"
        );
    }
    // The unmutated archive to the patient, with X-MSS-MES: FIN: nothing to say.
    let fine = base(original.clone(), PATIENT).header("X-MSS-MES: FIN");
    let answer = submit(&mut c, LEGRAND, &[PATIENT], &fine.build()).await;
    assert!(answer.starts_with("250 "), "{answer}");
    assert_eq!(t.last_submission_rules(), own_pdf_rules(&original));
    assert_eq!(
        t.mss
            .store()
            .folder(PATIENT, "INBOX")
            .unwrap()
            .messages
            .len(),
        2
    );
}

#[tokio::test]
async fn the_submitted_source_is_journaled_as_evidence() {
    let t = start().await;
    let mut c = smtp_as(&t, LEGRAND).await;
    let mail = Mail::new(LEGRAND, COLIN, "Bonjour");
    let raw = mail.build();
    submit(&mut c, LEGRAND, &[COLIN], &raw).await;
    let record = t
        .records()
        .into_iter()
        .rev()
        .find(|r| r.operation == "SMTP DATA")
        .expect("a DATA record");
    let body = record.request.as_ref().expect("request");
    let stored = t.bench.journal().body(body, 1 << 20).expect("blob");
    assert_eq!(stored, raw);
    let summary = &record.request.as_ref().unwrap().summary;
    assert_eq!(summary["identity"]["address"], LEGRAND);
    assert_eq!(summary["rcpt_to"][0], COLIN);
}
