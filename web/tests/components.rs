//! Component tests in headless Chromium: the console and config panel on
//! the live app (real core nodes), and the topology and backlog pictures
//! from hand-built view models.

use std::cell::RefCell;
use std::rc::Rc;

use replscope_web::App;
use replscope_web::components::backlog::{BacklogBar, BacklogProps};
use replscope_web::components::topology::{TopologyCanvas, TopologyProps};
use replscope_web::fixtures::resync_scene;
use replscope_web::state::Action;
use replscope_web::view::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlFormElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};
use yew::Callback;

mod common;

use common::{fresh_root, settle};

wasm_bindgen_test_configure!(run_in_browser);

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no {selector}"))
}

fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector).unwrap().length()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

fn click(el: &Element) {
    el.dyn_ref::<web_sys::HtmlElement>().expect("an HTML element").click();
}

/// A bubbling click that also works on SVG elements.
fn click_any(el: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&event).unwrap();
}

fn key(el: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&event).unwrap();
}

async fn type_command(root: &Element, line: &str) {
    let input: HtmlInputElement = find(root, ".console-input").dyn_into().unwrap();
    input.set_value(line);
    let form: HtmlFormElement = find(root, ".console-form").dyn_into().unwrap();
    form.request_submit().unwrap();
    settle().await;
}

#[wasm_bindgen_test]
async fn console_runs_commands_formats_replies_and_recalls_history() {
    let root = fresh_root();
    let _app = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    assert_eq!(text(&find(&root, ".console-form .prompt")), "A:6379>");

    type_command(&root, "SET k v").await;
    type_command(&root, "RPUSH l a b").await;
    type_command(&root, "LRANGE l 0 -1").await;
    type_command(&root, "GET nope").await;
    type_command(&root, "FOO bar").await;

    let log = find(&root, ".console-log[role=log][aria-live=polite]");
    let entries: Vec<String> = {
        let list = log.query_selector_all(".console-entry").unwrap();
        (0..list.length()).map(|i| list.item(i).unwrap().text_content().unwrap()).collect()
    };
    assert_eq!(
        entries,
        vec![
            "A:6379> SET k vOK",
            "A:6379> RPUSH l a b(integer) 2",
            "A:6379> LRANGE l 0 -11) \"a\"\n2) \"b\"",
            "A:6379> GET nope(nil)",
            "A:6379> FOO bar(error) ERR unknown command 'FOO', with args beginning with: 'bar' ",
        ]
    );
    let errors = log.query_selector_all(".console-reply.error").unwrap();
    assert_eq!(errors.length(), 1, "only the unknown command is an error");

    // ↑ walks back through the history, ↓ forward to an empty line.
    let input = find(&root, ".console-input");
    let value = || input.clone().dyn_into::<HtmlInputElement>().unwrap().value();
    key(&input, "ArrowUp");
    assert_eq!(value(), "FOO bar");
    key(&input, "ArrowUp");
    assert_eq!(value(), "GET nope");
    key(&input, "ArrowDown");
    assert_eq!(value(), "FOO bar");
    key(&input, "ArrowDown");
    assert_eq!(value(), "");

    // The keyspace tab shows the real keys.
    click(&find(&root, "button[data-tab=Keys]"));
    settle().await;
    let table = text(&find(&root, ".keys-table"));
    assert!(table.contains("k") && table.contains("\"v\"") && table.contains("[\"a\", \"b\"]"), "{table}");
}

