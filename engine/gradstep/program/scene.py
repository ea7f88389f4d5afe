"""The scene: everything the page draws for a program, composed from its parts.

The stepper (``gradstep.program.session.Session``) knows the tape, the timeline and the state
and nothing of drawing; the layout (``gradstep.layout``) knows geometry and nothing of
stepping. This module puts them together: the program text (with the leaves' current
values), the timeline dict, the state dict and the laid-out graph. See docs/scene.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gradstep.program.session import Session


def scene(session: Session, layout: bool = True) -> dict:
    """``{"program", "timeline", "state"}``, and ``"layout"`` unless ``layout`` is
    false (the page already drew this program, and start-up need not load the layout
    code)."""
    out = {
        "program": session.program_text(),
        "timeline": session.timeline.to_dict(session.state.version, frames=session.frames),
        "state": session.state_dict(),
    }
    if layout:
        from gradstep.program.graph import layout_tape  # loaded on first use: stepping never needs it

        out["layout"] = layout_tape(session.tape)
    return out
