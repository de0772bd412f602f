//! Every public test identity gets the answer the real service (qualification or CNDA
//! file) gave, compared structurally with the fixture: code, label, active INS, history
//! (with dates and their position), TIQ, and the answer's prefixes.

mod support;

use segur_core::soap::SOAP12;
use segur_core::xml::{Element, Limits, parse};
use segur_insi::InsiConfig;
use segur_insi::query::TraitsQuery;
use segur_insi::request::InsiRequest;
use support::{fixture, start};

const RESULTAT: &str = "http://www.cnamts.fr/INSiResultat";

/// What of an answer must match, element by element, prefixes included.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    body: String,
    resultat: String,
    code: String,
    label: String,
    ins: Vec<(String, Vec<(String, String)>)>,
    tiq: Vec<(String, String)>,
}

fn leaves(e: &Element) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in e.elements() {
        if c.elements().next().is_some() {
            for (n, v) in leaves(c) {
                out.push((format!("{}/{n}", c.name), v));
            }
        } else {
            out.push((c.name.clone(), c.text().trim().to_string()));
        }
    }
    out
}

fn shape(xml: &str) -> Shape {
    let root = parse(xml, &Limits::default()).expect("well-formed answer");
    let body = root.child(SOAP12, "Body").expect("Body");
    let resultat = body.child(RESULTAT, "RESULTAT").expect("RESULTAT");
    let cr = resultat.child(RESULTAT, "CR").expect("CR");
    let individual = resultat.child(RESULTAT, "INDIVIDU");
    Shape {
        body: body.qualified_name(),
        resultat: resultat.qualified_name(),
        code: cr.child_text(RESULTAT, "CodeCR").unwrap_or_default(),
        label: cr.child_text(RESULTAT, "LibelleCR").unwrap_or_default(),
        ins: individual
            .map(|i| {
                i.elements()
                    .filter(|e| e.name != "TIQ")
                    .map(|e| (e.name.clone(), leaves(e)))
                    .collect()
            })
            .unwrap_or_default(),
        tiq: individual
            .and_then(|i| i.child(RESULTAT, "TIQ"))
            .map(leaves)
            .unwrap_or_default(),
    }
}

fn traits(name: &str, first: &str, sex: &str, date: &str) -> TraitsQuery {
    TraitsQuery {
        birth_name: Some(name.into()),
        first_names: vec![first.into()],
        sex: Some(sex.into()),
        birth_date: Some(date.into()),
        birthplace: None,
    }
}

