//! Users: list and search, create and edit with role assignment (validated
//! by the policy as it is typed), enable and disable, and the legacy import
//! with its preview computed in the browser by the policy's migration.

use interim_policy::Role;
use interim_policy::answer::{Page, User};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::legacy::preview_migration;
use interim_policy::parse::from_json_str;
use interim_policy::user::{UserInput, validate_new_user, validate_user_update};
use interim_policy::wire::LegacyUserWire;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::{messages_for, summarize};
use crate::list::{Pager, SearchBox, page_of};
use crate::secret::ShownOnce;
use crate::{FieldErrors, Session, api, fetch};

/// Rows on one page of the list.
const PAGE: usize = 25;

fn full_name(u: &User) -> String {
    format!("{} {}", u.first_name, u.last_name)
        .trim()
        .to_owned()
}

#[component]
pub fn Users() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let users = fetch(move || {
        reload.track();
        api::users()
    });
    let search = RwSignal::new(String::new());
    let sort = RwSignal::new("name".to_owned());
    let page = RwSignal::new(0usize);
    // The user whose roles and name are being edited, if any.
    let editing = RwSignal::new(None::<User>);
    let open = RwSignal::new(false);
    // A one-time activation link just made: (whose, the link).
    let link = RwSignal::new(None::<(String, String)>);
    let may_change = move || session.may(Operation::Users, Access::Change);
    let changed = move || {
        open.set(false);
        reload.update(|n| *n += 1);
        session.refresh();
    };
    let shown = move |all: Vec<User>| {
        let q = search.get().trim().to_lowercase();
        let mut rows: Vec<User> = all
            .into_iter()
            .filter(|u| {
                q.is_empty()
                    || u.email.to_lowercase().contains(&q)
                    || full_name(u).to_lowercase().contains(&q)
            })
            .collect();
        match sort.get().as_str() {
            "email" => rows.sort_by_key(|u| u.email.to_lowercase()),
            "disabled" => rows.sort_by_key(|u| (u.enabled, full_name(u).to_lowercase())),
            _ => rows.sort_by_key(|u| full_name(u).to_lowercase()),
        }
        rows
    };
    view! {
        <section class="card">
            <div class="page-head">
                <h1>"Users"</h1>
                <Show when=may_change>
                    <button data-testid="open-user-form" aria-expanded=move || open.get().to_string()
                        on:click=move |_| { editing.set(None); open.set(true); request_animation_frame(|| crate::focus("user-email")); }>"Add user"</button>
                </Show>
            </div>
            {move || link.get().map(|(email, url)| view! { <LinkNotice email=email url=url link=link/> })}
            <Show when=move || may_change() && (open.get() || editing.with(Option::is_some))>
                <div class="panel">
                    <UserForm editing=editing on_saved=changed link=link/>
                    <button type="button" class="secondary" on:click=move |_| { editing.set(None); open.set(false); }>"Close"</button>
                </div>
            </Show>
            <div class="toolbar">
                <SearchBox id="user-filter" label="Search users" placeholder="Name or e-mail" query=search page=page/>
                <label class="inline" for="user-sort">"Sort"
                    <select id="user-sort" on:change=move |ev| { sort.set(event_target_value(&ev)); page.set(0); } prop:value=move || sort.get()>
                        <option value="name">"Name"</option>
                        <option value="email">"E-mail"</option>
                        <option value="disabled">"Disabled first"</option>
                    </select>
                </label>
            </div>
            {crate::loaded(users, move |all: Page<User>| {
                let rows = shown(all.items);
                if rows.is_empty() {
                    return view! { <p class="empty">"No user matches: clear the search, or add the person with “Add user”."</p> }.into_any();
                }
                let total = rows.len();
                view! {
                    <table data-testid="users-table">
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Roles"</th><th scope="col">"Status"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {page_of(rows, page.get(), PAGE).into_iter().map(|u| view! { <UserRow user=u editing=editing reload=reload link=link/> }).collect_view()}
                        </tbody>
                    </table>
                    <Pager page=page total=total size=PAGE/>
                }.into_any()
            })}
        </section>
        <Show when=may_change>
            <Import on_imported=changed/>
        </Show>
    }
}

