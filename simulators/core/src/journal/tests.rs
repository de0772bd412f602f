use std::time::Duration;

use super::*;
use crate::finding::{Rule, Severity};

const RULE: Rule = Rule {
    name: "INSI-CTXLPS-MISSING",
    requirements: &["INS/va1.52"],
    severity: Severity::Error,
};

fn exchange(service: &str, operation: &str) -> Exchange {
    Exchange::new(service, operation)
        .request(
            Payload::new(format!("<req op=\"{operation}\"/>")).content_type("application/soap+xml"),
        )
        .response(Payload::new("<ok/>"))
}

fn open(dir: &Path) -> Journal {
    Journal::open(dir, Clock::new()).unwrap()
}

/// A closed journal of `n` records (operations `op0`..), and its lines.
fn written(n: usize) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(dir.path());
    for i in 0..n {
        journal.append(exchange("insi", &format!("op{i}"))).unwrap();
    }
    drop(journal);
    let all = lines(dir.path());
    (dir, all)
}

/// Rewrites the journal with `lines` and verifies it.
fn rewrite_and_verify(dir: &Path, lines: &[String]) -> VerifyReport {
    std::fs::write(dir.join(JOURNAL_FILE), lines.join("\n") + "\n").unwrap();
    verify_file(&dir.join(JOURNAL_FILE)).unwrap()
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(JOURNAL_FILE))
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn records_chain_and_carry_their_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(dir.path());
    let first = journal
        .append(exchange("insi", "rechercherInsAvecTraitsIdentite"))
        .unwrap();
    let second = journal.append(exchange("dmp", "TD0.2")).unwrap();
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(first.prev, line::GENESIS);
    assert_eq!(second.prev, first.hash);
    assert_eq!(journal.head(), (2, second.hash.clone()));
    let body = journal.body(first.request.as_ref().unwrap(), 1024).unwrap();
    assert_eq!(body, b"<req op=\"rechercherInsAvecTraitsIdentite\"/>");
    let report = verify_file(journal.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!((report.records, report.head), (2, second.hash.clone()));
}

#[test]
fn queries_filter_by_service_operation_scenario_rule_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::new();
    clock.freeze(Some(time::macros::datetime!(2026-01-01 10:00 UTC)));
    let journal = Journal::open(dir.path(), clock.clone()).unwrap();
    journal
        .append(exchange("insi", "rechercherInsAvecTraitsIdentite"))
        .unwrap();
    journal.set_scenario(Some("INS/va1.52".into()));
    clock.advance(time::Duration::minutes(5));
    journal
        .append(
            exchange("insi", "rechercherInsAvecCarteVitale")
                .finding(RULE.finding("no ContexteLPS")),
        )
        .unwrap();
    journal
        .append(exchange("dmp", "TD0.2").scenario("explicit"))
        .unwrap();

    let count = |q: Query| journal.query(&q).unwrap().len();
    assert_eq!(count(Query::service("insi")), 2);
    assert_eq!(
        count(Query::service("insi").operation("rechercherInsAvecCarteVitale")),
        1
    );
    assert_eq!(
        count(Query {
            scenario: Some("INS/va1.52".into()),
            ..Query::default()
        }),
        1
    );
    assert_eq!(
        count(Query {
            scenario: Some("explicit".into()),
            ..Query::default()
        }),
        1
    );
    assert_eq!(
        count(Query {
            rule: Some("INSI-CTXLPS-MISSING".into()),
            ..Query::default()
        }),
        1
    );
    let since = time::macros::datetime!(2026-01-01 10:01 UTC);
    assert_eq!(
        count(Query {
            since: Some(since),
            ..Query::default()
        }),
        2
    );
    assert_eq!(
        count(Query {
            until: Some(since),
            ..Query::default()
        }),
        1
    );
    assert_eq!(count(Query::default().after(2)), 1);
    assert_eq!(
        count(Query {
            limit: Some(2),
            ..Query::default()
        }),
        2
    );
}

#[test]
fn an_edited_line_is_found_by_verify() {
    let (dir, mut all) = written(5);
    all[2] = all[2].replace("op2", "op9");
    let report = rewrite_and_verify(dir.path(), &all);
    assert_eq!(report.problem, Some(ChainProblem::Edited { line: 3 }));
    assert_eq!(report.records, 2);
}

#[test]
fn a_resealed_edit_breaks_the_next_link() {
    let (dir, mut all) = written(4);
    let mut record = line::open(all[1].as_bytes()).unwrap();
    record.operation = "forged".into();
    all[1] = String::from_utf8(line::seal(&record).0).unwrap();
    let report = rewrite_and_verify(dir.path(), &all);
    assert!(
        matches!(
            report.problem,
            Some(ChainProblem::BrokenLink { line: 3, .. })
        ),
        "{report:?}"
    );
}

#[test]
fn a_removed_line_is_found_by_verify() {
    let (dir, mut all) = written(4);
    all.remove(1);
    let report = rewrite_and_verify(dir.path(), &all);
    assert!(
        matches!(
            report.problem,
            Some(ChainProblem::BrokenLink { line: 2, .. })
        ),
        "{report:?}"
    );
}

