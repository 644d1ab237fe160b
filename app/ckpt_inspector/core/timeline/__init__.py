"""Checkpoints of one training run as a time series: what changed, where, and when it went wrong.

``records`` is the contract with the window and the CLI. ``ordering`` puts the checkpoints in
training order and says where the order came from; ``summary`` holds the NumPy passes over one
tensor (statistics, digest, change from the previous save); ``cache`` keeps those per
checkpoint file in the user's cache folder; ``compute`` is the worker job that drives them and
``findings`` the rules that judge the result. No Qt; TensorFlow only through the readers.
"""
