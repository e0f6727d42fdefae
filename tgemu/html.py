"""Telegram's HTML parse_mode, re-implemented after tdlib's ``parse_html``.

The bot formats almost everything as HTML, and a single stray ``<`` in user-supplied text makes
Telegram reject the whole message. Tests must see that failure locally, with the same wording
Telegram uses, so this follows tdlib's parser rules (byte offsets are UTF-8, tag names are
case-insensitive, unknown ``&entities;`` stay literal) rather than Python's lenient HTMLParser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

ALLOWED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
        "tg-spoiler", "span", "blockquote", "tg-emoji",
    }
)  # fmt: skip

_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_ARGUMENT_ATTRS = frozenset(
    {("a", "href"), ("code", "class"), ("span", "class"), ("tg-emoji", "emoji-id")}
)
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\f\v"


class EntityParseError(ValueError):
    """Raised with tdlib's message; the server prefixes "Bad Request: can't parse entities: "."""


class Entity(TypedDict):
    """A MessageEntity as the Bot API sends it; offsets and lengths in UTF-16 code units."""

    type: str
    offset: int
    length: int
    url: NotRequired[str]
    custom_emoji_id: NotRequired[str]
    language: NotRequired[str]


@dataclass
class Parsed:
    """Result of parsing: the text the user sees and its entities (UTF-16 offsets)."""

    text: str
    entities: list[Entity] = field(default_factory=list)


@dataclass
class _Open:
    tag: str
    begin_pos: int  # UTF-8 byte offset of '<', for error messages
    start: int  # index into the output text (code points)
    argument: str = ""
    expandable: bool = False


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units, so emoji count twice."""
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(src: str, i: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``src[i]``; None means "keep the '&' literally" (as tdlib does)."""
    end = src.find(";", i + 1, i + 12)
    if end < 0:
        return None
    name = src[i + 1 : end]
    if name in _NAMED:
        return _NAMED[name], end + 1
    if name.startswith("#") and len(name) > 1:
        digits = name[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return None


class _Parser:
    def __init__(self, src: str) -> None:
        self.src = src
        self.n = len(src)
        self.out: list[str] = []
        self.length = 0  # code points emitted so far
        self.stack: list[_Open] = []
        self.spans: list[tuple[int, int, _Open]] = []

    def byte_offset(self, i: int) -> int:
        return len(self.src[:i].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += len(text)

    def run(self) -> None:
        src, i = self.src, 0
        while i < self.n:
            ch = src[i]
            if ch == "&":
                decoded = _decode_entity(src, i)
                if decoded is None:
                    self.emit("&")
                    i += 1
                else:
                    self.emit(decoded[0])
                    i = decoded[1]
            elif ch != "<":
                self.emit(ch)
                i += 1
            elif i + 1 < self.n and src[i + 1] == "/":
                i = self.end_tag(i)
            else:
                i = self.start_tag(i)
        if self.stack:
            tag = self.stack[-1].tag
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')

    def start_tag(self, begin: int) -> int:
        src, i = self.src, begin + 1
        while i < self.n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        off = self.byte_offset(begin)
        if i >= self.n:
            raise EntityParseError(f"Unclosed start tag at byte offset {off}")
        tag = src[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {off}')
        entry = _Open(tag, off, self.length)
        while True:
            while i < self.n and src[i] in _SPACES:
                i += 1
            if i >= self.n:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {off}')
            if src[i] == ">":
                break
            name_begin = i
            while i < self.n and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            name = src[name_begin:i].lower()
            if not name:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {off}'
                )
            while i < self.n and src[i] in _SPACES:
                i += 1
            if i < self.n and src[i] == ">" and tag == "blockquote" and name == "expandable":
                entry.expandable = True
                break
            if i >= self.n or src[i] != "=":
                raise EntityParseError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {off}'
                )
            i += 1
            while i < self.n and src[i] in _SPACES:
                i += 1
            if i >= self.n:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {off}')
            value, i = self.attribute_value(i)
            if (tag, name) in _ARGUMENT_ATTRS:
                entry.argument = value
            elif tag == "blockquote" and name == "expandable":
                entry.expandable = True
        if tag == "span" and entry.argument != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {off}')
        self.stack.append(entry)
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        src = self.src
        if src[i] not in "'\"":
            begin = i
            while i < self.n and (src[i].isalnum() or src[i] in ".-"):
                i += 1
            if i >= self.n or (src[i] not in _SPACES and src[i] != ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(begin)}"
                )
            return src[begin:i].lower(), i
        quote, i = src[i], i + 1
        chars: list[str] = []
        while i < self.n and src[i] != quote:
            decoded = _decode_entity(src, i) if src[i] == "&" else None
            if decoded is None:
                chars.append(src[i])
                i += 1
            else:
                chars.append(decoded[0])
                i = decoded[1]
        return "".join(chars), min(i + 1, self.n)

    def end_tag(self, begin: int) -> int:
        src, i = self.src, begin + 2
        off = self.byte_offset(begin)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {off}")
        while i < self.n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        name = src[begin + 2 : i].lower()
        while i < self.n and src[i] in _SPACES:
            i += 1
        if i >= self.n or src[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {off}")
        entry = self.stack.pop()
        if name and name != entry.tag:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {off}, expected "</{entry.tag}>", '
                f'found "</{name}>"'
            )
        if self.length > entry.start:
            self.spans.append((entry.start, self.length, entry))
        return i + 1


