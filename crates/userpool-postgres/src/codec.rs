//! The SQL stores' shared encodings of record fields ([`userpool_store::codec`]): one home,
//! so a field is stored the same way in SQLite and PostgreSQL.

pub(crate) use userpool_store::codec::*;
