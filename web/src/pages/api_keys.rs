//! API keys: the live keys with their scopes, expiry and last use; a new
//! key (label, scopes, life) checked by the policy as it is typed, its
//! secret shown once with a copy button; revoke with confirm.

use chrono::Utc;
use interim_policy::answer::{ApiKey, ApiKeys, NewApiKey};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::key_scope::{KeyScope, plan_new_key};
use interim_policy::time::parse_instant;
use interim_policy::user::MAX_API_KEY_DAYS;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::{messages_for, summarize};
use crate::secret::ShownOnce;
use crate::when::{When, ZoneNote};
use crate::{FieldErrors, Session, api, fetch};

/// What each scope reaches, in the words of the pages it opens.
fn reaches(scope: KeyScope) -> &'static str {
    match scope {
        KeyScope::Company => "users, access groups, API keys, settings and reports",
        KeyScope::Dev => "temporary access, agent pools and access requests",
        KeyScope::Security => "the audit log",
        KeyScope::CrossCompany => "kept for the vendor's clients; no call of Interim needs it",
    }
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let company = move || session.company.get().map(|c| c.company_id.clone());
    let keys = fetch(move || {
        reload.track();
        api::api_keys(&company().unwrap_or_default())
    });
    let may_change = move || session.may(Operation::ApiKeys, Access::Change);
    let secret = RwSignal::new(None::<NewApiKey>);
    view! {
        <section class="card">
            <h1>"API keys"</h1>
            <p class="hint">"A key acts as the person who created it — never with more than their roles allow — and reaches only the parts of the API its scopes name, until it expires or is revoked."</p>
            {move || secret.get().map(|k| view! { <SecretNotice key=k secret=secret/> })}
            <Show when=may_change fallback=|| view! {
                <p class="hint" data-testid="read-only">"You may see the keys; creating and revoking them needs write access to API keys (Company Admin)."</p>
            }>
                <NewKeyForm on_created=move |k| { secret.set(Some(k)); reload.update(|n| *n += 1); }/>
            </Show>
            <h2>"Live keys"</h2>
            <ZoneNote/>
            {crate::loaded(keys, move |list: ApiKeys| {
                if list.items.is_empty() {
                    return view! { <p class="empty" data-testid="empty">"No live API keys. A script or another tool needs one to call the API."</p> }.into_any();
                }
                view! {
                    <table class="stack" data-testid="api-keys">
                        <thead><tr><th scope="col">"Label"</th><th scope="col">"Scopes"</th><th scope="col">"Created by"</th>
                            <th scope="col">"Created"</th><th scope="col">"Expires"</th><th scope="col">"Last used"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{list.items.into_iter().map(|k| view! { <KeyRow key=k reload=reload may_change=may_change()/> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn SecretNotice(key: NewApiKey, secret: RwSignal<Option<NewApiKey>>) -> impl IntoView {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    let example = format!(
        "curl -H 'Authorization: Bearer {}' {origin}/api/v1/temp-access",
        key.api_key
    );
    view! {
        <ShownOnce id="api-key" label="API key" value=key.api_key.clone() copy_label="Copy key"
            done=Callback::new(move |()| secret.set(None))>
            <p>"Copy the key now: it is shown this once, and only its hash is kept. Use it as a bearer token, for example:"</p>
            <pre class="example"><code>{example}</code></pre>
        </ShownOnce>
    }
}

#[component]
fn KeyRow(key: ApiKey, reload: RwSignal<u32>, may_change: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let (id, label) = (key.id.clone(), key.label.clone());
    let revoke = move |_| {
        if !crate::confirmed(&format!(
            "Revoke the API key “{label}”? Whatever uses it is refused from now on."
        )) {
            return;
        }
        let (id, company) = (
            id.clone(),
            session
                .company
                .get_untracked()
                .map(|c| c.company_id.clone())
                .unwrap_or_default(),
        );
        spawn_local(async move {
            match api::revoke_api_key(&company, &id).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => error.set(Some(e.body.message)),
            }
        });
    };
    let company = session.company.get_untracked();
    let by = crate::names::person(company.as_deref(), &key.created_by);
    let at = |t: &str| parse_instant(t).map(|t| view! { <When at=t/> });
    view! {
        <tr data-testid="api-key-row" data-label=key.label.clone()>
            <td data-label="Label">{key.label.clone()}</td>
            <td data-label="Scopes">{key.scopes.join(", ")}</td>
            <td data-label="Created by">{by}</td>
            <td data-label="Created">{at(&key.created_date)}</td>
            <td data-label="Expires">{at(&key.expiration_date)}</td>
            <td data-label="Last used" data-testid="last-used">{match key.last_used_date.as_deref().and_then(parse_instant) {
                Some(t) => view! { <When at=t/> }.into_any(),
                None => view! { <span class="muted">"Never"</span> }.into_any(),
            }}</td>
            <td class="actions">
                {may_change.then(|| view! {
                    <button class="danger" data-testid="revoke" on:click=revoke.clone()
                        aria-label=format!("Revoke {}", key.label)>"Revoke"</button>
                })}
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </td>
        </tr>
    }
}

#[component]
fn NewKeyForm(on_created: impl Fn(NewApiKey) + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let label = RwSignal::new(String::new());
    let days = RwSignal::new("30".to_owned());
    let scopes = RwSignal::new(vec![KeyScope::Dev]);
    let touched = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The server's own rule, run here as it is typed.
    let verdict = Memo::new(move |_| {
        let names: Vec<&str> = scopes.get().iter().map(|s| s.wire_name()).collect();
        let typed = days.get();
        let n = typed.trim().parse::<i64>().ok();
        let label = label.get();
        plan_new_key(Some(label.trim()), n, &names, None, Utc::now())
            .err()
            .unwrap_or_default()
    });
    let shown = move |field: &'static str| {
        if touched.get() {
            messages_for(&verdict.get(), field)
        } else {
            Vec::new()
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !verdict.get_untracked().is_empty() || scopes.with_untracked(Vec::is_empty) {
            return;
        }
        busy.set(true);
        let company = session
            .company
            .get_untracked()
            .map(|c| c.company_id.clone())
            .unwrap_or_default();
        let (l, d) = (
            label.get_untracked().trim().to_owned(),
            days.get_untracked().trim().to_owned(),
        );
        let s: Vec<&'static str> = scopes
            .get_untracked()
            .iter()
            .map(|s| s.wire_name())
            .collect();
        spawn_local(async move {
            match api::create_api_key(&company, &l, &d, &s).await {
                Ok(k) => {
                    label.set(String::new());
                    touched.set(false);
                    refusal.set(None);
                    on_created(k);
                }
                Err(e) => refusal.set(Some(e.body.message)),
            }
            busy.set(false);
        });
    };
    let toggle = move |scope: KeyScope| {
        move |_| {
            touched.set(true);
            scopes.update(|s| match s.iter().position(|x| *x == scope) {
                Some(i) => {
                    s.remove(i);
                }
                None => s.push(scope),
            });
        }
    };
    view! {
        <form class="panel" data-testid="new-key" on:submit=submit novalidate>
            <h2>"New API key"</h2>
            <label for="key-label">"Label"</label>
            <input id="key-label" data-testid="key-label" aria-describedby="key-label-errors"
                aria-invalid=move || (!shown("label").is_empty()).to_string()
                prop:value=move || label.get() on:input=move |ev| { touched.set(true); label.set(event_target_value(&ev)); }/>
            <FieldErrors id="key-label-errors" messages=Signal::derive(move || summarize(shown("label"), 4))/>
            <fieldset>
                <legend>"Scopes"</legend>
                {KeyScope::ALL.into_iter().map(|s| view! {
                    <label class="choice block">
                        <input type="checkbox" data-testid=format!("scope-{}", s.wire_name()) prop:checked=move || scopes.with(|x| x.contains(&s)) on:change=toggle(s)/>
                        <strong>{s.wire_name()}</strong> <span class="hint">{reaches(s)}</span>
                    </label>
                }).collect_view()}
                <FieldErrors id="key-scope-errors" messages=Signal::derive(move || {
                    if touched.get() && scopes.with(Vec::is_empty) { vec!["choose at least one scope".to_owned()] } else { Vec::new() }
                })/>
            </fieldset>
            <label for="key-days">"Expires after " <span class="hint">{format!("(days, 1 to {MAX_API_KEY_DAYS})")}</span></label>
            <div>
            <input id="key-days" type="number" min="1" max=MAX_API_KEY_DAYS data-testid="key-days" aria-describedby="key-days-errors"
                aria-invalid=move || (!shown("expirationDays").is_empty()).to_string()
                prop:value=move || days.get() on:input=move |ev| { touched.set(true); days.set(event_target_value(&ev)); }/>
            <FieldErrors id="key-days-errors" messages=Signal::derive(move || summarize(shown("expirationDays"), 4))/>
            </div>
            {move || refusal.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            <button type="submit" data-testid="create-key"
                disabled=move || busy.get() || (touched.get() && (!verdict.get().is_empty() || scopes.with(Vec::is_empty)))
                title=move || (touched.get() && (!verdict.get().is_empty() || scopes.with(Vec::is_empty))).then_some("Correct what the form marks first.")>"Create key"</button>
        </form>
    }
}
