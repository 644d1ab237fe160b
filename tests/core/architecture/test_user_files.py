"""Which files count as the user's in tracebacks and module clean-up (``user_files``).

Paths come from the running installation (``json`` from the standard library, ``pytest`` from
site-packages, this app's own package), so the checks hold wherever the suite runs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import ckpt_inspector
from ckpt_inspector.core.architecture.user_files import is_user_file


def test_a_file_in_a_temporary_folder_is_the_users(tmp_path: Path):
    assert is_user_file(str(tmp_path / "model.py"))
    assert is_user_file(str(tmp_path / "model.py"), str(tmp_path))


@pytest.mark.parametrize("module", [json, pytest, ckpt_inspector])
def test_library_and_app_files_are_not(module):
    assert not is_user_file(module.__file__)


def test_pseudo_files_are_not():
    assert not is_user_file("<frozen importlib._bootstrap>")
    assert not is_user_file("<string>")
    assert not is_user_file("")


def test_a_virtualenv_inside_the_users_folder_stays_a_library():
    # ~/project/model.py with ~/project/.venv: the project folder holds site-packages.
    project = os.path.dirname(sys.prefix)
    assert not is_user_file(pytest.__file__, project)


def test_a_model_inside_a_library_folder_is_the_users():
    # A model in an installed package: its own folder is more specific than site-packages.
    package_folder = os.path.dirname(pytest.__file__)
    assert is_user_file(pytest.__file__, package_folder)
    # ... but this app's own files never are, even when they sit in the user's folder.
    app_parent = os.path.dirname(os.path.dirname(ckpt_inspector.__file__))
    assert not is_user_file(ckpt_inspector.__file__, app_parent)
