use leptos::prelude::*;

use crate::Session;

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
    }
}
