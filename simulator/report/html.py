"""report.html (one run) and comparison.html (several variants): self-contained pages with
the metrics table, the five plots inlined as SVG and, for a comparison, the decision
(rendered from comparison.json's decision block) and the document's decision guide (claims
G1–G7) held against it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.analysis import fmt
from simulator.analysis.comparison import Comparison
from simulator.analysis.explain import paragraph
from simulator.analysis.fmt import human_seconds, pct
from simulator.analysis.guide import evaluate, names
from simulator.report.decision_table import (
    CRITERIA_HEAD,
    LIMITS_HEAD,
    criteria_rows,
    limits_rows,
    summary_line,
)
from simulator.report.figures import figures
from simulator.report.markdown import account_tables, canonical, headline
from simulator.report.page import esc, figure, page, table


def run_html(summary: dict[str, Any], timeseries: Sequence[Sequence[Any]]) -> str:
    """One run's report.html."""
    sc = summary["scenario"]
    title = f"{sc['name']} — variant {sc['variant']}, seed {sc['seed']}"
    body = [f"<h1>{esc(title)}</h1>",
            f"<p class=\"meta\">Simulated {esc(human_seconds(sc['duration_s']))} with mailsim "
            f"{esc(summary['mailsim_version'])}; scenario sha256 {esc(sc['sha256'][:12])}.</p>"]
    body.append(_violations(summary["verdict"]))
    body.append(table(["metric", "value"],
                      ([esc(k), f"<td class=\"num\">{esc(v)}</td>"] for k, v in headline(summary))))
    body.append("<h2>Plots</h2>")
    plots = figures({sc["variant"]: summary}, {sc["variant"]: timeseries},
                    f"seed {sc['seed']}")
    body += [figure(p) for p in plots]
    body.append(_devices(summary))
    if summary.get("accounts"):
        body.append("<h2>Accounts</h2>")
        body += [table(head, ([esc(x) for x in r] for r in rows))
                 for head, rows in account_tables(summary["accounts"])]
    body.append("<h2>What went wrong</h2>\n" + what_went_wrong(summary))
    return page(title, "\n".join(body))


def _violations(verdict: dict[str, Any]) -> str:
    """The alert listing broken invariants (empty when the verdict is valid)."""
    if verdict["valid"]:
        return ""
    items = "".join(f"<li>{esc(v)}</li>" for v in verdict["violations"])
    return ("<div class=\"alert\"><strong>Verdict: INVALID</strong> — a simulator invariant "
            f"or protocol rule was broken (a bug).<ul>{items}</ul></div>")


def _devices(summary: dict[str, Any]) -> str:
    """The per-device table of one run."""
    rows = []
    for name, d in summary["devices"].items():
        rows.append([esc(name), *(f"<td class=\"num\">{esc(x)}</td>" for x in (
            pct(d["agreement"]), pct(d["offline_availability"]), d["missing_reads"],
            fmt.value("bytes", d["storage_peak_bytes"]), fmt.value("bytes", d["bytes_down"])))])
    head = ["device", "agreement", "offline availability", "missing reads", "storage peak",
            "downloaded"]
    return "<h2>Devices</h2>\n" + table(head, rows)


def what_went_wrong(summary: dict[str, Any]) -> str:
    """Anomaly counts with each witness's story, and lost mail with where it last was."""
    anomalies = summary["consistency"]["anomalies"]
    witnesses = summary["consistency"].get("anomaly_witnesses", {})
    lost = summary["durability"]
    if not any(anomalies.values()) and not lost["lost"]:
        return "<p>No anomalies and no lost mail.</p>\n"
    out = ["<ul class=\"stories\">"]
    for kind in canonical(witnesses):
        shown = witnesses[kind]
        out.append(f"<li><strong>{esc(kind)}: {esc(anomalies[kind])}</strong>"
                   + (f" (first {len(shown)} shown)" if shown else ""))
        out += ["<ul>", *(f"<li>{esc(w.get('story') or w['what'])}</li>" for w in shown),
                "</ul></li>"]
    out.append(f"<li><strong>lost: {esc(lost['lost'])}</strong><ul>")
    out += [f"<li>{esc(x.get('story') or x['mid'] + ': last seen ' + x['last_seen'])}</li>"
            for x in lost["lost_examples"]]
    out.append("</ul></li></ul>\n")
    return "\n".join(out)


