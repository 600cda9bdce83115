//! Shared by the workspace's benchmarks (`benches/`): deterministic generated data shaped like
//! the real thing. The end-to-end tests live in `e2e.rs` and `report.rs`.

/// The allocator the CLI and the app use, so that benchmarks measure what they run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// SplitMix64: a small deterministic generator, so every run sees the same data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The `i`th commit SHA of a generated history: 40 hex digits spread like a real SHA-1 (a
/// counter padded with zeros would share long prefixes, which real SHAs do not, and make
/// sorting and prefix lookups look slower than they are). Different `stream`s never meet.
pub fn fake_sha(stream: u64, i: u64) -> String {
    let mut rng = Rng(stream.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ i);
    format!(
        "{:016x}{:016x}{:08x}",
        rng.next_u64(),
        rng.next_u64(),
        rng.next_u64() as u32
    )
}

/// The number in the environment variable `name`, or `default` when it is unset or not one.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// `HINDSIGHT_BENCH_SCALE`: the share of a benchmark's full size to run, 1 unless set to a
/// positive number (0.01 for a quick smoke run).
pub fn bench_scale() -> f64 {
    Some(env_number("HINDSIGHT_BENCH_SCALE", 1.0))
        .filter(|s| *s > 0.0)
        .unwrap_or(1.0)
}

/// The process's peak resident set size (VmHWM), in MiB; `None` off Linux.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Writes `n` commits as `git log --format=fuller` prints them, newest first: the `i`th is
/// dated `at(i)` (an RFC 3339 text), touches `services[i % len]`, carries SHA
/// `fake_sha(sha_stream, i)`, and every third has an AI co-author trailer.
pub fn write_gitlog(
    path: &std::path::Path,
    n: usize,
    services: &[&str],
    sha_stream: u64,
    at: impl Fn(usize) -> String,
) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in (0..n).rev() {
        let at = at(i);
        let dev = i % 50;
        writeln!(out, "commit {}", fake_sha(sha_stream, i as u64))?;
        writeln!(out, "Author:     Dev {dev} <dev{dev}@shop.example>")?;
        writeln!(out, "AuthorDate: {at}")?;
        writeln!(out, "Commit:     Dev {dev} <dev{dev}@shop.example>")?;
        writeln!(out, "CommitDate: {at}\n")?;
        let service = services.get(i % services.len().max(1)).unwrap_or(&"repo");
        writeln!(out, "    {service}: change number {i}\n    ")?;
        writeln!(out, "    Why this change was made, in a sentence or two.")?;
        if i % 3 == 0 {
            // Blank lines inside a message are indented like the rest of it.
            writeln!(
                out,
                "    \n    Co-authored-by: Claude <noreply@anthropic.com>"
            )?;
        }
        writeln!(out)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_shas_are_forty_hex_digits_distinct_and_spread() {
        let shas: Vec<String> = (0..10_000).map(|i| fake_sha(1, i)).collect();
        assert!(shas
            .iter()
            .all(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())));
        let distinct: std::collections::HashSet<&str> = shas.iter().map(|s| &s[..12]).collect();
        assert_eq!(distinct.len(), shas.len(), "12-digit prefixes are unique");
        let first: std::collections::HashSet<char> =
            shas.iter().filter_map(|s| s.chars().next()).collect();
        assert_eq!(first.len(), 16, "first digits cover every hex digit");
        assert_ne!(fake_sha(1, 7), fake_sha(2, 7));
        assert_eq!(fake_sha(3, 9), fake_sha(3, 9));
    }

    #[test]
    fn a_generated_gitlog_has_every_commit_newest_first_with_its_trailers() {
        let dir = std::env::temp_dir().join(format!("hindsight-gitlog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("log");
        write_gitlog(&path, 4, &["checkout", "payments"], 7, |i| {
            format!("2026-01-0{}T00:00:00+00:00", i + 1)
        })
        .expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        let commits: Vec<&str> = text.lines().filter(|l| l.starts_with("commit ")).collect();
        assert_eq!(
            commits,
            [3, 2, 1, 0]
                .map(|i| format!("commit {}", fake_sha(7, i)))
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
        );
        assert!(text.contains("    payments: change number 3"));
        assert!(text.contains("AuthorDate: 2026-01-01T00:00:00+00:00"));
        assert_eq!(
            text.matches("Co-authored-by: Claude").count(),
            2,
            "commits 3 and 0"
        );
        std::fs::remove_dir_all(&dir).expect("clean");
    }
}
