//! Browser tests: run in headless Chromium by `cargo xtask test` (or
//! `wasm-pack test --headless --chrome --mode no-install web`).

use replscope_web::{App, PANIC_BANNER_ID, show_panic_banner};
use wasm_bindgen_test::*;

mod common;

use common::{document, fresh_root, settle};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn app_shows_title_and_versions() {
    let root = fresh_root();
    let _app = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;

    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("ReplScope"), "no title in {text:?}");
    let expected =
        format!("replscope-core {} · modelling Redis {}", replscope_core::VERSION, replscope_core::REDIS_VERSION);
    assert!(text.contains(&expected), "{expected:?} not in {text:?}");
    assert_eq!(replscope_core::REDIS_VERSION, "7.0.15");
}

#[wasm_bindgen_test]
fn panic_banner_appears_once_with_message_and_reload() {
    let banner = show_panic_banner("panicked at web/src/lib.rs:1:1:\nboom").unwrap();
    let found = document().get_element_by_id(PANIC_BANNER_ID).unwrap();
    assert_eq!(found, banner);
    assert_eq!(found.get_attribute("role").as_deref(), Some("alert"));
    let text = found.text_content().unwrap_or_default();
    assert!(text.contains("boom"), "message missing in {text:?}");
    let button = found.query_selector("form button[type=submit]").unwrap().unwrap();
    assert_eq!(button.text_content().as_deref(), Some("Reload"));
    // The banner sits first in <body>, above the app.
    let body = document().body().unwrap();
    assert_eq!(body.first_element_child(), Some(found));

    // A second panic keeps the first message (the root cause) on screen.
    let again = show_panic_banner("second").unwrap();
    assert_eq!(again, banner);
    assert_eq!(document().query_selector_all(&format!("#{PANIC_BANNER_ID}")).unwrap().length(), 1);
    assert!(!again.text_content().unwrap_or_default().contains("second"));
}
