//! Agent pools, and the access groups that hold them.

use interim_policy::catalogue::{Access, Operation};
use interim_policy::user::{PoolInput, validate_pool};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::form::messages_for;
use crate::{FieldErrors, Session, api, fetch};

#[component]
pub fn Pools() -> impl IntoView {
    let session = expect_context::<Session>();
    let reload = RwSignal::new(0u32);
    let pools = fetch(move || {
        reload.track();
        api::pools()
    });
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    let input = move || PoolInput {
        name: Some(name.get()),
        description: Some(description.get()),
    };
    // The policy's check, against the company, as it is typed.
    let verdict = Memo::new(move |_| {
        session
            .company
            .get()
            .map(|c| validate_pool(Some(&c), None, &input()))
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
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if !matches!(verdict.get_untracked(), Some(Ok(_))) {
            return;
        }
        let body = PoolInput {
            name: Some(name.get_untracked()),
            description: Some(description.get_untracked()),
        };
        spawn_local(async move {
            match api::create_pool(&body).await {
                Ok(_) => {
                    name.set(String::new());
                    description.set(String::new());
                    touched.set(false);
                    reload.update(|n| *n += 1);
                    session.refresh();
                }
                Err(e) => server_error.set(Some(e.body.message)),
            }
        });
    };
    view! {
        <section class="card">
            <h1>"Agent pools"</h1>
            <Show when=move || session.may(Operation::AgentPools, Access::Change)>
                <details class="panel" data-testid="new-pool">
                <summary>"New agent pool"</summary>
                <form data-testid="pool-form" on:submit=create novalidate>
                    <label for="pool-name">"Name"</label>
                    <input id="pool-name" aria-describedby="pool-name-errors" prop:value=move || name.get()
                        on:input=move |ev| { touched.set(true); server_error.set(None); name.set(event_target_value(&ev)); }/>
                    <FieldErrors id="pool-name-errors" messages=Signal::derive(move || problems("name"))/>
                    <label for="pool-description">"Description"</label>
                    <input id="pool-description" aria-describedby="pool-description-errors" prop:value=move || description.get()
                        on:input=move |ev| { touched.set(true); description.set(event_target_value(&ev)); }/>
                    <FieldErrors id="pool-description-errors" messages=Signal::derive(move || problems("description"))/>
                    <p class="error" role="alert">{move || server_error.get()}</p>
                    <button type="submit" data-testid="create-pool" disabled=move || !matches!(verdict.get(), Some(Ok(_)))
                        title=move || (!matches!(verdict.get(), Some(Ok(_)))).then_some("Correct what the form marks first.")>"Create pool"</button>
                </form>
                </details>
            </Show>
            <h2>"All agent pools"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading pools…"</p> }>
                {move || pools.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <p class="empty">"No agent pools yet. Create one with “New agent pool”; agents connect to a pool."</p> }.into_any(),
                    Ok(p) => view! {
                        <table data-testid="pools-table">
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Description"</th><th scope="col">"Access requests"</th></tr></thead>
                            <tbody>{p.items.into_iter().map(|pool| view! {
                                <tr data-testid="pool-row" data-pool=pool.id.clone()>
                                    <td data-label="Name">{pool.name.clone()}<span class="sub">"Id: "{pool.id.clone()}</span>
                                        <super::reports::ReportLinks by="pool" id=pool.id.clone() name=pool.name.clone()/></td>
                                    <td data-label="Description">{pool.description}</td>
                                    <td data-label="Access requests"><super::request_settings::RequestSettingsEditor pool=pool.id.clone()/></td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    }.into_any(),
                })}
            </Suspense>
        </section>
        <Show when=move || session.sees_groups()>
            <super::groups::Groups/>
        </Show>
    }
}
