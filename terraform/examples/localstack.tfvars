# Local emulator (LocalStack on its default port, or moto_server):
#   terraform -chdir=terraform apply -var-file=examples/localstack.tfvars
# `make run` does the same through scripts/provision-local.sh (state in .local/terraform/).

aws_endpoint_url = "http://127.0.0.1:4566"
aws_region       = "us-east-1"

table_name  = "users"
bucket_name = "users-avatars"

# Local data is disposable: let `terraform destroy` remove the table and the bucket.
deletion_protection = false

# Plain HTTP: the TLS-only bucket policy statements would refuse the app's uploads on moto.
deny_insecure_transport = false

# For the minikube walkthrough (IRSA is not used there: pods get the emulator's dummy keys).
k8s_namespace       = "users"
k8s_service_account = "users-api"
