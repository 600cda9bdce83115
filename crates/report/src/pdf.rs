//! A small, dependency-free PDF 1.7 writer for the report.
//!
//! Text is set in three of the base-14 fonts every PDF reader carries (Helvetica,
//! Helvetica-Bold, Courier) with WinAnsiEncoding, so it stays real, selectable and searchable
//! text and no font is embedded. Characters outside WinAnsi become `?`. Content streams are
//! not compressed, so text extraction tools (and the tests) read them directly.
//!
//! Layout is two-pass: the body sections are laid out first, then the title page and the
//! table of contents are written with the real page numbers, and every page gets a
//! "Page N of M" footer.

use std::fmt::Write;

use crate::findings::{join_or_dash, ratio};
use crate::{
    display_class, display_duration, display_rate, display_time, short_sha, Report, ReportCohort,
    ReportFindings,
};

/// A4 in points.
const PAGE_W: f64 = 595.28;
const PAGE_H: f64 = 841.89;
const MARGIN_X: f64 = 56.69;
const MARGIN_TOP: f64 = 64.0;
const MARGIN_BOTTOM: f64 = 64.0;
const FOOTER_Y: f64 = 34.0;
const CONTENT_W: f64 = PAGE_W - 2.0 * MARGIN_X;
const BODY_SIZE: f64 = 9.5;
const TOC_LINES_PER_PAGE: usize = 40;

/// Helvetica advance widths (1/1000 em) for WinAnsi codes 32..=255, from Adobe's AFM.
#[rustfmt::skip]
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold advance widths (1/1000 em) for WinAnsi codes 32..=255, from Adobe's AFM.
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

/// An outline entry: title, 1-based page number, and its children.
type OutlineItem = (String, usize, Vec<(String, usize)>);

/// The WinAnsi bullet.
const BULLET: u8 = 0x95;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
    Mono,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
            Font::Mono => "F3",
        }
    }

    /// Advance width of one WinAnsi byte, in 1/1000 em.
    fn advance(self, byte: u8) -> f64 {
        let table = match self {
            Font::Mono => return 600.0,
            Font::Regular => &HELVETICA,
            Font::Bold => &HELVETICA_BOLD,
        };
        usize::from(byte)
            .checked_sub(32)
            .and_then(|i| table.get(i))
            .map_or(0.0, |w| f64::from(*w))
    }

    fn width(self, bytes: &[u8], size: f64) -> f64 {
        bytes.iter().map(|b| self.advance(*b)).sum::<f64>() * size / 1000.0
    }
}

/// The WinAnsi code of a character above Latin-1's C1 range, if it has one.
fn win_ansi_high(ch: char) -> Option<u8> {
    Some(match ch {
        '\u{20AC}' => 0x80,
        '\u{201A}' => 0x82,
        '\u{0192}' => 0x83,
        '\u{201E}' => 0x84,
        '\u{2026}' => 0x85,
        '\u{2020}' => 0x86,
        '\u{2021}' => 0x87,
        '\u{02C6}' => 0x88,
        '\u{2030}' => 0x89,
        '\u{0160}' => 0x8A,
        '\u{2039}' => 0x8B,
        '\u{0152}' => 0x8C,
        '\u{017D}' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '\u{2022}' => 0x95,
        '\u{2013}' => 0x96,
        '\u{2014}' => 0x97,
        '\u{02DC}' => 0x98,
        '\u{2122}' => 0x99,
        '\u{0161}' => 0x9A,
        '\u{203A}' => 0x9B,
        '\u{0153}' => 0x9C,
        '\u{017E}' => 0x9E,
        '\u{0178}' => 0x9F,
        _ => return None,
    })
}

/// Text as WinAnsi bytes: line breaks and tabs become spaces, anything else outside the
/// encoding (controls, other scripts, emoji) becomes `?`.
fn encode(text: &str) -> Vec<u8> {
    text.chars()
        .map(|ch| match ch {
            '\n' | '\r' | '\t' => b' ',
            ' '..='~' | '\u{A0}'..='\u{FF}' => u8::try_from(u32::from(ch)).unwrap_or(b'?'),
            other => win_ansi_high(other).unwrap_or(b'?'),
        })
        .collect()
}

