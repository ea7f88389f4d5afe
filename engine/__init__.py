"""gradstep's engine: scalar autograd, programs, and step-by-step frames.

``Value`` is micrograd-compatible; ``compile_program`` reads a program into a tape;
``Session`` steps through it. Nothing here imports anything heavy: the page loads
this package in the browser at start-up.
"""

from .errors import DomainError, ProgramError
from .program import compile_program
from .session import Session
from .timeline import Timeline
from .value import Value

__all__ = ["DomainError", "ProgramError", "Session", "Timeline", "Value", "compile_program"]
