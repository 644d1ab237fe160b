"""Diff a checkpoint against an architecture: which model variables a restore would load."""
