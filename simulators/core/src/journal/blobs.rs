//! Request and response bytes, stored content-addressed in append-only pack files under
//! `blobs/`.
//!
//! One file per blob cannot keep up with a busy bench (about 30,000 file creations a
//! second on the reference machine, two per exchange), so blobs are appended to packs:
//! `blobs/pack-000001.blob`, each entry `sha256 (32 bytes) | length (u64 LE) | bytes`.
//! A record's [`BodyRef`] says which pack and offset hold its bytes, so no global index
//! is kept in memory; a bounded window of recent hashes avoids storing a body twice when
//! it repeats (a WSDL, the same CDA sent to several recipients).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::record::{BodyRef, Payload};

/// A pack is closed and a new one started past this size.
const PACK_LIMIT: u64 = 256 * 1024 * 1024;
/// How many recent distinct blobs are remembered for deduplication.
const DEDUP_WINDOW: usize = 65_536;
const ENTRY_HEADER: u64 = 32 + 8;

/// The blob packs of one journal.
#[derive(Debug)]
pub struct BlobStore {
    /// The `blobs/` folder.
    dir: PathBuf,
    /// The pack being appended to; one writer at a time.
    writer: Mutex<PackWriter>,
}

#[derive(Debug)]
struct PackWriter {
    number: u32,
    file: BufWriter<File>,
    len: u64,
    recent: HashMap<[u8; 32], (u32, u64)>,
}

/// Why a blob could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The pack could not be read.
    #[error("blob {sha256}: {source}")]
    Io {
        /// The blob's hash.
        sha256: String,
        /// The I/O error.
        source: io::Error,
    },
    /// Larger than the caller accepts.
    #[error("blob {sha256} is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// The blob's hash.
        sha256: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The bytes found do not hash to the reference: the pack was altered.
    #[error("blob {sha256}: the stored bytes hash to {found}, the pack was altered")]
    Corrupt {
        /// The expected hash.
        sha256: String,
        /// The hash of what was found.
        found: String,
    },
}

fn pack_path(dir: &Path, number: u32) -> PathBuf {
    dir.join(format!("pack-{number:06}.blob"))
}

impl BlobStore {
    /// Opens (or creates) `dir` and appends to a new pack after the existing ones, so a
    /// pack half-written by a crash is never extended.
    pub fn open(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut last = 0;
        for entry in std::fs::read_dir(dir)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if let Some(n) = name
                .strip_prefix("pack-")
                .and_then(|n| n.strip_suffix(".blob"))
                .and_then(|n| n.parse::<u32>().ok())
            {
                last = last.max(n);
            }
        }
        let writer = PackWriter::create(dir, last + 1)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            writer: Mutex::new(writer),
        })
    }

    /// Stores payloads' bytes (those not stored recently) and returns their references,
    /// in order. One lock and one flush for all of them: an exchange's request and
    /// response go in together. The bytes are flushed to the OS before this returns.
    pub fn put_all<const N: usize>(
        &self,
        payloads: [Option<&Payload>; N],
    ) -> io::Result<[Option<BodyRef>; N]> {
        let digests = payloads.map(|p| p.map(|p| <[u8; 32]>::from(Sha256::digest(&p.bytes))));
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut refs = [const { None }; N];
        let mut wrote = false;
        for (i, (payload, digest)) in payloads.iter().zip(digests).enumerate() {
            let (Some(payload), Some(digest)) = (payload, digest) else {
                continue;
            };
            let size = payload.bytes.len() as u64;
            let (pack, offset) = match w.recent.get(&digest) {
                Some(&location) => location,
                None => {
                    if w.len + ENTRY_HEADER + size > PACK_LIMIT && w.len > 0 {
                        let next = w.number + 1;
                        w.file.flush()?;
                        let recent = std::mem::take(&mut w.recent);
                        *w = PackWriter::create(&self.dir, next)?;
                        w.recent = recent;
                    }
                    w.file.write_all(&digest)?;
                    w.file.write_all(&size.to_le_bytes())?;
                    w.file.write_all(&payload.bytes)?;
                    wrote = true;
                    let location = (w.number, w.len + ENTRY_HEADER);
                    w.len += ENTRY_HEADER + size;
                    if w.recent.len() >= DEDUP_WINDOW {
                        w.recent.clear();
                    }
                    w.recent.insert(digest, location);
                    location
                }
            };
            refs[i] = Some(BodyRef {
                sha256: hex::encode(digest),
                size,
                pack,
                offset,
                content_type: payload.content_type.clone(),
                summary: payload.summary.clone(),
            });
        }
        if wrote {
            w.file.flush()?;
        }
        Ok(refs)
    }

    /// Stores one payload; see [`BlobStore::put_all`].
    pub fn put(&self, payload: &Payload) -> io::Result<BodyRef> {
        let [body] = self.put_all([Some(payload)])?;
        // put_all returns a reference for every payload given.
        body.ok_or_else(|| io::Error::other("blob store returned no reference"))
    }

    /// Reads a blob back, refusing one larger than `limit`, and checks its hash.
    pub fn get(&self, body: &BodyRef, limit: u64) -> Result<Vec<u8>, BlobError> {
        read_blob(&self.dir, body, limit)
    }

    /// Forces the current pack to disk.
    pub fn sync(&self) -> io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.file.flush()?;
        w.file.get_ref().sync_data()
    }
}

