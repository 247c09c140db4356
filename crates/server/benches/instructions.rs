//! Instruction counts (callgrind, through gungraun) of a write through the
//! server's use case: grant create and delete on the demo company, in
//! SQLite. Only the calling thread is counted (our code, the policy and
//! sqlx's side of each statement, not SQLite's worker thread), so an extra
//! statement or a slower check shows, while the disk does not.
//! `cargo xtask test` compares the count with the committed baseline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_debug_implementations,
    reason = "benchmark"
)]

use std::hint::black_box;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use gungraun::{library_benchmark, library_benchmark_group, main};
use interim_policy::wire::CreateTempAccess;
use interim_server::app::{self, Actor, Credential};
use interim_server::clock::ManualClock;
use interim_server::store::Store;
use interim_server::{AppState, seed};

/// Grants created and deleted per run.
const WRITES: usize = 50;

struct Running {
    runtime: tokio::runtime::Runtime,
    state: AppState,
    actor: Actor,
    dir: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The demo company in a new SQLite file, indexed once, and its admin.
fn demo_company() -> Running {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let dir = std::env::temp_dir().join(format!("interim-instructions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (state, actor) = runtime.block_on(async {
        let store = Store::open(&dir.join("bench.db")).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.import(&seed::demo("admin@example.com", now), None, now)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let snapshot = store.snapshot(now).await.unwrap();
        let actor = Actor {
            email: "admin@example.com".into(),
            idx: snapshot.user_idx("admin@example.com").unwrap(),
            credential: Credential::Session {
                token_hash: "bench".into(),
            },
        };
        (AppState::new(store, Arc::new(ManualClock::new(now))), actor)
    });
    Running {
        runtime,
        state,
        actor,
        dir,
    }
}

#[library_benchmark(setup = demo_company)]
fn grant_create_and_delete_50_demo(r: Running) -> Running {
    r.runtime.block_on(async {
        for n in 0..WRITES {
            let input = CreateTempAccess {
                agent_pool_ids: Some(vec!["pool-search-prod".into()]),
                user_emails: Some(vec!["dana.dev@example.com".into()]),
                roles: Some(vec!["Standard".into()]),
                expiration_date: Some("2026-11-23T10:00:00Z".into()),
                name: Some(format!("bench {n}")),
                incident_id: None,
            };
            let grant = app::grants::create(&r.state, &r.actor, black_box(&input))
                .await
                .unwrap();
            app::grants::delete(&r.state, &r.actor, &grant.id)
                .await
                .unwrap();
        }
    });
    r
}

library_benchmark_group!(
    name = server;
    benchmarks = grant_create_and_delete_50_demo
);

main!(library_benchmark_groups = server);
