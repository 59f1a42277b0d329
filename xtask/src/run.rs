//! Running child processes with the project's environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The environment every child process gets: the tools directory first on
/// PATH (so trunk and wasm-bindgen-test-runner find the pinned binaries, not
/// whatever else is installed), and the settings trunk needs.
pub struct Env {
    pub tools: PathBuf,
    path: std::ffi::OsString,
}

impl Env {
    pub fn new(tools: PathBuf) -> Result<Env, String> {
        let mut dirs = crate::tools::bin_dirs(&tools);
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).map_err(|e| format!("building PATH: {e}"))?;
        Ok(Env { tools, path })
    }

    /// A command for `program`, looked up in the children's PATH (tools
    /// directory first) rather than in xtask's own.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        let mut cmd = Command::new(self.which(program).as_deref().unwrap_or(program.as_ref()));
        cmd.env("PATH", &self.path)
            // trunk 0.21.14 aborts when NO_COLOR is set, and its update check
            // is a network call.
            .env_remove("NO_COLOR")
            .env("TRUNK_SKIP_VERSION_CHECK", "true")
            // CI runs with no stdin; nothing here should ever wait for input.
            .stdin(Stdio::null());
        cmd
    }

    fn which(&self, program: &OsStr) -> Option<PathBuf> {
        if Path::new(program).components().count() != 1 {
            return None;
        }
        std::env::split_paths(&self.path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
    }
}

/// Runs `cmd` with inherited stdout/stderr; an error names the command.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("could not start {}: {e}", show(cmd)))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", show(cmd))) }
}

/// Runs `cmd` and returns its stdout; stderr is discarded.
pub fn output_of(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.stderr(Stdio::null()).output().map_err(|e| format!("could not start {}: {e}", show(cmd)))?;
    if !out.status.success() {
        return Err(format!("{} failed ({})", show(cmd), out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `program arg arg…` for messages.
pub fn show(cmd: &Command) -> String {
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    words.join(" ")
}
