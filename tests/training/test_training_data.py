"""Your own data (``--data FILE.csv``, gradstep.training.csvdata) and the regression datasets
(``plane``, ``gauss``: a number at each point, squared-error loss): contract 5, issue 18."""

from __future__ import annotations

import json
import math

import pytest

from gradstep.cli import main
from gradstep.training.csvdata import read
from gradstep.training.datasets import CLASSES, REGRESSION, make
from gradstep.training.run import train
from gradstep.training.trainer import Trainer

MIXED = """x,y,label
0.5,0.25,1

# a comment, and a blank line above: not rows, but lines
1.0,2.0
-0.5,abc,0
0.75,-0.5,0
1,1,1.5
-1,0.5,1
0.1,0.2,inf
-0.25,-0.75,0
"""


# -- the reader --------------------------------------------------------------

def test_rows_are_read_and_bad_ones_named_by_their_line():
    data = read(MIXED)
    assert data.header and data.classes == 2
    assert data.X == [[0.5, 0.25], [0.75, -0.5], [-1.0, 0.5], [-0.25, -0.75]]
    assert data.y == [1, 0, 1, 0]
    assert [line for line, _ in data.skipped] == [5, 6, 8, 10]
    why = dict(data.skipped)
    assert "2 fields" in why[5] and "'abc'" in why[6] and "1.5" in why[8] and "'inf'" in why[10]


def test_the_kind_comes_from_the_header_or_else_from_the_rows():
    assert read("x,y,target\n0,0,1\n1,1,0\n").classes == 0  # whole numbers, but the header says target
    assert read("x,y,target\n0,0,1\n1,1,0\n").y == [1.0, 0.0]
    assert read("0,0,1\n1,1,2\n2,2,0\n").classes == 3  # whole numbers from 0: classes
    regression = read("0,0,0.5\n1,1,2\n")
    assert regression.classes == 0 and regression.y == [0.5, 2.0] and not regression.header
    # a header that says label: a row with a fractional label is skipped, not a regression
    data = read("x,y,label\n0,0,1\n1,1,0.5\n2,2,0\n")
    assert data.classes == 2 and data.skipped[0][0] == 3
    # a broken first row is a row, named: not taken for a header
    data = read("1,oops,0\n0,0,1\n1,1,0\n")
    assert not data.header and [line for line, _ in data.skipped] == [1]


@pytest.mark.parametrize("text", ["", "x,y,label\n", "x,y,label\n1,2\nfoo,bar,baz\n", "# only a comment\n"])
def test_no_readable_row_is_an_error(text):
    with pytest.raises(ValueError, match="no row could be read"):
        read(text)


def test_tabs_semicolons_and_quotes_are_what_spreadsheets_export():
    """A hostile test: tab-separated, semicolon-separated (with decimal commas) and quoted rows were
    all "no row could be read", and their first line was taken for a header."""
    want = ([[0.5, 0.25], [-0.1, 0.2]], [1, 0])
    for text in ("0.5\t0.25\t1\n-0.1\t0.2\t0\n", "0,5;0,25;1\n-0,1;0,2;0\n", '"0.5","0.25","1"\n"-0.1","0.2","0"\n',
                 "x;y;label\n0.5;0.25;1\n-0.1;0.2;0\n"):
        data = read(text)
        assert (data.X, data.y) == want, text
        assert data.header == text.startswith("x")


def test_a_comma_in_a_tab_separated_field_is_never_guessed_silently():
    """A review found "1,234" in a tab-separated row read as 1.234, silently (a US spreadsheet's
    thousands), and "0.5,<tab>1.5,<tab>0" (commas, then tabs) skipped as '0.5,'."""
    data = read("x\ty\tlabel\n1,234\t5\t0\n0,5\t1,25\t1\n-7\t2,500\t0\n")
    assert (data.X, data.y) == ([[0.5, 1.25]], [1])  # (one or two decimals after the comma: a decimal comma)
    assert data.skipped == [
        (2, "x is '1,234': a decimal comma or thousands? Write it 1.234 or 1234"),
        (4, "y is '2,500': a decimal comma or thousands? Write it 2.500 or 2500"),
    ]
    assert read("1,234,567\t0\t1\n0\t0\t1\n").skipped == [
        (1, "x is '1,234,567': write it without the commas that group its thousands, 1234567")]
    # with semicolons the comma is decimal, three digits or not (those locales group with dots)
    assert read("1,234;5;0\n0;0;1\n").X == [[1.234, 5.0], [0.0, 0.0]]
    # commas then tabs: the commas separate
    assert read("0.5,\t1.5,\t0\n-1,\t2,\t1\n").X == [[0.5, 1.5], [-1.0, 2.0]]


