"""The tour runs end to end and reports our estimators next to sklearn's."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest

from sklearn_mathdl._tour import main, tour_models
from sklearn_mathdl.utils.discovery import all_estimators


def test_tour_quick_on_wine(tmp_path, capsys):
    assert (
        main(["tour", "--quick", "--datasets", "wine", "--output", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    assert "| wine | MLPClassifier * | accuracy" in out
    assert "sklearn LogisticRegression" in out
    assert (tmp_path / "results.md").read_text().count("| wine |") >= 6
    assert (tmp_path / "learning_curves.png").stat().st_size > 1000


# estimators whose X is not a feature table (the tour cross-validates feature
# tables in a StandardScaler pipeline): shown in their gallery examples instead
NOT_TABULAR = {
    "FittedQIteration": "rl/plot_fitted_q_iteration.py",
    "NeuralSDE": "neural_ode/plot_neural_sde.py",
}


def test_tour_covers_every_estimator():
    """Each public estimator appears in at least one tour row (or, for those
    that take no feature table, in its gallery example)."""
    from pathlib import Path

    examples = Path(__file__).parents[1] / "examples"
    labels = " ".join(m.label for m in tour_models() if m.ours)
    for name, _ in all_estimators():
        if name in NOT_TABULAR:
            assert name in (examples / NOT_TABULAR[name]).read_text()
            continue
        assert name in labels


def test_importance_table_on_diabetes():
    """The tour's importance section: top features with intervals and p-values."""
    from sklearn_mathdl._tour import importance_table

    table = importance_table(quick=True)
    lines = table.splitlines()
    assert len(lines) == 7  # header, rule, 5 features
    assert "bmi" in table  # the strongest predictor of diabetes progression
    first = lines[2].split("|")
    low, high = first[2].split("[")[1].rstrip("] ").split(",")
    assert 0 < float(low) < float(high)


def test_tour_saves_rows_as_they_finish_and_resumes(tmp_path, monkeypatch):
    """An interrupted tour keeps the finished rows in results.md and rows.json;
    the next run skips them (--restart recomputes)."""
    import json

    import pytest

    import sklearn_mathdl._tour as tour

    calls = []
    real = tour._fit_fold
    n_folds = 3  # --quick

    def interrupt_in_third_row(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2 * n_folds + 1:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    # one process (--jobs 1), so that the patched function is the one called
    monkeypatch.setattr(tour, "_fit_fold", interrupt_in_third_row)
    argv = ["tour", "--quick", "--jobs", "1", "--datasets", "wine"]
    argv += ["--output", str(tmp_path)]
    with pytest.raises(KeyboardInterrupt):
        main(argv)
    saved = json.loads((tmp_path / "rows.json").read_text())
    assert len(saved["rows"]) == 2 and saved["quick"] is True
    assert (tmp_path / "results.md").read_text().count("| wine |") == 2
    assert (
        "`*` marks estimators of sklearn_mathdl"
        in (tmp_path / "results.md").read_text()
    )
    counted = []
    monkeypatch.setattr(
        tour, "_fit_fold", lambda *a, **k: counted.append(1) or real(*a, **k)
    )
    assert main(argv) == 0
    n_rows = (tmp_path / "results.md").read_text().count("| wine |")
    # the two saved rows were not recomputed
    assert len(counted) == (n_rows - 2) * n_folds


def test_parallel_folds_score_as_one_process(tmp_path):
    """Folds fitted in two processes give the rows one process gives."""
    from sklearn_mathdl._tour import run_tour

    kw = dict(quick=True, datasets=["wine"], progress=False)
    one, _ = run_tour(output=tmp_path / "one", n_jobs=1, **kw)
    two, _ = run_tour(output=tmp_path / "two", n_jobs=2, **kw)
    assert [r["model"] for r in one] == [r["model"] for r in two]
    for a, b in zip(one, two, strict=True):
        assert a["mean"] == pytest.approx(b["mean"], abs=1e-9), a["model"]


def test_importance_legend_explains_intervals_and_p_values():
    from sklearn_mathdl._tour import IMPORTANCE_LEGEND

    assert "bootstrap interval" in IMPORTANCE_LEGEND
    assert "randomization test" in IMPORTANCE_LEGEND
    assert "no contradiction" in IMPORTANCE_LEGEND
