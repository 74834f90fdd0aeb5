#!/usr/bin/env bash
# Install the Debian packages the slow tests and benchmarks need, if they are missing.
# chromium: renders the HTML reports in tests; slurm-wlm + munge: the one-node SLURM cluster;
# r-cran-rpact: independent power calculations in benchmarks.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
Rscript -e 'library(rpact)' >/dev/null 2>&1 || need+=(r-cran-rpact)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${need[*]}; install them with your package manager (tests needing them will be skipped with a reason)" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${need[@]}" >/dev/null
