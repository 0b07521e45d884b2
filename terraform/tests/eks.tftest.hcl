# Plan-mode checks of the optional EKS cluster's hardening (modules/eks) and its wiring from the root: a private API
# endpoint unless CIDRs are listed, nodes in private subnets without public addresses, Kubernetes secrets under a
# KMS key of this account, nodes whose metadata service answers session tokens only and never to a pod.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

# Identifiers are unknown until apply: give the ones the assertions compare known, distinct values.
override_resource {
  target          = aws_subnet.private[0]
  override_during = plan
  values          = { id = "subnet-private-0" }
}

override_resource {
  target          = aws_subnet.private[1]
  override_during = plan
  values          = { id = "subnet-private-1" }
}

override_resource {
  target          = aws_subnet.public[0]
  override_during = plan
  values          = { id = "subnet-public-0" }
}

override_resource {
  target          = aws_subnet.public[1]
  override_during = plan
  values          = { id = "subnet-public-1" }
}

override_resource {
  target          = aws_nat_gateway.this
  override_during = plan
  values          = { id = "nat-0123456789abcdef0" }
}

override_resource {
  target          = aws_internet_gateway.this
  override_during = plan
  values          = { id = "igw-0123456789abcdef0" }
}

override_resource {
  target          = aws_route_table.private
  override_during = plan
  values          = { id = "rtb-private" }
}

override_resource {
  target          = aws_launch_template.node
  override_during = plan
  values          = { id = "lt-0123456789abcdef0", latest_version = 1 }
}

variables {
  cluster_name        = "users-demo"
  kubernetes_version  = "1.32"
  vpc_cidr            = "10.42.0.0/16"
  node_instance_types = ["t3.medium"]
  node_count          = { desired = 2, min = 1, max = 3 }
}

run "api_endpoint_is_private_by_default" {
  command = plan

  module {
    source = "./modules/eks"
  }

  assert {
    condition     = one(aws_eks_cluster.this.vpc_config).endpoint_public_access == false && one(aws_eks_cluster.this.vpc_config).endpoint_private_access == true
    error_message = "Without endpoint_public_access_cidrs the API endpoint must be private only."
  }

  assert {
    condition     = output.cluster_endpoint_public == false
    error_message = "The module must report a private endpoint."
  }
}

run "api_endpoint_is_public_only_to_the_listed_cidrs" {
  command = plan

  module {
    source = "./modules/eks"
  }

  variables {
    endpoint_public_access_cidrs = ["203.0.113.0/24", "198.51.100.7/32"]
  }

  assert {
    condition     = one(aws_eks_cluster.this.vpc_config).endpoint_public_access == true && one(aws_eks_cluster.this.vpc_config).endpoint_private_access == true
    error_message = "With CIDRs the endpoint must be public (and stay reachable privately for the nodes)."
  }

  assert {
    condition     = toset(one(aws_eks_cluster.this.vpc_config).public_access_cidrs) == toset(["203.0.113.0/24", "198.51.100.7/32"])
    error_message = "The public endpoint must answer the listed CIDRs only."
  }
}

run "public_endpoint_refuses_every_address" {
  command = plan

  module {
    source = "./modules/eks"
  }

  variables {
    endpoint_public_access_cidrs = ["0.0.0.0/0"]
  }

  expect_failures = [var.endpoint_public_access_cidrs]
}

run "public_endpoint_refuses_a_host_address_with_a_prefix" {
  command = plan

  module {
    source = "./modules/eks"
  }

  variables {
    endpoint_public_access_cidrs = ["203.0.113.7/24"]
  }

  expect_failures = [var.endpoint_public_access_cidrs]
}

run "public_endpoint_refuses_what_is_not_an_ipv4_cidr" {
  command = plan

  module {
    source = "./modules/eks"
  }

  variables {
    endpoint_public_access_cidrs = ["2001:db8::/32", "office"]
  }

  expect_failures = [var.endpoint_public_access_cidrs]
}

