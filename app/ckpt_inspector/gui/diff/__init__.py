"""The "Diff against model" dock: which model variables a restore of the selected checkpoint
would load into a chosen architecture (issue 4, window part)."""
