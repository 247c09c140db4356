//! The access summary (SPEC §4, tracking): configuration and current
//! access per pool, group or user, downloaded as CSV or JSON. The server
//! computes it with the policy's `access_report`.

use leptos::prelude::*;

#[component]
pub fn Reports() -> impl IntoView {
    let rows = [
        (
            "pool",
            "Per agent pool",
            "who may reach each pool, how, and until when",
        ),
        (
            "group",
            "Per access group",
            "each group's pools, request settings and members",
        ),
        (
            "user",
            "Per user",
            "every user's current access with its source and end",
        ),
    ];
    view! {
        <section class="card">
            <h1>"Reports"</h1>
            <p class="hint">"The access summary as of the moment you download it: configuration and current access, with the source and end of each."</p>
            <table data-testid="reports">
                <thead><tr><th scope="col">"Summary"</th><th scope="col">"What it lists"</th><th scope="col">"Download"</th></tr></thead>
                <tbody>{rows.into_iter().map(|(by, title, what)| view! {
                    <tr>
                        <td>{title}</td><td>{what}</td>
                        <td>
                            <a data-testid=format!("report-{by}-csv") href=format!("/api/v1/reports/access?by={by}&format=csv") download=format!("interim-access-by-{by}.csv")>"CSV"</a>
                            " · "
                            <a data-testid=format!("report-{by}-json") href=format!("/api/v1/reports/access?by={by}&format=json") download=format!("interim-access-by-{by}.json")>"JSON"</a>
                        </td>
                    </tr>
                }).collect_view()}</tbody>
            </table>
        </section>
    }
}
