#!/usr/bin/env bash
# Release: build the image, push it to the environment's ECR repository under its git SHA, move
# the environment tag to it and start an App Runner deployment. With --tag, deploy an image that
# is already in ECR instead (a rollback): nothing is built.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/build-and-push.sh --env dev|prod [options]

Builds the Gatehouse image from the current commit, pushes <repository>:<git sha>, points
<repository>:<env> at it and starts an App Runner deployment of that environment.

Options:
  --env ENV       environment to release to: dev or prod (required)
  --tag TAG       deploy the existing image TAG (a git SHA pushed earlier) instead of building:
                  this is how to roll back
  --no-deploy     push and move the tag, but do not start a deployment
  --wait          wait until the deployment has finished and report its status
  --allow-dirty   build even with uncommitted changes (the SHA tag then lies: avoid)
  -h, --help      show this help

The repository URL and service ARN come from `terraform output` in infra/terraform/envs/ENV
(run `terraform init` there first), or from ECR_REPOSITORY_URL and APP_RUNNER_SERVICE_ARN.
Needs: aws (v2), git, terraform unless both variables are set, docker unless --tag is given.
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
[ -n "$tag" ] || need docker "install Docker, or pass --tag to deploy an image already in ECR"

root="$(cd "${BASH_SOURCE[0]%/*}/.." && pwd)"
tf_dir="$root/infra/terraform/envs/$env_name"
tf_output() {
  need terraform "install Terraform, or set ECR_REPOSITORY_URL and APP_RUNNER_SERVICE_ARN"
  terraform -chdir="$tf_dir" output -raw "$1"
}
repo_url="${ECR_REPOSITORY_URL:-$(tf_output ecr_repository_url)}"

# <account>.dkr.ecr.<region>.amazonaws.com/<name>
registry="${repo_url%%/*}"
repo_name="${repo_url#*/}"
region="$(printf '%s' "$registry" | cut -d. -f4)"
if [ -z "$region" ] || [ "$registry" = "$repo_url" ]; then
  die "not an ECR repository URL: $repo_url"
fi

image_exists() {
  aws ecr describe-images --region "$region" --repository-name "$repo_name" \
    --image-ids "imageTag=$1" >/dev/null 2>&1
}

if [ -z "$tag" ]; then
  if [ "$allow_dirty" -eq 0 ] && [ -n "$(git -C "$root" status --porcelain)" ]; then
    die "uncommitted changes: commit them (the image is tagged with the commit) or pass --allow-dirty"
  fi
  tag="$(git -C "$root" rev-parse --short=12 HEAD)"
  if image_exists "$tag"; then
    echo "Image $repo_url:$tag is already in ECR: not rebuilding."
  else
    echo "Signing in to $registry"
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
    echo "Building $repo_url:$tag"
    # App Runner runs linux/amd64; a single-platform image without attestations is what it pulls.
    docker build --platform linux/amd64 --provenance=false \
      --label "org.opencontainers.image.revision=$(git -C "$root" rev-parse HEAD)" \
      -t "$repo_url:$tag" "$root"
    docker push "$repo_url:$tag"
  fi
else
  image_exists "$tag" || die "no image $repo_url:$tag in ECR (list them: aws ecr describe-images --repository-name $repo_name)"
fi

# Point the environment tag at the image: App Runner deploys <repository>:<env>.
manifest="$(aws ecr batch-get-image --region "$region" --repository-name "$repo_name" \
  --image-ids "imageTag=$tag" --query 'images[0].imageManifest' --output text)"
media_type="$(aws ecr batch-get-image --region "$region" --repository-name "$repo_name" \
  --image-ids "imageTag=$tag" --query 'images[0].imageManifestMediaType' --output text)"
current="$(aws ecr describe-images --region "$region" --repository-name "$repo_name" \
  --image-ids "imageTag=$env_name" --query 'imageDetails[0].imageDigest' --output text 2>/dev/null || true)"
wanted="$(aws ecr describe-images --region "$region" --repository-name "$repo_name" \
  --image-ids "imageTag=$tag" --query 'imageDetails[0].imageDigest' --output text)"
if [ "$current" = "$wanted" ]; then
  echo "$repo_url:$env_name already points at $tag ($wanted)."
else
  aws ecr put-image --region "$region" --repository-name "$repo_name" --image-tag "$env_name" \
    --image-manifest "$manifest" --image-manifest-media-type "$media_type" >/dev/null
  echo "$repo_url:$env_name now points at $tag ($wanted; was ${current:-none})."
fi

if [ "$deploy" -eq 0 ]; then
  echo "Not deploying (--no-deploy)."
  exit 0
fi
# Resolved only now: before the first full terraform apply the service does not exist yet, and
# --no-deploy is how its first image gets into ECR.
service_arn="${APP_RUNNER_SERVICE_ARN:-$(tf_output service_arn)}"
operation="$(aws apprunner start-deployment --region "$region" --service-arn "$service_arn" \
  --query OperationId --output text)"
echo "Deployment of $tag to $env_name started (operation $operation)."

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
