"""Restore a checkpoint into a model and run it on sample input (the worker's side of the
inference panel and ``ckpt-inspector infer``)."""
