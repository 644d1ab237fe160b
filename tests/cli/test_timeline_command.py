"""``ckpt-inspector timeline``: the JSON contract, the text report and exit statuses."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
import tensorflow as tf

import checkpoint_factory as factory
from ckpt_inspector.cli.main import main


@pytest.fixture(autouse=True)
def cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("CKPT_INSPECTOR_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_json_has_one_value_per_checkpoint_in_order(capsys, timeline_folder, cache_folder):
    status, out, err = run_cli(capsys, "timeline", str(timeline_folder), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert {"checkpoints", "variables", "findings"} <= set(data)
    prefixes = [c["prefix"] for c in data["checkpoints"]]
    assert prefixes == [str(timeline_folder / f"ckpt-{i}") for i in range(1, 9)]
    assert [c["step"] for c in data["checkpoints"]] == [5 * i for i in range(1, 9)]
    assert data["order"]["source"] == "variable"
    kernel = next(v for v in data["variables"] if v["name"] == "hidden/kernel")
    values = [
        tf.train.load_checkpoint(p).get_tensor(kernel["key"]).astype(np.float64) for p in prefixes
    ]
    assert kernel["norm"] == pytest.approx([np.linalg.norm(v) for v in values], rel=1e-5)
    expected = [None] + [
        float(np.linalg.norm(b - a) / np.linalg.norm(a)) for a, b in itertools.pairwise(values)
    ]
    assert kernel["relative_change"][0] is None
    assert kernel["relative_change"][1:] == pytest.approx(expected[1:], rel=1e-4, abs=1e-12)
    kinds = {f["kind"] for f in data["findings"]}
    assert kinds == {"nan-inf", "norm-blow-up", "identical-checkpoints", "never-changes"}
    nan = next(f for f in data["findings"] if f["kind"] == "nan-inf")
    assert nan["checkpoint"] == prefixes[6] and nan["step"] == 35
    # Cached in the user's cache folder, one file per checkpoint.
    assert len(list(cache_folder.glob("timeline/*.json"))) == 8


def test_selected_variable_and_text_report(capsys, timeline_folder):
    status, out, err = run_cli(capsys, "timeline", str(timeline_folder), "hidden/kernel", "--json")
    assert status == 0, err
    assert [v["name"] for v in json.loads(out)["variables"]] == ["hidden/kernel"]
    status, out, err = run_cli(capsys, "timeline", str(timeline_folder))
    assert status == 0, err  # findings do not change the exit status
    assert "ordered by the step variable" in out
    assert "ckpt-4 (step 20) is identical to ckpt-3 (step 15)" in out
    assert "frozen/kernel" in out and "never-changes" in out


def test_bad_input_exits_2(capsys, timeline_folder, tmp_path):
    status, _out, err = run_cli(capsys, "timeline", str(timeline_folder), "hiden/kernel")
    assert status == 2 and "did you mean 'hidden/kernel'" in err
    status, _out, err = run_cli(capsys, "timeline", str(tmp_path / "nothing"))
    assert status == 2 and "does not exist" in err
    assert factory.TIMELINE_SAVES == 8
