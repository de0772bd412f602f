//! What the MSSanté client référentiel (#2, ECO.2.2.4, 2.2.5 and 2.2.7) asks of the mail
//! a client writes, whoever it goes to: a named sender, a body in text/plain (or
//! text/plain and text/html saying the same), and for a mail from an applicative mailbox
//! a `Reply-To` to a person or an organisation, announced at the end of the text. Sans
//! I/O: the parsed message and the world in, findings out.
//!
//! Receipts (`multipart/report`: MDN, DSN) are machine notifications profiled elsewhere
//! (HL7MSS): they are not held to these rules.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use segur_core::finding::Finding;
use segur_core::world::World;

use crate::directory::{self, MailboxKind, Route};
use crate::rules;

/// Where the automatic-sending notice is looked for: the end of the plain text.
const FOOTER_WINDOW: usize = 600;

/// The sender checks of `message`; `world` says who the addresses are.
pub fn check(message: &Message<'_>, world: &World) -> Vec<Finding> {
    let mut out = Vec::new();
    let root = message.root_part();
    if is_type(root, "multipart", "report") {
        return out;
    }
    let body = check_body(message, &mut out);
    let Some(from) = message.from().and_then(|a| a.first()) else {
        out.push(
            rules::FROM_LABEL
                .finding("no From address: the sending mailbox is named in From")
                .at("header From"),
        );
        return out;
    };
    let address = from.address().unwrap_or_default().to_ascii_lowercase();
    let label = from.name().map(str::trim).unwrap_or_default();
    let kind = match directory::resolve(world, &address) {
        Route::Mailbox(kind) => Some(kind),
        _ => None,
    };
    check_label(world, &address, label, kind.as_ref(), &mut out);
    if matches!(kind, Some(MailboxKind::App { .. })) {
        check_application(message, world, &address, body.as_deref(), &mut out);
    }
    out
}

fn is_type(part: &MessagePart<'_>, ctype: &str, subtype: &str) -> bool {
    part.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case(ctype)
            && c.subtype().is_some_and(|s| s.eq_ignore_ascii_case(subtype))
    })
}

/// Text parts without a Content-Type are text/plain (RFC 2045 §5.2).
fn is_plain(part: &MessagePart<'_>) -> bool {
    part.content_type().is_none() || is_type(part, "text", "plain")
}

fn children<'a>(message: &'a Message<'_>, part: &MessagePart<'_>) -> Vec<&'a MessagePart<'a>> {
    match &part.body {
        PartType::Multipart(ids) => ids
            .iter()
            .filter_map(|id| message.parts.get(*id as usize))
            .collect(),
        _ => Vec::new(),
    }
}

fn text_of(part: &MessagePart<'_>) -> String {
    match &part.body {
        PartType::Text(t) => t.to_string(),
        PartType::Html(h) => html_text(h),
        _ => String::new(),
    }
}

/// The words an HTML body shows: tags dropped, the common entities read.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_lowercase).collect()
}

/// The body: the message itself, or the first part of its multipart/mixed (a mail with
/// attachments).
pub fn body_part<'a>(message: &'a Message<'a>) -> Option<&'a MessagePart<'a>> {
    let root = message.root_part();
    if is_type(root, "multipart", "mixed") {
        children(message, root).into_iter().next()
    } else {
        Some(root)
    }
}

/// The body's plain text, when the body is text/plain or a multipart/alternative whose
/// first part is text/plain; `None` otherwise.
pub fn plain_text(message: &Message<'_>) -> Option<String> {
    let body = body_part(message)?;
    let plain = if is_type(body, "multipart", "alternative") {
        children(message, body).into_iter().next()?
    } else {
        body
    };
    (is_plain(plain) && matches!(plain.body, PartType::Text(_))).then(|| text_of(plain))
}

