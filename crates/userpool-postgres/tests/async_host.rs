//! How an async host (the server) lives with the synchronous client: it opens and uses the
//! store on blocking threads (`spawn_blocking`), and may drop the last handle on an async
//! worker thread, which must not panic (each connection owns a runtime, and a runtime
//! dropped in async context panics).

mod common;

use std::sync::Arc;

use userpool_postgres::PostgresOptions;
use userpool_store::Store;

#[test]
fn a_store_used_from_spawn_blocking_may_be_dropped_on_an_async_worker() {
    let Some(url) = common::database_url("store in an async host") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let guard = runtime.block_on(async move {
        let (store, guard) = tokio::task::spawn_blocking(move || {
            common::fresh_store(&url, PostgresOptions::default().pool_size(2))
        })
        .await
        .expect("opened on a blocking thread");
        let store = Arc::new(store);
        let pool = common::pool("Async1");
        let writer = Arc::clone(&store);
        let written = pool.clone();
        tokio::task::spawn_blocking(move || writer.create_pool(&written))
            .await
            .expect("no panic")
            .expect("a write from spawn_blocking");
        let reader = Arc::clone(&store);
        let read = tokio::task::spawn_blocking(move || reader.get_pool(&pool.id))
            .await
            .expect("no panic")
            .expect("a read from spawn_blocking");
        assert!(read.is_some());
        // The last handle goes on an async worker thread, with connections open.
        tokio::spawn(async move { drop(store) })
            .await
            .expect("dropping the store on an async worker does not panic");
        guard
    });
    drop(runtime);
    drop(guard);
}