def comparison_html(c: Comparison) -> str:
    """The whole comparison.html."""
    name = c.scenario["name"]
    title = f"{name}: POP3 or IMAP? — {len(c.variants)} variants compared"
    reps = len(c.seeds)
    body = [f"<h1>{esc(name)}: POP3 or IMAP?</h1>",
            f"<p class=\"meta\">{len(c.variants)} variants ({esc(names(c.variants))}) × {reps} "
            f"replication{'s' if reps > 1 else ''} with common random numbers (seeds "
            f"{esc(', '.join(map(str, c.seeds)))}): every variant sees the same mail and the "
            f"same people. Simulated {esc(human_seconds(c.scenario['duration_s']))} each; "
            f"mailsim {esc(c.version)}, scenario sha256 {esc(c.scenario['sha256'][:12])}.</p>"]
    if not c.valid:
        body.append("<div class=\"alert\"><strong>Some runs have a false verdict</strong> "
                    "(see Runs below): their numbers reflect a bug.</div>")
    body.append(_decision(c))
    body.append(_guide(c))
    body.append("<h2>Metrics</h2>\n" + metrics_table(c))
    body.append("<h2>Plots</h2>")
    where = f"first replication (seed {c.seeds[0]})"
    body += [figure(p) for p in figures(c.summaries, c.timeseries, where)]
    body.append(_stories(c, where))
    body.append(_runs(c))
    return page(title, "\n".join(body))


def _decision(c: Comparison) -> str:
    """The 'Which protocol?' section: the recommendation paragraph, the decision criterion
    by criterion and the scenario's limits."""
    d = c.decision
    if d is None:
        return ("<h2>Which protocol?</h2>\n<p class=\"recommendation\">This comparison was "
                "saved without a decision (an older mailsim); run it again to get one.</p>\n")
    parts = ["<h2>Which protocol?</h2>",
             f"<p class=\"recommendation\">{esc(paragraph(d))}</p>",
             f"<p>{esc(summary_line(d))} Criteria are judged in the order of concerns: hard "
             "failures, then the criteria that bear on this organisation, then cost; each "
             "narrows the variants still in the running.</p>",
             table(CRITERIA_HEAD, ([esc(x) for x in row] for row in criteria_rows(d)),
                   cls="decision")]
    if d.limits:
        parts.append(table(LIMITS_HEAD, ([esc(x) for x in row] for row in limits_rows(d)),
                           "limits of the scenario's decision: block, on each variant's "
                           "mean per run"))
    return "\n".join(parts) + "\n"


def _guide(c: Comparison) -> str:
    """The document's decision guide G1–G7 held against the decision."""
    rows = []
    for f in evaluate(c):
        here = "yes" if f.applies and f.bites else ("no" if not f.applies else "not binding")
        best = names(f.winners) if f.winners and f.applies else "—"
        rows.append([f"<strong>{esc(f.code)}</strong>", esc(f.says), esc(here), esc(f.why),
                     esc(best), esc(f.status)])
    head = ["", "the document says", "arises here?", "what the numbers say", "best here",
            "document"]
    return ("<h2>The source document's decision guide</h2>\n"
            "<p>The source document's decision guide (claims G1–G7), each criterion checked "
            "against this organisation's numbers (means over replications); its winner is "
            "the decision's, where the decision shows one.</p>\n"
            + table(head, rows))


def metrics_table(c: Comparison) -> str:
    """Rows = metrics, columns = variants; best marked; mean ± 95% CI."""
    head = ["metric", *(f"{esc(v)}<br><span class=\"proto\">{esc('/'.join(c.protocols[v]))}"
                        "</span>" for v in c.variants)]
    rows = []
    for row in c.rows:
        m = row.metric
        arrow = {"higher": " ↑", "lower": " ↓"}.get(m.better, "")
        cells = [esc(m.label + arrow)]
        for v in c.variants:
            text, cls = fmt.stat(m.unit, row.stats[v]), "num"
            if v in row.best:
                text, cls = f"★ {text}", "num best"
            elif row.stats[v].mean is None:
                cls = "num none"
            cells.append(f"<td class=\"{cls}\">{esc(text)}</td>")
        rows.append(cells)
    reps = len(c.seeds)
    note = ("mean ± 95% confidence interval (Student t) over "
            f"{reps} replications" if reps > 1 else "one replication, no interval")
    caption = (f"{note}. ↑ higher is better, ↓ lower is better; ★ best (ties share it; "
               "no star when all variants are equal); — no such figure in these runs.")
    return table(head, rows, caption, cls="metrics")


def _stories(c: Comparison, where: str) -> str:
    """Per variant, what went wrong in its first replication, folded away."""
    parts = [f"<h2>What went wrong</h2>\n<p>Anomalies and lost mail with their stories, "
             f"{esc(where)}.</p>"]
    for v in c.variants:
        parts.append(f"<details><summary>{esc(v)}</summary>\n"
                     f"{what_went_wrong(c.summaries[v])}</details>")
    return "\n".join(parts) + "\n"


def _runs(c: Comparison) -> str:
    """Each variant's verdicts and a link to its first replication's folder."""
    rows = []
    for v in c.variants:
        ok = sum(c.verdicts[v])
        link = f"<a href=\"{esc(v)}/report.html\">{esc(v)}/</a>"
        problems = "; ".join(c.violations[v]) or "—"
        rows.append([esc(v), esc("/".join(c.protocols[v])),
                     esc(f"{ok} of {len(c.verdicts[v])} valid"), esc(problems), link])
    return "<h2>Runs</h2>\n" + table(
        ["variant", "protocol", "verdict", "violations", "first replication's results"], rows)