/// ECO.2.2.4: the body is text/plain, or multipart/alternative of a text/plain then a
/// text/html with the same words. Returns the plain text, if any.
fn check_body(message: &Message<'_>, out: &mut Vec<Finding>) -> Option<String> {
    let body = body_part(message)?;
    if is_plain(body) && !matches!(body.body, PartType::Multipart(_)) {
        return Some(text_of(body));
    }
    if is_type(body, "multipart", "alternative") {
        let parts = children(message, body);
        match parts.as_slice() {
            [plain, html] if is_plain(plain) && is_type(html, "text", "html") => {
                let plain_text = text_of(plain);
                if words(&plain_text) != words(&text_of(html)) {
                    out.push(
                        rules::BODY_FORMAT
                            .finding("the text/plain and text/html parts of the body do not say the same thing")
                            .at("body, multipart/alternative"),
                    );
                }
                return Some(plain_text);
            }
            _ => {
                let types: Vec<String> = parts.iter().map(|p| type_name(p)).collect();
                out.push(
                    rules::BODY_FORMAT
                        .finding(format!(
                            "a multipart/alternative body is a text/plain then a text/html part; got {}",
                            types.join(", ")
                        ))
                        .at("body, multipart/alternative"),
                );
                return parts.iter().find(|p| is_plain(p)).map(|p| text_of(p));
            }
        }
    }
    out.push(
        rules::BODY_FORMAT
            .finding(format!(
                "the body is {}; it is text/plain, or multipart/alternative of text/plain and text/html",
                type_name(body)
            ))
            .at("body"),
    );
    None
}

/// `type/subtype` of a part (text/plain when it says nothing).
pub fn type_name(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|c| match c.subtype() {
            Some(s) => format!("{}/{s}", c.ctype()),
            None => c.ctype().to_string(),
        })
        .unwrap_or_else(|| "text/plain".into())
}

/// Lower case, without the French accents, `_`, `-` and `'` as spaces: names as a label
/// may write them.
pub fn folded(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '_' | '-' | '\'' => ' ',
            c => segur_core::text::base_letter(c).to_ascii_lowercase(),
        })
        .collect()
}

/// ECO.2.2.7: `Intitulé_BAL <address>`: a person's first and last names for a personal
/// mailbox, the functional entity for an organisational or applicative one.
fn check_label(
    world: &World,
    address: &str,
    label: &str,
    kind: Option<&MailboxKind>,
    out: &mut Vec<Finding>,
) {
    if label.is_empty() || label.eq_ignore_ascii_case(address) || label.contains('@') {
        out.push(
            rules::FROM_LABEL
                .finding(format!(
                    "From: {address} has no label; it reads \"Intitulé_BAL <{address}>\""
                ))
                .at("header From"),
        );
        return;
    }
    if let Some(MailboxKind::Per { professional, .. }) = kind
        && let Some(p) = world.professionals.iter().find(|p| &p.id == professional)
    {
        let said = folded(label);
        let missing: Vec<&str> = [p.given_name.as_str(), p.family_name.as_str()]
            .into_iter()
            .filter(|name| !said.contains(&folded(name)))
            .collect();
        if !missing.is_empty() {
            out.push(
                rules::FROM_LABEL
                    .finding(format!(
                        "From: {label:?} <{address}> is a personal mailbox: its label names {} {} (missing {})",
                        p.given_name,
                        p.family_name,
                        missing.join(", ")
                    ))
                    .at("header From"),
            );
        }
    }
}

