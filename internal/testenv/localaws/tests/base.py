"""What the tests share: the fixes installed once, a fresh mock_aws per test, and clients."""

import json
import os
import unittest

# Fake credentials and a region before boto3 reads them: nothing here may reach AWS.
for _k, _v in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ[_k] = _v
for _k in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
    os.environ.pop(_k, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import boto3  # noqa: E402
import botocore.exceptions  # noqa: E402
from moto import mock_aws  # noqa: E402

import localaws  # noqa: E402

localaws.install()

ACCOUNT = "123456789012"
REGION = "us-east-1"
CAPS = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
ClientError = botocore.exceptions.ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def manifest(layers, config_size=1):
    """An image manifest (JSON text) with layers [(hex char, size)]."""
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": config_size, "digest": "sha256:" + "c" * 64},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": size, "digest": "sha256:" + ch * 64}
                   for ch, size in layers],
    })


class MotoTest(unittest.TestCase):
    """A test against a fresh moto (all backends reset) with the fixes installed."""

    maxDiff = None

    def setUp(self):
        self._mock = mock_aws()
        self._mock.start()
        self.addCleanup(self._mock.stop)
        self.cfn = boto3.client("cloudformation", region_name=REGION)
        self.lam = boto3.client("lambda", region_name=REGION)
        self.ecr = boto3.client("ecr", region_name=REGION)
        self.iam = boto3.client("iam", region_name=REGION)
        self.s3 = boto3.client("s3", region_name=REGION)
        self.apigw = boto3.client("apigateway", region_name=REGION)

    def role(self, name="fn-role"):
        """An IAM role Lambda accepts; returns its ARN."""
        return self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]

    def create_stack(self, name, body, **kwargs):
        return self.cfn.create_stack(StackName=name, TemplateBody=body if isinstance(body, str) else json.dumps(body),
                                     Capabilities=CAPS, **kwargs)["StackId"]

    def update_stack(self, name, body, **kwargs):
        return self.cfn.update_stack(StackName=name, TemplateBody=body if isinstance(body, str) else json.dumps(body),
                                     Capabilities=CAPS, **kwargs)

    def stack(self, name):
        return self.cfn.describe_stacks(StackName=name)["Stacks"][0]

    def outputs(self, name):
        return {o["OutputKey"]: o["OutputValue"] for o in self.stack(name).get("Outputs", [])}

    def resources(self, name):
        """logical id -> (type, physical id) of the stack's resources."""
        out = self.cfn.describe_stack_resources(StackName=name)["StackResources"]
        return {r["LogicalResourceId"]: (r["ResourceType"], r.get("PhysicalResourceId")) for r in out}

    def put_image(self, repo, tag, layers, config_size=1):
        """Pushes a manifest with layers to repo:tag; returns its digest."""
        out = self.ecr.put_image(repositoryName=repo, imageTag=tag, imageManifest=manifest(layers, config_size))
        return out["image"]["imageId"]["imageDigest"]
