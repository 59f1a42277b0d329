//! The `replscope` binary: output formats, exit codes, the examples.

use std::process::Command;

fn replscope(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_replscope")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `text` to a fresh file under the target dir and returns its path.
fn scenario_file(name: &str, text: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Two nodes: step 0 runs at t = 20 ms (nodes start `NODE_START_GAP_MS`
/// = 10 ms apart and the first step one gap after the last).
const SMALL: &str = r#"{"version":1,"nodes":[{"name":"A"},{"name":"B","config":{"port":"6380"}}],"steps":[
  {"node":"A","cmd":["SET","k","v"]},
  {"node":"A","cmd":["GET","k"]},
  {"node":"A","cmd":["GET","nope"]},
  {"node":"A","cmd":["INCR","k"]},
  {"node":"A","cmd":["SET","bin","\u00ff"]},
  {"node":"A","cmd":["GET","bin"]},
  {"advance_ms":1500},
  {"crash":"B"},
  {"node":"B","cmd":["PING"]},
  {"cut":["A","B"]}
]}"#;

#[test]
fn text_output_is_redis_cli_style() {
    let file = scenario_file("small.json", SMALL);
    let (code, out, err) = replscope(&["run", &file]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(
        out,
        "A:6379> SET k v\nOK\n\
         A:6379> GET k\n\"v\"\n\
         A:6379> GET nope\n(nil)\n\
         A:6379> INCR k\n(error) ERR value is not an integer or out of range\n\
         A:6379> SET bin \"\\xc3\\xbf\"\nOK\n\
         A:6379> GET bin\n\"\\xc3\\xbf\"\n\
         -- advanced 1500 ms  (t=+1.520s)\n\
         -- crash B  (t=+1.520s)\n\
         B:6380> PING\nCould not connect to Redis at B:6380: Connection refused\n\
         -- cut A B  (t=+1.520s)\n"
    );
}

#[test]
fn json_output_has_exact_reply_bytes() {
    let file = scenario_file("small-json.json", SMALL);
    let (code, out, _) = replscope(&["run", &file, "--json"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(lines[0], r#"{"step":0,"t_ms":20,"node":"A","cmd":["SET","k","v"],"reply":"+OK\r\n"}"#);
    assert_eq!(lines[1], r#"{"step":1,"t_ms":20,"node":"A","cmd":["GET","k"],"reply":"$1\r\nv\r\n"}"#);
    assert_eq!(lines[2], r#"{"step":2,"t_ms":20,"node":"A","cmd":["GET","nope"],"reply":"$-1\r\n"}"#);
    assert_eq!(
        lines[5],
        "{\"step\":5,\"t_ms\":20,\"node\":\"A\",\"cmd\":[\"GET\",\"bin\"],\"reply\":\"$2\\r\\n\u{ff}\\r\\n\"}"
    );
    assert_eq!(lines[6], r#"{"step":6,"t_ms":1520,"verb":"advance_ms"}"#);
    assert_eq!(lines[8], r#"{"step":8,"t_ms":1520,"node":"B","cmd":["PING"],"error":"connection refused"}"#);
}

#[test]
fn events_are_added_as_lines() {
    let file = scenario_file("small-events.json", SMALL);
    let (code, out, _) = replscope(&["run", &file, "--json", "--events"]);
    assert_eq!(code, 0);
    assert!(
        out.lines().next().unwrap().starts_with(r#"{"t_ms":0,"event":{"type":"node_added","node":"A","port":6379}"#),
        "{out}"
    );
    assert!(out.contains(r#"{"t_ms":1520,"event":{"type":"fault","verb":"cut","from":"A","to":"B"}}"#), "{out}");
    assert_eq!(out.lines().filter(|l| l.starts_with(r#"{"step""#)).count(), 10);
}

#[test]
fn bad_files_exit_nonzero_with_a_message() {
    let file = scenario_file("bad.json", r#"{"version":1,"nodes":[{"name":"A"}],"steps":[{"cut":["A","Q"]}]}"#);
    let (code, out, err) = replscope(&["run", &file]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(err, format!("replscope: {file}: step 0 (\"cut\"): unknown node \"Q\"\n"));
    let (code, _, err) = replscope(&["run", "/nonexistent/scenario.json"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("replscope: /nonexistent/scenario.json: No such file"), "{err}");
    let (code, _, _) = replscope(&["run"]);
    assert_eq!(code, 2, "clap's usage error");
}

#[test]
fn every_example_scenario_runs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"description\""), "{}: needs a description", path.display());
        for args in [&["run"][..], &["run", "--json", "--events"][..]] {
            let mut argv = args.to_vec();
            let p = path.to_string_lossy();
            argv.insert(1, &p);
            let (code, out, err) = replscope(&argv);
            assert_eq!(code, 0, "{}: {err}", path.display());
            assert!(!out.is_empty());
        }
        count += 1;
    }
    assert_eq!(count, 9);
}

/// A scenario whose steps grow memory (SETRANGE, COPY, a replica's copy)
/// stops after the step that crosses `--max-memory`, naming it; the steps
/// before it are all printed.
#[test]
fn max_memory_stops_the_run_naming_the_step() {
    let text = r#"{"version":1,"nodes":[{"name":"A","config":{"proto-max-bulk-len":"1gb"}},
        {"name":"B","config":{"port":"6380","replicaof":"A 6379"}}],"steps":[
      {"settle":{}},
      {"node":"A","cmd":["SETRANGE","k0","9999999","x"]},
      {"node":"A","cmd":["COPY","k0","k1"]},
      {"node":"A","cmd":["COPY","k0","k2"]},
      {"settle":{}},
      {"node":"A","cmd":["COPY","k0","k3"]},
      {"node":"A","cmd":["COPY","k0","k4"]},
      {"node":"A","cmd":["COPY","k0","k5"]},
      {"settle":{}},
      {"node":"A","cmd":["COPY","k0","k6"]}
    ]}"#;
    let file = scenario_file("grow.json", text);
    // 30 MB on A, then B's copy: the settle of step 4 crosses 48mb.
    let (code, out, err) = replscope(&["run", &file, "--max-memory", "48mb"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.starts_with("replscope: step 4 took the simulation to "), "{err}");
    assert!(err.ends_with(" MB, over --max-memory 48mb\n"), "{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("A:6379> ")).count(), 3, "{out}");
    assert!(out.ends_with("-- settled  (t=+5.011s)\n"), "{out}");
    // With room enough (the default 4gb) it runs to the end.
    let (code, out, err) = replscope(&["run", &file]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
}

/// One step asking for more than twice `--max-memory` in one allocation
/// (a node configured with no bulk limit, a 1 TB SETRANGE) is stopped
/// before the allocation reaches the OS.
#[test]
fn one_huge_allocation_is_stopped_before_it_happens() {
    let text = r#"{"version":1,"nodes":[{"name":"A","config":{"proto-max-bulk-len":"9223372036854775807"}}],"steps":[
      {"node":"A","cmd":["SET","a","b"]},
      {"node":"A","cmd":["SETRANGE","k","1000000000000","x"]}
    ]}"#;
    let file = scenario_file("huge.json", text);
    let (code, out, err) = replscope(&["run", &file]);
    assert_eq!(code, 3, "{out}{err}");
    assert_eq!(out, "A:6379> SET a b\nOK\n");
    assert!(err.starts_with("replscope: step 1 asked for 931.3 GB at once (with "), "{err}");
    assert!(err.ends_with(" held), over twice --max-memory 4gb\n"), "{err}");
}

#[test]
fn max_memory_is_documented_and_checked() {
    let (code, out, _) = replscope(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--max-memory <BYTES|Nmb|Ngb>` (default 4gb)"), "{out}");
    let (code, out, _) = replscope(&["run", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--max-memory <BYTES|Nmb|Ngb>") && out.contains("[default: 4gb]"), "{out}");
    let file = scenario_file("tiny.json", SMALL);
    let (code, _, err) = replscope(&["run", &file, "--max-memory", "1k"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value '1k' for '--max-memory <BYTES|Nmb|Ngb>': must be at least 1mb"), "{err}");
}
