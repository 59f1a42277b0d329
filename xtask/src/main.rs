//! ReplScope's task runner (the cargo `xtask` convention): `cargo xtask serve`
//! and `cargo xtask test`, the only two commands a contributor needs. Both
//! first install the pinned toolchain pieces that are missing (see
//! [`tools`]), so they work on a fresh Debian machine with rustup, gcc and node.

mod run;
mod tools;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use run::{Env, run};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve   install missing tools, then `trunk serve` on http://127.0.0.1:8080
  test    install missing tools, then run every test: native, browser, end-to-end
  tools   only install missing tools
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["serve"] => serve(),
        ["test"] => test(),
        ["tools"] => setup().map(|_| ()),
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nxtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (xtask/ lives directly under it).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ has a parent").to_path_buf()
}

/// Ensures the tools and returns the environment to run them in.
fn setup() -> Result<Env, String> {
    let started = Instant::now();
    heading("tools: checking pinned versions, installing what is missing");
    let env = Env::new(tools::tools_dir()?)?;
    tools::ensure(&env, &repo_root())?;
    println!("tools: ok ({:.1} s, in {})", started.elapsed().as_secs_f64(), env.tools.display());
    Ok(env)
}

fn serve() -> Result<(), String> {
    let env = setup()?;
    heading("serve: trunk serve on http://127.0.0.1:8080 (Ctrl-C stops it)");
    run(env.command("trunk").current_dir(repo_root()).arg("serve"))
}

/// Runs the test steps in order and stops at the first failure.
fn test() -> Result<(), String> {
    let root = repo_root();
    let env = setup()?;
    // On CI the committed Cargo.lock must already be complete.
    let locked: &[&str] = if std::env::var_os("CI").is_some() { &["--locked"] } else { &[] };

    let mut timings = Vec::new();
    let mut step = |name: &str, body: &mut dyn FnMut() -> Result<(), String>| {
        heading(name);
        let started = Instant::now();
        let result = body();
        let secs = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => {
                timings.push(format!("  ok  {name} ({secs:.1} s)"));
                Ok(())
            }
            Err(e) => Err(format!("{name} FAILED after {secs:.1} s: {e}")),
        }
    };

    step("format: cargo fmt --all --check", &mut || {
        run(env.command("cargo").current_dir(&root).args(["fmt", "--all", "--check"]))
    })?;

    step(
        "test 1/3: native tests (cargo test --workspace --exclude replscope-web --exclude replscope-wasm-checks)",
        &mut || {
            run(env
                .command("cargo")
                .current_dir(&root)
                .args(["test", "--workspace", "--exclude", "replscope-web", "--exclude", "replscope-wasm-checks"])
                .args(locked))
        },
    )?;

    step(
        "test 2/3: browser tests in headless Chromium (cargo test --target wasm32-unknown-unknown -p replscope-web -p replscope-wasm-checks)",
        &mut || {
            let mut cmd = env.command("cargo");
            cmd.current_dir(&root)
                .args(["test", "--target", tools::WASM_TARGET, "-p", "replscope-web", "-p", "replscope-wasm-checks"])
                .args(locked)
                // A loaded 2-core machine can take longer than the 20 s default.
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
            if std::env::var_os("CHROMEDRIVER").is_none() {
                cmd.env("CHROMEDRIVER", "/usr/bin/chromedriver");
            }
            run(&mut cmd)
        },
    )?;

    step("test 3/3: end-to-end (trunk build --release, then node --test in tests/e2e)", &mut || {
        run(env.command("trunk").current_dir(&root).args(["build", "--release"]).args(locked))?;
        run(env
            .command("node")
            .current_dir(root.join("tests/e2e"))
            .arg("--test")
            .env("REPLSCOPE_DIST", root.join("dist"))
            .env("REPLSCOPE_SCREENSHOTS", root.join("target/e2e")))
    })?;

    heading("all tests passed");
    for line in timings {
        println!("{line}");
    }
    println!("screenshots: {}", root.join("target/e2e").display());
    Ok(())
}

fn heading(text: &str) {
    println!("\n==> {text}");
}
