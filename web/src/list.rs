//! What every long list of the portal shares: a search box and pages.

use leptos::prelude::*;

/// The rows of page `page` (from 0) of `size` rows.
pub fn page_of<T>(rows: Vec<T>, page: usize, size: usize) -> Vec<T> {
    rows.into_iter().skip(page * size).take(size).collect()
}

/// A search box that filters as it is typed and goes back to the first
/// page.
#[component]
pub fn SearchBox(
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    query: RwSignal<String>,
    page: RwSignal<usize>,
) -> impl IntoView {
    view! {
        <label class="sr-only" for=id>{label}</label>
        <input id=id type="search" class="search" placeholder=placeholder data-testid=id
            prop:value=move || query.get()
            on:input=move |ev| { query.set(event_target_value(&ev)); page.set(0); }/>
    }
}

/// "1–25 of 73" with Previous and Next (shown only past one page).
#[component]
pub fn Pager(page: RwSignal<usize>, total: usize, size: usize) -> impl IntoView {
    let pages = total.div_ceil(size).max(1);
    let at = page.get_untracked().min(pages - 1);
    let first = at * size + 1;
    let last = ((at + 1) * size).min(total);
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                <button class="secondary" disabled=at == 0 title=(at == 0).then_some("This is the first page.") on:click=move |_| page.set(at.saturating_sub(1))>"Previous"</button>
                <span data-testid="page-range">{format!("{first}–{last} of {total}")}</span>
                <button class="secondary" disabled=at + 1 >= pages title=(at + 1 >= pages).then_some("This is the last page.") on:click=move |_| page.set(at + 1)>"Next"</button>
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn pages_hold_their_rows() {
        let rows: Vec<u32> = (0..60).collect();
        assert_eq!(page_of(rows.clone(), 0, 25).len(), 25);
        assert_eq!(page_of(rows.clone(), 2, 25), (50..60).collect::<Vec<_>>());
        assert!(page_of(rows, 3, 25).is_empty());
    }
}
