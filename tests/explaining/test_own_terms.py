"""A criterion on one record's number ("a team of at least 4 direct reports") is explained and
planned in that record's own terms - 'direct reports is 3, needs at least 4' - not as a missing
record ('1 more team growth record (you have 0 of 1)'), when only the number stands in the way."""
from __future__ import annotations

import pytest
from helpers import criterion, evaluated, packet

from engine.explaining.plan import plan
from engine.reading.load import Document
from engine.reading.packet import build_packet

SHORT = "direct reports is 3, needs at least 4"
COUNTED = "0 of 1 team growth record in the last 12 months"


def team(rid: str, reports: int, start: str = "2025-06-01", end: str | None = None, **extra) -> dict:
    record = {"id": rid, "type": "team-growth", "title": f"Team {rid}", "start": start, "confidence": "verified", **extra}
    record["direct_reports"] = reports
    if end:
        record["end"] = end
    return record


def manager(*records: dict) -> dict:
    """A Tech Lead going for Engineering Manager, whose `team-size` asks for one team-growth
    record with at least 4 direct reports in the last 12 months."""
    return packet(level="tech-lead", track="management", evidence=list(records))


def team_size(book, data: dict) -> tuple[dict, list[str]]:
    _, document = evaluated(book, data)
    return criterion(document, "team-size"), document["missing"]


def plan_step(book, data: dict) -> dict:
    document = plan(book, build_packet(Document("packet.yaml", data, {}), book))
    return next(s for s in document["plans"][0]["steps"] if s["criterion"] == "team-size")


def test_a_team_one_report_short_is_said_as_its_size_against_the_threshold(book):
    data = manager(team("TG-1", 3))
    item, missing = team_size(book, data)
    assert item["statement"] == SHORT
    assert f"People leadership: Managed a team of at least 4 direct reports in the last 12 months ({SHORT})" in missing
    step = plan_step(book, data)
    assert step["text"] == f"Managed a team of at least 4 direct reports in the last 12 months: {SHORT}"
    assert step["closest"] == [f"TG-1 (Team TG-1): {SHORT}"]


def test_of_several_teams_short_the_nearest_to_the_threshold_is_the_one_said(book):
    item, _ = team_size(book, manager(team("TG-1", 1), team("TG-2", 3), team("TG-3", 2)))
    assert item["statement"] == SHORT


@pytest.mark.parametrize("records, why", [
    ([team("TG-1", 3, start="2024-01-01", end="2025-06-30")], "ended before the window: a new record is needed"),
    ([team("TG-1", 2, start="2024-01-01", end="2025-06-30"), team("TG-2", 3, start="2024-02-01", end="2025-07-31")],
     "every record is short of the number and outside the window"),
], ids=["outside-window", "two-conditions-each"])
def test_a_record_that_fails_more_than_a_number_keeps_the_count_wording(book, records, why):
    item, _ = team_size(book, manager(*records))
    assert item["statement"] == COUNTED, why
    assert plan_step(book, manager(*records))["text"].endswith("1 more team growth record (you have 0 of 1)"), why


def test_a_record_outside_the_window_does_not_hide_one_inside_it_short_of_the_number(book):
    item, _ = team_size(book, manager(team("TG-1", 9, start="2023-01-01", end="2024-12-31"), team("TG-2", 3)))
    assert item["statement"] == SHORT


def test_a_count_of_several_records_keeps_the_count_wording(rules_copy):
    from engine import api
    level = rules_copy / "levels" / "engineering-manager.yaml"
    level.write_text(level.read_text().replace("where: {direct_reports: {gte: 4}}", "where: {direct_reports: {gte: 4}}\n          at_least: 2"))
    item, _ = team_size(api.rulebook(rules_copy), manager(team("TG-1", 3)))
    assert item["statement"] == "0 of 2 team growth records in the last 12 months"


def director(*records: dict) -> dict:
    """A Senior Engineering Manager going for Director, whose optional `managers-grown` (3 points)
    and `retention` (2 points) each ask for one team-growth record over a number."""
    return packet(level="senior-engineering-manager", track="management", evidence=list(records))


def test_an_optional_criterion_with_points_says_the_number_in_its_statement_and_in_the_points_route(book):
    data = director(team("TG-1", 30, teams=5, managers_reporting=2, retention_pct=84))
    _, document = evaluated(book, data)
    assert criterion(document, "managers-grown")["statement"] == "managers reporting is 2, needs at least 3 · 0 of 3 points"
    assert criterion(document, "retention")["statement"] == "retention is 84, needs at least 90 · 0 of 2 points"
    steps = plan(book, build_packet(Document("packet.yaml", data, {}), book))["plans"][0]["steps"]
    people = next(s for s in steps if s["criterion"] == "points:people")
    assert "Had at least 3 managers reporting to them in the last 12 months (3 points; managers reporting is 2, needs at least 3)" \
        in people["text"]


def test_a_record_without_the_number_keeps_the_count_wording(book):
    _, document = evaluated(book, director(team("TG-1", 30)))  # no managers_reporting: nothing to compare
    assert criterion(document, "managers-grown")["statement"] == COUNTED + " · 0 of 3 points"
