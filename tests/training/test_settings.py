"""The training settings' one table (gradstep.training.settings): the command line, the page's
worker and the page's form read it, and refuse the same settings with the same words."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gradstep.cli import _train_parser
from gradstep.training.nn import MLP
from gradstep.training.settings import BY_NAME, MAX_WEIGHTS, PAGE, SETTINGS, SettingError, module_text, parse, weights

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = {s.name: s.default_text() for s in PAGE}

# (setting, text): good and bad values of every kind, and the rules between settings
CASES = [
    {}, {"layers": "4"}, {"layers": " 8 , 8 "}, {"layers": "1,1,1,1,1,1,1,1"}, {"layers": "1,1,1,1,1,1,1,1,1"},
    {"layers": "16,x"}, {"layers": "16,,16"}, {"layers": "0"}, {"layers": "257"}, {"layers": "-4"},
    {"layers": "128,128"}, {"layers": "256,256"}, {"layers": "256,256,256,256"},
    {"layers": "99,99", "dataset": "spiral"},
    {"seed": "0"}, {"seed": "4294967295"}, {"seed": "4294967296"}, {"seed": "-1"}, {"seed": "1e20"}, {"seed": "1.5"},
    {"seed": "1_000"}, {"seed": " 7 "}, {"lr": "0"}, {"lr": "0.1"}, {"lr": "1e6"}, {"lr": "1e7"}, {"lr": "-1"},
    {"lr": "nan"}, {"lr": "inf"}, {"lr": "abc"}, {"lr": ".5"}, {"lr": "5."}, {"batch": "0"}, {"batch": "100000"},
    {"batch": "100001"}, {"batch": "ten"},
    {"layers": "²"}, {"seed": "١٦"}, {"layers": "16,١٦"}, {"dataset": "blobs"}, {"dataset": "spiral", "loss": "hinge"},
    {"dataset": "spiral", "loss": "default"}, {"loss": "mse"}, {"activation": "gelu"}, {"activation": "tanh"},
    # issue 18's
    {"noise": ""}, {"noise": "0"}, {"noise": "10"}, {"noise": "10.5"}, {"noise": "-0.1"}, {"noise": "lots"},
    {"test-fraction": "0.9"}, {"test-fraction": "0.95"}, {"test-fraction": "-0.1"}, {"test-fraction": "1/2"},
    {"reg": "l1"}, {"reg": "l3"}, {"reg-rate": "0"}, {"reg-rate": "11"}, {"optimizer": "adam"},
    {"optimizer": "rmsprop"}, {"momentum": "0.999"}, {"momentum": "1"}, {"beta1": "0"}, {"beta2": "0.9999999"},
    {"eps": "0"}, {"eps": "1e-12"}, {"weight-decay": "1"}, {"weight-decay": "2"}, {"init": "zero"}, {"init": "ones"},
    {"features": "x,y"}, {"features": "x,y,x2,y2,xy,sinx,siny"}, {"features": "sinx"}, {"features": " y , x "},
    {"features": ""}, {"features": "x,x"}, {"features": "x,z"}, {"features": "x,,y"}, {"features": "x²"},
    {"features": "x,y,x2,y2,xy,sinx,siny", "layers": "128,128"}, {"features": "x", "layers": "128,128"},
    {"features": "x,y,x2,y2,xy,sinx,siny", "layers": "131,128"},
]


def python_problem(raw: dict) -> str:
    try:
        parse({**DEFAULTS, **raw}, names=[s.name for s in PAGE])
    except SettingError as error:
        return error.page_message
    return ""


def js_problems(cases: list[dict]) -> list[str]:
    script = (
        'import { settingsProblem, DEFAULTS } from "./web/training/settings.js";\n'
        'const cases = JSON.parse(process.argv[1]);\n'
        'console.log(JSON.stringify(cases.map((c) => settingsProblem({ ...DEFAULTS, ...c }))));\n'
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script, json.dumps(cases)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_page_form_and_the_worker_refuse_alike():
    """web/training/settings.js (the form, before any call) and parse() (the worker) agree on
    every case: the same verdict and, word for word, the same message."""
    expected = [python_problem(c) for c in CASES]
    assert sum(bool(m) for m in expected) >= 20 and sum(not m for m in expected) >= 12
    assert js_problems(CASES) == expected


def test_messages_name_the_setting_and_its_limits():
    assert python_problem({"seed": "1e20"}) == "Seed: must be a whole number from 0 to 4,294,967,295, not '1e20'"
    assert python_problem({"lr": "0"}) == "Rate: must be a number above 0 and at most 1,000,000, not 0"
    assert python_problem({"layers": "256,256"}) == ("Layers: 256,256 makes a network of 66,817 weights; "
                                                     "the most is 20,000 (fewer or smaller layers)")
    assert "choose cross_entropy or mse" in python_problem({"dataset": "spiral", "loss": "hinge"})


def test_weights_counts_the_networks_parameters():
    for layers, outputs in (([16, 16], 1), ([4], 3), ([8, 8, 8], 3)):
        assert weights(layers, outputs) == len(MLP(2, [*layers, outputs]).parameters())
    assert weights([128, 128], 3) <= MAX_WEIGHTS < weights([256, 256], 1)


def test_the_command_line_reads_the_table():
    parser = _train_parser()
    flags = {a.option_strings[0]: a for a in parser._actions if a.option_strings}
    for s in SETTINGS:
        assert s.flag in flags, s.flag
        assert s.limits() in " ".join(parser.format_help().split()), s.name
        assert flags[s.flag].required == s.required
    # defaults the command line and the page share
    assert flags["--activation"].default == BY_NAME["activation"].default == "relu"
    assert flags["--points"].default == BY_NAME["points"].default == 100


def test_set_up_wrote_the_table_the_page_reads():
    written = (ROOT / "web" / "build" / "train-settings.js").read_text()
    assert written == module_text(), "web/build/train-settings.js is stale: run python3 scripts/setup.py"
    out = subprocess.run(["node", "--input-type=module", "-e",
                          'import { DEFAULTS, PAGE } from "./web/training/settings.js";'
                          "console.log(JSON.stringify([DEFAULTS, PAGE.map((s) => s.name)]))"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    defaults, names = json.loads(out.stdout)
    assert defaults == DEFAULTS and names == [s.name for s in PAGE]
    assert defaults == {"dataset": "moons", "layers": "16,16", "seed": "0", "lr": "1.0", "batch": "100",
                        "activation": "relu", "loss": "default",  # micrograd's demo (contract section 5)
                        # issue 18's, on the page: no noise of its own (the dataset's), no test points,
                        # micrograd's L2 with the hinge loss, SGD, micrograd's initial weights
                        "noise": "", "test-fraction": "0.0", "reg": "default", "reg-rate": "0.0001",
                        "optimizer": "sgd", "momentum": "0.9", "beta1": "0.9", "beta2": "0.999", "eps": "1e-08",
                        "weight-decay": "0.0", "init": "default", "features": "x,y",
                        "compare": ""}  # (no optimizer comparison)


def test_the_forms_rate_follows_the_optimizers_defaults_from_the_table():
    from gradstep.training.optimizers import DEFAULT_LRS

    out = subprocess.run(["node", "--input-type=module", "-e",
                          'import { DEFAULT_LRS } from "./web/training/settings.js";'
                          "console.log(JSON.stringify(DEFAULT_LRS))"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == {k: repr(v) for k, v in DEFAULT_LRS.items()}


@pytest.mark.parametrize("name", [s.name for s in SETTINGS if s.kind in ("int", "float")])
def test_limits_are_inclusive_where_they_say_so(name):
    s = BY_NAME[name]
    assert s.parse(str(s.high)) == s.high
    with pytest.raises(SettingError):
        s.parse(str(s.high * 2 + 1))
    if s.low_open:
        with pytest.raises(SettingError):
            s.parse(str(s.low))
    else:
        assert s.parse(str(s.low)) == s.low
