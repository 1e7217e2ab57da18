"""Tests of the reports: HTML, Markdown, the decision guide, the browser."""
