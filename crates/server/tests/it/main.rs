//! Integration tests of the server: a real SQLite file, real HTTP on port 0,
//! a controlled clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

mod activation;
mod admin;
mod api;
mod authz;
mod corpus;
mod durability;
mod keys;
mod notify;
mod race;
mod regression;
mod requests;
mod serve;
mod storage;
mod support;
mod tamper;
