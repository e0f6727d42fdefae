"""Telegram-HTML text cut into messages Telegram accepts.

Telegram refuses a message over 4096 characters (a caption over 1024) outright, and the person
then sees nothing; so every text the bot sends goes through `split_html`. Telegram counts the
text after entity parsing in UTF-16 code units: tags cost nothing, `&amp;` costs one, an emoji
two. A cut is made where a reader would pause (a template's ␞ block mark, a blank line, a line
end, a space or a Chinese comma) and never inside a tag or an entity; tags open at a cut are
closed before it and reopened after it, so each part is valid HTML on its own.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BLOCK = "␞"  # a template's mark between blocks (bot.render.BLOCK): the best place to cut

_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
_BLOCKS = re.compile(rf"\n*{BLOCK}[\n{BLOCK}]*")
_PAUSES = "，。；！？、,;"  # a cut just after one of these reads naturally
# how good a cut just before an atom is
ANY, SPACE, LINE, BLANK_LINE, BLOCK_MARK = range(5)


@dataclass(frozen=True)
class _Atom:
    """One indivisible piece of the source: a character, an entity or a tag."""

    raw: str
    width: int  # UTF-16 code units the person sees
    tag: str = ""  # lowercase tag name, for tags only
    closing: bool = False
    rank: int = ANY

    @property
    def blank(self) -> bool:
        return not self.tag and self.raw.isspace()


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut Telegram-HTML `text` into parts of at most `limit` visible UTF-16 units each.

    Parts carry no leading or trailing blank lines and none is empty; text that fits comes
    back as one part. `limit` must be at least 2 (one emoji).
    """
    whole = _whole(text, limit)
    if whole is not None:
        return whole
    atoms = _atoms(_BLOCKS.sub(BLOCK, text))
    ends = list(accumulate((a.width for a in atoms), initial=0))
    parts: list[str] = []
    stack: list[_Atom] = []
    start = _skip_blank(atoms, 0)
    while start < len(atoms):
        cut = _cut(atoms, ends, start, limit)
        body = atoms[start : _trim_blank(atoms, start, cut)]
        part, stack = _render(stack, body)
        if any(a.width and not a.blank for a in body):
            parts.append(part)
        start = _skip_blank(atoms, cut)
    return parts


def _whole(text: str, limit: int) -> list[str] | None:
    """The usual case, without building an atom per character: a text that fits even counting
    its tags, with no block mark and every tag closed, is itself trimmed of blank ends (what
    the general way returns for it). None: not that case."""
    if BLOCK in text or _utf16(text) > limit:
        return None
    depth = 0
    for tag in _TAG.finditer(text):
        depth += -1 if tag.group(1) else 1
        if depth < 0:
            return None
    if depth:
        return None
    part = text.strip()
    return [part] if _TAG.sub("", part).strip() else []


def caption_parts(text: str) -> tuple[str, list[str]]:
    """A document's caption (at most 1024) and the follow-up messages the rest needs."""
    parts = split_html(text, CAPTION_LIMIT)
    if not parts:
        return "", []
    return parts[0], split_html("\n".join(parts[1:]))


def _atoms(text: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    i, line_has_text = 0, False
    while i < len(text):
        ch = text[i]
        match = _TAG.match(text, i) if ch == "<" else _entity(text, i) if ch == "&" else None
        if match and ch == "<":
            tag = match.group(2).lower()
            atoms.append(_Atom(match.group(0), 0, tag=tag, closing=bool(match.group(1))))
        elif match:
            atoms.append(_Atom(match.group(0), _utf16(_decoded(match.group(0)))))
            line_has_text = True
        elif ch in (BLOCK, "\n"):
            rank = BLOCK_MARK if ch == BLOCK else LINE if line_has_text else BLANK_LINE
            atoms.append(_Atom("\n", 1, rank=rank))
            line_has_text = False
        else:
            atoms.append(_Atom(ch, _utf16(ch), rank=SPACE if ch == " " else ANY))
            line_has_text = line_has_text or not ch.isspace()
        i = match.end() if match else i + 1
    return atoms


def _entity(text: str, at: int) -> re.Match[str] | None:
    """An entity Telegram decodes; anything else leaves the '&' literal, as Telegram does."""
    match = _ENTITY.match(text, at)
    if match is None or match.group(0)[1] != "#":
        return match
    code = _code(match.group(0))
    return match if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else None


def _code(entity: str) -> int:
    name = entity[2:-1]
    return int(name[1:], 16) if name[0] in "xX" else int(name)


def _decoded(entity: str) -> str:
    if entity[1] == "#":
        return chr(_code(entity))
    return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[entity[1:-1]]


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut(atoms: list[_Atom], ends: list[int], start: int, limit: int) -> int:
    """Where the part that begins at `start` ends: the best pause within the limit."""
    if ends[-1] - ends[start] <= limit:
        return len(atoms)
    end = bisect_right(ends, ends[start] + limit) - 1  # the most atoms that still fit
    visible = (i for i in range(start, end) if atoms[i].width and not atoms[i].blank)
    first = next(visible, end)
    best, best_rank = max(end, first + 1), ANY
    for at in range(end, first, -1):
        rank = max(atoms[at].rank, SPACE if atoms[at - 1].raw in _PAUSES else ANY)
        if rank > best_rank:
            best, best_rank = at, rank
            if rank == BLOCK_MARK:
                break
    return best


def _skip_blank(atoms: list[_Atom], at: int) -> int:
    while at < len(atoms) and atoms[at].blank:
        at += 1
    return at


def _trim_blank(atoms: list[_Atom], start: int, end: int) -> int:
    while end > start and atoms[end - 1].blank:
        end -= 1
    return end


def _render(stack: list[_Atom], body: list[_Atom]) -> tuple[str, list[_Atom]]:
    """The part's HTML: reopen what was open, the body, close what is still open."""
    pieces = [a.raw for a in stack]
    stack = list(stack)
    for atom in body:
        pieces.append(atom.raw)
        if atom.tag and not atom.closing:
            stack.append(atom)
        elif atom.tag and stack:
            stack.pop()
    pieces.extend(f"</{a.tag}>" for a in reversed(stack))
    return "".join(pieces), stack
