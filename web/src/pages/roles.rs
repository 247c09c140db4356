use interim_policy::role::{Category, Level, MATRIX};
use leptos::prelude::*;

/// The roles cheat sheet, rendered from the core's matrix.
#[component]
pub fn Roles() -> impl IntoView {
    let cell = |level: Level, scoped: bool| match (level, scoped) {
        (Level::None, _) => "—".to_owned(),
        (l, true) => format!("{} (own environments)", l.wire_name()),
        (l, false) => l.wire_name().to_owned(),
    };
    view! {
        <section class="card">
            <h1>"Roles"</h1>
            <p>"What each persona role gives on each category. R reads, WR reads and changes. RBAC-only roles exist only when RBAC is on."</p>
            <table data-testid="matrix">
                <caption class="sr-only">"Role matrix"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Role"</th>
                        {Category::ALL.iter().map(|c| view! { <th scope="col" data-category=c.wire_name()>{c.display_name()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {MATRIX.iter().map(|row| view! {
                        <tr data-role=row.role.wire_name()>
                            <th scope="row">{row.role.display_name()}
                                {row.rbac_only.then(|| view! { <span class="badge" title="Only with RBAC on">" RBAC only"</span> })}
                            </th>
                            {Category::ALL.iter().map(|c| {
                                let x = row.cell(*c);
                                view! { <td data-category=c.wire_name() data-level=x.level.wire_name()>{cell(x.level, x.scoped)}</td> }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
