//! Every answer the simulator produces validates against the CNAM's XSDs, checked by an
//! external validator (`xmllint --schema`, Debian's libxml2-utils; `.ci/run` installs it).
//! The one layout that must not validate is the CNDA files' date order, which breaks the
//! XSD exactly as those files do.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use segur_core::soap::SOAP12;
use segur_core::world::InsiDates;
use segur_core::xml::c14n::Canonicalizer;
use segur_core::xml::{Limits, parse};
use segur_insi::InsiConfig;
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;
use support::start;

fn schema(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/insi/wsdl/xsd")
        .join(path)
}

/// The first element of the answer's Body (RESULTAT, or the fault's siram:Erreur), as a
/// standalone document.
fn payload(xml: &str) -> String {
    let root = parse(xml, &Limits::default()).expect("well-formed");
    let body = root.child(SOAP12, "Body").expect("Body");
    let first = body.elements().next().expect("payload");
    let target = if first.is(SOAP12, "Fault") {
        first
            .child(SOAP12, "Detail")
            .and_then(|d| d.elements().next())
            .expect("fault detail")
    } else {
        first
    };
    Canonicalizer::new(&root).canonicalize(target).unwrap()
}

/// Runs xmllint on every file; returns the ones that failed, with its words.
fn xmllint(schema: &Path, files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(schema)
        .args(files)
        .output()
        .expect("xmllint is needed (apt-get install libxml2-utils; .ci/run installs it)");
    let report = String::from_utf8_lossy(&output.stderr).into_owned();
    files
        .iter()
        .filter(|f| !report.contains(&format!("{} validates", f.display())))
        .map(|f| (f.clone(), report.clone()))
        .collect()
}

#[tokio::test]
async fn every_answer_validates_against_the_cnam_schemas_but_the_cnda_date_order() {
    let bench = start(InsiConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let patients = bench.bench.world().patients.clone();
    let mut valid = Vec::new();
    let mut cnda_order = Vec::new();
    for p in patients.iter().filter(|p| p.ins.is_some() && p.insi.known) {
        let t = &p.traits;
        let query = TraitsQuery {
            birth_name: Some(t.birth_name.clone()),
            first_names: vec![t.first_names[0].clone()],
            sex: Some(t.sex.clone()),
            birth_date: Some(t.birth_date.to_string()),
            birthplace: Some(t.birthplace.clone()),
        };
        let answer = bench.call(&InsiRequest::search_by_traits(&query)).await;
        assert!(
            answer.body.contains("<CodeCR>00</CodeCR>") || answer.body.contains("<ns2:CodeCR>00"),
            "{}: {}",
            p.id,
            answer.body
        );
        let file = dir.path().join(format!("{}.xml", p.id));
        std::fs::write(&file, payload(&answer.body)).unwrap();
        let dated_history = p
            .ins_history
            .iter()
            .any(|h| h.start.is_some() || h.end.is_some());
        if p.insi.effective_dates() == InsiDates::CndaOrder && dated_history {
            cnda_order.push(file);
        } else {
            valid.push(file);
        }
    }
    for (name, query) in [
        ("cr01", ("NOBODY", "NONE", "M", "2000-01-01")),
        ("cr02", ("DE VINCI", "LEONARDO", "M", "2014-02-01")),
    ] {
        let q = TraitsQuery {
            birth_name: Some(query.0.into()),
            first_names: vec![query.1.into()],
            sex: Some(query.2.into()),
            birth_date: Some(query.3.into()),
            birthplace: None,
        };
        let answer = bench.call(&InsiRequest::search_by_traits(&q)).await;
        let file = dir.path().join(format!("{name}.xml"));
        std::fs::write(&file, payload(&answer.body)).unwrap();
        valid.push(file);
    }
    assert!(valid.len() > 30, "{} answers checked", valid.len());
    let failed = xmllint(
        &schema("ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd"),
        &valid,
    );
    assert!(failed.is_empty(), "answers refused by the XSD: {failed:#?}");
    assert!(!cnda_order.is_empty());
    let refused = xmllint(
        &schema("ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd"),
        &cnda_order,
    );
    assert_eq!(
        refused.len(),
        cnda_order.len(),
        "the CNDA date order should break the XSD"
    );

    // Faults: the siram:Erreur detail validates against the CNAM's fault schema.
    let mut faults = Vec::new();
    for (i, request) in [
        InsiRequest::search_by_traits(&TraitsQuery::default()).idam("UNKNOWN"),
        InsiRequest::search_by_traits(&TraitsQuery::default()).without_context_bam(),
        InsiRequest::search_by_traits(&TraitsQuery::default()).action("urn:nothing"),
    ]
    .iter()
    .enumerate()
    {
        let answer = bench.call(request).await;
        assert_eq!(answer.status, 500, "{}", answer.body);
        let file = dir.path().join(format!("fault-{i}.xml"));
        std::fs::write(&file, payload(&answer.body)).unwrap();
        faults.push(file);
    }
    let failed = xmllint(&schema("schema_faultSOAP_V01_01.xsd"), &faults);
    assert!(failed.is_empty(), "faults refused by the XSD: {failed:#?}");
}
