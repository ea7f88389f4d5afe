"""The autograd core: ``Value`` (micrograd's shape), the op table (each op's forward, local
derivative and formula in one place), the tape (a graph in creation order), reproducible
float math, and the errors every part raises.

May import: the standard library only. Everything else in gradstep stands on this.
"""
