import json

from django.template.loader import render_to_string

from common import charts


def test_bar_points_carry_their_urls_and_series_names():
    chart = charts.bar(
        id="c1",
        label="compliance",
        categories=["A", "B"],
        series={"rate": [50, 75]},
        urls=["/a/", None],
        horizontal=True,
        percent=True,
    )
    series = chart.options["series"][0]
    assert series["name"] == "rate"
    assert series["data"] == [{"value": 50, "url": "/a/"}, {"value": 75}]
    assert chart.options["yAxis"]["data"] == ["A", "B"]  # horizontal: categories on the y axis
    assert chart.options["xAxis"]["max"] == 100


def test_heatmap_cells_keep_position_value_and_url_and_blank_cells_show_a_dash():
    chart = charts.heatmap(
        id="h",
        label="grid",
        columns=["1", "2"],
        rows=["x"],
        cells=[(0, 0, 0.0, "/missing/"), (1, 0, None, None)],
    )
    assert chart.options["series"][0]["data"] == [
        {"value": [0, 0, 0.0], "url": "/missing/"},
        {"value": [1, 0, "-"]},
    ]


def test_the_include_writes_json_options_and_the_div_charts_js_reads():
    chart = charts.pie(id="members-by-status", label="members", items=[("正式党员", 3), ("预备党员", 1)])
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert 'data-chart="members-by-status"' in html
    start = html.index(">", html.index('id="members-by-status"')) + 1
    options = json.loads(html[start : html.index("</script>")])
    assert options["series"][0]["data"] == [
        {"name": "正式党员", "value": 3},
        {"name": "预备党员", "value": 1},
    ]
