//! A secret shown this once (an activation link, an API key): selected on
//! focus, a copy button, and *Done* to put it away for good.

use leptos::prelude::*;

#[component]
pub fn ShownOnce(
    /// The input's id (and its test id).
    id: &'static str,
    label: &'static str,
    value: String,
    copy_label: &'static str,
    /// Puts the notice away.
    done: Callback<()>,
    /// What the secret is for and how long it works.
    children: Children,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let value = value.clone();
        move |_| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&value);
                copied.set(true);
            }
        }
    };
    view! {
        <div class="notice" role="status" data-testid=id>
            {children()}
            <label for=format!("{id}-value")>{label}</label>
            <input id=format!("{id}-value") data-testid=format!("{id}-value") type="text" readonly prop:value=value
                on:focus=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                }/>
            <button type="button" data-testid=format!("{id}-copy") on:click=copy>{copy_label}</button>
            " "
            <button type="button" class="secondary" on:click=move |_| done.run(())>"Done"</button>
            <span class="muted" role="status">{move || copied.get().then_some(" Copied.")}</span>
        </div>
    }
}
