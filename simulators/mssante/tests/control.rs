//! The control API's inbound feed: a professional's mail carrying an ANS XDM example, a
//! patient's reply, refused targets; and the mailbox views.

mod support;

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use support::*;
use tower::ServiceExt;

async fn call(
    t: &TestBench,
    method: &str,
    uri: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let app = segur_core::control::app(t.bench.clone());
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(
            body.map(|b| Body::from(b.to_string()))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let answer = app.oneshot(request).await.unwrap();
    let status = answer.status().as_u16();
    let bytes = axum::body::to_bytes(answer.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_inbound_feed_drops_composed_and_raw_mail_into_a_mailbox() {
    let t = start().await;
    let b64 = base64::engine::general_purpose::STANDARD;
    let zip = xdm_example("VSM_1.4_2022.01");
    let (status, body) = call(
        &t,
        "POST",
        "/api/v1/mssante/inbound",
        Some(serde_json::json!({
            "to": LGC,
            "from": COLIN,
            "subject": "XDM/1.0/DDM+Volet de synthèse médicale",
            "text": "VSM ci-joint",
            "headers": {"X-MSS-CODECDA": "60591-5", "X-MSS-INS": "O", "X-MSS-NIL": "EDITEUR-X-1.0"},
            "attachments": [
                {"name": "IHE_XDM.ZIP", "content_type": "application/zip", "base64": b64.encode(&zip)},
                {"name": "VSM.pdf", "content_type": "application/pdf", "base64": b64.encode(b"%PDF-1.4")}
            ]
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert!(body.contains("\"uid\":1"), "{body}");
    // A patient's reply, raw.
    let (status, body) = call(
        &t,
        "POST",
        "/api/v1/mssante/inbound",
        Some(serde_json::json!({
            "to": LGC,
            "raw": "From: 279035121518989@patient.mssante.fr\nTo: lgc@cabinet-lilas.mssante.fr\nSubject: Re: VSM\nIn-Reply-To: <a@b>\nReferences: <a@b>\nMessage-ID: <r@mes>\n\nMerci docteur\n"
        })),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let inbox = t.mss.store().folder(LGC, "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 2);
    let parsed = mail_parser::MessageParser::default()
        .parse(&inbox.messages[0].raw[..])
        .unwrap();
    let attached = parsed
        .attachments()
        .find(|a| mail_parser::MimeHeaders::attachment_name(*a) == Some("IHE_XDM.ZIP"))
        .unwrap();
    assert_eq!(attached.contents(), zip.as_slice());
    assert!(
        inbox.messages[1].raw.windows(2).any(|w| w == b"\r\n"),
        "line ends made CRLF"
    );

    let (status, body) = call(
        &t,
        "GET",
        &format!("/api/v1/mssante/mailboxes/{LGC}/INBOX"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("\"subject\":\"Re: VSM\""), "{body}");
    let (status, raw) = call(
        &t,
        "GET",
        &format!("/api/v1/mssante/mailboxes/{LGC}/INBOX/2"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(raw.contains("Merci docteur"));

    for (payload, expected) in [
        (
            serde_json::json!({"to": "someone@gmail.com", "raw": "Subject: x\n\nx"}),
            404,
        ),
        (serde_json::json!({"to": LGC}), 400),
        (serde_json::json!({"to": LGC, "raw_base64": "!!"}), 400),
    ] {
        let (status, body) = call(&t, "POST", "/api/v1/mssante/inbound", Some(payload)).await;
        assert_eq!(status, expected, "{body}");
        assert!(body.contains("\"error\""), "{body}");
    }
    assert!(t.records().iter().any(|r| r.operation == "inbound feed"));
}
