"""The stepper: a program, a position in its timeline, and an undo history.

Stepping is a list of frames plus an index (the timeline's frames, and
``position``): ``position`` frames are done. Forward steps, backward steps, the
``-all`` jumps, seeking and undo only move the index; nudges and edits of a leaf
make a new timeline. Every change pushes the previous state, so ``undo`` restores
it exactly. The page calls ``act`` and draws what it returns; nothing here knows
about a DOM.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .errors import ProgramError
from .program import compile_program
from .tape import LEAF
from .timeline import Timeline

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

    def __init__(self, text: str):
        self.text = text
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

    def scene(self, layout: bool = True) -> dict:
        """Everything the page draws: layout, timeline and state."""
        scene = {
            "program": self.text,
            "timeline": self.timeline.to_dict(self.state.version),
            "state": self.state_dict(),
        }
        if layout:
            from .graph import layout_tape  # the layout is not needed to step

            scene["layout"] = layout_tape(self.tape)
        return scene

    # --------------------------------------------------------------- actions
    def act(self, action: str, **args) -> dict:
        """Do one action; return the new state, plus the timeline when it changed.

        A ``ProgramError`` (a nudge or an edit that leaves an op's domain) leaves the
        state as it was.
        """
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        before = self.state
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
            reply["timeline"] = self.timeline.to_dict(self.state.version)
        return reply

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
        """Back to the start: the program's own leaf values, no nudges, position 0."""
        s = self.state
        if s.timeline.start == self.tape.init:
            timeline, version = s.timeline, s.version
        else:
            timeline = self._new_timeline(None)
            version = self._versions
        new = replace(s, timeline=timeline, version=version, position=0, nudges=(), last=None,
                      ran=False)
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
            predicted += sign * rate * g * g
            moved += 1
        timeline = self._new_timeline(start)
        before, after = t.output_value, timeline.output_value
        record = {"before": before, "after": after, "predicted": predicted,
                  "actual": after - before, "rate": rate, "direction": direction, "moved": moved}
        return replace(s, timeline=timeline, version=self._versions,
                       position=len(timeline.forward), nudges=s.nudges + (record,), last=None,
                       ran=True)
