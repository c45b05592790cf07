"""Parse untrusted XML (autoconfig and Autodiscover files) refusing what makes XML dangerous.

The stdlib's expat, driven directly: a document type declaration, any entity declaration, and
external or unparsed entities are refused (no billion laughs, no external fetch), and the size,
element count and depth are capped. The result is an ``xml.etree.ElementTree.Element`` with
namespaces stripped from tags (the files this reads use one namespace or none). It does
deliberately less than defusedxml: no DTDs at all, which these formats never need.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from xml.parsers import expat

MAX_ELEMENTS = 2000
MAX_DEPTH = 32


class UnsafeXml(ValueError):
    """XML refused or malformed; the message is one line for a finding."""


def parse(data: bytes, max_bytes: int = 64 * 1024) -> ET.Element:
    if len(data) > max_bytes:
        raise UnsafeXml(f"larger than {max_bytes} bytes")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    state = {"elements": 0, "depth": 0}

    def refuse(what: str) -> Any:
        def handler(*_: Any) -> None:
            raise UnsafeXml(f"{what} refused (untrusted XML)")
        return handler

    def start(tag: str, attrs: dict[str, str]) -> None:
        state["elements"] += 1
        state["depth"] += 1
        if state["elements"] > MAX_ELEMENTS:
            raise UnsafeXml(f"more than {MAX_ELEMENTS} elements")
        if state["depth"] > MAX_DEPTH:
            raise UnsafeXml(f"nested deeper than {MAX_DEPTH}")
        builder.start(tag.rpartition("}")[2], {k.rpartition("}")[2]: v for k, v in attrs.items()})

    def end(tag: str) -> None:
        state["depth"] -= 1
        builder.end(tag.rpartition("}")[2])

    parser.StartDoctypeDeclHandler = refuse("a DOCTYPE")
    parser.EntityDeclHandler = refuse("an entity declaration")
    parser.UnparsedEntityDeclHandler = refuse("an unparsed entity")
    parser.ExternalEntityRefHandler = refuse("an external entity")
    parser.NotationDeclHandler = refuse("a notation")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise UnsafeXml(f"malformed XML: {expat.ErrorString(exc.code)} at line {exc.lineno}"
                        ) from None
    except AssertionError:  # TreeBuilder.close with no root element
        raise UnsafeXml("no XML element") from None


def text(element: ET.Element | None, path: str) -> str:
    """The stripped text at ``path`` below ``element``, or ''."""
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""
