//! Just-in-time access, the reviewer's side: the queue of pending requests
//! I review (approve, for a shorter period if I choose, or deny with a
//! comment), approved access I may revoke, and delegating my reviewing
//! (checked by the policy's `validate_delegation` as it is typed).

use chrono::Utc;
use interim_policy::answer::AccessRequest;
use interim_policy::request::{RequestStatus, validate_delegation};
use interim_policy::time::duration_text;
use interim_policy::violation::Violation;
use interim_policy::wire::{DelegationInput, FormValue};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::requests::{pool_name, ticking_now};
use crate::form::{countdown, form_messages, messages_for};
use crate::{FieldErrors, Session, api, fetch, loaded, text};

#[component]
pub fn Reviews() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let pending = fetch(move || {
        reload.track();
        api::requests("review", "pending")
    });
    let approved = fetch(move || {
        reload.track();
        api::requests("review", "approved")
    });
    let now_ms = ticking_now();
    let changed = move || reload.update(|n| *n += 1);
    view! {
        <section class="card">
            <h1>"Reviews"</h1>
            <h2>"Waiting for review"</h2>
            {loaded(pending, move |page| if page.items.is_empty() {
                view! { <p class="empty" data-testid="queue-empty">"Nothing waits for you."</p> }.into_any()
            } else {
                page.items.into_iter().map(|r| view! { <Review r=r now_ms=now_ms on_changed=changed/> }).collect_view().into_any()
            })}
            <h2>"Approved access"</h2>
            {loaded(approved, move |page| if page.items.is_empty() {
                view! { <p class="empty">"No approved access running: approvals you give appear here until they end."</p> }.into_any()
            } else {
                view! {
                        <table data-testid="approved-requests">
                            <thead><tr><th scope="col">"Requester"</th><th scope="col">"Agent pool"</th><th scope="col">"Period"</th><th scope="col">"Ends in"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>{page.items.into_iter().map(|r| view! { <Running r=r now_ms=now_ms on_changed=changed/> }).collect_view()}</tbody>
                        </table>
                    }.into_any()
            })}
        </section>
        <Show when=move || session.me.get().is_some_and(|me| me.may_delegate)>
            <Delegations/>
        </Show>
    }
}

