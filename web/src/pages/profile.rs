use interim_policy::user::validate_password;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::{FieldErrors, Session, api};

/// My roles, groups and effective permissions, each with its reason.
#[component]
pub fn Profile() -> impl IntoView {
    let session = expect_context::<Session>();
    view! {
        <section class="card">
            <h1>"Profile"</h1>
            {move || session.me.get().map(|me| {
                let p = me.permissions;
                view! {
                    <p>{me.email.clone()}</p>
                    <h2>"Roles"</h2>
                    <ul>
                        {p.roles.iter().map(|r| {
                            let inert = p.inert_roles.contains(r);
                            view! { <li>{r.display_name()}{inert.then_some(" — inert while RBAC is off")}</li> }
                        }).collect_view()}
                    </ul>
                    <h2>"Categories"</h2>
                    <table>
                        <thead><tr><th scope="col">"Category"</th><th scope="col">"Level"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {p.categories.iter().map(|c| view! {
                                <tr>
                                    <th scope="row">{c.category.display_name()}</th>
                                    <td>{c.level.wire_name()}</td>
                                    <td>{if c.from_roles.is_empty() { "no role gives it".to_owned() } else {
                                        format!("from {}", c.from_roles.iter().map(|r| r.display_name()).collect::<Vec<_>>().join(", "))
                                    }}{(!c.scoped_pools.is_empty()).then(|| format!("; WR on {}", c.scoped_pools.join(", ")))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <h2>"Agent pools"</h2>
                    {if p.pools.is_empty() { view! { <p>"No pool access."</p> }.into_any() } else { view! {
                        <ul>
                            {p.pools.iter().map(|pool| view! {
                                <li>{pool.agent_pool_id.clone()}": "{pool.level.grant_name()}" — "
                                    {pool.sources.iter().map(|s| s.message.clone()).collect::<Vec<_>>().join("; ")}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any() }}
                }
            })}
        </section>
        <Show when=move || session.me.get().is_some_and(|me| me.credential == "session")>
            <PasswordChange/>
        </Show>
    }
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
                <button type="submit" data-testid="change-password" disabled=move || !ready()>"Change password"</button>
            </form>
        </section>
    }
}
