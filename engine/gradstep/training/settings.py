"""The training settings, once: each one's name (the key in the page's link), command-line
flag, default, limits and help. The command line builds its ``train`` arguments from this
table, the page's worker reads the page's settings through ``parse``, and set-up writes the
table to ``web/build/train-settings.js`` for the page (``python -m gradstep.training.settings``
prints it), so a default, a limit or a message is written here and nowhere else.

Limits are checked before any work starts, and a refusal names the setting and its limits,
in the same words on the command line (``error: argument --layers: ...``) and in the page.
The largest network is bounded by its number of weights: building one of ``MAX_WEIGHTS``
weights (128,128) takes about 1.6 s in CPython and several in Pyodide; 256,256 (66,817)
takes 7 s and 20 s or more.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

from gradstep.training import features as F
from gradstep.training import optimizers as O
from gradstep.training.csvdata import DATA_CHARS_MAX, MAX_ROWS
from gradstep.training.datasets import CLASSES, NAMES, REGRESSION
from gradstep.training.losses import L2_ALPHA
from gradstep.training.nn import ACTIVATIONS
from gradstep.training.trainer import DEFAULT_LR, INITS, LOSSES, REGS, default_loss, output_units

MAX_LAYERS = 8  # hidden layers
MAX_COMPARE = 2  # copies trained beside the network (--compare): three optimizers side by side
MAX_UNITS = 256  # in one hidden layer
MAX_WEIGHTS = 20_000  # in the whole network, output layer included
INPUTS = 2  # the datasets' points are (x, y)


class SettingError(ValueError):
    """A setting outside its limits: ``str()`` names the setting by its flag (the command line's
    words), ``page_message`` by its label (the page's); both name the limits."""

    def __init__(self, setting: Setting, message: str):
        super().__init__(f"argument {setting.flag}: {message}")
        self.setting = setting
        self.message = message
        self.page_message = f"{setting.label}: {message}"


@dataclass(frozen=True)
class Setting:
    name: str  # the key in the page's link and settings (contract section 5)
    label: str  # the page's word for it
    # "choice", "int", "float", "sizes", "features" (a comma-separated choice of several) or "file"
    kind: str
    default: object  # the page's default; the command line's too unless ``required``
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False  # the low limit itself is not allowed (a rate above 0)
    required: bool = False  # the command line needs it (the page always has its default)
    choice_labels: tuple[str, ...] = ()  # the page's words for the choices, where they say more
    metavar: str = ""  # what --help shows for the value (the name in capitals when empty)
    page: bool = True  # the page's training view has it
    cli: bool = True  # the command line has it
    cli_choices: tuple[str, ...] = ()  # more choices the command line has and the page cannot use yet
    cli_help: str = ""  # more help, on the command line only (about what only it has yet)

    @property
    def flag(self) -> str:
        return "--" + self.name

    def limits(self, cli: bool = False) -> str:
        """The limits in words: "one of relu, tanh, linear", "from 1 to 100,000", "above 0 and at most 1,000,000"
        (``cli``: the command line's, with its ``cli_choices``)."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices + (self.cli_choices if cli else ()))
        if self.kind == "sizes":
            return (f"1 to {MAX_LAYERS} hidden layer sizes separated by commas, each from 1 to {MAX_UNITS}, "
                    f"at most {MAX_WEIGHTS:,} weights in all, like 16,16")
        if self.kind == "file":
            return f"a readable file with 1 to {MAX_ROWS:,} readable rows"
        if self.kind == "features":
            return f"one or more of {', '.join(self.choices)} separated by commas, each once, like x,y"
        if self.kind == "compare":
            lr = BY_NAME["lr"]
            return (f"up to {MAX_COMPARE} of {', '.join(self.choices)} separated by commas, each as a name or "
                    f"name:rate (a rate above {_num(lr.low)} and at most {_num(lr.high)}), like adam,momentum:0.1")
        if self.low_open:
            return f"above {_num(self.low)} and at most {_num(self.high)}"
        return f"from {_num(self.low)} to {_num(self.high)}"

    def default_text(self) -> str:
        """The default as the page's field and link show it ("1.0", "16,16"; "" for none)."""
        if self.default is None:
            return ""
        return repr(self.default) if isinstance(self.default, float) else str(self.default)

    def parse(self, text, cli: bool = False) -> object:
        """The setting's value from its text (the link's, a form field's or, with ``cli``, a
        flag's), or ``SettingError`` naming the limits."""
        text = str(text).strip()
        if not text.isascii() and self.kind != "file":  # (int() reads other scripts' digits; the page's form does not)
            what = {"int": "a whole number ", "float": "a number "}.get(self.kind, "")
            raise SettingError(self, f"must be {what}{self.limits(cli)}, not {text!r}")
        if self.kind == "choice":
            if text not in self.choices + (self.cli_choices if cli else ()):
                raise SettingError(self, f"must be {self.limits(cli)}, not {text!r}")
            return text
        if self.kind == "sizes":
            return parse_layers(self, text)
        if self.kind == "file":
            if not text:
                raise SettingError(self, f"must be {self.limits()}, not {text!r}")
            return text  # (read by the command line: gradstep.training.csvdata)
        if self.kind == "features":
            names = tuple(part.strip() for part in text.split(","))
            try:
                return F.check(names)
            except ValueError:
                raise SettingError(self, f"must be {self.limits()}, not {text!r}") from None
        if self.kind == "compare":
            return parse_compare(self, text)
        try:
            value = int(text) if self.kind == "int" else float(text)
        except ValueError:
            what = "a whole number" if self.kind == "int" else "a number"
            raise SettingError(self, f"must be {what} {self.limits()}, not {text!r}") from None
        ok = value > self.low if self.low_open else value >= self.low
        if not (ok and value <= self.high) or (self.kind == "float" and not math.isfinite(value)):
            what = "a whole number" if self.kind == "int" else "a number"
            raise SettingError(self, f"must be {what} {self.limits()}, not {text}")
        return value


def _num(x) -> str:
    if x is None:
        return ""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return repr(float(x))


def parse_compare(setting: Setting, text: str) -> tuple:
    """``--compare``'s copies: ((optimizer, rate or None), ...) from "adam,momentum:0.1" ("" or
    "none": no copies). A rate has ``--lr``'s limits; None is that optimizer's first rate."""
    if text in ("", "none"):
        return ()
    out = []
    for part in text.split(","):
        name, _, rate = part.strip().partition(":")
        name = name.strip()
        if name not in setting.choices or (_ and not rate.strip()) or len(out) >= MAX_COMPARE:
            raise SettingError(setting, f"must be {setting.limits()}, not {text!r}")
        lr = None
        if rate.strip():
            try:
                lr = BY_NAME["lr"].parse(rate)
            except SettingError:
                raise SettingError(setting, f"must be {setting.limits()}, not {text!r}") from None
        out.append((name, lr))
    return tuple(out)


def weights(layers: list[int], outputs: int, inputs: int = INPUTS) -> int:
    """Weights and biases of MLP(inputs, layers + [outputs])."""
    sizes = [inputs, *layers, outputs]
    return sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))


