//! The REM scenarios of segur-bench: the cucumber World, the French step library, the
//! drivers that reach the software under test, and the runner.
//!
//! - [`world`]: the World (one per scenario) and how steps talk to the driver;
//! - [`steps`]: the step library, one module per theme — add a Gherkin step there;
//! - [`driver`]: driver protocol v1 over HTTP, stdio, or a person ([`driver::manual`]);
//! - [`bench`]: the simulators of one scenario; [`control`]: the control-API client;
//! - [`run`]: filtering, running and the run folder's reports.

pub mod bench;
pub mod control;
pub mod driver;
pub mod run;
pub mod steps;
pub mod world;
