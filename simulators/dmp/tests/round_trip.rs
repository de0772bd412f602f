//! Round trips through the DMP with requests written by `segur_dmp::request` and VIHFs
//! signed by the bench's PKI: feed → search → retrieve gives back the same bytes; a
//! masked document disappears from another professional's search; only the author
//! deletes; and every VIHF defect the DMP refuses is refused with its code.

mod support;

use bytes::Bytes;
use segur_core::world::Ins;
use segur_core::xml::{Limits, parse};
use segur_dmp::DmpConfig;
use segur_dmp::request::{
    ChangeStatus, Feed, FeedDocument, FindDocuments, Retrieve, UpdateMetadata, VihfBuilder,
};
use segur_dmp::transport::mtom;
use segur_documents::ebrim::{RegistryObject, RegistryObjects, uuid};
use support::{bench, caller, send, send_as, signing_credential, start, vihf};

/// The ANS examples' patient (see support::KIT_WORLD).
const PATIENT: &str = "pat-trois-dominique";

fn cda(name: &str) -> Vec<u8> {
    let path = format!("{}/../../fixtures/cda/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ins(bench: &segur_core::bench::Bench, patient: &str) -> Ins {
    bench
        .world()
        .patient(patient)
        .and_then(|p| p.ins.clone())
        .expect("patient with an INS")
}

/// Feeds `document` as `author`; returns the answer's body.
async fn feed(
    bench: &segur_core::bench::Bench,
    dmp: &segur_dmp::DmpHandle,
    author: &str,
    document: FeedDocument,
) -> String {
    let request = Feed::new(caller(bench, author), ins(bench, PATIENT))
        .document(document)
        .signed_with(&signing_credential("cabinet-lilas"))
        .build(&vihf(bench, author, PATIENT))
        .expect("feed");
    send(dmp, &request).await.body
}

/// The entries `professional` finds for the patient (FindDocuments, Approved).
async fn search(
    bench: &segur_core::bench::Bench,
    dmp: &segur_dmp::DmpHandle,
    professional: &str,
) -> RegistryObjects {
    let request =
        FindDocuments::of(&ins(bench, PATIENT)).build(&vihf(bench, professional, PATIENT));
    let answer = send(dmp, &request).await;
    assert!(
        answer.body.contains("ResponseStatusType:Success"),
        "{}",
        answer.body
    );
    let root = parse(&envelope(&answer.body), &Limits::default()).expect("XML answer");
    RegistryObjects::read(&root)
}

/// The SOAP envelope of a plain or MTOM answer body.
fn envelope(body: &str) -> String {
    match body.find("<?xml").or_else(|| body.find("<soap:Envelope")) {
        Some(start) => {
            let end = body.find("</soap:Envelope>").expect("envelope end") + 16;
            body[start..end].to_string()
        }
        None => body.to_string(),
    }
}

/// Asks, as `professional`, the logical deletion of `entry_uuid`; returns the answer.
async fn delete(
    bench: &segur_core::bench::Bench,
    dmp: &segur_dmp::DmpHandle,
    professional: &str,
    entry_uuid: &str,
) -> String {
    let request =
        ChangeStatus::delete(caller(bench, professional), ins(bench, PATIENT), entry_uuid)
            .build(&vihf(bench, professional, PATIENT));
    send(dmp, &request).await.body
}

/// The entry whose uniqueId is `unique_id`.
fn find_entry<'a>(objects: &'a RegistryObjects, unique_id: &str) -> Option<&'a RegistryObject> {
    objects
        .entries
        .iter()
        .find(|e| e.external_id(uuid::UNIQUE_ID) == Some(unique_id))
}

fn unique_ids(objects: &RegistryObjects) -> Vec<String> {
    objects
        .entries
        .iter()
        .filter_map(|e| e.external_id(uuid::UNIQUE_ID).map(str::to_string))
        .collect()
}

