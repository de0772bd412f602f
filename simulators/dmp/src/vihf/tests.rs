use super::attributes::is_national_ps_id;

#[test]
fn national_ps_ids() {
    for (id, ok) in [
        ("899900063480", true),
        ("00B2800585", false),
        ("10B0011797", false),
        ("2123", false),
        ("8", false),
        ("", false),
    ] {
        assert_eq!(is_national_ps_id(id), ok, "{id}");
    }
}

/// A remembered signature is refused once the bench clock passes its certificate's end.
#[test]
fn a_remembered_signature_follows_the_bench_clock() {
    use segur_core::soap::Envelope;

    use super::signature::{SignatureCache, check};
    use crate::config::DmpConfig;
    use crate::request::{Caller, FindDocuments, VihfBuilder};

    let (bench, _dir) = segur_core::testing::bench();
    let caller = Caller::professional(&bench.world(), "dr-legrand").unwrap();
    let patient = bench
        .world()
        .patient("martin-durand-lea")
        .and_then(|p| p.ins.clone())
        .unwrap();
    let credential = bench
        .pki()
        .credential("structure-cabinet-lilas-sign")
        .unwrap();
    let vihf = VihfBuilder::new(caller, bench.clock().now())
        .patient(&patient)
        .signed_with(&credential)
        .unwrap();
    let request = FindDocuments::of(&patient).build(&vihf);
    let config = DmpConfig::default();
    let envelope = Envelope::parse_any(&request.body, &config.xml_limits).unwrap();
    let assertion = super::assertion(&envelope).unwrap();
    let cache = SignatureCache::default();
    let mut findings = Vec::new();
    for _ in 0..2 {
        let signer = check(&envelope, assertion, &bench, &config, &cache, &mut findings);
        assert!(matches!(signer, Ok(Some(_))), "{findings:?}");
    }
    bench.clock().advance(time::Duration::days(365 * 20));
    let refused = check(&envelope, assertion, &bench, &config, &cache, &mut findings);
    assert!(
        refused.is_err_and(|f| f.code.ends_with("DMPInvalidCertificate")),
        "{findings:?}"
    );
}
