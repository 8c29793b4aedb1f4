//! What the wire-level fuzz targets share: the [`request`] text format they read (so seeds
//! are plain, hand-written files), a [`fixture`] server over a populated pool with its
//! clock pinned, and the [`reach`] report that shows which layer the inputs get to.
//! Each target stays one small file under `fuzz_targets/`.
#![forbid(unsafe_code)]

pub mod fixture;
pub mod reach;
pub mod request;
pub mod session;

pub use fixture::{Answer, Fixture};
pub use request::{Signing, Vars, WireRequest};
