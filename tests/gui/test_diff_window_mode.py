"""``ckpt-inspector PATH --model SPEC``: the options reach the window, the diff starts once the
folder has loaded, and ``--screenshot`` waits for it (and for its histograms)."""

from __future__ import annotations

import pytest
from gui_fakes import contents, listing, mlp_variables, preview_of, stats_of
from test_diff_model import sample_report
from test_diff_panel import answer_histograms, diff_clients  # noqa: F401 - a fixture

from ckpt_inspector.cli import main as cli_main
from ckpt_inspector.gui import app
from ckpt_inspector.gui.app import ModelRequest
from ckpt_inspector.gui.screenshot import ScreenshotWhenLoaded


@pytest.fixture
def captured_run(monkeypatch) -> list[tuple[tuple, dict]]:
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(app, "run", lambda *args, **kwargs: calls.append((args, kwargs)) or 0)
    monkeypatch.setattr(cli_main, "display_problem", lambda *args, **kwargs: "")
    return calls


def test_model_options_reach_the_window(captured_run):
    argv = ["run", "--model", "m.py:build", "--model-arg", "units=4", "--model-arg", "act=relu"]
    argv += ["--input-shape", "28,28", "--input-shape", "10", "--keras", "2"]
    assert cli_main.main(argv) == 0
    (args, kwargs) = captured_run[0]
    assert args == ("run",) and kwargs["keras"] == "2"
    assert kwargs["model"] == ModelRequest(
        "m.py:build", ("units=4", "act=relu"), ("28,28", "10"), "2"
    )


def test_without_keras_the_worker_is_keras_3_and_the_diff_follows_the_keys(captured_run):
    assert cli_main.main(["run", "--model", "m.py"]) == 0
    kwargs = captured_run[0][1]
    assert kwargs["keras"] == "3" and kwargs["model"].keras is None
    assert cli_main.main(["run", "--model", "m.py", "--keras", "auto"]) == 0
    assert captured_run[1][1]["keras"] == "3" and captured_run[1][1]["model"].keras is None
    assert cli_main.main(["run"]) == 0
    assert captured_run[2][1]["model"] is None


def test_model_arguments_need_a_model(captured_run, capsys):
    assert cli_main.main(["run", "--input-shape", "28"]) == 2
    assert (
        capsys.readouterr().err == "ckpt-inspector: --model-arg and --input-shape need --model.\n"
    )
    assert not captured_run


def test_the_diff_runs_once_loaded_and_the_screenshot_waits_for_it(
    qtbot,
    diff_clients,  # noqa: F811 - the fixture imported above
    window,
    fake_client,
    tmp_path,
):
    model_file = tmp_path / "model.py"
    model_file.write_text("def build_model():\n    return None\n", encoding="utf-8")
    out = tmp_path / "shot.png"
    shooter = ScreenshotWhenLoaded(window, str(out), timeout_s=60)
    window.open_path("/data/run")
    window.diff.run_when_loaded(
        str(model_file), arguments=["units=4"], input_shapes=["784"], keras="3"
    )
    assert window.diff.dock.isVisible() and not diff_clients

    fake_client.finish(fake_client.last("discover").job_id, listing("/data/run"))
    job = fake_client.last("list_variables")
    fake_client.finish(job.job_id, contents(job.kwargs["record"]))
    diff = diff_clients["3"].last("diff")  # started as the variables arrived
    spec = diff.kwargs["spec"]
    assert diff.kwargs["record"].name == "ckpt-2"
    assert (spec.source, spec.model_args, spec.input_shapes, spec.keras) == (
        str(model_file),
        (("units", 4),),
        ((784,),),
        "3",  # --keras wins over the keys' suggestion
    )
    # Answer the browsing worker's own requests: the window is still busy with the diff.
    qtbot.waitUntil(lambda: bool(fake_client.jobs("preview")), timeout=2000)
    preview = fake_client.last("preview")
    shown = next(v for v in mlp_variables() if v.key == preview.kwargs["key"])
    fake_client.finish(preview.job_id, preview_of(shown))
    qtbot.waitUntil(lambda: bool(fake_client.jobs("tensor_stats")), timeout=2000)
    stats = fake_client.last("tensor_stats")
    fake_client.finish(stats.job_id, stats_of(shown))
    qtbot.wait(400)  # longer than the screenshot's settle time: it must not shoot now
    assert shooter.exit_code is None and not window.is_loading_finished()

    diff_clients["3"].finish(diff.job_id, sample_report())
    assert shooter.exit_code is None  # the selected row's histograms are still to come
    answer_histograms(qtbot, window, fake_client, diff_clients["3"])
    qtbot.waitUntil(lambda: shooter.exit_code is not None, timeout=5000)
    assert shooter.exit_code == 0 and out.exists()
    assert window.diff.panel.report() is not None