/// A PDF literal string body: `(`, `)` and `\` escaped; bytes are WinAnsi, never controls.
fn literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 8);
    for &b in bytes {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// Greedy word wrap to `max` points; a word wider than a line is cut.
fn wrap(bytes: &[u8], font: Font, size: f64, max: f64) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let space = font.width(b" ", size);
    let mut line_w = 0.0;
    for word in bytes.split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let mut word = word;
        let mut word_w = font.width(word, size);
        while word_w > max {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0.0;
            }
            let mut cut = 0;
            let mut w = 0.0;
            for &b in word {
                let next = font.width(&[b], size);
                if w + next > max && cut > 0 {
                    break;
                }
                w += next;
                cut += 1;
            }
            lines.push(word[..cut].to_vec());
            word = &word[cut..];
            word_w = font.width(word, size);
        }
        if word.is_empty() {
            continue;
        }
        if !line.is_empty() && line_w + space + word_w > max {
            lines.push(std::mem::take(&mut line));
            line_w = 0.0;
        }
        if !line.is_empty() {
            line.push(b' ');
            line_w += space;
        }
        line.extend_from_slice(word);
        line_w += word_w;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One drawing operation on a page, in PDF user space (origin bottom left).
enum Op {
    Text {
        x: f64,
        y: f64,
        font: Font,
        size: f64,
        bytes: Vec<u8>,
    },
    Rule {
        x1: f64,
        x2: f64,
        y: f64,
    },
}

/// Flows text down pages.
struct Layout {
    pages: Vec<Vec<Op>>,
    /// Baseline position of the next line's top, from the bottom of the page.
    y: f64,
    /// Section titles with the index of the page each starts on.
    sections: Vec<(String, usize)>,
    /// Incident titles with their page index, for the outline.
    incidents: Vec<(String, usize)>,
}

impl Layout {
    fn new() -> Self {
        Self {
            pages: Vec::new(),
            y: 0.0,
            sections: Vec::new(),
            incidents: Vec::new(),
        }
    }

