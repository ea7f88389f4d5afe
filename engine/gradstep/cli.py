"""The command line: ``gradstep grad FILE`` (or ``python -m gradstep grad FILE``) and friends.

A bad program exits with status 2 and one line on standard error,
``error: line L, col C: MESSAGE``; never a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from gradstep.core.errors import ProgramError


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
    from gradstep.program.compiler import compile_program
    from gradstep.program.timeline import Timeline

    tape = compile_program(_read(args.file))
    timeline = Timeline(tape)
    out = tape.labels[tape.output]
    grads = {name: timeline.grads[i] for name, i in tape.names.items()}
    if args.json:
        print(json.dumps({"output": out, "value": timeline.output_value, "grads": grads}))
        return 0
    rows = [(name, repr(timeline.values[i]), repr(timeline.grads[i]))
            for name, i in tape.names.items()]
    print(f"output {out} = {repr(timeline.output_value)}\n")
    print(_table(rows, ("name", "value", f"d{out}/dname")))
    return 0


def cmd_layout(args) -> int:
    from gradstep.program.compiler import compile_program
    from gradstep.program.graph import layout_tape

    result = layout_tape(compile_program(_read(args.file)))
    if args.json:
        print(json.dumps(result))
    else:
        for node in result["nodes"]:
            print(f"{node['id']:>10}  {node['kind']:<5}  x={node['x']:8.1f}  y={node['y']:8.1f}  "
                  f"{node['label']}")
    return 0


def cmd_scene(args) -> int:
    from gradstep.program.examples import DEFAULT
    from gradstep.program.scene import scene
    from gradstep.program.session import Session

    text = DEFAULT["program"] if args.default else _read(args.file)
    print(json.dumps(scene(Session(text)), separators=(",", ":")))
    return 0


def cmd_examples(args) -> int:
    from gradstep.program.examples import EXAMPLES, PYTHON_EXAMPLES

    chosen = PYTHON_EXAMPLES if args.python else EXAMPLES
    if args.json:
        print(json.dumps(chosen))
    else:
        for example in chosen:
            print(f"{example['id']:<18} {example['title']}")
    return 0


def cmd_check(args) -> int:
    """Backprop against finite differences, per named leaf (contract section 4)."""
    from gradstep.lab.numeric import check_rows, relative_error
    from gradstep.program.compiler import compile_program
    from gradstep.program.timeline import Timeline

    tape = compile_program(_read(args.file))
    if args.sweep:
        return _sweep(tape, args.json)
    timeline = Timeline(tape)  # a program whose own values fail is a bad program (exit 2)
    start = timeline.start
    rows = check_rows(tape, start, args.h, timeline.grads)
    if args.closed_form:
        _add_closed_forms(tape, start, rows)
    if args.yours:
        return _check_yours(tape, start, rows, args)
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
        relative = relative_error(central, row["backprop"])  # (the page's lab shows the same number)
        table.append((row["label"], repr(row["backprop"]),
                      *("-" if row[m] is None else repr(row[m]) for m in ("forward", "backward", "central")),
                      "-" if error is None else f"{error:.2e}",
                      "-" if relative is None else f"{relative:.2e}",
                      "ok" if row["ok"] else "FAIL"))
    print(_table(table, ("leaf", "backprop", "forward", "backward", "central",
                         "|bp - central|", "relative", "check")))
    print("\n(relative: |central - backprop| / |backprop|, the error relative to the exact gradient)")
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
                print(f"  d{out}/d{row['label']} = {row['closed_form']} = {repr(row['closed_form_value'])}")
    return status


def _add_closed_forms(tape, start, rows: list[dict]) -> None:
    """``closed_form`` and ``closed_form_value`` on each row (``None`` with
    ``closed_form_problem`` when sympy is missing or the formula cannot be made)."""
    try:
        import sympy  # noqa: F401

        from gradstep.lab.closed_form import closed_form
    except ImportError:
        for row in rows:
            row.update(closed_form=None, closed_form_value=None,
                       closed_form_problem="the closed form needs sympy: pip install 'gradstep[lab]' (or sympy)")
        return
    for i, row in zip(tape.leaf_indices(), rows, strict=True):
        result = closed_form(tape, start, i)
        row["closed_form"] = result["expr"]
        row["closed_form_value"] = result["value"]
        if result.get("problem"):
            row["closed_form_problem"] = result["problem"]


def _check_yours(tape, start, rows: list[dict], args) -> int:
    """``check --yours LEAF=EXPR``: the learner's own derivatives (gradstep.lab.yours), seed
    003's lines and where each is wrong. The exit status is about these alone: 0 when every
    one given is right at every point checked (and not shown different by sympy), else 1."""
    from gradstep.lab.closed_form import symbol_names
    from gradstep.lab.yours import check_yours, named_steps

    leaves = {tape.labels[i]: i for i in tape.leaf_indices()}
    for i, name in symbol_names(tape).items():
        leaves.setdefault(name, i)
    steps = named_steps(tape)  # (seed 004's dy/dh3: a named step, taken as a number of its own)
    for i in steps:
        leaves.setdefault(tape.labels[i], i)
    given: dict[int, str] = {}
    for item in args.yours:
        name, equals, text = item.partition("=")
        name = name.strip()
        if not equals or not name:
            return _yours_refused(f"--yours takes LEAF=EXPR, like --yours 'b=3*cos(3*b)', not {item!r}", args)
        if name not in leaves:
            shown = ", ".join(tape.labels[i] for i in tape.leaf_indices()) or "none"
            named = f"; its named steps: {', '.join(tape.labels[i] for i in steps)}" if steps else ""
            return _yours_refused(f"--yours {name}=...: {name} is not a leaf of the program (its leaves: {shown}"
                                  f"{named})", args)
        given[leaves[name]] = text  # (a leaf given twice: the last wins)
    results = {}
    for i, text in given.items():
        try:
            results[i] = check_yours(tape, start, i, text)
        except ProgramError as error:
            where = f"in your derivative for {tape.labels[i]}, {text.strip()!r}"
            print(f"error: {error} ({where})", file=sys.stderr)
            if args.json:
                print(json.dumps({"error": {**error.to_dict(), "leaf": tape.labels[i], "yours": text}}))
            return 2
    status = 0 if all(r["ok"] for r in results.values()) else 1
    reveal = args.show_answer
    if args.json:
        asked = [{"label": tape.labels[i], "backprop": results[i]["expected"]} for i in steps if i in results]
        for i, row in zip(tape.leaf_indices() + [i for i in steps if i in results], rows + asked, strict=True):
            if i in results:
                r = results[i]
                row.update({k: r[k] for k in ("yours", "yours_value", "yours_ok", "points_checked",
                                              "points_failed", "equivalent")})
                diagnosis = r["diagnosis"] and {**r["diagnosis"], "truth": r["diagnosis"]["truth"] if reveal else None}
                row["yours_check"] = {
                    "ok": r["ok"], "line": r["line"], "equivalent_note": r["equivalent_note"],
                    "disagree": r["disagree"], "diagnosis": diagnosis,
                    "hints": r["hints"] if reveal else r["hints"][:2],
                    "steps": r["steps"] if reveal else [], "answer": r["answer"] if reveal else None}
        extra = {"steps": asked} if asked else {}  # (derivatives with respect to named steps)
        print(json.dumps({"h": args.h, "output": tape.labels[tape.output], "leaves": rows, **extra}))
        return status
    out = tape.labels[tape.output]
    order = tape.leaf_indices() + steps
    for i in order:
        if i not in results:
            continue
        r = results[i]
        print(r["line"])
        if r["ok"]:
            continue
        d = r["disagree"]
        if d is not None:
            where = ", ".join(f"{k}={v!r}" for k, v in d["at"].items())
            if d["yours"] is not None:
                yours = f"yours {d['yours']!r}"
            else:
                yours = f"yours cannot be computed there ({d['problem'].split(': ', 1)[-1]})"
            print(f"  disagrees at {where}: expected {d['expected']!r}, {yours}")
        elif r["diagnosis"]:
            print(f"  {r['diagnosis']['message']}")
        for k, hint in enumerate(r["hints"][:2], start=1):
            print(f"  hint {k}: {hint}")
        if reveal:
            if r["steps"]:
                print("  step by step:")
                for step in r["steps"]:
                    print(f"    {step}")
            whole = f"d{out}/d{r['label']} = {r['answer']}"
            print(f"  answer: {r['hints'][2] if r['hints'] else whole}")
            if r["answer"] and r["hints"] and r["hints"][2] != whole:
                print(f"  the whole derivative: {whole}")
        else:
            print("  (--show-answer shows the answer)")
    print()
    for i in order:
        if i in results:
            r = results[i]
            sympy_says = {True: "equivalent", False: "not equivalent", None: "undecided"}[r["equivalent"]]
            if r["ok"]:
                found = f"OK at the program's values and at all {r['points_checked']} other points checked"
            else:
                here = "right" if r["yours_ok"] else "wrong"
                found = (f"WRONG: {here} at the program's values, wrong at {r['points_failed']} of "
                         f"{r['points_checked']} other points")
            print(f"{r['label']}: {found}; sympy: {sympy_says}")
    right = sum(r["ok"] for r in results.values())
    print(f"{right} of {len(results)} right (d{out}/dLEAF at the program's values and at other points inside its "
          "domain, each by gradcheck's rule |yours - backprop| <= 1e-5 + 1e-3*|backprop|; and by sympy)")
    return status


def _yours_refused(message: str, args) -> int:
    print(f"error: {message}", file=sys.stderr)
    if args.json:
        print(json.dumps({"error": {"line": None, "col": None, "message": message}}))
    return 2


def _sweep(tape, as_json: bool) -> int:
    """Error against h for every leaf: too large an h errs by the curvature, too small
    by rounding; central differences win in between."""
    from gradstep.lab.numeric import METHODS, error_curve

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


def _finite_positive(not_a_number: str, not_positive: str):
    """argparse type: a positive, finite float; the messages say what is wrong in the
    command's own words (``{text}`` is what was typed)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(not_a_number.format(text=repr(text))) from None
        if not 0.0 < value < float("inf"):
            raise argparse.ArgumentTypeError(not_positive.format(text=text))
        return value

    return parse