#[tokio::test]
async fn feed_search_retrieve_gives_back_the_same_bytes() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let bytes = cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml");
    let document = FeedDocument::cda(bytes.clone()).unwrap();
    let unique_id = document.unique_id.clone();
    let answer = feed(&bench, &dmp, "dr-legrand", document).await;
    assert!(answer.contains("ResponseStatusType:Success"), "{answer}");

    // Another authorised professional finds it, with the hash and size of what was sent.
    let found = search(&bench, &dmp, "dr-colin").await;
    let entry = find_entry(&found, &unique_id)
        .unwrap_or_else(|| panic!("{unique_id} not in {:?}", unique_ids(&found)));
    assert_eq!(
        entry.slot_value("hash"),
        Some(segur_documents::sha1_hex(&bytes).as_str())
    );
    assert_eq!(
        entry.slot_value("size"),
        Some(bytes.len().to_string().as_str())
    );
    let repository = entry
        .slot_value("repositoryUniqueId")
        .expect("repositoryUniqueId")
        .to_string();

    let request =
        Retrieve::document(&repository, &unique_id).build(&vihf(&bench, "dr-colin", PATIENT));
    let answer = send(&dmp, &request).await;
    let package = mtom::read(
        answer.header("content-type"),
        Bytes::from(answer.body.clone()),
        1 << 24,
    )
    .await
    .expect("an MTOM answer");
    let root = parse(
        std::str::from_utf8(&package.soap).unwrap(),
        &Limits::default(),
    )
    .unwrap();
    let include = root
        .descendants()
        .into_iter()
        .find(|e| e.name == "Include")
        .expect("xop:Include in the answer");
    let part = package
        .resolve(include.attr("href").unwrap())
        .expect("the cid resolves");
    assert_eq!(
        part.bytes.as_ref(),
        bytes.as_slice(),
        "the same bytes come back"
    );
}

#[tokio::test]
async fn a_masked_document_is_hidden_from_other_professionals() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let document = FeedDocument::cda(cda("VAC-NOTE_2023.01.xml"))
        .unwrap()
        .format_code("urn:asip:ci-sis:vac-note:2023");
    let unique_id = document.unique_id.clone();
    assert!(
        feed(&bench, &dmp, "dr-legrand", document)
            .await
            .contains("Success")
    );
    let seen = search(&bench, &dmp, "dr-colin").await;
    assert!(
        unique_ids(&seen).contains(&unique_id),
        "visible before masking"
    );

    let entry = find_entry(&seen, &unique_id).unwrap();
    let lid = entry.lid.clone().expect("lid");
    let version: u32 = entry
        .version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .expect("VersionInfo");
    let mask = UpdateMetadata::new(
        caller(&bench, "dr-legrand"),
        ins(&bench, PATIENT),
        &lid,
        version,
        &unique_id,
    )
    .visibility("MASQUE_PS")
    .build(&vihf(&bench, "dr-legrand", PATIENT));
    let answer = send(&dmp, &mask).await;
    assert!(
        answer.body.contains("ResponseStatusType:Success"),
        "{}",
        answer.body
    );

    let other = search(&bench, &dmp, "dr-colin").await;
    assert!(
        !unique_ids(&other).contains(&unique_id),
        "masked: another professional no longer sees it"
    );
    let author = search(&bench, &dmp, "dr-legrand").await;
    let entry = find_entry(&author, &unique_id).expect("its author still sees it");
    assert_eq!(
        entry.version.as_deref(),
        Some("2"),
        "masking made a new version"
    );
    assert!(
        entry
            .classified(uuid::CONFIDENTIALITY)
            .any(|c| c.code == "MASQUE_PS")
    );
    // A second update naming the old version is refused.
    let stale = UpdateMetadata::new(
        caller(&bench, "dr-legrand"),
        ins(&bench, PATIENT),
        &lid,
        version,
        &unique_id,
    )
    .build(&vihf(&bench, "dr-legrand", PATIENT));
    assert!(
        send(&dmp, &stale)
            .await
            .body
            .contains("XDSMetadataVersionError")
    );
}

