#!/usr/bin/env bash
# Release. dev: build the image from the current commit, push it to dev's ECR repository under its
# git SHA and deploy it. prod: build nothing; copy the image dev runs (or --tag) into prod's
# repository by digest, the very bytes dev tested, and deploy it. Tags are immutable: a SHA names
# one image for good, and deploying means pointing the App Runner service at <repository>:<sha>.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/build-and-push.sh --env dev|prod [options]

dev:  builds the Gatehouse image from the current commit (unless <repository>:<git sha> is in ECR
      already), pushes it as <repository>:<git sha> and deploys it: the App Runner service is
      pointed at that image, which starts a deployment.
prod: builds nothing. Promotes the image dev runs (or --tag TAG from dev's repository) into prod's
      repository under the same tag, digest unchanged, and deploys it. A TAG already in prod's
      repository is deployed as it is (a rollback).

Options:
  --env ENV       environment to release to: dev or prod (required)
  --tag TAG       deploy the image TAG (a git SHA pushed earlier) instead of building (dev) or of
                  promoting what dev runs (prod): this is how to roll back, or promote a chosen image
  --no-deploy     push or promote, but do not deploy (the first image, before the service exists)
  --wait          wait until the deployment has finished and report its status
  --allow-dirty   build even with uncommitted changes (the SHA tag then lies: avoid)
  -h, --help      show this help

Repository URLs and service ARNs come from `terraform output` in infra/terraform/envs/ENV (run
`terraform init` there first), or from ECR_REPOSITORY_URL and APP_RUNNER_SERVICE_ARN (prod reads
dev's from DEV_ECR_REPOSITORY_URL and DEV_APP_RUNNER_SERVICE_ARN, or envs/dev).
Needs: aws (v2), git, terraform unless the variables are set, docker (with buildx for prod) unless
--tag names an image already in the environment's repository.
USAGE
}

die() {
  printf 'build-and-push: %s\n' "$1" >&2
  exit "${2:-1}"
}

env_name=""
tag=""
deploy=1
wait_for_it=0
allow_dirty=0
while [ $# -gt 0 ]; do
  case "$1" in
    --env) [ $# -ge 2 ] || { usage >&2; exit 2; }; env_name="$2"; shift 2 ;;
    --tag) [ $# -ge 2 ] || { usage >&2; exit 2; }; tag="$2"; shift 2 ;;
    --no-deploy) deploy=0; shift ;;
    --wait) wait_for_it=1; shift ;;
    --allow-dirty) allow_dirty=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'Unknown argument: %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done
if [ -z "$env_name" ]; then
  printf 'Missing --env.\n\n' >&2
  usage >&2
  exit 2
fi
case "$env_name" in dev | prod) ;; *) die "--env must be dev or prod (got \"$env_name\")" 2 ;; esac

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH: $2"; }
need aws "install the AWS CLI v2 and sign in (aws sts get-caller-identity)"
need git "install git"

root="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
tf_output() {
  need terraform "install Terraform, or set the repository and service variables (see --help)"
  terraform -chdir="$root/infra/terraform/envs/$1" output -raw "$2"
}

# <account>.dkr.ecr.<region>.amazonaws.com/<name>
region_of() {
  local registry="${1%%/*}"
  [ "$registry" != "$1" ] || die "not an ECR repository URL: $1"
  printf '%s' "$registry" | cut -d. -f4
}
digest_of() { # repository URL, tag: the digest, or nothing when the tag is not there
  local digest
  digest="$(aws ecr describe-images --region "$(region_of "$1")" --repository-name "${1#*/}" \
    --image-ids "imageTag=$2" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)"
  [ "$digest" = None ] || printf '%s' "$digest"
}
login() { # registry host
  aws ecr get-login-password --region "$(region_of "$1/x")" | docker login --username AWS --password-stdin "$1"
}

repo_url="${ECR_REPOSITORY_URL:-$(tf_output "$env_name" ecr_repository_url)}"
region="$(region_of "$repo_url")"
[ -n "$region" ] || die "not an ECR repository URL: $repo_url"

