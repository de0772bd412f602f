//! Shared ground of the segur-bench simulators.
//!
//! - [`world`]: the one fictitious universe (patients, professionals, structures, software ids);
//! - [`pki`]: the test PKI (a fictitious IGC-Santé) and its credentials on disk;
//! - [`tls`]: the TLS listener every simulator serves on, with client-certificate checks;
//! - [`journal`]: the append-only, hash-chained record of every exchange;
//! - [`finding`]: conformity rules and their findings;
//! - [`clock`] and [`faults`]: time and misbehaviour under the scenario's control;
//! - [`control`]: the HTTP control API over all of it;
//! - [`bench`]: the state one bench shares between its simulators, and the service registry.

pub mod bench;
pub mod clock;
pub mod control;
pub mod faults;
pub mod finding;
pub mod journal;
pub mod pki;
pub mod saml;
pub mod soap;
pub mod text;
pub mod tls;
pub mod world;
pub mod xml;
pub mod xmldsig;

#[cfg(any(test, feature = "testing"))]
pub mod testing;
