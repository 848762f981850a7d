"""Calibration: what each model's images really cost, measured from its answers and probes.

measurements.py keeps what answers say (a Protocol, in memory or a JSON file: storage.py),
fitting.py and discovery.py turn measurements into a geometry, calibrator.py serves the fits to
vision.images.profiles, and probe.py measures a model on purpose (docs/geometry.md).
"""
