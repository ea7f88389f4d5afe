"""A tape written back as its program: the text with each leaf's literal set to a new value
(what a share link carries after a nudge or an edit), everything else kept as written.
"""

from __future__ import annotations

import math

from gradstep.core.tape import Tape


# ------------------------------------------------------------- edited values
def _same_float(a: float, b: float) -> bool:
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def program_with(tape: Tape, values: list[float]) -> str:
    """The program's text with each leaf's literal replaced by its value in
    ``values`` (``repr``, so it reads back as exactly that float); a leaf whose value
    is still its literal's keeps the literal as written, and everything else
    (comments, spacing, other lines) is kept character for character."""
    pieces = []
    last = 0
    for i in sorted(tape.leaf_indices(), key=lambda i: tape.spans[i][0]):
        value = float(values[i])
        if _same_float(value, tape.init[i]):
            continue
        start, end = tape.spans[i]
        pieces += [tape.source[last:start], repr(value)]
        last = end
    pieces.append(tape.source[last:])
    return "".join(pieces)
