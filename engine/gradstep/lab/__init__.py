"""The gradient lab: the same gradient three ways and whether they agree.

``numeric`` (finite differences and their error against h), ``closed_form`` (sympy's
derivative), ``paths`` (the chain rule as a sum over paths), ``forward_mode`` (dual
numbers), ``yours`` (the learner's own derivative, checked), ``views``, what the page's lab
panel asks for, and ``export`` (with ``export_scripts`` and ``export_notebook``): the
program as a PyTorch or micrograd script or a notebook.

May import: ``gradstep.core`` and ``gradstep.program`` (sympy and networkx on first use).
"""