run "nodes_and_control_plane_sit_in_private_subnets_without_public_addresses" {
  command = plan

  module {
    source = "./modules/eks"
  }

  assert {
    condition     = toset(aws_eks_node_group.default.subnet_ids) == toset(["subnet-private-0", "subnet-private-1"]) && toset(one(aws_eks_cluster.this.vpc_config).subnet_ids) == toset(["subnet-private-0", "subnet-private-1"])
    error_message = "The node group and the control plane's network interfaces must use the private subnets only."
  }

  assert {
    condition     = length(aws_subnet.private) == 2 && aws_subnet.private[0].availability_zone != aws_subnet.private[1].availability_zone
    error_message = "Two private subnets in two zones."
  }

  assert {
    condition     = alltrue([for s in concat(aws_subnet.private, aws_subnet.public) : s.map_public_ip_on_launch == false])
    error_message = "No subnet may give instances a public IP address."
  }

  assert {
    condition     = [for s in aws_subnet.private : s.cidr_block] == ["10.42.0.0/18", "10.42.64.0/18"] && [for s in aws_subnet.public : s.cidr_block] == ["10.42.128.0/19", "10.42.160.0/19"]
    error_message = "Private subnets take the first half of the VPC, public ones an eighth each of the second."
  }

  assert {
    condition     = one(aws_route_table.private.route).cidr_block == "0.0.0.0/0" && one(aws_route_table.private.route).nat_gateway_id == "nat-0123456789abcdef0" && (one(aws_route_table.private.route).gateway_id == null ? "" : one(aws_route_table.private.route).gateway_id) == ""
    error_message = "The private subnets' only route out is the NAT gateway (no internet gateway)."
  }

  assert {
    condition     = toset([for a in aws_route_table_association.private : a.subnet_id]) == toset(["subnet-private-0", "subnet-private-1"]) && toset([for a in aws_route_table_association.private : a.route_table_id]) == toset(["rtb-private"])
    error_message = "Both private subnets route through the private route table."
  }

  assert {
    condition     = aws_nat_gateway.this.subnet_id == "subnet-public-0" && one(aws_route_table.public.route).gateway_id == "igw-0123456789abcdef0"
    error_message = "The NAT gateway sits in a public subnet, which routes to the internet gateway."
  }

  assert {
    condition     = aws_subnet.private[0].tags["kubernetes.io/role/internal-elb"] == "1" && aws_subnet.public[0].tags["kubernetes.io/role/elb"] == "1"
    error_message = "Internet-facing load balancers go to the public subnets, internal ones to the private subnets."
  }
}

run "kubernetes_secrets_are_envelope_encrypted_with_a_rotated_kms_key" {
  command = plan

  module {
    source = "./modules/eks"
  }

  assert {
    condition     = one(aws_eks_cluster.this.encryption_config).resources == toset(["secrets"])
    error_message = "The cluster must envelope-encrypt Kubernetes secrets."
  }

  assert {
    condition     = one(one(aws_eks_cluster.this.encryption_config).provider).key_arn == aws_kms_key.secrets.arn
    error_message = "Secrets must be encrypted with the module's KMS key."
  }

  assert {
    condition     = aws_kms_key.secrets.enable_key_rotation == true && aws_kms_alias.secrets.name == "alias/users-demo-eks-secrets"
    error_message = "The key must rotate and carry an alias naming the cluster."
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.cluster_encryption.policy).Statement == [{
      Effect   = "Allow"
      Action   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
      Resource = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    }]
    error_message = "The cluster role may use this key, and nothing else, for the encryption."
  }
}

run "nodes_require_imdsv2_with_a_hop_limit_of_one" {
  command = plan

  module {
    source = "./modules/eks"
  }

  assert {
    condition     = one(aws_eks_node_group.default.launch_template).id == "lt-0123456789abcdef0" && one(aws_eks_node_group.default.launch_template).version == "1"
    error_message = "The node group must launch its instances from the module's launch template."
  }

  assert {
    condition     = one(aws_launch_template.node.metadata_options).http_tokens == "required" && one(aws_launch_template.node.metadata_options).http_endpoint == "enabled"
    error_message = "The metadata service must require IMDSv2 session tokens."
  }

  assert {
    condition     = one(aws_launch_template.node.metadata_options).http_put_response_hop_limit == 1
    error_message = "The metadata token must not cross into a pod's network namespace (hop limit 1)."
  }

  assert {
    condition     = one(one(aws_launch_template.node.block_device_mappings).ebs).encrypted == "true"
    error_message = "The nodes' root volume must be encrypted."
  }
}

run "root_wires_the_endpoint_cidrs_and_the_vpc_cidr" {
  command = plan

  variables {
    create_eks_cluster               = true
    eks_vpc_cidr                     = "10.60.0.0/16"
    eks_endpoint_public_access_cidrs = ["203.0.113.0/24"]
  }

  assert {
    condition     = module.eks[0].cluster_endpoint_public == true && toset(module.eks[0].cluster_endpoint_public_access_cidrs) == toset(["203.0.113.0/24"])
    error_message = "eks_endpoint_public_access_cidrs must reach the cluster's endpoint."
  }

  assert {
    condition     = output.helm_values["admission.trustedProxies"] == "10.60.0.0/16" && endswith(output.helm_set_flags, " --set admission.trustedProxies=10.60.0.0/16")
    error_message = "The Helm flags must trust X-Forwarded-For from the cluster's VPC only, got: ${output.helm_set_flags}"
  }
}

run "root_refuses_an_endpoint_open_to_every_address" {
  command = plan

  variables {
    create_eks_cluster               = true
    eks_endpoint_public_access_cidrs = ["10.0.0.0/8", "0.0.0.0/0"]
  }

  expect_failures = [var.eks_endpoint_public_access_cidrs]
}
