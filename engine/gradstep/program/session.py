"""The stepper: a program, a position in its timeline, and an undo history.

Stepping is a list of frames plus an index (the timeline's frames, and
``position``): ``position`` frames are done. Forward steps, backward steps, the
``-all`` jumps, seeking and undo only move the index; nudges and edits of a leaf
make a new timeline. Every change pushes the previous state, so ``undo`` restores
it exactly. The command line, the tests and the notebook widget's Python side call
``act``; the page steps with web/graph/stepper.js, the same rules and notes in
JavaScript (tests/program/test_stepper_parity.py keeps the two the same). Nothing
here knows about a DOM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from gradstep.core.errors import ProgramError
from gradstep.core.tape import LEAF
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline
from gradstep.program.writer import program_with

ACTIONS = ("forward_step", "forward_all", "backward_step", "backward_all", "undo", "reset",
           "nudge", "seek", "set_leaf", "toggle_freeze")
DIRECTIONS = ("descend", "ascend")
HISTORY_LIMIT = 10_000


@dataclass(frozen=True)
class State:
    timeline: Timeline
    version: int
    position: int = 0
    frozen: frozenset[int] = frozenset()
    nudges: tuple[dict, ...] = ()
    last: int | None = None  # tape index the last step touched
    ran: bool = False  # the forward pass was run (matters when it has no frames)


def phase_of(position: int, forward: int, backward: int, ran: bool = False) -> str:
    """The phase at ``position``. A program of leaves only has no forward frames, so
    position 0 is both the start and the end of its forward pass: ``ran`` tells them
    apart."""
    if position == 0:
        return "forward-done" if ran and forward == 0 else "start"
    if position < forward:
        return "forward"
    if position == forward:
        return "forward-done"
    if position < forward + backward:
        return "backward"
    return "backward-done"


class Session:
    """A program being stepped through. Raises ``ProgramError`` for a bad program."""

    def __init__(self, text: str, frames: bool = True):
        self.text = text
        # Whether timelines handed out carry every frame's text; the page's worker says
        # no and asks for the frames it shows (Timeline.frame).
        self.frames = frames
        self.tape = compile_program(text)
        self._versions = 0
        self.state = State(self._new_timeline(None), self._versions)
        self.history: list[State] = []

    def _new_timeline(self, start):
        timeline = Timeline(self.tape, start)
        self._versions += 1
        return timeline

    # ---------------------------------------------------------------- reading
    @property
    def timeline(self) -> Timeline:
        return self.state.timeline

    @property
    def forward_count(self) -> int:
        return len(self.timeline.forward)

    @property
    def phase(self) -> str:
        s = self.state
        return phase_of(s.position, self.forward_count, len(self.timeline.backward), s.ran)

    def shown(self) -> tuple[list[float | None], list[float | None]]:
        """The values and gradients the current position has computed (None where not)."""
        t, p = self.timeline, self.state.position
        values: list[float | None] = [None] * len(self.tape)
        grads: list[float | None] = [None] * len(self.tape)
        for i, op in enumerate(self.tape.ops):
            if op is None:
                values[i] = t.values[i]
        for i in t.forward[:p]:
            values[i] = t.values[i]
        for i in t.backward[: max(0, p - len(t.forward))]:
            grads[i] = t.grads[i]
        return values, grads

    def state_dict(self) -> dict:
        s = self.state
        return {
            "position": s.position,
            "length": len(self.timeline),
            "phase": self.phase,
            "current": s.last,
            "timeline_version": s.version,
            "frozen": sorted(s.frozen),
            "can_undo": bool(self.history),
            "nudges": list(s.nudges),
            "output": self.timeline.output_value,
        }

    def program_text(self) -> str:
        """The program with each leaf's literal set to its current value (the text a
        share link carries): compiling it gives exactly these leaf values."""
        text = program_with(self.tape, self.timeline.start)
        return "\ufeff" + text if self.text.startswith("\ufeff") else text

    # --------------------------------------------------------------- actions
    def act(self, action: str, **args) -> dict:
        """Do one action; return the new state, plus the timeline and the program
        text (with the leaves' current values) when the values changed, plus a
        ``note`` when the action did something other than its name says, or nothing.

        A ``ProgramError`` (a nudge or an edit that leaves an op's domain) leaves the
        state as it was.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        before = self.state
        note = self._note(action, args)
        if action == "undo":
            if self.history:
                self.state = self.history.pop()
        else:
            new = getattr(self, "_" + action)(**args)
            if new is not before:
                self.history.append(before)
                del self.history[:-HISTORY_LIMIT]
                self.state = new
        if self.state.timeline is not before.timeline:
            before.timeline.drop_frames()  # the undo history keeps values, not text
        reply = {"state": self.state_dict()}
        if self.state.version != before.version:
            # The page's worker (frames=False) gets only what the new values change.
            reply["timeline"] = self.timeline.to_dict(self.state.version, frames=self.frames,
                                                      structure=self.frames)
            reply["program"] = self.program_text()
        if action == "nudge" and all(
                a == b for a, b in zip(before.timeline.start, self.timeline.start, strict=True)):
            note = "The nudge moved nothing: " + (
                "every leaf is frozen. Unfreeze one first." if self.state.nudges[-1]["moved"] == 0
                else "every unfrozen leaf's gradient is 0.")
        elif action in ("reset", "set_leaf") and self.state is before:
            note = ("Already at the start: nothing to reset." if action == "reset" else
                    f"{self.tape.labels[int(args['node'])]} already has the value "
                    f"{self.timeline.start[int(args['node'])]!r}: nothing changed.")
        if note:
            reply["note"] = note
        return reply

    def _note(self, action: str, args: dict) -> str | None:
        """What to tell the learner about ``action`` done now, when it is not simply
        what its name says (see ``act``)."""
        phase = self.phase
        position, forward = self.state.position, self.forward_count
        if action in ("forward_step", "forward_all") and phase in ("forward-done", "backward",
                                                                   "backward-done"):
            return {
                "forward-done": "The forward pass is already done, so nothing changed: "
                                "step backward next.",
                "backward": "The forward pass is already done and the backward pass is under "
                            "way, so nothing changed: step backward to go on.",
                "backward-done": "Both passes are already done, so nothing changed: nudge to "
                                 "use the gradients, or Reset to step through again.",
            }[phase]
        if action in ("backward_step", "backward_all"):
            if phase == "backward-done":
                return ("The backward pass is already done, so nothing changed: every gradient "
                        "is shown. Nudge to use them, or Reset to step through again.")
            left = forward - position
            if left > 0:
                steps = f"{left} remaining forward step{'s' if left > 1 else ''}"
                then = ("the first backward step" if action == "backward_step"
                        else "the whole backward pass")
                return (f"The forward pass was not finished, so this first ran its {steps}, "
                        f"then {then}.")
        if action == "nudge" and phase != "backward-done":
            return ("The gradients were not all shown yet: the nudge used the ones the full "
                    "backward pass computes.")
        if action == "undo" and not self.history:
            return "Nothing to undo."
        return None

    def _move(self, position: int) -> State:
        s = self.state
        position = max(0, min(position, len(s.timeline)))
        if position == s.position:
            return s
        if position == 0:
            return replace(s, position=0, last=None, ran=False)
        t = s.timeline
        forward = len(t.forward)
        if position == 0:
            last = None
        elif position <= forward:
            last = t.forward[position - 1]
        else:
            last = t.backward[position - forward - 1]
        return replace(s, position=position, last=last, ran=True)

    def _forward_step(self) -> State:
        s = self.state
        if self.forward_count == 0 and not s.ran:
            return replace(s, ran=True)  # leaves only: the pass is done at once
        if s.position >= self.forward_count:
            return s
        return self._move(s.position + 1)

    def _forward_all(self) -> State:
        s = self.state
        if self.forward_count == 0 and not s.ran:
            return replace(s, ran=True)
        return self._move(max(s.position, self.forward_count))

    def _backward_step(self) -> State:
        # Before the forward pass is done, a backward step first finishes it.
        return self._move(max(self.state.position, self.forward_count) + 1)

    def _backward_all(self) -> State:
        return self._move(len(self.timeline))

    def _seek(self, position: int) -> State:
        return self._move(int(position))

    def _reset(self) -> State:
        """Back to position 0, keeping the current leaf values and the nudge history:
        the share link holds the current values, so Reset must not bring back older
        ones (Undo does, exactly)."""
        s = self.state
        new = replace(s, position=0, last=None, ran=False)
        return s if new == s else new

    def _leaf(self, node) -> int:
        node = int(node)
        if not 0 <= node < len(self.tape) or self.tape.kinds[node] != LEAF:
            raise ValueError(f"node {node} is not a named leaf")
        return node

    def _toggle_freeze(self, node) -> State:
        node = self._leaf(node)
        s = self.state
        return replace(s, frozen=s.frozen ^ {node})

    def _set_leaf(self, node, value) -> State:
        node = self._leaf(node)
        value = float(value)
        if value - value != 0.0:
            line, col = self.tape.locs[node]
            raise ProgramError(line, col, f"{value!r} is not a finite number")
        s = self.state
        if value == s.timeline.start[node] and str(value) == str(s.timeline.start[node]):
            return s  # the same float, sign of zero included: nothing to recompute
        start = list(s.timeline.start)
        start[node] = value
        timeline = self._new_timeline(start)
        return replace(s, timeline=timeline, version=self._versions, last=node)

    def _nudge(self, rate=0.01, direction="descend") -> State:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
        rate = float(rate)
        if not rate > 0.0 or rate - rate != 0.0:
            raise ValueError(f"the rate must be a positive number, not {rate!r}")
        s = self.state
        t = s.timeline
        sign = 1.0 if direction == "ascend" else -1.0
        start = list(t.start)
        predicted = 0.0
        moved = 0
        for i in self.tape.leaf_indices():
            if i in s.frozen:
                continue
            g = t.grads[i]
            start[i] = t.start[i] + sign * rate * g
            if start[i] - start[i] != 0.0:
                line, col = self.tape.locs[i]
                raise ProgramError(line, col, f"the nudge would move {self.tape.labels[i]} past "
                                              "the largest float64 (about 1.8e308): use a smaller rate")
            predicted += sign * rate * g * g
            moved += 1
        timeline = self._new_timeline(start)
        before, after = t.output_value, timeline.output_value
        record = {"before": before, "after": after, "predicted": predicted,
                  "actual": after - before, "rate": rate, "direction": direction, "moved": moved}
        return replace(s, timeline=timeline, version=self._versions,
                       position=len(timeline.forward), nudges=s.nudges + (record,), last=None,
                       ran=True)
