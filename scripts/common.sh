# Shared by run.sh and test.sh: make sure the system packages and the .NET SDK are there, installing only what is
# missing, so a second run costs a dpkg query and nothing more.
# shellcheck shell=bash

# Debian 12 packages the app needs at build and run time (see ../shared/PLATFORM.md).
BLAZORRECS_APT_PACKAGES=(ffmpeg libfaiss-dev libopenblas-dev cmake g++ make fluidsynth fluid-soundfont-gm)

log() { printf '\033[1;35m[blazorrecs]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[blazorrecs] error:\033[0m %s\n' "$*" >&2; exit 1; }

ensure_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]}, and this is not a Debian/Ubuntu system: install them by hand"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}; run as root (or install sudo) so they can be installed"
    sudo=(sudo)
  fi
  log "installing missing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null && dotnet --list-sdks 2>/dev/null | grep -q '^10\.' && return 0
  die ".NET SDK 10 not found. Debian 12 does not package it: install it from Microsoft's Debian 12 package feed
(https://learn.microsoft.com/dotnet/core/install/linux-debian) or with dotnet-install.sh, then run this again."
}

# 0 when any file under the given paths is newer than the stamp file (or the stamp is missing).
changed_since() {
  local stamp=$1; shift
  [ -f "$stamp" ] || return 0
  [ -n "$(find "$@" -type f -newer "$stamp" -not -path '*/bin/*' -not -path '*/obj/*' -print -quit 2>/dev/null)" ]
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
