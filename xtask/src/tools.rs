//! The pinned tool versions (the one place they are written down) and the
//! idempotent installer that makes them present.
//!
//! Every tool is checked first (a `--version` probe, `dpkg-query`, `rustup
//! target list`, a stamp file) and installed only if missing or at another
//! version, so a second run costs about a second. Cargo tools go into a fixed
//! root outside the clone ([`tools_dir`]), which fresh clones on the same
//! machine share.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{Env, output_of, run};

/// The wasm-bindgen version everything must agree on: the `wasm-bindgen`
/// crate (pinned `=` in web/Cargo.toml, checked in Cargo.lock), the CLI that
/// post-processes its output and runs browser tests, and Trunk.toml.
pub const WASM_BINDGEN: &str = "0.2.130";
/// Trunk 0.22 needs a newer rustc than the workspace's 1.95.
pub const TRUNK: &str = "0.21.14";
pub const WASM_PACK: &str = "0.15.1";
/// binaryen from npm: Debian's binaryen is too old to read wasm-bindgen's output.
pub const BINARYEN_NPM: &str = "132.0.0";
/// How `wasm-opt --version` (and Trunk.toml's `wasm_opt`) names binaryen 132.
pub const WASM_OPT: &str = "version_132";

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Browser + driver for the browser and e2e tests; Redis 7.0 is the spec the
/// conformance tests compare the core with.
pub const APT_PACKAGES: &[&str] = &["chromium", "chromium-driver", "redis-server"];

/// A tool installed with `cargo install --root <tools dir>`.
struct CargoTool {
    krate: &'static str,
    version: &'static str,
    /// `--locked` where the crate's own lock file resolves offline-reachable
    /// crates. wasm-bindgen-cli's names a webpki-roots the registry lacks.
    locked: bool,
    /// Binaries whose `--version` must print `version`.
    bins: &'static [&'static str],
}

const CARGO_TOOLS: &[CargoTool] = &[
    CargoTool {
        krate: "wasm-bindgen-cli",
        version: WASM_BINDGEN,
        locked: false,
        bins: &["wasm-bindgen", "wasm-bindgen-test-runner"],
    },
    CargoTool { krate: "trunk", version: TRUNK, locked: true, bins: &["trunk"] },
    CargoTool { krate: "wasm-pack", version: WASM_PACK, locked: true, bins: &["wasm-pack"] },
];

/// Where cargo-installed tools (`bin/`) and npm's binaryen (`npm/`) live:
/// `$REPLSCOPE_TOOLS`, else `~/.cache/replscope-tools`.
pub fn tools_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("REPLSCOPE_TOOLS") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").ok_or("HOME is not set; set REPLSCOPE_TOOLS instead")?;
    Ok(Path::new(&home).join(".cache/replscope-tools"))
}

/// The directories put first on PATH for every child process.
pub fn bin_dirs(tools: &Path) -> Vec<PathBuf> {
    vec![tools.join("bin"), tools.join("npm/node_modules/.bin")]
}

/// Makes sure every tool is present at its pinned version, installing only
/// what is missing. `root` is the repository root.
pub fn ensure(env: &Env, root: &Path) -> Result<(), String> {
    check_pins_agree(root)?;
    ensure_wasm_target(env)?;
    ensure_apt_packages(env)?;
    ensure_node(env)?;
    ensure_binaryen(env)?;
    for tool in CARGO_TOOLS {
        ensure_cargo_tool(env, tool)?;
    }
    ensure_e2e_packages(env, &root.join("tests/e2e"))
}