#[tokio::test]
async fn only_the_author_deletes() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let document = FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml")).unwrap();
    let unique_id = document.unique_id.clone();
    assert!(
        feed(&bench, &dmp, "dr-legrand", document)
            .await
            .contains("Success")
    );
    let found = search(&bench, &dmp, "dr-colin").await;
    let entry_uuid = find_entry(&found, &unique_id).unwrap().id.clone();

    let answer = delete(&bench, &dmp, "dr-colin", &entry_uuid).await;
    assert!(
        answer.contains("XDSMetadataUpdateOperationError"),
        "{answer}"
    );
    assert!(unique_ids(&search(&bench, &dmp, "dr-colin").await).contains(&unique_id));

    let answer = delete(&bench, &dmp, "dr-legrand", &entry_uuid).await;
    assert!(answer.contains("ResponseStatusType:Success"), "{answer}");
    assert!(!unique_ids(&search(&bench, &dmp, "dr-colin").await).contains(&unique_id));
}

#[tokio::test]
async fn a_replacement_deprecates_the_first_version() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let first = FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml")).unwrap();
    let first_id = first.unique_id.clone();
    assert!(
        feed(&bench, &dmp, "dr-legrand", first)
            .await
            .contains("Success")
    );
    let found = search(&bench, &dmp, "dr-legrand").await;
    let entry_uuid = find_entry(&found, &first_id).unwrap().id.clone();
    let second = FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml"))
        .unwrap()
        .unique_id("1.2.250.1.999.2.2.2");
    let request = Feed::new(caller(&bench, "dr-legrand"), ins(&bench, PATIENT))
        .document(second)
        .replacing(&entry_uuid)
        .signed_with(&signing_credential("cabinet-lilas"))
        .build(&vihf(&bench, "dr-legrand", PATIENT))
        .unwrap();
    let answer = send(&dmp, &request).await;
    assert!(
        answer.body.contains("ResponseStatusType:Success"),
        "{}",
        answer.body
    );
    let ids = unique_ids(&search(&bench, &dmp, "dr-legrand").await);
    assert!(ids.contains(&"1.2.250.1.999.2.2.2".to_string()));
    assert!(
        !ids.contains(&first_id),
        "the replaced version is Deprecated"
    );
}

#[tokio::test]
async fn related_documents_follow_the_replacement_both_ways() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let first = FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml")).unwrap();
    let first_id = first.unique_id.clone();
    feed(&bench, &dmp, "dr-legrand", first).await;
    let old = find_entry(&search(&bench, &dmp, "dr-legrand").await, &first_id)
        .unwrap()
        .id
        .clone();
    let request = Feed::new(caller(&bench, "dr-legrand"), ins(&bench, PATIENT))
        .document(
            FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml"))
                .unwrap()
                .unique_id("1.2.250.1.999.2.2.3"),
        )
        .replacing(&old)
        .signed_with(&signing_credential("cabinet-lilas"))
        .build(&vihf(&bench, "dr-legrand", PATIENT))
        .unwrap();
    assert!(send(&dmp, &request).await.body.contains("Success"));
    // Asked from the old version: both versions and one RPLC from the new to the old.
    let answer = send(
        &dmp,
        &FindDocuments::related(&old).build(&vihf(&bench, "dr-legrand", PATIENT)),
    )
    .await;
    let root = parse(&envelope(&answer.body), &Limits::default()).expect("XML answer");
    let objects = RegistryObjects::read(&root);
    let mut ids = unique_ids(&objects);
    ids.sort();
    let mut expected = [first_id.clone(), "1.2.250.1.999.2.2.3".to_string()];
    expected.sort();
    assert_eq!(ids, expected);
    let new = find_entry(&objects, "1.2.250.1.999.2.2.3")
        .unwrap()
        .id
        .clone();
    let links: Vec<(&str, &str, &str)> = objects
        .associations
        .iter()
        .map(|a| (a.kind.as_str(), a.source.as_str(), a.target.as_str()))
        .collect();
    assert_eq!(
        links,
        [(
            segur_documents::ebrim::association::RPLC,
            new.as_str(),
            old.as_str()
        )]
    );
    assert!(
        find_entry(&objects, &first_id)
            .and_then(|e| e.status.as_deref())
            .is_some_and(|s| s.ends_with("Deprecated"))
    );
    // Without $AssociationTypes the query is refused with its XDS code.
    let mut request = FindDocuments::related(&old).build(&vihf(&bench, "dr-legrand", PATIENT));
    request.body = String::from_utf8_lossy(&request.body)
        .replace("$AssociationTypes", "$Autre")
        .into_bytes()
        .into();
    let answer = send(&dmp, &request).await;
    assert!(
        answer.body.contains("XDSStoredQueryMissingParam"),
        "{}",
        answer.body
    );
}

