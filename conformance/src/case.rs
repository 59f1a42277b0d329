//! Case files: `cases/*.redis`.
//!
//! ```text
//! # Lines starting with `#` are comments. The comments right before a
//! # case's first command become its title.
//! SET k "a b"          # one command per line, redis-cli quoting
//! @sleep 150           # directive: let 150 ms of real time pass
//! GET k
//! ---                  # `---` or a blank line ends the case
//! ```
//!
//! Every case runs on a fresh real server and a fresh core node, so cases
//! never see each other's keys, config or offsets.
//!
//! Directives:
//! - `@sleep <ms>`: sleep in real time. The core's `now_ms` is always the
//!   real server's `TIME` taken just before each command, so it follows.
//!
//! (A `#` only starts a comment at the beginning of a line: `SET k #1` sets
//! the value `#1`, as in redis-cli.)

use std::fmt;
use std::path::Path;

/// One line of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line as written (for reports).
    pub text: String,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run this argv on both sides.
    Command(Vec<Vec<u8>>),
    /// `@sleep <ms>`.
    Sleep(u64),
}

/// A sequence of steps run from an empty server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// File name, e.g. `strings.redis`.
    pub file: String,
    /// Line of the first step.
    pub line: usize,
    /// The comments just before the first step, joined.
    pub title: String,
    pub steps: Vec<Step>,
}

impl Case {
    /// `strings.redis:12`.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// The last line of the case.
    pub fn last_line(&self) -> usize {
        self.steps.last().map_or(self.line, |s| s.line)
    }
}

/// A malformed case file, with its location.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for CaseError {}

/// Reads and parses one case file.
pub fn load(path: &Path) -> Result<Vec<Case>, CaseError> {
    let file = path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned());
    let text =
        std::fs::read_to_string(path).map_err(|e| CaseError { file: file.clone(), line: 0, message: e.to_string() })?;
    parse(&file, &text)
}

/// Parses the text of a case file named `file`.
pub fn parse(file: &str, text: &str) -> Result<Vec<Case>, CaseError> {
    let mut cases = Vec::new();
    let mut title: Vec<String> = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut finish = |title: &mut Vec<String>, steps: &mut Vec<Step>| {
        if !steps.is_empty() {
            cases.push(Case {
                file: file.to_owned(),
                line: steps[0].line,
                title: title.join(" "),
                steps: std::mem::take(steps),
            });
        }
        title.clear();
    };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        let err = |message: String| CaseError { file: file.to_owned(), line, message };
        if trimmed.is_empty() || trimmed == "---" {
            finish(&mut title, &mut steps);
        } else if let Some(comment) = trimmed.strip_prefix('#') {
            if steps.is_empty() {
                title.push(comment.trim().to_owned());
            }
        } else if let Some(directive) = trimmed.strip_prefix('@') {
            let action = parse_directive(directive).map_err(err)?;
            steps.push(Step { line, text: trimmed.to_owned(), action });
        } else {
            let argv = split_args(trimmed).map_err(err)?;
            steps.push(Step { line, text: trimmed.to_owned(), action: Action::Command(argv) });
        }
    }
    finish(&mut title, &mut steps);
    Ok(cases)
}

fn parse_directive(d: &str) -> Result<Action, String> {
    let mut words = d.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("sleep"), Some(ms), None) => {
            ms.parse().map(Action::Sleep).map_err(|_| format!("@sleep wants milliseconds, got {ms:?}"))
        }
        _ => Err(format!("unknown directive @{d} (known: @sleep <ms>)")),
    }
}

/// Splits a line into arguments like redis-cli does: whitespace separates,
/// `"…"` supports `\n \r \t \b \a \\ \" \xHH`, `'…'` supports only `\'`,
/// and a closing quote must be followed by whitespace or the end.
pub fn split_args(line: &str) -> Result<Vec<Vec<u8>>, String> {
    let b = line.as_bytes();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            return Ok(args);
        }
        let mut cur = Vec::new();
        loop {
            if i == b.len() || b[i].is_ascii_whitespace() {
                break;
            }
            match b[i] {
                b'"' => i = read_double_quoted(b, i + 1, &mut cur)?,
                b'\'' => i = read_single_quoted(b, i + 1, &mut cur)?,
                c => {
                    cur.push(c);
                    i += 1;
                }
            }
        }
        args.push(cur);
    }
}

/// Reads after an opening `"`; returns the index after the closing quote.
fn read_double_quoted(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    while i < b.len() {
        match b[i] {
            b'\\' if i + 3 < b.len() && b[i + 1] == b'x' && is_hex(b[i + 2]) && is_hex(b[i + 3]) => {
                out.push(hex(b[i + 2]) * 16 + hex(b[i + 3]));
                i += 4;
            }
            b'\\' if i + 1 < b.len() => {
                out.push(match b[i + 1] {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    b'b' => 8,
                    b'a' => 7,
                    c => c,
                });
                i += 2;
            }
            b'"' => return after_closing_quote(b, i + 1),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err("unbalanced double quotes".into())
}

fn read_single_quoted(b: &[u8], mut i: usize, out: &mut Vec<u8>) -> Result<usize, String> {
    while i < b.len() {
        match b[i] {
            b'\\' if i + 1 < b.len() && b[i + 1] == b'\'' => {
                out.push(b'\'');
                i += 2;
            }
            b'\'' => return after_closing_quote(b, i + 1),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Err("unbalanced single quotes".into())
}

fn after_closing_quote(b: &[u8], i: usize) -> Result<usize, String> {
    if i < b.len() && !b[i].is_ascii_whitespace() {
        return Err("closing quote must be followed by a space or the end of the line".into());
    }
    Ok(i)
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        split_args(line).unwrap().into_iter().map(|a| String::from_utf8(a).unwrap()).collect()
    }

    #[test]
    fn splits_like_redis_cli() {
        assert_eq!(words(r#"SET k "a b""#), ["SET", "k", "a b"]);
        assert_eq!(words(r#"SET k "\x41\n\"q\"" ''"#), ["SET", "k", "A\n\"q\"", ""]);
        assert_eq!(words(r"SET k 'it\'s \n'"), ["SET", "k", "it's \\n"]);
        assert_eq!(words("  GET   k  "), ["GET", "k"]);
        assert_eq!(words(r#"SET k a"b c""#), ["SET", "k", "ab c"]);
        assert_eq!(
            split_args(r#"SET "k"x"#).unwrap_err(),
            "closing quote must be followed by a space or the end of the line"
        );
        assert!(split_args(r#"SET "k"#).is_err());
        assert_eq!(split_args(r#"SET k "\xff""#).unwrap()[2], vec![0xff]);
    }

    #[test]
    fn blank_lines_and_dashes_separate_cases() {
        let text = "# file header\n\n# first\n# case\nSET k v\nGET k\n---\n# second\nGET k\n@sleep 5\n\n\n";
        let cases = parse("t.redis", text).unwrap();
        assert_eq!(cases.len(), 2);
        assert_eq!((cases[0].line, cases[0].title.as_str(), cases[0].steps.len()), (5, "first case", 2));
        assert_eq!((cases[1].line, cases[1].title.as_str()), (9, "second"));
        assert_eq!(cases[1].steps[1].action, Action::Sleep(5));
        assert_eq!(cases[1].location(), "t.redis:9");
    }

    #[test]
    fn bad_lines_are_reported_with_their_location() {
        let e = parse("t.redis", "GET k\n@nap 3\n").unwrap_err();
        assert_eq!((e.line, e.file.as_str()), (2, "t.redis"));
        assert!(parse("t.redis", "SET k \"v\n").is_err());
    }
}
