"""comparison.md: the decision, the comparison table and the decision guide as Markdown,
for people who read results in a terminal, a code review or an issue."""

from __future__ import annotations

from simulator.analysis import fmt
from simulator.analysis.comparison import Comparison
from simulator.analysis.explain import paragraph
from simulator.analysis.guide import evaluate, names
from simulator.report.decision_table import (
    CRITERIA_HEAD,
    LIMITS_HEAD,
    criteria_rows,
    limits_rows,
    summary_line,
)


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def metrics_md(c: Comparison) -> list[str]:
    """The metrics table: rows = metrics, columns = variants, best in bold with a star."""
    lines = ["| metric | " + " | ".join(f"{v} ({'/'.join(c.protocols[v])})"
                                        for v in c.variants) + " |",
             "|---|" + "---:|" * len(c.variants)]
    for row in c.rows:
        arrow = {"higher": " ↑", "lower": " ↓"}.get(row.metric.better, "")
        cells = []
        for v in c.variants:
            text = fmt.stat(row.metric.unit, row.stats[v])
            cells.append(f"**★ {text}**" if v in row.best else text)
        lines.append(f"| {row.metric.label}{arrow} | " + " | ".join(map(cell, cells)) + " |")
    return lines


def table_md(head: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table's lines."""
    return ["| " + " | ".join(map(cell, head)) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(map(cell, row)) + " |" for row in rows)]


def decision_md(c: Comparison) -> list[str]:
    """The recommendation paragraph, then the decision criterion by criterion and the
    scenario's limits (nothing but a note for a comparison saved without a decision)."""
    d = c.decision
    if d is None:
        return ["This comparison was saved without a decision (an older mailsim); run it "
                "again to get one."]
    lines = [paragraph(d), "", summary_line(d), "", *table_md(CRITERIA_HEAD, criteria_rows(d))]
    if d.limits:
        lines += ["", "Limits of the scenario's `decision:` block (on each variant's mean per "
                  "run):", "", *table_md(LIMITS_HEAD, limits_rows(d))]
    return lines


def comparison_md(c: Comparison) -> str:
    """The whole comparison.md."""
    findings = evaluate(c)
    reps = len(c.seeds)
    lines = [
        f"# {c.scenario['name']}: POP3 or IMAP?",
        "",
        f"{len(c.variants)} variants × {reps} replications with common random numbers "
        f"(seeds {', '.join(map(str, c.seeds))}), {fmt.human_seconds(c.scenario['duration_s'])} "
        f"simulated each; mailsim {c.version}.",
        "",
        "## Which protocol?",
        "",
        *decision_md(c),
        "",
        "## The source document's decision guide",
        "",
        "Each criterion G1–G7 of the document held against the decision above: its "
        "winner where the decision shows one.",
        "",
        "| | the document says | best here | document | what the numbers say |",
        "|---|---|---|---|---|",
    ]
    for f in findings:
        best = names(f.winners) if f.winners and f.applies else "—"
        lines.append(f"| {f.code} | {cell(f.says)} | {cell(best)} | {f.status} | "
                     f"{cell(f.why)} |")
    lines += ["", "## Metrics", "",
              "Mean ± 95% confidence interval (Student t) over the replications; ↑/↓ which "
              "direction is better; ★ best.", "", *metrics_md(c), "", "## Runs", ""]
    for v in c.variants:
        ok = sum(c.verdicts[v])
        lines.append(f"- {v}: {ok} of {len(c.verdicts[v])} runs valid; results of the first "
                     f"replication in `{v}/`")
        lines += [f"  - violation: {x}" for x in c.violations[v]]
    return "\n".join(lines) + "\n"