/// Feeds that the DMP refuses, each with the XDS code it answers.
#[tokio::test]
async fn refused_feeds_get_their_xds_code() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let base = || {
        Feed::new(caller(&bench, "dr-legrand"), ins(&bench, PATIENT))
            .signed_with(&signing_credential("cabinet-lilas"))
    };
    let document = || FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml")).unwrap();
    let vihf_ok = vihf(&bench, "dr-legrand", PATIENT);
    let other = ins(&bench, "martin-durand-lea");
    let cases: Vec<(&str, Feed, String, &str)> = vec![
        (
            "hash not matching the document",
            base().document(document().with_wrong_hash()),
            vihf_ok.clone(),
            "XDSNonIdenticalHash",
        ),
        (
            "no signature of the submission set",
            base().document(document()).without_signature(),
            vihf_ok.clone(),
            "XDSRegistryMetadataError",
        ),
        (
            "the submission set's signature made over a draft of the document",
            base()
                .document(document())
                .signing_a_draft(b"<ClinicalDocument>brouillon</ClinicalDocument>".to_vec()),
            vihf_ok.clone(),
            "is not the one that was signed",
        ),
        (
            "the submission set signed with an authentication key",
            Feed::new(caller(&bench, "dr-legrand"), ins(&bench, PATIENT))
                .signed_with(
                    &segur_core::testing::shared_pki()
                        .credential("structure-cabinet-lilas-auth")
                        .unwrap(),
                )
                .document(document()),
            vihf_ok.clone(),
            "no nonRepudiation",
        ),
        (
            "resource-id of another patient",
            base().document(document()),
            vihf(&bench, "dr-legrand", "martin-durand-lea"),
            "XDSPatientIdDoesNotMatch",
        ),
        (
            "submission set of another patient than its entries",
            base()
                .document(document())
                .submission_set_patient(other.cx()),
            vihf_ok.clone(),
            "XDSPatientIdDoesNotMatch",
        ),
    ];
    for (what, feed, vihf, code) in cases {
        let answer = send(&dmp, &feed.build(&vihf).unwrap()).await;
        assert!(
            answer.body.contains(code),
            "{what}: expected {code}, got {}",
            answer.body
        );
        assert!(answer.body.contains("ResponseStatusType:Failure"), "{what}");
    }
    assert!(
        dmp.store().read().documents.is_empty(),
        "nothing was registered"
    );
    // The same document twice: the second is a duplicate.
    assert!(
        feed(&bench, &dmp, "dr-legrand", document())
            .await
            .contains("Success")
    );
    let again = feed(&bench, &dmp, "dr-legrand", document()).await;
    assert!(again.contains("XDSDuplicateUniqueIdInRegistry"), "{again}");
}

