//! Delivery Status Notifications (RFC 3464) for the recipients a message could not reach
//! (a patient who did not activate Mon espace santé or refused messages, a fault armed on
//! delivery): `multipart/report; report-type=delivery-status`, from the operator's
//! postmaster, with the original's headers.

use mail_builder::MessageBuilder;
use mail_builder::headers::content_type::ContentType;
use mail_builder::mime::MimePart;

use super::mdn::find_headers_end;

/// One recipient that failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The recipient address.
    pub recipient: String,
    /// The enhanced status code (`5.1.1`, `5.2.1`...).
    pub status: String,
    /// The SMTP reply the operator would have given (`550 5.2.1 ...`).
    pub diagnostic: String,
}

/// What the DSN says.
#[derive(Debug, Clone)]
pub struct Dsn<'a> {
    /// Where it goes (the envelope sender).
    pub sender: &'a str,
    /// The failed recipients.
    pub failures: &'a [Failure],
    /// The original message.
    pub original: &'a [u8],
    /// The operator's host name.
    pub hostname: &'a str,
    /// Its `Date` (the bench clock), seconds since the epoch.
    pub date: i64,
    /// Arrival date of the original, RFC 5322 form.
    pub arrival: String,
}

impl Dsn<'_> {
    /// The DSN message's bytes.
    pub fn build(&self) -> Vec<u8> {
        let mut human = String::from(
            "Votre message n'a pas pu être remis aux destinataires suivants :\r\n\r\n",
        );
        let mut status = format!(
            "Reporting-MTA: dns; {}\r\nArrival-Date: {}\r\n",
            self.hostname, self.arrival
        );
        for f in self.failures {
            human.push_str(&format!("  {} : {}\r\n", f.recipient, f.diagnostic));
            status.push_str(&format!(
                "\r\nFinal-Recipient: rfc822;{}\r\nAction: failed\r\nStatus: {}\r\nDiagnostic-Code: smtp; {}\r\n",
                f.recipient, f.status, f.diagnostic
            ));
        }
        let end = find_headers_end(self.original);
        MessageBuilder::new()
            .from((
                "Mail Delivery System",
                format!("postmaster@{}", self.hostname).as_str(),
            ))
            .to(self.sender)
            .subject("Undelivered Mail Returned to Sender")
            .message_id(super::new_message_id(self.hostname))
            .date(self.date)
            .header(
                "Auto-Submitted",
                mail_builder::headers::raw::Raw::new("auto-replied"),
            )
            .body(MimePart::new(
                ContentType::new("multipart/report").attribute("report-type", "delivery-status"),
                vec![
                    MimePart::new("text/plain", human),
                    MimePart::new("message/delivery-status", status).transfer_encoding("7bit"),
                    MimePart::new(
                        "text/rfc822-headers",
                        String::from_utf8_lossy(&self.original[..end]).into_owned(),
                    ),
                ],
            ))
            .write_to_vec()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dsn_lists_each_failed_recipient_with_its_status() {
        let failures = [Failure {
            recipient: "140072123100806@patient.mssante.fr".into(),
            status: "5.1.1".into(),
            diagnostic: "550 5.1.1 the patient did not activate Mon espace santé".into(),
        }];
        let raw = Dsn {
            sender: "jean.legrand@medecin.mssante.fr",
            failures: &failures,
            original: b"Subject: hello\r\nMessage-ID: <a@b>\r\n\r\nbody",
            hostname: "mssante.segur-bench.test",
            date: 1_700_000_000,
            arrival: "Tue, 14 Nov 2023 22:13:20 +0000".into(),
        }
        .build();
        let text = String::from_utf8_lossy(&raw);
        assert!(
            text.contains("report-type=delivery-status")
                || text.contains("report-type=\"delivery-status\""),
            "{text}"
        );
        assert!(text.contains("Final-Recipient: rfc822;140072123100806@patient.mssante.fr"));
        assert!(text.contains("Action: failed\r\nStatus: 5.1.1"));
        assert!(text.contains("Subject: hello"));
    }
}