/// A one-time activation link, shown once: the admin copies it and sends
/// it to the person, or has the server e-mail a new one to them.
#[component]
fn LinkNotice(
    email: String,
    url: String,
    link: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let days = interim_policy::limits::ACTIVATION_LINK_DAYS;
    let sent = RwSignal::new(None::<Result<(), String>>);
    let whom = StoredValue::new(email);
    let mail = move |_| {
        let to = whom.get_value();
        spawn_local(async move {
            sent.set(Some(match api::activation_link(&to, true).await {
                Ok(made) if made.emailed => Ok(()),
                Ok(_) => Err("The link was not e-mailed.".to_owned()),
                Err(e) => Err(e.body.message),
            }));
        });
    };
    view! {
        <Show when=move || sent.get().is_none_or(|s| s.is_err())
            fallback=move || view! {
                <p class="notice" role="status" data-testid="link-emailed">"A new link is on its way to the person's mailbox; the link shown before no longer works."
                    " " <button type="button" class="secondary" on:click=move |_| link.set(None)>"Done"</button></p>
            }>
            <ShownOnce id="activation-link" label="Activation link" value=url.clone() copy_label="Copy link"
                done=Callback::new(move |()| link.set(None))>
                <p>
                    "Send this link to " <strong>{whom.get_value()}</strong>
                    {format!(": they choose their password with it. It works once, for {days} days, and is not shown again.")}
                    " " <button type="button" class="secondary" data-testid="email-link" on:click=mail>"E-mail a link instead"</button>
                </p>
                {move || sent.get().and_then(Result::err).map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </ShownOnce>
        </Show>
    }
}

#[component]
fn UserRow(
    user: User,
    editing: RwSignal<Option<User>>,
    reload: RwSignal<u32>,
    link: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let may_change = move || session.may(Operation::Users, Access::Change);
    let error = RwSignal::new(None::<String>);
    let (email, enabled) = (user.email.clone(), user.enabled);
    let toggle = move |_| {
        let email = email.clone();
        spawn_local(async move {
            match api::set_enabled(&email, !enabled).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => error.set(Some(e.body.message)),
            }
        });
    };
    let roles = user
        .roles
        .iter()
        .map(|r| {
            let inert = user.inert_roles.contains(r);
            format!(
                "{}{}",
                r.display_name(),
                if inert { " (inert: RBAC is off)" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let edit = {
        let user = user.clone();
        move |_| {
            editing.set(Some(user.clone()));
            crate::focus("user-firstName");
        }
    };
    let relink = {
        let email = user.email.clone();
        move |_| {
            let email = email.clone();
            spawn_local(async move {
                match api::activation_link(&email, false).await {
                    Ok(made) => {
                        link.set(Some((made.email, made.activation_link)));
                        crate::focus("activation-link-value");
                    }
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let relink_label = format!("A new activation link for {}", user.email);
    let edit_label = format!("Edit {}", user.email);
    let toggle_label = format!(
        "{} {}",
        if enabled { "Disable" } else { "Enable" },
        user.email
    );
    view! {
        <tr data-testid="user-row" data-email=user.email.clone()>
            <td data-label="Name">{full_name(&user)}<span class="sub">{user.email.clone()}</span>
                <super::reports::ReportLinks by="user" id=user.email.clone() name=full_name(&user)/></td>
            <td data-label="Roles" data-testid="user-roles">{roles}</td>
            <td data-label="Status">{if user.enabled { "Can sign in" } else { "Disabled" }}</td>
            <td class="actions">
                <Show when=may_change>
                    <button class="secondary" data-testid="edit-user" on:click=edit.clone()
                        aria-label=edit_label.clone()>"Edit"</button>
                    " "
                    <button class="secondary" on:click=toggle.clone()
                        aria-label=toggle_label.clone()>
                        {if enabled { "Disable" } else { "Enable" }}
                    </button>
                    " "
                    <button class="secondary" data-testid="new-link" on:click=relink.clone()
                        aria-label=relink_label.clone() title="A one-time link with which the person sets a new password">
                        "New activation link"
                    </button>
                </Show>
                {move || error.get().map(|e| view! { <span class="error" role="alert">{e}</span> })}
            </td>
        </tr>
    }
}

/// A text input of the user form: field, label, input type, and how it
/// writes and reads the policy's `UserInput`.
type TextField = (
    &'static str,
    &'static str,
    &'static str,
    fn(&mut UserInput, String),
    fn(&UserInput) -> String,
);

fn blank_user() -> UserInput {
    UserInput {
        email: Some(String::new()),
        first_name: Some(String::new()),
        last_name: Some(String::new()),
        roles: Some(vec![Role::Developer]),
        password: None,
    }
}

/// Creating a user, or editing the one in `editing`: the same fields and
/// the policy's check for each case, as it is typed.
#[component]
fn UserForm(
    editing: RwSignal<Option<User>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
    link: RwSignal<Option<(String, String)>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let input = RwSignal::new(blank_user());
    let touched = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        server_error.set(None);
        match editing.get() {
            Some(u) => {
                input.set(UserInput {
                    email: Some(u.email),
                    first_name: Some(u.first_name),
                    last_name: Some(u.last_name),
                    roles: Some(u.roles),
                    password: None,
                });
                touched.set(true);
            }
            None => {
                input.set(blank_user());
                touched.set(false);
            }
        }
    });
    let edited = move || editing.with(|e| e.as_ref().map(|u| u.email.clone()));
    let rbac = move || session.company.get().is_some_and(|c| c.rbac_enabled);
    let verdict = Memo::new(move |_| {
        let company = session.company.get()?;
        Some(match edited() {
            None => validate_new_user(Some(&company), &input.get()).map(|_| ()),
            Some(email) => match company.user_idx(&email) {
                Some(u) => validate_user_update(&company, u, &input.get()).map(|_| ()),
                None => Ok(()),
            },
        })
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
        let target = edited();
        spawn_local(async move {
            let body = input.get_untracked();
            let answer = match &target {
                None => api::create_user(&body).await,
                Some(email) => {
                    let update = UserInput {
                        email: None,
                        ..body
                    };
                    api::update_user(email, &update).await
                }
            };
            match answer {
                Ok(user) => {
                    if let Some(url) = user.activation_link {
                        link.set(Some((user.email, url)));
                    }
                    if target.is_some() {
                        editing.set(None);
                    } else {
                        input.set(blank_user());
                        touched.set(false);
                    }
                    on_saved();
                }
                Err(e) => server_error.set(Some(e.body.message)),
            }
        });
    };
    let fields: [TextField; 3] = [
        (
            "email",
            "E-mail",
            "email",
            |i, v| i.email = Some(v),
            |i| i.email.clone().unwrap_or_default(),
        ),
        (
            "firstName",
            "First name",
            "text",
            |i, v| i.first_name = Some(v),
            |i| i.first_name.clone().unwrap_or_default(),
        ),
        (
            "lastName",
            "Last name",
            "text",
            |i, v| i.last_name = Some(v),
            |i| i.last_name.clone().unwrap_or_default(),
        ),
    ];
    view! {
        <form class="user-form" data-testid="user-form" on:submit=submit novalidate>
            <h2>{move || match edited() {
                Some(email) => format!("Edit {email}"),
                None => "New user".to_owned(),
            }}</h2>
            {fields.into_iter().map(|(field, label, kind, set, get)| {
                let id = format!("user-{field}");
                let errors_id = format!("user-{field}-errors");
                let locked = move || field == "email" && edited().is_some();
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <input id=id type=kind aria-describedby=errors_id.clone() prop:value=move || get(&input.get())
                            readonly=locked on:input=text(set)/>
                        <FieldErrors id=errors_id messages=Signal::derive(move || problems(field))/>
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
                                title=move || (role.rbac_only() && !rbac()).then_some("This role exists only with RBAC on (Settings).")
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
                <FieldErrors id="user-roles-errors" messages=Signal::derive(move || problems("roles"))/>
            </fieldset>
            <p class="error" role="alert">{move || server_error.get()}</p>
            <button type="submit" data-testid="save-user" disabled=move || !matches!(verdict.get(), Some(Ok(_)))
                title=move || (!matches!(verdict.get(), Some(Ok(_)))).then_some("Correct what the form marks first.")>
                {move || if edited().is_some() { "Save changes" } else { "Create user" }}
            </button>
            <Show when=move || edited().is_some()>
                " "
                <button type="button" class="secondary" data-testid="cancel-edit" on:click=move |_| editing.set(None)>"Cancel"</button>
            </Show>
        </form>
    }
}

/// The legacy import: a JSON file of legacy users, previewed by the policy
/// as it is pasted, written only when it has no problem.
#[component]
fn Import(on_imported: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let text = RwSignal::new(String::new());
    let server_error = RwSignal::new(None::<String>);
    let links = RwSignal::new(Vec::<interim_policy::answer::ActivationLink>::new());
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let parsed = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            return None;
        }
        Some(from_json_str::<Vec<LegacyUserWire>>(&t).map_err(|v| v.message))
    });
    let preview = Memo::new(move |_| {
        let entries = parsed.get()?.ok()?;
        let company = session.company.get()?;
        Some(preview_migration(&entries, Some(&company)))
    });
    let ready = move || {
        preview
            .get()
            .is_some_and(|p| p.errors.is_empty() && !p.users.is_empty())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(entries)) = parsed.get_untracked() else {
            return;
        };
        if !ready() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::import_users(&entries).await {
                Ok(made) => {
                    done.set(Some(format!("Imported {} users.", entries.len())));
                    links.set(made.activation_links);
                    text.set(String::new());
                    on_imported();
                }
                Err(e) => server_error.set(Some(e.body.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h1>"Import from the legacy role system"</h1>
            <form data-testid="import-form" on:submit=submit novalidate>
                <label for="import-json">"Legacy users " <span class="hint">"(JSON: "<code>"[{\"email\", \"firstName\", \"lastName\", \"legacyRoles\": [\"default_user\" | \"ROLE_MANAGER\"], \"groupAdminOf\": [group ids]}]"</code>")"</span></label>
                <textarea id="import-json" rows="6" data-testid="import-json" aria-describedby="import-json-errors"
                    prop:value=move || text.get()
                    on:input=move |ev| { done.set(None); server_error.set(None); text.set(event_target_value(&ev)); }></textarea>
                <FieldErrors id="import-json-errors" messages=Signal::derive(move || match parsed.get() {
                    Some(Err(m)) => vec![m],
                    _ => preview.get().map(|p| summarize(p.errors.into_iter().map(|v| format!("{}: {}", v.field, v.message)).collect(), 8)).unwrap_or_default(),
                })/>
                {move || preview.get().filter(|p| !p.users.is_empty()).map(|p| view! {
                    <table data-testid="import-preview">
                        <caption>"What the import will do"</caption>
                        <thead><tr><th scope="col">"E-mail"</th><th scope="col">"Action"</th><th scope="col">"Roles"</th><th scope="col">"Group admin of"</th></tr></thead>
                        <tbody>{p.users.into_iter().map(|u| view! {
                            <tr data-testid="import-row">
                                <td>{u.email}</td>
                                <td>{u.action}</td>
                                <td>{u.roles.iter().map(|r| format!("{}{}", r.display_name(), if u.inert_roles.contains(r) { " (inert: RBAC is off)" } else { "" })).collect::<Vec<_>>().join(", ")}</td>
                                <td>{u.group_admin_of.join(", ")}</td>
                            </tr>
                        }).collect_view()}</tbody>
                    </table>
                })}
                <p class="error" role="alert">{move || server_error.get()}</p>
                <p class="ok" role="status">{move || done.get()}</p>
                {move || (!links.with(Vec::is_empty)).then(|| view! {
                    <div class="notice" data-testid="import-links">
                        <p>{format!("Send each new person their link: they choose their password with it. Each works once, for {} days, and is not shown again.", interim_policy::limits::ACTIVATION_LINK_DAYS)}</p>
                        <table>
                            <thead><tr><th scope="col">"Person"</th><th scope="col">"Activation link"</th></tr></thead>
                            <tbody>{links.get().into_iter().map(|l| view! {
                                <tr data-testid="import-link" data-email=l.email.clone()>
                                    <td data-label="Person">{l.email.clone()}</td>
                                    <td data-label="Activation link"><input type="text" readonly prop:value=l.activation_link.clone()
                                        aria-label=format!("Activation link for {}", l.email)/></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                        <button type="button" class="secondary" on:click=move |_| links.set(Vec::new())>"Done"</button>
                    </div>
                })}
                <button type="submit" data-testid="import" disabled=move || busy.get() || !ready()
                    title=move || (!ready()).then_some("Paste a file the preview accepts first.")>"Import"</button>
            </form>
        </section>
    }
}
