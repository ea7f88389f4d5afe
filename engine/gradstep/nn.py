"""micrograd's ``micrograd.nn`` under gradstep's name: ``from gradstep.nn import Neuron, Layer, MLP``.

The networks live in ``gradstep.training.nn``; this module is the name learners who
follow the micrograd lecture reach for.
"""

from gradstep.training.nn import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron"]
