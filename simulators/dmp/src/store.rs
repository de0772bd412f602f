//! The DMP's state: one record per patient (DMP open, closed or absent; authorised and
//! blocked professionals; médecin traitant) seeded from the world, and the registry and
//! repository of documents fed during the run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use segur_core::world::{DmpState, Ins, World};
use segur_documents::ebrim::RegistryObject;
use serde::Serialize;
use time::OffsetDateTime;

/// One patient's DMP, keyed by the INS number (matricule + key).
#[derive(Debug, Clone, Serialize)]
pub struct PatientRecord {
    /// The INS.
    pub ins: Ins,
    /// The world's patient id, if the patient comes from the world.
    pub world_id: Option<String>,
    /// Birth family name, as the DMP shows it.
    pub family_name: String,
    /// First names.
    pub given_names: String,
    /// `M`, `F` or `U`.
    pub sex: String,
    /// `YYYYMMDD`.
    pub birth_date: String,
    /// Absent, open or closed.
    pub state: DmpState,
    /// When it was closed, and why.
    pub closed: Option<(String, String)>,
    /// National ids of the professionals the patient authorised, with since when.
    pub authorised: BTreeMap<String, OffsetDateTime>,
    /// National ids of the professionals the patient blocked.
    pub blocked: BTreeSet<String>,
    /// National id of the médecin traitant DMP.
    pub treating_doctor: Option<String>,
    /// Whether the patient opened a web account (`COMPTE_INTERNET_OUVERT`).
    pub web_account: bool,
    /// Whether the DMP is attached to Mon espace santé (`RATTACHEMENT_ENS`).
    pub attached_mes: bool,
    /// Whether the patient opposed the feeding of the DMP (managed by the LPS; the DMP
    /// only records it for the findings).
    pub opposes_feeding: bool,
    /// Oppositions to the "bris de glace" and Centre 15 (urgence) access modes.
    pub opposes_emergency: (bool, bool),
    /// Last consultation and last document added.
    pub last_access: Option<OffsetDateTime>,
    /// Last document added.
    pub last_add: Option<OffsetDateTime>,
}

/// A document in the registry and the repository.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDocument {
    /// `entryUUID` (`urn:uuid:…`): the id of this version.
    pub entry_uuid: String,
    /// Logical id shared by the versions (ITI-57).
    pub lid: String,
    /// Metadata version (1, then +1 per ITI-57 update).
    pub version: u32,
    /// `uniqueId` (the CDA's `id@root`).
    pub unique_id: String,
    /// INS number of the patient.
    pub patient: String,
    /// `patientId` in CX form.
    pub patient_cx: String,
    /// `availabilityStatus`.
    pub status: String,
    /// Confidentiality codes (`N`, `MASQUE_PS`, `INVISIBLE_PATIENT`, `INVISIBLE_REP_LEGAUX`).
    pub confidentiality: Vec<String>,
    /// National id of the author (`authorPerson`), if a person.
    pub author: Option<String>,
    /// National id of the professional whose VIHF fed it.
    pub submitter: String,
    /// The submitted entry's metadata (slots, classifications, identifiers).
    #[serde(skip)]
    pub entry: RegistryObject,
    /// The document's bytes.
    #[serde(skip)]
    pub content: Bytes,
    /// SHA-1, lower-case hex.
    pub hash: String,
    /// Size in bytes.
    pub size: usize,
    /// `mimeType`.
    pub mime_type: String,
    /// When the registry received it.
    pub submitted_at: OffsetDateTime,
    /// The submission set's uniqueId it came in.
    pub submission_set: String,
    /// The entryUUID of the version this one replaced (RPLC), which the registry answers
    /// GetRelatedDocuments with.
    pub replaces: Option<String>,
    /// The entry rendered as an `ExtrinsicObject` (kept current, so searches only copy).
    #[serde(skip)]
    pub rendered: String,
}

/// The whole state, behind [`DmpStore`]'s lock.
#[derive(Debug, Default)]
pub struct State {
    /// The repository's `repositoryUniqueId`, written into every rendered entry.
    pub repository: String,
    /// Patients by INS number.
    pub patients: BTreeMap<String, PatientRecord>,
    /// Every document version, in arrival order.
    pub documents: Vec<StoredDocument>,
    /// `entryUUID` → index.
    pub by_entry: HashMap<String, usize>,
    /// `uniqueId` → index of its latest version (metadata updates keep the uniqueId).
    pub by_unique_id: HashMap<String, usize>,
    /// INS number → indexes.
    pub by_patient: HashMap<String, Vec<usize>>,
    /// The world's patients as the records were last derived from them, by world id:
    /// a patient the world changed since (a control-API PATCH) is derived again.
    pub seeded: BTreeMap<String, segur_core::world::Patient>,
    /// The bench's world generation those records follow.
    pub generation: u64,
}

