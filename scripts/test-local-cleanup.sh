#!/usr/bin/env bash
# Remove what scripts/test-local.sh leaves: the container, its data volume and, if asked, the image.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test-local-cleanup.sh [options]

Removes the container gatehouse-local and the volume gatehouse-local-data made by
scripts/test-local.sh. Missing ones are skipped.

Options:
  --image       also remove the image gatehouse:local
  -h, --help    show this help
USAGE
}

remove_image=0
while [ $# -gt 0 ]; do
  case "$1" in
    --image) remove_image=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'Unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v docker >/dev/null 2>&1 || { echo 'test-local-cleanup: docker not found on PATH' >&2; exit 1; }

if docker container inspect gatehouse-local >/dev/null 2>&1; then
  docker rm -f gatehouse-local >/dev/null
  echo "Removed container gatehouse-local"
fi
if docker volume inspect gatehouse-local-data >/dev/null 2>&1; then
  docker volume rm gatehouse-local-data >/dev/null
  echo "Removed volume gatehouse-local-data"
fi
if [ "$remove_image" -eq 1 ] && docker image inspect gatehouse:local >/dev/null 2>&1; then
  docker image rm gatehouse:local >/dev/null
  echo "Removed image gatehouse:local"
fi
echo "Clean."
