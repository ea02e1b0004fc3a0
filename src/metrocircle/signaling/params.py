"""Parameters of the signaling stages, validated once.

Every threshold of the pipeline is a field of :class:`SignalingParams`. From the CLI they are
set with ``--param NAME=VALUE``; from Python, pass ``SignalingParams(name=value)`` or a dict.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from metrocircle.exceptions import ParameterError

_WHO = "signaling"


@dataclass(frozen=True)
class SignalingParams:
    """Thresholds of the cleaning, stay, home and work stages.

    Parameters
    ----------
    start_date, end_date
        Study window as ISO dates (``"2024-03-04"``); records before ``start_date`` or on or
        after ``end_date`` are dropped as ``outside_window``. ``None`` means no bound.
    pingpong_max_km
        Two cells closer than this are neighbours; an A-B-A oscillation between neighbours is
        ping-pong.
    pingpong_max_seconds
        An A-B-A oscillation is ping-pong when the two A records are at most this far apart.
    max_gap_hours
        A record's dwell lasts until the next record, capped at this many hours (a phone that
        stays silent longer is not assumed to stay put).
    place_radius_km
        Cells within this radius of a leader cell form one place (``0`` keeps every cell its
        own place). Home and work are places; their unit is the unit of their busiest cell.
    night_start_hour, night_end_hour
        The night window (local time). Home is the place with the largest score
        ``night dwell + home_day_weight * other dwell``.
    home_day_weight
        Weight of dwell outside the night window in the home score, in [0, 1]. A positive
        weight keeps night-shift workers' homes at home.
    work_start_hour, work_end_hour
        The weekday daytime work window.
    nightshift_start_hour, nightshift_end_hour
        The night-shift work window (evening of a weekday to the next morning).
    evening_start_hour, evening_end_hour
        The evening-shift work window of a weekday. The Bureau of Labor Statistics calls a
        shift with most hours between 2 p.m. and midnight an evening shift; from 16:00, four
        hours in the window mean work still under way at 20:00, which afternoon outings
        rarely are.
    work_min_hours
        A place is visited "for work" on a day when the dwell in one of the work windows
        reaches this many hours.
    work_min_days
        A work place needs at least this many such days ...
    work_min_share
        ... and at least this share of the weekdays on which the user was seen ...
    work_min_week_share
        ... in at least this share of the weeks in which the user was seen on three weekdays
        or more (regularity across weeks: a run of visits in one week is not a job) ...
    work_min_time_share
        ... and the dwell in the work windows on weekdays must reach this share of the
        user's observed weekdays times the day window's length (a job fills the day; short
        regular visits do not).
    work_min_home_km
        Places whose centre is this close to the centre of home are not work places
        (signaling cannot tell them apart from home; a school next door is the typical case).
        Each centre is the user's dwell-weighted mean position of the place's cells.
    grid_deg
        Grid step in degrees used to turn lon/lat records into cells.
    """

    start_date: str | None = None
    end_date: str | None = None
    pingpong_max_km: float = 2.0
    pingpong_max_seconds: int = 600
    max_gap_hours: float = 6.0
    place_radius_km: float = 0.6
    night_start_hour: int = 21
    night_end_hour: int = 7
    home_day_weight: float = 0.5
    work_start_hour: int = 9
    work_end_hour: int = 17
    nightshift_start_hour: int = 22
    nightshift_end_hour: int = 6
    evening_start_hour: int = 16
    evening_end_hour: int = 24
    work_min_hours: float = 4.0
    work_min_days: int = 3
    work_min_share: float = 0.4
    work_min_week_share: float = 0.75
    work_min_time_share: float = 0.25
    work_min_home_km: float = 1.5
    grid_deg: float = 0.005

    def __post_init__(self) -> None:
        def bad(name: str, what: str) -> ParameterError:
            return ParameterError(
                f"The '{name}' parameter of {_WHO} must be {what}. Got {getattr(self, name)!r}."
            )

        for name in ("start_date", "end_date"):
            v = getattr(self, name)
            if v is not None:
                try:
                    date.fromisoformat(str(v))
                except ValueError as err:
                    raise bad(name, "an ISO date such as 2024-03-04") from err
        for name in ("pingpong_max_km", "place_radius_km", "work_min_home_km"):
            if not _num(getattr(self, name)) or getattr(self, name) < 0:
                raise bad(name, "a float >= 0")
        if not _num(self.max_gap_hours) or not 0 < self.max_gap_hours <= 24:
            raise bad("max_gap_hours", "a float in (0, 24]")
        for name in ("work_min_hours", "grid_deg"):
            if not _num(getattr(self, name)) or getattr(self, name) <= 0:
                raise bad(name, "a float > 0")
        if not _num(self.pingpong_max_seconds) or self.pingpong_max_seconds < 0:
            raise bad("pingpong_max_seconds", "an int >= 0")
        for name in (
            "night_start_hour",
            "night_end_hour",
            "work_start_hour",
            "work_end_hour",
            "nightshift_start_hour",
            "nightshift_end_hour",
            "evening_start_hour",
            "evening_end_hour",
        ):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 24:
                raise bad(name, "an int in [0, 24]")
        if self.work_start_hour >= self.work_end_hour:
            raise bad("work_end_hour",
                      f"an int greater than work_start_hour ({self.work_start_hour})")
        if self.evening_start_hour >= self.evening_end_hour:
            raise bad("evening_end_hour",
                      f"an int greater than evening_start_hour ({self.evening_start_hour})")
        if self.nightshift_start_hour <= self.nightshift_end_hour:
            raise bad(
                "nightshift_start_hour",
                f"an int greater than nightshift_end_hour ({self.nightshift_end_hour}): "
                "the window runs over midnight",
            )
        if self.night_start_hour == self.night_end_hour:
            raise bad("night_start_hour", "different from night_end_hour")
        for name in ("home_day_weight", "work_min_share", "work_min_week_share",
                     "work_min_time_share"):
            v = getattr(self, name)
            if not _num(v) or not 0 <= v <= 1:
                raise bad(name, "a float in [0, 1]")
        if not isinstance(self.work_min_days, int) or self.work_min_days < 1:
            raise bad("work_min_days", "an int >= 1")

    # ------------------------------------------------------------------ helpers
    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> SignalingParams:
        """Build from a mapping of names to values (strings are converted to the field type)."""
        values = dict(values or {})
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ParameterError(
                f"Unknown parameter(s) of {_WHO}: {', '.join(unknown)}. "
                f"Known: {', '.join(sorted(known))}."
            )
        converted: dict[str, Any] = {}
        for name, v in values.items():
            default = getattr(cls, name)
            if isinstance(v, str):
                try:
                    if default is None or name.endswith("_date"):
                        converted[name] = None if v.lower() in ("", "none") else v
                    elif isinstance(default, bool):
                        converted[name] = v.lower() in ("1", "true", "yes")
                    elif isinstance(default, int):
                        converted[name] = int(v)
                    else:
                        converted[name] = float(v)
                except ValueError as err:
                    raise ParameterError(
                        f"The '{name}' parameter of {_WHO} must be a "
                        f"{type(default).__name__}. Got {v!r}."
                    ) from err
            else:
                converted[name] = v
        return cls(**converted)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for run.json)."""
        return dataclasses.asdict(self)

    def window_seconds(self) -> tuple[int | None, int | None]:
        """Study window as seconds since 1970-01-01 of local wall-clock time."""

        def sec(v: str | None) -> int | None:
            if v is None:
                return None
            d = date.fromisoformat(str(v))
            return int((datetime(d.year, d.month, d.day) - datetime(1970, 1, 1)).total_seconds())

        return sec(self.start_date), sec(self.end_date)


def _num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)
