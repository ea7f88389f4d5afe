"""Your own points from CSV text: rows ``x,y,label`` (classes 0, 1, ...) or ``x,y,target``
(a number: a regression), an optional header line.

``read(text)`` returns a ``Data``: the points, their labels or targets, the number of classes
(0 for a regression) and the rows skipped, each with its line number in the file (from 1) and
why, so nothing is lost silently. Which kind: a header's third name says it (``target`` or
``value``: a regression; ``label`` or ``class``: classes), else the rows do (classes when every
third field is a whole number 0 or more, a regression otherwise). A header is a first line
none of whose fields is a number (a broken first row is a row, named). ``ValueError`` when no row can be read.

Fields are separated by commas, or by semicolons or tabs in a line that has some (a
spreadsheet's export in another locale, where ``0,5`` is then a decimal comma), and a field in
double quotes is read without them. A field is a
number written in ASCII (``1e-3`` and `` 2.5 `` are numbers; ``float`` would also take other
scripts' digits, ``٣``, which no one types as a label on purpose); blank lines and lines starting
with ``#`` are not rows. A row is skipped when it has not three fields, a field is not a finite
number, or, for classes, its label is not a whole number from 0 to ``MAX_CLASSES - 1``. When no
row can be read, the error names the first rows skipped, with why.
"""

from __future__ import annotations

import math
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


def _fields(line: str) -> list[str]:
    """A line's fields: split at its semicolons or tabs when it has some (then a decimal comma,
    ``0,5``, is a decimal point), else at its commas; double quotes taken off."""
    sep = ";" if ";" in line else "\t" if "\t" in line else ","
    fields = [part.strip() for part in line.split(sep)]
    fields = [f[1:-1].strip() if len(f) >= 2 and f[0] == f[-1] == '"' else f for f in fields]
    if sep != ",":
        fields = [f.replace(",", ".") if f.count(",") == 1 and "." not in f else f for f in fields]
    return fields


def read(text: str) -> Data:
    rows = []  # (line number, [fields])
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows.append((number, _fields(stripped)))
    kind = None
    header = False
    if rows and all(_number(f) is None for f in rows[0][1]):
        header = True
        fields = [f.lower().strip("\"' ") for f in rows[0][1]]
        if len(fields) == 3 and fields[2] in TARGET_NAMES:
            kind = "target"
        elif len(fields) == 3 and fields[2] in LABEL_NAMES:
            kind = "label"
        rows = rows[1:]
    good, skipped = [], []
    for number, fields in rows:
        if len(fields) != 3:
            skipped.append((number, f"{len(fields)} fields, not 3 (x,y,label or x,y,target)"))
            continue
        values = [_number(f) for f in fields]
        bad = next((k for k, v in enumerate(values) if v is None), None)
        if bad is not None:
            what = ("x", "y", "the label or target")[bad]
            skipped.append((number, f"{what} is not a finite number: {fields[bad]!r}"))
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