#[tokio::test]
async fn public_test_identities_get_the_answers_the_real_service_gave() {
    let bench = start(InsiConfig::default()).await;
    let table: &[(TraitsQuery, &str)] = &[
        (
            traits("ADRTROIS", "DOMINIQUE", "F", "1997-02-26"),
            "insi/responses/adrtrois-dominique.fixture.getAdrtroisDominiqueXmlResponse.xml",
        ),
        (
            traits("ADRTROIS", "TOUSSAINT", "M", "1960-01-01"),
            "insi/responses/adrtrois-toussaint.fixture.getAdrtroisToussaintXmlResponse.xml",
        ),
        (
            traits("TCHITCHI", "CATARINA", "F", "1936-06-21"),
            "insi/responses/tchitchi-ola-catarina.fixture.getTchitchiCatarinaXmlResponse.xml",
        ),
        (
            traits("TCHITCHI", "OLA", "F", "1936-06-21"),
            "insi/responses/REP_CR01.xml",
        ),
        (
            traits("ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14"),
            "insi/responses/TEST_2.04_cas2.xml",
        ),
        (
            traits("PROVISOIRE", "MATRICULE", "M", "2009-07-01"),
            "insi/responses/TEST_2.05.xml",
        ),
        (
            traits("CORSE", "ANTHONY", "M", "1980-03-02"),
            "insi/responses/TEST_2.08_cas1.xml",
        ),
        (
            traits("HERMANN", "GATIEN", "M", "1981-03-24"),
            "insi/responses/TEST_2.08_cas2.xml",
        ),
        (
            traits("DE VINCI", "LEONARDO", "M", "2014-02-01"),
            "insi/responses/insi-client.fixture.getCR02XmlResponse.xml",
        ),
        (
            traits("PATB-QUATRE", "LAURENCE", "F", "1907-05-25"),
            "insi/responses/WS_INS2_rechercherInsAvecTraitsIdentite_réponse.xml",
        ),
    ];
    for (query, path) in table {
        let answer = bench.call(&InsiRequest::search_by_traits(query)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert!(answer.content_type.starts_with("application/soap+xml"));
        let mut expected = shape(&fixture(path));
        let got = shape(&answer.body);
        if expected.code != "00" {
            // Without an identity there is no world entry to choose the layout: the
            // simulator answers in the live service's (env:Body), the CNDA file has S:Body.
            expected.body = "env:Body".into();
        }
        assert_eq!(
            got, expected,
            "{path}\nsimulator answered:\n{}",
            answer.body
        );
    }
}

#[tokio::test]
async fn other_first_names_the_birthplace_and_lunar_dates_match_as_the_service_does() {
    let bench = start(InsiConfig::default()).await;
    let code = |xml: &str| shape(xml).code;
    // A second birth first name matches, as does the whole list; a foreign one does not.
    for (first, expected) in [
        ("BELLA", "00"),
        ("CATARINA BELLA", "00"),
        ("PIERRE PAUL JACQUES", "01"),
    ] {
        let a = bench
            .call(&InsiRequest::search_by_traits(&traits(
                "TCHITCHI",
                first,
                "F",
                "1936-06-21",
            )))
            .await;
        assert_eq!(code(&a.body), expected, "{first}");
    }
    // The homonyms are told apart by their birthplace (CR 02 → 00).
    let mut q = traits("DE VINCI", "LEONARDO", "M", "2014-02-01");
    q.birthplace = Some("75056".into());
    let a = bench.call(&InsiRequest::search_by_traits(&q)).await;
    assert_eq!(code(&a.body), "00");
    assert!(a.body.contains("1140275056321"));
    // A lunar birth date is matched as written, 00 included.
    let a = bench
        .call(&InsiRequest::search_by_traits(&traits(
            "BENALI",
            "KARIM",
            "M",
            "1950-00-00",
        )))
        .await;
    assert_eq!(code(&a.body), "00");
    assert!(a.body.contains("<DateNaissance>1950-00-00</DateNaissance>"));
    // An empty trait is sent empty, and the history without dates.
    let a = bench
        .call(&InsiRequest::search_by_traits(&traits(
            "TRAORE",
            "AMINATA",
            "F",
            "1979-07-00",
        )))
        .await;
    assert!(a.body.contains("<LieuNaissance/>"), "{}", a.body);
    assert!(a.body.contains("7790799335017") && !a.body.contains("DateDeb"));
    // A patient INSi does not know answers 01 even on exact traits.
    bench
        .bench
        .change_world(|w| {
            let p = w
                .patients
                .iter_mut()
                .find(|p| p.id == "petit-louis")
                .unwrap();
            p.insi.known = false;
            Ok(())
        })
        .unwrap();
    let a = bench
        .call(&InsiRequest::search_by_traits(&traits(
            "PETIT",
            "LOUIS",
            "M",
            "1990-05-17",
        )))
        .await;
    assert_eq!(code(&a.body), "01");
    // Journal: mode, caller, traits asked and code returned (INS/va1.38, INS/va1.49).
    let record = bench.last();
    assert_eq!(record.operation, "rechercherInsAvecTraitsIdentite");
    let request = &record.request.as_ref().unwrap().summary;
    assert_eq!(request["mode"], "AUTO");
    assert_eq!(request["caller"]["structure"], "499900100001001");
    assert_eq!(request["query"]["birth_name"], "PETIT");
    assert_eq!(request["idam"], "TESTSGIE0000");
    assert_eq!(record.response.as_ref().unwrap().summary["code"], "01");
}

#[tokio::test]
async fn vitale_searches_match_the_nir_birth_date_and_rank() {
    use segur_insi::query::VitaleQuery;
    let bench = start(InsiConfig::default()).await;
    let card = |rank: &str, date: &str| VitaleQuery {
        od_nir: Some("2880469123456".into()),
        birth_date: Some(date.into()),
        rank: Some(rank.into()),
        ..VitaleQuery::default()
    };
    for (query, expected) in [
        (card("2", "2015-06-01"), Some("2150669123001")),
        (card("1", "1988-04-12"), Some("2880469123456")),
        (card("3", "2015-06-01"), None),
    ] {
        let a = bench.call(&InsiRequest::search_by_vitale(&query)).await;
        let s = shape(&a.body);
        match expected {
            Some(nir) => {
                assert_eq!(s.code, "00", "{query:?}: {}", a.body);
                assert!(a.body.contains(nir));
            }
            None => assert_eq!(s.code, "01", "{query:?}"),
        }
        assert_eq!(bench.last().operation, "rechercherInsAvecCarteVitale");
    }

    // Two beneficiaries the card's data cannot tell apart: 02 belongs to the traits
    // search only, the card search answers 01.
    bench
        .bench
        .change_world(|w| {
            let mut twin = w
                .patients
                .iter()
                .find(|p| p.id == "durand-zoe")
                .cloned()
                .expect("durand-zoe");
            twin.id = "durand-zoe-bis".into();
            if let Some(ins) = twin.ins.as_mut() {
                ins.matricule = "2150669123002".into();
            }
            w.patients.push(twin);
            Ok(())
        })
        .expect("world");
    let a = bench
        .call(&InsiRequest::search_by_vitale(&card("2", "2015-06-01")))
        .await;
    assert_eq!(shape(&a.body).code, "01", "{}", a.body);
}

#[tokio::test]
async fn verification_compares_the_ins_supplied_or_is_not_offered() {
    use segur_core::world::Ins;
    use segur_insi::VerifyPolicy;
    let bench = start(InsiConfig::default()).await;
    let held = Ins {
        matricule: "297022A020778".into(),
        key: "78".into(),
        oid: "1.2.250.1.213.1.4.8".into(),
    };
    let who = traits("ADRTROIS", "DOMINIQUE", "F", "1997-02-26");
    let a = bench.call(&InsiRequest::verify(&held, &who)).await;
    assert_eq!(shape(&a.body).code, "00", "{}", a.body);
    let record = bench.last();
    assert_eq!(record.operation, "verifierInsAvecTraitsIdentite");
    assert_eq!(
        record.response.as_ref().unwrap().summary["verification"],
        "OK"
    );

    let wrong = Ins {
        key: "77".into(),
        ..held.clone()
    };
    // The INSFourni shape is also accepted under the traits-search action.
    let request =
        InsiRequest::verify(&wrong, &who).action(&segur_insi::Operation::SearchByTraits.action());
    bench.call(&request).await;
    let record = bench.last();
    assert_eq!(
        record.response.as_ref().unwrap().summary["verification"],
        "KO"
    );
    assert!(record.has_rule("INSI-VERIFICATION-KO"));

    // The right matricule and key under another OID is another INS.
    let other_oid = Ins {
        oid: "1.2.250.1.213.1.4.10".into(),
        ..held.clone()
    };
    bench.call(&InsiRequest::verify(&other_oid, &who)).await;
    assert_eq!(
        bench.last().response.as_ref().unwrap().summary["verification"],
        "KO"
    );

    let strict = start(InsiConfig {
        verify: VerifyPolicy::NotOffered,
        ..InsiConfig::default()
    })
    .await;
    let a = strict.call(&InsiRequest::verify(&held, &who)).await;
    assert_eq!(a.status, 500);
    assert!(a.body.contains("wsa:ActionNotSupported"), "{}", a.body);
}