impl State {
    /// Adds a document version and indexes it.
    pub fn insert(&mut self, mut document: StoredDocument) -> usize {
        document.rendered = crate::xds::render::entry(&document, &self.repository);
        let index = self.documents.len();
        self.by_entry.insert(document.entry_uuid.clone(), index);
        self.by_unique_id.insert(document.unique_id.clone(), index);
        self.by_patient
            .entry(document.patient.clone())
            .or_default()
            .push(index);
        self.documents.push(document);
        index
    }

    /// Re-renders document `index` after a change of status or confidentiality.
    pub fn touch(&mut self, index: usize) {
        let rendered = crate::xds::render::entry(&self.documents[index], &self.repository);
        self.documents[index].rendered = rendered;
    }

    /// The document of `entryUUID`.
    pub fn by_entry_uuid(&self, uuid: &str) -> Option<usize> {
        self.by_entry.get(uuid).copied()
    }
}

/// The DMP record the world gives `p` (`None` without an INS: the DMP knows patients by
/// their INS).
fn record_of(
    world: &World,
    p: &segur_core::world::Patient,
    now: OffsetDateTime,
) -> Option<PatientRecord> {
    let national = |id: &String| world.professional(id).map(|p| p.national_id.clone());
    let ins = p.ins.as_ref()?;
    Some(PatientRecord {
        ins: ins.clone(),
        world_id: Some(p.id.clone()),
        family_name: p.traits.birth_name.clone(),
        given_names: p.traits.first_names.join(" "),
        sex: p.traits.sex.clone(),
        birth_date: format!(
            "{:04}{:02}{:02}",
            p.traits.birth_date.year, p.traits.birth_date.month, p.traits.birth_date.day
        ),
        state: p.dmp.state,
        closed: (p.dmp.state == DmpState::Closed).then(|| {
            (
                p.dmp.closed_on.clone().unwrap_or_default(),
                p.dmp.closed_reason.clone().unwrap_or_default(),
            )
        }),
        authorised: p
            .dmp
            .authorised
            .iter()
            .filter_map(national)
            .map(|n| (n, now))
            .collect(),
        blocked: p.dmp.blocked.iter().filter_map(national).collect(),
        treating_doctor: p.dmp.treating_doctor.as_ref().and_then(national),
        web_account: p.mes_activated,
        attached_mes: p.mes_activated,
        opposes_feeding: p
            .oppositions
            .contains(&segur_core::world::Opposition::Feeding),
        opposes_emergency: (
            p.oppositions
                .contains(&segur_core::world::Opposition::BreakGlass),
            p.oppositions
                .contains(&segur_core::world::Opposition::Centre15),
        ),
        last_access: None,
        last_add: None,
    })
}

/// The simulator's state, shared by every handler.
#[derive(Debug, Default)]
pub struct DmpStore {
    state: RwLock<State>,
}

impl DmpStore {
    /// A store seeded from `world`: every patient with an INS, with the DMP state,
    /// authorisations, blocks and médecin traitant the world gives. `repository` is the
    /// repository's `repositoryUniqueId`.
    pub fn from_world(world: &World, now: OffsetDateTime, repository: &str) -> Self {
        let store = Self::default();
        store.write().repository = repository.to_string();
        store.reseed(world, now);
        store
    }

    /// Forgets every document and resets the patients to the world's state.
    pub fn reseed(&self, world: &World, now: OffsetDateTime) {
        let mut state = State {
            repository: self.read().repository.clone(),
            ..State::default()
        };
        for p in &world.patients {
            if let Some(record) = record_of(world, p, now) {
                state.patients.insert(record.ins.number(), record);
                state.seeded.insert(p.id.clone(), p.clone());
            }
        }
        *self.write() = state;
    }

    /// Follows the world of `bench` when it changed since the records were derived: each
    /// patient the world now describes otherwise (DMP state, authorisations, blocks,
    /// médecin traitant, oppositions, a new patient) gets its record derived again; the
    /// documents and the other patients' records are kept.
    pub fn follow_world(&self, bench: &segur_core::bench::Bench) {
        let generation = bench.world_generation();
        if self.read().generation == generation {
            return;
        }
        let world = bench.world();
        let now = bench.clock().now();
        let mut state = self.write();
        for p in &world.patients {
            if state.seeded.get(&p.id) == Some(p) {
                continue;
            }
            if let Some(record) = record_of(&world, p, now) {
                state.patients.insert(record.ins.number(), record);
            }
            state.seeded.insert(p.id.clone(), p.clone());
        }
        state.generation = generation;
    }

    /// Reads the state.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the state.
    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a patient record (a test's or the control API's), replacing one with the same INS.
    pub fn put_patient(&self, record: PatientRecord) {
        self.write().patients.insert(record.ins.number(), record);
    }
}