if [ "$env_name" = dev ] && [ -z "$tag" ]; then
  if [ "$allow_dirty" -eq 0 ] && [ -n "$(git -C "$root" status --porcelain)" ]; then
    die "uncommitted changes: commit them (the image is tagged with the commit) or pass --allow-dirty"
  fi
  tag="$(git -C "$root" rev-parse --short=12 HEAD)"
  if [ -n "$(digest_of "$repo_url" "$tag")" ]; then
    echo "Image $repo_url:$tag is already in ECR: not rebuilding."
  else
    need docker "install Docker, or pass --tag to deploy an image already in ECR"
    echo "Signing in to ${repo_url%%/*}"
    login "${repo_url%%/*}"
    echo "Building $repo_url:$tag"
    # App Runner runs linux/amd64; a single-platform image without attestations is what it pulls.
    docker build --platform linux/amd64 --provenance=false \
      --label "org.opencontainers.image.revision=$(git -C "$root" rev-parse HEAD)" \
      -t "$repo_url:$tag" "$root"
    docker push "$repo_url:$tag"
  fi
elif [ -n "$tag" ] && [ -n "$(digest_of "$repo_url" "$tag")" ]; then
  echo "Image $repo_url:$tag is in ECR."
elif [ "$env_name" = prod ]; then
  # Promotion: the image comes from dev's repository, never from a build.
  dev_repo="${DEV_ECR_REPOSITORY_URL:-$(tf_output dev ecr_repository_url)}"
  if [ -z "$tag" ]; then
    dev_service="${DEV_APP_RUNNER_SERVICE_ARN:-$(tf_output dev service_arn)}"
    running="$(aws apprunner describe-service --region "$(region_of "$dev_repo")" --service-arn "$dev_service" \
      --query 'Service.SourceConfiguration.ImageRepository.ImageIdentifier' --output text)"
    tag="${running##*:}"
    echo "dev runs $running"
  fi
  wanted="$(digest_of "$dev_repo" "$tag")"
  [ -n "$wanted" ] || die "no image $dev_repo:$tag to promote (list them: aws ecr describe-images --repository-name ${dev_repo#*/})"
  need docker "install Docker with buildx: promotion copies the image between repositories"
  login "${dev_repo%%/*}"
  [ "${dev_repo%%/*}" = "${repo_url%%/*}" ] || login "${repo_url%%/*}"
  # Copies the manifest and its layers as they are: the digest prod gets is the digest dev tested.
  docker buildx imagetools create --tag "$repo_url:$tag" "$dev_repo@$wanted"
  got="$(digest_of "$repo_url" "$tag")"
  [ "$got" = "$wanted" ] || die "promoted $tag, but prod's repository has digest $got, not $wanted"
  echo "Promoted $dev_repo:$tag to $repo_url:$tag ($wanted)."
else
  die "no image $repo_url:$tag in ECR (list them: aws ecr describe-images --repository-name ${repo_url#*/})"
fi

if [ "$deploy" -eq 0 ]; then
  echo "Not deploying (--no-deploy). Tag: $tag"
  exit 0
fi
# Resolved only now: before the first full terraform apply the service does not exist yet, and
# --no-deploy is how its first image gets into ECR.
service_arn="${APP_RUNNER_SERVICE_ARN:-$(tf_output "$env_name" service_arn)}"
source_config="$(mktemp)"
trap 'rm -f "$source_config"' EXIT
# The service's own source configuration with only the image changed, so its environment,
# port and access role stay as Terraform set them (Terraform ignores the image from then on).
aws apprunner describe-service --region "$region" --service-arn "$service_arn" \
  --query 'Service.SourceConfiguration' --output json |
  sed -E "s#(\"ImageIdentifier\": *\")[^\"]*\"#\\1$repo_url:$tag\"#" >"$source_config"
grep -q "\"ImageIdentifier\": *\"$repo_url:$tag\"" "$source_config" ||
  die "could not read the service's source configuration (aws apprunner describe-service)"
operation="$(aws apprunner update-service --region "$region" --service-arn "$service_arn" \
  --source-configuration "file://$source_config" --query OperationId --output text)"
echo "Deployment of $repo_url:$tag to $env_name started (operation $operation)."

if [ "$wait_for_it" -eq 1 ]; then
  for _ in $(seq 1 120); do
    status="$(aws apprunner list-operations --region "$region" --service-arn "$service_arn" \
      --query "OperationSummaryList[?Id=='$operation'].Status | [0]" --output text)"
    case "$status" in
      SUCCEEDED) echo "Deployment succeeded."; exit 0 ;;
      FAILED | ROLLBACK_SUCCEEDED | ROLLBACK_FAILED) die "deployment ended with $status: see the service's event log in the App Runner console" ;;
    esac
    sleep 10
  done
  die "deployment still running after 20 minutes (operation $operation)"
fi
