"""The documentation site builds with warnings as errors (mkdocs-material, API reference from docstrings)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytest.importorskip("mkdocs")
pytest.importorskip("mkdocstrings")


def test_docs_site_builds_strictly(tmp_path):
    site = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                         cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, NO_MKDOCS_2_WARNING="1"))  # (material's end-of-life banner)
    assert run.returncode == 0, run.stderr[-4000:]
    assert not re.search(r"^\s*WARNING\s+-", run.stderr, re.M), run.stderr[-4000:]  # --strict fails on them too
    pages = {p.relative_to(site).parts[0] for p in site.rglob("index.html")}
    for page in ("quickstart", "concepts", "korean", "scoring", "benchmarks", "api", "faq"):
        assert page in pages, f"{page} missing from the site: {sorted(pages)}"
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    assert "analyze" in api and "Pipeline" in api and "to_html" in api  # rendered from the docstrings
    # the site is offline too: no web fonts fetched from Google
    assert "fonts.googleapis.com" not in (site / "index.html").read_text(encoding="utf-8")
