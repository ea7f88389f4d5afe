"""The command line: ``python -m engine grad FILE`` and friends.

A bad program exits with status 2 and one line on standard error,
``error: line L, col C: MESSAGE``; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from .errors import ProgramError
from .timeline import fmt


def _read(path: str) -> str:
    """The program's text. Bytes that are not UTF-8 are a bad program, reported at
    their line and column like any other."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                data = handle.read()
    except OSError as error:
        raise _Unreadable(f"cannot read {path}: {error}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        raise ProgramError(
            line, col, f"byte 0x{data[error.start]:02x} is not UTF-8 text: save the program as UTF-8"
        ) from None


class _Unreadable(Exception):
    pass


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines)


def cmd_grad(args) -> int:
    from .program import compile_program
    from .timeline import Timeline

    tape = compile_program(_read(args.file))
    timeline = Timeline(tape)
    out = tape.labels[tape.output]
    grads = {name: timeline.grads[i] for name, i in tape.names.items()}
    if args.json:
        print(json.dumps({"output": out, "value": timeline.output_value, "grads": grads}))
        return 0
    rows = [(name, fmt(timeline.values[i]), fmt(timeline.grads[i]))
            for name, i in tape.names.items()]
    print(f"output {out} = {fmt(timeline.output_value)}\n")
    print(_table(rows, ("name", "value", f"d{out}/dname")))
    return 0


def cmd_layout(args) -> int:
    from .graph import layout_tape
    from .program import compile_program

    result = layout_tape(compile_program(_read(args.file)))
    if args.json:
        print(json.dumps(result))
    else:
        for node in result["nodes"]:
            print(f"{node['id']:>10}  {node['kind']:<5}  x={node['x']:8.1f}  y={node['y']:8.1f}  "
                  f"{node['label']}")
    return 0


def cmd_scene(args) -> int:
    from .examples import DEFAULT
    from .scene import scene
    from .session import Session

    text = DEFAULT["program"] if args.default else _read(args.file)
    print(json.dumps(scene(Session(text)), separators=(",", ":")))
    return 0


def cmd_examples(args) -> int:
    from .examples import EXAMPLES

    if args.json:
        print(json.dumps(EXAMPLES))
    else:
        for example in EXAMPLES:
            print(f"{example['id']:<18} {example['title']}")
    return 0


def cmd_check(args) -> int:
    """Backprop against finite differences, per named leaf (contract section 4)."""
    from .numeric import check_rows
    from .program import compile_program
    from .timeline import Timeline

    tape = compile_program(_read(args.file))
    if args.sweep:
        return _sweep(tape, args.json)
    timeline = Timeline(tape)  # a program whose own values fail is a bad program (exit 2)
    start = timeline.start
    rows = check_rows(tape, start, args.h, timeline.grads)
    if args.closed_form:
        _add_closed_forms(tape, start, rows)
    status = 0 if all(row["ok"] for row in rows) else 1
    if args.json:
        print(json.dumps({"h": args.h, "output": tape.labels[tape.output], "leaves": rows}))
        return status
    print(f"h = {args.h!r}; forward (f(x+h)-f(x))/h, backward (f(x)-f(x-h))/h, central "
          "(f(x+h)-f(x-h))/2h;\nok when |backprop - central| <= 1e-5 + 1e-3*|central| "
          "(torch's gradcheck)\n")
    table = []
    for row in rows:
        central = row["central"]
        error = None if central is None else abs(row["backprop"] - central)
        relative = None if error is None or central == 0.0 else error / abs(central)
        table.append((row["label"], fmt(row["backprop"]),
                      *("-" if row[m] is None else fmt(row[m]) for m in ("forward", "backward", "central")),
                      "-" if error is None else f"{error:.2e}",
                      "-" if relative is None else f"{relative:.2e}",
                      "ok" if row["ok"] else "FAIL"))
    print(_table(table, ("leaf", "backprop", "forward", "backward", "central",
                         "|bp - central|", "relative", "check")))
    for row in rows:
        if "problem" in row:
            print(f"\n{row['label']}: {row['problem']}")
    if args.closed_form:
        out = tape.labels[tape.output]
        print("\nclosed form (sympy):")
        for row in rows:
            if row.get("closed_form") is None:
                print(f"  d{out}/d{row['label']}: {row.get('closed_form_problem', 'not available')}")
            else:
                print(f"  d{out}/d{row['label']} = {row['closed_form']} = {fmt(row['closed_form_value'])}")
    return status


def _add_closed_forms(tape, start, rows: list[dict]) -> None:
    """``closed_form`` and ``closed_form_value`` on each row (``None`` with
    ``closed_form_problem`` when sympy is missing or the formula cannot be made)."""
    try:
        import sympy  # noqa: F401

        from .closed_form import closed_form
    except ImportError:
        for row in rows:
            row.update(closed_form=None, closed_form_value=None,
                       closed_form_problem="the closed form needs sympy: pip install sympy")
        return
    for i, row in zip(tape.leaf_indices(), rows, strict=True):
        result = closed_form(tape, start, i)
        row["closed_form"] = result["expr"]
        row["closed_form_value"] = result["value"]
        if result.get("problem"):
            row["closed_form_problem"] = result["problem"]


def _sweep(tape, as_json: bool) -> int:
    """Error against h for every leaf: too large an h errs by the curvature, too small
    by rounding; central differences win in between."""
    from .numeric import METHODS, error_curve

    hs = [10.0**-k for k in range(1, 13)]
    curves = {tape.labels[i]: error_curve(tape, i, hs) for i in tape.leaf_indices()}
    if as_json:
        print(json.dumps(curves))
        return 0
    for label, rows in curves.items():
        print(f"leaf {label}: |estimate - backprop|")
        table = [(f"{row['h']:.0e}", *("-" if row[m] is None else f"{row[m]:.3e}" for m in METHODS))
                 for row in rows]
        print(_table(table, ("h", *METHODS)) + "\n")
    return 0


def _positive(text: str) -> float:
    """argparse type: a positive, finite float."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"h must be a positive, finite number, not {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine",
                                     description="gradstep's autograd engine")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("grad", help="the output value and every name's gradient")
    p.add_argument("file", help="a program file, or - for standard input")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(run=cmd_grad)
    p = sub.add_parser("layout", help="the laid-out graph the page draws")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_layout)
    p = sub.add_parser("scene", help="the page's scene (layout, timeline, state) as JSON")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("file", nargs="?")
    group.add_argument("--default", action="store_true", help="the page's default example")
    p.set_defaults(run=cmd_scene)
    p = sub.add_parser("examples", help="the worked examples")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_examples)
    p = sub.add_parser("check", help="backprop against finite differences")
    p.add_argument("file")
    p.add_argument("--h", type=_positive, default=1e-6, help="the step h (default 1e-6)")
    p.add_argument("--sweep", action="store_true",
                   help="the error of each difference against backprop for h = 1e-1 ... 1e-12")
    p.add_argument("--closed-form", action="store_true",
                   help="add each leaf's derivative written out as a formula (needs sympy)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except ProgramError as error:
        print(f"error: {error}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"error": error.to_dict()}))
        return 2
    except _Unreadable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