/// VIHFs the DMP refuses with a SOAP fault, each with its code.
#[tokio::test]
async fn refused_vihfs_get_their_fault() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let patient = ins(&bench, PATIENT);
    let now = bench.clock().now();
    let legrand = || VihfBuilder::new(caller(&bench, "dr-legrand"), now).patient(&patient);
    let sign = signing_credential("cabinet-lilas");
    let auth = segur_core::testing::shared_pki()
        .credential("structure-cabinet-lilas-auth")
        .unwrap();
    let card = segur_core::testing::shared_pki()
        .credential("card-dr-legrand")
        .unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "signed with the structure's authentication key",
            legrand().signed_with(&auth).unwrap(),
            "DMPInvalidCertificate",
        ),
        ("not signed", legrand().unsigned(), "FailedCheck"),
        (
            "signature broken after signing",
            legrand()
                .signed_with(&sign)
                .unwrap()
                .replace("segur-bench reference LPS", "segur-bench reference LPX"),
            "FailedCheck",
        ),
        (
            "issued two hours ago, valid one hour",
            legrand()
                .issued_at(now - time::Duration::hours(2))
                .signed_with(&sign)
                .unwrap(),
            "MessageExpired",
        ),
        (
            "a doctor without a specialty role",
            legrand().without_specialty().signed_with(&sign).unwrap(),
            "InvalidSecurityToken",
        ),
        (
            "resource-id not an INS",
            legrand()
                .resource_id("12345^^^&1.2.3&ISO^PI")
                .signed_with(&sign)
                .unwrap(),
            "InvalidSecurityToken",
        ),
    ];
    let colin_card = segur_core::testing::shared_pki()
        .credential("card-dr-colin")
        .unwrap();
    let valbourg_seal = signing_credential("ch-valbourg");
    let incoherent: Vec<(&str, String, &str)> = vec![
        (
            "an Issuer that is not the signer's DN",
            legrand()
                .issuer(
                    "C=FR, O=Cabinet médical des Lilas, OU=499900100001001, CN=Quelqu'un d'autre",
                )
                .signed_with(&sign)
                .unwrap(),
            "InvalidSecurityToken",
        ),
        (
            "signed with another structure's seal",
            legrand().signed_with(&valbourg_seal).unwrap(),
            "DMPInvalidCertificate",
        ),
        (
            "signed with an expired signature certificate",
            legrand()
                .signed_with(
                    &segur_core::testing::shared_pki()
                        .credential("negative-sign-expired")
                        .unwrap(),
                )
                .unwrap(),
            "DMPInvalidCertificate",
        ),
        (
            "signed with a revoked signature certificate",
            legrand()
                .signed_with(
                    &segur_core::testing::shared_pki()
                        .credential("negative-sign-revoked")
                        .unwrap(),
                )
                .unwrap(),
            "DMPInvalidCertificate",
        ),
        (
            "signed with a colleague's card",
            legrand().signed_with(&colin_card).unwrap(),
            "DMPInvalidCertificate",
        ),
    ];
    for (what, vihf, code) in cases.into_iter().chain(incoherent) {
        let answer = send(&dmp, &FindDocuments::of(&patient).build(&vihf)).await;
        assert!(answer.body.contains("Fault"), "{what}: {}", answer.body);
        assert!(
            answer.body.contains(code),
            "{what}: expected {code}, got {}",
            answer.body
        );
    }
    // The VIHF names Cabinet des Lilas; the TLS connection is the hospital's.
    let search = FindDocuments::of(&patient).build(&legrand().signed_with(&sign).unwrap());
    let answer = send_as(&dmp, &search, "structure-ch-valbourg-auth").await;
    assert!(
        answer.body.contains("DMPInvalidCertificate") && answer.body.contains("TLS client"),
        "another structure's connection: {}",
        answer.body
    );
    let refusals = bench
        .journal()
        .query(&segur_core::journal::Query::default())
        .unwrap()
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| f.rule == "DMP-VIHF-COHERENCE")
        .count();
    assert_eq!(refusals, 4, "each incoherence is journaled");
    // The card's signature key and the kit's spelling of the mode attribute are accepted.
    for (what, vihf) in [
        ("card", legrand().signed_with(&card).unwrap()),
        (
            "Authentification_mode",
            legrand()
                .with_kit_mode_spelling()
                .signed_with(&sign)
                .unwrap(),
        ),
    ] {
        let answer = send(&dmp, &FindDocuments::of(&patient).build(&vihf)).await;
        assert!(
            answer.body.contains("ResponseStatusType:Success"),
            "{what}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn consultation_needs_an_authorisation_feeding_does_not() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    // Dr Bertin is not authorised on this patient's DMP.
    let search =
        FindDocuments::of(&ins(&bench, PATIENT)).build(&vihf(&bench, "dr-bertin", PATIENT));
    let answer = send_as(&dmp, &search, "structure-ch-valbourg-auth").await;
    assert!(
        answer.body.contains("DMPAccessDeniedByAuthorization"),
        "{}",
        answer.body
    );
    let request = Feed::new(caller(&bench, "dr-bertin"), ins(&bench, PATIENT))
        .document(FeedDocument::cda(cda("DOC_NON_STRUCTURE_CDA-R2-N1.xml")).unwrap())
        .signed_with(&signing_credential("ch-valbourg"))
        .build(&vihf_with(&bench, "dr-bertin", "ch-valbourg"))
        .unwrap();
    let answer = send_as(&dmp, &request, "structure-ch-valbourg-auth").await;
    assert!(
        answer.body.contains("ResponseStatusType:Success"),
        "{}",
        answer.body
    );
    let _ = bench;
}

fn vihf_with(bench: &segur_core::bench::Bench, professional: &str, structure: &str) -> String {
    VihfBuilder::new(caller(bench, professional), bench.clock().now())
        .patient(&ins(bench, PATIENT))
        .signed_with(&signing_credential(structure))
        .unwrap()
}

#[test]
fn the_support_world_loads() {
    let (bench, _dir) = bench();
    assert!(bench.world().patient(PATIENT).is_some());
}

/// A session's VIHF is verified once and then remembered; a changed byte is still
/// refused (the clock side is in `vihf/tests.rs`: the TLS door refuses an expired client
/// certificate before the VIHF is read).
#[tokio::test]
async fn a_remembered_vihf_signature_is_still_checked_against_its_bytes() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let patient = ins(&bench, PATIENT);
    let long_lived = VihfBuilder::new(caller(&bench, "dr-legrand"), bench.clock().now())
        .patient(&patient)
        .valid_for(time::Duration::days(365 * 50))
        .signed_with(&signing_credential("cabinet-lilas"))
        .unwrap();
    for _ in 0..2 {
        let answer = send(&dmp, &FindDocuments::of(&patient).build(&long_lived)).await;
        assert!(
            answer.body.contains("ResponseStatusType:Success"),
            "{}",
            answer.body
        );
    }
    let tampered = long_lived.replace("segur-bench reference LPS", "segur-bench reference LPX");
    let answer = send(&dmp, &FindDocuments::of(&patient).build(&tampered)).await;
    assert!(answer.body.contains("FailedCheck"), "{}", answer.body);
}

