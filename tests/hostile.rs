//! Hostile copies of every fixture: bytes flipped, cut, repeated, BOMs, CRLF, invalid UTF-8,
//! deep nesting, huge numbers and wrong types spliced in. Whatever the copy, detection and
//! every parser answer with records, rejections that say where, or an error naming the file:
//! never a panic. Ingested into a store, a copy is stored whole or changes nothing, a second
//! ingest of it changes nothing, and everything that reads the store still answers.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use hindsight_api::{EventQueryDto, Hindsight, IngestOptions, ReportFormat};
use hindsight_ingest::{
    detect, is_line_format, parse, parse_mapped, parse_stream, Format, IngestError, Mapping, Parsed,
};

/// A small deterministic generator (xorshift64*), so that a failure names a copy that can be
/// made again.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Text that breaks parsers: types they do not expect, numbers out of range, odd times.
const SPLICES: &[&[u8]] = &[
    b"\"",
    b"{",
    b"[",
    b"}",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b"-1",
    b"1e400",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"99999999999999999999",
    b"0.5",
    b"NaN",
    b"\"\"",
    b"\"2024-02-30T25:61:61Z\"",
    b"\"9999-12-31T23:59:59+23:59\"",
    b"\"-0001-01-01T00:00:00Z\"",
    b"1e19",
    b"\xef\xbb\xbf",
    b"\r\n",
    b"\r",
    b"\n",
    b"\xff\xfe",
    b"\xc3",
    b"\xe2\x82",
    b"\0",
    b"\\u0000",
    b"\\ud800",
    b"\t",
    b"=",
    b"==",
    b"key=\"unterminated",
    b"---\n",
    b"- ",
    b"|",
    b"## Timeline\n",
    b"00:00 OUTAGE BEGINS\n",
    b"24:99 ",
    b"commit ",
    b"Date: ",
    b"AuthorDate: 1970-01-01",
    b"CommitDate: not a date\n",
    b"   \n",
    b"\xe6\x97\xa5\xe6\x9c\xac",
];

/// One hostile copy of `bytes`.
fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.truncate(at),
            2 => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 => {
                let end = (at + 1 + rng.below(256)).min(out.len());
                let copy = out[at.min(end)..end].to_vec();
                let times = 1 + rng.below(8);
                for _ in 0..times {
                    out.splice(at..at, copy.iter().copied());
                }
            }
            4 => {
                // Deep nesting.
                let depth = 1 + rng.below(5000);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                out.splice(at..at, std::iter::repeat_n(open, depth));
            }
            5 => {
                // A very long run with no line break.
                let n = 1 + rng.below(200_000);
                out.splice(at..at, std::iter::repeat_n(b'a', n));
            }
            6 => {
                // CRLF everywhere, or a BOM in front.
                if rng.below(2) == 0 {
                    out = out
                        .iter()
                        .flat_map(|b| {
                            if *b == b'\n' {
                                vec![b'\r', b'\n']
                            } else {
                                vec![*b]
                            }
                        })
                        .collect();
                } else {
                    out.splice(0..0, *b"\xef\xbb\xbf");
                }
            }
            _ => {
                let splice = SPLICES[rng.below(SPLICES.len())];
                // Replace a token-sized run, or insert.
                let end = if rng.below(2) == 0 {
                    (at + rng.below(12)).min(out.len())
                } else {
                    at
                };
                out.splice(at..end, splice.iter().copied());
            }
        }
    }
    out
}

fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures directory")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo_path("fixtures/formats"), &mut out);
    out
}

/// A rejection says why and where.
fn check_rejection(parsed: &Parsed) {
    if let Parsed::Rejected(r) = parsed {
        assert!(!r.reason.is_empty(), "a rejection says why: {r:?}");
        assert!(!r.location.is_empty(), "a rejection says where: {r:?}");
    }
}

/// An error names the file it is about (`copy`), and a malformed one a line from 1 on.
fn check_error(e: &IngestError, read_as: &str) {
    assert!(e.to_string().contains("copy"), "{read_as}: {e}");
    if let IngestError::Malformed { line, .. } = e {
        assert!(*line >= 1, "{read_as}: line {line}");
    }
}

fn assert_no_panics(panics: &[String]) {
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n")
    );
}

/// Parses `bytes` as `format`, checking that each rejection says why and where and that an
/// error names the file; a panic (of a parser or of these checks) is returned as its message.
fn parse_as(format: Format, bytes: &[u8]) -> Result<(), String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut sink = |p: Parsed| check_rejection(&p);
        let result = if is_line_format(format) && format != Format::GitLog {
            parse_stream(format, "copy", &mut &bytes[..], &mut sink)
        } else {
            parse(format, "copy", bytes, &mut sink)
        };
        if let Err(e) = result {
            check_error(&e, &format!("{format:?}"));
        }
    }));
    outcome.map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "panic".to_owned())
    })
}