/// Reads a blob from the packs in `dir` (used by the store and by `verify`).
pub fn read_blob(dir: &Path, body: &BodyRef, limit: u64) -> Result<Vec<u8>, BlobError> {
    let io_err = |source| BlobError::Io {
        sha256: body.sha256.clone(),
        source,
    };
    if body.size > limit {
        return Err(BlobError::TooLarge {
            sha256: body.sha256.clone(),
            size: body.size,
            limit,
        });
    }
    let mut file = File::open(pack_path(dir, body.pack)).map_err(io_err)?;
    file.seek(SeekFrom::Start(body.offset)).map_err(io_err)?;
    let mut bytes = Vec::with_capacity(body.size as usize);
    file.take(body.size)
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    let found = hex::encode(Sha256::digest(&bytes));
    if found != body.sha256 || bytes.len() as u64 != body.size {
        return Err(BlobError::Corrupt {
            sha256: body.sha256.clone(),
            found,
        });
    }
    Ok(bytes)
}

impl PackWriter {
    fn create(dir: &Path, number: u32) -> io::Result<Self> {
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(pack_path(dir, number))?;
        Ok(Self {
            number,
            file: BufWriter::with_capacity(64 * 1024, file),
            len: 0,
            recent: HashMap::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_round_trip_and_repeat_bodies_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put(&Payload::new("hello")).unwrap();
        let b = store.put(&Payload::new("world")).unwrap();
        let again = store
            .put(&Payload::new("hello").content_type("text/plain"))
            .unwrap();
        assert_eq!((again.pack, again.offset), (a.pack, a.offset));
        assert_eq!(again.content_type.as_deref(), Some("text/plain"));
        assert_eq!(store.get(&a, 100).unwrap(), b"hello");
        assert_eq!(store.get(&b, 100).unwrap(), b"world");
        assert!(matches!(store.get(&b, 3), Err(BlobError::TooLarge { .. })));
    }

    #[test]
    fn a_reopened_store_starts_a_new_pack_and_reads_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let first = BlobStore::open(dir.path())
            .unwrap()
            .put(&Payload::new("old"))
            .unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let second = store.put(&Payload::new("new")).unwrap();
        assert_eq!((first.pack, second.pack), (1, 2));
        assert_eq!(store.get(&first, 10).unwrap(), b"old");
    }

    #[test]
    fn an_altered_pack_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let body = store.put(&Payload::new("payload")).unwrap();
        let path = pack_path(dir.path(), body.pack);
        let mut bytes = std::fs::read(&path).unwrap();
        *bytes.last_mut().unwrap() ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert!(matches!(
            store.get(&body, 100),
            Err(BlobError::Corrupt { .. })
        ));
    }
}
