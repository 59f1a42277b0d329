//! Human-readable reports: enough to fix a command from the report alone.
//!
//! A failing case is printed whole, so the state leading to the mismatch is
//! visible; each differing step shows the core's and the real server's reply
//! and stream, both as escaped RESP bytes and, for streams, as decoded
//! commands, plus the normalisation rules that fired.

use std::fmt::Write;

use crate::runner::{CaseResult, StepResult, Verdict};
use crate::wire::parse_commands;

/// Bytes as a double-quoted string with `\r \n \t \\ \"` and `\xHH` escapes.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s.push('"');
    s
}

/// Stream bytes as commands, redis-cli style: `SELECT 0 | SET k v`.
pub fn stream_commands(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "(nothing propagated)".into();
    }
    match parse_commands(bytes) {
        Ok(cmds) => cmds
            .iter()
            .map(|argv| argv.iter().map(|a| word(a)).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" | "),
        Err(e) => format!("(not a command stream: {e})"),
    }
}

fn word(arg: &[u8]) -> String {
    let plain = !arg.is_empty() && arg.iter().all(|&b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain { String::from_utf8_lossy(arg).into_owned() } else { escape(arg) }
}

/// The report of one failing (or erroring) case; empty if it passed.
pub fn case_report(r: &CaseResult) -> String {
    if r.passed() {
        return String::new();
    }
    let mut out = String::new();
    let c = &r.case;
    let title = if c.title.is_empty() { String::new() } else { format!(" \"{}\"", c.title) };
    let _ = writeln!(out, "✗ case {}{title}: {} of {} command(s) differ", c.location(), r.mismatches(), r.steps.len());
    let mut judged = r.steps.iter().peekable();
    for step in &c.steps {
        let result = match judged.peek() {
            Some(s) if s.step.line == step.line => judged.next(),
            _ => None,
        };
        let mark = match result.map(|s| s.verdict) {
            Some(Verdict::Mismatch) => "✗",
            Some(Verdict::Allowed(_)) => "~",
            Some(Verdict::Match) => " ",
            None if step.text.starts_with('@') => " ",
            None => "?",
        };
        let _ = writeln!(out, "  {mark} {}:{:<4} {}", c.file, step.line, step.text);
        if let Some(s) = result {
            match s.verdict {
                Verdict::Mismatch => step_details(&mut out, s),
                Verdict::Allowed(d) => {
                    let _ = writeln!(out, "        allowed difference: {}", d.reason);
                }
                Verdict::Match => {}
            }
        }
    }
    if let Some(e) = &r.error {
        let _ = writeln!(out, "  ! harness error, case stopped: {e}");
    }
    out
}

fn step_details(out: &mut String, s: &StepResult) {
    let ex = &s.exchange;
    if s.reply_differs {
        // When a normalised view follows, it carries the comparison; long
        // raw replies (INFO) are cut to keep the report readable.
        let normalised = s.reply.core != ex.core_reply || s.reply.real != ex.real_reply;
        let limit = if normalised { 300 } else { usize::MAX };
        let _ = writeln!(out, "        reply   core: {}", shorten(escape(&ex.core_reply.to_bytes()), limit));
        let _ = writeln!(out, "                real: {}", shorten(escape(&ex.real_reply.to_bytes()), limit));
        if normalised {
            let _ = writeln!(out, "          compared as core: {}", escape(&s.reply.core.to_bytes()));
            let _ = writeln!(out, "                      real: {}", escape(&s.reply.real.to_bytes()));
        }
    } else {
        let _ = writeln!(out, "        reply   same: {}", escape(&ex.real_reply.to_bytes()));
    }
    if s.stream_differs {
        let _ = writeln!(out, "        stream  core: {}", stream_commands(&ex.core_stream));
        let _ = writeln!(out, "                real: {}", stream_commands(&ex.real_stream));
        let _ = writeln!(out, "          bytes core ({}): {}", ex.core_stream.len(), escape(&ex.core_stream));
        let _ = writeln!(out, "                real ({}): {}", ex.real_stream.len(), escape(&ex.real_stream));
    } else {
        let _ = writeln!(out, "        stream  same: {}", stream_commands(&ex.real_stream));
    }
    for note in s.reply.notes.iter().chain(&s.stream.notes) {
        let _ = writeln!(out, "        normalised: {note}");
    }
}

fn shorten(s: String, limit: usize) -> String {
    if s.len() <= limit {
        return s;
    }
    let mut cut = limit;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} chars)", &s[..cut], s.len())
}

/// Per-file totals.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    pub cases: usize,
    pub cases_failed: usize,
    pub steps: usize,
    pub steps_mismatched: usize,
    pub steps_allowed: usize,
}

impl FileSummary {
    pub fn add(&mut self, r: &CaseResult) {
        self.cases += 1;
        self.cases_failed += usize::from(!r.passed());
        self.steps += r.steps.len();
        self.steps_mismatched += r.mismatches();
        self.steps_allowed += r.allowed();
    }
}

/// The summary table printed at the end of a run, with a TOTAL row.
pub fn summary_table(files: &[FileSummary]) -> String {
    let mut total = FileSummary { file: "TOTAL".into(), ..FileSummary::default() };
    for f in files {
        total.cases += f.cases;
        total.cases_failed += f.cases_failed;
        total.steps += f.steps;
        total.steps_mismatched += f.steps_mismatched;
        total.steps_allowed += f.steps_allowed;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<24} {:>6} {:>6} {:>6} {:>8} {:>9} {:>8}",
        "file", "cases", "pass", "fail", "commands", "mismatch", "allowed"
    );
    for f in files.iter().chain(std::iter::once(&total)) {
        let _ = writeln!(
            out,
            "{:<24} {:>6} {:>6} {:>6} {:>8} {:>9} {:>8}",
            f.file,
            f.cases,
            f.cases - f.cases_failed,
            f.cases_failed,
            f.steps,
            f.steps_mismatched,
            f.steps_allowed
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_resp_bytes_readably() {
        assert_eq!(escape(b"+OK\r\n"), r#""+OK\r\n""#);
        assert_eq!(escape(b"a\"b\\\xff"), r#""a\"b\\\xff""#);
    }

    #[test]
    fn shows_streams_as_commands() {
        let s = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n";
        assert_eq!(stream_commands(s), r#"SELECT 0 | SET k "a b""#);
        assert_eq!(stream_commands(b""), "(nothing propagated)");
    }
}