    fn page_index(&self) -> usize {
        self.pages.len().saturating_sub(1)
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN_TOP;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn ensure(&mut self, height: f64) {
        if self.pages.is_empty() || self.y - height < MARGIN_BOTTOM {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if self.pages.is_empty() {
            self.new_page();
        }
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    fn gap(&mut self, height: f64) {
        self.y -= height;
    }

    /// A wrapped paragraph. `prefix` (font, text, column width) is drawn before the first
    /// line; continuation lines align with the text after it.
    fn para(
        &mut self,
        text: &str,
        font: Font,
        size: f64,
        indent: f64,
        prefix: Option<(Font, &[u8], f64)>,
    ) {
        let column = prefix.map_or(0.0, |p| p.2);
        let x = MARGIN_X + indent + column;
        let leading = size * 1.35;
        let lines = wrap(&encode(text), font, size, CONTENT_W - indent - column);
        for (i, line) in lines.into_iter().enumerate() {
            self.ensure(leading);
            self.y -= leading;
            if i == 0 {
                if let Some((pfont, ptext, _)) = prefix {
                    self.push(Op::Text {
                        x: MARGIN_X + indent,
                        y: self.y,
                        font: pfont,
                        size,
                        bytes: ptext.to_vec(),
                    });
                }
            }
            if !line.is_empty() {
                self.push(Op::Text {
                    x,
                    y: self.y,
                    font,
                    size,
                    bytes: line,
                });
            }
        }
    }

    fn body(&mut self, text: &str) {
        self.para(text, Font::Regular, BODY_SIZE, 0.0, None);
        self.gap(3.0);
    }

    fn bullet(&mut self, text: &str, indent: f64) {
        self.para(
            text,
            Font::Regular,
            BODY_SIZE,
            indent,
            Some((Font::Regular, &[BULLET], 10.0)),
        );
        self.gap(1.5);
    }

    /// A bold heading kept together with at least a few lines of what follows.
    fn heading(&mut self, text: &str, size: f64) {
        self.gap(size * 0.6);
        self.ensure(size * 1.35 + 4.0 * BODY_SIZE * 1.35);
        self.para(text, Font::Bold, size, 0.0, None);
        self.gap(size * 0.3);
    }

    /// A top-level section: a new page, a title and a rule under it.
    fn section(&mut self, title: &str) {
        self.new_page();
        self.sections.push((title.to_owned(), self.page_index()));
        self.para(title, Font::Bold, 18.0, 0.0, None);
        self.gap(5.0);
        self.push(Op::Rule {
            x1: MARGIN_X,
            x2: PAGE_W - MARGIN_X,
            y: self.y,
        });
        self.gap(10.0);
    }
}

/// Renders the report as a PDF document.
pub fn render_pdf(report: &Report) -> Vec<u8> {
    let body = layout_body(report);
    let body_pages = body.pages.len();
    let toc_pages = body.sections.len().div_ceil(TOC_LINES_PER_PAGE).max(1);
    // 1-based page number of the first body page: after the title page and the contents.
    let first_body = 2 + toc_pages;
    let total = 1 + toc_pages + body_pages;

    let mut pages: Vec<Vec<Op>> = Vec::with_capacity(total);
    pages.push(title_page(report));
    pages.extend(toc(&body.sections, first_body, toc_pages));
    pages.extend(body.pages);
    for (i, page) in pages.iter_mut().enumerate() {
        footer(page, i + 1, total);
    }

    let mut outline: Vec<OutlineItem> = vec![("Contents".to_owned(), 1, Vec::new())];
    for (title, page) in &body.sections {
        let children = if title == "Incidents" {
            body.incidents
                .iter()
                .map(|(t, p)| (t.clone(), p + first_body))
                .collect()
        } else {
            Vec::new()
        };
        outline.push((title.clone(), page + first_body, children));
    }
    write_document(report, &pages, &outline)
}

fn title_page(report: &Report) -> Vec<Op> {
    let mut layout = Layout::new();
    layout.new_page();
    layout.gap(140.0);
    layout.para("Hindsight deep-dive report", Font::Bold, 28.0, 0.0, None);
    layout.gap(16.0);
    layout.para(
        "Incidents, the deployments suspected of triggering them, and the AI-assisted and human changes they shipped.",
        Font::Regular,
        12.0,
        0.0,
        None,
    );
    layout.gap(24.0);
    layout.para(
        &format!("Generated {}", display_time(&report.generated_at)),
        Font::Regular,
        11.0,
        0.0,
        None,
    );
    layout.para(
        &format!("Hindsight version {}", report.hindsight_version),
        Font::Regular,
        11.0,
        0.0,
        None,
    );
    layout.para(
        &format!("Report schema {}", report.schema),
        Font::Regular,
        11.0,
        0.0,
        None,
    );
    layout.gap(12.0);
    for line in report.scope.lines() {
        layout.para(&line, Font::Regular, 11.0, 0.0, None);
    }
    layout.gap(12.0);
    let s = &report.summary;
    layout.para(
        &format!(
            "{} incidents, {} deployments and operations, {} changes, from {} source files.",
            s.incidents,
            s.deployments,
            s.changes,
            report.sources.len()
        ),
        Font::Regular,
        11.0,
        0.0,
        None,
    );
    layout.pages.into_iter().next().unwrap_or_default()
}

/// The table of contents: section titles, dot leaders and right-aligned page numbers.
fn toc(sections: &[(String, usize)], first_body: usize, toc_pages: usize) -> Vec<Vec<Op>> {
    let mut pages = Vec::with_capacity(toc_pages);
    let size = 12.0;
    let dot = Font::Regular.width(b".", size);
    for (n, chunk) in sections
        .chunks(TOC_LINES_PER_PAGE)
        .chain(std::iter::repeat_n(&[][..], toc_pages))
        .take(toc_pages)
        .enumerate()
    {
        let mut layout = Layout::new();
        layout.new_page();
        if n == 0 {
            layout.para("Contents", Font::Bold, 18.0, 0.0, None);
            layout.gap(14.0);
        }
        for (title, page) in chunk {
            layout.y -= size * 1.6;
            let name = encode(title);
            let number = (page + first_body).to_string().into_bytes();
            let name_w = Font::Regular.width(&name, size);
            let number_w = Font::Regular.width(&number, size);
            let room = CONTENT_W - name_w - number_w - 12.0;
            let dots = if room > 0.0 { (room / dot) as usize } else { 0 };
            let y = layout.y;
            layout.push(Op::Text {
                x: MARGIN_X,
                y,
                font: Font::Regular,
                size,
                bytes: name,
            });
            if dots > 0 {
                layout.push(Op::Text {
                    x: PAGE_W - MARGIN_X - number_w - 6.0 - dots as f64 * dot,
                    y,
                    font: Font::Regular,
                    size,
                    bytes: vec![b'.'; dots],
                });
            }
            layout.push(Op::Text {
                x: PAGE_W - MARGIN_X - number_w,
                y,
                font: Font::Regular,
                size,
                bytes: number,
            });
        }
        pages.extend(layout.pages);
    }
    pages
}

fn footer(page: &mut Vec<Op>, number: usize, total: usize) {
    let size = 8.0;
    page.push(Op::Rule {
        x1: MARGIN_X,
        x2: PAGE_W - MARGIN_X,
        y: FOOTER_Y + 12.0,
    });
    page.push(Op::Text {
        x: MARGIN_X,
        y: FOOTER_Y,
        font: Font::Regular,
        size,
        bytes: b"Hindsight deep-dive report".to_vec(),
    });
    let text = format!("Page {number} of {total}").into_bytes();
    let width = Font::Regular.width(&text, size);
    page.push(Op::Text {
        x: PAGE_W - MARGIN_X - width,
        y: FOOTER_Y,
        font: Font::Regular,
        size,
        bytes: text,
    });
}

fn cohort_lines(layout: &mut Layout, title: &str, rows: &[ReportCohort], threshold: f64) {
    if rows.is_empty() {
        return;
    }
    layout.heading(
        &format!("{title}: failure rates (including suspects at or above {threshold:.2})"),
        11.0,
    );
    for cohort in rows {
        layout.para(
            &format!(
                "{}: {} changes, {} deployed",
                cohort.cohort, cohort.changes, cohort.deployed
            ),
            Font::Bold,
            BODY_SIZE,
            0.0,
            None,
        );
        layout.para(
            &format!(
                "failed, confirmed links: {}",
                display_rate(&cohort.failed_confirmed)
            ),
            Font::Regular,
            BODY_SIZE,
            12.0,
            None,
        );
        layout.para(
            &format!(
                "failed, including suspects: {}",
                display_rate(&cohort.failed_including_suspected)
            ),
            Font::Regular,
            BODY_SIZE,
            12.0,
            None,
        );
        if let Some(warning) = &cohort.warning {
            layout.para(
                &format!("note: {warning}"),
                Font::Regular,
                BODY_SIZE,
                12.0,
                None,
            );
        }
        layout.gap(3.0);
    }
}

fn layout_body(report: &Report) -> Layout {
    let mut layout = Layout::new();
    let s = &report.summary;

    layout.section("Summary");
    layout.body(&format!(
        "{} incidents, {} deployments and operations, {} changes.",
        s.incidents, s.deployments, s.changes
    ));
    for line in crate::markdown::summary_sentences(report) {
        layout.bullet(&line, 0.0);
    }
    cohort_lines(&mut layout, "Attribution", &s.cohorts, s.suspect_threshold);
    cohort_lines(&mut layout, "AI tool", &s.by_tool, s.suspect_threshold);

    layout.section("Incidents");
    if report.incidents.is_empty() {
        layout.body("No incidents in the store.");
    }
    for incident in &report.incidents {
        let header = format!(
            "{} {}: {}",
            incident.source_system, incident.source_id, incident.title
        );
        layout.heading(&header, 12.0);
        layout.incidents.push((header, layout.page_index()));
        layout.body(&format!(
            "Service {}, severity {}, status {}, from {} for {}.",
            incident.service.as_deref().unwrap_or("unknown"),
            incident.severity.as_deref().unwrap_or("unknown"),
            incident.status,
            display_time(&incident.started_at),
            display_duration(incident.duration_minutes)
        ));
        if !incident.detailed {
            continue;
        }
        if !incident.key_moments.is_empty() {
            layout.para("Key moments", Font::Bold, BODY_SIZE, 0.0, None);
            for m in &incident.key_moments {
                layout.para(
                    &format!("{}: {}", m.moment, m.title),
                    Font::Regular,
                    BODY_SIZE,
                    12.0,
                    Some((Font::Regular, &encode(&display_time(&m.at)), 100.0)),
                );
            }
            layout.gap(3.0);
        }
        if !incident.timeline.is_empty() {
            layout.para("Timeline", Font::Bold, BODY_SIZE, 0.0, None);
            for event in &incident.timeline {
                layout.para(
                    &format!("{}: {}", event.kind, event.text),
                    Font::Regular,
                    BODY_SIZE,
                    12.0,
                    Some((Font::Regular, &encode(&display_time(&event.at)), 100.0)),
                );
            }
            layout.gap(3.0);
        }
        if incident.suspects.is_empty() {
            layout.body("No deployment of this service in the link window before impact.");
            continue;
        }
        layout.para("Suspects", Font::Bold, BODY_SIZE, 0.0, None);
        for suspect in &incident.suspects {
            let d = &suspect.deployment;
            layout.para(
                &format!(
                    "{} {} on {} {} at {}, score {:.2} ({})",
                    d.action,
                    d.version
                        .as_deref()
                        .or(d.sha.as_deref())
                        .unwrap_or(&d.natural_key),
                    d.service,
                    d.environment.as_deref().unwrap_or(""),
                    display_time(&d.at),
                    suspect.score,
                    suspect.status
                ),
                Font::Regular,
                BODY_SIZE,
                12.0,
                Some((Font::Bold, format!("{}.", suspect.rank).as_bytes(), 16.0)),
            );
            for line in &suspect.evidence {
                layout.bullet(line, 28.0);
            }
            for change in &suspect.changes {
                layout.bullet(
                    &format!(
                        "shipped {} {} by {}: {}",
                        short_sha(&change.natural_key),
                        change.title,
                        change.author.as_deref().unwrap_or("unknown"),
                        display_class(&change.class, change.tool.as_deref())
                    ),
                    28.0,
                );
            }
        }
        layout.gap(4.0);
    }

    layout.section("AI vs human, held fixed");
    for (label, estimate) in crate::charts::stratified_rows(&report.stratified) {
        layout.bullet(
            &format!("{label}: {}", crate::display_estimate(estimate, false)),
            0.0,
        );
    }
    layout.body(&report.stratified.interpretation);

    let d = &report.dora;
    layout.section("DORA figures (production)");
    let opt = |v: Option<f64>, unit: &str| v.map_or("n/a".to_owned(), |v| format!("{v:.1} {unit}"));
    layout.bullet(
        &format!(
            "Deployments: {} ({} per week)",
            d.deployments,
            opt(d.deployments_per_week, "").trim()
        ),
        0.0,
    );
    layout.bullet(
        &format!(
            "Lead time for changes: median {}, p90 {}",
            opt(d.lead_time_median_hours, "h"),
            opt(d.lead_time_p90_hours, "h")
        ),
        0.0,
    );
    layout.bullet(
        &format!(
            "Change failure rate: {}",
            crate::display_rate(&d.change_failure_rate)
        ),
        0.0,
    );
    layout.bullet(
        &format!(
            "Failed deployment recovery time: median {}, p90 {} ({} not recovered)",
            opt(d.recovery_median_minutes, "min"),
            opt(d.recovery_p90_minutes, "min"),
            d.unrecovered_failed_deployments
        ),
        0.0,
    );
    layout.body(&d.estimator);

    if !report.recovery.is_empty() {
        layout.section("Recovery by trigger cohort");
        let opt = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.1} min"));
        for r in &report.recovery {
            let minutes: Vec<String> = r
                .resolve_minutes
                .iter()
                .map(|m| format!("{m:.1}"))
                .collect();
            layout.bullet(
                &format!(
                    "{}: {} incidents ({} open); acknowledge median {} / p90 {}; resolve median {} / p90 {}; minutes to resolve: {}",
                    r.cohort,
                    r.incidents,
                    r.open,
                    opt(r.acknowledge_median_minutes),
                    opt(r.acknowledge_p90_minutes),
                    opt(r.resolve_median_minutes),
                    opt(r.resolve_p90_minutes),
                    if minutes.is_empty() { "none resolved".to_owned() } else { minutes.join(", ") }
                ),
                0.0,
            );
        }
    }

    if !report.what_ifs.is_empty() {
        layout.section("Policy what-ifs");
        for w in &report.what_ifs {
            let incidents = if w.incidents_prevented.is_empty() {
                "none".to_owned()
            } else {
                w.incidents_prevented.join(", ")
            };
            layout.bullet(
                &format!(
                    "{}: {} changes and {} operations gated; incidents it would have gated: {}; added lead time {:.1} h. {}",
                    w.rule,
                    w.gated_changes.len(),
                    w.gated_operations.len(),
                    incidents,
                    w.added_lead_time_hours,
                    w.method
                ),
                0.0,
            );
        }
    }

    if let Some(findings) = &report.findings {
        findings_sections(&mut layout, findings);
    }

    layout.section("Changes");
    if report.changes.is_empty() {
        layout.body("No changes in the store.");
    }
    for change in &report.changes {
        let key = encode(short_sha(&change.natural_key));
        let column = Font::Mono.width(b"0123456789", BODY_SIZE) + 8.0;
        layout.para(
            &format!(
                "{} - {}",
                display_class(&change.class, change.tool.as_deref()),
                change.title
            ),
            Font::Regular,
            BODY_SIZE,
            0.0,
            Some((Font::Mono, &key, column)),
        );
        layout.gap(1.5);
    }

    layout.section("Sources");
    for source in &report.sources {
        layout.bullet(
            &format!(
                "{} ({}), SHA-256 {}: {} records, {} stored, {} rejected",
                source.path,
                source.format,
                source
                    .content_hash
                    .get(..16)
                    .unwrap_or(&source.content_hash),
                source.records_seen,
                source.records_stored,
                source.records_rejected
            ),
            0.0,
        );
    }

    layout.section("Method");
    for line in &report.methodology {
        layout.bullet(line, 0.0);
    }
    layout
}

/// The findings sections, in the order and with the titles Markdown and HTML use.
fn findings_sections(layout: &mut Layout, f: &ReportFindings) {
    layout.section("Approval and permission findings");
    if !f.senior_roster {
        layout.body("No roster of senior reviewers was given, so every AI change counts as without senior approval.");
    }
    for x in &f.findings {
        layout.bullet(
            &format!(
                "{}: {} failed; incidents: {}",
                x.description,
                display_rate(&x.failures),
                join_or_dash(&x.incidents)
            ),
            0.0,
        );
    }
    if !f.teams.is_empty() {
        layout.section("Failure rate per team");
        for t in &f.teams {
            layout.bullet(
                &format!(
                    "{} ({}): {} of deployed changes failed",
                    t.team,
                    t.class,
                    display_rate(&t.failures)
                ),
                0.0,
            );
        }
    }
    if !f.blast_radius.is_empty() {
        layout.section("Blast radius by trigger cohort");
        for b in &f.blast_radius {
            layout.bullet(
                &format!(
                    "{}: {} incidents; services {}; components {}; regions {}; {:.2} services per incident; {:.0} impact minutes ({} unresolved)",
                    b.cohort,
                    b.incidents,
                    join_or_dash(&b.services),
                    join_or_dash(&b.components),
                    join_or_dash(&b.regions),
                    b.services_per_incident,
                    b.impact_minutes,
                    b.unresolved
                ),
                0.0,
            );
        }
    }
    if !f.sensitivity.is_empty() {
        layout.section("Sensitivity to the link window and score threshold");
        for s in &f.sensitivity {
            layout.bullet(
                &format!(
                    "{} h window, threshold {:.1}: AI failed {}; human failed {}; AI / human (95% CI) {}",
                    s.window_hours,
                    s.threshold,
                    display_rate(&s.ai),
                    display_rate(&s.human),
                    ratio(s)
                ),
                0.0,
            );
        }
    }
}

fn num(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn content_stream(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Text {
                x,
                y,
                font,
                size,
                bytes,
            } => {
                out.extend_from_slice(
                    format!(
                        "BT /{} {} Tf {} {} Td (",
                        font.resource(),
                        num(*size),
                        num(*x),
                        num(*y)
                    )
                    .as_bytes(),
                );
                out.extend_from_slice(&literal(bytes));
                out.extend_from_slice(b") Tj ET\n");
            }
            Op::Rule { x1, x2, y } => {
                out.extend_from_slice(
                    format!(
                        "q 0.6 G 0.5 w {} {} m {} {} l S Q\n",
                        num(*x1),
                        num(*y),
                        num(*x2),
                        num(*y)
                    )
                    .as_bytes(),
                );
            }
        }
    }
    out
}

/// `D:20261126000000Z` from `2026-11-26T00:00:00.000Z`, when it has that shape.
fn pdf_date(rfc3339: &str) -> Option<String> {
    let digits: String = rfc3339
        .get(..19)?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    (digits.len() == 14).then(|| format!("D:{digits}Z"))
}

/// Serialises pages and the outline into a PDF file with a classic xref table.
fn write_document(report: &Report, pages: &[Vec<Op>], outline: &[OutlineItem]) -> Vec<u8> {
    // Object numbers: 1 catalog, 2 page tree, 3-5 fonts, 6 info, 7 outline root, then the
    // outline items, then a page and its content stream per page.
    let outline_count: usize = outline.iter().map(|o| 1 + o.2.len()).sum();
    let first_item = 8;
    let first_page = first_item + outline_count;
    let page_obj = |i: usize| first_page + 2 * i;
    let mut objects: Vec<Vec<u8>> = Vec::new();

    objects
        .push(b"<< /Type /Catalog /Pages 2 0 R /Outlines 7 0 R /PageMode /UseOutlines >>".to_vec());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", page_obj(i)))
        .collect();
    objects.push(
        format!(
            "<< /Type /Pages /Count {} /Kids [{}] >>",
            pages.len(),
            kids.join(" ")
        )
        .into_bytes(),
    );
    for name in ["Helvetica", "Helvetica-Bold", "Courier"] {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>"
            )
            .into_bytes(),
        );
    }
    let mut info = b"<< /Title (Hindsight deep-dive report) /Producer (".to_vec();
    info.extend_from_slice(&literal(&encode(&format!(
        "Hindsight {}",
        report.hindsight_version
    ))));
    info.extend_from_slice(b")");
    if let Some(date) = pdf_date(&report.generated_at) {
        info.extend_from_slice(format!(" /CreationDate ({date})").as_bytes());
    }
    info.extend_from_slice(b" >>");
    objects.push(info);

    // Outline: top-level items 8.., each followed by its children.
    let mut top_ids = Vec::new();
    let mut next = first_item;
    for item in outline {
        top_ids.push(next);
        next += 1 + item.2.len();
    }
    objects.push(
        format!(
            "<< /Type /Outlines /First {} 0 R /Last {} 0 R /Count {} >>",
            top_ids.first().copied().unwrap_or(first_item),
            top_ids.last().copied().unwrap_or(first_item),
            outline.len()
        )
        .into_bytes(),
    );
    let dest = |page: usize| format!("/Dest [{} 0 R /XYZ null null null]", page_obj(page - 1));
    let item_object =
        |title: &str, parent: usize, prev: Option<usize>, next: Option<usize>, extra: String| {
            let mut obj = b"<< /Title (".to_vec();
            obj.extend_from_slice(&literal(&encode(title)));
            obj.extend_from_slice(format!(") /Parent {parent} 0 R").as_bytes());
            if let Some(p) = prev {
                obj.extend_from_slice(format!(" /Prev {p} 0 R").as_bytes());
            }
            if let Some(n) = next {
                obj.extend_from_slice(format!(" /Next {n} 0 R").as_bytes());
            }
            obj.extend_from_slice(extra.as_bytes());
            obj.extend_from_slice(b" >>");
            obj
        };
    for (i, (title, page, children)) in outline.iter().enumerate() {
        let id = top_ids[i];
        let mut extra = format!(" {}", dest(*page));
        if !children.is_empty() {
            extra.push_str(&format!(
                " /First {} 0 R /Last {} 0 R /Count -{}",
                id + 1,
                id + children.len(),
                children.len()
            ));
        }
        objects.push(item_object(
            title,
            7,
            i.checked_sub(1).map(|p| top_ids[p]),
            top_ids.get(i + 1).copied(),
            extra,
        ));
        for (j, (child, child_page)) in children.iter().enumerate() {
            let child_id = id + 1 + j;
            objects.push(item_object(
                child,
                id,
                (j > 0).then(|| child_id - 1),
                (j + 1 < children.len()).then_some(child_id + 1),
                format!(" {}", dest(*child_page)),
            ));
        }
    }

    for (i, ops) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R >> >> /Contents {} 0 R >>",
                num(PAGE_W),
                num(PAGE_H),
                page_obj(i) + 1
            )
            .into_bytes(),
        );
        let stream = content_stream(ops);
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend_from_slice(&stream);
        obj.extend_from_slice(b"\nendstream");
        objects.push(obj);
    }

    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = String::new();
    let _ = write!(
        table,
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    );
    for offset in offsets {
        let _ = writeln!(table, "{offset:010} 00000 n ");
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_win_ansi_and_escapes_literals() {
        assert_eq!(encode("a–b é\n€😀"), b"a\x96b \xE9 \x80?".to_vec());
        assert_eq!(literal(b"(a\\b))"), b"\\(a\\\\b\\)\\)".to_vec());
    }

    #[test]
    fn wraps_within_the_width_and_cuts_long_words() {
        let text = encode(&format!("{} {}", "word ".repeat(60), "x".repeat(300)));
        for line in wrap(&text, Font::Regular, 10.0, 200.0) {
            assert!(Font::Regular.width(&line, 10.0) <= 200.0 + 1e-9);
        }
        assert_eq!(Font::Bold.width(b"W", 1000.0), 944.0);
        assert_eq!(Font::Regular.width(&[0xE9], 1000.0), 556.0);
    }

    #[test]
    fn xref_offsets_point_at_objects() {
        let pdf = render_pdf(&crate::sample::report());
        let text = String::from_utf8_lossy(&pdf).into_owned();
        assert!(pdf.starts_with(b"%PDF-1.7"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref");
        assert!(pdf[start..].starts_with(b"xref\n"));
        let entries: Vec<usize> = String::from_utf8_lossy(&pdf[start..])
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .filter_map(|l| l.get(..10).and_then(|n| n.parse().ok()))
            .collect();
        assert!(!entries.is_empty());
        for (i, offset) in entries.iter().enumerate() {
            let head = format!("{} 0 obj", i + 1);
            assert!(
                pdf[*offset..].starts_with(head.as_bytes()),
                "object {}",
                i + 1
            );
        }
        // Rendering is pure.
        assert_eq!(pdf, render_pdf(&crate::sample::report()));
    }
}