#[wasm_bindgen_test]
async fn config_toggles_run_config_set_and_show_core_errors() {
    let root = fresh_root();
    let _app = yew::Renderer::<App>::with_root(root.clone()).render();
    settle().await;
    // Paused, the virtual clock stands still and no tick competes with the
    // renders below: each change is on the page after one scheduler turn.
    click(&find(&root, "button[aria-label=Pause]"));
    settle().await;
    assert_eq!(find(&root, "button[aria-label=Pause]").get_attribute("aria-pressed").as_deref(), Some("true"));
    let clock = text(&find(&root, "[data-testid=clock]"));
    click(&find(&root, "button[data-tab=Config]"));
    settle().await;

    // A bad value: the core's CONFIG SET error, verbatim, next to the field.
    let input: HtmlInputElement = find(&root, "input[data-param=repl-backlog-size]").dyn_into().unwrap();
    assert_eq!(input.value(), "1048576");
    input.set_value("lots");
    let form: HtmlFormElement = input.closest("form").unwrap().unwrap().dyn_into().unwrap();
    form.request_submit().unwrap();
    settle().await;
    let error = find(&root, ".config-error[role=alert]");
    assert_eq!(
        text(&error),
        "(error) ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be a memory value"
    );

    // A good one is applied and shown as CONFIG GET reports it.
    input.set_value("16kb");
    form.request_submit().unwrap();
    settle().await;
    assert_eq!(count(&root, ".config-error"), 0);
    let input: HtmlInputElement = find(&root, "input[data-param=repl-backlog-size]").dyn_into().unwrap();
    assert_eq!(input.value(), "16384");

    // A yes/no switch flips the parameter.
    let switch = find(&root, "input[data-param=replica-read-only]");
    assert!(switch.clone().dyn_into::<HtmlInputElement>().unwrap().checked());
    click(&switch);
    settle().await;
    let row = find(&root, "input[data-param=replica-read-only]").closest(".config-row").unwrap().unwrap();
    assert!(text(&row).contains("no"), "{}", text(&row));
    assert!(!find(&root, "input[data-param=replica-read-only]").dyn_into::<HtmlInputElement>().unwrap().checked());
    // And the event log says what happened.
    let events = text(&find(&root, ".event-list"));
    assert!(events.contains("CONFIG SET replica-read-only no"), "{events}");
    assert_eq!(text(&find(&root, "[data-testid=clock]")), clock, "the clock stood still");
}

fn backlog_props() -> BacklogProps {
    let a = resync_scene().nodes.into_iter().find(|n| n.name == "A").unwrap();
    BacklogProps { node: "A".into(), backlog: a.backlog.unwrap() }
}

#[wasm_bindgen_test]
async fn backlog_bar_draws_window_blocks_and_replica_markers() {
    let root = fresh_root();
    let _bar = yew::Renderer::<BacklogBar>::with_root_and_props(root.clone(), backlog_props()).render();
    settle().await;

    let title = text(&find(&root, ".backlog-title"));
    assert!(title.contains("window [20441, 21464]"), "{title}");
    assert!(title.contains("1 KB held of 1 KB") && title.contains("3 blocks"), "{title}");
    // Exact values on hover.
    let exact = find(&root, ".backlog-title span[title]").get_attribute("title").unwrap();
    assert!(exact.contains("20441") && exact.contains("1024 bytes"), "{exact}");
    assert_eq!(count(&root, ".backlog .window"), 1);
    assert_eq!(count(&root, ".backlog .block-edge"), 2, "3 blocks → 2 inner boundaries");
    assert!(text(&find(&root, ".size-tick")).contains("repl-backlog-size 1 KB"));

    assert_eq!(count(&root, ".marker"), 2);
    let b = find(&root, ".marker[data-replica=B]");
    assert!(b.class_list().contains("marker-connected"));
    let c = find(&root, ".marker[data-replica=C]");
    assert!(c.class_list().contains("marker-full"));
    assert!(text(&c).contains("full resync needed"), "{}", text(&c));
    // Said in words too, not by colour alone.
    let red = find(&root, ".backlog-legend li.full-resync");
    assert!(text(&red).contains("C") && text(&red).contains("20101") && text(&red).contains("full resync needed"));
}

#[wasm_bindgen_test]
async fn backlog_marker_turns_red_only_when_out_of_the_window() {
    let root = fresh_root();
    let mut props = backlog_props();
    // C reconnects in time: still in the window, so a partial resync.
    props.backlog.replicas[1].in_window = true;
    let _bar = yew::Renderer::<BacklogBar>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert_eq!(count(&root, ".marker-full"), 0);
    assert!(find(&root, ".marker[data-replica=C]").class_list().contains("marker-disconnected"));
    assert!(!text(&root).contains("full resync needed"));
    assert!(text(&root).contains("partial resync possible"));
}

