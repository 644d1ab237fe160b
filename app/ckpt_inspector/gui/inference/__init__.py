"""The "Inference" dock: restore the selected checkpoint into a model and run it on sample input
(issue 5, window part). The work runs in worker processes; this package only shows it."""
