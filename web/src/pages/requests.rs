//! Just-in-time access (SPEC §4), the requester's side: the locked pools I
//! may request, the request form checked by the policy's
//! `validate_request` on every keystroke, and my requests with the time
//! left. The reviewer's side is in `reviews.rs`.

use std::time::Duration;

use chrono::Utc;
use interim_policy::answer::AccessRequest;
use interim_policy::limits::MAX_REQUEST_MINUTES;
use interim_policy::request::{
    Approval, RequestAccess, RequestSettings, RequestStatus, request_access, validate_request,
};
use interim_policy::time::duration_text;
use interim_policy::violation::Violation;
use interim_policy::wire::{AccessRequestInput, FormValue};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::list::{Pager, SearchBox, page_of};

use crate::form::{countdown, form_messages, messages_for};
use crate::{FieldErrors, Session, api, fetch, loaded, text};

/// A signal of the current instant in milliseconds, ticking every second
/// while the page is shown: what the countdowns count against.
pub fn ticking_now() -> RwSignal<i64> {
    let now_ms = RwSignal::new(Utc::now().timestamp_millis());
    if let Ok(handle) = set_interval_with_handle(
        move || now_ms.set(Utc::now().timestamp_millis()),
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    now_ms
}

/// Settings in words (the policy's wording).
pub fn settings_text(s: &RequestSettings) -> String {
    RequestSettings::describe(Some(s))
}

/// The pool's name from the company, else its id.
pub fn pool_name(session: Session, id: &str) -> String {
    session
        .company
        .get_untracked()
        .and_then(|c| {
            c.pool_idx(id)
                .and_then(|p| c.pool(p))
                .map(|p| p.name.clone())
        })
        .unwrap_or_else(|| id.to_owned())
}

/// The period in words: as asked, or as granted when a reviewer approved
/// less (`1 hour (asked 4 hours)`).
pub fn period_text(r: &AccessRequest) -> String {
    interim_policy::time::granted_text(r.requested_minutes, r.approved_at, r.ends_at)
}

/// Sends `action` on request `id`; then `done`, or the refusal into `error`.
pub fn act(
    id: String,
    action: &'static str,
    done: impl Fn() + 'static,
    error: RwSignal<Option<String>>,
) {
    spawn_local(async move {
        match api::act_on_request(&id, action, &serde_json::json!({})).await {
            Ok(_) => done(),
            Err(e) => error.set(Some(e.body.message)),
        }
    });
}

/// A request's status at `now_ms`, by the policy: approved access whose
/// period is over is `Ended`, a pending request past its lifetime
/// `Expired`, even before the page reloads or the sweeper runs.
pub fn status_now(r: &AccessRequest, now_ms: i64) -> RequestStatus {
    let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or(r.created_at);
    interim_policy::request::status_at(r.effective_status, r.created_at, r.ends_at, now)
}

/// Rows on one page of my requests.
const PAGE: usize = 20;

#[component]
pub fn Requests() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let mine = fetch(move || {
        reload.track();
        api::requests("mine", "")
    });
    let now_ms = ticking_now();
    let changed = move || {
        reload.update(|n| *n += 1);
        session.refresh();
    };
    let (query, status, page) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(0usize),
    );
    view! {
        <section class="card">
            <h1>"Access requests"</h1>
            <RequestForm on_sent=changed/>
            <h2>"My requests"</h2>
            <div class="toolbar">
                <SearchBox id="request-search" label="Search my requests" placeholder="Pool, reason or ticket" query=query page=page/>
                <label class="inline" for="request-status">"Status"
                    <select id="request-status" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(0); } prop:value=move || status.get()>
                        <option value="">"Any"</option>
                        {RequestStatus::NAMES.iter().map(|n| view! { <option value=*n>{*n}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {loaded(mine, move |page_of_requests: interim_policy::answer::Listed<AccessRequest>| {
                if page_of_requests.items.is_empty() {
                    return view! { <p class="empty">"No requests yet. Ask for access to a locked pool with the form above."</p> }.into_any();
                }
                let q = query.get().trim().to_lowercase();
                let want = status.get();
                let mut rows: Vec<AccessRequest> = page_of_requests.items.into_iter().filter(|r| {
                    let pool = pool_name(session, &r.agent_pool_id).to_lowercase();
                    (q.is_empty() || pool.contains(&q) || r.agent_pool_id.to_lowercase().contains(&q)
                        || r.reason.as_deref().is_some_and(|x| x.to_lowercase().contains(&q))
                        || r.ticket_ref.as_deref().is_some_and(|x| x.to_lowercase().contains(&q)))
                        && (want.is_empty() || r.effective_status.wire_name() == want)
                }).collect();
                rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
                let total = rows.len();
                if total == 0 {
                    return view! { <p class="empty">"No request matches."</p> }.into_any();
                }
                view! {
                        <table data-testid="my-requests">
                            <thead><tr>
                                <th scope="col">"Agent pool"</th><th scope="col">"Period"</th><th scope="col">"Status"</th>
                                <th scope="col">"Time left"</th><th scope="col">"Notes"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>{page_of(rows, page.get(), PAGE).into_iter().map(|r| view! { <MyRequest r=r now_ms=now_ms on_changed=changed/> }).collect_view()}</tbody>
                        </table>
                        <Pager page=page total=total size=PAGE/>
                    }.into_any()
            })}
        </section>
    }
}

#[component]
fn MyRequest(
    r: AccessRequest,
    now_ms: RwSignal<i64>,
    on_changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let error = RwSignal::new(None::<String>);
    // Approved: the access ends; pending: the request expires unanswered.
    let until = r.ends_at.or(r.pending_until).map(|t| t.timestamp_millis());
    let left = {
        let r = r.clone();
        text(move || match (status_now(&r, now_ms.get()), until) {
            (RequestStatus::Approved | RequestStatus::Pending, Some(t)) => {
                countdown(t - now_ms.get())
            }
            _ => String::new(),
        })
    };
    let status = {
        let r = r.clone();
        text(move || status_now(&r, now_ms.get()).wire_name().to_owned())
    };
    let notes = [
        r.reason.clone(),
        r.ticket_ref.clone().map(|t| format!("ticket {t}")),
        r.comment.clone().map(|c| format!("reviewer: {c}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let id = r.id.clone();
    let cancel = move |_| act(id.clone(), "cancel", on_changed, error);
    // Only while it is pending at this instant: past its lifetime it has
    // expired, even before the sweeper writes so.
    let pending = {
        let r = r.clone();
        move || status_now(&r, now_ms.get()) == RequestStatus::Pending
    };
    let cancel_label = format!(
        "Cancel the request for {}",
        pool_name(session, &r.agent_pool_id)
    );
    view! {
        <tr data-testid="my-request" data-pool=r.agent_pool_id.clone()>
            <td>{pool_name(session, &r.agent_pool_id)}</td>
            <td data-testid="granted-period">{period_text(&r)}</td>
            <td data-testid="request-status">{status}</td>
            <td data-testid="request-countdown" aria-live="off">{left}</td>
            <td>{notes}</td>
            <td>
                <Show when=pending.clone()>
                    <button class="secondary" data-testid="cancel-request" aria-label=cancel_label.clone() on:click=cancel.clone()>"Cancel"</button>
                </Show>
                <span class="error" role="alert">{text(move || error.get().unwrap_or_default())}</span>
            </td>
        </tr>
    }
}

/// What the request form holds, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Typed {
    pool: String,
    period: String,
    minutes: String,
    reason: String,
    ticket: String,
}

impl Typed {
    fn to_input(&self) -> AccessRequestInput {
        let blank = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
        AccessRequestInput {
            agent_pool_id: blank(&self.pool),
            period: blank(&self.period),
            duration_minutes: if self.period == "custom" {
                blank(&self.minutes).map(FormValue::Text)
            } else {
                None
            },
            reason: blank(&self.reason),
            ticket_ref: blank(&self.ticket),
        }
    }
}

#[component]
fn RequestForm(on_sent: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let session = expect_context::<Session>();
    let typed = RwSignal::new(Typed::default());
    let touched = RwSignal::new(false);
    let server = RwSignal::new(Vec::<Violation>::new());
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(None::<String>);
    // The pools I may request, with the settings that apply to me.
    let requestable = Memo::new(move |_| {
        let (me, c) = (session.me.get()?, session.company.get()?);
        let u = c.user_idx(&me.email)?;
        Some(
            (0..c.pools().len())
                .filter_map(|i| {
                    let pool = c.pools().get(i)?;
                    let p = c.pool_idx(&pool.id)?;
                    match request_access(&c, u, p) {
                        RequestAccess::Requestable { settings, .. } => {
                            Some((pool.id.clone(), pool.name.clone(), settings))
                        }
                        _ => None,
                    }
                })
                .collect::<Vec<_>>(),
        )
    });
    let chosen = move || {
        let pool = typed.with(|t| t.pool.clone());
        requestable
            .get()
            .unwrap_or_default()
            .into_iter()
            .find(|(id, ..)| *id == pool)
            .map(|(.., s)| s)
    };
    // The policy's verdict on every keystroke: no network involved.
    let verdict = Memo::new(move |_| {
        let (me, c) = (session.me.get()?, session.company.get()?);
        Some(validate_request(
            &c,
            &me.email,
            &typed.get().to_input(),
            Utc::now(),
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
    let edit = move |f: fn(&mut Typed, String)| {
        move |ev: leptos::ev::Event| {
            touched.set(true);
            server.set(Vec::new());
            sent.set(None);
            let value = event_target_value(&ev);
            typed.update(|t| f(t, value));
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !matches!(verdict.get_untracked(), Some(Ok(_))) {
            return;
        }
        busy.set(true);
        let input = typed.get_untracked().to_input();
        spawn_local(async move {
            match api::create_request(&input).await {
                Ok(r) => {
                    let pool = pool_name(session, &r.agent_pool_id);
                    sent.set(Some(match r.effective_status {
                        RequestStatus::Approved => {
                            format!(
                                "Access to {pool} is yours now, for {}.",
                                duration_text(r.requested_minutes)
                            )
                        }
                        _ => format!("Your request for {pool} waits for a reviewer."),
                    }));
                    typed.set(Typed::default());
                    touched.set(false);
                    on_sent();
                }
                Err(e) => {
                    let fields = e.violations();
                    if fields.is_empty() {
                        sent.set(Some(e.body.message));
                    }
                    server.set(fields);
                }
            }
            busy.set(false);
        });
    };
    let invalid = move |field: &'static str| (!shown(field).is_empty()).to_string();
    view! {
        <Show when=move || !requestable.get().unwrap_or_default().is_empty()
            fallback=|| view! { <p class="empty" data-testid="no-locked-pools">"No locked pools: every pool your groups hold is yours already, or none is offered on request."</p> }>
            <h2>"Locked pools you may request"</h2>
            <ul class="locked-pools" data-testid="locked-pools">
                {move || requestable.get().unwrap_or_default().into_iter().map(|(id, name, s)| view! {
                    <li data-testid="locked-pool" data-pool=id.clone()><strong>{name}</strong>" "<code>{id.clone()}</code>" — "{settings_text(&s)}</li>
                }).collect_view()}
            </ul>
            <form class="request-form" data-testid="request-form" on:submit=submit novalidate>
                <h2>"Request access"</h2>
                <div class="field">
                    <label for="request-pool">"Agent pool"</label>
                    <select id="request-pool" data-testid="request-pool" aria-describedby="request-pool-errors"
                        prop:value=move || typed.get().pool on:change=edit(|t, v| { t.pool = v; t.period.clear(); })>
                        <option value="">"Choose a pool"</option>
                        {move || requestable.get().unwrap_or_default().into_iter().map(|(id, name, _)| view! { <option value=id.clone()>{name}" ("{id.clone()}")"</option> }).collect_view()}
                    </select>
                    <FieldErrors id="request-pool-errors" messages=Signal::derive(move || shown("agentPoolId"))/>
                </div>
                <div class="field">
                    <label for="request-period">"For how long"</label>
                    <select id="request-period" data-testid="request-period" aria-describedby="request-period-errors"
                        prop:value=move || typed.get().period on:change=edit(|t, v| t.period = v)>
                        <option value="">"Choose a period"</option>
                        {move || chosen().map(|s| s.periods).unwrap_or_default().into_iter().map(|p| view! {
                            <option value=p.wire_name()>{p.minutes().map_or("A custom duration".to_owned(), duration_text)}</option>
                        }).collect_view()}
                    </select>
                    <FieldErrors id="request-period-errors" messages=Signal::derive(move || shown("period"))/>
                </div>
                <Show when=move || typed.with(|t| t.period == "custom")>
                    <div class="field">
                        <label for="request-minutes">"Duration in minutes " <span class="hint">{format!("(up to {MAX_REQUEST_MINUTES}, {})", duration_text(MAX_REQUEST_MINUTES))}</span></label>
                        <input id="request-minutes" type="number" min="1" data-testid="request-minutes" aria-describedby="request-minutes-errors"
                            aria-invalid=move || invalid("durationMinutes")
                            prop:value=move || typed.get().minutes on:input=edit(|t, v| t.minutes = v)/>
                        <FieldErrors id="request-minutes-errors" messages=Signal::derive(move || shown("durationMinutes"))/>
                    </div>
                </Show>
                <div class="field">
                    <label for="request-reason">"Reason " <span class="hint">{text(move || if chosen().is_some_and(|s| s.needs_reason()) { "(required)" } else { "(optional)" }.to_owned())}</span></label>
                    <textarea id="request-reason" data-testid="request-reason" rows="2" aria-describedby="request-reason-errors"
                        aria-invalid=move || invalid("reason")
                        prop:value=move || typed.get().reason on:input=edit(|t, v| t.reason = v)></textarea>
                    <FieldErrors id="request-reason-errors" messages=Signal::derive(move || shown("reason"))/>
                </div>
                <div class="field">
                    <label for="request-ticket">"Ticket " <span class="hint">"(optional)"</span></label>
                    <input id="request-ticket" data-testid="request-ticket" aria-describedby="request-ticket-errors"
                        prop:value=move || typed.get().ticket on:input=edit(|t, v| t.ticket = v)/>
                    <FieldErrors id="request-ticket-errors" messages=Signal::derive(move || shown("ticketRef"))/>
                </div>
                <FieldErrors id="request-form-errors" messages=Signal::derive(move || if touched.get() { form_messages(&violations()) } else { Vec::new() })/>
                <button type="submit" data-testid="send-request" disabled=move || busy.get() || !violations().is_empty()
                    title=move || (!violations().is_empty()).then_some("Correct what the form marks first.")>
                    {text(move || if chosen().is_some_and(|s| s.approval == Approval::Auto) { "Get access now" } else { "Send request" }.to_owned())}
                </button>
            </form>
        </Show>
        <p class="notice" role="status" data-testid="request-sent">{text(move || sent.get().unwrap_or_default())}</p>
    }
}
