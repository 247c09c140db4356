//! Access groups: create and edit (name, agent pools, roles), delete, and
//! their members — add, remove, group admin, elevated roles. Every check is
//! the policy's, against the company snapshot, as it is typed.

use interim_policy::PoolLevel;
use interim_policy::answer::{Group, Member};
use interim_policy::catalogue::{Access, Operation};
use interim_policy::user::{GroupInput, validate_group, validate_member};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::messages_for;
use crate::{FieldErrors, Session, api, fetch};

fn blank_group() -> GroupInput {
    GroupInput {
        name: Some(String::new()),
        agent_pool_ids: Some(Vec::new()),
        roles: Some(vec![PoolLevel::Standard]),
    }
}

fn levels(roles: &[PoolLevel]) -> String {
    if roles.is_empty() {
        return "—".to_owned();
    }
    roles
        .iter()
        .map(|r| r.grant_name())
        .collect::<Vec<_>>()
        .join(", ")
}

fn toggle<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if let Some(p) = list.iter().position(|x| *x == item) {
        list.remove(p);
    } else {
        list.push(item);
    }
}

#[component]
pub fn Groups() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let groups = fetch(move || {
        reload.track();
        api::groups()
    });
    let editing = RwSignal::new(None::<Group>);
    let may_change = move || session.may(Operation::AccessGroups, Access::Change);
    let changed = move || {
        reload.update(|n| *n += 1);
        session.refresh();
    };
    view! {
        <section class="card">
            <h1>"Access groups"</h1>
            <Show when=may_change>
                <GroupForm editing=editing on_saved=changed/>
            </Show>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading groups…"</p> }>
                {move || groups.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(g) if g.items.is_empty() => view! { <p class="empty">"No access groups yet. A group gives its members access to its pools: create one above."</p> }.into_any(),
                    Ok(g) => g.items.into_iter().map(|group| view! {
                        <GroupCard group=group editing=editing on_changed=changed/>
                    }).collect_view().into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// Creating a group, or editing the one in `editing`.
#[component]
fn GroupForm(
    editing: RwSignal<Option<Group>>,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let input = RwSignal::new(blank_group());
    let touched = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        server_error.set(None);
        match editing.get() {
            Some(g) => {
                input.set(GroupInput {
                    name: Some(g.name),
                    agent_pool_ids: Some(g.agent_pool_ids),
                    roles: Some(g.roles),
                });
                touched.set(true);
            }
            None => {
                input.set(blank_group());
                touched.set(false);
            }
        }
    });
    let edited = move || editing.with(|g| g.as_ref().map(|g| g.id.clone()));
    let verdict = Memo::new(move |_| {
        let company = session.company.get()?;
        let id = edited();
        Some(validate_group(Some(&company), id.as_deref(), &input.get()).map(|_| ()))
    });
    let problems = move |field: &'static str| {
        if touched.get() {
            messages_for(
                &verdict.get().and_then(|r| r.err()).unwrap_or_default(),
                field,
            )
        } else {
            Vec::new()
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !matches!(verdict.get_untracked(), Some(Ok(_))) {
            return;
        }
        let id = edited();
        spawn_local(async move {
            let body = input.get_untracked();
            let answer = match &id {
                Some(id) => api::update_group(id, &body).await,
                None => api::create_group(&body).await,
            };
            match answer {
                Ok(_) => {
                    if id.is_some() {
                        editing.set(None);
                    } else {
                        input.set(blank_group());
                        touched.set(false);
                    }
                    on_saved();
                }
                Err(e) => server_error.set(Some(e.body.message)),
            }
        });
    };
    let pools = move || {
        session
            .company
            .get()
            .map(|c| {
                c.pools()
                    .iter()
                    .map(|p| (p.id.clone(), p.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <form data-testid="group-form" on:submit=submit novalidate>
            <h2>{move || match editing.get() {
                Some(g) => format!("Edit group “{}”", g.name),
                None => "New access group".to_owned(),
            }}</h2>
            <div class="field">
                <label for="group-name">"Name"</label>
                <input id="group-name" aria-describedby="group-name-errors"
                    prop:value=move || input.get().name.unwrap_or_default()
                    on:input=move |ev| { touched.set(true); server_error.set(None); let v = event_target_value(&ev); input.update(|i| i.name = Some(v)); }/>
                <FieldErrors id="group-name-errors" messages=Signal::derive(move || problems("name"))/>
            </div>
            <fieldset class="field" aria-describedby="group-pools-errors">
                <legend>"Agent pools"</legend>
                <div class="choices">
                    {move || pools().into_iter().map(|(id, name)| {
                        let input_id = format!("group-pool-{id}");
                        let label_for = input_id.clone();
                        let (a, b) = (id.clone(), id.clone());
                        view! {
                            <label class="choice" for=label_for>
                                <input type="checkbox" id=input_id data-testid="group-pool" value=id.clone()
                                    prop:checked=move || input.get().agent_pool_ids.unwrap_or_default().contains(&a)
                                    on:change=move |_| { touched.set(true); input.update(|i| toggle(i.agent_pool_ids.get_or_insert_with(Vec::new), b.clone())); }/>
                                {name}<span class="hint">" "{id}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
                <FieldErrors id="group-pools-errors" messages=Signal::derive(move || problems("agentPoolIds"))/>
            </fieldset>
            <fieldset class="field" aria-describedby="group-roles-errors">
                <legend>"Roles on these pools"</legend>
                {PoolLevel::ALL.into_iter().map(|level| {
                    let id = format!("group-role-{}", level.grant_name());
                    let label_for = id.clone();
                    view! {
                        <label class="choice" for=label_for>
                            <input type="checkbox" id=id
                                prop:checked=move || input.get().roles.unwrap_or_default().contains(&level)
                                on:change=move |_| { touched.set(true); input.update(|i| toggle(i.roles.get_or_insert_with(Vec::new), level)); }/>
                            {level.grant_name()}
                        </label>
                    }
                }).collect_view()}
                <FieldErrors id="group-roles-errors" messages=Signal::derive(move || problems("roles"))/>
            </fieldset>
            <p class="error" role="alert">{move || server_error.get()}</p>
            <button type="submit" data-testid="save-group" disabled=move || !matches!(verdict.get(), Some(Ok(_)))
                title=move || (!matches!(verdict.get(), Some(Ok(_)))).then_some("Correct what the form marks first.")>
                {move || if edited().is_some() { "Save group" } else { "Create group" }}
            </button>
            <Show when=move || edited().is_some()>
                " "
                <button type="button" class="secondary" on:click=move |_| editing.set(None)>"Cancel"</button>
            </Show>
        </form>
    }
}

/// One group: its settings, its members and what can be done to them.
#[component]
fn GroupCard(
    group: Group,
    editing: RwSignal<Option<Group>>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let may_change = move || session.may(Operation::AccessGroups, Access::Change);
    let managed = group.id.clone();
    let may_members = Memo::new(move |_| session.manages_members(&managed));
    let error = RwSignal::new(None::<String>);
    let new_member = RwSignal::new(String::new());
    let member_touched = RwSignal::new(false);
    let id = group.id.clone();
    let heading_id = format!("group-{}", group.id);
    // The policy says whether the address is a user of the company.
    let member_problem = Memo::new(move |_| {
        let email = new_member.get();
        let email = email.trim();
        if email.is_empty() {
            return Some("Type the e-mail of a user.".to_owned());
        }
        let company = session.company.get()?;
        validate_member(&company, email).err().map(|v| v.message)
    });
    let add = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            member_touched.set(true);
            if member_problem.get_untracked().is_some() {
                return;
            }
            let (id, email) = (id.clone(), new_member.get_untracked().trim().to_owned());
            spawn_local(async move {
                match api::add_member(&id, &email).await {
                    Ok(()) => {
                        new_member.set(String::new());
                        member_touched.set(false);
                        on_changed();
                    }
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let remove_group = {
        let (id, name) = (id.clone(), group.name.clone());
        move |_| {
            if !crate::confirmed(&format!(
                "Delete the group “{name}”? Its members lose the access it gives."
            )) {
                return;
            }
            let id = id.clone();
            spawn_local(async move {
                match api::delete_group(&id).await {
                    Ok(()) => on_changed(),
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let edit = {
        let group = group.clone();
        move |_| {
            editing.set(Some(group.clone()));
            crate::focus("group-name");
        }
    };
    let add_id = format!("add-member-{}", group.id);
    let add_errors = format!("add-member-{}-errors", group.id);
    let list_id = format!("known-members-{}", group.id);
    let edit_label = format!("Edit group {}", group.name);
    let delete_label = format!("Delete group {}", group.name);
    view! {
        <article class="group" data-testid="group" data-name=group.name.clone() aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{group.name.clone()}</h2>
            <super::reports::ReportLinks by="group" id=group.id.clone() name=group.name.clone()/>
            <p>"Agent pools: " {if group.agent_pool_ids.is_empty() { "none".to_owned() } else {
                let company = session.company.get_untracked();
                group.agent_pool_ids.iter().map(|p| crate::names::pool(company.as_deref(), p)).collect::<Vec<_>>().join(", ")
            }}
               " · Roles: " {levels(&group.roles)}</p>
            <ul class="assignments" aria-label=format!("Access requests on the pools of {}", group.name)>
                {group.agent_pool_ids.iter().map(|p| view! {
                    <li title=p.clone()>{crate::names::pool(session.company.get_untracked().as_deref(), p)}": "<super::request_settings::RequestSettingsEditor group=id.clone() pool=p.clone()/></li>
                }).collect_view()}
            </ul>
            <Show when=may_change>
                <button class="secondary" data-testid="edit-group" on:click=edit.clone()
                    aria-label=edit_label.clone()>"Edit group"</button>
                " "
                <button class="danger" data-testid="delete-group" on:click=remove_group.clone()
                    aria-label=delete_label.clone()>"Delete group"</button>
            </Show>
            {if group.members.is_empty() {
                view! { <p class="empty">"No members yet: add people below."</p> }.into_any()
            } else {
                view! {
                    <table data-testid="members">
                        <caption class="sr-only">{format!("Members of {}", group.name)}</caption>
                        <thead><tr><th scope="col">"Member"</th><th scope="col">"Group admin"</th><th scope="col">"Elevated roles"</th><th scope="col">"Effective roles"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{group.members.into_iter().map(|m| view! {
                            <MemberRow group_id=id.clone() member=m error=error on_changed=on_changed/>
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
            <Show when=move || may_members.get()>
                <form class="add-member" on:submit=add.clone() novalidate>
                    <label for=add_id.clone()>"Add a member"</label>
                    <input id=add_id.clone() type="email" list=list_id.clone() data-testid="add-member" aria-describedby=add_errors.clone()
                        prop:value=move || new_member.get()
                        on:input=move |ev| { member_touched.set(true); error.set(None); new_member.set(event_target_value(&ev)); }/>
                    <crate::PeopleList id=list_id.clone()/>
                    <button type="submit" data-testid="add-member-submit" disabled=move || member_problem.get().is_some() title=move || member_problem.get()>"Add"</button>
                    <FieldErrors id=add_errors.clone() messages=Signal::derive(move || member_touched.get().then(|| member_problem.get()).flatten().into_iter().collect())/>
                </form>
            </Show>
            <p class="error" role="alert">{move || error.get()}</p>
        </article>
    }
}

#[component]
fn MemberRow(
    group_id: String,
    member: Member,
    error: RwSignal<Option<String>>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let managed = group_id.clone();
    // A Group Admin does not remove himself or his own flag here: he would
    // lose the group in one click (a Company Admin may, or the API).
    let mine = session
        .me
        .get_untracked()
        .is_some_and(|me| interim_policy::email::same_email(&me.email, &member.email));
    let may_change = Memo::new(move |_| session.manages_members(&managed));
    let self_locked =
        Memo::new(move |_| mine && !session.may(Operation::AccessGroups, Access::Change));
    let may_unlink = move || may_change.get() && !self_locked.get();
    let why = move || {
        if !may_change.get() {
            Some("Only this group's admins and Company Admins change it.")
        } else if self_locked.get() {
            Some("This is how you manage the group: ask a Company Admin to change it.")
        } else {
            None
        }
    };
    let why_elevated = move || {
        (!may_change.get()).then_some("Only this group's admins and Company Admins change it.")
    };
    let email = member.email.clone();
    let save = {
        let (group_id, email) = (group_id.clone(), email.clone());
        move |admin: bool, elevated: Vec<PoolLevel>| {
            let (group_id, email) = (group_id.clone(), email.clone());
            spawn_local(async move {
                match api::update_member(&group_id, &email, admin, &elevated).await {
                    Ok(()) => on_changed(),
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let (admin, elevated) = (member.group_admin, member.elevated_roles.clone());
    let toggle_admin = {
        let (save, elevated) = (save.clone(), elevated.clone());
        move |_| save(!admin, elevated.clone())
    };
    let remove = {
        let (group_id, email) = (group_id.clone(), email.clone());
        move |_| {
            if !crate::confirmed(&format!("Remove {email} from the group?")) {
                return;
            }
            let (group_id, email) = (group_id.clone(), email.clone());
            spawn_local(async move {
                match api::remove_member(&group_id, &email).await {
                    Ok(()) => on_changed(),
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let remove_label = format!("Remove {email} from the group");
    view! {
        <tr data-testid="member" data-email=email.clone()>
            <td data-label="Member">{crate::names::person(session.company.get_untracked().as_deref(), &email)}<span class="sub">{email.clone()}</span></td>
            <td>
                <label class="choice">
                    <input type="checkbox" data-testid="group-admin" prop:checked=admin disabled=move || !may_unlink()
                        title=why
                        on:change=toggle_admin/>
                    <span class="sr-only">{format!("{email} is a group admin")}</span>
                </label>
            </td>
            <td>
                {PoolLevel::ALL.into_iter().map(|level| {
                    let (save, elevated) = (save.clone(), elevated.clone());
                    let on = elevated.contains(&level);
                    view! {
                        <label class="choice">
                            <input type="checkbox" data-testid=format!("elevated-{}", level.grant_name()) prop:checked=on disabled=move || !may_change.get()
                                title=why_elevated
                                on:change=move |_| { let mut next = elevated.clone(); toggle(&mut next, level); save(admin, next); }/>
                            {level.grant_name()}
                        </label>
                    }
                }).collect_view()}
            </td>
            <td>{levels(&member.effective_roles)}</td>
            <td>
                <Show when=may_unlink>
                    <button class="secondary" data-testid="remove-member" on:click=remove.clone()
                        aria-label=remove_label.clone()>"Remove"</button>
                </Show>
            </td>
        </tr>
    }
}