#[test]
fn a_truncated_last_line_is_found_and_the_journal_will_not_extend_it() {
    let (dir, _) = written(3);
    let path = dir.path().join(JOURNAL_FILE);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 30]).unwrap();
    let report = verify_file(&path).unwrap();
    assert_eq!(report.problem, Some(ChainProblem::Truncated { line: 3 }));
    assert_eq!(report.records, 2);
    // Just the newline missing is a truncation too.
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    assert_eq!(
        verify_file(&path).unwrap().problem,
        Some(ChainProblem::Truncated { line: 3 })
    );
    let err = Journal::open(dir.path(), Clock::new()).unwrap_err();
    assert!(err.to_string().contains("line 3 is truncated"), "{err}");
}

#[test]
fn a_reopened_journal_continues_its_chain() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(dir.path());
    let first = journal.append(exchange("insi", "a")).unwrap();
    drop(journal);
    let journal = open(dir.path());
    let second = journal.append(exchange("insi", "b")).unwrap();
    assert_eq!((second.seq, second.prev.as_str()), (2, first.hash.as_str()));
    assert_eq!(journal.query(&Query::default()).unwrap().len(), 2);
    assert_eq!(
        journal.body(first.request.as_ref().unwrap(), 100).unwrap(),
        b"<req op=\"a\"/>"
    );
    assert!(verify_file(journal.path()).unwrap().is_ok());
}

#[test]
fn eight_concurrent_writers_lose_nothing() {
    const WRITERS: usize = 8;
    const EACH: usize = 10_000;
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open_with_capacity(dir.path(), Clock::new(), 1_000).unwrap();
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let journal = journal.clone();
            s.spawn(move || {
                for i in 0..EACH {
                    journal
                        .append(
                            Exchange::new("bench", format!("w{w}"))
                                .request(Payload::new(format!("{w}-{i}"))),
                        )
                        .unwrap();
                }
            });
        }
    });
    let report = verify_file(journal.path()).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.records, (WRITERS * EACH) as u64);
    // Every writer's every body is there exactly once, readable from the packs.
    let mut seen = std::collections::HashSet::new();
    let reader = BufReader::new(File::open(journal.path()).unwrap());
    for line in reader.lines() {
        let record = line::open(line.unwrap().as_bytes()).unwrap();
        let body = journal.body(record.request.as_ref().unwrap(), 64).unwrap();
        assert!(seen.insert(body), "a body appears twice");
    }
    assert_eq!(seen.len(), WRITERS * EACH);
}

#[test]
fn the_index_is_bounded_and_older_records_come_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open_with_capacity(dir.path(), Clock::new(), 10).unwrap();
    for i in 0..25 {
        journal
            .append(exchange(
                if i % 2 == 0 { "insi" } else { "dmp" },
                &format!("op{i}"),
            ))
            .unwrap();
    }
    assert_eq!(journal.inner.index.read().unwrap().len(), 10);
    let all = journal
        .query(&Query {
            limit: Some(1000),
            ..Query::default()
        })
        .unwrap();
    let seqs: Vec<u64> = all.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, (1..=25).collect::<Vec<_>>());
    let insi = journal.query(&Query::service("insi")).unwrap();
    assert_eq!(insi.len(), 13);
    let recent = journal.query(&Query::default().after(20)).unwrap();
    assert_eq!(recent.len(), 5);
}

#[tokio::test]
async fn a_step_can_wait_for_an_exchange() {
    let dir = tempfile::tempdir().unwrap();
    let journal = open(dir.path());
    journal.append(exchange("insi", "old")).unwrap();
    let (seq, _) = journal.head();
    let waiter = {
        let journal = journal.clone();
        tokio::spawn(async move {
            journal
                .wait_for(&Query::service("insi").after(seq), Duration::from_secs(5))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    journal.append(exchange("dmp", "other")).unwrap();
    journal.append(exchange("insi", "new")).unwrap();
    let got = waiter.await.unwrap().unwrap();
    assert_eq!(got.operation, "new");
    // Already there: answered at once.
    let got = journal
        .wait_for(&Query::service("dmp"), Duration::from_millis(1))
        .await
        .unwrap();
    assert_eq!(got.operation, "other");
    let err = journal
        .wait_for(&Query::service("psc"), Duration::from_millis(30))
        .await
        .unwrap_err();
    assert!(matches!(err, JournalError::Timeout(_)));
}

#[test]
fn scoped_handles_share_one_chain_with_their_own_clock_and_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = open(dir.path());
    let late = Clock::new();
    late.advance(time::Duration::hours(5));
    let a = journal.scoped(Clock::new(), "scénario A");
    let b = journal.scoped(late.clone(), "scénario B");
    let first = a
        .append(exchange("insi", "rechercherInsAvecTraitsIdentite"))
        .expect("append");
    let second = b.append(exchange("psc", "token")).expect("append");
    assert_eq!(second.prev, first.hash, "one chain");
    assert_eq!(first.scenario.as_deref(), Some("scénario A"));
    assert_eq!(second.scenario.as_deref(), Some("scénario B"));
    assert!(
        second.time - first.time >= time::Duration::hours(4),
        "B's clock dates B's records"
    );
    assert_eq!(
        journal.scenario(),
        None,
        "the base handle keeps its own tag"
    );
    let only_b = journal
        .query(&Query {
            scenario: Some("scénario B".into()),
            ..Query::default()
        })
        .expect("query");
    assert_eq!(only_b.len(), 1);
    assert!(
        verify_file(&dir.path().join(JOURNAL_FILE))
            .expect("verify")
            .problem
            .is_none()
    );
}
