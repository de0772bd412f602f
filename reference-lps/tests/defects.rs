//! Every catalogued defect is caught by the scenarios the catalogue names, and only by
//! them. Prints the detection table (defect → scenarios failed).

mod support;

use std::collections::BTreeSet;

use segur_reference_lps::defects::CATALOGUE;
use segur_scenarios::run::Verdict;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_defect_is_caught_by_its_scenarios_and_only_those() {
    segur_core::tls::install_crypto_provider();
    let mut table = String::from("\ndefect                        caught  scenarios failed\n");
    let mut wrong = Vec::new();
    for defect in CATALOGUE {
        let driver = support::http_lps(&[defect.name]).await;
        let (report, _dir) = support::run_suite(driver, None).await;
        let failed: BTreeSet<&str> = report
            .scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Failed)
            .map(|s| s.name.as_str())
            .collect();
        let expected: BTreeSet<&str> = defect.caught_by.iter().copied().collect();
        let skipped: Vec<&str> = report
            .scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Skipped)
            .map(|s| s.name.as_str())
            .collect();
        table.push_str(&format!(
            "{:<30} {:<7} {}\n",
            defect.name,
            if failed == expected { "yes" } else { "NO" },
            failed.iter().copied().collect::<Vec<_>>().join(" | ")
        ));
        if failed != expected || !skipped.is_empty() {
            wrong.push(format!(
                "{}: expected {:?}\n  failed {:?}\n  skipped {:?}",
                defect.name, expected, failed, skipped
            ));
        }
    }
    println!("{table}");
    assert!(wrong.is_empty(), "{table}\n{}", wrong.join("\n"));
}
