use super::*;
use crate::xml::Limits;

#[test]
fn content_types_are_read_as_soap_12_says() {
    let ok = SoapContentType::parse(
        r#"application/soap+xml;charset=UTF-8;action="urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite""#,
    )
    .unwrap();
    assert_eq!(ok.charset.as_deref(), Some("utf-8"));
    assert_eq!(
        ok.action.as_deref(),
        Some("urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite")
    );
    let quoted = SoapContentType::parse(r#"Application/SOAP+XML; action="a;b""#).unwrap();
    assert_eq!(quoted.action.as_deref(), Some("a;b"));
    for refused in ["text/xml; charset=utf-8", "application/json", ""] {
        assert!(matches!(
            SoapContentType::parse(refused),
            Err(SoapError::MediaType(_))
        ));
    }
}

#[test]
fn envelopes_are_checked_and_errors_map_to_soap_faults() {
    let table: &[(&[u8], &str, FaultCode)] = &[
        (
            br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>"#,
            "SOAP 1.1",
            FaultCode::VersionMismatch,
        ),
        (b"<a/>", "not a SOAP 1.2 Envelope", FaultCode::VersionMismatch),
        (
            br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>"#,
            "no Body",
            FaultCode::Sender,
        ),
        (
            br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body> </s:Body></s:Envelope>"#,
            "Body is empty",
            FaultCode::Sender,
        ),
        (b"\xff\xfe<a/>", "not UTF-8", FaultCode::Sender),
        (b"<a><b></a>", "not well-formed", FaultCode::Sender),
    ];
    for (input, message, code) in table {
        let err = Envelope::parse(input, &Limits::default()).unwrap_err();
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(err.fault().code, *code, "{err}");
    }
    let ok = Envelope::parse(
        br#"<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header><h xmlns="urn:h">1</h></s:Header><s:Body><p xmlns="urn:p"/></s:Body></s:Envelope>"#,
        &Limits::default(),
    )
    .unwrap();
    assert!(ok.payload().is("urn:p", "p"));
    assert_eq!(ok.header_block("urn:h", "h").unwrap().text(), "1");
}

#[test]
fn a_fault_is_well_formed_soap_12_with_its_subcode_and_detail() {
    let xml = Fault::new(FaultCode::Sender, "L'accès <refusé>")
        .subcode("soap:siram_100", None)
        .detail(r#"<siram:Erreur xmlns:siram="urn:siram" code="desir_550" severite="erreur">x</siram:Erreur>"#)
        .to_xml();
    let envelope = crate::xml::parse(&xml, &Limits::default()).unwrap();
    let fault = envelope
        .descendants()
        .into_iter()
        .find(|e| e.is(SOAP12, "Fault"))
        .unwrap();
    let text = fault
        .child(SOAP12, "Reason")
        .and_then(|r| r.child_text(SOAP12, "Text"))
        .unwrap();
    assert_eq!(text, "L'accès <refusé>");
    assert!(xml.contains("<soap:Value>soap:siram_100</soap:Value>"));
    assert!(xml.contains(r#"code="desir_550""#));
}