/// Fails unless Cargo.lock and Trunk.toml name the same versions as the
/// constants above: a wasm-bindgen crate/CLI mismatch fails only at run time
/// with an obscure schema error, and a Trunk.toml mismatch makes trunk try to
/// download from GitHub.
fn check_pins_agree(root: &Path) -> Result<(), String> {
    let lock = read(&root.join("Cargo.lock"))?;
    let locked = lock_versions(&lock, "wasm-bindgen");
    if locked.is_empty() {
        return Err("Cargo.lock has no `wasm-bindgen` package; is web/ a workspace member?".into());
    }
    if let Some(other) = locked.iter().find(|v| *v != WASM_BINDGEN) {
        return Err(format!(
            "the wasm-bindgen crate in Cargo.lock is {other}, but wasm-bindgen-cli is pinned to \
             {WASM_BINDGEN} (WASM_BINDGEN in xtask/src/tools.rs); they must be equal. Either pin \
             `wasm-bindgen = \"={WASM_BINDGEN}\"` in web/Cargo.toml and run `cargo update -p wasm-bindgen`, \
             or set WASM_BINDGEN and Trunk.toml [tools] wasm_bindgen to {other}."
        ));
    }
    let trunk_toml = read(&root.join("Trunk.toml"))?;
    for (key, want) in [("wasm_bindgen", WASM_BINDGEN), ("wasm_opt", WASM_OPT)] {
        let got = toml_string(&trunk_toml, "tools", key);
        if got.as_deref() != Some(want) {
            let got = got.map_or("missing".to_string(), |v| format!("\"{v}\""));
            return Err(format!(
                "Trunk.toml [tools] {key} is {got}, but xtask/src/tools.rs pins \"{want}\"; make them equal"
            ));
        }
    }
    Ok(())
}

fn ensure_wasm_target(env: &Env) -> Result<(), String> {
    let installed = output_of(env.command("rustup").args(["target", "list", "--installed"]))
        .map_err(|e| format!("cannot list rustup targets ({e}); is rustup installed?"))?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return Ok(());
    }
    run(env.command("rustup").args(["target", "add", WASM_TARGET]))
}

fn ensure_apt_packages(env: &Env) -> Result<(), String> {
    let missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|pkg| {
            let status = output_of(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]));
            !matches!(status, Ok(s) if s.trim() == "install ok installed")
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing apt packages {}", missing.join(" "));
    // Not root (a developer machine): go through sudo.
    let sudo = output_of(Command::new("id").arg("-u")).map(|u| u.trim() != "0").unwrap_or(false);
    let apt = |args: &[&str]| {
        let mut cmd = if sudo { env.command("sudo") } else { env.command("apt-get") };
        if sudo {
            cmd.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        }
        cmd.env("DEBIAN_FRONTEND", "noninteractive").args(args);
        cmd
    };
    run(&mut apt(&["update", "-qq"]))?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(&missing);
    run(&mut install)
}

fn ensure_node(env: &Env) -> Result<(), String> {
    for tool in ["node", "npm"] {
        output_of(env.command(tool).arg("--version")).map_err(|e| {
            format!("`{tool} --version` failed ({e}); install Node.js ≥ 20 (e.g. `apt-get install nodejs npm`)")
        })?;
    }
    Ok(())
}

/// wasm-opt from binaryen's npm package, into `<tools>/npm`.
fn ensure_binaryen(env: &Env) -> Result<(), String> {
    let npm_dir = env.tools.join("npm");
    let wasm_opt = npm_dir.join("node_modules/.bin/wasm-opt");
    if prints_version(env, &wasm_opt, WASM_OPT) {
        return Ok(());
    }
    eprintln!("xtask: installing binaryen {BINARYEN_NPM} (wasm-opt) into {}", npm_dir.display());
    std::fs::create_dir_all(&npm_dir).map_err(|e| format!("creating {}: {e}", npm_dir.display()))?;
    run(env
        .command("npm")
        .current_dir(&npm_dir)
        .args(["install", "--no-audit", "--no-fund", "--save-exact"])
        .arg(format!("binaryen@{BINARYEN_NPM}")))?;
    if !prints_version(env, &wasm_opt, WASM_OPT) {
        return Err(format!("{} does not report {WASM_OPT} after installing", wasm_opt.display()));
    }
    Ok(())
}

