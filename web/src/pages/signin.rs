use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::{Session, api};

#[component]
pub fn SignIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        spawn_local(async move {
            match api::sign_in(&email.get_untracked(), &password.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    session.ready.set(false);
                    session.refresh();
                }
                Err(e) => error.set(Some(e.body.message)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            <form on:submit=submit>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" required
                    prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required
                    aria-describedby="signin-error"
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p id="signin-error" class="error" role="alert">{move || error.get()}</p>
                <button type="submit" data-testid="sign-in" disabled=move || busy.get()>"Sign in"</button>
            </form>
        </section>
    }
}