/// The control API's PATCH of a patient (here through the bench, as its handler does)
/// reaches the running DMP: authorising Dr Bertin opens consultation to him; the
/// documents already fed are kept.
#[tokio::test]
async fn a_world_change_of_a_patients_dmp_reaches_the_running_dmp() {
    let (bench, dmp, _dir) = start(DmpConfig::default()).await;
    let search =
        || FindDocuments::of(&ins(&bench, PATIENT)).build(&vihf(&bench, "dr-bertin", PATIENT));
    let before = send_as(&dmp, &search(), "structure-ch-valbourg-auth").await;
    assert!(
        before.body.contains("DMPAccessDeniedByAuthorization"),
        "{}",
        before.body
    );
    // What the control API's PATCH does: the patient's whole DMP state, changed.
    let patch = |change: &dyn Fn(&mut segur_core::world::Dmp)| {
        let mut dmp = bench.world().patient(PATIENT).unwrap().dmp.clone();
        change(&mut dmp);
        bench
            .change_world(|w| {
                w.change_patient(
                    PATIENT,
                    segur_core::world::PatientChange {
                        dmp: Some(dmp),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
    };
    patch(&|dmp| dmp.authorised.push("dr-bertin".into()));
    let after = send_as(&dmp, &search(), "structure-ch-valbourg-auth").await;
    assert!(
        after.body.contains("ResponseStatusType:Success"),
        "{}",
        after.body
    );
    // Closing the DMP through the world closes it for the next call.
    patch(&|dmp| {
        dmp.state = segur_core::world::DmpState::Closed;
        dmp.closed_on = Some("2026-12-01".into());
        dmp.closed_reason = Some("demande du patient".into());
    });
    let refused = send_as(&dmp, &search(), "structure-ch-valbourg-auth").await;
    assert!(
        !refused.body.contains("ResponseStatusType:Success"),
        "{}",
        refused.body
    );
}
