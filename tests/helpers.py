"""Shared helpers for the engine tests."""

from __future__ import annotations

from engine.program import compile_program
from engine.timeline import Timeline


def run(text: str) -> tuple[float, dict[str, float]]:
    """The output value and every name's gradient, as ``python -m engine grad`` gives."""
    tape = compile_program(text)
    timeline = Timeline(tape)
    return timeline.output_value, {name: timeline.grads[i] for name, i in tape.names.items()}


def central(f, x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-12) -> bool:
    return abs(a - b) <= abs_ + rel * abs(b)