fn copies_per_fixture() -> usize {
    std::env::var("HINDSIGHT_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24)
}

#[test]
fn hostile_copies_of_every_fixture_never_panic_any_parser() {
    let files = fixtures();
    assert!(files.len() >= 25, "fixtures found: {}", files.len());
    let mut panics = Vec::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("fixture");
        let detected = detect(bytes.get(..64 * 1024).unwrap_or(&bytes));
        for copy in 0..copies_per_fixture() {
            let seed = rng.next();
            let hostile = mutate(&bytes, &mut Rng(seed | 1));
            let head = hostile.get(..64 * 1024).unwrap_or(&hostile);
            if let Err(message) = catch_unwind(|| detect(head)).map_err(|_| "detect panicked") {
                panics.push(format!(
                    "{} copy {copy} (seed {seed}): {message}",
                    path.display()
                ));
            }
            // Its own format, and two others chosen at random.
            let mut formats: Vec<Format> = detected.into_iter().collect();
            for _ in 0..2 {
                formats.push(Format::ALL[rng.below(Format::ALL.len())]);
            }
            for format in formats {
                parsed += 1;
                if let Err(message) = parse_as(format, &hostile) {
                    panics.push(format!(
                        "{} copy {copy} (seed {seed}) as {format:?}: {message}",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(parsed > files.len() * copies_per_fixture());
    assert_no_panics(&panics);
}

#[test]
fn hostile_copies_of_mapped_files_never_panic() {
    let dir = repo_path("fixtures/formats/mapped");
    let mut panics = Vec::new();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for (data, mapping) in [
        ("shipit-deploys.csv", "shipit-deploys.toml"),
        ("statusboard-incidents.json", "statusboard-incidents.toml"),
        ("deploy.log", "deploy-log.toml"),
    ] {
        let text = std::fs::read_to_string(dir.join(mapping)).expect("mapping");
        let mapping = Mapping::from_toml(&text, mapping).expect("mapping parses");
        let bytes = std::fs::read(dir.join(data)).expect("data");
        for copy in 0..copies_per_fixture() * 4 {
            let seed = rng.next();
            let hostile = mutate(&bytes, &mut Rng(seed | 1));
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let result = parse_mapped(&mapping, "copy", &hostile, &mut |p| check_rejection(&p));
                if let Err(e) = result {
                    check_error(&e, data);
                }
            }));
            if outcome.is_err() {
                panics.push(format!("{data} copy {copy} (seed {seed})"));
            }
        }
    }
    assert_no_panics(&panics);
}

#[test]
fn hostile_copies_ingested_into_a_store_are_stored_whole_or_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = Hindsight::open(&dir.path().join("h.sqlite")).expect("open");
    let now: DateTime<Utc> = "2026-11-26T12:00:00Z".parse().expect("time");
    let options = IngestOptions {
        format: None,
        now,
        cancel: None,
        mapping: None,
    };
    let ingest = |path: &Path| {
        catch_unwind(AssertUnwindSafe(|| {
            app.ingest_paths(&[path.to_path_buf()], &options, &mut |_| {})
        }))
    };
    // Links and a timeline to merge into: the demo data set.
    let demo = repo_path("fixtures/demo");
    let demo_report = app
        .ingest_paths(std::slice::from_ref(&demo), &options, &mut |_| {})
        .expect("demo");
    assert!(demo_report.files.iter().all(|f| f.status == "stored"));

    let mut files = fixtures();
    let mut demo_files: Vec<PathBuf> = std::fs::read_dir(&demo)
        .expect("demo")
        .map(|e| e.expect("entry").path())
        .collect();
    demo_files.sort();
    files.extend(demo_files);
    // An ingest also relinks and refreshes the timeline: fewer copies than the parsers get.
    let copies = copies_per_fixture().div_ceil(8);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut stored = 0;
    let mut panics = Vec::new();
    for (n, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).expect("fixture");
        let name = path.file_name().expect("name").to_string_lossy();
        for copy in 0..copies {
            let seed = rng.next();
            let label = format!("{} copy {copy} (seed {seed})", path.display());
            let target = dir.path().join(format!("{n}-{copy}-{name}"));
            std::fs::write(&target, mutate(&bytes, &mut Rng(seed | 1))).expect("write");
            let before = app.overview().expect("overview");
            let Ok(first) = ingest(&target) else {
                panics.push(label);
                continue;
            };
            let first = first.expect("each file answers for itself");
            let after = app.overview().expect("overview");
            let status = first.files[0].status.as_str();
            match status {
                "stored" => stored += 1,
                // The same bytes as an earlier copy.
                "already_ingested" => assert_eq!(after, before, "{label}"),
                "failed" => assert_eq!(after, before, "{label}: a failed file changes nothing"),
                other => panic!("{label}: status {other}"),
            }
            let Ok(again) = ingest(&target) else {
                panics.push(format!("{label}, again"));
                continue;
            };
            let again = again.expect("each file answers for itself");
            let expected = if status == "failed" {
                "failed"
            } else {
                "already_ingested"
            };
            assert_eq!(again.files[0].status, expected, "{label}");
            assert_eq!(app.overview().expect("overview"), after, "{label}: again");
        }
    }
    assert!(
        panics.is_empty(),
        "{} panics:\n{}",
        panics.len(),
        panics.join("\n")
    );
    assert!(
        stored > 0,
        "some hostile copies are still stored (with their rejections)"
    );

    // Everything that reads the store still answers.
    for format in [
        ReportFormat::Json,
        ReportFormat::Markdown,
        ReportFormat::Html,
    ] {
        let text = app.render_report(format, now).expect("report");
        assert!(!text.is_empty());
    }
    app.analytics().expect("analytics");
    for incident in app.list_incidents().expect("incidents") {
        app.incident_detail(incident.id).expect("incident detail");
    }
    let everything = EventQueryDto::default();
    let page = app.search_events(&everything).expect("events");
    assert!(page.total > 0);
    app.event_histogram(&everything).expect("histogram");
}
