"""Self-contained HTML reports (:mod:`simtrial.report.html`) and their rendering in headless
Chromium (:mod:`simtrial.report.browser`)."""

from simtrial.report.browser import ChromiumError, dump_dom, find_chromium, render
from simtrial.report.html import HtmlReport, escape, format_value

__all__ = ["ChromiumError", "HtmlReport", "dump_dom", "escape", "find_chromium", "format_value", "render"]
