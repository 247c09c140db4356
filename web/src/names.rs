//! People and pools by their names: the portal shows names, and keeps the
//! e-mail or id as secondary text (on hover, or small beneath).

use interim_policy::snapshot::Snapshot;
use interim_policy::wire::TempAccess;
use leptos::prelude::*;

/// "Dana Developer", or the e-mail when the person has no name (or is not
/// in the company as I may see it).
pub fn person(company: Option<&Snapshot>, email: &str) -> String {
    company
        .and_then(|c| c.user_idx(email).and_then(|u| c.user(u)))
        .map(|u| {
            format!("{} {}", u.first_name, u.last_name)
                .trim()
                .to_owned()
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.to_owned())
}

/// A pool's name, or its id when it is not known.
pub fn pool(company: Option<&Snapshot>, id: &str) -> String {
    company
        .and_then(|c| c.pool_idx(id).and_then(|p| c.pool(p)))
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

/// People named, each with their e-mail beneath.
pub fn people(company: Option<&Snapshot>, emails: &[String]) -> AnyView {
    view! {
        <ul class="plain names">{emails.iter().map(|e| {
            let name = person(company, e);
            let sub = (name != *e).then(|| view! { <span class="sub">{e.clone()}</span> });
            view! { <li>{name}{sub}</li> }
        }).collect_view()}</ul>
    }
    .into_any()
}

/// Pools named, each with its id on hover.
pub fn pools(company: Option<&Snapshot>, ids: &[String]) -> AnyView {
    view! {
        <ul class="plain names">{ids.iter().map(|id| view! {
            <li title=id.clone()>{pool(company, id)}</li>
        }).collect_view()}</ul>
    }
    .into_any()
}

/// Whether a grant matches `q` (lower case): its name, incident, people
/// (e-mail or name) or pools (id or name).
pub fn grant_matches(company: Option<&Snapshot>, g: &TempAccess, q: &str) -> bool {
    let has = |s: &str| s.to_lowercase().contains(q);
    has(&g.name)
        || g.incident_id.as_deref().is_some_and(has)
        || g.user_emails
            .iter()
            .any(|e| has(e) || has(&person(company, e)))
        || g.agent_pool_ids
            .iter()
            .any(|p| has(p) || has(&pool(company, p)))
}
