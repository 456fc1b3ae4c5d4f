#!/usr/bin/env bash
# Runs Terraform in many synthesized stack directories at once, at most N at a time, each in its own
# process: a stack that fails is reported and the others carry on (xargs keeps going; nothing is shared
# between stacks but the state bucket, and each stack has its own state key and lock file).
#
#   scripts/terraform-all.sh [-P N] plan|apply|destroy <stack-dir>...
#
#   plan     terraform init, then plan -out=tfplan and tfplan.json (terraform show -json) per stack
#   apply    apply the stack's saved tfplan (from `plan`; Terraform refuses a stale one)
#   destroy  terraform destroy -auto-approve
#
# Each stack's output goes to <stack-dir>/terraform-<action>.log; the summary lists "ok" or "FAILED"
# per stack, and the exit status is 1 when any stack failed. Example, every learner's AWS stack:
#
#   scripts/terraform-all.sh -P 4 plan $(ls -d out/stacks/devops-weeks-* | grep -v -e '-bootstrap$' -e '-instructor$' -e '-k8s$')
set -euo pipefail

parallelism=4
if [[ "${1:-}" == "-P" ]]; then parallelism="$2"; shift 2; fi
action="${1:-}"
shift || true
case "$action" in
  plan) step='terraform init -input=false -no-color && terraform plan -input=false -no-color -out=tfplan && terraform show -no-color -json tfplan > tfplan.json' ;;
  apply) step='terraform apply -input=false -no-color tfplan' ;;
  destroy) step='terraform init -input=false -no-color && terraform destroy -input=false -no-color -auto-approve' ;;
  *) echo "usage: $0 [-P N] plan|apply|destroy <stack-dir>..." >&2; exit 2 ;;
esac
if [[ $# -eq 0 ]]; then echo "$0: no stack directories given" >&2; exit 2; fi

export TF_IN_AUTOMATION=1 TF_INPUT=0
printf '%s\0' "$@" | xargs -0 -P "$parallelism" -I{} sh -c '
  dir="$1"; action="$2"; step="$3"
  if (cd "$dir" && eval "$step") > "$dir/terraform-$action.log" 2>&1; then
    echo "ok      $(basename "$dir")"
  else
    echo "FAILED  $(basename "$dir")  (log: $dir/terraform-$action.log)"
    exit 1
  fi
' _ {} "$action" "$step" || { echo "$0: some stacks failed; the others completed (see the summary above)" >&2; exit 1; }