def parse_layers(setting: Setting, text: str) -> list[int]:
    """Hidden layer sizes "16,16" within the per-layer limits (the weights in all: ``check_together``,
    which knows the output layer)."""
    parts = text.split(",")
    if not all(p.strip().isdigit() for p in parts):
        raise SettingError(setting, f"must be {setting.limits()}, not {text!r}")
    sizes = [int(p) for p in parts]
    if not 1 <= len(sizes) <= MAX_LAYERS or not all(1 <= s <= MAX_UNITS for s in sizes):
        raise SettingError(setting, f"must be {setting.limits()}, not {text!r}")
    return sizes


SETTINGS: tuple[Setting, ...] = (
    Setting("dataset", "Data", "choice", "moons", "the points to learn",
            cli_help="(or --data). " + ", ".join(n for n in NAMES if n not in REGRESSION)
            + " are classifications (spiral of 3 classes); " + " and ".join(REGRESSION) + " are regressions "
            "(a number to learn at each point, the loss squared error): plane (x+y)/2, gauss four bumps up "
            "and down", choices=tuple(NAMES),
            choice_labels=tuple(f"{n} (a number to learn)" if CLASSES[n] == 0 else f"{n} ({CLASSES[n]} classes)"
                                if CLASSES[n] != 2 else n for n in NAMES), metavar="D"),
    Setting("layers", "Layers", "sizes", "16,16", "the hidden layers' sizes (the output layer is added)",
            required=True, metavar="16,16"),
    Setting("steps", "Steps", "int", None, "steps to take", low=1, high=1_000_000, required=True, page=False,
            metavar="N"),
    Setting("seed", "Seed", "int", 0, "seeds the dataset, the weights and the batches", low=0, high=2**32 - 1,
            required=True, metavar="S"),
    Setting("lr", "Rate", "float", DEFAULT_LR,
            f"the first step's learning rate (default {DEFAULT_LR}); it falls linearly to a tenth of it over "
            "100 steps, then stays (micrograd's 1.0 - 0.9*k/100)",
            cli_help="(the default with --optimizer momentum is "
                     f"{O.DEFAULT_LRS['momentum']}, with adam {O.DEFAULT_LRS['adam']}; "
                     f"with sgd on a regression {O.REGRESSION_SGD_LR})",
            low=0, high=1e6, low_open=True, metavar="R"),
    Setting("batch", "Batch", "int", 100, "points per step, drawn at random each step (default: all, in order)",
            low=1, high=100_000, metavar="B"),
    Setting("activation", "Activation", "choice", "relu",
            "what each hidden unit does to its weighted sum (default relu: max(0, s))", choices=ACTIVATIONS),
    Setting("loss", "Loss", "choice", "default",
            "what training makes small. default: hinge for two classes, cross_entropy for three (spiral). "
            "hinge + L2 is micrograd's: relu(1 - y*score) per point (0 once a point is on its side by a margin "
            "of 1), averaged, plus 1e-4 times the sum of the squared weights (L2, which keeps them small)",
            choices=("default", *LOSSES), choice_labels=("default", "hinge + L2", "squared error", "cross-entropy")),
    Setting("points", "Points", "int", 100, "dataset size (default 100)", low=1, high=10_000, page=False, metavar="N"),
    Setting("noise", "Noise", "float", None,
            "dataset noise (default: the dataset's own: moons 0.1, circles 0.08, xor 0.05, spiral 0.2, "
            "linear 0.1): the standard deviation of the Gaussian jitter added to each coordinate "
            "(to the angle, in radians, for spiral)", low=0, high=10, metavar="X"),
    # -- issue 18 (on the page: all but data, which comes later) --
    Setting("test-fraction", "Test share", "float", 0.0,
            "the share of the points held out for testing, drawn from the seed (default 0: none); training "
            "sees only the others, and the test points' loss and accuracy are shown beside training's",
            low=0, high=0.9, metavar="F"),
    Setting("reg", "Regularization", "choice", "default",
            "the penalty on the weights added to the loss: l2 is rate * sum(w*w), l1 rate * sum(abs(w)), "
            "over every weight and bias (default: l2 with the hinge loss, as micrograd's demo; none otherwise)",
            choices=("default", *REGS),
            choice_labels=("default", "none", "L1", "L2")),
    Setting("reg-rate", "Regularization rate", "float", L2_ALPHA,
            f"the regularization's rate (default {L2_ALPHA!r}, micrograd's)", low=0, high=10,
            metavar="R"),
    Setting("optimizer", "Optimizer", "choice", "sgd",
            "how the weights follow their gradients: sgd (p -= lr*g), momentum (v = momentum*v + g; p -= lr*v) "
            "or adam; each at the rate's schedule. Without --lr the first rate is "
            + ", ".join(f"{k} {v!r}" for k, v in O.DEFAULT_LRS.items()), choices=O.OPTIMIZERS,
            choice_labels=("SGD", "SGD with momentum", "Adam")),
    Setting("momentum", "Momentum", "float", O.MOMENTUM,
            f"momentum's factor mu, the share of the last step kept (default {O.MOMENTUM})", low=0, high=0.999,
            metavar="MU"),
    Setting("beta1", "Adam beta1", "float", O.BETA1,
            f"adam's decay of its mean gradient (default {O.BETA1})", low=0, high=0.999, metavar="B1"),
    Setting("beta2", "Adam beta2", "float", O.BETA2,
            f"adam's decay of its mean squared gradient (default {O.BETA2})", low=0, high=0.999999,
            metavar="B2"),
    Setting("eps", "Adam epsilon", "float", O.EPS, f"added to adam's root mean square (default {O.EPS!r})",
            low=0, high=1, low_open=True, metavar="E"),
    Setting("weight-decay", "Weight decay", "float", O.WEIGHT_DECAY,
            "decoupled weight decay (AdamW's; with any optimizer): each step first scales every weight by "
            "1 - lr*decay (default 0)", low=0, high=1, metavar="WD"),
    Setting("init", "Initial weights", "choice", "default",
            "default: micrograd's, each weight uniform in -1..1 and each bias 0; zero: every weight and bias 0 "
            "(the hidden units stay alike and never learn apart)", choices=INITS,
            choice_labels=("default", "zero")),
    Setting("features", "Inputs", "features", ",".join(F.DEFAULT),
            "the network's inputs made from each point (x, y): x2 is x*x, xy x*y, sinx sin(x)... "
            "(default x,y); the first layer takes one input each", choices=F.FEATURES,
            metavar="x,y"),
    Setting("compare", "Compare with", "compare", "",
            "train copies of the same network beside this one, from the same initial weights on the same "
            "batches, each with another optimizer (its own rate after a colon; without one, that optimizer's "
            "first rate), and draw their losses together (default: none)", choices=O.OPTIMIZERS,
            metavar="OPT[:RATE],..."),
    Setting("data", "Your data", "file", None,
            "your own points instead of --dataset: a CSV file of rows x,y,label (classes 0, 1, ...) or x,y,target "
            "(a number: a regression), an optional header line (x,y,label or x,y,target); rows that cannot be read "
            "are skipped and named by their line number", page=False, metavar="FILE.csv"),
)
BY_NAME = {s.name: s for s in SETTINGS}
# What the link carries of the training besides its settings, so a reload or a copied link brings
# it back where it was (contract section 5): the steps taken, and the learner's edits of the data
# when there are any ("x,y,class" for a point added, "r17" for the point at index 17 removed, in
# order, joined by ";"). (Not the command line's --points, the dataset's size: the page's is 100.)
# ``graph`` is the whole batch's graph when it is shown: "batch", then its open groups' ids and
# its folded layers as "F1", joined by "," ("batch,L2N3,F1"); a reload builds it again and opens them.
LINK_STATE = ("step", "points", "graph")
PAGE = tuple(s for s in SETTINGS if s.page)


