# Plan-mode checks of the root module: wiring and the ready-made outputs.

mock_provider "aws" {
  source          = "./tests/mocks"
  override_during = plan
}

run "defaults_plug_into_helm_and_sam" {
  command = plan

  assert {
    condition     = output.table_name == "users" && output.bucket_name == "users-avatars" && output.aws_region == "us-east-1"
    error_message = "Defaults must be table users, bucket users-avatars, region us-east-1."
  }

  assert {
    condition     = output.helm_set_flags == "--set config.usersTableName=users --set config.avatarsBucketName=users-avatars --set config.awsRegion=us-east-1"
    error_message = "Without IRSA the Helm flags must carry the config values only, got: ${output.helm_set_flags}"
  }

  assert {
    condition     = output.sam_parameter_overrides == "UsersTableName=users AvatarsBucketName=users-avatars LambdaRoleArn=arn:aws:iam::123456789012:role/users-api-lambda SweepRoleArn=arn:aws:iam::123456789012:role/users-api-lambda-sweep"
    error_message = "Unexpected sam_parameter_overrides: ${output.sam_parameter_overrides}"
  }

  assert {
    condition     = output.app_env == { USERS_TABLE_NAME = "users", AVATARS_BUCKET_NAME = "users-avatars", AWS_REGION = "us-east-1" }
    error_message = "app_env must hold the app's settings."
  }

  assert {
    condition     = output.irsa_role_arn == null && output.pod_identity_role_arn == "arn:aws:iam::123456789012:role/users-api-pod-identity" && output.pod_identity_association_id == null
    error_message = "By default: no IRSA role, a Pod Identity role, no association."
  }

  assert {
    condition     = output.app_policy_arn == "arn:aws:iam::123456789012:policy/users-api-app" && output.eks_cluster_name == null
    error_message = "The app policy must be output; no cluster by default."
  }
}

run "irsa_role_feeds_the_service_account_annotation" {
  command = plan

  variables {
    table_name      = "users-prod"
    bucket_name     = "acme-users-avatars-prod"
    aws_region      = "eu-west-1"
    oidc_issuer_url = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
  }

  assert {
    condition     = output.helm_set_flags == "--set serviceAccount.roleArn=arn:aws:iam::123456789012:role/users-api-irsa --set config.usersTableName=users-prod --set config.avatarsBucketName=acme-users-avatars-prod --set config.awsRegion=eu-west-1"
    error_message = "Unexpected helm_set_flags: ${output.helm_set_flags}"
  }

  assert {
    condition     = output.helm_values["serviceAccount.roleArn"] == output.irsa_role_arn
    error_message = "helm_values must carry the IRSA role ARN."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CREATED"
    error_message = "The OIDC provider must be created from the issuer when no ARN is given."
  }

  assert {
    condition     = output.sam_parameters.UsersTableName == "users-prod" && output.sam_parameters.AvatarsBucketName == "acme-users-avatars-prod"
    error_message = "sam_parameters must follow the names."
  }
}

run "existing_cluster_gets_a_pod_identity_association" {
  command = plan

  variables {
    eks_cluster_name  = "prod"
    oidc_issuer_url   = "https://oidc.eks.us-east-1.amazonaws.com/id/EXISTING"
    oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXISTING"
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXISTING"
    error_message = "An existing OIDC provider ARN must be used as given."
  }

  assert {
    condition     = output.eks_cluster_name == null
    error_message = "eks_cluster_name alone must not create a cluster."
  }
}

run "no_lambda_role_no_sam_role_parameter" {
  command = plan

  variables {
    create_lambda_role = false
  }

  assert {
    condition     = output.sam_parameter_overrides == "UsersTableName=users AvatarsBucketName=users-avatars" && output.lambda_role_arn == null && output.lambda_sweep_role_arn == null
    error_message = "Without the Lambda roles, LambdaRoleArn and SweepRoleArn must be left out."
  }
}

run "cloudfront_url_reaches_app_and_chart" {
  command = plan

  variables {
    enable_cloudfront = true
  }

  assert {
    condition     = output.app_env.AVATARS_PUBLIC_BASE_URL == "https://d111111abcdef8.cloudfront.net"
    error_message = "app_env must carry AVATARS_PUBLIC_BASE_URL with CloudFront."
  }

  assert {
    condition     = endswith(output.helm_set_flags, " --set config.avatarsPublicBaseUrl=https://d111111abcdef8.cloudfront.net")
    error_message = "helm_set_flags must carry the public base URL with CloudFront."
  }
}

run "optional_eks_cluster_wires_irsa_and_pod_identity" {
  command = plan

  variables {
    create_eks_cluster      = true
    eks_cluster_name        = "users-demo"
    eks_admin_principal_arn = "arn:aws:iam::123456789012:role/admin"
  }

  assert {
    condition     = output.eks_cluster_name == "users-demo"
    error_message = "The cluster must take eks_cluster_name."
  }

  assert {
    condition     = output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/CLUSTER"
    error_message = "IRSA must trust the new cluster's OIDC provider."
  }

  assert {
    condition     = startswith(output.helm_set_flags, "--set serviceAccount.roleArn=arn:aws:iam::123456789012:role/users-api-irsa ")
    error_message = "With the cluster, the Helm flags must carry the IRSA role."
  }
}

run "optional_eks_cluster_module" {
  command = plan

  module {
    source = "./modules/eks"
  }

  variables {
    cluster_name        = "users-demo"
    kubernetes_version  = "1.32"
    vpc_cidr            = "10.42.0.0/16"
    node_instance_types = ["t3.medium"]
    node_count          = { desired = 2, min = 1, max = 3 }
    admin_principal_arn = "arn:aws:iam::123456789012:role/admin"
  }

  assert {
    condition     = length(aws_subnet.public) == 2 && aws_subnet.public[0].availability_zone != aws_subnet.public[1].availability_zone
    error_message = "The cluster needs two subnets in two zones."
  }

  assert {
    condition     = one(aws_eks_cluster.this.access_config).authentication_mode == "API" && one(aws_eks_cluster.this.access_config).bootstrap_cluster_creator_admin_permissions == false
    error_message = "Access entries only; with an admin principal the creator gets no implicit admin."
  }

  assert {
    condition     = aws_eks_access_policy_association.admin[0].policy_arn == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy" && aws_eks_access_entry.admin[0].principal_arn == "arn:aws:iam::123456789012:role/admin"
    error_message = "The admin principal must get cluster-admin through an access entry."
  }

  assert {
    condition     = aws_iam_openid_connect_provider.this.url == "https://oidc.eks.us-east-1.amazonaws.com/id/CLUSTER" && toset(aws_iam_openid_connect_provider.this.client_id_list) == toset(["sts.amazonaws.com"])
    error_message = "The cluster's OIDC provider must be created for audience sts.amazonaws.com."
  }

  assert {
    condition     = aws_eks_addon.pod_identity_agent.addon_name == "eks-pod-identity-agent"
    error_message = "The Pod Identity agent add-on must be installed."
  }

  assert {
    condition     = one(aws_eks_node_group.default.scaling_config).min_size == 1 && one(aws_eks_node_group.default.scaling_config).max_size == 3
    error_message = "The node group must follow node_count."
  }
}
