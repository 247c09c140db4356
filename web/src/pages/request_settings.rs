//! Request settings, edited where they live: a pool's default for all its
//! group assignments, and the override of one (group, pool) assignment,
//! each shown as inherited or overridden. Checked by the policy's
//! `validate_request_settings` as they are changed.

use interim_policy::catalogue::{Access, Operation};
use interim_policy::request::{Approval, Period, RequestSettings, validate_request_settings};
use interim_policy::wire::RequestSettingsWire;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::requests::settings_text;
use crate::form::messages_for;
use crate::{FieldErrors, Session, api, text};

/// The settings of a pool (`group` `None`) or of one group's assignment.
#[component]
pub fn RequestSettingsEditor(
    #[prop(optional, into)] group: Option<String>,
    #[prop(into)] pool: String,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let (group_id, pool_id) = (group.clone(), pool.clone());
    // (own settings, what would apply without them) from the company.
    let current = Memo::new(move |_| {
        let c = session.company.get()?;
        let p = c.pool_idx(&pool_id)?;
        let default = c.pool(p)?.request_settings.clone();
        Some(match &group_id {
            None => (default, None),
            Some(g) => {
                let own = c.group_idx(g).and_then(|gi| c.group(gi)).and_then(|g| {
                    g.overrides
                        .iter()
                        .find(|(q, _)| *q == p)
                        .map(|(_, s)| s.clone())
                });
                (own, Some(default))
            }
        })
    });
    let editing = RwSignal::new(None::<RequestSettingsWire>);
    let error = RwSignal::new(None::<String>);
    let scope = pool.clone();
    let may_change =
        move || session.may_on(Operation::AccessRequestSettings, Access::Change, &scope);
    let key = format!(
        "{}-{}",
        group.clone().unwrap_or_else(|| "pool".into()),
        pool
    );
    let describe = move || match current.get() {
        None => String::new(),
        Some((Some(own), None)) => settings_text(&own),
        Some((None, None)) => "open: members have standing access".to_owned(),
        Some((Some(own), Some(_))) => format!("overridden — {}", settings_text(&own)),
        Some((None, Some(inherited))) => format!(
            "inherited from the pool — {}",
            inherited.map_or("open: members have standing access".to_owned(), |s| {
                settings_text(&s)
            })
        ),
    };
    let start = move |_| {
        let from = current
            .get_untracked()
            .and_then(|(own, inherited)| own.or(inherited.flatten()));
        editing.set(Some(from.map_or(
            RequestSettingsWire {
                enabled: true,
                periods: vec![Period::OneHour],
                approval: Approval::Manual,
                reason_required: false,
            },
            |s| RequestSettings { enabled: true, ..s }.to_wire(),
        )));
    };
    let save = {
        let (group, pool) = (group.clone(), pool.clone());
        move |settings: Option<RequestSettingsWire>| {
            let (group, pool) = (group.clone(), pool.clone());
            spawn_local(async move {
                match api::save_request_settings(group.as_deref(), &pool, settings.as_ref()).await {
                    Ok(()) => {
                        editing.set(None);
                        error.set(None);
                        session.refresh();
                    }
                    Err(e) => error.set(Some(e.body.message)),
                }
            });
        }
    };
    let verdict = move || editing.get().map(|w| validate_request_settings(&w));
    let problems = move || {
        verdict()
            .and_then(|r| r.err())
            .map(|v| messages_for(&v, "periods"))
            .unwrap_or_default()
    };
    let is_override = group.is_some();
    let errors_id = format!("settings-{key}-errors");
    let data_key = key.clone();
    let submit = {
        let save = save.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if let Some(Ok(w)) = verdict() {
                save(Some(w));
            }
        }
    };
    // Opening a pool gives its members standing access again; ending an
    // override puts the pool's settings back: both asked first.
    let name = super::requests::pool_name(session, &pool);
    let question = if is_override {
        format!("Use the request settings of {name} for this group?")
    } else {
        format!("Open {name}: its groups' members get standing access again, without requesting?")
    };
    let off = {
        let save = save.clone();
        move |_| {
            if crate::confirmed(&question) {
                save(None);
            }
        }
    };
    // The draft as it stands, and one change to it.
    let draft =
        move |f: &dyn Fn(&RequestSettingsWire) -> bool| editing.with(|e| e.as_ref().is_some_and(f));
    let change = move |f: &dyn Fn(&mut RequestSettingsWire)| {
        editing.update(|e| {
            if let Some(e) = e {
                f(e);
            }
        })
    };
    view! {
        <div class="request-settings" data-testid="request-settings" data-key=data_key>
            <span data-testid="settings-summary">{text(describe)}</span>
            <Show when=move || may_change() && editing.with(Option::is_none)>
                " "
                <button type="button" class="secondary" data-testid="edit-settings" on:click=start>"Edit requests"</button>
                {
                    let off = off.clone();
                    move || {
                        let own = current.get().is_some_and(|(own, _)| own.is_some());
                        let label = if is_override { "Use the pool's settings" } else { "Open the pool" };
                        own.then(|| view! { " " <button type="button" class="secondary" data-testid="clear-settings" on:click=off.clone()>{label}</button> })
                    }
                }
            </Show>
            // Built once when editing starts; each control reads the draft,
            // so a click changes one control and keeps the focus where it is.
            <Show when=move || editing.with(Option::is_some)>
                <form class="settings-form" data-testid="settings-form" on:submit=submit.clone() novalidate>
                    <fieldset aria-describedby=errors_id.clone()>
                        <legend>"Periods members may request"</legend>
                        {Period::ALL.into_iter().map(|p| view! {
                            <label class="choice">
                                <input type="checkbox" data-testid=format!("period-{}", p.wire_name())
                                    prop:checked=move || draft(&|w| w.periods.contains(&p))
                                    on:change=move |_| change(&|e| if let Some(i) = e.periods.iter().position(|x| *x == p) { e.periods.remove(i); } else { e.periods.push(p); })/>
                                {p.label()}
                            </label>
                        }).collect_view()}
                        <FieldErrors id=errors_id.clone() messages=Signal::derive(problems)/>
                    </fieldset>
                    <fieldset>
                        <legend>"Approval"</legend>
                        <label class="choice"><input type="radio" name=format!("approval-{key}") data-testid="approval-manual"
                            prop:checked=move || draft(&|w| w.approval == Approval::Manual)
                            on:change=move |_| change(&|e| e.approval = Approval::Manual)/>"By a reviewer"</label>
                        <label class="choice"><input type="radio" name=format!("approval-{key}") data-testid="approval-auto"
                            prop:checked=move || draft(&|w| w.approval == Approval::Auto)
                            on:change=move |_| change(&|e| e.approval = Approval::Auto)/>"Self-approved with a reason"</label>
                    </fieldset>
                    <label class="choice"><input type="checkbox" data-testid="reason-required"
                        prop:checked=move || draft(&|w| w.reason_required)
                        on:change=move |_| change(&|e| e.reason_required = !e.reason_required)/>"Always require a reason"</label>
                    <button type="submit" data-testid="save-settings" disabled=move || !matches!(verdict(), Some(Ok(_)))
                        title=move || (!matches!(verdict(), Some(Ok(_)))).then_some("Correct what the form marks first.")>
                        {if is_override { "Override for this group" } else { "Lock the pool" }}
                    </button>
                    " "
                    <button type="button" class="secondary" on:click=move |_| editing.set(None)>"Cancel"</button>
                </form>
            </Show>
            <p class="error" role="alert">{text(move || error.get().unwrap_or_default())}</p>
        </div>
    }
}
