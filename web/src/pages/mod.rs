//! One file per page.

pub mod audit;
pub mod grants;
pub mod groups;
pub mod pools;
pub mod profile;
pub mod roles;
pub mod settings;
pub mod signin;
pub mod users;
