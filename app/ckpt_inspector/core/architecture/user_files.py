"""Which source files are the user's, as opposed to this app's or the Python installation's.

Used twice: to keep only the user's frames in a traceback, and to forget the user's sibling
modules after a load. We match the installation's precise library folders (standard library,
site-packages) rather than ``sys.prefix`` as a whole, because a system Python's prefix is
``/usr`` and a model in ``/usr/src/app`` (a common container layout) is still the user's. The
user's folder and a library folder can nest either way: a project at ``~/project`` usually holds
its virtualenv in ``~/project/.venv``, and a model can live in a package in site-packages; the
innermost of the two decides.
"""

from __future__ import annotations

import functools
import os
import site
import sys
import sysconfig

import ckpt_inspector


def is_user_file(filename: str, user_folder: str | None = None) -> bool:
    """True for a file the user wrote; pseudo-files (``<frozen importlib...>``) are not."""
    if not filename or filename.startswith("<"):
        return False
    real = os.path.realpath(filename)
    if inside(real, _package_root()):
        return False
    library = max((len(r) for r in _library_roots() if inside(real, r)), default=-1)
    if user_folder is not None:
        folder = os.path.realpath(user_folder)
        if inside(real, folder) and len(folder) > library:
            return True
    return library < 0


def inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or below it (both already absolute)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


@functools.cache
def _package_root() -> str:
    return os.path.realpath(os.path.dirname(os.path.abspath(ckpt_inspector.__file__)))


@functools.cache
def _library_roots() -> tuple[str, ...]:
    """The Python installation's library folders, of the venv and of the base install."""
    roots = {site.getusersitepackages()}
    base_vars = {
        "base": sys.base_prefix,
        "platbase": sys.base_exec_prefix,
        "installed_base": sys.base_prefix,
        "installed_platbase": sys.base_exec_prefix,
    }
    for variables in (None, base_vars):
        paths = sysconfig.get_paths(vars=variables)
        roots.update(paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib"))
    roots.update(getattr(site, "getsitepackages", list)())
    return tuple(sorted({os.path.realpath(root) for root in roots if root}))
