"""The Timeline dock: the checkpoints of the opened folder as a training run (core.timeline).

``timeline_controller`` owns the dock, its menu action and the worker job;
``timeline_panel`` is the widget; ``timeline_models`` the tables and ``timeline_plots`` the
pyqtgraph curves and heat map, built on first show (they import pyqtgraph).
"""
