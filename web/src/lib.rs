//! # interim-web
//!
//! The management portal. Components render and wire signals; every rule
//! (who may see what, every check of a form) is the policy crate's, run
//! here in the browser against the company snapshot the server hands out.

use std::sync::Arc;

use chrono::Utc;
use interim_policy::answer::Me;
use interim_policy::catalogue::{Access, Operation};
use interim_policy::decision::{Check, decide};
use interim_policy::snapshot::Snapshot;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

pub mod api;
pub mod audit_words;
pub mod form;
pub mod list;
pub mod names;
mod pages;
pub mod secret;
pub mod when;

/// Who is signed in and the company as they may see it.
#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub me: RwSignal<Option<Me>>,
    pub company: RwSignal<Option<Arc<Snapshot>>>,
    /// The first check of the session is done.
    pub ready: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Session {
    /// Loads who I am and the company; `None` when signed out.
    pub fn refresh(self) {
        spawn_local(async move {
            // Both at once: the snapshot answers 401 too when signed out.
            let (me, snapshot) = futures::join!(api::me(), api::snapshot());
            match me {
                Ok(me) => {
                    match snapshot {
                        Ok(wire) => match Snapshot::build(wire) {
                            Ok(s) => self.company.set(Some(Arc::new(s))),
                            Err(e) => self.error.set(Some(format!(
                                "the company could not be read: {} problems",
                                e.len()
                            ))),
                        },
                        Err(e) => self.error.set(Some(e.body.message)),
                    }
                    self.me.set(Some(me));
                }
                Err(e) if e.status == 401 => {
                    self.me.set(None);
                    self.company.set(None);
                }
                Err(e) => self.error.set(Some(e.body.message)),
            }
            self.ready.set(true);
        });
    }

    /// Asks the server who I am now (a light call, made at each navigation):
    /// when that changed — a delegation began or ended, an admin changed my
    /// roles, my session ended — the company is loaded again.
    pub fn recheck(self) {
        spawn_local(async move {
            match api::me().await {
                Ok(me) if self.me.get_untracked().as_ref() != Some(&me) => self.refresh(),
                Err(e) if e.status == 401 => {
                    self.me.set(None);
                    self.company.set(None);
                }
                _ => {}
            }
        });
    }

    /// Whether I review access requests now (directly or as a delegate).
    pub fn reviews(self) -> bool {
        self.me.get().is_some_and(|me| me.reviewer)
    }

    /// Whether I may `access` `op` on one pool (a Group Admin's rights hold
    /// on the pools of his environments only).
    pub fn may_on(self, op: Operation, access: Access, pool: &str) -> bool {
        let (Some(me), Some(company)) = (self.me.get(), self.company.get()) else {
            return false;
        };
        decide(
            &company,
            &me.email,
            Check::Operation(op, access),
            Some(pool),
            Utc::now(),
        )
        .allowed
    }

    /// Whether I may change who is in group `id` (the policy's rule: a
    /// Company Admin, or the Group Admin of its environments).
    pub fn manages_members(self, id: &str) -> bool {
        let (Some(me), Some(company)) = (self.me.get(), self.company.get()) else {
            return false;
        };
        interim_policy::group_admin::may_change_members(&company, &me.email, id, Utc::now()).allowed
    }

    /// Whether I see access groups: all of them, or those I manage.
    pub fn sees_groups(self) -> bool {
        let (Some(me), Some(company)) = (self.me.get(), self.company.get()) else {
            return false;
        };
        let now = Utc::now();
        company
            .groups()
            .iter()
            .any(|g| interim_policy::group_admin::may_see_group(&company, &me.email, &g.id, now))
            || self.may(Operation::AccessGroups, Access::View)
    }

    /// Whether I may `access` `op` (the policy's decision on my snapshot).
    pub fn may(self, op: Operation, access: Access) -> bool {
        let (Some(me), Some(company)) = (self.me.get(), self.company.get()) else {
            return false;
        };
        decide(
            &company,
            &me.email,
            Check::Operation(op, access),
            None,
            Utc::now(),
        )
        .allowed
    }
}

