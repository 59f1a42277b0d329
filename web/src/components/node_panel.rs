//! The selected node's panel: Console | Keys | INFO | Log | Config.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::driver::Verb;
use crate::fmt::ttl;
use crate::state::{Action, ConfigResult, Console, Tab};
use crate::view::{Diff, KeyRow, NodeView};

#[derive(Properties, PartialEq)]
pub struct NodePanelProps {
    pub node: NodeView,
    /// The node's master, by the topology.
    #[prop_or_default]
    pub master: Option<String>,
    pub tab: Tab,
    #[prop_or_default]
    pub console: Console,
    #[prop_or_default]
    pub config_result: Option<ConfigResult>,
    #[prop_or_default]
    pub on_action: Callback<Action>,
}

#[component]
pub fn NodePanel(props: &NodePanelProps) -> Html {
    let node = &props.node;
    let heading = match &props.master {
        Some(m) => format!("{} · replica of {m}", node.name),
        None => format!("{} · master", node.name),
    };
    let tabs = Tab::ALL.iter().map(|&tab| {
        let on_action = props.on_action.clone();
        let selected = tab == props.tab;
        html! {
            <button role="tab" class={classes!("tab", selected.then_some("active"))} aria-selected={selected.to_string()}
                    id={format!("tab-{}", tab.label())} data-tab={tab.label()}
                    onclick={Callback::from(move |_| on_action.emit(Action::SelectTab(tab)))}>
                { tab.label() }
            </button>
        }
    });
    let body = match props.tab {
        Tab::Console => html! {
            <ConsoleView node={node.name.clone()} prompt={node.prompt()} console={props.console.clone()}
                         on_action={props.on_action.clone()} />
        },
        Tab::Keys => keys_table(node, props.master.as_deref()),
        Tab::Info => html! {
            <pre class="info-text" aria-label={format!("INFO replication of {}", node.name)}>
                { if node.crashed { "(node is down)".to_string() } else { node.info_replication.to_string() } }
            </pre>
        },
        Tab::Log => html! {
            <div class="log-lines" role="log" aria-label={format!("log of {}", node.name)}>
                if node.log.is_empty() { <p class="muted">{ "No log lines yet." }</p> }
                { for node.log.iter().map(|l| html! { <div class="mono">{ l.clone() }</div> }) }
            </div>
        },
        Tab::Config => html! {
            <ConfigView node={node.name.clone()} config={node.config.clone()} result={props.config_result.clone()}
                        on_action={props.on_action.clone()} />
        },
    };
    html! {
        <section class="node-panel" aria-label={format!("node {}", node.name)}>
            <header class="panel-head">
                <h2>{ heading }</h2>
                <span class="mono muted" title={format!("host {} (a node's name is its host name here, as in INFO and the logs) · replid {}", node.name, node.replid)}>{ format!("{}:{}", node.name, node.port) }</span>
            </header>
            <div class="tabs" role="tablist" aria-label="node views">{ for tabs }</div>
            <div class="tab-body" role="tabpanel" aria-labelledby={format!("tab-{}", props.tab.label())}>{ body }</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub node: String,
    pub prompt: String,
    pub console: Console,
    pub on_action: Callback<Action>,
}

/// A redis-cli-like console: a log region of commands and replies, and a
/// prompt with ↑/↓ history.
#[component]
pub fn ConsoleView(props: &ConsoleProps) -> Html {
    let input = use_node_ref();
    let log = use_node_ref();
    // Position while browsing the history with ↑/↓ (len = the fresh line).
    let cursor = use_mut_ref(|| usize::MAX);
    {
        let log = log.clone();
        use_effect_with(props.console.entries.len(), move |_| {
            if let Some(el) = log.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onsubmit = {
        let input = input.clone();
        let cursor = cursor.clone();
        let node = props.node.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let line = el.value();
                el.set_value("");
                *cursor.borrow_mut() = usize::MAX;
                on_action.emit(Action::Verb(Verb::RunCommand { node: node.clone(), line }));
            }
        })
    };
    let onkeydown = {
        let input = input.clone();
        let history: Rc<Vec<String>> = Rc::new(props.console.history.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlInputElement>() else { return };
            let n = history.len();
            let mut pos = cursor.borrow_mut();
            if *pos > n {
                *pos = n;
            }
            match e.key().as_str() {
                "ArrowUp" if *pos > 0 => {
                    e.prevent_default();
                    *pos -= 1;
                    el.set_value(&history[*pos]);
                }
                "ArrowDown" if *pos < n => {
                    e.prevent_default();
                    *pos += 1;
                    el.set_value(history.get(*pos).map(String::as_str).unwrap_or(""));
                }
                _ => {}
            }
        })
    };
    html! {
        <div class="console">
            <div class="console-log" role="log" aria-live="polite" aria-label={format!("console of {}", props.node)} ref={log}>
                if props.console.entries.is_empty() {
                    <p class="muted">{ "Type a Redis command, e.g. SET k v, then Enter. ↑/↓ recall history." }</p>
                }
                { for props.console.entries.iter().map(|e| html! {
                    <div class="console-entry">
                        <div class="console-cmd"><span class="prompt">{ e.prompt.clone() }</span>{ " " }{ e.input.clone() }</div>
                        if !e.output.is_empty() {
                            <pre class={classes!("console-reply", e.error.then_some("error"))}>{ e.output.clone() }</pre>
                        }
                    </div>
                }) }
            </div>
            <form class="console-form" {onsubmit}>
                <label class="prompt" for={format!("console-input-{}", props.node)}>{ props.prompt.clone() }</label>
                <input id={format!("console-input-{}", props.node)} class="console-input" ref={input} {onkeydown}
                       autocomplete="off" spellcheck="false" aria-label={format!("command for {}", props.node)} />
                <button type="submit">{ "Run" }</button>
            </form>
        </div>
    }
}

