//! The form that grants temporary access or replaces a grant, checked by
//! the policy on every keystroke (no request until it is sent).

use chrono::Utc;
use interim_policy::grant::{GrantContext, can_manage_grant, validate_grant_form};
use interim_policy::violation::Violation;
use interim_policy::wire::TempAccess;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::FieldErrors;
use crate::form::{Fields, form_messages, messages_for, summarize};
use crate::when::{local_input, local_to_utc};
use crate::{Session, api};

/// The form, shown while `open`; `on_created` hears of each grant made
/// (by its name), and the form closes.
#[component]
pub fn GrantForm(
    replacing: RwSignal<Option<TempAccess>>,
    open: RwSignal<bool>,
    on_created: impl Fn(String) + Copy + Send + Sync + 'static,
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
                Ok(made) => {
                    if replaced.is_some() {
                        replacing.set(None);
                    } else {
                        fields.set(blank());
                        touched.set(false);
                    }
                    server.set(Vec::new());
                    open.set(false);
                    on_created(made.name);
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
                let me = session.me.get().map(|m| m.email).unwrap_or_default();
                let now = Utc::now();
                c.pools()
                    .iter()
                    .filter(|p| {
                        q.is_empty()
                            || p.name.to_lowercase().contains(&q)
                            || p.id.to_lowercase().contains(&q)
                    })
                    .filter(|p| can_manage_grant(&c, &me, std::slice::from_ref(&p.id), now).is_ok())
                    .map(|p| (p.id.clone(), p.name.clone()))
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
                            <label class="choice" for=label_for title=id.clone()>
                                <input type="checkbox" id=input_id data-testid="pool" value=id.clone() prop:checked=checked on:change=toggle/>
                                {name}
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
                    <crate::PeopleList id="known-users" enabled_only=true/>
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
                disabled=move || busy.get() || !violations().is_empty()
                title=move || (!violations().is_empty()).then_some("Correct what the form marks first.")>
                {move || if replacing.with(Option::is_some) { "Replace grant" } else { "Grant access" }}
            </button>
            " "
            <button type="button" class="secondary" data-testid="cancel-form"
                on:click=move |_| { replacing.set(None); open.set(false); }>"Cancel"</button>
        </form>
    }
}