fn ensure_cargo_tool(env: &Env, tool: &CargoTool) -> Result<(), String> {
    let bin_dir = env.tools.join("bin");
    let present = |bin: &&str| prints_version(env, &bin_dir.join(bin), tool.version);
    if tool.bins.iter().all(present) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing {} {} into {} (a few minutes, once per machine)",
        tool.krate,
        tool.version,
        env.tools.display()
    );
    let mut install = env.command("cargo");
    install
        .current_dir(&env.tools)
        .args(["install", "--root"])
        .arg(&env.tools)
        .args([tool.krate, "--version", tool.version])
        // LTO roughly doubles the build time of these tools for no benefit here.
        .env("CARGO_PROFILE_RELEASE_LTO", "false");
    if tool.locked {
        install.arg("--locked");
    }
    std::fs::create_dir_all(&env.tools).map_err(|e| format!("creating {}: {e}", env.tools.display()))?;
    run(&mut install)?;
    match tool.bins.iter().find(|bin| !present(bin)) {
        Some(bin) => Err(format!("{bin} does not report {} after installing", tool.version)),
        None => Ok(()),
    }
}

/// `npm ci` of the e2e test package, skipped while node_modules was installed
/// from the current package-lock.json (a copy of it is kept as a stamp).
fn ensure_e2e_packages(env: &Env, e2e: &Path) -> Result<(), String> {
    let lock = read(&e2e.join("package-lock.json"))?;
    let stamp = e2e.join("node_modules/.replscope-installed-from.json");
    if std::fs::read_to_string(&stamp).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    run(env.command("npm").current_dir(e2e).args(["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(&stamp, lock).map_err(|e| format!("writing {}: {e}", stamp.display()))
}

/// Whether `<bin> --version` runs and prints `version` as one of its words
/// (`trunk 0.21.14`, `wasm-opt version 132 (version_132)`).
fn prints_version(env: &Env, bin: &Path, version: &str) -> bool {
    if !bin.exists() {
        return false;
    }
    match output_of(env.command(bin).arg("--version")) {
        Ok(out) => out.split_whitespace().any(|word| word.trim_matches(|c| c == '(' || c == ')') == version),
        Err(_) => false,
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// The versions of package `name` in a Cargo.lock.
fn lock_versions(lock: &str, name: &str) -> Vec<String> {
    let wanted = format!("name = \"{name}\"");
    let mut versions = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted
            && let Some(version) = lines.next().and_then(|l| quoted_value(l, "version"))
        {
            versions.push(version);
        }
    }
    versions
}

/// The string value of `key` in `[section]` of a simple TOML file.
fn toml_string(toml: &str, section: &str, key: &str) -> Option<String> {
    let header = format!("[{section}]");
    let mut in_section = false;
    for line in toml.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == header;
        } else if in_section && let Some(value) = quoted_value(line, key) {
            return Some(value);
        }
    }
    None
}

/// `value` from a `key = "value"` line.
fn quoted_value(line: &str, key: &str) -> Option<String> {
    let (k, v) = line.split_once('=')?;
    if k.trim() != key {
        return None;
    }
    let v = v.trim();
    let v = v.strip_prefix('"')?;
    Some(v[..v.find('"')?].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_cargo_lock() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n\
                    [[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.130\"\n";
        assert_eq!(lock_versions(lock, "wasm-bindgen"), ["0.2.130"]);
        assert!(lock_versions(lock, "yew").is_empty());
    }

    #[test]
    fn reads_trunk_tools_section() {
        let toml =
            "[build]\nwasm_opt = \"no\"\n\n[tools]\n# c\nwasm_bindgen = \"0.2.130\"\nwasm_opt = \"version_132\" # x\n";
        assert_eq!(toml_string(toml, "tools", "wasm_bindgen").as_deref(), Some("0.2.130"));
        assert_eq!(toml_string(toml, "tools", "wasm_opt").as_deref(), Some("version_132"));
        assert_eq!(toml_string(toml, "serve", "port"), None);
    }

    #[test]
    fn repository_pins_agree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        check_pins_agree(root).unwrap();
    }
}
