"""Derive ``parent_levels.csv``: the parent units of each of the 58 units at the levels the
multi-source delineation snaps to (``metrocircle.datasets.chongqing.layers.multisource_units``).

* ``prefecture_id``: the prefecture-level parent; ``511600`` for Guang'an's six counties, empty
  for Chongqing's districts (a province-level municipality has no prefecture level) and for the
  Sichuan prefectures (each is a prefecture itself);
* ``planning_group``: Chongqing's 2020 zoning (一区两群): the main urban metropolitan area (21
  districts), the north-east and south-east town groups; empty outside Chongqing;
* ``zone``: the finer zoning of ``units.csv`` (``group``) inside Chongqing.

Run from the repository root:
``python src/metrocircle/datasets/chongqing/_scripts/make_parent_levels.py``
"""

from __future__ import annotations

from metrocircle.datasets import chongqing
from metrocircle.datasets.chongqing.layers import multisource_units


def main() -> None:
    units = multisource_units()
    out = units[["unit_id", "prefecture_id", "planning_group", "zone"]]
    out.to_csv(chongqing.data_path("parent_levels.csv"), index=False)
    print(f"wrote {len(out)} rows to {chongqing.data_path('parent_levels.csv')}")


if __name__ == "__main__":
    main()
