//! `certgate plan`'s formats: text, Markdown and JSON (`schemas/plan.schema.json`) of the plans
//! the engine decided (`engine::plan`). Renderers format; every decision is the engine's.

use std::fmt::Write as _;

use serde::Serialize;

use super::one_line;
use crate::engine::plan::{Blocker, Status, Step, TrustBundle, UnitPlan};

/// The JSON document: the format's version and one plan per unit, in the run's order.
#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    plans: &'a [UnitPlan],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// The plans as pretty JSON, with a final line break.
pub fn json(plans: &[UnitPlan]) -> String {
    let doc = Document {
        version: 1,
        tool: Tool {
            name: "certgate",
            version: env!("CARGO_PKG_VERSION"),
        },
        plans,
    };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_default();
    out.push('\n');
    out
}

fn release(plan: &UnitPlan) -> String {
    plan.release
        .as_deref()
        .map_or_else(|| "(no release name)".to_string(), |r| one_line(r).into_owned())
}

fn status_line(plan: &UnitPlan) -> String {
    format!(
        "client impact: {} ({}); plan: {}",
        plan.verdict.as_str(),
        plan.scenario.as_str(),
        match plan.status {
            Status::Ready => "ready",
            Status::NothingToChange => "nothing to change",
            Status::Blocked => "blocked",
        }
    )
}

fn blocker_line(b: &Blocker) -> String {
    let place = match (&b.file, b.line, b.column, &b.origin) {
        (Some(f), Some(l), Some(c), _) => format!("{}:{l}:{c}: ", one_line(f)),
        (Some(f), _, _, _) => format!("{}: ", one_line(f)),
        (None, _, _, Some(o)) => format!("{}: ", one_line(o)),
        _ => String::new(),
    };
    let code = b.code.as_deref().map(|c| format!("[{c}] ")).unwrap_or_default();
    format!("{code}{place}{}", one_line(&b.message))
}

fn bundle_lines(bundle: &TrustBundle) -> Vec<String> {
    let mut lines = Vec::new();
    for ca in &bundle.cas {
        lines.push(format!(
            "{} CA `{}`: {}, SHA-256 {}, expires {}",
            ca.side,
            ca.alias,
            one_line(&ca.subject),
            ca.sha256,
            ca.not_after
        ));
    }
    for f in &bundle.files {
        let path = f
            .path
            .as_deref()
            .map(one_line)
            .unwrap_or(std::borrow::Cow::Borrowed(f.name));
        let written = if f.path.is_some() {
            "written"
        } else {
            "not written: no --output-dir"
        };
        lines.push(format!("{path}: sha256 {} ({written})", f.sha256));
    }
    lines.push(format!(
        "PKCS#12 password: {}; verified against: the new chain and {}",
        if bundle.password { "set" } else { "none" },
        bundle
            .running_chain
            .as_deref()
            .unwrap_or("the old CA (running chain not known)")
    ));
    lines
}

/// The plans as text, for a terminal.
pub fn text(plans: &[UnitPlan]) -> String {
    let mut out = String::new();
    for (i, plan) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "Plan for {}", release(plan));
        let _ = writeln!(out, "{}", status_line(plan));
        for b in &plan.blocked {
            let _ = writeln!(out, "blocked: {}", blocker_line(b));
        }
        for n in &plan.notes {
            let _ = writeln!(out, "note: {}", one_line(n));
        }
        if let Some(bundle) = &plan.bundle {
            let _ = writeln!(out, "Client trust bundle:");
            for l in bundle_lines(bundle) {
                let _ = writeln!(out, "  {l}");
            }
        }
        for step in &plan.steps {
            text_step(&mut out, step);
        }
    }
    out
}

fn text_step(out: &mut String, step: &Step) {
    let _ = writeln!(
        out,
        "\nStep {}: {} ({})",
        step.number,
        one_line(&step.title),
        step.who.as_str()
    );
    if let Some(t) = &step.not_before {
        let _ = writeln!(out, "  not before: {t}");
    }
    let _ = writeln!(out, "  changes: {}", one_line(&step.changes));
    for (label, lines) in [
        ("run", &step.commands),
        ("check", &step.verify),
        ("roll back", &step.rollback),
    ] {
        let _ = writeln!(out, "  {label}:");
        for l in lines {
            let _ = writeln!(out, "    {}", one_line(l));
        }
    }
}

/// The plans as Markdown, for a change ticket or a pull request.
pub fn markdown(plans: &[UnitPlan]) -> String {
    let mut out = String::from("# certgate rollout plan\n");
    for plan in plans {
        let _ = writeln!(out, "\n## {}\n\n{}\n", md(&release(plan)), md(&status_line(plan)));
        for b in &plan.blocked {
            let _ = writeln!(out, "- **blocked**: {}", md(&blocker_line(b)));
        }
        for n in &plan.notes {
            let _ = writeln!(out, "- note: {}", md(n));
        }
        if let Some(bundle) = &plan.bundle {
            let _ = writeln!(out, "\n### Client trust bundle\n");
            for l in bundle_lines(bundle) {
                let _ = writeln!(out, "- {}", md(&l));
            }
        }
        for step in &plan.steps {
            md_step(&mut out, step);
        }
    }
    out
}

fn md_step(out: &mut String, step: &Step) {
    let _ = writeln!(
        out,
        "\n### Step {}: {}\n\n- who: {}",
        step.number,
        md(&step.title),
        step.who.as_str()
    );
    if let Some(t) = &step.not_before {
        let _ = writeln!(out, "- not before: {t}");
    }
    let _ = writeln!(out, "- changes: {}", md(&step.changes));
    for (label, lines) in [
        ("Run", &step.commands),
        ("Check", &step.verify),
        ("Roll back", &step.rollback),
    ] {
        let _ = writeln!(out, "\n{label}:\n\n```sh");
        for l in lines {
            // A fence inside a line cannot close the block: the line is one line, and backticks
            // at its start are spelled out.
            let l = one_line(l);
            let _ = writeln!(out, "{}", l.replace("```", "'''"));
        }
        out.push_str("```\n");
    }
}

/// User text in Markdown prose: one line, with the characters that would start markup escaped.
pub fn escape_markdown(s: &str) -> String {
    md(s)
}

fn md(s: &str) -> String {
    let mut out = String::new();
    for c in one_line(s).chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
