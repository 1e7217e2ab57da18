"""Reports: summary tables, Markdown and self-contained HTML with inline SVG plots."""
