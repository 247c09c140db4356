//! Temporary access: the active grants first (search, sort, pages, a live
//! countdown), *Grant new temp access* opening the form, delete with
//! confirm, and replace (the same form, filled with the grant it replaces).

use std::time::Duration;

use chrono::Utc;
use interim_policy::grant::{can_manage_grant, manages_grants};
use interim_policy::wire::TempAccess;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::grant_form::GrantForm;
use crate::form::countdown;
use crate::list::{Pager, SearchBox, page_of};
use crate::when::{When, ZoneNote};
use crate::{Session, api, fetch};

/// Rows on one page of the list.
const PAGE: usize = 25;

/// The orders the list offers, by the value of its select.
const SORTS: [(&str, &str); 4] = [
    ("ends", "Ends soonest"),
    ("ends-desc", "Ends latest"),
    ("name", "Name (A–Z)"),
    ("newest", "Newest first"),
];

fn sorted(mut grants: Vec<TempAccess>, by: &str) -> Vec<TempAccess> {
    match by {
        "ends-desc" => grants.sort_by_key(|g| std::cmp::Reverse(g.expiration_date)),
        "name" => grants.sort_by_key(|g| g.name.to_lowercase()),
        "newest" => grants.sort_by_key(|g| std::cmp::Reverse(g.created_at)),
        _ => grants.sort_by_key(|g| g.expiration_date),
    }
    grants
}

#[component]
pub fn Grants() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let grants = fetch(move || {
        reload.track();
        api::grants()
    });
    let now_ms = RwSignal::new(Utc::now().timestamp_millis());
    if let Ok(handle) = set_interval_with_handle(
        move || now_ms.set(Utc::now().timestamp_millis()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let manages = move || match (session.me.get(), session.company.get()) {
        (Some(me), Some(c)) => manages_grants(&c, &me.email, Utc::now()),
        _ => false,
    };
    // The grant being replaced, if any: the form fills with it.
    let replacing = RwSignal::new(None::<TempAccess>);
    let open = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let query = RwSignal::new(String::new());
    let sort = RwSignal::new("ends".to_owned());
    let page = RwSignal::new(0usize);
    let open_form = move |_| {
        replacing.set(None);
        done.set(None);
        open.set(true);
        request_animation_frame(|| crate::focus("grant-name"));
    };
    let shown = move || {
        let all = grants.get()?.ok()?.items;
        let company = session.company.get();
        let q = query.get().trim().to_lowercase();
        let hits: Vec<TempAccess> = all
            .into_iter()
            .filter(|g| q.is_empty() || crate::names::grant_matches(company.as_deref(), g, &q))
            .collect();
        Some(sorted(hits, &sort.get()))
    };
    view! {
        <section class="card">
            <div class="page-head">
                <h1>"Temporary access"</h1>
                <Show when=manages>
                    <button data-testid="open-create" on:click=open_form
                        aria-expanded=move || open.get().to_string() aria-controls="grant-form">"Grant new temp access"</button>
                </Show>
            </div>
            {move || done.get().map(|name| view! { <p class="notice" role="status" data-testid="done">"Granted “" {name} "”."</p> })}
            <Show when=move || open.get() && manages()>
                <div id="grant-form" class="panel">
                    <GrantForm replacing=replacing open=open on_created=move |name| {
                        done.set(Some(name));
                        reload.update(|n| *n += 1);
                        session.refresh();
                    }/>
                </div>
            </Show>
            <h2>"Active grants"</h2>
            <div class="toolbar">
                <SearchBox id="grant-search" label="Search grants" placeholder="Name, person, pool or incident" query=query page=page/>
                <label class="inline" for="grant-sort">"Sort"
                    <select id="grant-sort" data-testid="grant-sort" on:change=move |ev| { sort.set(event_target_value(&ev)); page.set(0); }
                        prop:value=move || sort.get()>
                        {SORTS.iter().map(|(v, l)| view! { <option value=*v>{*l}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <ZoneNote/>
            {move || match grants.get() {
                None => view! { <p class="loading" aria-busy="true">"Loading grants…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                Some(Ok(all)) if all.items.is_empty() => view! {
                    <p class="empty" data-testid="empty">{if manages() {
                        "No one has temporary access now. Choose “Grant new temp access” to give someone access to agent pools for a while."
                    } else {
                        "No one has temporary access now."
                    }}</p>
                }.into_any(),
                Some(Ok(_)) => {
                    let list = shown().unwrap_or_default();
                    let total = list.len();
                    if total == 0 {
                        return view! { <p class="empty">"No grant matches “" {query.get()} "”."</p> }.into_any();
                    }
                    let rows = page_of(list, page.get(), PAGE);
                    view! {
                        <table data-testid="grants" class="stack">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"People"</th>
                                <th scope="col">"Agent pools"</th><th scope="col">"Ends"</th><th scope="col">"Ends in"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|g| view! { <GrantRow grant=g now_ms=now_ms reload=reload replacing=replacing open=open done=done/> }).collect_view()}
                            </tbody>
                        </table>
                        <Pager page=page total=total size=PAGE/>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn GrantRow(
    grant: TempAccess,
    now_ms: RwSignal<i64>,
    reload: RwSignal<u32>,
    replacing: RwSignal<Option<TempAccess>>,
    open: RwSignal<bool>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let expires_ms = grant.expiration_date.timestamp_millis();
    let company = session.company.get_untracked();
    let can_change = match (session.me.get_untracked(), company.as_deref()) {
        (Some(me), Some(c)) => {
            can_manage_grant(c, &me.email, &grant.agent_pool_ids, Utc::now()).is_ok()
        }
        _ => false,
    };
    let error = RwSignal::new(None::<String>);
    let (id, name) = (grant.id.clone(), grant.name.clone());
    let original = grant.clone();
    let replace = move |_| {
        done.set(None);
        replacing.set(Some(original.clone()));
        open.set(true);
        request_animation_frame(|| crate::focus("grant-name"));
    };
    let delete = move |_| {
        if !crate::confirmed(&format!(
            "Delete the grant “{name}”? Its access ends at once."
        )) {
            return;
        }
        let id = id.clone();
        spawn_local(async move {
            match api::delete_grant(&id).await {
                Ok(()) => {
                    done.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.body.message)),
            }
        });
    };
    let people = crate::names::people(company.as_deref(), &grant.user_emails);
    let pools = crate::names::pools(company.as_deref(), &grant.agent_pool_ids);
    view! {
        <tr data-testid="grant-row" data-name=grant.name.clone()>
            <td data-label="Name">{grant.name.clone()}
                {grant.incident_id.clone().map(|i| view! { <span class="sub">"Incident " {i}</span> })}</td>
            <td data-label="Role">{grant.roles.iter().map(|r| r.0.grant_name()).collect::<Vec<_>>().join(", ")}</td>
            <td data-label="People">{people}</td>
            <td data-label="Agent pools">{pools}</td>
            <td data-label="Ends"><When at=grant.expiration_date plain=true/></td>
            <td data-label="Ends in" data-testid="countdown" aria-live="off">{move || countdown(expires_ms - now_ms.get())}</td>
            <td class="actions">
                {can_change.then(|| view! {
                    <button class="secondary" data-testid="replace" on:click=replace.clone()
                        aria-label=format!("Replace {}", grant.name)>"Replace"</button>
                    <button class="danger" data-testid="delete" on:click=delete.clone()
                        aria-label=format!("Delete {}", grant.name)>"Delete"</button>
                })}
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </td>
        </tr>
    }
}
