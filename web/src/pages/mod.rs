//! One file per page.

pub mod activate;
pub mod api_keys;
pub mod audit;
pub mod company;
pub mod grant_form;
pub mod grants;
pub mod groups;
pub mod pools;
pub mod profile;
pub mod reports;
pub mod request_settings;
pub mod requests;
pub mod reviews;
pub mod roles;
pub mod settings;
pub mod signin;
pub mod users;