def test_a_long_field_is_quoted_cut_short():
    """One line of 300,000 characters made a message box as long (and a quote in it escaped a
    clip that looked for single quotes)."""
    with pytest.raises(ValueError) as e:
        read("it's" + "x" * 300_000 + ",1,0\n")
    message = str(e.value)
    assert len(message) < 400
    assert "\"it's" + "x" * 36 + "\"… (300,004 characters)" in message


def test_digits_of_other_scripts_are_not_numbers():
    """``float`` reads the Arabic-Indic three as 3: a two-class file became four classes."""
    data = read("0.5,0.5,\u0663\n0.1,0.2,0\n0.3,0.1,1\n\uff10.5,0,1\n")
    assert data.classes == 2 and data.y == [0, 1]
    assert [line for line, _ in data.skipped] == [1, 4]


def test_no_readable_row_names_the_rows_skipped_and_why():
    with pytest.raises(ValueError) as e:
        read("x,y,label\nfoo,bar,baz\n1,2\n" + "a,b,c\n" * 5)
    message = str(e.value)
    assert "(7 skipped: line 2: x is not a finite number: 'foo'; line 3: 2 fields, not 3" in message
    assert "; 4 more)" in message


def test_too_many_rows_is_an_error():
    with pytest.raises(ValueError, match="10,001 rows; the most is 10,000"):
        read("".join(f"{k},0,{k % 2}\n" for k in range(10_001)))


# -- the command line --------------------------------------------------------

def data_argv(path, *extra):
    return ["train", "--data", str(path), "--layers", "4", "--steps", "4", "--seed", "1", *extra]


