//! The README cannot go stale (说明书即测试): every example in it is run
//! against the live service and compared with the answer it shows.
//!
//! An example is a ```sh block whose command is `curl ... http://127.0.0.1:8080/...`
//! or `liuyu ...`, followed by a ```json block: the answer, or an excerpt of
//! it (or a ```csv block: the whole file a `liuyu ... --out FILE` writes). An excerpt keeps any subset of an object's members; an array shows its
//! first elements, in order, and ends with the string `"…"` when more follow.
//! Every value shown must equal the live one. `UPDATE_README=1 cargo test
//! --test readme -- --test-threads=1` rewrites each excerpt from the live answers, keeping its
//! shape (which members, how many elements).
//!
//! Also checked: the matter catalog table equals the catalog served at
//! `/v1/governance`, every relative link resolves to a file in the repository,
//! and no answer shown holds today's date (a clock-dependent example).

mod common;

use std::path::Path;
use std::process::Command;

use axum::body::Body;
use axum::http::{header, Request};
use liuyu::server::router;
use serde_json::Value;

const README: &str = "README.md";
const HOST: &str = "http://127.0.0.1:8080";
const MORE: &str = "…";

fn readme_path() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(README)
}

/// A fenced block: its language, first and last content line (0-based, in the
/// README's lines) and text.
#[derive(Clone)]
struct Block {
    lang: String,
    first: usize,
    end: usize,
    text: String,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        match (&open, t.strip_prefix("```")) {
            (None, Some(lang)) => open = Some((lang.trim().to_string(), i + 1)),
            (Some((lang, first)), Some(_)) => {
                out.push(Block {
                    lang: lang.clone(),
                    first: *first,
                    end: i,
                    text: lines[*first..i].join("\n"),
                });
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Shell words of a command line: single and double quotes, backslash-newline
/// continuations, `#` comments at the start of a word.
fn shell_words(text: &str) -> Vec<String> {
    let text = text.replace("\\\n", " ");
    let (mut words, mut cur, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') if matches!(chars.peek(), Some('"' | '\\' | '$')) => {
                cur.push(chars.next().unwrap_or('\\'))
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => (quote, any) = (Some(c), true),
            (None, '#') if cur.is_empty() && !any => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// What an example asks.
#[derive(Debug)]
enum Ask {
    Http {
        method: String,
        path: String,
        body: Option<String>,
    },
    Cli(Vec<String>),
}

fn parse_ask(sh: &str) -> Option<Ask> {
    let command = sh
        .trim_start()
        .strip_prefix("$ ")
        .unwrap_or(sh.trim_start());
    let words = shell_words(command);
    match words.first().map(String::as_str) {
        Some("curl") => parse_curl(&words[1..]),
        Some("liuyu") => Some(Ask::Cli(words[1..].to_vec())),
        _ => None,
    }
}

fn parse_curl(args: &[String]) -> Option<Ask> {
    let (mut method, mut path, mut body) = (None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-X" | "--request" => method = it.next().cloned(),
            "-d" | "--data" | "--data-raw" => body = it.next().cloned(),
            "-H" | "--header" => {
                it.next();
            }
            url if url.starts_with(HOST) => path = Some(url[HOST.len()..].to_string()),
            _ => {}
        }
    }
    let method = method.unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.into());
    Some(Ask::Http {
        method,
        path: path?,
        body,
    })
}

fn live_http(method: &str, path: &str, body: Option<&str>) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut req = Request::builder().method(method).uri(encode_uri(path));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let req = req
        .body(Body::from(body.unwrap_or("").to_string()))
        .expect("request");
    let reply = rt.block_on(common::send(router(common::embedded_state()), req));
    reply.json()
}

/// Percent-encodes the non-ASCII bytes of a URI as curl does.
fn encode_uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii() && b != b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn live_cli(args: &[String]) -> Value {
    // A command writing `--out FILE` is shown by the file it writes, in scratch.
    let mut args = args.to_vec();
    let out_file = args.iter().position(|a| a == "--out").map(|i| {
        let name = Path::new(&args[i + 1])
            .file_name()
            .expect("--out file")
            .to_owned();
        let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("readme")
            .join(name);
        std::fs::create_dir_all(path.parent().expect("dir")).expect("scratch dir");
        args[i + 1] = path.to_string_lossy().into_owned();
        path
    });
    let out = Command::new(env!("CARGO_BIN_EXE_liuyu"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run liuyu");
    assert!(
        out.status.success(),
        "`liuyu {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(path) = out_file {
        let text = std::fs::read_to_string(&path).expect("output file");
        return Value::String(text.trim_end().to_string());
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("`liuyu {}` printed no JSON ({e})", args.join(" ")))
}

fn live(ask: &Ask) -> Value {
    match ask {
        Ask::Http { method, path, body } => live_http(method, path, body.as_deref()),
        Ask::Cli(args) => live_cli(args),
    }
}

/// Where `shown` differs from `live` (excerpt semantics), as JSON paths.
fn differences(shown: &Value, live: &Value, at: &str, out: &mut Vec<String>) {
    match (shown, live) {
        (Value::Object(s), Value::Object(l)) => {
            for (k, v) in s {
                match l.get(k) {
                    Some(lv) => differences(v, lv, &format!("{at}.{k}"), out),
                    None => out.push(format!("{at}.{k}: not in the answer")),
                }
            }
        }
        (Value::Array(s), Value::Array(l)) => {
            let more = s.last() == Some(&Value::String(MORE.into()));
            let n = s.len() - usize::from(more);
            if (more && l.len() <= n) || (!more && l.len() != n) {
                out.push(format!(
                    "{at}: {} elements shown, {} live",
                    s.len(),
                    l.len()
                ));
            }
            for (i, (sv, lv)) in s[..n].iter().zip(l).enumerate() {
                differences(sv, lv, &format!("{at}[{i}]"), out);
            }
        }
        (s, l) if s == l => {}
        (s, l) => out.push(format!("{at}: shown {s}, live {l}")),
    }
}

/// `live` cut to the shape of `shown` (for `UPDATE_README`).
fn project(shown: &Value, live: &Value) -> Value {
    match (shown, live) {
        (Value::Object(s), Value::Object(l)) => Value::Object(
            s.iter()
                .filter_map(|(k, v)| l.get(k).map(|lv| (k.clone(), project(v, lv))))
                .collect(),
        ),
        (Value::Array(s), Value::Array(l)) => {
            let more = s.last() == Some(&Value::String(MORE.into()));
            if !more {
                // Every element, each cut to the shape of the element shown at
                // its index (or of the last one shown).
                return match s.last() {
                    Some(last) => Value::Array(
                        l.iter()
                            .enumerate()
                            .map(|(i, lv)| project(s.get(i).unwrap_or(last), lv))
                            .collect(),
                    ),
                    None => live.clone(),
                };
            }
            let n = (s.len() - 1).min(l.len());
            let mut v: Vec<Value> = s[..n].iter().zip(l).map(|(a, b)| project(a, b)).collect();
            if l.len() > n {
                v.push(Value::String(MORE.into()));
            }
            Value::Array(v)
        }
        _ => live.clone(),
    }
}

/// Compact JSON for a README: a value on one line when it fits in 92
/// columns, else one member per line.
fn format_json(v: &Value, indent: usize) -> String {
    let one = one_line(v);
    if indent + one.chars().count() <= 92 {
        return one;
    }
    let pad = " ".repeat(indent + 2);
    let (open, close, items): (&str, &str, Vec<String>) = match v {
        Value::Object(m) => (
            "{",
            "}",
            m.iter()
                .map(|(k, x)| {
                    format!(
                        "{pad}{}: {}",
                        Value::String(k.clone()),
                        format_json(x, indent + 2)
                    )
                })
                .collect(),
        ),
        Value::Array(a) => (
            "[",
            "]",
            a.iter()
                .map(|x| format!("{pad}{}", format_json(x, indent + 2)))
                .collect(),
        ),
        _ => return one,
    };
    format!(
        "{open}\n{}\n{}{close}",
        items.join(",\n"),
        " ".repeat(indent)
    )
}

fn one_line(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{}: {}", Value::String(k.clone()), one_line(x)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(one_line).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// Every example of the README: the ask, the block holding what is shown.
fn examples(lines: &[&str]) -> Vec<(Ask, Block)> {
    let all = blocks(lines);
    let mut out = Vec::new();
    for pair in all.windows(2) {
        let (cmd, shown) = (&pair[0], &pair[1]);
        let adjacent = lines[cmd.end + 1..shown.first - 1]
            .iter()
            .all(|l| l.trim().is_empty());
        if cmd.lang == "sh" && matches!(shown.lang.as_str(), "json" | "csv") && adjacent {
            if let Some(ask) = parse_ask(&cmd.text) {
                out.push((ask, shown.clone()));
            }
        }
    }
    out
}

#[test]
fn every_readme_example_shows_the_live_answer() {
    let text = std::fs::read_to_string(readme_path()).expect("README");
    let lines: Vec<&str> = text.lines().collect();
    let examples = examples(&lines);
    assert!(
        examples.len() >= 6,
        "only {} examples found",
        examples.len()
    );
    let update = std::env::var_os("UPDATE_README").is_some();
    let mut problems = Vec::new();
    let mut replaced: Vec<(usize, usize, String)> = Vec::new();
    for (ask, block) in &examples {
        let shown: Value = if block.lang == "csv" {
            Value::String(block.text.clone())
        } else {
            serde_json::from_str(&block.text).unwrap_or_else(|e| {
                panic!(
                    "README line {}: the answer shown is not JSON: {e}",
                    block.first + 1
                )
            })
        };
        let answer = live(ask);
        let mut diff = Vec::new();
        differences(&shown, &answer, "$", &mut diff);
        if update {
            let text = match &answer {
                Value::String(csv) if block.lang == "csv" => csv.clone(),
                _ => format_json(&project(&shown, &answer), 0),
            };
            replaced.push((block.first, block.end, text));
        } else if !diff.is_empty() {
            problems.push(format!(
                "README line {} ({ask:?}):\n  {}",
                block.first + 1,
                diff.join("\n  ")
            ));
        }
        for d in common::dates_around_today() {
            assert!(
                !block.text.contains(&d),
                "README line {}: the example shows {d}, a date around today: pass the date explicitly",
                block.first + 1
            );
        }
    }
    if update {
        write_replaced(&lines, replaced);
    }
    assert!(
        problems.is_empty(),
        "README examples differ from the live answers (UPDATE_README=1 rewrites them):\n{}",
        problems.join("\n")
    );
}

fn write_replaced(lines: &[&str], mut replaced: Vec<(usize, usize, String)>) {
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    replaced.sort_by_key(|r| std::cmp::Reverse(r.0));
    for (first, end, text) in replaced {
        out.splice(first..end, text.lines().map(str::to_string));
    }
    std::fs::write(readme_path(), out.join("\n") + "\n").expect("write README");
}

/// The matter catalog table between `<!-- matters -->` and
/// `<!-- /matters -->`, built from `/v1/governance`.
fn matter_table() -> String {
    let g = live_http("GET", "/v1/governance", None);
    let department = |id: &str| {
        g["departments"]
            .as_array()
            .and_then(|ds| ds.iter().find(|d| d["id"] == id))
            .and_then(|d| d["province_zh"].as_str())
            .unwrap_or(id)
            .to_string()
    };
    let mut rows = vec![
        "| id | 中文名 | English | aliases | lead (provincial level) | 跨流域 counts | river context |"
            .to_string(),
        "|---|---|---|---|---|---|---|".to_string(),
    ];
    for m in g["matters"].as_array().expect("matters") {
        let flag = |k: &str| if m[k] == true { "yes" } else { "" };
        let aliases: Vec<&str> = m["aliases"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        rows.push(format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            m["id"].as_str().unwrap_or(""),
            m["name_zh"].as_str().unwrap_or(""),
            m["name_en"].as_str().unwrap_or(""),
            aliases.join("、"),
            department(m["lead"].as_str().unwrap_or("")),
            flag("basin_related"),
            flag("water_context"),
        ));
    }
    rows.join("\n")
}

#[test]
fn the_matter_table_is_the_served_catalog() {
    let text = std::fs::read_to_string(readme_path()).expect("README");
    let (open, close) = ("<!-- matters -->\n", "<!-- /matters -->");
    let start = text
        .find(open)
        .expect("README has a <!-- matters --> table")
        + open.len();
    let end = start + text[start..].find(close).expect("<!-- /matters -->");
    let want = matter_table() + "\n";
    if std::env::var_os("UPDATE_README").is_some() {
        let new = format!("{}{want}{}", &text[..start], &text[end..]);
        std::fs::write(readme_path(), new).expect("write README");
        return;
    }
    assert_eq!(
        &text[start..end],
        want,
        "README matter table differs (UPDATE_README=1 rewrites it)"
    );
}

#[test]
fn every_relative_link_resolves_and_nothing_refers_to_the_work_plan() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(readme_path()).expect("README");
    let mut bad = Vec::new();
    for (i, _) in text.match_indices("](") {
        let rest = &text[i + 2..];
        let target = &rest[..rest.find(')').unwrap_or(0)];
        let file = target.split('#').next().unwrap_or("");
        if file.is_empty() || file.contains("://") {
            continue;
        }
        if file.starts_with("..") || !root.join(file).exists() {
            bad.push(target.to_string());
        }
    }
    assert!(
        bad.is_empty(),
        "README links that do not resolve inside the repository: {bad:?}"
    );
    for word in ["issue 1", "issue 5", "(issue", "helper", "../shared"] {
        assert!(
            !text.contains(word),
            "README mentions `{word}`: write for users"
        );
    }
}

#[test]
fn shell_words_and_excerpts_behave() {
    assert_eq!(
        shell_words("curl -s -X POST 'http://x/a b' \\\n -d \"{\\\"k\\\": 1}\" # note"),
        [
            "curl",
            "-s",
            "-X",
            "POST",
            "http://x/a b",
            "-d",
            "{\"k\": 1}"
        ]
    );
    let live: Value = serde_json::json!({"a": [1, 2, 3], "b": {"c": 1, "d": 2}});
    let mut d = Vec::new();
    differences(
        &serde_json::json!({"a": [1, MORE], "b": {"c": 1}}),
        &live,
        "$",
        &mut d,
    );
    assert!(d.is_empty(), "{d:?}");
    differences(&serde_json::json!({"a": [1, 2]}), &live, "$", &mut d);
    assert_eq!(d, ["$.a: 2 elements shown, 3 live"]);
    d.clear();
    differences(&serde_json::json!({"b": {"c": 2}}), &live, "$", &mut d);
    assert_eq!(d, ["$.b.c: shown 2, live 1"]);
    assert_eq!(
        project(&serde_json::json!({"a": [0, MORE]}), &live),
        serde_json::json!({"a": [1, MORE]})
    );
}