/// ECO.2.2.5: from an applicative mailbox, a `Reply-To` naming a personal or
/// organisational mailbox, and a notice at the end of the text saying the mail was
/// generated automatically and giving that address.
fn check_application(
    message: &Message<'_>,
    world: &World,
    from: &str,
    body: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let reply_to = message
        .reply_to()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase);
    let Some(reply_to) = reply_to else {
        out.push(
            rules::APP_REPLY_TO
                .finding(format!(
                    "{from} is an applicative mailbox: the mail carries a Reply-To naming a personal or organisational mailbox"
                ))
                .at("header Reply-To"),
        );
        return;
    };
    match directory::resolve(world, &reply_to) {
        Route::Mailbox(MailboxKind::Per { .. } | MailboxKind::Org { .. }) => {}
        Route::Mailbox(kind) => out.push(
            rules::APP_REPLY_TO
                .finding(format!(
                    "Reply-To: {reply_to} is a {} mailbox; it names a personal or organisational one",
                    kind.label()
                ))
                .at("header Reply-To"),
        ),
        _ => out.push(
            rules::APP_REPLY_TO
                .finding(format!(
                    "Reply-To: {reply_to} is no mailbox of the MSSanté directory"
                ))
                .at("header Reply-To"),
        ),
    }
    let text = body.unwrap_or_default();
    let tail: String = {
        let chars: Vec<char> = text.trim_end().chars().collect();
        chars[chars.len().saturating_sub(FOOTER_WINDOW)..]
            .iter()
            .collect()
    };
    let says_automatic = folded(&tail).contains("automatiquement");
    let gives_address = tail.to_lowercase().contains(&reply_to);
    if !says_automatic || !gives_address {
        let mut missing = Vec::new();
        if !says_automatic {
            missing.push("that it was generated automatically");
        }
        if !gives_address {
            missing.push("the Reply-To address");
        }
        out.push(
            rules::APP_FOOTER
                .finding(format!(
                    "a mail from the applicative mailbox {from} ends with a notice saying {}",
                    missing.join(" and ")
                ))
                .at("body, end of the text"),
        );
    }
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    use super::*;

    const APP: &str = "lgc@cabinet-lilas.mssante.fr";
    const ORG: &str = "secretariat@cabinet-lilas.mssante.fr";
    const PER: &str = "jean.legrand@medecin.mssante.fr";
    const NOTICE: &str = "Ce message a été généré automatiquement. Pour joindre l'émetteur : secretariat@cabinet-lilas.mssante.fr";

    /// A mail from `from` with `headers` and a `body` (its own Content-Type lines first).
    fn mail(from: &str, headers: &str, body: &str) -> Vec<u8> {
        format!(
            "From: {from}\r\nTo: anne.colin@medecin.mssante.fr\r\nSubject: Information\r\nMIME-Version: 1.0\r\n{headers}{body}"
        )
        .into_bytes()
    }

    fn plain(text: &str) -> String {
        format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n")
    }

    fn alternative(text: &str, html: &str) -> String {
        format!(
            "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b--\r\n"
        )
    }

    fn rules_of(raw: &[u8]) -> Vec<&'static str> {
        let world = World::embedded().unwrap();
        let message = MessageParser::default().parse(raw).unwrap();
        let mut rules: Vec<&'static str> = check(&message, &world)
            .iter()
            .map(|f| {
                [
                    rules::FROM_LABEL,
                    rules::BODY_FORMAT,
                    rules::APP_REPLY_TO,
                    rules::APP_FOOTER,
                ]
                .into_iter()
                .find(|r| r.name == f.rule)
                .map(|r| r.name)
                .unwrap_or("other")
            })
            .collect();
        rules.sort_unstable();
        rules
    }

    #[test]
    fn each_sender_rule_is_raised_by_its_case_and_only_there() {
        let app = format!("Cabinet des Lilas <{APP}>");
        let reply = format!("Reply-To: {ORG}\r\n");
        let noticed = format!("Bonjour.\r\n\r\n-- \r\n{NOTICE}");
        let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
            (
                "a personal mail with the names, in text/plain",
                mail(
                    &format!("\"Dr Jean LEGRAND\" <{PER}>"),
                    "",
                    &plain("Bonjour."),
                ),
                vec![],
            ),
            (
                "the names folded: underscores, lower case",
                mail(
                    &format!("Dr_jean_legrand_Cardiologie <{PER}>"),
                    "",
                    &plain("Bonjour."),
                ),
                vec![],
            ),
            (
                "a bare address",
                mail(PER, "", &plain("Bonjour.")),
                vec!["MSS-FROM-LABEL"],
            ),
            (
                "the address as its own label",
                mail(&format!("\"{PER}\" <{PER}>"), "", &plain("Bonjour.")),
                vec!["MSS-FROM-LABEL"],
            ),
            (
                "a personal mailbox labelled without the given name",
                mail(&format!("LEGRAND <{PER}>"), "", &plain("Bonjour.")),
                vec!["MSS-FROM-LABEL"],
            ),
            (
                "an organisational mailbox with its entity",
                mail(&format!("Secrétariat <{ORG}>"), "", &plain("Bonjour.")),
                vec![],
            ),
            (
                "plain and HTML saying the same",
                mail(
                    &format!("Secrétariat <{ORG}>"),
                    "",
                    &alternative(
                        "Bonjour, voici le document.",
                        "<p>Bonjour, voici <b>le</b>&nbsp;document.</p>",
                    ),
                ),
                vec![],
            ),
            (
                "HTML only",
                mail(
                    &format!("Secrétariat <{ORG}>"),
                    "",
                    "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour.</p>\r\n",
                ),
                vec!["MSS-BODY-FORMAT"],
            ),
            (
                "HTML first, then plain",
                mail(
                    &format!("Secrétariat <{ORG}>"),
                    "",
                    "Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Bonjour.</p>\r\n--b\r\nContent-Type: text/plain\r\n\r\nBonjour.\r\n--b--\r\n",
                ),
                vec!["MSS-BODY-FORMAT"],
            ),
            (
                "plain and HTML saying different things",
                mail(
                    &format!("Secrétariat <{ORG}>"),
                    "",
                    &alternative("Bonjour.", "<p>Au revoir.</p>"),
                ),
                vec!["MSS-BODY-FORMAT"],
            ),
            (
                "the application mailbox with Reply-To and the notice",
                mail(&app, &reply, &plain(&noticed)),
                vec![],
            ),
            (
                "the application mailbox without Reply-To",
                mail(&app, "", &plain(&noticed)),
                vec!["MSS-APP-REPLY-TO"],
            ),
            (
                "the application mailbox answering to itself",
                mail(
                    &app,
                    &format!("Reply-To: {APP}\r\n"),
                    &plain(&noticed.replace(ORG, APP)),
                ),
                vec!["MSS-APP-REPLY-TO"],
            ),
            (
                "the application mailbox answering outside the directory",
                mail(
                    &app,
                    "Reply-To: accueil@cabinet-lilas.fr\r\n",
                    &plain(&noticed.replace(ORG, "accueil@cabinet-lilas.fr")),
                ),
                vec!["MSS-APP-REPLY-TO"],
            ),
            (
                "the application mailbox without the notice",
                mail(&app, &reply, &plain("Bonjour.")),
                vec!["MSS-APP-FOOTER"],
            ),
            (
                "the notice without the address",
                mail(
                    &app,
                    &reply,
                    &plain("Bonjour.\r\n-- \r\nMessage généré automatiquement."),
                ),
                vec!["MSS-APP-FOOTER"],
            ),
            (
                "the notice at the top, not at the end",
                mail(
                    &app,
                    &reply,
                    &plain(&format!(
                        "{NOTICE}\r\n\r\n{}",
                        "Le compte rendu suit. ".repeat(40)
                    )),
                ),
                vec!["MSS-APP-FOOTER"],
            ),
            (
                "a receipt is a notification, not held to these rules",
                mail(
                    APP,
                    "",
                    "Content-Type: multipart/report; report-type=disposition-notification; boundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nLu.\r\n--r--\r\n",
                ),
                vec![],
            ),
        ];
        for (case, raw, expected) in cases {
            assert_eq!(rules_of(&raw), expected, "{case}");
        }
    }

    #[test]
    fn a_mail_with_attachments_is_judged_by_its_first_part() {
        let raw = mail(
            &format!("Secrétariat <{ORG}>"),
            "",
            "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nBonjour.\r\n--m\r\nContent-Type: application/pdf; name=\"CR.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--m--\r\n",
        );
        assert_eq!(rules_of(&raw), Vec::<&str>::new());
        let html_first = mail(
            &format!("Secrétariat <{ORG}>"),
            "",
            "Content-Type: multipart/mixed; boundary=\"m\"\r\n\r\n--m\r\nContent-Type: text/html\r\n\r\n<p>Bonjour.</p>\r\n--m--\r\n",
        );
        assert_eq!(rules_of(&html_first), vec!["MSS-BODY-FORMAT"]);
    }
}
