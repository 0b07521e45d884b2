# shellcheck shell=bash
# Sourced by scripts/test-terraform.sh and scripts/provision-local.sh (bash).
#
# tf_cli_env DIR: prepares the Terraform CLI environment in DIR (a scratch folder):
#  - when a provider mirror exists (TF_PLUGIN_MIRROR, default /opt/tf-plugins, as on
#    the project's offline machines and CI), writes DIR/terraformrc with a
#    filesystem_mirror for it and points TF_CLI_CONFIG_FILE there, so ~/.terraformrc
#    is never needed and no registry is contacted;
#  - otherwise leaves the CLI configuration alone (the public registry is used).
#  - non-interactive: TF_IN_AUTOMATION=1, TF_INPUT=0.
tf_cli_env() {
  local dir=$1 mirror=${TF_PLUGIN_MIRROR:-/opt/tf-plugins}
  mkdir -p "$dir"
  if [ -d "$mirror" ]; then
    cat >"$dir/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
    export TF_CLI_CONFIG_FILE="$dir/terraformrc"
  fi
  export TF_IN_AUTOMATION=1 TF_INPUT=0
}

# free_port: prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL SECONDS: polls until URL answers (any HTTP status) or the deadline passes.
wait_http() {
  local url=$1 deadline=$((SECONDS + $2))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    if [ $SECONDS -ge "$deadline" ]; then
      echo "timed out after $2 s waiting for $url" >&2
      return 1
    fi
    sleep 0.2
  done
}
