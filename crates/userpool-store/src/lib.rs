//! Storage for userpool: the [`Store`] trait, the in-memory store and the conformance kit.

#![forbid(unsafe_code)]

#[cfg(feature = "conformance")]
pub mod conformance;
pub mod keys;
pub mod memory;
pub mod pool;
pub mod store;

pub use memory::MemoryStore;
pub use pool::{ClientRecord, PoolRecord};
pub use store::{Store, StoreError, UserKey};
