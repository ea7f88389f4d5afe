"""Refusals in the program's own words: what is wrong and what to write instead,
never Python's internals (issue #6)."""

from __future__ import annotations

import pytest

from gradstep.core.errors import ProgramError
from gradstep.program.compiler import compile_program
from gradstep.program.timeline import Timeline

# Words from Python's own messages that mean nothing to a learner.
JARGON = ("invalid syntax", "SyntaxError", "sys.", "set_int_max_str_digits", "literal", "EOF",
          "token", "parser", "Python", "statement", "Maybe you meant", "Did you mean",
          "AnnAssign", "Constant", "JoinedStr", "ast.")


def refused(text: str) -> ProgramError:
    with pytest.raises(ProgramError) as info:
        Timeline(compile_program(text))
    return info.value


CASES = [
    # (program, line, col, words the message must hold)
    ("x = 1.0\ny = 2x\n", 2, 5, "write 2 * x"),
    ("x = 1.0\ny = 2.5x\n", 2, 5, "write 2.5 * x"),
    ("x = 1.0\ny = 1e-5x\n", 2, 5, "write 1e-5 * x"),
    ("x = 1e\n", 1, 5, "digits after the e"),
    ("x = 1_\n", 1, 5, "between two digits"),
    ("x = 0777\n", 1, 5, "write 777"),
    ("x = 0x\n", 1, 5, "in decimal"),
    ("x = 1.0.0\n", 1, 8, "one decimal point"),
    ("x = 1" + "0" * 5000 + "\n", 1, 5, "write it in scientific notation, like 1.5e300"),
    ("a = 1.0\n# 1" + "2" * 5000 + "\nb = 2" + "0" * 5000 + "\n", 3, 5, "too large for float64"),
    ("x = 1e400\n", 1, 5, "largest is about 1.8e308"),
    ("x = (1.0\ny = 2.0\n", 1, 5, "this ( is never closed: add a )"),
    ("x = 1.0\ny = exp(x\n", 2, 8, "this ( is never closed"),
    ("x = [1.0\n", 1, 5, "this [ is never closed: add a ]"),
    ("x = {\n", 1, 5, "lists use [ ]"),
    ("x = 1.0)\n", 1, 8, "this ) closes nothing"),
    ("x = (1.0]\n", 1, 9, "close ( with )"),
    ("  x = 1.0\n", 1, 1, "starts at the left edge"),
    ("x = 1.0\n\ty = 2.0\n", 2, 1, "starts at the left edge"),
    ("a + b = 3\n", 1, 1, "only a name can stand left of ="),
    ("x = 1.0\n2 = x\n", 2, 1, "only a name can stand left of ="),
    ("x = 1.0\nexp(x) = 2\n", 2, 1, "`name = expression`"),
    ("x = 1.0\nx + 1 += 2\n", 2, 1, "left of +="),
    ("x = 1.0\nx == 2\ny = x\n", 2, 1, "write `x = 2`"),
    ("x = 1.0\ny = 3 = 4\n", 2, 5, "only a name can stand left of ="),
    ("s = 'abc\n", 1, 5, "programs have no text"),
    ('s = """abc\n', 1, 5, "programs have no text"),
    ("x = \n", 1, 5, "nothing follows ="),
    ("x = 1.0 +\n", 1, 10, "the line ends after +"),
    ("x = 1.0\ny = x **\n", 2, 9, "the line ends after **"),
    ("x = 1.0\ny = x x\n", 2, 7, "an operator is missing between x and x"),
    ("x = 1.0\ny = exp(x) 2\n", 2, 12, "`exp(x) * 2`"),
    ("x = 1.0\ny = x * * 2\n", 2, 9, "a value is missing before *"),
    ("x = 1.0\ny = exp(,)\n", 2, 9, "a value is missing before ,"),
    ("x = [1.0 2.0]\n", 1, 6, "a comma is missing"),
    ("x = 1.0\ny = x.\n", 2, 7, "x.exp()"),
    ("x := 1\n", 1, 3, "the := operator is not allowed"),
    ("x = 1.0\ny = $x\n", 2, 5, "the character $ cannot be used"),
    ("x = 1.0\ny = x²\n", 2, 6, "x ** 2"),
    ("x = 1.0\ny = 2 × x\n", 2, 7, "write * to multiply"),
    ("x = 1\xa0+ 2\n", 1, 6, "invisible character (U+00A0)"),
    ("x = 1.0\ny = x\x00\n", 2, 6, "NUL"),
    ("print 'hi'\n", 1, 1, "the last line is the output"),
    ("if x\n", 1, 1, "if is not allowed"),
    ("x = 1.0\nif x = 2:\n  y = 1\n", 2, 1, "if is not allowed"),
    ("else:\n", 1, 1, "else is not allowed"),
    ("def f(:\n", 1, 1, "def is not allowed"),
    ("import\n", 1, 1, "imports are not allowed"),
    ("x = 1.0\ny = x if\n", 2, 7, "comparisons and conditions are not allowed"),
    ("x = [1.0]\ny = [z for]\n", 2, 8, "[f(z) for z in xs]"),
    ("x = 1.0\ny = x\\\n", 2, 6, "remove the \\"),
    ("x: float = 1.0\n", 1, 1, "write `x = 1.0`"),
    ("x = 1.0\npass\n", 2, 1, "remove the line"),
    ("x = b'1'\n", 1, 5, "strings are not allowed"),
    ("x = None\n", 1, 5, "None is not a number"),
    ("x = ...\n", 1, 5, "... is not a number"),
]


@pytest.mark.parametrize("text, line, col, words", CASES)
def test_refusal_says_what_to_write(text, line, col, words):
    err = refused(text)
    assert words in err.message, err.message
    assert (err.line, err.col) == (line, col), str(err)
    for word in JARGON:
        assert word not in err.message, (word, err.message)


def test_columns_of_parse_errors_count_characters():
    err = refused("éé = 1.0\ny = éé 2x\n")
    assert (err.line, err.col) == (2, 8) and "write 2 * x" in err.message


def test_every_refusal_in_the_program_tests_is_free_of_jargon():
    from test_program import test_refusals_name_line_col_and_what_to_do as table

    marks = table.pytestmark if hasattr(table, "pytestmark") else []
    cases = next(m.args[1] for m in marks if m.name == "parametrize")
    assert len(cases) > 50
    for text, *_ in cases:
        message = refused(text).message
        for word in JARGON:
            assert word not in message, (word, text, message)
