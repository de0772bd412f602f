//! The socket side of one MLLP connection: blocks read under an idle timeout and a size
//! limit, each answered in turn (HL7 v2's original acknowledgement mode: one message, one
//! ACK, in order), until the peer closes, the simulator stops, or the bytes are not MLLP.

use std::time::Duration;

use segur_core::bench::Bench;
use segur_core::journal::{Exchange, Payload};
use segur_core::tls::TlsPeer;
use segur_documents::hl7::HL7_UNREADABLE;
use segur_documents::hl7::mllp::{self, Deframer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::{Hl7Config, SERVICE, answer};

/// Serves one peer.
pub async fn serve(
    bench: Bench,
    config: Hl7Config,
    mut tcp: TcpStream,
    peer: TlsPeer,
    mut stop: watch::Receiver<bool>,
) {
    let mut deframer = Deframer::new(config.max_message);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        loop {
            match deframer.next_message() {
                Ok(Some(message)) => {
                    let answer = answer::handle(&bench, &peer, &message);
                    if let Some(delay) = answer.delay {
                        tokio::time::sleep(delay).await;
                    }
                    if answer.drop {
                        return;
                    }
                    if let Some(reply) = answer.reply {
                        let block = mllp::frame(&reply);
                        let write = tcp.write_all(&block);
                        if !matches!(
                            tokio::time::timeout(config.idle_timeout, write).await,
                            Ok(Ok(()))
                        ) {
                            return;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    // Not MLLP: say so in the journal and close; a sender that frames
                    // wrongly cannot be answered in a way it would read.
                    refuse(&bench, &peer, e.to_string());
                    let _ = tcp.shutdown().await;
                    return;
                }
            }
        }
        let read = tokio::select! {
            read = tokio::time::timeout(config.idle_timeout, tcp.read(&mut chunk)) => read,
            _ = stop.changed() => return,
        };
        match read {
            Ok(Ok(0)) => {
                if deframer.is_pending() {
                    refuse(
                        &bench,
                        &peer,
                        "connexion fermée au milieu d'un bloc MLLP".into(),
                    );
                }
                return;
            }
            Ok(Ok(n)) => deframer.push(&chunk[..n]),
            Ok(Err(_)) => return,
            Err(_) => {
                if deframer.is_pending() {
                    refuse(
                        &bench,
                        &peer,
                        format!(
                            "bloc MLLP inachevé après {} s sans octet",
                            config.idle_timeout.as_secs()
                        ),
                    );
                }
                return;
            }
        }
    }
}

/// Journals bytes that are not MLLP.
fn refuse(bench: &Bench, peer: &TlsPeer, why: String) {
    let exchange = Exchange::new(SERVICE, "MLLP")
        .peer(peer.to_journal())
        .request(Payload::new(Vec::new()).content_type("application/octet-stream"))
        .finding(HL7_UNREADABLE.finding(format!("MLLP : {why}")));
    if let Err(e) = bench.journal().append(exchange) {
        tracing::error!(error = %e, "HL7: journal append failed");
    }
}

/// The default idle timeout.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
