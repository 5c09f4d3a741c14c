//! The text report: a code frame per finding (at the YAML span or PEM block), with help; a summary
//! line; the client impact; and, when approved, `Approved command:` with the command on the last line.
//!
//! Every piece of user text is printed through [`one_line`], so none can start a line of its own
//! (a pre-commit hook in GitHub Actions prints this format, and the runner executes `::` lines).

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::engine::{Approval, Finding, UnitReport};

use crate::source::Location;

use crate::rules::Severity;

use crate::report::{Options, Report, one_line, quote_source};
use crate::source::Source;

/// Render all units; `quiet` prints only the approved commands.
pub fn render(report: &Report, options: &Options) -> String {
    let reports = report.units;
    if options.quiet {
        return reports
            .iter()
            .filter_map(UnitReport::upgrade_command)
            .map(|c| format!("{}\n", one_line(c)))
            .collect();
    }
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        if reports.len() > 1 {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!(
                "== release {} ==\n",
                one_line(report.release.as_deref().unwrap_or("(unnamed)"))
            ));
        }
        for f in &report.findings {
            out.push_str(&renderer.render(&[group(report, f, None)]));
            out.push_str("\n\n");
        }
        for s in &report.suppressed {
            let note = format!(
                "suppressed: {}{}",
                one_line(&s.reason),
                s.until
                    .as_ref()
                    .map_or(String::new(), |u| format!(" (until {})", one_line(u)))
            );
            out.push_str(&renderer.render(&[group(report, &s.finding, Some(&note))]));
            out.push_str("\n\n");
        }
        let s = report.summary();
        out.push_str(&format!(
            "{} error{}, {} warning{}, {} info, {} suppressed\n",
            s.error,
            plural(s.error),
            s.warning,
            plural(s.warning),
            s.info,
            s.suppressed
        ));
        let ci = &report.client_impact;
        out.push_str(&format!(
            "Client impact: {} ({}): {}\n",
            ci.verdict.as_str(),
            ci.scenario.as_str(),
            one_line(&ci.reason)
        ));
        // The reason is printed only for a command that cannot be formed: a blocked one is told
        // by the findings above, and nothing to change by CG503's finding.
        match &report.approval {
            Approval::Approved(cmd) => {
                out.push_str("Approved command:\n");
                out.push_str(&one_line(cmd));
                out.push('\n');
            }
            why @ Approval::NotFormed(_) => {
                out.push_str(&format!("No command approved: {}\n", one_line(&why.to_string())));
            }
            Approval::Blocked { .. } | Approval::NothingToChange => {}
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

/// Lines shown around a span at most (a long PEM block is cut, its first lines shown).
const MAX_FRAME_LINES: usize = 6;

fn group<'a>(report: &'a UnitReport, f: &'a Finding, note: Option<&'a str>) -> Group<'a> {
    let title = format!("{}: {}", one_line(&f.name), one_line(&f.message));
    let mut g = Group::with_title(level(f.severity).primary_title(title).id(&*f.code));
    match &f.location {
        Location::Span { source, span } => {
            let src = report.sources.get(*source);
            let lines = frame_range(src, span.start, span.end);
            if report.is_redacted(*source, lines.0, lines.1) {
                let p = report.place(&f.location);
                g = g.element(Level::NOTE.message(format!(
                    "at {}:{}:{} (not shown: the line holds, or may hold, private key material)",
                    one_line(&src.name),
                    p.line.unwrap_or(0),
                    p.column.unwrap_or(0)
                )));
            } else {
                g = g.element(frame(src, span.start, span.end, f.path.as_deref()));
            }
        }
        Location::File { path } => {
            g = g.element(Level::NOTE.message(format!("in {}", one_line(path))));
        }
        Location::Arg { origin } => {
            g = g.element(Level::NOTE.message(format!("from {}", one_line(origin))));
        }
        Location::Run => {}
    }
    if let Some(block) = f.block {
        g = g.element(Level::NOTE.message(format!("PEM block {block}")));
    }
    if let Some(note) = note {
        g = g.element(Level::NOTE.message(one_line(note)));
    }
    g.element(Level::HELP.message(one_line(&f.help)))
}

/// The bytes of the whole lines a frame for `start..end` shows.
fn frame_range(src: &Source, start: usize, end: usize) -> (usize, usize) {
    let (first, _) = src.line_col(start);
    let (last, _) = src.line_col(end.max(start));
    let last = last.min(first + MAX_FRAME_LINES - 1);
    let from = src.lines().line_start(first).unwrap_or(0);
    let to = src
        .lines()
        .line_span(&src.text, last)
        .map_or(src.text.len(), |(_, e)| e);
    (from, to)
}

/// A snippet holding only the lines the span covers (capped), so large files cost nothing.
fn frame<'a>(
    src: &'a Source,
    start: usize,
    end: usize,
    label: Option<&'a str>,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = src.text.as_str();
    let lines = src.lines();
    let (first, _) = src.line_col(start);
    let (mut last, _) = src.line_col(end.max(start));
    if end > start
        && text
            .as_bytes()
            .get(..end.min(text.len()))
            .is_some_and(|b| b.ends_with(b"\n"))
    {
        last = last.saturating_sub(1).max(first);
    }
    let last = last.min(first + MAX_FRAME_LINES - 1);
    let from = lines.line_start(first).unwrap_or(0);
    let to = lines.line_span(text, last).map_or(text.len(), |(_, e)| e);
    let slice = &text[from..to.max(from)];
    let lo = floor_boundary(slice, start.saturating_sub(from));
    let hi = floor_boundary(slice, end.saturating_sub(from)).max(lo);
    // A zero-width span still gets a caret under its position.
    let hi = if hi == lo { next_char_boundary(slice, lo) } else { hi };
    let (slice, lo, hi) = quote_source(slice, lo, hi);
    let mut annotation = AnnotationKind::Primary.span(lo..hi);
    if let Some(label) = label {
        annotation = annotation.label(one_line(label));
    }
    Snippet::source(slice)
        .line_start(first)
        .path(one_line(&src.name))
        .annotation(annotation)
}

/// The largest char boundary of `s` at or below `i`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn next_char_boundary(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(i, |c| i + c.len_utf8())
}