/// One pending request: approve (optionally shorter) or deny with a comment.
#[component]
fn Review(
    r: AccessRequest,
    now_ms: RwSignal<i64>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let minutes = RwSignal::new(String::new());
    let comment = RwSignal::new(String::new());
    let server = RwSignal::new(Vec::<Violation>::new());
    let refusal = RwSignal::new(None::<String>);
    let id = r.id.clone();
    let act = move |action: &'static str| {
        let id = id.clone();
        move |_| {
            let mut body = serde_json::Map::new();
            let m = minutes.get_untracked();
            if action == "approve" && !m.trim().is_empty() {
                body.insert(
                    "durationMinutes".into(),
                    serde_json::json!(FormValue::Text(m)),
                );
            }
            // The comment goes with either answer: why it was denied, or
            // why for less time than asked.
            let c = comment.get_untracked();
            if !c.trim().is_empty() {
                body.insert("comment".into(), c.into());
            }
            let id = id.clone();
            spawn_local(async move {
                match api::act_on_request(&id, action, &serde_json::Value::Object(body)).await {
                    Ok(_) => on_changed(),
                    Err(e) => {
                        let fields = e.violations();
                        refusal.set(fields.is_empty().then_some(e.body.message));
                        server.set(fields);
                    }
                }
            });
        }
    };
    let expires = r.pending_until.map(|t| t.timestamp_millis());
    let minutes_id = format!("approve-minutes-{}", r.id);
    let comment_id = format!("review-comment-{}", r.id);
    let (minutes_errors, comment_errors) = (
        format!("{minutes_id}-errors"),
        format!("{comment_id}-errors"),
    );
    let pool = pool_name(session, &r.agent_pool_id);
    let heading = format!("{} asks for {pool}", r.requester);
    let (approve_label, deny_label) = (
        format!("Approve {}'s request for {pool}", r.requester),
        format!("Deny {}'s request for {pool}", r.requester),
    );
    // Answerable while pending at this instant; past its lifetime the
    // request has expired, even before the sweeper writes so.
    let open = {
        let r = r.clone();
        move || super::requests::status_now(&r, now_ms.get()) == RequestStatus::Pending
    };
    view! {
        <article class="review" data-testid="review" data-requester=r.requester.clone() data-pool=r.agent_pool_id.clone()>
            <h3>{heading}</h3>
            <p>
                "For " <strong>{duration_text(r.requested_minutes)}</strong>
                {r.reason.clone().map(|x| format!(" · reason: {x}"))}
                {r.ticket_ref.clone().map(|x| format!(" · ticket {x}"))}
                " · expires unanswered in "
                <span aria-live="off">{text(move || expires.map(|t| countdown(t - now_ms.get())).unwrap_or_default())}</span>
            </p>
            <p class="notice" data-testid="review-expired" hidden={let open = open.clone(); move || open()}>"Expired unanswered: the requester may ask again."</p>
            <div class="review-actions" hidden=move || !open()>
                <div class="field">
                    <label for=minutes_id.clone()>"Approve for (minutes) " <span class="hint">{format!("(blank: the {} asked)", duration_text(r.requested_minutes))}</span></label>
                    <input id=minutes_id.clone() type="number" min="1" data-testid="approve-minutes" aria-describedby=minutes_errors.clone()
                        prop:value=move || minutes.get() on:input=move |ev| { server.set(Vec::new()); minutes.set(event_target_value(&ev)); }/>
                    <FieldErrors id=minutes_errors messages=Signal::derive(move || messages_for(&server.get(), "durationMinutes"))/>
                    <button data-testid="approve" aria-label=approve_label.clone() on:click=act("approve")>"Approve"</button>
                </div>
                <div class="field">
                    <label for=comment_id.clone()>"Comment for the requester " <span class="hint">"(required to deny; sent with an approval too)"</span></label>
                    <input id=comment_id.clone() data-testid="review-comment" aria-describedby=comment_errors.clone()
                        prop:value=move || comment.get() on:input=move |ev| { server.set(Vec::new()); comment.set(event_target_value(&ev)); }/>
                    <FieldErrors id=comment_errors messages=Signal::derive(move || messages_for(&server.get(), "comment"))/>
                    <button class="danger" data-testid="deny" aria-label=deny_label.clone() on:click=act("deny")>"Deny"</button>
                </div>
            </div>
            <FieldErrors id=format!("review-{}-errors", r.id) messages=Signal::derive(move || form_messages(&server.get()).into_iter().chain(refusal.get()).collect())/>
        </article>
    }
}

/// Approved access running now, which a reviewer may end early.
#[component]
fn Running(
    r: AccessRequest,
    now_ms: RwSignal<i64>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    let ends = r.ends_at.map(|t| t.timestamp_millis());
    let running = r.clone();
    let (id, who) = (r.id.clone(), r.requester.clone());
    let pool = pool_name(session, &r.agent_pool_id);
    let revoke_label = format!("Revoke {who}'s access to {pool}");
    let revoke = move |_| {
        if !crate::confirmed(&format!("End {who}'s access now?")) {
            return;
        }
        super::requests::act(id.clone(), "revoke", on_changed, error);
    };
    view! {
        <tr data-testid="running">
            <td>{r.requester.clone()}</td>
            <td>{pool}</td>
            <td>{super::requests::period_text(&r)}</td>
            <td aria-live="off">{text(move || match (super::requests::status_now(&running, now_ms.get()), ends) {
                (RequestStatus::Ended, _) => RequestStatus::Ended.wire_name().to_owned(),
                (_, Some(t)) => countdown(t - now_ms.get()),
                (_, None) => String::new(),
            })}</td>
            <td>
                <button class="danger" data-testid="revoke" aria-label=revoke_label on:click=revoke>"Revoke"</button>
                <span class="error" role="alert">{text(move || error.get().unwrap_or_default())}</span>
            </td>
        </tr>
    }
}