def _entities(text: str, spans: list[tuple[int, int, _Open]]) -> list[Entity]:
    """Turn code-point spans into Telegram entities with UTF-16 offsets, tdlib-ordered."""
    result: list[Entity] = []
    by_start = {start: (start, end) for start, end, e in spans if e.tag == "code"}
    for start, end, entry in spans:
        kind = _ENTITY_TYPE[entry.tag]
        if entry.tag == "blockquote" and entry.expandable:
            kind = "expandable_blockquote"
        entity: Entity = {
            "type": kind,
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
        }
        if kind == "text_link":
            entity["url"] = entry.argument
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = entry.argument
        elif kind == "code" and entry.argument.startswith("language-"):
            if any(e.tag == "pre" and (s, t) == (start, end) for s, t, e in spans):
                continue  # <pre><code class="language-x"> collapses into one pre entity
        elif kind == "pre" and by_start.get(start) == (start, end):
            code = next(e for s, t, e in spans if e.tag == "code" and (s, t) == (start, end))
            if code.argument.startswith("language-"):
                entity["language"] = code.argument[len("language-") :]
        result.append(entity)
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return result


def _strip(parsed: Parsed) -> Parsed:
    """Telegram trims leading/trailing whitespace of message text and clips entities."""
    text = parsed.text
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    shift, total = utf16_len(text[:lead]), utf16_len(stripped)
    entities: list[Entity] = []
    for ent in parsed.entities:
        begin = max(ent["offset"] - shift, 0)
        end = min(ent["offset"] + ent["length"] - shift, total)
        if end > begin:
            entities.append({**ent, "offset": begin, "length": end - begin})
    return Parsed(stripped, entities)


def parse_html(source: str) -> Parsed:
    """Parse Telegram HTML; raise EntityParseError with Telegram's wording on bad markup."""
    parser = _Parser(source)
    parser.run()
    text = "".join(parser.out)
    return _strip(Parsed(text, _entities(text, parser.spans)))


def parse_text(source: str, parse_mode: str | None) -> Parsed:
    """Entry point used by the server for text and captions in any supported parse mode.

    Markdown modes are accepted but not interpreted (the project formats with HTML); the raw
    text is then what the user sees.
    """
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(source)
    if mode in ("", "markdown", "markdownv2"):
        return _strip(Parsed(source))
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")
