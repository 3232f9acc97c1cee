"""What the tests share: the fixes installed once, a fresh mock_aws per test, and clients."""

import json
import logging
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

# The translator warns of its unpublished metrics on every transform.
logging.getLogger("samtranslator").setLevel(logging.ERROR)

_session = boto3.session.Session()

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
        self._clients = {}

    def client(self, service):
        # One session for all tests: it caches the service models (mock_aws resets boto3's
        # default session, and loading them again takes most of a test's time).
        if service not in self._clients:
            self._clients[service] = _session.client(service, region_name=REGION)
        return self._clients[service]

    cfn = property(lambda self: self.client("cloudformation"))
    lam = property(lambda self: self.client("lambda"))
    ecr = property(lambda self: self.client("ecr"))
    iam = property(lambda self: self.client("iam"))
    s3 = property(lambda self: self.client("s3"))
    apigw = property(lambda self: self.client("apigateway"))

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
