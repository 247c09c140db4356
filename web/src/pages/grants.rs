//! Temporary access: the active grants with a live countdown, the create
//! form validated by the policy on every keystroke, delete with confirm,
//! and replace (the same form, filled with the grant it replaces).

use std::time::Duration;

use chrono::{Local, Utc};
use interim_policy::grant::{GrantContext, can_manage_grant, manages_grants, validate_grant_form};
use interim_policy::violation::Violation;
use interim_policy::wire::TempAccess;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::FieldErrors;
use crate::form::{Fields, countdown, form_messages, messages_for, summarize, wall_clock};
use crate::{Session, api, fetch};

/// The browser's time zone, named.
fn zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "local time".to_owned())
}

/// A `datetime-local` value (the browser's zone) as an RFC 3339 instant.
pub(crate) fn local_to_utc(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return None;
    }
    let d = js_sys::Date::new(&JsValue::from_str(value));
    if d.get_time().is_nan() {
        Some(value.to_owned())
    } else {
        Some(String::from(d.to_iso_string()))
    }
}

pub(crate) fn local(t: chrono::DateTime<Utc>) -> String {
    wall_clock(t.with_timezone(&Local).naive_local(), ' ', false)
}

/// An instant as a `datetime-local` value in the browser's zone.
fn local_input(t: chrono::DateTime<Utc>) -> String {
    wall_clock(t.with_timezone(&Local).naive_local(), 'T', false)
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
    let zone = zone();
    // The grant being replaced, if any: the form below fills with it.
    let replacing = RwSignal::new(None::<TempAccess>);
    view! {
        <section class="card">
            <h1>"Temporary access"</h1>
            <Show when=manages>
                <CreateForm replacing=replacing on_created=move || {
                    reload.update(|n| *n += 1);
                    session.refresh();
                }/>
            </Show>
            <h2>"Active grants"</h2>
            <p class="hint">"Times are in " {zone.clone()} "."</p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading grants…"</p> }>
                {move || grants.get().map(|answer| match answer {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! { <p class="empty">"No active grants."</p> }.into_any(),
                    Ok(page) => view! {
                        <table data-testid="grants">
                            <thead><tr>
                                <th scope="col">"Name"</th><th scope="col">"Role"</th><th scope="col">"Users"</th>
                                <th scope="col">"Agent pools"</th><th scope="col">"Expires"</th><th scope="col">"Ends in"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {page.items.into_iter().map(|g| view! { <GrantRow grant=g now_ms=now_ms reload=reload replacing=replacing/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn GrantRow(
    grant: TempAccess,
    now_ms: RwSignal<i64>,
    reload: RwSignal<u32>,
    replacing: RwSignal<Option<TempAccess>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let expires_ms = grant.expiration_date.timestamp_millis();
    let can_delete = match (session.me.get_untracked(), session.company.get_untracked()) {
        (Some(me), Some(c)) => {
            can_manage_grant(&c, &me.email, &grant.agent_pool_ids, Utc::now()).is_ok()
        }
        _ => false,
    };
    let error = RwSignal::new(None::<String>);
    let (id, name) = (grant.id.clone(), grant.name.clone());
    let original = grant.clone();
    let replace = move |_| {
        replacing.set(Some(original.clone()));
        crate::focus("grant-name");
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
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => error.set(Some(e.body.message)),
            }
        });
    };
    view! {
        <tr data-testid="grant-row" data-name=grant.name.clone()>
            <td>{grant.name.clone()}</td>
            <td>{grant.roles.iter().map(|r| r.0.grant_name()).collect::<Vec<_>>().join(", ")}</td>
            <td>{grant.user_emails.join(", ")}</td>
            <td>{grant.agent_pool_ids.join(", ")}</td>
            <td><time datetime=interim_policy::time::format_instant(grant.expiration_date)>{local(grant.expiration_date)}</time></td>
            <td data-testid="countdown" aria-live="off">{move || countdown(expires_ms - now_ms.get())}</td>
            <td>
                {can_delete.then(|| view! {
                    <button class="secondary" data-testid="replace" on:click=replace.clone()
                        aria-label=format!("Replace {}", grant.name)>"Replace"</button>
                    " "
                    <button class="danger" data-testid="delete" on:click=delete.clone()
                        aria-label=format!("Delete {}", grant.name)>"Delete"</button>
                })}
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </td>
        </tr>
    }
}

#[component]
fn CreateForm(
    replacing: RwSignal<Option<TempAccess>>,
    on_created: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let fields = RwSignal::new(Fields {
        role: "Standard".into(),
        kind: "days".into(),
        amount: "1".into(),
        ..Fields::default()
    });
    let touched = RwSignal::new(false);
    let server = RwSignal::new(Vec::<Violation>::new());
    let refusal = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pool_search = RwSignal::new(String::new());
    let custom_local = RwSignal::new(String::new());
    let user_search = RwSignal::new(String::new());
    let blank = || Fields {
        role: "Standard".into(),
        kind: "days".into(),
        amount: "1".into(),
        ..Fields::default()
    };
    // Choosing a grant to replace fills the form with it; cancelling empties it.
    Effect::new(move |_| {
        let next = replacing.get();
        server.set(Vec::new());
        refusal.set(None);
        match next {
            Some(g) => {
                custom_local.set(local_input(g.expiration_date));
                fields.set(Fields::from_grant(&g));
                touched.set(true);
            }
            None => {
                fields.set(blank());
                touched.set(false);
            }
        }
    });
    let replaced_id = move || replacing.with(|r| r.as_ref().map(|g| g.id.clone()));
    // The policy's verdict on every change: no network involved.
    let verdict = Memo::new(move |_| {
        let (me, company) = (session.me.get()?, session.company.get()?);
        let replaced = replaced_id();
        let ctx = GrantContext {
            snapshot: &company,
            actor: Some(&me.email),
            replacing: replaced.as_deref(),
        };
        Some(validate_grant_form(
            &fields.get().to_form(),
            Utc::now(),
            Some(&ctx),
        ))
    });
    let violations = move || {
        let mut v = verdict.get().and_then(|r| r.err()).unwrap_or_default();
        v.extend(server.get());
        v
    };
    let shown = move |field: &'static str| {
        if touched.get() {
            messages_for(&violations(), field)
        } else {
            Vec::new()
        }
    };
    let edit = move |f: fn(&mut Fields, String)| {
        move |ev: leptos::ev::Event| {
            touched.set(true);
            server.set(Vec::new());
            refusal.set(None);
            let value = event_target_value(&ev);
            fields.update(|x| f(x, value));
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        let Some(Ok(valid)) = verdict.get_untracked() else {
            return;
        };
        busy.set(true);
        let replaced = replacing.get_untracked().map(|g| g.id);
        spawn_local(async move {
            let answer = match &replaced {
                Some(id) => api::replace_grant(id, &valid.request).await,
                None => api::create_grant(&valid.request).await,
            };
            match answer {
                Ok(_) => {
                    if replaced.is_some() {
                        replacing.set(None);
                    } else {
                        fields.set(blank());
                        touched.set(false);
                    }
                    server.set(Vec::new());
                    on_created();
                }
                Err(e) => {
                    // The server's field errors are the policy's own codes;
                    // a refusal without fields is shown for the whole form.
                    let fields = e.violations();
                    if fields.is_empty() {
                        refusal.set(Some(e.body.message));
                    }
                    server.set(fields);
                }
            }
            busy.set(false);
        });
    };
    let pools = move || {
        let q = pool_search.get().to_lowercase();
        session
            .company
            .get()
            .map(|c| {
                c.pools()
                    .iter()
                    .filter(|p| {
                        q.is_empty()
                            || p.name.to_lowercase().contains(&q)
                            || p.id.to_lowercase().contains(&q)
                    })
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let user_options = move || {
        session
            .company
            .get()
            .map(|c| {
                c.users()
                    .iter()
                    .filter(|u| u.enabled)
                    .map(|u| u.email.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let invalid = move |field: &'static str| (!shown(field).is_empty()).to_string();
    view! {
        <form class="grant-form" data-testid="create-form" on:submit=submit novalidate>
            <h2>{move || match replacing.get() {
                Some(g) => format!("Replace “{}”", g.name),
                None => "New grant".to_owned(),
            }}</h2>
            <Show when=move || replacing.with(Option::is_some)>
                <p class="hint">"The grant is deleted and this one created in its place, at once: change what you need and save."</p>
            </Show>
            <div class="field">
                <label for="grant-name">"Name " <span class="hint">"(optional: a dated default name)"</span></label>
                <input id="grant-name" data-testid="name" aria-describedby="grant-name-errors" aria-invalid=move || invalid("name")
                    prop:value=move || fields.get().name on:input=edit(|f, v| f.name = v)/>
                <FieldErrors id="grant-name-errors" messages=Signal::derive(move || summarize(shown("name"), 8))/>
            </div>
            <div class="field">
                <label for="grant-role">"Role"</label>
                <select id="grant-role" data-testid="role" aria-describedby="grant-role-errors" on:change=edit(|f, v| f.role = v)
                    prop:value=move || fields.get().role>
                    <option value="Standard">"Standard"</option>
                    <option value="Privileged">"Privileged (ignores agent quotas)"</option>
                </select>
                <FieldErrors id="grant-role-errors" messages=Signal::derive(move || summarize(shown("role"), 8))/>
            </div>
            <fieldset class="field" aria-describedby="grant-pools-errors">
                <legend>"Agent pools"</legend>
                <label for="pool-search" class="sr-only">"Search agent pools"</label>
                <input id="pool-search" type="search" placeholder="Search pools" data-testid="pool-search"
                    prop:value=move || pool_search.get() on:input=move |ev| pool_search.set(event_target_value(&ev))/>
                <div class="choices">
                    {move || pools().into_iter().map(|(id, name)| {
                        let checked = { let id = id.clone(); move || fields.get().pools.contains(&id) };
                        let toggle = { let id = id.clone(); move |_| {
                            touched.set(true);
                            server.set(Vec::new());
                            fields.update(|f| if let Some(i) = f.pools.iter().position(|p| *p == id) { f.pools.remove(i); } else { f.pools.push(id.clone()); });
                        }};
                        let input_id = format!("pool-{id}");
                        let label_for = input_id.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input type="checkbox" id=input_id data-testid="pool" value=id.clone() prop:checked=checked on:change=toggle/>
                                {name}<span class="hint">" "{id}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
                <FieldErrors id="grant-pools-errors" messages=Signal::derive(move || summarize(shown("agentPoolIds"), 8))/>
            </fieldset>
            <div class="field">
                <label for="grant-users">"Users " <span class="hint">"(one e-mail per line)"</span></label>
                <textarea id="grant-users" data-testid="users" rows="4" aria-describedby="grant-users-errors"
                    aria-invalid=move || invalid("userEmails")
                    prop:value=move || fields.get().users on:input=edit(|f, v| f.users = v)></textarea>
                <div class="add-user">
                    <label for="user-search" class="sr-only">"Find a user to add"</label>
                    <input id="user-search" type="search" list="known-users" placeholder="Find a user" data-testid="user-search"
                        prop:value=move || user_search.get() on:input=move |ev| user_search.set(event_target_value(&ev))/>
                    <datalist id="known-users">{move || user_options().into_iter().map(|e| view! { <option value=e/> }).collect_view()}</datalist>
                    <button type="button" class="secondary" on:click=move |_| {
                        let email = user_search.get_untracked().trim().to_owned();
                        if !email.is_empty() {
                            touched.set(true);
                            fields.update(|f| {
                                if !f.users.is_empty() && !f.users.ends_with('\n') { f.users.push('\n'); }
                                f.users.push_str(&email);
                            });
                            user_search.set(String::new());
                        }
                    }>"Add"</button>
                </div>
                <FieldErrors id="grant-users-errors" messages=Signal::derive(move || summarize(shown("userEmails"), 8))/>
            </div>
            <fieldset class="field" aria-describedby="grant-expiry-errors">
                <legend>"Expires after"</legend>
                {["days", "hours", "custom"].into_iter().map(|kind| view! {
                    <label class="choice">
                        <input type="radio" name="expiry-kind" value=kind data-testid=format!("kind-{kind}")
                            prop:checked=move || fields.get().kind == kind
                            on:change=move |_| { touched.set(true); fields.update(|f| f.kind = kind.to_owned()); }/>
                        {match kind { "days" => "Days", "hours" => "Hours", _ => "A date and time" }}
                    </label>
                }).collect_view()}
                <Show when=move || fields.get().kind != "custom"
                    fallback=move || view! {
                        <label for="grant-at" class="sr-only">"Expiry date and time"</label>
                        <input id="grant-at" type="datetime-local" data-testid="custom" aria-describedby="grant-expiry-errors"
                            prop:value=move || custom_local.get()
                            on:input=move |ev| {
                                touched.set(true);
                                let v = event_target_value(&ev);
                                custom_local.set(v.clone());
                                fields.update(|f| f.custom = local_to_utc(&v));
                            }/>
                    }>
                    <label for="grant-amount" class="sr-only">"Number of days or hours"</label>
                    <input id="grant-amount" type="number" min="1" data-testid="amount" aria-describedby="grant-expiry-errors"
                        aria-invalid=move || invalid("expiry")
                        prop:value=move || fields.get().amount on:input=edit(|f, v| f.amount = v)/>
                </Show>
                <FieldErrors id="grant-expiry-errors" messages=Signal::derive(move || summarize([shown("expiryKind"), shown("expiry")].concat(), 8))/>
            </fieldset>
            <div class="field">
                <label for="grant-incident">"Incident id " <span class="hint">"(optional)"</span></label>
                <input id="grant-incident" aria-describedby="grant-incident-errors" prop:value=move || fields.get().incident
                    on:input=edit(|f, v| f.incident = v)/>
                <FieldErrors id="grant-incident-errors" messages=Signal::derive(move || summarize(shown("incidentId"), 8))/>
            </div>
            <ul class="field-errors" role="alert" data-testid="form-errors">
                {move || if touched.get() { form_messages(&violations()) } else { Vec::new() }.into_iter().chain(refusal.get()).map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
            <button type="submit" data-testid="create"
                disabled=move || busy.get() || !violations().is_empty()>
                {move || if replacing.with(Option::is_some) { "Replace grant" } else { "Grant access" }}
            </button>
            <Show when=move || replacing.with(Option::is_some)>
                " "
                <button type="button" class="secondary" data-testid="cancel-replace"
                    on:click=move |_| replacing.set(None)>"Cancel"</button>
            </Show>
        </form>
    }
}
