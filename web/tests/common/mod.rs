//! Setup shared by the browser test files (each `tests/*.rs` is its own
//! crate and includes this module; not every one uses every helper).
#![allow(dead_code)]

use web_sys::Element;

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh div attached to `<body>`, so each test mounts into its own root.
pub fn fresh_root() -> Element {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew's scheduler run (renders, then effects): a few turns of the
/// event loop, no wall-clock allowance. Tests that need more than one turn
/// for a change pause the app first, so no tick re-schedules renders.
pub async fn settle() {
    for _ in 0..3 {
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }
}
