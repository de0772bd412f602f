//! `rs:RegistryResponse` with its `RegistryErrorList`, as ITI-41, ITI-43 and ITI-57 answer.

use segur_core::xml::escape_attribute;

use segur_documents::ebrim::RS;

/// Success.
pub const SUCCESS: &str = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success";
/// Failure.
pub const FAILURE: &str = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure";
/// Partial success (ITI-43 with some documents missing).
pub const PARTIAL: &str = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess";

/// One `RegistryError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryError {
    /// `errorCode` (`XDSRegistryMetadataError`, `DMPClosed`...).
    pub code: String,
    /// `codeContext`: what was wrong, in French as the DMP writes it.
    pub context: String,
    /// `location`: the object concerned, if any.
    pub location: Option<String>,
}

impl RegistryError {
    /// An error with `code` and `context`.
    pub fn new(code: &str, context: impl Into<String>) -> Self {
        Self {
            code: code.to_string(),
            context: context.into(),
            location: None,
        }
    }

    /// Names the object concerned.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
}

/// The `RegistryErrorList` element, or nothing.
pub fn error_list(errors: &[RegistryError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<rs:RegistryErrorList highestSeverity=\"urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error\">",
    );
    for e in errors {
        out.push_str(&format!(
            "<rs:RegistryError errorCode=\"{}\" codeContext=\"{}\" severity=\"urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error\"{}/>",
            escape_attribute(&e.code),
            escape_attribute(&e.context),
            e.location
                .as_ref()
                .map(|l| format!(" location=\"{}\"", escape_attribute(l)))
                .unwrap_or_default()
        ));
    }
    out.push_str("</rs:RegistryErrorList>");
    out
}

/// A whole `rs:RegistryResponse`: Success without errors, Failure with.
pub fn registry_response(errors: &[RegistryError]) -> String {
    let status = if errors.is_empty() { SUCCESS } else { FAILURE };
    if errors.is_empty() {
        return format!("<rs:RegistryResponse xmlns:rs=\"{RS}\" status=\"{status}\"/>");
    }
    format!(
        "<rs:RegistryResponse xmlns:rs=\"{RS}\" status=\"{status}\">{}</rs:RegistryResponse>",
        error_list(errors)
    )
}