def parse(raw: dict, *, names=None, classes=None) -> dict:
    """The settings in ``raw`` (strings, as the page sends them) checked against their limits,
    with the defaults for what is missing; then the rules between settings (``classes``: the
    learner's own data's, in place of the dataset's, which is then "your data"). ``SettingError``
    names the first setting out of its limits."""
    out = {}
    for s in SETTINGS if names is None else (BY_NAME[n] for n in names):
        value = raw.get(s.name)
        out[s.name] = s.default if value is None or str(value).strip() == "" else s.parse(value)
    if "layers" in out and isinstance(out["layers"], str):
        out["layers"] = BY_NAME["layers"].parse(out["layers"])
    if classes is not None:  # (the data is the learner's: the rules name it so, not the dataset)
        out["classes"] = classes
        out["dataset"] = "your data"
    check_together(out)
    return out


def check_together(s: dict) -> None:
    """The rules between settings: the loss fits the dataset's classes, the network fits MAX_WEIGHTS."""
    dataset = s.get("dataset")
    if dataset is None:
        return
    classes = s["classes"] if s.get("classes") is not None else CLASSES[dataset]  # (--data's own)
    loss = s.get("loss")
    if loss in (None, "default"):
        loss = default_loss(classes)
    if classes == 0 and loss != "mse":
        raise SettingError(BY_NAME["loss"], f"{dataset} is a regression (a number at each point, not a class): "
                                            "its loss is mse (squared error)")
    if loss == "hinge" and classes != 2:
        raise SettingError(BY_NAME["loss"], f"the hinge loss needs two classes; {dataset} has {classes}: "
                                            "choose cross_entropy or mse")
    layers = s.get("layers")
    if layers:
        features = s.get("features") or F.DEFAULT
        if isinstance(features, str):
            features = BY_NAME["features"].parse(features)
        n = weights(layers, output_units(loss, classes), len(features))
        if n > MAX_WEIGHTS:
            shape = ",".join(map(str, layers))
            raise SettingError(BY_NAME["layers"], f"{shape} makes a network of {n:,} weights; the most is "
                                                  f"{MAX_WEIGHTS:,} (fewer or smaller layers)")


def table() -> dict:
    """The table as JSON-able data, for the page."""
    rows = []
    for s in SETTINGS:
        row = asdict(s)
        row["flag"] = s.flag
        row["limits"] = s.limits()
        row["default_text"] = s.default_text()
        rows.append(row)
    return {"settings": rows, "link_state": list(LINK_STATE),
            "default_lrs": {k: repr(v) for k, v in O.DEFAULT_LRS.items()},  # (each optimizer's first rate)
            "regression_sgd_lr": repr(O.REGRESSION_SGD_LR),  # (SGD's on a regression)
            "max_layers": MAX_LAYERS, "max_units": MAX_UNITS, "max_compare": MAX_COMPARE,
            "max_weights": MAX_WEIGHTS, "inputs": INPUTS, "classes": CLASSES,
            "max_data_chars": DATA_CHARS_MAX}


def module_text() -> str:
    """``web/build/train-settings.js``: the table as an ES module the page imports."""
    return ("// Written by scripts/setup.py from engine/gradstep/training/settings.py: edit that, not this.\n"
            f"export const TABLE = {json.dumps(table(), indent=1)};\n")


if __name__ == "__main__":
    print(module_text(), end="")
