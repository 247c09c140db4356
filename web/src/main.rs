//! Mounts the portal; everything else lives in the library.

fn main() {
    leptos::mount::mount_to_body(interim_web::App);
}
