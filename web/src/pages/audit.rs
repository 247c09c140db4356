//! The audit log: the chain's status first, then the events newest first in
//! words (who, what, with names), filters by person, action and day, pages,
//! and the export of what is filtered.

use interim_policy::answer::ChainCheck;
use interim_policy::audit::{AuditAction, AuditEvent};
use leptos::prelude::*;

use crate::audit_words::{summary, title};
use crate::names::person;
use crate::when::{When, ZoneNote, local_to_utc};
use crate::{Session, api, fetch};

const PAGE_SIZE: i64 = 25;

fn encode(v: &str) -> String {
    String::from(js_sys::encode_uri_component(v))
}

/// A day of a date input (the browser's zone) as the instant it starts.
fn day_start(day: &str) -> Option<String> {
    next_day(day)?;
    local_to_utc(&format!("{day}T00:00"))
}

/// The day after a date input's `YYYY-MM-DD`, in the same form.
fn next_day(day: &str) -> Option<String> {
    use chrono::Datelike;
    let mut parts = day.splitn(3, '-').map(str::parse::<u32>);
    let (y, m, d) = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    let next = chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)?.succ_opt()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        next.year(),
        next.month(),
        next.day()
    ))
}

#[component]
pub fn Audit() -> impl IntoView {
    let session = expect_context::<Session>();
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let page = RwSignal::new(0i64);
    // The filters as query pairs (shared by the list and the export).
    let filters = Memo::new(move |_| {
        let mut q = String::new();
        if !actor.get().trim().is_empty() {
            q.push_str(&format!("&actor={}", encode(actor.get().trim())));
        }
        if !action.get().is_empty() {
            q.push_str(&format!("&action={}", encode(&action.get())));
        }
        if let Some(t) = day_start(&from.get()) {
            q.push_str(&format!("&from={}", encode(&t)));
        }
        // Through the last day chosen: up to the start of the next.
        let next = next_day(&to.get()).and_then(|d| day_start(&d));
        if let Some(t) = next {
            q.push_str(&format!("&to={}", encode(&t)));
        }
        q
    });
    let events = fetch(move || {
        api::audit(&format!(
            "size={PAGE_SIZE}&page={}&order=newest{}",
            page.get(),
            filters.get()
        ))
    });
    let chain = fetch(api::audit_verify);
    let export =
        move |format: &str| format!("/api/v1/audit/export?format={format}{}", filters.get());
    let on = move |s: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            page.set(0);
            s.set(event_target_value(&ev));
        }
    };
    view! {
        <section class="card">
            <h1>"Audit log"</h1>
            <div data-testid="chain">{crate::loaded(chain, |c: ChainCheck| chain_status(c))}</div>
            <form class="filters" on:submit=move |ev| ev.prevent_default()>
                <label for="audit-actor">"Who"
                    <input id="audit-actor" type="search" list="audit-people" placeholder="E-mail, or system" prop:value=move || actor.get() on:change=on(actor)/>
                </label>
                <crate::PeopleList id="audit-people"/>
                <label for="audit-action">"What"
                    <select id="audit-action" on:change=on(action)>
                        <option value="">"Anything"</option>
                        {AuditAction::ALL.iter().map(|a| view! { <option value=a.as_str()>{title(*a)}</option> }).collect_view()}
                    </select>
                </label>
                <label for="audit-from">"From"
                    <input id="audit-from" type="date" data-testid="audit-from" prop:value=move || from.get() on:change=on(from)/>
                </label>
                <label for="audit-to">"Through"
                    <input id="audit-to" type="date" data-testid="audit-to" prop:value=move || to.get() on:change=on(to)/>
                </label>
            </form>
            <p>
                <a href=move || export("csv") download="interim-audit.csv">"Export CSV"</a>" · "
                <a href=move || export("json") download="interim-audit.json">"Export JSON (with signed checkpoints)"</a>
            </p>
            <ZoneNote/>
            {crate::loaded(events, move |p: interim_policy::answer::Page<AuditEvent>| {
                if p.items.is_empty() {
                    return view! { <p class="empty">"No event matches these filters. Widen the dates or clear a filter."</p> }.into_any();
                }
                let total = p.total;
                let company = session.company.get_untracked();
                let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
                view! {
                    <table data-testid="audit" class="audit">
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                        <tbody>
                            {p.items.into_iter().map(|e| {
                                let who = if e.actor == "system" { "Interim (system)".to_owned() } else { person(company.as_deref(), &e.actor) };
                                let said = summary(&e, company.as_deref());
                                view! {
                                    <tr data-testid="audit-row" data-action=e.action.as_str()>
                                        <td data-label="When" class="when"><When at=e.time seconds=true/></td>
                                        <td data-label="Who" title=e.actor.clone()>{who}</td>
                                        <td data-label="What">
                                            <strong>{title(e.action)}</strong>" "{said}
                                            {e.reason.clone().map(|r| view! { <span class="sub">"Reason: " {r}</span> })}
                                            <details>
                                                <summary>"Details"</summary>
                                                <dl class="facts small">
                                                    <dt>"Event"</dt><dd>{format!("#{} · {}", e.seq, e.action.as_str())}</dd>
                                                    <dt>"Target"</dt><dd>{e.target.clone()}</dd>
                                                    <dt>"Data"</dt><dd><code>{interim_policy::audit::canonical_json(&e.details)}</code></dd>
                                                </dl>
                                            </details>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <nav class="pager" aria-label="Pages">
                        <button class="secondary" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p -= 1)>"Newer"</button>
                        <span>{move || format!("Page {} of {pages} · {total} events", page.get() + 1)}</span>
                        <button class="secondary" disabled=move || { (page.get() + 1) * PAGE_SIZE >= total } on:click=move |_| page.update(|p| *p += 1)>"Older"</button>
                    </nav>
                }.into_any()
            })}
        </section>
    }
}

/// Whether the chain holds, with what the signed checkpoints vouch for, or
/// every problem found.
fn chain_status(c: ChainCheck) -> AnyView {
    if c.valid {
        let text = match &c.latest_checkpoint {
            Some(cp) => format!(
                "Hash chain verified: {} events, none altered; {} signed checkpoints, the latest vouching for {} events.",
                c.checked, c.checkpoints, cp.count
            ),
            None => format!("Hash chain verified: {} events, none altered.", c.checked),
        };
        return view! { <p class="ok">{text}</p> }.into_any();
    }
    let mut problems: Vec<String> = c.errors.iter().map(|e| e.message.clone()).collect();
    if c.forged_checkpoints > 0 {
        problems.push(format!(
            "{} checkpoints are not signed by this server's key.",
            c.forged_checkpoints
        ));
    }
    view! {
        <p class="error" role="alert">{format!("The audit log was altered ({} events checked):", c.checked)}</p>
        <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
    }
    .into_any()
}