def test_cli_trains_on_the_file_and_names_the_skipped_rows(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text(MIXED)
    assert main(data_argv(path, "--json")) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["skipped_rows"] == [5, 6, 8, 10]
    assert [line.split(":")[1] for line in captured.err.splitlines()] == ["5", "6", "8", "10"]
    assert all(line.startswith(f"{path}:") and ": skipped: " in line for line in captured.err.splitlines())
    want = train(str(path), [4], 4, seed=1, data=read(MIXED))
    assert out == want and out["dataset"] == str(path)
    # the same as a Trainer on those four points
    t = Trainer([[0.5, 0.25], [0.75, -0.5], [-1.0, 0.5], [-0.25, -0.75]], [1, 0, 1, 0], [4], seed=1)
    assert out["losses"] == [t.step() for _ in range(4)]
    assert main(data_argv(path)) == 0
    text = capsys.readouterr().out
    assert f"{path}: 4 points, 2 classes, seed 1; 4 rows skipped" in text


def test_cli_data_with_targets_is_a_regression(tmp_path, capsys):
    path = tmp_path / "heights.csv"
    path.write_text("x,y,target\n" + "".join(f"{k / 10},{1 - k / 10},{k / 20}\n" for k in range(10)))
    assert main(data_argv(path, "--json", "--lr", "0.1")) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accuracy"] is None and out["skipped_rows"] == []
    t = Trainer([[k / 10, 1 - k / 10] for k in range(10)], [k / 20 for k in range(10)], [4], seed=1, lr=0.1,
                classes=0)
    assert out["losses"] == [t.step() for _ in range(4)]


@pytest.mark.parametrize("argv, message", [
    (["--data", "{missing}"], "argument --data: cannot read {missing}: No such file or directory"),
    (["--data", "{empty}"], "argument --data: {empty}: no row could be read"),
    (["--data", "{good}", "--dataset", "moons"], "argument --data: give --dataset or --data, not both"),
    ([], "the following arguments are required: --dataset (or --data FILE.csv)"),
    (["--data", "{targets}", "--loss", "hinge"], "argument --loss: {targets} is a regression"),
    (["--dataset", "plane", "--loss", "cross_entropy"], "argument --loss: plane is a regression"),
    (["--data", ""], "argument --data: must be a readable file"),
])
def test_cli_refuses_bad_data_with_one_line(tmp_path, capsys, argv, message):
    files = {"missing": tmp_path / "missing.csv", "empty": tmp_path / "empty.csv", "good": tmp_path / "good.csv",
             "targets": tmp_path / "targets.csv"}
    files["empty"].write_text("x,y,label\nfoo,bar,baz\n")
    files["good"].write_text("0,0,0\n1,1,1\n")
    files["targets"].write_text("0,0,0.5\n1,1,1.5\n")
    argv = [a.format(**files) for a in argv]
    code = main(["train", "--layers", "4", "--steps", "2", "--seed", "0", *argv, "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert message.format(**files) in captured.err


# -- regression datasets -----------------------------------------------------

def test_regression_targets_are_their_formulas():
    X, y = make("plane", n=50, noise=0.0, seed=2)
    assert CLASSES["plane"] == CLASSES["gauss"] == 0 and set(REGRESSION) == {"plane", "gauss"}
    assert all(t == pytest.approx((a + b) / 2, abs=1e-15) for (a, b), t in zip(X, y, strict=True))
    assert all(-1.0 <= a <= 1.0 and -1.0 <= b <= 1.0 for a, b in X)
    X, y = make("gauss", n=50, noise=0.0, seed=2)
    for (a, b), t in zip(X, y, strict=True):
        bumps = [(0.5, 0.5, 1), (-0.5, -0.5, 1), (-0.5, 0.5, -1), (0.5, -0.5, -1)]
        want = sum(h * math.exp(-((a - cx) ** 2 + (b - cy) ** 2) / (2 * 0.35 ** 2)) for cx, cy, h in bumps)
        assert t == pytest.approx(want, abs=1e-12)
    clean = make("plane", n=50, noise=0.0, seed=2)
    noisy = make("plane", n=50, noise=0.1, seed=2)
    assert noisy[0] == clean[0] and noisy[1] != clean[1]  # noise moves the targets, not the points
    jitter = [a - b for a, b in zip(noisy[1], clean[1], strict=True)]
    assert 0.06 < math.sqrt(sum(j * j for j in jitter) / len(jitter)) < 0.14


def test_regression_loss_is_squared_error_and_it_learns():
    X, y = make("plane", n=40, seed=0)
    t = Trainer(X, y, [4], seed=0, lr=0.1, classes=0)
    assert t.loss_name == "mse" and t.reg == "none" and t.accuracy() is None
    scores = [t.model.predict(x) for x in X]
    written = sum((s - target) ** 2 for s, target in zip(scores, y, strict=True)) / len(X)
    first = t.step()
    assert first == pytest.approx(written, rel=1e-12)
    for _ in range(60):
        last = t.step()
    assert last < 0.1 * first


def test_regression_test_split_and_fast_path():
    for dataset in REGRESSION:
        for options in ({}, {"optimizer": "adam", "reg": "l1", "reg_rate": 0.01, "features": ("x", "xy", "siny")}):
            slow = train(dataset, [3, 3], 4, seed=3, n=20, test_fraction=0.3, lr=0.1, **options)
            fast = train(dataset, [3, 3], 4, seed=3, n=20, test_fraction=0.3, lr=0.1, fast=True, **options)
            assert [x.hex() for x in fast["losses"] + fast["test_losses"]] == [
                x.hex() for x in slow["losses"] + slow["test_losses"]]
            assert slow["accuracy"] is None and slow["test_accuracy"] is None and len(slow["test_losses"]) == 4


def test_regression_text_output(capsys):
    assert main(["train", "--dataset", "plane", "--layers", "4", "--steps", "3", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "plane: 100 points, noise 0.05" in out and "loss mse" in out
    assert "a regression (no accuracy)" in out and "accuracy 0" not in out


def test_regression_datasets_are_the_pages_too():
    from gradstep.training.settings import BY_NAME, PAGE, SettingError, parse, table
    from gradstep.training.view import TrainingView

    assert parse({"dataset": "plane"}, names=[s.name for s in PAGE])["dataset"] == "plane"  # the page's worker
    row = next(r for r in table()["settings"] if r["name"] == "dataset")
    assert "plane" in row["choices"] and "gauss" in row["choices"]
    assert row["choice_labels"][row["choices"].index("plane")] == "plane (a number to learn)"
    with pytest.raises(SettingError, match="plane is a regression"):
        parse({"dataset": "plane", "loss": "hinge"}, names=[s.name for s in PAGE])
    # your own data is the page's as CSV text (the link's "data"), read as --data reads a file
    assert not BY_NAME["data"].page
    view = TrainingView()
    reply = view.act("new", settings={"layers": "3", "data": "0,0,1.5\n1,2,-0.5\nx\n"})
    assert reply["data"]["classes"] == 0
    assert reply["data"]["skipped"] == [[3, "1 fields, not 3 (x,y,label or x,y,target)"]]
    with pytest.raises(SettingError, match="at most 400,000 characters") as refused:
        view.act("new", settings={"data": "0,0,1\n" * 70_000})
    assert refused.value.page_message.startswith("Your data: at most 400,000 characters, not 420,000")
    assert all(s.page for s in map(BY_NAME.get, ("test-fraction", "reg", "reg-rate", "optimizer", "momentum",
                                                "beta1", "beta2", "eps", "weight-decay", "init", "features")))
