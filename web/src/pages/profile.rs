//! My profile: who I am, what I can reach and until when, my password.

use interim_policy::decision::DecisionWire;
use interim_policy::snapshot::Snapshot;
use interim_policy::time::parse_instant;
use interim_policy::user::validate_password;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::when::{When, ZoneNote};
use crate::{FieldErrors, Session, api};

/// Who I am (name, e-mail, roles, access groups), what I may reach and
/// until when, each with its reason; my password; signing out.
#[component]
pub fn Profile() -> impl IntoView {
    let session = expect_context::<Session>();
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            session.me.set(None);
            session.company.set(None);
        });
    };
    view! {
        <section class="card">
            <div class="page-head">
                <h1>"Profile"</h1>
                <button class="secondary" data-testid="sign-out-profile" on:click=sign_out>"Sign out"</button>
            </div>
            {move || session.me.get().map(|me| {
                let company = session.company.get();
                let name = crate::names::person(company.as_deref(), &me.email);
                let p = me.permissions;
                view! {
                    <dl class="facts" data-testid="who-am-i">
                        <dt>"Name"</dt><dd data-testid="my-name">{name}</dd>
                        <dt>"E-mail"</dt><dd>{me.email.clone()}</dd>
                        <dt>"Roles"</dt><dd>{p.roles.iter().map(|r| {
                            let inert = p.inert_roles.contains(r);
                            format!("{}{}", r.display_name(), if inert { " (inert while RBAC is off)" } else { "" })
                        }).collect::<Vec<_>>().join(", ")}</dd>
                        <dt>"Access groups"</dt><dd data-testid="my-groups">{if me.groups.is_empty() { "None".to_owned() } else {
                            me.groups.iter().map(|g| if g.group_admin { format!("{} (group admin)", g.name) } else { g.name.clone() }).collect::<Vec<_>>().join(", ")
                        }}</dd>
                    </dl>
                    <h2>"Agent pools I can reach"</h2>
                    <ZoneNote/>
                    {if p.pools.is_empty() { view! { <p class="empty">"No pool access now. Ask for it under Requests."</p> }.into_any() } else { view! {
                        <table class="stack" data-testid="my-pools">
                            <thead><tr><th scope="col">"Agent pool"</th><th scope="col">"Level"</th><th scope="col">"Through"</th></tr></thead>
                            <tbody>{p.pools.iter().map(|pool| view! {
                                <tr>
                                    <th scope="row" data-label="Agent pool" title=pool.agent_pool_id.clone()>{crate::names::pool(company.as_deref(), &pool.agent_pool_id)}</th>
                                    <td data-label="Level">{pool.level.grant_name()}</td>
                                    <td data-label="Through"><ul class="plain names">{pool.sources.iter().map(|s| view! { <li>{source(company.as_deref(), s)}</li> }).collect_view()}</ul></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any() }}
                    <h2>"Categories"</h2>
                    <table class="stack">
                        <thead><tr><th scope="col">"Category"</th><th scope="col">"Level"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {p.categories.iter().map(|c| view! {
                                <tr>
                                    <th scope="row" data-label="Category">{c.category.display_name()}</th>
                                    <td data-label="Level">{match c.level.wire_name() { "WR" => "Read and write", "R" => "Read", _ => "None" }}</td>
                                    <td data-label="Why">{if c.from_roles.is_empty() { "No role of yours gives it".to_owned() } else {
                                        format!("From {}", c.from_roles.iter().map(|r| r.display_name()).collect::<Vec<_>>().join(", "))
                                    }}{(!c.scoped_pools.is_empty()).then(|| format!("; read and write on {}",
                                        c.scoped_pools.iter().map(|p| crate::names::pool(company.as_deref(), p)).collect::<Vec<_>>().join(", ")))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </section>
        <Show when=move || session.me.get().is_some_and(|me| me.credential == "session")>
            <PasswordChange/>
        </Show>
    }
}

/// Where one pool access comes from, in words, with its end as a time of
/// the browser's zone.
fn source(company: Option<&Snapshot>, s: &DecisionWire) -> AnyView {
    let group = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| company.and_then(|c| c.groups().iter().find(|g| g.id == id)))
            .map_or_else(
                || "an access group".to_owned(),
                |g| format!("the group {}", g.name),
            )
    };
    let grant = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| company.and_then(|c| c.grants().find(|g| g.wire.id == id)))
            .map_or_else(
                || "temporary access".to_owned(),
                |g| format!("the grant “{}”", g.wire.name),
            )
    };
    let what = match s.reason.as_str() {
        "allow.group" => format!("Member of {}", group(&s.group_id)),
        "allow.grant" => format!("Given by {}", grant(&s.grant_id)),
        "allow.request" => "An approved access request".to_owned(),
        "allow.rbac_off_standard" => "Every enabled user, while RBAC is off".to_owned(),
        _ => s.message.clone(),
    };
    let until = s.until.as_deref().and_then(parse_instant);
    view! { {what}{until.map(|t| view! { ", until " <When at=t/> })} }.into_any()
}

/// Changing my password: the current one, and the new one twice, checked
/// by the policy's rule as it is typed. My other sessions end.
#[component]
fn PasswordChange() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let rule = move || match validate_password(&new.get()) {
        Ok(()) => Vec::new(),
        Err(v) => v
            .into_iter()
            .map(|v| format!("The new password needs {}.", v.message))
            .collect(),
    };
    let differs = move || {
        if touched.get() && !repeat.get().is_empty() && repeat.get() != new.get() {
            vec!["The two new passwords differ.".to_owned()]
        } else {
            Vec::new()
        }
    };
    let ready = move || !current.get().is_empty() && rule().is_empty() && repeat.get() == new.get();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !ready() {
            return;
        }
        spawn_local(async move {
            match api::change_password(&current.get_untracked(), &new.get_untracked()).await {
                Ok(()) => {
                    done.set(true);
                    error.set(None);
                    for s in [current, new, repeat] {
                        s.set(String::new());
                    }
                    touched.set(false);
                }
                Err(e) => error.set(Some(e.body.message)),
            }
        });
    };
    let typed = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            touched.set(true);
            done.set(false);
            error.set(None);
            signal.set(event_target_value(&ev));
        }
    };
    view! {
        <section class="card">
            <h2>"Change password"</h2>
            <form on:submit=submit novalidate data-testid="password-form">
                <label for="current-password">"Current password"</label>
                <input id="current-password" type="password" autocomplete="current-password"
                    prop:value=move || current.get() on:input=typed(current)/>
                <label for="changed-password">"New password"</label>
                <input id="changed-password" type="password" autocomplete="new-password"
                    aria-describedby="changed-password-errors"
                    prop:value=move || new.get() on:input=typed(new)/>
                <FieldErrors id="changed-password-errors" messages=Signal::derive(move || if touched.get() { rule() } else { Vec::new() })/>
                <label for="changed-password-again">"The new password again"</label>
                <input id="changed-password-again" type="password" autocomplete="new-password"
                    aria-describedby="changed-password-again-errors"
                    prop:value=move || repeat.get() on:input=typed(repeat)/>
                <FieldErrors id="changed-password-again-errors" messages=Signal::derive(differs)/>
                <p class="error" role="alert">{move || error.get()}</p>
                <p class="ok" role="status">{move || done.get().then_some("Password changed. Your other sessions were signed out.")}</p>
                <button type="submit" data-testid="change-password" disabled=move || !ready()
                    title=move || (!ready()).then_some("Give the current password and a new one that meets the rule, twice.")>"Change password"</button>
            </form>
        </section>
    }
}
