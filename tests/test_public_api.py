"""Every public name is importable, and importing the package stays light."""

import subprocess
import sys

import pytest

import stanceclf


@pytest.mark.parametrize("name", stanceclf.__all__)
def test_every_public_name_imports(name):
    value = getattr(stanceclf, name)
    assert value is not None
    exec(f"from stanceclf import {name}", {})


def test_dir_lists_the_public_api():
    assert sorted(stanceclf.__all__) == dir(stanceclf)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        stanceclf.not_a_name


def test_public_callables_have_docstrings():
    for name in stanceclf.__all__:
        value = getattr(stanceclf, name)
        if callable(value):
            assert (value.__doc__ or "").strip(), name


def test_import_defers_scikit_learn_and_jieba():
    code = "import sys, stanceclf; print(sorted(m for m in ('sklearn', 'jieba', 'scipy') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
