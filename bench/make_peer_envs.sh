#!/usr/bin/env bash
# Create the peers' environments the benchmarks in docs/BENCHMARKS.md and docs/signaling.md
# use, each in its own folder under bench/ (ignored by git), never in metrocircle's own venv.
#
#   bash bench/make_peer_envs.sh                 # every peer
#   bash bench/make_peer_envs.sh transbigdata    # only the named ones
#
# Peers (the versions the benchmarks were measured with):
#   transbigdata      bench/.venv-transbigdata       transbigdata 0.5.3 + pyarrow
#   trackintel        bench/.venv-trackintel         trackintel 1.4.2 + pyarrow
#   LabourMarketAreas bench/.venv-r-LabourMarketAreas  R package source 3.4 (git mirror
#                     cran/LabourMarketAreas, tag/commit "version 3.4"), loaded with source();
#                     needs R and data.table (Debian: apt-get install r-base-core r-cran-data.table)
# Installs use pip's and git's own configuration (index, proxy); nothing here is needed to
# run or test metrocircle.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

make_venv() {  # name, requirements...
    local dir="$here/.venv-$1"; shift
    if [ ! -x "$dir/bin/python" ]; then "$python" -m venv "$dir"; fi
    "$dir/bin/pip" install -q "$@"
    echo "ready: $dir"
}

make_r_lma() {
    local dir="$here/.venv-r-LabourMarketAreas"
    command -v Rscript >/dev/null || { echo "LabourMarketAreas needs R (apt-get install r-base-core r-cran-data.table)" >&2; return 1; }
    if [ ! -f "$dir/R/LabourMarketAreas.R" ]; then
        rm -rf "$dir"
        git clone -q https://github.com/cran/LabourMarketAreas "$dir"
        git -C "$dir" checkout -q "$(git -C "$dir" log --format=%H --grep='^version 3.4$' -n 1)"
    fi
    Rscript -e 'library(data.table)' >/dev/null
    echo "ready: $dir (version $(sed -n 's/^Version: //p' "$dir/DESCRIPTION"))"
}

peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(transbigdata trackintel LabourMarketAreas)
for peer in "${peers[@]}"; do
    case "$peer" in
        transbigdata) make_venv transbigdata "transbigdata==0.5.3" pyarrow ;;
        trackintel) make_venv trackintel "trackintel==1.4.2" pyarrow ;;
        LabourMarketAreas|r-LabourMarketAreas) make_r_lma ;;
        *) echo "unknown peer '$peer' (transbigdata, trackintel, LabourMarketAreas)" >&2; exit 2 ;;
    esac
done