_positive = _finite_positive("{text} is not a number", "h must be a positive, finite number, not {text}")


class _TrainArgumentError(Exception):
    """A bad argument to ``train``: reported as one line, ``error: ...``, exit 2."""


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument as one line (no usage block)."""

    def error(self, message):
        raise _TrainArgumentError(message)


def _setting_type(setting):
    """argparse type for one training setting: its own parser and limits (gradstep.training.settings)."""
    from gradstep.training.settings import SettingError

    def parse(text: str):
        try:
            return setting.parse(text, cli=True)
        except SettingError as error:
            raise argparse.ArgumentTypeError(error.message) from None

    parse.__name__ = setting.name  # (argparse names the type in some messages)
    return parse


def _add_train_arguments(p: argparse.ArgumentParser) -> None:
    """The training settings' flags, from the one table (gradstep.training.settings): help, limits, defaults."""
    from gradstep.training.settings import SETTINGS

    for s in SETTINGS:
        if not s.cli:
            continue
        help_text = f"{s.help}{' ' + s.cli_help if s.cli_help else ''} [{s.limits(cli=True)}]"
        if s.kind == "choice" and not s.required and s.name != "dataset":
            p.add_argument(s.flag, choices=s.choices, default=None if s.name == "loss" else s.default, help=help_text)
        else:  # (--dataset: needed unless --data is given, checked in cmd_train)
            default = None if s.required or s.name in ("batch", "lr", "dataset") else s.default
            p.add_argument(s.flag, required=s.required, type=_setting_type(s), default=default,
                           metavar=s.metavar or s.name.upper(), help=help_text)
    p.add_argument("--json", action="store_true", help="one JSON object")


