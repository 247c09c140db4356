//! The activation page: a person created without a password opens the
//! one-time link an admin sent (`/activate#token`) and chooses a password,
//! checked as it is typed by the policy's rule; then signs in.

use interim_policy::user::validate_password;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::{FieldErrors, api};

/// The token of the link: what follows `#` (never sent to the server in
/// the page's address).
fn token() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_owned()
}

#[component]
pub fn Activate() -> impl IntoView {
    let token = token();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let rule = move || match validate_password(&password.get()) {
        Ok(()) => Vec::new(),
        Err(v) => v
            .into_iter()
            .map(|v| format!("The password needs {}.", v.message))
            .collect(),
    };
    let differs = move || {
        if touched.get() && !repeat.get().is_empty() && repeat.get() != password.get() {
            vec!["The two passwords differ.".to_owned()]
        } else {
            Vec::new()
        }
    };
    let ready = move || rule().is_empty() && repeat.get() == password.get();
    let submit = {
        let token = token.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            touched.set(true);
            if !ready() {
                return;
            }
            busy.set(true);
            let token = token.clone();
            spawn_local(async move {
                match api::activate(&token, &password.get_untracked()).await {
                    Ok(a) => done.set(Some(a.email)),
                    Err(e) => error.set(Some(e.body.message)),
                }
                busy.set(false);
            });
        }
    };
    move || {
        if let Some(email) = done.get() {
            return view! {
                <super::signin::SignIn email=email notice="Your password is set. Sign in with it."/>
            }
            .into_any();
        }
        if token.is_empty() {
            return view! {
                <section class="card narrow">
                    <h1>"Set your password"</h1>
                    <p>"This page needs the link an admin sent you. Open that link, or ask an admin for a new one."</p>
                </section>
            }
            .into_any();
        }
        let submit = submit.clone();
        view! {
            <section class="card narrow">
                <h1>"Set your password"</h1>
                <p>"Choose the password you will sign in with. The link works once."</p>
                <form on:submit=submit novalidate>
                    <label for="new-password">"New password"</label>
                    <input id="new-password" type="password" autocomplete="new-password"
                        aria-describedby="new-password-errors"
                        prop:value=move || password.get()
                        on:input=move |ev| { touched.set(true); error.set(None); password.set(event_target_value(&ev)) }/>
                    <FieldErrors id="new-password-errors" messages=Signal::derive(move || if touched.get() { rule() } else { Vec::new() })/>
                    <label for="repeat-password">"The same password again"</label>
                    <input id="repeat-password" type="password" autocomplete="new-password"
                        aria-describedby="repeat-password-errors"
                        prop:value=move || repeat.get()
                        on:input=move |ev| { touched.set(true); error.set(None); repeat.set(event_target_value(&ev)) }/>
                    <FieldErrors id="repeat-password-errors" messages=Signal::derive(differs)/>
                    <p class="error" role="alert">{move || error.get()}</p>
                    <button type="submit" data-testid="activate" disabled=move || busy.get() || !ready() title=move || (!ready()).then_some("Choose a password that meets the rule, twice.")>"Set password"</button>
                </form>
            </section>
        }
        .into_any()
    }
}
