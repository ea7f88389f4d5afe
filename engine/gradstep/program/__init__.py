"""The program language and stepping through it.

``compiler`` reads a program into a tape (``messages`` words its refusals and syntax
errors, ``notation`` writes labels and formulas, ``writer`` writes a tape back as a program);
``timeline`` computes every value, gradient and frame of both passes; ``session`` is the
stepper of the command line and the tests (the page's is ``web/graph/stepper.js``);
``scene`` is what the page and the widget draw, with ``graph`` turning a tape into the
layout's input; ``examples`` are the seeds' programs; ``from_graph`` writes any ``Value``
graph (gradstep's or micrograd's) as a program and a share link; ``link`` is the share
link's format.

May import: ``gradstep.core`` and ``gradstep.layout``.
"""
