//! Audit events: filters, paging, export, and the chain's status.

use chrono::Local;
use interim_policy::audit::AuditAction;
use leptos::prelude::*;

use crate::{api, fetch};

const PAGE_SIZE: i64 = 25;

fn encode(v: &str) -> String {
    String::from(js_sys::encode_uri_component(v))
}

#[component]
pub fn Audit() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let page = RwSignal::new(0i64);
    let query = Memo::new(move |_| {
        let mut q = format!("size={PAGE_SIZE}&page={}", page.get());
        if !actor.get().trim().is_empty() {
            q.push_str(&format!("&actor={}", encode(actor.get().trim())));
        }
        if !action.get().is_empty() {
            q.push_str(&format!("&action={}", encode(&action.get())));
        }
        q
    });
    let events = fetch(move || api::audit(&query.get()));
    let chain = fetch(api::audit_verify);
    let export = move |format: &str| {
        let q = query.get();
        let filters: String = q
            .split('&')
            .filter(|p| p.starts_with("actor=") || p.starts_with("action="))
            .map(|p| format!("&{p}"))
            .collect();
        format!("/api/v1/audit/export?format={format}{filters}")
    };
    view! {
        <section class="card">
            <h1>"Audit events"</h1>
            <p data-testid="chain">
                <Suspense fallback=|| "Checking the chain…">
                    {move || chain.get().map(|c| match c {
                        Ok(c) if c.valid => view! { <span class="ok">{chain_verified(&c)}</span> }.into_any(),
                        Ok(c) => {
                            let mut problems: Vec<String> = c.errors.iter().map(|e| e.message.clone()).collect();
                            if c.forged_checkpoints > 0 {
                                problems.push(format!("{} checkpoints are not signed by this server's key.", c.forged_checkpoints));
                            }
                            view! {
                                <span class="error" role="alert">{format!("The audit log was altered ({} events checked):", c.checked)}</span>
                                <ul class="problems">{problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                            }.into_any()
                        }
                        Err(e) => view! { <span class="error">{e.body.message}</span> }.into_any(),
                    })}
                </Suspense>
            </p>
            <form class="filters" on:submit=move |ev| ev.prevent_default()>
                <label for="audit-actor">"Actor"</label>
                <input id="audit-actor" type="search" placeholder="e-mail or system" prop:value=move || actor.get()
                    on:change=move |ev| { page.set(0); actor.set(event_target_value(&ev)); }/>
                <label for="audit-action">"Action"</label>
                <select id="audit-action" on:change=move |ev| { page.set(0); action.set(event_target_value(&ev)); }>
                    <option value="">"Any"</option>
                    {AuditAction::ALL.iter().map(|a| view! { <option value=a.as_str()>{a.as_str()}</option> }).collect_view()}
                </select>
            </form>
            <p>
                <a href=move || export("csv") download="interim-audit.csv">"Export CSV"</a>" · "
                <a href=move || export("json") download="interim-audit.json">"Export JSON"</a>
            </p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading events…"</p> }>
                {move || events.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="empty">"No events match."</p> }.into_any(),
                    Ok(p) => {
                        let total = p.total;
                        view! {
                            <table data-testid="audit">
                                <thead><tr><th scope="col">"#"</th><th scope="col">"Time"</th><th scope="col">"Actor"</th><th scope="col">"Action"</th><th scope="col">"Target"</th><th scope="col">"Details"</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{e.seq}</td>
                                            <td><time datetime=interim_policy::time::format_instant(e.time)>{crate::form::wall_clock(e.time.with_timezone(&Local).naive_local(), ' ', true)}</time></td>
                                            <td>{e.actor}</td>
                                            <td>{e.action.as_str()}</td>
                                            <td>{e.target}</td>
                                            <td><code>{interim_policy::audit::canonical_json(&e.details)}</code>{e.reason.map(|r| format!(" — {r}"))}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <nav class="pager" aria-label="Pages">
                                <button class="secondary" disabled=move || page.get() == 0 on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button>
                                <span>{move || format!(" Page {} of {} ", page.get() + 1, ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1))}</span>
                                <button class="secondary" disabled=move || { (page.get() + 1) * PAGE_SIZE >= total } on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                            </nav>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Hash chain verified", with what the signed checkpoints vouch for.
fn chain_verified(c: &interim_policy::answer::ChainCheck) -> String {
    match &c.latest_checkpoint {
        Some(cp) => format!(
            "Hash chain verified: {} events, none altered; {} signed checkpoints, the latest vouching for {} events.",
            c.checked, c.checkpoints, cp.count
        ),
        None => format!("Hash chain verified: {} events, none altered.", c.checked),
    }
}
