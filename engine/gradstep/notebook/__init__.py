"""gradstep in a notebook: the anywidget ``show(value)`` (``widget``, needs the ``widget``
extra) and the page's web files it draws with (``assets``).

May import: ``gradstep.core``, ``gradstep.program`` and ``gradstep.layout``.
"""