fn diff_marker(diff: &Option<Diff>) -> Html {
    match diff {
        None => html! { <span class="muted">{ "=" }</span> },
        Some(Diff::Missing) => html! { <span class="diff">{ "⚠ missing here" }</span> },
        Some(Diff::Stale { master_value }) => html! {
            <span class="diff" title={format!("master has {master_value}")}>{ format!("⚠ stale (master: {master_value})") }</span>
        },
        Some(Diff::Extra) => html! { <span class="diff">{ "⚠ not on master" }</span> },
    }
}

fn keys_table(node: &NodeView, master: Option<&str>) -> Html {
    if node.crashed {
        return html! { <p class="muted">{ "(node is down)" }</p> };
    }
    if node.keys.is_empty() {
        return html! { <p class="muted">{ "No keys. Try SET k v in the console." }</p> };
    }
    let differing = node.keys.iter().filter(|k| k.differs_from_master.is_some()).count();
    let row = |k: &KeyRow| {
        let missing = matches!(k.differs_from_master, Some(Diff::Missing));
        html! {
            <tr class={classes!(k.differs_from_master.is_some().then_some("differs"), missing.then_some("missing"))}>
                <td class="mono">{ k.db }</td>
                <td class="mono key">{ k.key.clone() }</td>
                <td>{ k.kind.clone() }</td>
                <td class="mono value" title={k.value_preview.clone()}>{ k.value_preview.clone() }</td>
                <td class="mono">{ k.ttl_ms.map(ttl).unwrap_or_else(|| "—".into()) }</td>
                if master.is_some() { <td>{ diff_marker(&k.differs_from_master) }</td> }
            </tr>
        }
    };
    html! {
        <div class="keys">
            if let Some(m) = master {
                <p class={classes!("keys-summary", (differing > 0).then_some("diff"))}>
                    { if differing == 0 { format!("✓ same keys and values as master {m}") }
                      else { format!("⚠ {differing} key{} differ from master {m}", if differing == 1 { "" } else { "s" }) } }
                </p>
            }
            <table class="keys-table">
                <thead><tr>
                    <th>{ "db" }</th><th>{ "key" }</th><th>{ "type" }</th><th>{ "value" }</th><th>{ "TTL" }</th>
                    if master.is_some() { <th>{ "vs master" }</th> }
                </tr></thead>
                <tbody>{ for node.keys.iter().map(row) }</tbody>
            </table>
        </div>
    }
}

