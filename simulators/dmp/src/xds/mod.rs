//! The XDS.b transactions of the DMP: TD2.1 = ITI-41 ([`provide`], metadata checked by
//! [`validate`]), TD3.1 = ITI-18 ([`query`]), TD3.2 = ITI-43 ([`retrieve`]), TD3.3a–d =
//! ITI-57 ([`update`]); a feed's signature (IHE DSG) is checked by [`signed_set`]; who may see what is [`access`]; the answers are written by
//! [`response`] and [`render`].

pub mod access;
pub mod provide;
pub mod query;
pub mod render;
pub mod response;
pub mod retrieve;
pub mod signed_set;
pub mod update;
pub mod validate;

/// The IHE XDS.b namespace.
pub const XDSB: &str = "urn:ihe:iti:xds-b:2007";
/// The XOP namespace (`xop:Include`).
pub const XOP: &str = "http://www.w3.org/2004/08/xop/include";

/// The INS number and OID of a CX patient id (`NIR^^^&OID&ISO^NH[^^date]`), for
/// comparisons that ignore the optional trailing components.
pub fn patient_key(cx: &str) -> (String, String) {
    let mut parts = cx.split('^');
    let number = parts
        .next()
        .unwrap_or_default()
        .trim_matches('\'')
        .to_string();
    let oid = parts
        .nth(2)
        .and_then(|a| a.split('&').nth(1))
        .unwrap_or_default()
        .to_string();
    (number, oid)
}
