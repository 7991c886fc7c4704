#!/usr/bin/env bash
# Quick start, part 1: installs what is missing, builds what changed, and serves BlazorRecs.
#   ./run.sh                                   -> http://localhost:5080
#   ./run.sh --urls http://127.0.0.1:5199 --BlazorRecs:DataDirectory=/tmp/x
# Every argument is passed to the app; --urls defaults to http://localhost:5080.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
source scripts/common.sh

ensure_apt_packages "${BLAZORRECS_APT_PACKAGES[@]}"
ensure_dotnet

out=artifacts/web
stamp=$out/.built
if changed_since "$stamp" src build wwwroot-assets seed Directory.Build.props Directory.Build.targets Directory.Packages.props global.json; then
  log "building (Release) into $out"
  dotnet publish src/BlazorRecs.Web/BlazorRecs.Web.csproj -c Release -o "$out" -nologo -v:quiet -clp:ErrorsOnly
  touch "$stamp"
else
  log "build is up to date"
fi

args=("$@")
have() { local a; for a in "${args[@]}"; do case "$a" in "$1"|"$1="*) return 0 ;; esac; done; return 1; }
have --urls || args+=(--urls http://localhost:5080)

# Developing beside ../shared: use its models unless the operator configured a models folder of their own.
if ! have --BlazorRecs:ModelsDirectory && [ -z "${BlazorRecs__ModelsDirectory:-}" ] \
   && [ ! -e data/models/musicnn/msd-musicnn-1.onnx ] && [ -d ../shared/models ]; then
  log "using the models in ../shared/models (set BlazorRecs:ModelsDirectory to use your own)"
  args+=(--BlazorRecs:ModelsDirectory="$(readlink -f ../shared/models)")
fi

log "starting BlazorRecs (data in ./data unless BlazorRecs:DataDirectory says otherwise)"
exec dotnet "$out/BlazorRecs.Web.dll" "${args[@]}"
