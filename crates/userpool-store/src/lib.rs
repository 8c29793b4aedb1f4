//! Storage for userpool: the [`Store`] trait, and (to come) the in-memory store, the
//! conformance kit and the service.

#![forbid(unsafe_code)]

pub mod keys;
pub mod pool;
pub mod store;

pub use pool::{ClientRecord, PoolRecord};
pub use store::{Store, StoreError, UserKey};
