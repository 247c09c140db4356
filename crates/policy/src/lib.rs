//! # interim-policy
//!
//! Every rule of Interim as pure functions over plain data: roles,
//! categories and the role matrix, the operation catalogue, effective
//! permissions and decisions with their reasons, grant and request
//! validation, the request state machine, delegation, legacy role migration
//! and the audit hash chain.
//!
//! The crate does no I/O and reads no clock: time is always a parameter
//! (`now`). The same code runs in the server, the portal (wasm), the CLI and
//! the npm package; [`api`] is the one JSON interface they share.

pub mod answer;
pub mod api;
pub mod audit;
pub mod catalogue;
pub mod checkpoint;
pub mod company;
pub mod csv_file;
pub mod decision;
pub mod email;
pub mod grant;
pub mod group_admin;
pub mod key_scope;
pub mod legacy;
pub mod limits;
mod named;
#[cfg(feature = "openapi")]
mod openapi;
mod order;
pub mod parse;
pub mod report;
pub mod request;
pub mod role;
#[cfg(feature = "sample")]
pub mod sample;
pub mod snapshot;
pub mod time;
pub mod user;
pub mod violation;
pub mod vocab;
pub mod wire;

pub use catalogue::{Access, Operation};
pub use decision::{Check, Decision, DecisionWire, Reason, decide, decide_idx};
pub use grant::{GrantContext, NewGrant, validate_grant, validate_grant_form};
pub use limits::Limits;
pub use role::{Category, Level, PoolLevel, Role};
pub use snapshot::Snapshot;
pub use time::Instant;
pub use violation::{Code, Status, Violation};
