"""Reports: renderers only. They take a run's summary, a comparison or findings from
``simulator.analysis`` and return text — Markdown, self-contained HTML with inline SVG
plots, the terminal table — and never run, judge or write anything themselves."""