/// My delegations, and a form to delegate my reviewing for a while.
#[component]
fn Delegations() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let list = fetch(move || {
        reload.track();
        api::delegations()
    });
    let to = RwSignal::new(String::new());
    let ends_local = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let input = move || DelegationInput {
        to: to.get(),
        starts_at: None,
        ends_at: crate::when::local_to_utc(&ends_local.get()).unwrap_or_default(),
    };
    let verdict = Memo::new(move |_| {
        let (me, c) = (session.me.get()?, session.company.get()?);
        Some(validate_delegation(&c, &me.email, &input(), Utc::now()))
    });
    let violations = move || verdict.get().and_then(|r| r.err()).unwrap_or_default();
    let shown = move |field: &'static str| {
        if touched.get() {
            messages_for(&violations(), field)
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
        let body = input();
        spawn_local(async move {
            match api::delegate(&body).await {
                Ok(_) => {
                    to.set(String::new());
                    ends_local.set(String::new());
                    touched.set(false);
                    refusal.set(None);
                    reload.update(|n| *n += 1);
                    session.refresh();
                }
                Err(e) => refusal.set(Some(e.body.message)),
            }
        });
    };
    let end = move |id: String| {
        move |_| {
            let id = id.clone();
            spawn_local(async move {
                match api::end_delegation(&id).await {
                    Ok(()) => {
                        reload.update(|n| *n += 1);
                        session.refresh();
                    }
                    Err(e) => refusal.set(Some(e.body.message)),
                }
            });
        }
    };
    view! {
        <section class="card">
            <h2>"Delegate reviewing"</h2>
            <p class="hint">"While you are away, someone else reviews what you review, until the end you choose."</p>
            <form data-testid="delegation-form" on:submit=submit novalidate>
                <div class="field">
                    <label for="delegate-to">"To"</label>
                    <input id="delegate-to" type="email" list="delegate-users" data-testid="delegate-to" aria-describedby="delegate-to-errors"
                        prop:value=move || to.get() on:input=move |ev| { touched.set(true); refusal.set(None); to.set(event_target_value(&ev)); }/>
                    <crate::PeopleList id="delegate-users" enabled_only=true/>
                    <FieldErrors id="delegate-to-errors" messages=Signal::derive(move || shown("to"))/>
                </div>
                <div class="field">
                    <label for="delegate-ends">"Until"</label>
                    <input id="delegate-ends" type="datetime-local" data-testid="delegate-ends" aria-describedby="delegate-ends-errors"
                        prop:value=move || ends_local.get() on:input=move |ev| { touched.set(true); ends_local.set(event_target_value(&ev)); }/>
                    <FieldErrors id="delegate-ends-errors" messages=Signal::derive(move || shown("endsAt"))/>
                </div>
                <FieldErrors id="delegate-errors" messages=Signal::derive(move || if touched.get() { form_messages(&violations()) } else { Vec::new() }.into_iter().chain(refusal.get()).collect())/>
                <button type="submit" data-testid="delegate" disabled=move || !matches!(verdict.get(), Some(Ok(_)))
                    title=move || (!matches!(verdict.get(), Some(Ok(_)))).then_some("Correct what the form marks first.")>"Delegate"</button>
            </form>
            {loaded(list, move |page| if page.items.is_empty() {
                view! { <p class="empty">"No delegations running. Delegate to hand your reviews to a colleague while you are away."</p> }.into_any()
            } else {
                view! {
                        <table data-testid="delegations">
                            <thead><tr><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Until"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>{page.items.into_iter().map(|d| view! {
                                <tr>
                                    <td>{d.from.clone()}</td><td>{d.to.clone()}</td>
                                    <td><time datetime=interim_policy::time::format_instant(d.ends_at)>{crate::when::local(d.ends_at)}</time></td>
                                    <td><button class="secondary" data-testid="end-delegation" aria-label=format!("End the delegation from {} to {}", d.from, d.to) on:click=end(d.id.clone())>"End"</button></td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any()
            })}
        </section>
    }
}
