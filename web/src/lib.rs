//! # replscope-web
//!
//! ReplScope's browser UI: a Yew app that renders the virtual Redis nodes of
//! [`replscope_core`]. For now it shows which core and which Redis version it
//! was built with, which proves the core → wasm → UI wiring end to end.
//!
//! The root component lives in this library (not in `main.rs`) so the browser
//! tests in `tests/` can mount it into a div of their own.

use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::prelude::*;

/// The `id` of the banner [`show_panic_banner`] inserts; tests look it up.
pub const PANIC_BANNER_ID: &str = "replscope-panic-banner";

/// The one line that says which engine the page runs: the core crate's
/// version and the Redis release it models (the spec it is tested against).
pub fn build_info() -> String {
    format!(
        "replscope-core {} · modelling Redis {}",
        replscope_core::VERSION,
        replscope_core::REDIS_VERSION
    )
}

/// The root component: the whole app is mounted from here.
#[component]
pub fn App() -> Html {
    html! {
        <div class="app">
            <header class="app-header">
                <h1 class="brand">{ "ReplScope" }</h1>
                <p class="tagline">{ "Redis master–replica replication, played out in your browser tab" }</p>
            </header>
            <main class="app-main">
                <p class="build-info" data-testid="build-info">{ build_info() }</p>
            </main>
        </div>
    }
}

/// Installs the panic hook the app runs with: the message goes to the
/// browser console (via `console_error_panic_hook`, with the Rust location)
/// *and* onto the page as a banner, so a crash is never just a blank or
/// frozen page.
///
/// It goes through [`yew::set_custom_panic_hook`] because Yew's `Renderer`
/// replaces a hook set with `std::panic::set_hook` by its console-only one.
pub fn install_panic_hook() {
    yew::set_custom_panic_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        // Best effort: without a document (say, in a worker) the console is all
        // there is, and a panic hook must not panic itself.
        let _ = show_panic_banner(&info.to_string());
    }));
}

/// Panics with `message`, on purpose. Exported to JavaScript (trunk exposes
/// it as `window.wasmBindings.simulate_crash`) so the end-to-end tests can
/// check what a real crash looks like; it can only break the caller's own tab.
#[wasm_bindgen]
pub fn simulate_crash(message: &str) {
    panic!("{message}");
}

/// Puts a visible error banner with `message` and a Reload button at the top
/// of `<body>`, and returns it.
///
/// Only the first panic gets a banner: later ones are usually knock-on
/// effects of the first, whose message is the one worth reading. The Reload
/// button is a plain GET form, not a wasm click handler, because after a panic
/// the wasm instance cannot be trusted to run anything (and the CSP `trunk
/// serve` sends forbids inline scripts).
pub fn show_panic_banner(message: &str) -> Result<Element, JsValue> {
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document to show the panic banner in"))?;
    if let Some(existing) = document.get_element_by_id(PANIC_BANNER_ID) {
        return Ok(existing);
    }
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("no <body> to show the panic banner in"))?;

    let banner = document.create_element("div")?;
    banner.set_id(PANIC_BANNER_ID);
    banner.set_class_name("panic-banner");
    banner.set_attribute("role", "alert")?;

    let heading = document.create_element("strong")?;
    heading.set_text_content(Some("ReplScope crashed, sorry. "));
    banner.append_child(&heading)?;

    let detail = document.create_element("pre")?;
    detail.set_class_name("panic-message");
    detail.set_text_content(Some(message));
    banner.append_child(&detail)?;

    let form = document.create_element("form")?;
    form.set_attribute("method", "get")?;
    let reload = document.create_element("button")?;
    reload.set_attribute("type", "submit")?;
    reload.set_text_content(Some("Reload"));
    form.append_child(&reload)?;
    banner.append_child(&form)?;

    body.insert_before(&banner, body.first_child().as_ref())?;
    Ok(banner)
}
