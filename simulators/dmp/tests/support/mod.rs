//! Shared set-up of the DMP tests: a bench whose world also holds the DMP kit's patient and
//! professional, a started simulator, and an mTLS connection with a structure's
//! authentication certificate.

#![allow(dead_code)]

use segur_core::bench::Bench;
use segur_core::clock::Clock;
use segur_core::journal::Journal;
use segur_core::testing::{https, shared_pki};
use segur_core::world::World;
use segur_dmp::{DmpConfig, DmpHandle, DmpSimulator};

/// The kit's professional (Dr MAX LIBRE), structure and patient (PATB-QUATRE LAURENCE), so
/// the official messages find who they name.
pub const KIT_WORLD: &str = r#"
[[structures]]
id = "cabinet-libre"
name = "CABINET DR LIBRE"
national_id = "499900063480001"
activity_sector = "SA07"

[[professionals]]
id = "kit-libre"
national_id = "899900063480"
civility = "M"
title = "DR"
family_name = "LIBRE"
given_name = "MAX"
profession = "10"
specialty = "SM26"
structure = "cabinet-libre"

[[patients]]
id = "kit-patb-quatre"
source = "DMP kit messages (TD0.2 answer)"
traits = { birth_name = "PATB-QUATRE", first_names = ["LAURENCE"], sex = "F", birth_date = "1907-05-25", birthplace = "63220" }
ins = { matricule = "2070585756270", key = "97", oid = "1.2.250.1.213.1.4.10" }
mes_activated = false
dmp = { state = "open", opened_on = "2010-09-07", authorised = ["kit-libre"], treating_doctor = "kit-libre" }
# The patient of every ANS CDA example is the default world's pat-trois-dominique.
"#;

/// A configuration that replays the kit's messages: their VIHFs were signed years ago by
/// certificates of another PKI, so signatures are only reported and any age accepted.
pub fn replay_config() -> DmpConfig {
    DmpConfig {
        vihf_signatures: segur_dmp::VihfSignatures::Reported,
        vihf_max_age: time::Duration::days(365 * 30),
        ..DmpConfig::default()
    }
}

/// A bench over the default world plus [`KIT_WORLD`].
pub fn bench() -> (Bench, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Clock::new();
    let journal = Journal::open(dir.path(), clock.clone()).expect("journal");
    let text = format!("{}\n{KIT_WORLD}", segur_core::world::DEFAULT_WORLD_TOML);
    let world = World::from_toml(&text, "default + kit").expect("world");
    (Bench::new(world, clock, journal, shared_pki().clone()), dir)
}

/// A started DMP with `config`.
pub async fn start(config: DmpConfig) -> (Bench, DmpHandle, tempfile::TempDir) {
    let (bench, dir) = bench();
    let dmp = DmpSimulator::builder(bench.clone())
        .config(config)
        .start()
        .await
        .expect("DMP starts");
    (bench, dmp, dir)
}

/// An mTLS connection to `url` with the Cabinet des Lilas authentication certificate.
pub async fn connect(url: &str) -> https::Connection {
    connect_as(url, "structure-cabinet-lilas-auth").await
}

/// An mTLS connection to `url` with the PKI's credential `credential`.
pub async fn connect_as(url: &str, credential: &str) -> https::Connection {
    https::Connection::open(url, https::tls_config(shared_pki(), Some(credential)))
        .await
        .expect("TLS connection")
}

/// Sends a built request over mTLS (Cabinet des Lilas authentication certificate).
pub async fn send(dmp: &DmpHandle, request: &segur_dmp::request::DmpRequest) -> https::Answer {
    send_as(dmp, request, "structure-cabinet-lilas-auth").await
}

/// Sends a built request over mTLS with the PKI's credential `credential`.
pub async fn send_as(
    dmp: &DmpHandle,
    request: &segur_dmp::request::DmpRequest,
    credential: &str,
) -> https::Answer {
    let mut connection = connect_as(&dmp.url(request.service), credential).await;
    connection
        .send(
            "POST",
            &request.path(),
            &request.content_type,
            request.body.to_vec(),
        )
        .await
        .expect("answer")
}

/// The caller `professional` of the bench's world.
pub fn caller(bench: &Bench, professional: &str) -> segur_dmp::request::Caller {
    segur_dmp::request::Caller::professional(&bench.world(), professional).expect("professional")
}

/// A VIHF for `professional` about `patient`, issued now on the bench clock and signed
/// with their structure's signature certificate.
pub fn vihf(bench: &Bench, professional: &str, patient: &str) -> String {
    let caller = caller(bench, professional);
    let structure = bench
        .world()
        .professional(professional)
        .expect("professional")
        .structure
        .clone();
    let ins = bench
        .world()
        .patient(patient)
        .and_then(|p| p.ins.clone())
        .expect("patient with an INS");
    segur_dmp::request::VihfBuilder::new(caller, bench.clock().now())
        .patient(&ins)
        .signed_with(&signing_credential(&structure))
        .expect("signed VIHF")
}

/// The `-sign` credential of `structure`.
pub fn signing_credential(structure: &str) -> segur_core::pki::Credential {
    shared_pki()
        .credential(&format!("structure-{structure}-sign"))
        .expect("signature credential")
}

/// Reads a fixture of `fixtures/dmp/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../../fixtures/dmp/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Posts `body` to `service` of the DMP and returns the answer.
pub async fn post(
    dmp: &DmpHandle,
    service: &str,
    content_type: &str,
    body: Vec<u8>,
) -> https::Answer {
    let url = dmp.url(service);
    let mut connection = connect(&url).await;
    let path = url[url.find("/si-dmp-server").expect("path")..].to_string();
    connection
        .send("POST", &path, content_type, body)
        .await
        .expect("answer")
}

/// The names of the elements of `xml`, in document order, prefixes dropped: a structure
/// to compare an answer with the official one.
pub fn element_names(xml: &str) -> Vec<String> {
    let root = segur_core::xml::parse(
        xml.trim_start_matches('\u{feff}'),
        &segur_core::xml::Limits {
            max_depth: 128,
            max_nodes: 2_000_000,
        },
    )
    .expect("well-formed XML");
    let mut out = Vec::new();
    fn walk(e: &segur_core::xml::Element, out: &mut Vec<String>) {
        out.push(e.name.clone());
        for c in e.elements() {
            walk(c, out);
        }
    }
    walk(&root, &mut out);
    out
}
