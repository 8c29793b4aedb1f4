//! `userpool-server`: see the crate documentation.

#![forbid(unsafe_code)]

fn main() {}
