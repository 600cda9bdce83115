//! Classification throughput on one thread.
//!
//! `cargo run --release -p hindsight-attribution --bin bench_classify [N]` generates N
//! (default 200,000) realistic commits (humans with ordinary trailers, Claude/Cursor/Devin
//! co-authors, footers, agent accounts, Assisted-by, dependabot ...), classifies them, and
//! prints commits/second next to a baseline measured in the same run: a plain scan of the same
//! messages for the substring "Co-authored-by".

use std::hint::black_box;
use std::time::Instant;

use hindsight_attribution::Rules;
use hindsight_model::{AttributionClass, Change, ChangeKind, Person, SourceRef};

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SUBJECTS: &[&str] = &[
    "Fix race in checkout retry loop",
    "Add pagination to the orders API",
    "refactor: split cursor handling out of the reader",
    "Bump timeout for the payment gateway",
    "docs: explain how to continue a failed migration",
    "Revert \"Tune connection pool\"",
    "feat(auth): rotate signing keys",
];

const BODIES: &[&str] = &[
    "The retry loop could observe a stale token when two requests raced.\nThis moves the refresh under the lock and adds a regression test.",
    "Claude and I discussed this in the design review: keep the old path for one release.",
    "Follow-up to #1234. Note: the cursor is now opaque.\n\n* keep the old field\n* add the new one",
    "",
];

fn make_change(rng: &mut Lcg, i: usize) -> Change {
    let mut c = Change::new(
        ChangeKind::Commit,
        format!("{i:040x}"),
        SourceRef::line("bench", i),
    );
    let subject = rng.pick(SUBJECTS);
    let body = rng.pick(BODIES);
    let human = Person {
        name: format!("Dev {}", rng.next() % 300),
        email: format!("dev{}@shop.example", rng.next() % 300),
    };
    let kind = rng.next() % 100;
    let mut trailers = String::new();
    let mut author = human.clone();
    match kind {
        0..=54 => {
            if kind.is_multiple_of(3) {
                trailers.push_str("Signed-off-by: Dev <dev@shop.example>\nReviewed-by: Ops <ops@shop.example>");
            }
        }
        55..=74 => trailers.push_str(
            "🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude Opus 4.1 <noreply@anthropic.com>",
        ),
        75..=79 => trailers.push_str("Co-authored-by: Cursor Agent <cursoragent@cursor.com>"),
        80..=84 => {
            author = Person {
                name: "Devin AI".into(),
                email: "158243242+devin-ai-integration[bot]@users.noreply.github.com".into(),
            }
        }
        85..=89 => {
            author = Person {
                name: "dependabot[bot]".into(),
                email: "49699333+dependabot[bot]@users.noreply.github.com".into(),
            }
        }
        90..=92 => {
            author = Person {
                name: "copilot-swe-agent[bot]".into(),
                email: "198982749+Copilot@users.noreply.github.com".into(),
            }
        }
        93..=94 => trailers.push_str("Assisted-by: Claude:claude-3-opus coccinelle"),
        95..=96 => trailers.push_str(
            "Co-authored-by: Ada <ada@shop.example>\nCo-authored-by: Jane <jane@anthropic.com>",
        ),
        _ => trailers.push_str("Made-with: Cursor"),
    }
    c.title = subject.to_owned();
    c.message = match (body.is_empty(), trailers.is_empty()) {
        (true, true) => subject.to_owned(),
        (false, true) => format!("{subject}\n\n{body}"),
        (true, false) => format!("{subject}\n\n{trailers}"),
        (false, false) => format!("{subject}\n\n{body}\n\n{trailers}"),
    };
    c.committer = Some(human);
    c.author = Some(author);
    c
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let mut rng = Lcg(0x5eed);
    let changes: Vec<Change> = (0..n).map(|i| make_change(&mut rng, i)).collect();
    let rules = Rules::builtin();

    // Baseline: the cheapest conceivable pass over the same messages.
    let start = Instant::now();
    let mut with_trailer = 0usize;
    for c in &changes {
        if black_box(c.message.as_str()).contains("Co-authored-by") {
            with_trailer += 1;
        }
    }
    let baseline = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut counts = [0usize; 4];
    for c in &changes {
        let a = rules.classify(black_box(c));
        counts[match a.class {
            AttributionClass::Ai => 0,
            AttributionClass::Human => 1,
            AttributionClass::Automation => 2,
            AttributionClass::Unknown => 3,
        }] += 1;
        black_box(a);
    }
    let classify = start.elapsed().as_secs_f64();

    let rate = n as f64 / classify;
    let base_rate = n as f64 / baseline;
    println!("commits: {n} (ai {}, human {}, automation {}, unknown {}; {with_trailer} contain \"Co-authored-by\")", counts[0], counts[1], counts[2], counts[3]);
    println!("classify: {classify:.3} s, {rate:.0} commits/s");
    println!("baseline substring scan: {baseline:.4} s, {base_rate:.0} commits/s");
    println!(
        "classify / baseline time ratio: {:.1}x",
        classify / baseline
    );
    println!(
        "target 200000 commits/s: {}",
        if rate >= 200_000.0 { "met" } else { "NOT met" }
    );
}
