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

/// The access summary of one pool, group or user, to download where people
/// look at it (only for those who may read the summary).
#[component]
pub fn ReportLinks(by: &'static str, id: String, name: String) -> impl IntoView {
    let session = expect_context::<crate::Session>();
    let may = move || {
        session.may(
            interim_policy::catalogue::Operation::Users,
            interim_policy::catalogue::Access::View,
        )
    };
    let href = move |format: &str| {
        format!(
            "/api/v1/reports/access?by={by}&id={}&format={format}",
            String::from(js_sys::encode_uri_component(&id))
        )
    };
    let file = name
        .to_lowercase()
        .replace(|c: char| !c.is_ascii_alphanumeric(), "-");
    view! {
        <Show when=may>
            <span class="report-links">
                "Access summary: "
                <a data-testid="report-csv" href=href("csv") download=format!("interim-{file}.csv") aria-label=format!("Access summary of {name} as CSV")>"CSV"</a>
                " · "
                <a data-testid="report-json" href=href("json") download=format!("interim-{file}.json") aria-label=format!("Access summary of {name} as JSON")>"JSON"</a>
            </span>
        </Show>
    }
}