/// The messages of one input, tied to it by `id` (its aria-describedby).
/// One component for every form, so the portal carries its code once.
#[component]
pub fn FieldErrors(#[prop(into)] id: String, messages: Signal<Vec<String>>) -> impl IntoView {
    view! {
        <ul id=id class="field-errors" aria-live="polite">
            {move || messages.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}

/// A list of the API, fetched as JSON and read as `T`: every list of the
/// portal is one resource type (the fetching future exists once in the
/// wasm), and each becomes its type only when read.
pub struct Fetched<T> {
    raw: LocalResource<Result<serde_json::Value, api::ApiError>>,
    answer: std::marker::PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Fetched<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetched").finish_non_exhaustive()
    }
}

impl<T> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Fetched<T> {}

impl<T: serde::de::DeserializeOwned> Fetched<T> {
    /// The answer, once it has come (tracked, as a resource's `get`).
    pub fn get(&self) -> Option<Result<T, api::ApiError>> {
        self.raw.get().map(|r| r.and_then(api::read::<T>))
    }
}

/// Fetches what `get` names, again whenever the signals it reads change.
pub fn fetch<T>(get: impl Fn() -> api::Get<T> + Send + Sync + 'static) -> Fetched<T> {
    Fetched {
        raw: fetch_json(std::sync::Arc::new(move || get().path)),
        answer: std::marker::PhantomData,
    }
}

fn fetch_json(
    path: std::sync::Arc<dyn Fn() -> String + Send + Sync>,
) -> LocalResource<Result<serde_json::Value, api::ApiError>> {
    LocalResource::new(move || api::get_json(path()))
}

/// A resource of the API shown as it stands: loading, the server's refusal,
/// or `show` of its answer. One place for every list of the portal (lighter
/// than a `Suspense` per list).
pub fn loaded<T: serde::de::DeserializeOwned + 'static>(
    resource: Fetched<T>,
    show: impl Fn(T) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    move || match resource.get() {
        None => view! { <p class="loading" aria-busy="true">"Loading…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="error" role="alert">{e.body.message}</p> }.into_any(),
        Some(Ok(answer)) => show(answer),
    }
}

/// Text that changes, type-erased: every such text of the portal shares one
/// rendering (a closure per text would each instantiate their own).
pub fn text(f: impl Fn() -> String + Send + Sync + 'static) -> Signal<String> {
    Signal::derive(f)
}

/// The company's people as suggestions of an e-mail input (`list=id`):
/// each address with the person's name; only those who may sign in when
/// `enabled_only`. One component for every picker of people.
#[component]
pub fn PeopleList(#[prop(into)] id: String, #[prop(optional)] enabled_only: bool) -> impl IntoView {
    let session = expect_context::<Session>();
    let people = move || {
        session
            .company
            .get()
            .map(|c| {
                c.users()
                    .iter()
                    .filter(|u| u.enabled || !enabled_only)
                    .map(|u| (u.email.clone(), format!("{} {}", u.first_name, u.last_name)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <datalist id=id>{move || people().into_iter().map(|(e, n)| view! { <option value=e>{n}</option> }).collect_view()}</datalist>
    }
}

/// Asks the browser's confirmation dialog; false when refused or unavailable.
pub fn confirmed(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

/// Moves the keyboard focus to the element with `id`, if it exists.
pub fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
pub fn App() -> impl IntoView {
    let session = Session {
        me: RwSignal::new(None),
        company: RwSignal::new(None),
        ready: RwSignal::new(false),
        error: RwSignal::new(None),
    };
    provide_context(session);
    session.refresh();
    view! {
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="top">
                <span class="brand">"Interim"</span>
                <Nav/>
            </header>
            <main id="main" tabindex="-1">
                {move || session.error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                <Show when=move || session.ready.get() fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
                    <Show when=move || session.me.get().is_some() fallback=signed_out>
                        <Routes fallback=nothing_here>
                            <Route path=path!("/") view=Home/>
                            <Route path=path!("/:page") view=Page/>
                        </Routes>
                    </Show>
                </Show>
            </main>
        </Router>
    }
}

/// What a person who is not signed in sees: the activation page at its
/// link, else the sign-in form.
fn signed_out() -> AnyView {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if path == "/activate" {
        view! { <pages::activate::Activate/> }.into_any()
    } else {
        view! { <pages::signin::SignIn/> }.into_any()
    }
}

fn nothing_here() -> AnyView {
    view! { <p>"Nothing here. " <A href="/">"Go to temporary access"</A></p> }.into_any()
}

/// Every page but the home page, by the first segment of the path: one
/// route that picks the page (lighter than a route per page).
#[component]
fn Page() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    move || match params.with(|p| p.get("page")).as_deref() {
        Some("roles") => view! { <pages::roles::Roles/> }.into_any(),
        Some("audit") => view! { <pages::audit::Audit/> }.into_any(),
        Some("settings") => view! { <pages::settings::Settings/> }.into_any(),
        Some("users") => view! { <pages::users::Users/> }.into_any(),
        Some("pools") => view! { <pages::pools::Pools/> }.into_any(),
        Some("profile") => view! { <pages::profile::Profile/> }.into_any(),
        Some("requests") => view! { <pages::requests::Requests/> }.into_any(),
        Some("reviews") => view! { <pages::reviews::Reviews/> }.into_any(),
        Some("reports") => view! { <pages::reports::Reports/> }.into_any(),
        Some("api-keys") => view! { <pages::api_keys::ApiKeysPage/> }.into_any(),
        Some("company") => view! { <pages::company::Company/> }.into_any(),
        _ => nothing_here(),
    }
}

/// Temporary access for those who may see it; everyone else starts on
/// their profile.
#[component]
fn Home() -> impl IntoView {
    let session = expect_context::<Session>();
    // A memo: the page is drawn again only when the answer changes, not at
    // every reload of the company (which would lose what the page holds).
    let may = Memo::new(move |_| session.may(Operation::TemporaryAccess, Access::View));
    move || {
        if may.get() {
            view! { <pages::grants::Grants/> }.into_any()
        } else {
            view! { <pages::profile::Profile/> }.into_any()
        }
    }
}

/// One link of the navigation, shown when `show` holds.
struct Link {
    href: &'static str,
    text: &'static str,
    show: fn(Session) -> bool,
}

/// The navigation, grouped as the vendor's console groups it.
const NAV: [(&str, &[Link]); 4] = [
    (
        "Access",
        &[
            Link {
                href: "/",
                text: "Temporary access",
                show: |s| s.may(Operation::TemporaryAccess, Access::View),
            },
            Link {
                href: "/requests",
                text: "Requests",
                show: |_| true,
            },
            Link {
                href: "/reviews",
                text: "Reviews",
                show: Session::reviews,
            },
        ],
    ),
    (
        "Identity & access",
        &[
            Link {
                href: "/users",
                text: "Users",
                show: |s| s.may(Operation::Users, Access::View),
            },
            Link {
                href: "/pools",
                text: "Pools & groups",
                show: |s| s.may(Operation::AgentPools, Access::View),
            },
            Link {
                href: "/api-keys",
                text: "API keys",
                show: |s| s.may(Operation::ApiKeys, Access::View),
            },
        ],
    ),
    (
        "Security",
        &[
            Link {
                href: "/audit",
                text: "Audit",
                show: |s| s.may(Operation::AuditEvents, Access::View),
            },
            Link {
                href: "/reports",
                text: "Reports",
                show: |s| s.may(Operation::Users, Access::View),
            },
        ],
    ),
    (
        "Organisation",
        &[
            Link {
                href: "/company",
                text: "Name & plan",
                show: |s| s.may(Operation::Organization, Access::View),
            },
            Link {
                href: "/settings",
                text: "Settings",
                show: |s| s.may(Operation::Organization, Access::View),
            },
            Link {
                href: "/roles",
                text: "Roles",
                show: |_| true,
            },
        ],
    ),
];

#[component]
fn Nav() -> impl IntoView {
    let session = expect_context::<Session>();
    let location = leptos_router::hooks::use_location();
    // The menu of a narrow screen: open until the next navigation.
    let menu = RwSignal::new(false);
    Effect::new(move |before: Option<String>| {
        let path = location.pathname.get();
        if before.is_some_and(|b| b != path) {
            menu.set(false);
            session.recheck();
        }
        path
    });
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            session.me.set(None);
            session.company.set(None);
        });
    };
    view! {
        <Show when=move || session.me.get().is_some()>
            <button class="link menu-toggle" data-testid="menu" aria-controls="main-nav"
                aria-expanded=move || menu.get().to_string() on:click=move |_| menu.update(|m| *m = !*m)>"Menu"</button>
            <nav id="main-nav" aria-label="Main" class:open=move || menu.get()>
                {NAV.iter().map(|(group, links)| view! {
                    <Show when=move || links.iter().any(|l| (l.show)(session))>
                        <div class="nav-group" role="group" aria-label=*group>
                            <span class="nav-label" aria-hidden="true">{*group}</span>
                            <span class="nav-links">
                                {links.iter().map(|l| view! {
                                    <Show when=move || (l.show)(session)>
                                        <A href=l.href>{l.text}</A>
                                    </Show>
                                }).collect_view()}
                            </span>
                        </div>
                    </Show>
                }).collect_view()}
            </nav>
            <span class="account">
                <A href="/profile" attr:class="who" attr:data-testid="profile-link"
                    attr:title=move || session.me.get().map(|m| m.email)>
                    "Profile"<span class="acct-mail">{move || session.me.get().map(|m| m.email)}</span>
                </A>
                <button class="link" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
            </span>
        </Show>
    }
}