/// Parameters shown as yes/no switches; the rest are text fields.
const BOOLEAN_PARAMS: [&str; 3] = ["replica-read-only", "replica-serve-stale-data", "repl-diskless-sync"];

/// One line of help per parameter.
fn param_help(name: &str) -> &'static str {
    match name {
        "repl-backlog-size" => "history kept for partial resyncs (e.g. 16kb, 1mb)",
        "replica-read-only" => "replicas refuse writes from clients",
        "replica-serve-stale-data" => "answer reads while the link is down",
        "min-replicas-to-write" => "refuse writes with fewer good replicas",
        "min-replicas-max-lag" => "seconds since a replica's last ACK to count as good",
        "repl-diskless-sync" => "stream the RDB straight to the socket",
        "repl-diskless-sync-delay" => "seconds to wait for more replicas first",
        "repl-timeout" => "seconds of silence before the link is dropped",
        "requirepass" => "password clients (and replicas) must AUTH with",
        "masterauth" => "password this replica sends to its master",
        "proto-max-bulk-len" => crate::memory_guard::PROTO_MAX_BULK_LEN_NOTE,
        _ => "",
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfigProps {
    pub node: String,
    pub config: Rc<Vec<(String, String)>>,
    pub result: Option<ConfigResult>,
    pub on_action: Callback<Action>,
}

/// Config toggles. Each change is a real `CONFIG SET` on the node, so a
/// bad value gets the core's (Redis's) error, shown next to the field.
#[component]
pub fn ConfigView(props: &ConfigProps) -> Html {
    let rows = props.config.iter().map(|(name, value)| {
        let error =
            props.result.as_ref().filter(|r| r.node == props.node && r.name == *name).and_then(|r| r.error.clone());
        html! {
            <ConfigRow key={name.clone()} node={props.node.clone()} name={name.clone()} value={value.clone()}
                       {error} on_action={props.on_action.clone()} />
        }
    });
    html! { <div class="config-list">{ for rows }</div> }
}

#[derive(Properties, PartialEq)]
pub struct ConfigRowProps {
    pub node: String,
    pub name: String,
    pub value: String,
    pub error: Option<String>,
    pub on_action: Callback<Action>,
}

#[component]
fn ConfigRow(props: &ConfigRowProps) -> Html {
    let input = use_node_ref();
    let id = format!("cfg-{}-{}", props.node, props.name);
    // Not a controlled `value`: re-renders (every tick) would undo typing.
    // The field shows the node's value when it loads and when it changes.
    {
        let input = input.clone();
        use_effect_with(props.value.clone(), move |value| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                el.set_value(value);
            }
        });
    }
    let set = {
        let (node, name, on_action) = (props.node.clone(), props.name.clone(), props.on_action.clone());
        move |value: String| {
            on_action.emit(Action::Verb(Verb::SetConfig { node: node.clone(), name: name.clone(), value }))
        }
    };
    let control = if BOOLEAN_PARAMS.contains(&props.name.as_str()) {
        let on = props.value == "yes";
        let onchange = Callback::from(move |_: Event| set(if on { "no".into() } else { "yes".into() }));
        html! {
            <label class="switch">
                <input type="checkbox" id={id.clone()} checked={on} {onchange} data-param={props.name.clone()} />
                <span class="mono">{ if on { "yes" } else { "no" } }</span>
            </label>
        }
    } else {
        let onsubmit = {
            let input = input.clone();
            Callback::from(move |e: SubmitEvent| {
                e.prevent_default();
                if let Some(el) = input.cast::<HtmlInputElement>() {
                    set(el.value());
                }
            })
        };
        html! {
            <form class="config-form" {onsubmit}>
                <input id={id.clone()} class="mono" ref={input} data-param={props.name.clone()}
                       autocomplete="off" spellcheck="false" />
                <button type="submit">{ "Set" }</button>
            </form>
        }
    };
    html! {
        <div class={classes!("config-row", props.error.is_some().then_some("has-error"))}>
            <label class="config-name mono" for={id}>{ props.name.clone() }</label>
            { control }
            <span class="config-help muted">{ param_help(&props.name) }</span>
            if let Some(e) = &props.error {
                <p class="config-error" role="alert">{ format!("(error) {e}") }</p>
            }
        </div>
    }
}
