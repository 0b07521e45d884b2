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
