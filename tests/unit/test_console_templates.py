"""Every page is a template: autoescaped, no inline style or script, no HTML in Python."""

from __future__ import annotations

import re
from pathlib import Path

from api.console.templating import environment, render

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("api", "application", "infrastructure", "domain", "partnerlab")
HTML_IN_PYTHON = re.compile(
    r"""["'][^"'\n]*<(html|body|div|p|table|tr|td|th|ul|li|svg|section|h[1-6]|a|form|input)[ >/]"""
)


def test_no_python_module_builds_html_by_hand() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for layer in LAYERS
        for path in (ROOT / layer).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HTML_IN_PYTHON.search(line)
    ]
    assert offenders == []


def test_templates_carry_no_inline_style_or_script() -> None:
    templates = [p for layer in ("api",) for p in (ROOT / layer).rglob("templates/*.html")]
    assert len(templates) >= 8
    for template in templates:
        text = template.read_text()
        assert " style=" not in text, template
        assert "<style" not in text, template
        assert not re.search(r"<script(?![^>]*\ssrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # no onclick= and the like


def test_values_are_escaped_by_default() -> None:
    page = render(
        "reporting/dashboard_login.html", "en", message="<script>alert(1)</script>", action="/x"
    )
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert environment("en").autoescape is True