#[wasm_bindgen_test]
async fn topology_renders_cards_link_states_pills_and_badges() {
    let mut scene = resync_scene();
    let mut e = NodeView::new("E", 6383);
    e.role = Role::Replica;
    e.crashed = true;
    scene.nodes.push(e);
    scene.nodes.push({
        let mut f = NodeView::new("F", 6384);
        f.role = Role::Replica;
        f
    });
    scene.links.push(LinkView::new("A", "E", LinkState::Partitioned));
    scene.links.push(LinkView::new("A", "F", LinkState::OneWay));

    let actions = Rc::new(RefCell::new(Vec::new()));
    let log = actions.clone();
    let props = TopologyProps {
        view: Scene::from(scene),
        selected: Some("B".into()),
        highlight: vec![],
        reduced_motion: false,
        on_action: Callback::from(move |a: Action| log.borrow_mut().push(a)),
    };
    let root = fresh_root();
    let _canvas = yew::Renderer::<TopologyCanvas>::with_root_and_props(root.clone(), props).render();
    settle().await;

    assert_eq!(count(&root, ".node-card"), 6);
    assert_eq!(count(&root, ".node-card.master"), 1);
    assert_eq!(count(&root, ".node-card.replica"), 5);
    let a = find(&root, ".node-card[data-node=A]");
    let a_text = text(&a);
    assert!(a_text.contains("offset 21464") && a_text.contains("replid 3f9a1c"), "{a_text}");
    assert!(!a_text.contains("3f9a1c0"), "only the first 6 hex digits");
    assert!(find(&root, ".node-card[data-node=B]").class_list().contains("selected"));
    let e = find(&root, ".node-card[data-node=E]");
    assert!(e.class_list().contains("crashed") && text(&e).contains("✕ crashed"));
    assert_eq!(count(&e, ".crash-x"), 1);
    assert!(text(&find(&root, ".node-card[data-node=D]")).contains("sync in progress"));
    assert!(text(&find(&root, ".node-card[data-node=C]")).contains("link down"));
    assert!(a.get_attribute("aria-label").unwrap().starts_with("A (master), offset 21464"));

    // Every link state drawn its own way, with an icon and words.
    let link = |name: &str| find(&root, &format!(".link[data-link={name}]"));
    assert!(link("A-B").class_list().contains("link-up"));
    assert!(link("A-C").class_list().contains("link-cut") && text(&link("A-C")).contains("✂ cut"));
    assert_eq!(count(&link("A-C"), ".link-line"), 2, "a cut link is drawn broken");
    assert!(link("B-D").class_list().contains("link-sync"));
    assert!(link("A-E").class_list().contains("link-partitioned") && text(&link("A-E")).contains("⚡"));
    assert!(link("A-F").class_list().contains("link-one-way"));
    assert_eq!(
        link("A-F").query_selector(".link-line").unwrap().unwrap().get_attribute("marker-end").as_deref(),
        Some("url(#arrow-half)")
    );
    assert!(link("A-C").get_attribute("aria-label").unwrap().contains("link A → C: cut"));
    assert_eq!(link("A-B").get_attribute("tabindex").as_deref(), Some("0"));

    // RDB progress on the B → D link, outcome badges, pills with labels.
    assert!(text(&find(&root, ".rdb-progress")).contains("RDB 12 KB / 34 KB"));
    assert_eq!(text(&find(&root, ".badge-partial")), "+CONTINUE · 512 B from backlog");
    assert_eq!(text(&find(&root, ".badge-full")), "+FULLRESYNC · RDB 34 KB");
    assert_eq!(count(&root, ".pill-write"), 2);
    assert!(text(&find(&root, ".pills")).contains("SET k v2 · 29 B"));

    // Clicks report the user's verbs.
    click_any(&find(&root, ".node-card[data-node=C] .card"));
    click_any(&find(&root, ".link[data-link=A-C] .link-hit"));
    assert_eq!(
        *actions.borrow(),
        vec![Action::SelectNode(Some("C".into())), Action::OpenLinkMenu(Some(("A".into(), "C".into())))]
    );
}
