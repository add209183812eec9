"""The tour runs end to end and reports our estimators next to sklearn's."""

# Authors: The sklearn_mathdl developers
# SPDX-License-Identifier: BSD-3-Clause

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


def test_tour_covers_every_estimator():
    """Each public estimator appears in at least one tour row."""
    labels = " ".join(m.label for m in tour_models() if m.ours)
    for name, _ in all_estimators():
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
    real = tour.cross_validate

    def interrupt_at_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(tour, "cross_validate", interrupt_at_third)
    argv = ["tour", "--quick", "--datasets", "wine", "--output", str(tmp_path)]
    with pytest.raises(KeyboardInterrupt):
        main(argv)
    saved = json.loads((tmp_path / "rows.json").read_text())
    assert len(saved["rows"]) == 2 and saved["quick"] is True
    assert (tmp_path / "results.md").read_text().count("| wine |") == 2
    assert (
        "`*` marks estimators of sklearn_mathdl"
        in (tmp_path / "results.md").read_text()
    )
    calls.clear()
    monkeypatch.setattr(tour, "cross_validate", real)
    counted = []
    monkeypatch.setattr(
        tour, "cross_validate", lambda *a, **k: counted.append(1) or real(*a, **k)
    )
    assert main(argv) == 0
    n_rows = (tmp_path / "results.md").read_text().count("| wine |")
    assert len(counted) == n_rows - 2  # the two saved rows were not recomputed


def test_importance_legend_explains_intervals_and_p_values():
    from sklearn_mathdl._tour import IMPORTANCE_LEGEND

    assert "bootstrap interval" in IMPORTANCE_LEGEND
    assert "randomization test" in IMPORTANCE_LEGEND
    assert "no contradiction" in IMPORTANCE_LEGEND