def _train_parser() -> argparse.ArgumentParser:
    p = _OneLineParser(prog="gradstep train",
                       description="train an MLP on a 2-D dataset, deterministically")
    _add_train_arguments(p)
    return p


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float], width: int = 60, log: bool = False) -> str:
    """The values as block characters, lowest ▁ to highest █, averaged into at most
    ``width`` columns; ``log`` scales them logarithmically (positive values only)."""
    if not values:
        return ""
    if log:
        values = [math.log10(v) for v in values]
    columns = min(width, len(values))
    means = []
    for c in range(columns):
        chunk = values[c * len(values) // columns:(c + 1) * len(values) // columns]
        means.append(sum(chunk) / len(chunk))
    low, high = min(means), max(means)
    if high == low:
        return SPARKS[0] * columns
    return "".join(SPARKS[min(len(SPARKS) - 1, int((m - low) / (high - low) * len(SPARKS)))] for m in means)


def cmd_train(args) -> int:
    """Train as contract 5 says; a table and a loss curve, or one JSON object."""
    from gradstep.training.datasets import CLASSES, DEFAULT_NOISE, split
    from gradstep.training.losses import L2_ALPHA
    from gradstep.training.optimizers import default_lr
    from gradstep.training.run import train
    from gradstep.training.settings import SettingError, check_together
    from gradstep.training.trainer import DECAY, DECAY_STEPS, default_loss, default_reg, learning_rate, output_units

    data = None
    if args.data is not None:
        if args.dataset is not None:
            raise _TrainArgumentError("argument --data: give --dataset or --data, not both")
        data = _read_data(args.data)
        args.dataset = args.data
        args.points = len(data.X)
    elif args.dataset is None:
        raise _TrainArgumentError("the following arguments are required: --dataset (or --data FILE.csv)")
    classes = CLASSES[args.dataset] if data is None else data.classes
    try:
        check_together({"dataset": args.dataset, "loss": args.loss, "layers": args.layers,
                        "features": args.features, "classes": classes})
    except SettingError as error:
        raise _TrainArgumentError(str(error)) from None
    loss = default_loss(classes) if args.loss in (None, "default") else args.loss
    reg = default_reg(loss) if args.reg in (None, "default") else args.reg
    progress = None
    if not args.json and sys.stderr.isatty() and args.steps >= 20:
        def progress(k, value):
            print(f"\rstep {k}/{args.steps}  loss {value:.6f}", end="" if k < args.steps else "\n",
                  file=sys.stderr, flush=True)
    result = train(args.dataset, args.layers, args.steps, seed=args.seed, batch=args.batch, lr=args.lr,
                   activation=args.activation, loss=loss, n=args.points, noise=args.noise,
                   progress=progress, fast=True,  # gradstep.training.fastnet: Value's floats, bit for bit
                   test_fraction=args.test_fraction, reg=reg, reg_rate=args.reg_rate, optimizer=args.optimizer,
                   momentum=args.momentum, beta1=args.beta1, beta2=args.beta2, eps=args.eps,
                   weight_decay=args.weight_decay, init=args.init, features=args.features, data=data,
                   compare=args.compare or ())
    if args.json:
        print(json.dumps(result))
        return 0
    losses, test_losses = result["losses"], result["test_losses"]
    outputs = output_units(loss, classes)
    lr = default_lr(args.optimizer, classes == 0) if args.lr is None else args.lr
    noise = None if data is not None else DEFAULT_NOISE[args.dataset] if args.noise is None else args.noise
    trained = len(split(args.points, args.test_fraction, args.seed)[0])
    batch = "all points" if args.batch is None or args.batch >= trained else f"{args.batch} random points"
    held = f"; {args.points - trained} held out for testing" if trained < args.points else ""
    if data is None:
        print(f"{args.dataset}: {args.points} points, noise {noise}, seed {args.seed}{held}")
    else:
        kind = "a number each (regression)" if classes == 0 else f"{classes} classes"
        print(f"{args.dataset}: {args.points} points, {kind}, seed {args.seed}{held}"
              + (f"; {len(data.skipped)} rows skipped" if data.skipped else ""))
    inputs = ",".join(args.features)
    if reg == "l2" and loss == "hinge" and args.reg_rate == L2_ALPHA:
        penalty = " (micrograd's: hinge + 1e-4 L2)"
    else:
        penalty = "" if reg == "none" else f" + {args.reg_rate!r} {reg.upper()}"
    print(f"model: MLP({len(args.features)}, {[*args.layers, outputs]}), {args.activation}; loss {loss}{penalty}"
          + ("" if inputs == "x,y" else f"; inputs {inputs}") + ("; all weights 0 at first" if args.init == "zero"
                                                                 else ""))
    how = {"sgd": "SGD", "momentum": f"SGD with momentum {args.momentum!r}",
           "adam": f"Adam (beta1 {args.beta1!r}, beta2 {args.beta2!r}, eps {args.eps!r})"}[args.optimizer]
    if args.weight_decay:
        how += f", weight decay {args.weight_decay!r}"
    print(f"{how}: lr {lr:g} falling to {lr * (1.0 - DECAY):g} over {DECAY_STEPS} steps; {batch} a step\n")
    n = len(losses)
    shown = sorted({0, n - 1, *(k * (n - 1) // 9 for k in range(10))}) if n > 12 else range(n)
    if test_losses:
        print(_table([(str(k + 1), repr(losses[k]), repr(test_losses[k]), f"{learning_rate(k, lr):.4g}")
                      for k in shown], ("step", "loss", "test loss", "lr")))
    else:
        print(_table([(str(k + 1), repr(losses[k]), f"{learning_rate(k, lr):.4g}") for k in shown],
                     ("step", "loss", "lr")))
    log = all(v > 0.0 for v in losses)
    print(f"\nloss{' (log scale)' if log else ''}  {sparkline(losses, log=log)}")
    print(f"      {repr(losses[0])} at step 1, {repr(losses[-1])} at step {n}")
    if test_losses:
        log = all(v > 0.0 for v in test_losses)
        print(f"test loss{' (log scale)' if log else ''}  {sparkline(test_losses, log=log)}")
        print(f"      {repr(test_losses[0])} after step 1, {repr(test_losses[-1])} after step {n}")
        if classes == 0:
            print(f"a regression (no accuracy): loss {losses[-1]!r} on the {trained} training points, "
                  f"{test_losses[-1]!r} on the {args.points - trained} test points after the last step")
            return 0
        print(f"accuracy {result['accuracy'] * 100:.1f}% on the {trained} training points, "
              f"{result['test_accuracy'] * 100:.1f}% on the {args.points - trained} test points after the last step")
    elif classes == 0:
        print(f"a regression (no accuracy): the loss is the mean squared error on all {args.points} points")
    else:
        print(f"accuracy {result['accuracy'] * 100:.1f}% on all {args.points} points after the last step")
    _print_compare(result, args.optimizer, lr)
    return 0


def _print_compare(result, optimizer, lr) -> None:
    """--compare's copies after the run: each one's last loss and accuracy beside the run's own."""
    copies = result.get("compare") or []
    if not copies:
        return
    rows = [(f"{optimizer} (this run)", f"{lr:g}", repr(result["losses"][-1]),
             "" if result["accuracy"] is None else f"{result['accuracy'] * 100:.1f}%")]
    for c in copies:
        last = repr(c["losses"][-1]) if c["losses"] else "—"
        if c["diverged"]:
            last += f" (diverged at step {len(c['losses']) + 1})"
        accuracy = "" if c["accuracy"] is None else f"{c['accuracy'] * 100:.1f}%"
        rows.append((c["optimizer"], f"{c['lr']:g}", last, accuracy))
    print("\nthe same network from the same weights on the same batches, by optimizer:")
    print(_table(rows, ("optimizer", "lr", "last loss", "accuracy")))


def _read_data(path: str):
    """``--data FILE.csv`` read (gradstep.training.csvdata); each skipped row named on standard
    error by its line number; no readable row, or no file, is a bad argument (exit 2)."""
    from gradstep.training.csvdata import read

    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
        raise _TrainArgumentError(f"argument --data: cannot read {path}: {reason}") from None
    try:
        data = read(text)
    except ValueError as error:
        raise _TrainArgumentError(f"argument --data: {path}: {error}") from None
    for line, why in data.skipped:
        print(f"{path}:{line}: skipped: {why}", file=sys.stderr)
    return data


def cmd_export(args) -> int:
    """The program as a PyTorch or micrograd script, or a notebook (contract section 4, Export)."""
    from gradstep.lab.export import ExportError, export
    from gradstep.program.compiler import compile_program

    tape = compile_program(_read(args.file))
    try:
        text = export(tape, tape.init, args.to, args.h)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(text)
    else:  # UTF-8 whatever the terminal's encoding: the file is Python source or JSON
        sys.stdout.flush()
        out.write(text.encode("utf-8"))
        out.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gradstep",
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
    p.add_argument("--python", action="store_true", help="the page's Python-mode examples instead (Python code)")
    p.set_defaults(run=cmd_examples)
    p = sub.add_parser("check", help="backprop against finite differences")
    p.add_argument("file")
    p.add_argument("--h", type=_positive, default=1e-6, help="the step h (default 1e-6)")
    p.add_argument("--sweep", action="store_true",
                   help="the error of each difference against backprop for h = 1e-1 ... 1e-12")
    p.add_argument("--closed-form", action="store_true",
                   help="add each leaf's derivative written out as a formula (needs sympy)")
    p.add_argument("--yours", action="append", metavar="LEAF=EXPR",
                   help="check your own derivative of the output with respect to LEAF, an expression "
                        "in the program's names (e.g. --yours 'b=3*cos(3*b) + 2.5*b**1.5'): at the "
                        "program's values, at 40 other points and with sympy. Repeatable; a leaf given "
                        "twice: the last wins. The exit status is then about these: 0 when every one is "
                        "right everywhere checked, 1 when one is not, 2 for a bad expression")
    p.add_argument("--show-answer", action="store_true",
                   help="with --yours: also print the answer (the wrong term's derivative, step by step)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check)
    # listed for --help; ``main`` parses train's arguments with _train_parser
    _add_train_arguments(sub.add_parser("train", help="train an MLP on a 2-D dataset (contract 5)"))
    p = sub.add_parser("export", help="the program as a PyTorch or micrograd script, or a notebook")
    p.add_argument("file", help="a program file, or - for standard input")
    p.add_argument("--to", required=True, choices=("pytorch", "micrograd", "notebook"),
                   help="pytorch or micrograd: a script printing each leaf's gradient; notebook: the lesson "
                        "(function, differences, closed form, micrograd backprop, check) as a .ipynb")
    p.add_argument("--h", type=_positive, default=1e-6, help="the notebook's step h (default 1e-6)")
    p.set_defaults(run=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["train"]:
        from gradstep.training.trainer import Diverged

        try:
            args = _train_parser().parse_args(argv[1:])
            return cmd_train(args)
        except _TrainArgumentError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except Diverged as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except BrokenPipeError:
            return 0
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
