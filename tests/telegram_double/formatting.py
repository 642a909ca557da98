"""Telegram's parse modes (HTML, MarkdownV2, Markdown) as the Bot API applies them.

Telegram measures text limits *after* entity parsing, and rejects malformed markup with
"Bad Request: can't parse entities: ...". Both matter for a bot that builds HTML reports, so the
double parses markup the same way: it returns the visible text plus MessageEntity dicts (offsets in
UTF-16 code units, like Telegram) or raises `EntityParseError`.
"""

from __future__ import annotations

import re
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Markup Telegram would refuse; the message becomes "can't parse entities: <message>"."""


def _units(text: str) -> int:
    """Length in UTF-16 code units: the unit of MessageEntity offsets."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _byte_offset(src: str, index: int) -> int:
    # Telegram reports positions of markup errors as UTF-8 byte offsets.
    return len(src[:index].encode("utf-8"))


def _sorted(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# ---------------------------------------------------------------------------- HTML

_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([^\s/>]*)([^>]*)>")
_ATTR_RE = re.compile(r"""([A-Za-z_][\w-]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR_RE.finditer(raw.rstrip("/")):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out[m.group(1).lower()] = _unescape(value)
    return out


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith(("#x", "#X")):
            code = int(ref[2:], 16)
        elif ref.startswith("#"):
            code = int(ref[1:])
        else:
            # Telegram only knows these four names; anything else stays literal.
            return _NAMED_REFS.get(ref, m.group(0))
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _CHAR_REF_RE.sub(repl, text)


def _html_entity(
    name: str, attrs: dict[str, str], stack: list[tuple[str, Entity | None, int]], where: int
) -> Entity | None:
    kind = _HTML_ENTITY_TYPES[name]
    if name == "a":
        href = attrs.get("href")
        return {"type": kind, "url": href} if href else None
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {where}')
    if name == "tg-emoji":
        if "emoji-id" not in attrs:
            raise EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {where}')
        return {"type": kind, "custom_emoji_id": attrs["emoji-id"]}
    if name == "code" and stack and stack[-1][0] == "pre":
        # <pre><code class="language-x"> is one pre entity carrying the language.
        pre = stack[-1][1]
        language = attrs.get("class", "")
        if pre is not None and language.startswith("language-"):
            pre["language"] = language[len("language-") :]
        return None
    if name == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


def parse_html(src: str) -> tuple[str, list[Entity]]:
    """Visible text and entities of an HTML-formatted message, or EntityParseError."""
    out: list[str] = []
    units = 0
    stack: list[tuple[str, Entity | None, int]] = []  # (tag, entity or None, start offset)
    entities: list[Entity] = []
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "<":
            where = _byte_offset(src, i)
            m = _TAG_RE.match(src, i)
            if m is None:
                raise EntityParseError(f"Unclosed start tag at byte offset {where}")
            closing, name = m.group(1) == "/", m.group(2).lower()
            if not name:
                raise EntityParseError(f"Empty tag name at byte offset {where}")
            if name not in _HTML_ENTITY_TYPES:
                which = "end" if closing else "start"
                raise EntityParseError(f'Unsupported {which} tag "{name}" at byte offset {where}')
            if closing:
                if not stack:
                    raise EntityParseError(f"Unexpected end tag at byte offset {where}")
                open_name, entity, start = stack.pop()
                if open_name != name:
                    raise EntityParseError(
                        f'Unmatched end tag at byte offset {where}, expected "</{open_name}>", '
                        f'found "</{name}>"'
                    )
                if entity is not None and units > start:  # empty entities are dropped
                    entities.append({**entity, "offset": start, "length": units - start})
            else:
                entity = _html_entity(name, _attrs(m.group(3)), stack, where)
                stack.append((name, entity, units))
            i = m.end()
            continue
        if ch == "&" and (ref := _CHAR_REF_RE.match(src, i)):
            text = _unescape(ref.group(0))
            i = ref.end()
        else:
            text = ch
            i += 1
        out.append(text)
        units += _units(text)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), _sorted(entities)


# ---------------------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}
_PRE_OPEN_RE = re.compile(r"```([^\n`]*)\n?")


class _Builder:
    """Accumulates visible text and open/closed entities for the Markdown parsers."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.out: list[str] = []
        self.units = 0
        self.stack: list[tuple[str, Entity, int, int]] = []  # (marker, entity, start, src index)
        self.entities: list[Entity] = []

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.units += _units(text)

    def open(self, marker: str, entity: Entity, index: int) -> None:
        self.stack.append((marker, entity, self.units, index))

    def close(self, **extra: Any) -> None:
        _marker, entity, start, _index = self.stack.pop()
        if self.units > start:
            self.entities.append({**entity, **extra, "offset": start, "length": self.units - start})

    def top(self) -> str | None:
        return self.stack[-1][0] if self.stack else None

    def finish(self) -> tuple[str, list[Entity]]:
        if self.stack:
            _marker, entity, _start, index = self.stack[-1]
            raise EntityParseError(
                f"Can't find end of {entity['type'].title()} entity at byte offset "
                f"{_byte_offset(self.src, index)}"
            )
        return "".join(self.out), _sorted(self.entities)


def _link_target(src: str, i: int) -> tuple[str, int]:
    """URL of `](url)` starting at src[i] == '(' and the index after ')'."""
    j = i + 1
    url: list[str] = []
    while j < len(src) and src[j] != ")":
        if src[j] == "\\" and j + 1 < len(src):
            j += 1
        url.append(src[j])
        j += 1
    if j >= len(src):
        raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
    return "".join(url), j + 1


def parse_markdown_v2(src: str) -> tuple[str, list[Entity]]:
    """Visible text and entities of a MarkdownV2 message, or EntityParseError."""
    b = _Builder(src)
    i = 0
    while i < len(src):
        ch = src[i]
        top = b.top()
        if ch == "\\" and i + 1 < len(src):
            b.emit(src[i + 1])
            i += 2
        elif top in ("`", "```"):
            # Inside code only ` and \ are special.
            if src.startswith(top, i):
                b.close()
                i += len(top)
            else:
                b.emit(ch)
                i += 1
        elif src.startswith("```", i):
            m = _PRE_OPEN_RE.match(src, i)
            assert m is not None  # the pattern always matches after ```
            entity: Entity = {"type": "pre"}
            if m.group(1):
                entity["language"] = m.group(1)
            b.open("```", entity, i)
            i = m.end()
        elif ch == "`":
            b.open("`", {"type": "code"}, i)
            i += 1
        elif ch == "[":
            b.open("[", {"type": "text_link"}, i)
            i += 1
        elif ch == "]" and top == "[":
            if not src.startswith("(", i + 1):
                raise EntityParseError(f"Can't find end of a URL at byte offset {_byte_offset(src, i)}")
            url, i = _link_target(src, i + 1)
            b.close(url=url)
        elif (marker := src[i : i + 2]) in ("__", "||") or (marker := ch) in _MDV2_MARKERS:
            if top == marker:
                b.close()
            elif any(m == marker for m, *_ in b.stack):
                raise EntityParseError(
                    f"Can't find end of {_MDV2_MARKERS[marker].title()} entity at byte offset "
                    f"{_byte_offset(src, i)}"
                )
            else:
                b.open(marker, {"type": _MDV2_MARKERS[marker]}, i)
            i += len(marker)
        elif ch == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # blockquote line marker: not part of the visible text
        elif ch in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            b.emit(ch)
            i += 1
    return b.finish()


# ---------------------------------------------------------------------------- Markdown (legacy)

_LEGACY_MARKERS = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}


def parse_markdown(src: str) -> tuple[str, list[Entity]]:
    """Legacy Markdown: no nesting; an unclosed marker is an error."""
    b = _Builder(src)
    i = 0
    while i < len(src):
        ch = src[i]
        top = b.top()
        marker = "```" if src.startswith("```", i) else ch
        if top is None and ch == "\\" and i + 1 < len(src) and src[i + 1] in "_*`[":
            b.emit(src[i + 1])
            i += 2
        elif top is not None and top != "[" and marker == top:
            b.close()
            i += len(marker)
        elif top is None and marker in _LEGACY_MARKERS:
            b.open(marker, {"type": _LEGACY_MARKERS[marker]}, i)
            i += len(marker)
        elif top is None and ch == "[":
            b.open("[", {"type": "text_link"}, i)
            i += 1
        elif top == "[" and ch == "]" and src.startswith("(", i + 1):
            url, i = _link_target(src, i + 1)
            b.close(url=url)
        else:
            b.emit(ch)
            i += 1
    if b.stack:
        raise EntityParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(src, b.stack[-1][3])}"
        )
    return b.finish()


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Dispatch on parse_mode (case-insensitive, like Telegram); None means plain text."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")
