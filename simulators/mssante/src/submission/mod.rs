//! What the operator checks on every submitted message ([`inspect`]).

pub mod inspect;
