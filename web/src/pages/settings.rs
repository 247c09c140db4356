//! Company settings: the RBAC switch and the limits, which only tighten.

use interim_policy::Limits;
use interim_policy::catalogue::{Access, Operation};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::summarize;
use crate::{FieldErrors, Session, api, fetch};

#[component]
pub fn Settings() -> impl IntoView {
    let session = expect_context::<Session>();
    let loaded = fetch(api::settings);
    view! {
        <section class="card">
            <h1>"Settings"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading settings…"</p> }>
                {move || loaded.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(s) => view! { <SettingsForm initial=s on_saved=move || session.refresh()/> }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=move || session.may(Operation::CompanyWebhooks, Access::View)>
            <Notifications/>
        </Show>
    }
}

/// Delivery of access-request notifications: the outbox, each message's
/// status and attempts, and a retry for those that failed.
#[component]
fn Notifications() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let page = RwSignal::new(0u32);
    let outbox = fetch(move || {
        reload.track();
        api::notifications(page.get())
    });
    let may_retry = move || session.may(Operation::CompanyWebhooks, Access::Change);
    let error = RwSignal::new(None::<String>);
    let retry = move |id: String| {
        move |_| {
            let id = id.clone();
            spawn_local(async move {
                match api::retry_notification(&id).await {
                    Ok(()) => reload.update(|n| *n += 1),
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    view! {
        <section class="card">
            <h2>"Notifications"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading notifications…"</p> }>
                {move || outbox.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(o) => { let none = o.items.is_empty(); view! {
                        <p class="hint" data-testid="channels">{match (o.channels.webhooks, o.channels.email) {
                            (0, false) => "No channel configured: start the server with --webhook-url or --smtp-url to notify reviewers and requesters.".to_owned(),
                            (w, e) => format!("Reviewers hear of new requests and requesters of the outcome through {w} webhook(s){}.", if e { " and e-mail" } else { "" }),
                        }}</p>
                        <button class="secondary" on:click=move |_| reload.update(|n| *n += 1)>"Refresh"</button>
                        {none.then(|| view! { <p class="empty">"No notifications yet: they appear here when access requests are made and decided."</p> })}
                        <table data-testid="notifications" hidden=none>
                            <thead><tr><th scope="col">"Created"</th><th scope="col">"Event"</th><th scope="col">"To"</th><th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>{o.items.into_iter().map(|n| view! {
                                <tr data-testid="notification">
                                    <td>{interim_policy::time::parse_instant(&n.created_at).map(crate::when::local).unwrap_or(n.created_at)}</td>
                                    <td>{n.event.clone()}</td>
                                    <td>{format!("{}: {}", n.channel, n.recipient)}</td>
                                    <td>{n.status.clone()}{n.last_error.map(|e| format!(" ({e})"))}</td>
                                    <td>{n.attempts}</td>
                                    <td>{(n.status != "delivered" && may_retry()).then(|| view! {
                                        <button class="secondary" aria-label=format!("Retry the {} {} to {} now", n.event, n.channel, n.recipient) on:click=retry(n.id.clone())>"Retry now"</button>
                                    })}</td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                        <p class="pager">
                            {format!("{} notification(s) in all; page {}. ", o.total, o.page + 1)}
                            {(o.page > 0).then(|| view! { <button class="secondary" on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Newer"</button> })}
                            " "
                            {o.has_more.then(|| view! { <button class="secondary" data-testid="older-notifications" on:click=move |_| page.update(|p| *p += 1)>"Older"</button> })}
                        </p>
                    }.into_any() }
                })}
            </Suspense>
            <p class="error" role="alert">{crate::text(move || error.get().unwrap_or_default())}</p>
        </section>
    }
}

/// A limit's field name, label, getter and setter.
type LimitField = (
    &'static str,
    &'static str,
    fn(&Limits) -> u32,
    fn(&mut Limits, u32),
);

#[component]
fn SettingsForm(
    initial: interim_policy::answer::Settings,
    on_saved: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let may_change = move || session.may(Operation::Organization, Access::Change);
    let rbac = RwSignal::new(initial.rbac_enabled);
    let limits = RwSignal::new(initial.limits);
    let text = |v: u32| v.to_string();
    let fields: [LimitField; 4] = [
        (
            "maxUsersPerGrant",
            "Users per grant",
            |l| l.max_users_per_grant,
            |l, v| l.max_users_per_grant = v,
        ),
        (
            "maxPoolsPerGrant",
            "Agent pools per grant",
            |l| l.max_pools_per_grant,
            |l, v| l.max_pools_per_grant = v,
        ),
        (
            "maxGrantDays",
            "Longest grant, in days",
            |l| l.max_grant_days,
            |l, v| l.max_grant_days = v,
        ),
        (
            "maxActiveGrants",
            "Active grants at once",
            |l| l.max_active_grants,
            |l, v| l.max_active_grants = v,
        ),
    ];
    // The policy's check, on every keystroke.
    let problems = Memo::new(move |_| limits.get().validate().err().unwrap_or_default());
    let status = RwSignal::new(None::<Result<String, String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match api::save_settings(rbac.get_untracked(), &limits.get_untracked()).await {
                Ok(_) => {
                    status.set(Some(Ok("Saved.".to_owned())));
                    on_saved();
                }
                Err(e) => status.set(Some(Err(e.body.message))),
            }
        });
    };
    view! {
        <form on:submit=save data-testid="settings-form">
            <Show when=move || !may_change()>
                <p class="notice" data-testid="read-only">"You may read the settings; changing them needs write access to company settings (Company Admin)."</p>
            </Show>
            <fieldset class="bare" disabled=move || !may_change()>
            <label class="choice">
                <input type="checkbox" data-testid="rbac" prop:checked=move || rbac.get() on:change=move |ev| rbac.set(event_target_checked(&ev))/>
                "RBAC enabled"
            </label>
            <p class="hint">"With RBAC off, only Developer and Company Admin exist, every enabled user has Standard access to every pool, and grants are inert."</p>
            <h2>"Limits"</h2>
            <p class="hint">{format!("A company may tighten the seed figures ({} users, {} pools, {} days, {} grants) but never loosen them.",
                Limits::SEED.max_users_per_grant, Limits::SEED.max_pools_per_grant, Limits::SEED.max_grant_days, Limits::SEED.max_active_grants)}</p>
            {fields.into_iter().map(|(field, label, get, set)| {
                let errors_id = format!("{field}-errors");
                view! {
                    <div class="field">
                        <label for=field>{label}</label>
                        <input id=field type="number" min="1" aria-describedby=errors_id.clone()
                            prop:value=move || text(get(&limits.get()))
                            on:input=move |ev| {
                                let v = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                                limits.update(|l| set(l, v));
                            }/>
                        <FieldErrors id=errors_id messages=Signal::derive(move || summarize(problems.get().into_iter().filter(|p| p.field == field).map(|p| p.message).collect(), 3))/>
                    </div>
                }
            }).collect_view()}
            </fieldset>
            <Show when=may_change>
                <button type="submit" data-testid="save-settings" disabled=move || !problems.get().is_empty()
                    title=move || (!problems.get().is_empty()).then_some("Correct what the form marks first.")>"Save settings"</button>
            </Show>
            {move || status.get().map(|s| match s {
                Ok(m) => view! { <p class="ok" role="status">{m}</p> }.into_any(),
                Err(m) => view! { <p class="error" role="alert">{m}</p> }.into_any(),
            })}
        </form>
    }
}
