//! The partner on a real socket: raw MLLP bytes in, acknowledgements out, everything in
//! the journal.

use std::time::Duration;

use segur_core::faults::{FaultAction, FaultSpec};
use segur_core::journal::Query;
use segur_documents::hl7::mllp;
use segur_hl7::{Hl7Handle, Hl7Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const ANS_MDM: &str = include_str!("../../../fixtures/hl7/message_MDM_CR_Radio_INIT_N1.er7");
const ANS_ZAM: &str = include_str!("../../../fixtures/hl7/zam_reception_dmp.er7");

async fn start() -> (segur_core::bench::Bench, Hl7Handle, tempfile::TempDir) {
    let (bench, dir) = segur_core::testing::bench();
    let partner = Hl7Simulator::builder(bench.clone()).start().await.unwrap();
    (bench, partner, dir)
}

/// Sends `bytes` and reads one block back (`None` if the partner closed instead).
async fn exchange(tcp: &mut TcpStream, bytes: &[u8]) -> Option<String> {
    tcp.write_all(bytes).await.unwrap();
    let mut deframer = mllp::Deframer::new(1 << 20);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(m) = deframer.next_message().unwrap() {
            return Some(String::from_utf8(m).unwrap());
        }
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut chunk))
            .await
            .expect("an answer in time")
            .unwrap();
        if n == 0 {
            return None;
        }
        deframer.push(&chunk[..n]);
    }
}

fn msa(ack: &str) -> Vec<String> {
    ack.split('\r')
        .find(|s| s.starts_with("MSA|"))
        .unwrap()
        .split('|')
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_ans_example_is_answered_ae_for_its_placeholder_document_and_journaled() {
    let (bench, partner, _dir) = start().await;
    let mut tcp = TcpStream::connect(partner.address()).await.unwrap();
    let ack = exchange(&mut tcp, &mllp::frame(ANS_MDM.as_bytes()))
        .await
        .unwrap();
    assert!(
        ack.starts_with("MSH|^~\\&|PFI-Y|Organisation-Y|RIS-Y|Organisation-Y|"),
        "{ack}"
    );
    assert!(ack.contains("|ACK^T02^ACK|"), "{ack}");
    assert_eq!(msa(&ack)[1..3], ["AE".to_string(), "015".to_string()]);
    assert!(ack.contains("\rERR|||207^"), "{ack}");
    // The same connection takes the next message: a business acknowledgement.
    let ack = exchange(&mut tcp, &mllp::frame(ANS_ZAM.as_bytes()))
        .await
        .unwrap();
    assert_eq!(msa(&ack)[1..3], ["AA".to_string(), "017".to_string()]);
    let records = bench.journal().query(&Query::service("hl7")).unwrap();
    let ops: Vec<&str> = records.iter().map(|r| r.operation.as_str()).collect();
    assert_eq!(ops, ["MDM^T02", "ZAM^Z01"]);
    assert!(records[0].has_rule("HL7-TRANSPORT-DOCUMENT"));
    let summary = &records[0].request.as_ref().unwrap().summary;
    assert_eq!(summary["control_id"], "015");
    assert_eq!(summary["metadata"]["DESTDMP"], true);
    assert_eq!(
        records[1].request.as_ref().unwrap().summary["business_ack"]["error"],
        "DMPClosed"
    );
    partner.shutdown().await;
}

#[tokio::test]
async fn what_the_partner_does_not_take_is_refused_in_the_protocol() {
    let (bench, partner, _dir) = start().await;
    let mut tcp = TcpStream::connect(partner.address()).await.unwrap();
    let adt = "MSH|^~\\&|GAM|ETAB|PFI|ETAB|20261207||ADT^A31^ADT_A05|9|P|2.5\rPID|1\r";
    let ack = exchange(&mut tcp, &mllp::frame(adt.as_bytes()))
        .await
        .unwrap();
    assert_eq!(msa(&ack)[1..3], ["AR".to_string(), "9".to_string()]);
    assert!(ack.contains("ERR|||200^"), "{ack}");
    // A block that is not HL7 v2: journaled, and the connection closed (no ACK can cite it).
    let mut other = TcpStream::connect(partner.address()).await.unwrap();
    assert_eq!(exchange(&mut other, &mllp::frame(b"hello")).await, None);
    // Bytes outside a block: journaled, and the connection closed.
    assert_eq!(exchange(&mut tcp, b"MSH|^~\\&|plain text\r").await, None);
    let records = bench.journal().query(&Query::service("hl7")).unwrap();
    assert!(
        records
            .iter()
            .any(|r| r.operation == "unreadable" && r.has_rule("HL7-UNREADABLE"))
    );
    assert_eq!(records.last().unwrap().operation, "MLLP");
    assert!(records.last().unwrap().has_rule("HL7-UNREADABLE"));
    partner.shutdown().await;
}

#[tokio::test]
async fn an_armed_fault_replaces_the_answer() {
    let (bench, partner, _dir) = start().await;
    bench
        .faults()
        .arm(FaultSpec {
            service: "hl7".into(),
            operation: Some("ZAM^Z01".into()),
            times: 1,
            action: FaultAction::ProtocolError {
                code: "AR".into(),
                message: Some("Émetteur inconnu".into()),
                detail: Some(serde_json::json!({ "code": "901" })),
            },
        })
        .unwrap();
    bench
        .faults()
        .arm(FaultSpec {
            service: "hl7".into(),
            operation: Some("ZAM^Z01".into()),
            times: 1,
            action: FaultAction::DropConnection,
        })
        .unwrap();
    let mut tcp = TcpStream::connect(partner.address()).await.unwrap();
    let ack = exchange(&mut tcp, &mllp::frame(ANS_ZAM.as_bytes()))
        .await
        .unwrap();
    assert_eq!(msa(&ack)[1], "AR");
    assert!(ack.contains("|901^Émetteur inconnu^HL70533"), "{ack}");
    assert_eq!(
        exchange(&mut tcp, &mllp::frame(ANS_ZAM.as_bytes())).await,
        None
    );
    partner.shutdown().await;
}
