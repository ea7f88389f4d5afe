"""Your own points from CSV text: rows ``x,y,label`` (classes 0, 1, ...) or ``x,y,target``
(a number: a regression), an optional header line.

``read(text)`` returns a ``Data``: the points, their labels or targets, the number of classes
(0 for a regression) and the rows skipped, each with its line number in the file (from 1) and
why, so nothing is lost silently. Which kind: a header's third name says it (``target`` or
``value``: a regression; ``label`` or ``class``: classes), else the rows do (classes when every
third field is a whole number 0 or more, a regression otherwise). A header is a first line
none of whose fields is a number (a broken first row is a row, named). ``ValueError`` when no row can be read.

Fields are separated by commas, or by semicolons or tabs in a line that has some (a
spreadsheet's export), and a field in double quotes is read without them. Where the line is
split at semicolons, ``0,5`` is a decimal comma (the locales that write those use semicolons);
where at tabs, too, except for a field such as ``1,234``, which could as well be a thousand
and more: that row is skipped, saying so. A line split at tabs or semicolons into other than
three fields is tried at its commas (``0.5,<tab>1.5,<tab>0``). A field is a
number written in ASCII (``1e-3`` and `` 2.5 `` are numbers; ``float`` would also take other
scripts' digits, ``٣``, which no one types as a label on purpose); blank lines and lines starting
with ``#`` are not rows. A row is skipped when it has not three fields, a field is not a finite
number, or, for classes, its label is not a whole number from 0 to ``MAX_CLASSES - 1``. When no
row can be read, the error names the first rows skipped, with why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

MAX_ROWS = 10_000  # the points a dataset may have (settings' --points)
DATA_CHARS_MAX = 400_000  # the learner's CSV text (10,000 rows of three short numbers fit)
MAX_CLASSES = 10
TARGET_NAMES = ("target", "value", "z", "t")
LABEL_NAMES = ("label", "class", "classes", "category")


@dataclass
class Data:
    X: list[list[float]]
    y: list  # class numbers, or floats for a regression
    classes: int  # 0: a regression
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)
    header: bool = False


def _number(text: str) -> float | None:
    if not text.isascii():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# A comma that may group thousands ("1,234", "-12,345,678"): in a tab-separated line, not a decimal comma.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_SEPARATORS = (";", "\t", ",")


def _split(line: str, sep: str) -> list[str]:
    fields = [part.strip() for part in line.split(sep)]
    return [f[1:-1].strip() if len(f) >= 2 and f[0] == f[-1] == '"' else f for f in fields]


def _grouped(text: str, sep: str) -> bool:
    """A field whose commas may group thousands, in a tab-separated line: no guess is made."""
    return sep == "\t" and _THOUSANDS.fullmatch(text) is not None


def _value(text: str, sep: str) -> float | None:
    """A field's number, or None; a decimal comma where the separator allows one (module doc)."""
    if sep != "," and text.count(",") == 1 and "." not in text and not _grouped(text, sep):
        text = text.replace(",", ".")
    return _number(text)


def _fields(line: str) -> tuple[str, list[str]]:
    """A line's separator and fields: the first of its separators (semicolon, tab, comma) that
    gives three fields that are numbers; else the first that gives three fields; else the first."""
    seps = [sep for sep in _SEPARATORS if sep in line] or [","]
    splits = [(sep, _split(line, sep)) for sep in seps]
    for sep, fields in splits:
        if len(fields) == 3 and all(_value(f, sep) is not None for f in fields):
            return sep, fields
    return next(((sep, f) for sep, f in splits if len(f) == 3), splits[0])


def _shown(text: str, most: int = 40) -> str:
    """A field as a message quotes it: cut to its start when long (one line of 300,000 characters)."""
    return repr(text) if len(text) <= most else repr(text[:most]) + f"… ({len(text):,} characters)"


def read(text: str) -> Data:
    rows = []  # (line number, separator, [fields])
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows.append((number, *_fields(stripped)))
    kind = None
    header = False
    if rows and all(_value(f, rows[0][1]) is None for f in rows[0][2]):
        header = True
        fields = [f.lower().strip("\"' ") for f in rows[0][2]]
        if len(fields) == 3 and fields[2] in TARGET_NAMES:
            kind = "target"
        elif len(fields) == 3 and fields[2] in LABEL_NAMES:
            kind = "label"
        rows = rows[1:]
    good, skipped = [], []
    for number, sep, fields in rows:
        if len(fields) != 3:
            skipped.append((number, f"{len(fields)} fields, not 3 (x,y,label or x,y,target)"))
            continue
        values = [_value(f, sep) for f in fields]
        bad = next((k for k, v in enumerate(values) if v is None), None)
        if bad is not None:
            what = ("x", "y", "the label or target")[bad]
            if _grouped(fields[bad], sep):
                comma = fields[bad].replace(",", "")
                why = (f"{what} is {fields[bad]!r}: a decimal comma or thousands? Write it "
                       f"{fields[bad].replace(',', '.')} or {comma}" if fields[bad].count(",") == 1 else
                       f"{what} is {fields[bad]!r}: write it without the commas that group its thousands, {comma}")
            else:
                why = f"{what} is not a finite number: {_shown(fields[bad])}"
            skipped.append((number, why))
            continue
        good.append((number, values))
    if kind is None:
        whole = all(v[2].is_integer() and 0 <= v[2] < MAX_CLASSES for _, v in good)
        kind = "label" if good and whole else "target"
    X, y = [], []
    for number, (a, b, c) in good:
        if kind == "label" and not (c.is_integer() and 0 <= c < MAX_CLASSES):
            skipped.append((number, f"the label must be a whole number from 0 to {MAX_CLASSES - 1}, not {c!r}"))
            continue
        X.append([a, b])
        y.append(int(c) if kind == "label" else c)
    skipped.sort()
    if not X:
        named = "; ".join(f"line {number}: {why}" for number, why in skipped[:3])
        more = f"; {len(skipped) - 3:,} more" if len(skipped) > 3 else ""
        raise ValueError("no row could be read: rows are x,y,label or x,y,target, an optional header line first"
                         + (f" ({len(skipped):,} skipped: {named}{more})" if skipped else ""))
    if len(X) > MAX_ROWS:
        raise ValueError(f"{len(X):,} rows; the most is {MAX_ROWS:,}")
    classes = 0 if kind == "target" else max(2, max(y) + 1)
    return Data(X, y, classes, skipped, header)
