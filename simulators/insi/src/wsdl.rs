//! The CNAM's WSDL and schemas, served as the real service's tooling expects them:
//! `GET /lps?wsdl` with the address rewritten to this simulator, `GET /xsd/...` for the
//! schemas it imports by relative path. The WSDL also imports the W3C's WS-Addressing
//! schema from `www.w3.org`; the bench runs offline, so that import is rewritten to a copy
//! served here ([`WS_ADDRESSING_LOCATION`]).

/// The WSDL the CNAM publishes (`DESIR_ICIR_EXP_1.5.0`), as copied in `fixtures/insi/wsdl`.
pub const WSDL: &str = include_str!("../../../fixtures/insi/wsdl/DESIR_ICIR_EXP_1.5.0.wsdl");

/// The address the published WSDL names (mutual-TLS qualification host).
pub const PUBLISHED_ADDRESS: &str = "https://qualiflps-services-ps-tlsm.ameli.fr:443/lps";

/// Where the published WSDL imports the WS-Addressing schema from.
pub const PUBLISHED_WS_ADDRESSING: &str = "http://www.w3.org/2006/03/addressing/ws-addr.xsd";

/// Where the served WSDL imports it from: the copy in [`SCHEMAS`].
pub const WS_ADDRESSING_LOCATION: &str = "xsd/WSA/ws-addr.xsd";

/// The schemas, by their path relative to the WSDL.
pub const SCHEMAS: &[(&str, &str)] = &[
    (
        "xsd/ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd",
        include_str!(
            "../../../fixtures/insi/wsdl/xsd/ServiceIdentiteCertifiee/INSi_RECSANS_INS.xsd"
        ),
    ),
    (
        "xsd/ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd",
        include_str!(
            "../../../fixtures/insi/wsdl/xsd/ServiceIdentiteCertifiee/INSi_RECVITALE_INS.xsd"
        ),
    ),
    (
        "xsd/ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd",
        include_str!(
            "../../../fixtures/insi/wsdl/xsd/ServiceIdentiteCertifiee/INSi_RESULTAT_INS.xsd"
        ),
    ),
    (
        "xsd/ServiceIdentiteCertifiee/w3-org-2001-xml.xsd",
        include_str!(
            "../../../fixtures/insi/wsdl/xsd/ServiceIdentiteCertifiee/w3-org-2001-xml.xsd"
        ),
    ),
    (
        "xsd/WSSE/Security.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/WSSE/Security.xsd"),
    ),
    (
        "xsd/SAML/saml-schema-assertion-2.0.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/SAML/saml-schema-assertion-2.0.xsd"),
    ),
    (
        "xsd/SAML/xenc-schema.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/SAML/xenc-schema.xsd"),
    ),
    (
        "xsd/SAML/xmldsig-core-schema.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/SAML/xmldsig-core-schema.xsd"),
    ),
    (
        "xsd/CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/CTX/ROOT_ctxlps_CTXLPS_V01_00.xsd"),
    ),
    (
        "xsd/CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/CTX/ROOT_ctxbam_CTXBAM_V01_02.xsd"),
    ),
    (
        WS_ADDRESSING_LOCATION,
        include_str!("../../../fixtures/insi/wsdl/xsd/WSA/ws-addr.xsd"),
    ),
    (
        "xsd/schema_faultSOAP_V01_01.xsd",
        include_str!("../../../fixtures/insi/wsdl/xsd/schema_faultSOAP_V01_01.xsd"),
    ),
];

/// The WSDL with its `soap12:address` pointing at `endpoint` (`https://host:port/lps`) and
/// every import resolved by this simulator.
pub fn rewritten(endpoint: &str) -> String {
    WSDL.replace(PUBLISHED_ADDRESS, endpoint)
        .replace(PUBLISHED_WS_ADDRESSING, WS_ADDRESSING_LOCATION)
}

/// A schema by its path relative to the WSDL.
pub fn schema(path: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(p, _)| p.strip_prefix("xsd/") == Some(path))
        .map(|(_, text)| *text)
}
