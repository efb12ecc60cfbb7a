"""The failure categories: one module per category, named by its id.

Each module declares its category (id, title, severity, prose, tags, report-title rules, data tables) and the
rule that detects it, registered with :func:`drdata.detectors.registry.detector`. Nothing lists the modules: the
registry imports every module of this package (:func:`drdata.detectors.registry.registry`). Data tables live in
``data/`` and load through :func:`drdata.detectors.helpers.load_table`.
"""
