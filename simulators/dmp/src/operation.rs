//! The DMP's operations: which service offers each, the WS-Addressing action that names it
//! and the action of its answer (spec notes §1.2).

use std::fmt;

/// The four services of `/si-dmp-server/v2/services/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceName {
    /// ITI-18 and ITI-57.
    Registry,
    /// ITI-41 and ITI-43.
    Repository,
    /// HL7v3 patient services (TD0.2, TD1.x) and `PatientsSpecific` (TD0.4, TD1.5x).
    Patients,
    /// TD0.3 and TD1.6.
    Habilitations,
}

impl ServiceName {
    /// From the URL's last segment.
    pub fn from_path(segment: &str) -> Option<Self> {
        match segment {
            "registry" => Some(Self::Registry),
            "repository" => Some(Self::Repository),
            "patients" => Some(Self::Patients),
            "habilitations" => Some(Self::Habilitations),
            _ => None,
        }
    }

    /// The URL segment.
    pub fn path(self) -> &'static str {
        match self {
            Self::Registry => "registry",
            Self::Repository => "repository",
            Self::Patients => "patients",
            Self::Habilitations => "habilitations",
        }
    }
}

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// TD0.2 existence test, and TD1.3a read (same HL7v3 query, other `reasonCode`).
    PatientQuery,
    /// TD1.1 DMP creation.
    Create,
    /// TD1.2 / TD1.3b / TD1.4: reactivate, update administrative data, close.
    Revise,
    /// TD0.4 `patientList`.
    PatientList,
    /// TD1.5a `createPatientAccess`.
    CreatePatientAccess,
    /// TD1.5b `patientOTPUpdate`.
    PatientOtpUpdate,
    /// TD1.5d `updatePatientAccess`.
    UpdatePatientAccess,
    /// TD0.3 `setAuthorization`.
    SetAuthorization,
    /// TD1.6 `listAuthorizationByPatient`.
    ListAuthorizations,
    /// TD2.1 ITI-41.
    ProvideAndRegister,
    /// TD3.1 ITI-18.
    StoredQuery,
    /// TD3.2 ITI-43.
    Retrieve,
    /// TD3.3a–d ITI-57.
    UpdateDocumentSet,
}

const TABLE: &[(Operation, ServiceName, &str, &str)] = &[
    (
        Operation::PatientQuery,
        ServiceName::Patients,
        "urn:hl7-org:v3:PRPA_IN201307UV02",
        "urn:hl7-org:v3:PRPA_IN201308UV02",
    ),
    (
        Operation::Create,
        ServiceName::Patients,
        "urn:hl7-org:v3:PRPA_IN201311UV02",
        "urn:hl7-org:v3:PRPA_IN201312UV02",
    ),
    (
        Operation::Revise,
        ServiceName::Patients,
        "urn:hl7-org:v3:PRPA_IN201314UV02",
        "urn:hl7-org:v3:PRPA_IN201314ResponseUV02",
    ),
    (
        Operation::PatientList,
        ServiceName::Patients,
        "urn:si-dmp-patients:PatientSpecificEndPoint:patientList",
        "urn:si-dmp-patients:PatientSpecificEndPoint:patientListResponse",
    ),
    (
        Operation::CreatePatientAccess,
        ServiceName::Patients,
        "urn:si-dmp-patients:PatientSpecificEndPoint:createPatientAccess",
        "urn:si-dmp-patients:PatientSpecificEndPoint:createPatientAccessResponse",
    ),
    (
        Operation::PatientOtpUpdate,
        ServiceName::Patients,
        "urn:si-dmp-patients:PatientSpecificEndPoint:patientOTPUpdate",
        "urn:si-dmp-patients:PatientSpecificEndPoint:patientOTPUpdateResponse",
    ),
    (
        Operation::UpdatePatientAccess,
        ServiceName::Patients,
        "urn:si-dmp-patients:PatientSpecificEndPoint:updatePatientAccess",
        "urn:si-dmp-patients:PatientSpecificEndPoint:updatePatientAccessResponse",
    ),
    (
        Operation::SetAuthorization,
        ServiceName::Habilitations,
        "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorization",
        "urn:si-dmp-habilitations:HabilitationsEndPoint:setAuthorizationResponse",
    ),
    (
        Operation::ListAuthorizations,
        ServiceName::Habilitations,
        "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatient",
        "urn:si-dmp-habilitations:HabilitationsEndPoint:listAuthorizationByPatientResponse",
    ),
    (
        Operation::ProvideAndRegister,
        ServiceName::Repository,
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b",
        "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-bResponse",
    ),
    (
        Operation::Retrieve,
        ServiceName::Repository,
        "urn:ihe:iti:2007:RetrieveDocumentSet",
        "urn:ihe:iti:2007:RetrieveDocumentSetResponse",
    ),
    (
        Operation::StoredQuery,
        ServiceName::Registry,
        "urn:ihe:iti:2007:RegistryStoredQuery",
        "urn:ihe:iti:2007:RegistryStoredQueryResponse",
    ),
    (
        Operation::UpdateDocumentSet,
        ServiceName::Registry,
        "urn:ihe:iti:2010:UpdateDocumentSet",
        "urn:ihe:iti:2010:UpdateDocumentSet-Response",
    ),
];

impl Operation {
    /// The operation `action` names on `service`: `Err(Some(service))` when another service
    /// offers it, `Err(None)` when no service does.
    pub fn resolve(service: ServiceName, action: &str) -> Result<Self, Option<ServiceName>> {
        let action = action.trim();
        match TABLE.iter().find(|(_, _, a, _)| *a == action) {
            Some((op, s, _, _)) if *s == service => Ok(*op),
            Some((_, s, _, _)) => Err(Some(*s)),
            None => Err(None),
        }
    }

    /// The answer's `wsa:Action`.
    pub fn response_action(self) -> &'static str {
        TABLE
            .iter()
            .find(|(op, ..)| *op == self)
            .map(|(.., r)| *r)
            .unwrap_or_default()
    }

    /// A stable name for the journal and the fault board.
    pub fn name(self) -> &'static str {
        match self {
            Self::PatientQuery => "TD0.2",
            Self::Create => "TD1.1",
            Self::Revise => "TD1.3b",
            Self::PatientList => "TD0.4",
            Self::CreatePatientAccess => "TD1.5a",
            Self::PatientOtpUpdate => "TD1.5b",
            Self::UpdatePatientAccess => "TD1.5d",
            Self::SetAuthorization => "TD0.3",
            Self::ListAuthorizations => "TD1.6",
            Self::ProvideAndRegister => "TD2.1",
            Self::StoredQuery => "TD3.1",
            Self::Retrieve => "TD3.2",
            Self::UpdateDocumentSet => "TD3.3",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
