"""The share link's format (contract section 3), the Python side: what ``share_link``, the
notebook widget and the tests write and read. The page's side is ``web/page/link.js``, the
same format in JavaScript; ``tests/program/test_link.py`` runs both on the same cases, so the
two cannot drift.

A link's fragment is ``#program=`` + ``encodeURIComponent(text)``, then ``&``-separated parts:
``frozen=`` the frozen leaves' labels, each encoded, joined by ``,``; ``practice=forward`` or
``practice=backward``; ``lab`` when the gradient lab is open; ``challenge=`` the labels of the
leaves whose derivative the lab asks the learner for (a teacher's challenge; encoded and joined
like ``frozen``; it opens the lab); ``train`` when the training view
is, followed by its settings as ``key=value`` (the keys of ``gradstep.training.settings``'s page
settings, in that table's order; a value's commas stay as they are: ``layers=16,16``). Unknown
parts are ignored, so links from a later version still open.

``#python=`` + ``encodeURIComponent(code)`` in place of ``#program=`` is Python mode's code
(contract section 3): the page opens it in the editor and never runs it by itself. Frozen
leaves belong to the safe language, so a Python link carries none.
"""

from __future__ import annotations

import re
from urllib.parse import quote

PROGRAM, FROZEN, PRACTICE, LAB, TRAIN, CHALLENGE = "program", "frozen", "practice", "lab", "train", "challenge"
PYTHON = "python"
UNREADABLE = "is not readable (the link's %-encoding is broken, perhaps cut off when it was copied)"
PRACTICE_MODES = ("forward", "backward")


class LinkError(ValueError):
    """A part whose %-encoding cannot be read (JavaScript's ``decodeURIComponent`` throws)."""


def encode_uri_component(text: str) -> str:
    """JavaScript's ``encodeURIComponent``: UTF-8, every byte %-escaped except letters,
    digits and ``- _ . ! ~ * ' ( )``. (A lone surrogate, which JavaScript refuses, is refused.)"""
    return quote(text, safe="-_.!~*'()", errors="strict")


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")


def decode_uri_component(text: str) -> str:
    """JavaScript's ``decodeURIComponent``, strictly: a ``%`` not followed by two hex digits, or
    bytes that are not UTF-8, raise ``LinkError`` (``urllib``'s ``unquote`` would guess)."""
    out = bytearray()
    k = 0
    while k < len(text):
        if text[k] == "%":
            m = _ESCAPE.match(text, k)
            if not m:
                raise LinkError(f"a broken %-escape at character {k}")
            out.append(int(m.group(1), 16))
            k += 3
        else:
            out += text[k].encode("utf-8", "surrogatepass")
            k += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as error:
        raise LinkError(f"not UTF-8 at byte {error.start}") from None


def hash_for(program: str, frozen=(), *, practice: str | None = None, lab: bool = False,
             train: dict | None = None, challenge=(), mode: str = PROGRAM) -> str:
    """The fragment for a program, its frozen leaves' labels and the views open (``parse_hash``'s
    inverse). ``train``: the training view's settings, written in the dict's order. ``mode``
    ``"python"``: ``program`` is Python mode's code (``#python=``; no frozen leaves)."""
    python = mode == PYTHON
    h = f"#{PYTHON if python else PROGRAM}=" + encode_uri_component(program)
    if frozen and not python:
        h += f"&{FROZEN}=" + ",".join(encode_uri_component(label) for label in frozen)
    if practice in PRACTICE_MODES:
        h += f"&{PRACTICE}={practice}"
    if lab:
        h += f"&{LAB}"
    if challenge:
        h += f"&{CHALLENGE}=" + ",".join(encode_uri_component(label) for label in challenge)
    if train is not None:
        h += f"&{TRAIN}"
        for key, value in train.items():
            if value is not None:
                h += f"&{key}=" + encode_uri_component(str(value)).replace("%2C", ",")
    return h


def parse_hash(fragment: str, train_keys=()) -> dict:
    """``{program, python, frozen, practice, lab, challenge, train, error}`` from a fragment (with or
    without its ``#``): ``program`` (``python``, Python mode's code) None when there is none;
    ``error`` says why one could not be read; ``train`` None, or the settings named by
    ``train_keys`` that it carries (with ``unreadable``: the keys whose %-encoding is broken)."""
    out = {"program": None, "python": None, "frozen": [], "practice": None, "lab": False, "challenge": [],
           "train": None, "error": None}
    train = {}
    h = fragment[1:] if fragment.startswith("#") else fragment
    if not h:
        return out
    for part in h.split("&"):
        key, eq, raw = part.partition("=")
        if key == PYTHON:
            try:
                out["python"] = decode_uri_component(raw)
            except LinkError:
                out["error"] = "its Python code " + UNREADABLE
        elif key == PROGRAM:
            try:
                out["program"] = decode_uri_component(raw)
            except LinkError:
                out["error"] = "its program " + UNREADABLE
        elif key == PRACTICE and raw in PRACTICE_MODES:
            out["practice"] = raw
        elif key == LAB:
            out["lab"] = True
        elif key == TRAIN:
            out["train"] = train
        elif key in train_keys:
            try:
                train[key] = decode_uri_component(raw)
            except LinkError:  # an unreadable setting: its default, and the page says so
                train.setdefault("unreadable", []).append(key)
        elif key in (FROZEN, CHALLENGE) and raw:
            try:
                out[key] = [label for label in map(decode_uri_component, raw.split(",")) if label]
            except LinkError:
                out[key] = []
    return out
