//! Users: list and search, create with role assignment (validated by the
//! policy as it is typed), enable and disable.

use chrono::Utc;
use interim_policy::Role;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::user::{UserInput, validate_new_user};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::{messages_for, summarize};
use crate::{Session, api};

#[component]
pub fn Users() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let users = LocalResource::new(move || {
        reload.track();
        api::users()
    });
    let search = RwSignal::new(String::new());
    let may_change = move || session.may(Operation::Users, Access::Change);
    let _ = Utc::now();
    view! {
        <section class="card">
            <h1>"Users"</h1>
            <Show when=may_change>
                <NewUser on_created=move || { reload.update(|n| *n += 1); session.refresh(); }/>
            </Show>
            <h2>"All users"</h2>
            <label for="user-filter">"Search"</label>
            <input id="user-filter" type="search" placeholder="Name or e-mail" data-testid="user-filter"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading users…"</p> }>
                {move || users.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.message}</p> }.into_any(),
                    Ok(page) => {
                        let q = search.get().to_lowercase();
                        let rows: Vec<api::User> = page.items.into_iter().filter(|u| {
                            q.is_empty() || u.email.to_lowercase().contains(&q) || format!("{} {}", u.first_name, u.last_name).to_lowercase().contains(&q)
                        }).collect();
                        if rows.is_empty() {
                            return view! { <p class="empty">"No users match."</p> }.into_any();
                        }
                        view! {
                            <table data-testid="users-table">
                                <thead><tr><th scope="col">"E-mail"</th><th scope="col">"Name"</th><th scope="col">"Roles"</th><th scope="col">"Status"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|u| {
                                        let (email, enabled) = (u.email.clone(), u.enabled);
                                        let label = format!("{} {}", if enabled { "Disable" } else { "Enable" }, u.email);
                                        let toggle = move |_| {
                                            let email = email.clone();
                                            spawn_local(async move {
                                                if api::set_enabled(&email, !enabled).await.is_ok() {
                                                    reload.update(|n| *n += 1);
                                                }
                                            });
                                        };
                                        view! {
                                            <tr data-testid="user-row" data-email=u.email.clone()>
                                                <td>{u.email.clone()}</td>
                                                <td>{format!("{} {}", u.first_name, u.last_name)}</td>
                                                <td>{u.roles.iter().map(|r| {
                                                    let inert = u.inert_roles.contains(r);
                                                    format!("{}{}", r.display_name(), if inert { " (inert: RBAC is off)" } else { "" })
                                                }).collect::<Vec<_>>().join(", ")}</td>
                                                <td>{if u.enabled { "enabled" } else { "disabled" }}</td>
                                                <td>
                                                    <Show when=may_change>
                                                        <button class="secondary" on:click=toggle.clone()
                                                            aria-label=label.clone()>
                                                            {if enabled { "Disable" } else { "Enable" }}
                                                        </button>
                                                    </Show>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewUser(on_created: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let input = RwSignal::new(UserInput {
        email: Some(String::new()),
        first_name: Some(String::new()),
        last_name: Some(String::new()),
        roles: Some(vec![Role::Developer]),
        password: None,
    });
    let touched = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let rbac = move || session.company.get().is_some_and(|c| c.rbac_enabled);
    let verdict = Memo::new(move |_| {
        let company = session.company.get()?;
        Some(validate_new_user(Some(&company), &input.get()))
    });
    let problems = move |field: &'static str| {
        if touched.get() {
            summarize(
                messages_for(
                    &verdict.get().and_then(|r| r.err()).unwrap_or_default(),
                    field,
                ),
                4,
            )
        } else {
            Vec::new()
        }
    };
    let text = move |f: fn(&mut UserInput, String)| {
        move |ev: leptos::ev::Event| {
            touched.set(true);
            server_error.set(None);
            let v = event_target_value(&ev);
            input.update(|i| f(i, v));
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !matches!(verdict.get_untracked(), Some(Ok(_))) {
            return;
        }
        spawn_local(async move {
            match api::create_user(&input.get_untracked()).await {
                Ok(_) => {
                    input.set(UserInput {
                        email: Some(String::new()),
                        first_name: Some(String::new()),
                        last_name: Some(String::new()),
                        roles: Some(vec![Role::Developer]),
                        password: None,
                    });
                    touched.set(false);
                    on_created();
                }
                Err(e) => server_error.set(Some(e.message)),
            }
        });
    };
    view! {
        <form class="user-form" data-testid="user-form" on:submit=submit novalidate>
            <h2>"New user"</h2>
            {[("email", "E-mail", "email", (|i: &mut UserInput, v| i.email = Some(v)) as fn(&mut UserInput, String), (|i: &UserInput| i.email.clone().unwrap_or_default()) as fn(&UserInput) -> String),
              ("firstName", "First name", "text", |i, v| i.first_name = Some(v), |i| i.first_name.clone().unwrap_or_default()),
              ("lastName", "Last name", "text", |i, v| i.last_name = Some(v), |i| i.last_name.clone().unwrap_or_default())]
                .into_iter().map(|(field, label, kind, set, get)| {
                    let id = format!("user-{field}");
                    let errors_id = format!("user-{field}-errors");
                    view! {
                        <div class="field">
                            <label for=id.clone()>{label}</label>
                            <input id=id type=kind aria-describedby=errors_id.clone() prop:value=move || get(&input.get()) on:input=text(set)/>
                            <ul id=errors_id class="field-errors">{move || problems(field).into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                        </div>
                    }
                }).collect_view()}
            <fieldset class="field" aria-describedby="user-roles-errors">
                <legend>"Roles"</legend>
                {Role::ALL.into_iter().map(|role| {
                    let id = format!("role-{}", role.wire_name());
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id value=role.wire_name()
                                disabled=move || role.rbac_only() && !rbac()
                                prop:checked=move || input.get().roles.unwrap_or_default().contains(&role)
                                on:change=move |_| {
                                    touched.set(true);
                                    input.update(|i| {
                                        let roles = i.roles.get_or_insert_with(Vec::new);
                                        if let Some(p) = roles.iter().position(|r| *r == role) { roles.remove(p); } else { roles.push(role); }
                                    });
                                }/>
                            {role.display_name()}
                            {(role.rbac_only()).then(|| view! { <span class="badge">"RBAC only"</span> })}
                        </label>
                    }
                }).collect_view()}
                <ul id="user-roles-errors" class="field-errors">{move || problems("roles").into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
            </fieldset>
            <p class="error" role="alert">{move || server_error.get()}</p>
            <button type="submit" data-testid="create-user" disabled=move || !matches!(verdict.get(), Some(Ok(_)))>"Create user"</button>
        </form>
    }
}
