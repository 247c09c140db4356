use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::{Session, api};

/// The sign-in form; `email` fills its address in, `notice` says why the
/// person is here (after setting a password through a link).
#[component]
pub fn SignIn(
    #[prop(optional, into)] email: String,
    #[prop(optional, into)] notice: String,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = leptos_router::hooks::use_navigate();
    let email = RwSignal::new(email);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::sign_in(&email.get_untracked(), &password.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    // Signed in from the activation page: on to the portal.
                    if web_sys::window()
                        .and_then(|w| w.location().pathname().ok())
                        .is_some_and(|p| p == "/activate")
                    {
                        navigate("/", Default::default());
                    }
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
            {(!notice.is_empty()).then(|| view! { <p class="notice" role="status">{notice.clone()}</p> })}
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
