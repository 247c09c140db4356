//! The one error of every use case: a refusal of a kind the caller can
//! act on, with a stable code, a message and the fields at fault — or an
//! internal failure, whose cause is logged here and never told.
//!
//! The HTTP layer maps [`Kind`] to a status (`crate::error`); nothing here
//! knows HTTP.

use interim_policy::violation::{Status, Violation, status_of};

/// What kind of refusal: the caller's next step differs for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Malformed or invalid input.
    Invalid,
    /// Nobody is signed in, or the credential is no longer good.
    Unauthenticated,
    /// Signed in, but not allowed (a limit, a role, a key's scope).
    Forbidden,
    /// Nothing by that id (that the caller may see).
    NotFound,
    /// A name taken, or a state that does not allow the change.
    Conflict,
    /// Too many attempts: try again after the given seconds.
    TooMany(u64),
    /// A failure on our side (logged).
    Internal,
}

impl From<Status> for Kind {
    fn from(s: Status) -> Kind {
        match s {
            Status::Invalid => Kind::Invalid,
            Status::NotFound => Kind::NotFound,
            Status::Conflict => Kind::Conflict,
            Status::Forbidden => Kind::Forbidden,
        }
    }
}

/// One problem at one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    pub code: String,
    pub message: String,
    pub problems: Vec<Problem>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: Kind, code: &str, message: impl Into<String>) -> Error {
        Error {
            kind,
            code: code.to_owned(),
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// Violations of the policy: the kind is the first that applies of
    /// invalid, not found, conflict, forbidden; the code and message are
    /// the first violation's of that kind.
    pub fn violations(violations: Vec<Violation>) -> Error {
        let kind = status_of(&violations).map_or(Kind::Invalid, Kind::from);
        let first = violations
            .iter()
            .find(|v| Kind::from(v.code.status()) == kind);
        let code = first.map_or("request.invalid", |v| v.code.as_str());
        let message = match violations.len() {
            1 => first.map(|v| v.message.clone()).unwrap_or_default(),
            n => format!(
                "{n} problems: {}",
                first.map(|v| v.message.as_str()).unwrap_or_default()
            ),
        };
        let mut e = Error::new(kind, code, message);
        e.problems = violations
            .into_iter()
            .map(|v| Problem {
                field: v.field,
                code: v.code.as_str().to_owned(),
                message: v.message,
            })
            .collect();
        e
    }

    pub fn violation(v: Violation) -> Error {
        Error::violations(vec![v])
    }

    pub fn unauthenticated() -> Error {
        Error::new(
            Kind::Unauthenticated,
            "auth.required",
            "sign in, or send an API key as a Bearer token",
        )
    }

    pub fn forbidden(code: &str, message: impl Into<String>) -> Error {
        Error::new(Kind::Forbidden, code, message)
    }

    pub fn not_found(code: &str, message: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, code, message)
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Error {
        Error::new(Kind::Conflict, code, message)
    }

    /// Invalid input at one field.
    pub fn invalid(code: &str, field: &str, message: impl Into<String>) -> Error {
        let message = message.into();
        let mut e = Error::new(Kind::Invalid, code, message.clone());
        e.problems.push(Problem {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        });
        e
    }

    /// An internal failure: logged here with its cause.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Error {
        tracing::error!(%cause, "{context}");
        Error::new(
            Kind::Internal,
            "server.internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Error {
        Error::internal("store", e)
    }
}
