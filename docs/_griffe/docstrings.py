"""A griffe extension for this site: feedmine's docstrings as mkdocstrings renders them best.

It rewrites the docstring text that mkdocstrings parses and renders; the source files are unchanged.

* Sphinx references (``:class:`~feedmine.result.Result```, ``:meth:`fit```) become Markdown code
  spans: the last dotted part for a ``~`` target, the whole target otherwise. Without this, Markdown
  shows the role and the tilde literally.
* A line ending in ``::`` before an indented example ends in ``:``.
* A numpy parameter line that documents several parameters at once (``recent, baseline : str``) is
  written once per parameter, with the same type and description. griffe would otherwise show the
  first parameter's default for all of them (``n_components`` with ``n_neighbors``'s 15).
"""
from __future__ import annotations

import re
from typing import Any

from griffe import Extension, Object

ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|data|attr|exc|obj|const):`(~?)([^`]+)`")
LITERAL_MARK = re.compile(r"(?<=\S)::$", re.MULTILINE)
DASHES = re.compile(r"^\s*-{3,}\s*$")
GROUPED = re.compile(r"^(?P<names>[A-Za-z_]\w*(?:, [A-Za-z_]\w*)+) : (?P<type>.+)$")
PARAMETER_SECTIONS = {"parameters", "other parameters"}


def _code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2).strip()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


def split_grouped_parameters(text: str) -> str:
    """``text`` with each ``a, b : type`` entry of a numpy Parameters section written once per name."""
    lines, out, section, i = text.split("\n"), [], None, 0
    while i < len(lines):
        line = lines[i]
        if line.strip() and i + 1 < len(lines) and DASHES.match(lines[i + 1]):
            section = line.strip().lower()
            out += [line, lines[i + 1]]
            i += 2
            continue
        grouped = GROUPED.match(line) if section in PARAMETER_SECTIONS else None
        if grouped is None:
            out.append(line)
            i += 1
            continue
        end = i + 1
        while end < len(lines) and (not lines[end].strip() or lines[end].startswith(" ")):
            end += 1
        body = lines[i + 1:end]
        blank_tail = 0
        while body and not body[-1].strip():
            body.pop()
            blank_tail += 1
        for name in grouped.group("names").split(", "):
            out += [f"{name} : {grouped.group('type')}", *body]
        out += [""] * blank_tail
        i = end
    return "\n".join(out)


def markdown_docstring(text: str) -> str:
    """The docstring ``text`` as this site renders it (see the module docstring)."""
    return split_grouped_parameters(LITERAL_MARK.sub(":", ROLE.sub(_code, text)))


class SiteDocstrings(Extension):
    """Rewrite every loaded object's docstring before it is parsed and rendered."""

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
