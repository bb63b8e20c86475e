#!/usr/bin/env bash
# Build the image and run it the way production does (read-only root, unprivileged, a volume for
# DATA_DIR), then probe it from outside and show its logs. scripts/test-local-cleanup.sh removes
# what this leaves behind.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test-local.sh [options]

Builds gatehouse:local from this checkout, starts it as the container gatehouse-local with a
read-only root filesystem, a tmpfs on /tmp, the volume gatehouse-local-data on /data, all Linux
capabilities dropped and no-new-privileges, then waits for GET /health, probes / and /health,
waits for Docker's HEALTHCHECK to report healthy, and prints the logs. Then it stops the
container with SIGTERM and checks it exits 0 within 10 seconds.

Options:
  --port PORT   host port to publish (default 3000)
  --no-build    run the existing gatehouse:local image
  --keep        leave the container running (stop it with scripts/test-local-cleanup.sh)
  -h, --help    show this help
USAGE
}

die() {
  printf 'test-local: %s\n' "$1" >&2
  exit "${2:-1}"
}

port=3000
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) [ $# -ge 2 ] || { usage >&2; exit 2; }; port="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'Unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$port" in '' | *[!0-9]*) die "--port must be a number (got \"$port\")" 2 ;; esac

command -v docker >/dev/null 2>&1 || die "docker not found on PATH: install Docker"
command -v curl >/dev/null 2>&1 || die "curl not found on PATH"

root="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
image=gatehouse:local
name=gatehouse-local
base="http://127.0.0.1:$port"

if [ "$build" -eq 1 ]; then
  docker build -t "$image" "$root"
fi
if docker container inspect "$name" >/dev/null 2>&1; then
  die "a container named $name exists already: run scripts/test-local-cleanup.sh first"
fi

docker run -d --name "$name" \
  --read-only --tmpfs /tmp:rw,noexec,nosuid,size=64m \
  -v gatehouse-local-data:/data \
  --cap-drop ALL --security-opt no-new-privileges \
  -e APP_ORIGIN="http://localhost:$port" \
  -p "127.0.0.1:$port:3000" \
  "$image" >/dev/null
echo "Started $name from $image on $base"

up=0
for _ in $(seq 1 60); do
  if curl -fsS "$base/health" >/dev/null 2>&1; then up=1; break; fi
  sleep 0.5
done
if [ "$up" -ne 1 ]; then
  docker logs "$name" >&2 || true
  die "no answer on $base/health after 30 s (logs above)"
fi

echo "GET /health -> $(curl -sS -o /dev/null -w '%{http_code}' "$base/health")"
curl -sS "$base/health"
echo
home_status="$(curl -sS -o /dev/null -w '%{http_code}' "$base/")"
echo "GET / -> $home_status"
[ "$home_status" = 200 ] || die "GET / answered $home_status"

health=""
for _ in $(seq 1 40); do
  health="$(docker inspect --format '{{.State.Health.Status}}' "$name")"
  [ "$health" = healthy ] && break
  sleep 1
done
echo "Docker HEALTHCHECK: $health"
[ "$health" = healthy ] || die "the image's HEALTHCHECK did not report healthy"

echo "--- logs ---"
docker logs "$name" 2>&1 | tail -n 40
echo "------------"

if [ "$keep" -eq 1 ]; then
  echo "Left running on $base (--keep). Remove with scripts/test-local-cleanup.sh"
  exit 0
fi

started=$(date +%s)
docker stop --time 15 "$name" >/dev/null
took=$(($(date +%s) - started))
code="$(docker inspect --format '{{.State.ExitCode}}' "$name")"
echo "Stopped with SIGTERM in ${took}s, exit code $code"
[ "$code" = 0 ] || die "the server did not exit cleanly on SIGTERM (exit code $code)"
[ "$took" -le 10 ] || die "the server took ${took}s to stop (App Runner allows less)"
echo "OK. Remove the container and its volume with scripts/test-local-cleanup.sh"
