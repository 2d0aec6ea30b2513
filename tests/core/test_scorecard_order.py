"""A unit's lifts and drags (core.evaluation.scorecard) follow the order the unit page's
chart shows — largest contribution first, ties in framework order — so 优势/短板, the chart
and the 述职材料 name the same indicators even when two contributions are equal."""

import pandas as pd

from yanzhi.core.evaluation import scorecard


def test_ties_keep_the_framework_order_at_both_ends() -> None:
    norm = pd.Series({"D1": 90.0, "D2": 90.0, "D3": 50.0, "D4": 10.0, "D5": 10.0})
    weight = pd.Series({"D1": 1.0, "D2": 1.0, "D3": 1.0, "D4": 1.0, "D5": 1.0})
    card = scorecard(norm, weight, n=1)
    assert [c for c, _ in card["lifts"]] == ["D1"]  # D1 before D2, as the chart lists them
    assert [c for c, _ in card["drags"]] == ["D5"]  # the chart's last bar
    chart = sorted(norm.index, key=lambda c: -card["contributions"][c])
    assert chart[0] == card["lifts"][0][0] and chart[-1] == card["drags"][0][0]
