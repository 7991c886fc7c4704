#!/usr/bin/env bash
# Quick start, part 2: runs every test project (unit, native, HTTP and, where present, browser tests).
# Tests that need ../shared skip with the reason outside CI and fail in CI (CI=true), where it is always present.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/common.sh

ensure_apt_packages "${BLAZORRECS_APT_PACKAGES[@]}" chromium
ensure_dotnet

log "building (Release)"
dotnet build BlazorRecs.sln -c Release -nologo -v:quiet -clp:ErrorsOnly

log "running tests"
mkdir -p artifacts
set +e
dotnet test --solution BlazorRecs.sln -c Release --no-build --no-progress --output Detailed 2>&1 | tee artifacts/test.log
status=${PIPESTATUS[0]}
set -e

# One plain closing line, whatever the runner printed: "N passed, N failed, N skipped".
summary() { grep -E "^\s+$1: [0-9]+" artifacts/test.log | tail -1 | grep -oE '[0-9]+' || echo 0; }
echo "tests: $(summary succeeded) passed, $(summary failed) failed, $(summary skipped) skipped"
exit "$status"
