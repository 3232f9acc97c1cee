"""ECR (ecr.py): image sizes, and AWS::ECR::Repository in CloudFormation."""

import json
import unittest

from .base import ClientError, MotoTest

POLICY = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                                "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}]})


def repository(**props):
    return {"Resources": {"R": {"Type": "AWS::ECR::Repository", "Properties": dict({"RepositoryName": "cfn/repo"}, **props)}}}


class ImageSizeTest(MotoTest):
    """Image.get_image_size_in_bytes: the sum of the layers, not the config's size."""

    def test_the_size_is_the_sum_of_the_layers(self):
        self.ecr.create_repository(repositoryName="sizes")
        self.put_image("sizes", "v1", [("a", 1000), ("b", 234)], config_size=7)
        details = self.ecr.describe_images(repositoryName="sizes")["imageDetails"]
        self.assertEqual([d["imageSizeInBytes"] for d in details], [1234])


class RepositoryTest(MotoTest):
    """Repository.create_from_cloudformation_json and update_from_cloudformation_json."""

    def describe(self):
        return self.ecr.describe_repositories(repositoryNames=["cfn/repo"])["repositories"][0]

    def test_configurations_are_described_in_ecr_casing(self):
        self.create_stack("repo", repository(
            ImageScanningConfiguration={"ScanOnPush": True},
            EncryptionConfiguration={"EncryptionType": "KMS", "KmsKey": "arn:aws:kms:us-east-1:123456789012:key/k"}))
        r = self.describe()
        self.assertEqual(r["imageScanningConfiguration"], {"scanOnPush": True})
        self.assertEqual(r["encryptionConfiguration"], {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/k"})

    def test_the_lifecycle_policy_is_applied_and_removed(self):
        self.create_stack("repo", repository(LifecyclePolicy={"LifecyclePolicyText": POLICY}))
        self.assertEqual(json.loads(self.ecr.get_lifecycle_policy(repositoryName="cfn/repo")["lifecyclePolicyText"]), json.loads(POLICY))
        self.update_stack("repo", repository(ImageTagMutability="IMMUTABLE"))
        with self.assertRaises(ClientError) as e:
            self.ecr.get_lifecycle_policy(repositoryName="cfn/repo")
        self.assertEqual(e.exception.response["Error"]["Code"], "LifecyclePolicyNotFoundException")

    def test_a_named_repository_is_not_replaced_for_its_encryption(self):
        self.create_stack("repo", repository())
        digest = self.put_image("cfn/repo", "v1", [("a", 10)])
        with self.assertRaises(ClientError) as e:
            self.update_stack("repo", repository(EncryptionConfiguration={"EncryptionType": "KMS"}))
        self.assertIn("custom-named resource requires replacing", str(e.exception))
        self.assertEqual(self.describe()["encryptionConfiguration"], {"encryptionType": "AES256"})
        images = self.ecr.describe_images(repositoryName="cfn/repo")["imageDetails"]
        self.assertEqual([i["imageDigest"] for i in images], [digest])


if __name__ == "__main__":
    unittest.main()
