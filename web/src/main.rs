//! Browser entry point: trunk builds this binary and calls `main` once the
//! wasm module has loaded.

fn main() {
    replscope_web::install_panic_hook();
    yew::Renderer::<replscope_web::App>::new().render();
}
