//! The whole INS + PSC suite passes against the reference LPS, through the HTTP driver
//! and through the stdio driver.

mod support;

use segur_scenarios::run::Verdict;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_over_http() {
    segur_core::tls::install_crypto_provider();
    let driver = support::http_lps(&[]).await;
    let (report, _dir) = support::run_suite(driver, None).await;
    assert!(
        report.scenarios.len() >= 25,
        "only {} scenarios ran",
        report.scenarios.len()
    );
    let failures = support::failures(&report);
    assert!(
        failures.is_empty(),
        "{} scenario(s) did not pass:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(report.count(Verdict::Passed), report.scenarios.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_passes_over_stdio() {
    segur_core::tls::install_crypto_provider();
    let driver = support::stdio_lps(&[]);
    let (report, _dir) = support::run_suite(driver, None).await;
    let failures = support::failures(&report);
    assert!(
        failures.is_empty(),
        "{} scenario(s) did not pass:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(report.scenarios.len() >= 25);
}
