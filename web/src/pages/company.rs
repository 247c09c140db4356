//! Name & plan: the company's name (an admin renames it, checked as it is
//! typed), what the plan allows, and what the company holds against it.

use interim_policy::answer::{Settings, Usage};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::company::validate_company_name;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::{FieldErrors, Session, api, fetch};

#[component]
pub fn Company() -> impl IntoView {
    let settings = fetch(api::settings);
    view! {
        <section class="card">
            <h1>"Name & plan"</h1>
            {crate::loaded(settings, move |s: Settings| view! {
                <NameForm settings=s.clone()/>
                <h2>"In use"</h2>
                <Counts usage=s.usage max_grants=s.limits.max_active_grants/>
                <h2>"Plan"</h2>
                <p>"Interim, self-hosted: every feature, with these limits (an admin may tighten them under Settings)."</p>
                <dl class="facts" data-testid="plan">
                    <dt>"People per grant"</dt><dd>{s.limits.max_users_per_grant}</dd>
                    <dt>"Agent pools per grant"</dt><dd>{s.limits.max_pools_per_grant}</dd>
                    <dt>"Longest grant"</dt><dd>{format!("{} days", s.limits.max_grant_days)}</dd>
                    <dt>"Active grants at once"</dt><dd>{s.limits.max_active_grants}</dd>
                </dl>
            }.into_any())}
        </section>
    }
}

/// The counts people care about, each with where to act on it.
#[component]
fn Counts(usage: Usage, max_grants: u32) -> impl IntoView {
    let full = usage.active_grants >= max_grants;
    view! {
        <ul class="counts" data-testid="usage">
            <li><a href="/users"><strong>{usage.users}</strong>" people"</a>
                <span class="sub">{format!("{} can sign in", usage.enabled_users)}</span></li>
            <li><a href="/pools"><strong>{usage.agent_pools}</strong>" agent pools"</a>
                <span class="sub">{format!("{} access groups", usage.access_groups)}</span></li>
            <li data-testid="active-grants"><a href="/"><strong>{usage.active_grants}</strong>{format!(" of {max_grants} active grants")}</a>
                <meter min="0" max=max_grants value=usage.active_grants high=max_grants.saturating_mul(9) / 10 aria-label="Active grants against the limit"></meter>
                {full.then(|| view! { <span class="sub error">"At the limit: a new grant waits until one ends or is deleted."</span> })}</li>
            <li><a href="/reviews"><strong>{usage.pending_requests}</strong>" pending requests"</a>
                <span class="sub">"waiting for a reviewer"</span></li>
        </ul>
    }
}

#[component]
fn NameForm(settings: Settings) -> impl IntoView {
    let session = expect_context::<Session>();
    let may_change = move || session.may(Operation::Organization, Access::Change);
    let name = RwSignal::new(settings.company_name.clone());
    let saved = RwSignal::new(settings.company_name.clone());
    let refusal = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let problems = move || match validate_company_name(&name.get()) {
        Ok(_) => Vec::new(),
        Err(v) => v.into_iter().map(|v| v.message).collect(),
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(valid) = validate_company_name(&name.get_untracked()) else {
            return;
        };
        spawn_local(async move {
            match api::rename_company(&valid).await {
                Ok(s) => {
                    saved.set(s.company_name.clone());
                    name.set(s.company_name);
                    refusal.set(None);
                    done.set(true);
                }
                Err(e) => refusal.set(Some(e.body.message)),
            }
        });
    };
    let id = settings.company_id.clone();
    view! {
        <Show when=may_change fallback=move || view! {
            <p class="big" data-testid="company-name">{move || if saved.get().is_empty() { "No name yet".to_owned() } else { saved.get() }}</p>
            <p class="hint">"Only a Company Admin renames the company."</p>
        }>
            <form on:submit=submit novalidate data-testid="name-form">
                <label for="company-name">"Company name"</label>
                <input id="company-name" data-testid="company-name-input" aria-describedby="company-name-errors"
                    aria-invalid=move || (!problems().is_empty()).to_string()
                    prop:value=move || name.get() on:input=move |ev| { done.set(false); name.set(event_target_value(&ev)); }/>
                <FieldErrors id="company-name-errors" messages=Signal::derive(problems)/>
                {move || refusal.get().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                <button type="submit" data-testid="save-name"
                    disabled=move || !problems().is_empty() || name.get().trim() == saved.get()
                    title=move || if !problems().is_empty() { Some("Correct what the form marks first.") } else if name.get().trim() == saved.get() { Some("The name is as saved: change it first.") } else { None }>"Save name"</button>
                <span class="ok" role="status">{move || done.get().then_some(" Saved.")}</span>
            </form>
        </Show>
        <p class="hint">"Company id (in the API's paths): " <code>{id}</code></p>
    }
}
