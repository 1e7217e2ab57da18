"""The HTML page shell shared by report.html and comparison.html: one self-contained file
(inline CSS and SVG, no scripts, no external requests), and small escaping helpers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from simulator.report.figures import Plot

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1b1b;
       background: #ffffff; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid #e3e3e3; }
p.meta { color: #555; margin-top: 0; }
p.recommendation { font-size: 1.05rem; background: #f1f6fb; border-left: 4px solid #1f77b4;
                   padding: .8rem 1rem; }
div.alert { background: #fdecea; border-left: 4px solid #d62728; padding: .6rem 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #d9d9d9; padding: .3rem .55rem; vertical-align: top; }
th { background: #f5f5f5; text-align: left; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.best { background: #e6f4e6; font-weight: bold; }
td.none { color: #999; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: .85rem;
          padding-top: .3rem; }
figure { margin: 1.2rem 0 2rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #444; font-size: .88rem; max-width: 900px; }
span.proto { color: #666; font-weight: normal; font-size: .8rem; }
"""


def esc(text: object) -> str:
    """HTML-escape any value's text."""
    return escape(str(text), quote=True)


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body``."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    )


def table(head: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "",
          cls: str = "") -> str:
    """A table from already-escaped cells; a cell may carry attributes as '<td ...>...'."""
    out = [f"<table class=\"{cls}\">" if cls else "<table>"]
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        cells = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</tbody></table>\n")
    return "\n".join(out)


def figure(plot: Plot) -> str:
    """A plot with its caption."""
    return (f"<figure id=\"fig-{plot.name}\">\n{plot.svg}"
            f"<figcaption><strong>{esc(plot.title)}.</strong> {esc(plot.caption)}"
            "</figcaption>\n</figure>\n")
