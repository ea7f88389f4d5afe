"""Training: micrograd's networks (``nn``), losses, seeded datasets, the trainer and its
compiled fast path (``trainer``, ``fastnet``, ``fast_trainer``), the whole batch's graph
(``batch_graph``), the one table of training settings (``settings``: defaults, limits, link
keys, command-line flags) and the page's training view without its drawing (``view``).

May import: ``gradstep.core`` and ``gradstep.program``.
"""
