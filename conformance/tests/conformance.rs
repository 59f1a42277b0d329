//! The conformance suite: every case of `cases/*.redis` on the core and on a
//! fresh real redis-server, compared reply by reply and byte by byte.
//!
//! ```text
//! cargo test -p replscope-conformance --test conformance              # all files
//! CONFORMANCE_CASE=strings cargo test -p replscope-conformance --test conformance
//! CONFORMANCE_CASE=strings.redis:42 …                                  # the case holding line 42
//! CONFORMANCE_VERBOSE=1 …                                              # print every step, passing or not
//! ```
//! Output is printed by the test; on failure libtest shows it (add
//! `-- --nocapture` to see it on success too).

use std::path::{Path, PathBuf};
use std::time::Instant;

use replscope_conformance::case::{self, Case};
use replscope_conformance::report::{self, FileSummary, case_report, escape, stream_commands};
use replscope_conformance::runner::{CaseResult, run_case};

/// `CONFORMANCE_CASE`: `<file>` (with or without `.redis`) or `<file>:<line>`.
struct Filter {
    file: String,
    line: Option<usize>,
}

impl Filter {
    fn from_env() -> Option<Filter> {
        let v = std::env::var("CONFORMANCE_CASE").ok().filter(|v| !v.is_empty())?;
        let (file, line) = match v.rsplit_once(':') {
            Some((f, l)) => {
                (f.to_owned(), Some(l.parse().unwrap_or_else(|_| panic!("CONFORMANCE_CASE: bad line in {v:?}"))))
            }
            None => (v.clone(), None),
        };
        let file = Path::new(&file).file_name().map_or(file.clone(), |f| f.to_string_lossy().into_owned());
        let file = if file.ends_with(".redis") { file } else { format!("{file}.redis") };
        Some(Filter { file, line })
    }

    fn wants_file(&self, name: &str) -> bool {
        self.file == name
    }

    fn wants_case(&self, c: &Case) -> bool {
        self.line.is_none_or(|l| (c.line..=c.last_line()).contains(&l) || l < c.line && c.line - l <= 3)
    }
}

fn case_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "redis"))
        .collect();
    files.sort();
    files
}

fn transcript(r: &CaseResult) -> String {
    let mut out = format!("# {} {}\n", r.case.location(), r.case.title);
    for s in &r.steps {
        let ex = &s.exchange;
        out.push_str(&format!(
            "{:<5} {}\n      real {}  stream {}\n      core {}  stream {}\n",
            s.step.line,
            s.step.text,
            escape(&ex.real_reply.to_bytes()),
            stream_commands(&ex.real_stream),
            escape(&ex.core_reply.to_bytes()),
            stream_commands(&ex.core_stream),
        ));
    }
    out
}

#[test]
fn conformance() {
    let started = Instant::now();
    let filter = Filter::from_env();
    let verbose = std::env::var("CONFORMANCE_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let mut summaries = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    for path in case_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if filter.as_ref().is_some_and(|f| !f.wants_file(&name)) {
            continue;
        }
        let cases = case::load(&path).unwrap_or_else(|e| panic!("malformed case file: {e}"));
        let mut summary = FileSummary { file: name.clone(), ..FileSummary::default() };
        for c in cases.iter().filter(|c| filter.as_ref().is_none_or(|f| f.wants_case(c))) {
            let result = run_case(c);
            if verbose {
                println!("{}", transcript(&result));
            }
            if !result.passed() {
                println!("{}", case_report(&result));
                failed.push(c.location());
            }
            summary.add(&result);
        }
        summaries.push(summary);
    }
    let total_cases: usize = summaries.iter().map(|s| s.cases).sum();
    assert!(total_cases > 0, "CONFORMANCE_CASE selected no case");
    println!("{}", report::summary_table(&summaries));
    println!("conformance: {total_cases} cases in {:.1}s", started.elapsed().as_secs_f64());
    if !failed.is_empty() {
        println!(
            "rerun one with: CONFORMANCE_CASE={} cargo test -p replscope-conformance --test conformance -- --nocapture",
            failed[0]
        );
        panic!("{} of {total_cases} conformance cases differ from real Redis: {}", failed.len(), failed.join(", "));
    }
}
