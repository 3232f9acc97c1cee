"""ECR: image sizes, and repositories in CloudFormation.

- ECR image sizes: moto's DescribeImages reports the size of an image's config blob as its
  imageSizeInBytes; AWS reports the sum of its (compressed) layers.
- AWS::ECR::Repository: moto keeps ImageScanningConfiguration and EncryptionConfiguration in
  CloudFormation's casing (ECR then describes them wrongly), ignores LifecyclePolicy, and on an
  update that changes the encryption silently deletes the repository, images and all, and
  makes a new one. AWS describes them in ECR's casing, applies the lifecycle policy, and
  refuses to replace a repository that has a RepositoryName.
"""

import json

from moto.cloudformation.exceptions import ValidationError
from moto.ecr import models as ecr_models

from .patching import patch, require

require(ecr_models, "ecr_backends")
require(ecr_models.ECRBackend, "put_lifecycle_policy")


# --- image sizes --------------------------------------------------------------------------

def _image_size(self):
    manifest = json.loads(self.image_manifest)
    layers = manifest.get("layers")
    if layers is None:
        return None
    return sum(int(layer.get("size", 0)) for layer in layers)


patch(ecr_models.Image, "get_image_size_in_bytes", _image_size)


# --- repositories in CloudFormation -------------------------------------------------------

def _ecr_casing(properties):
    """The repository's properties with the configurations in ECR's casing."""
    props = dict(properties)
    scan = props.get("ImageScanningConfiguration")
    if scan is not None:
        props["ImageScanningConfiguration"] = {"scanOnPush": bool(scan.get("ScanOnPush", False))}
    enc = props.get("EncryptionConfiguration")
    if enc is not None:
        props["EncryptionConfiguration"] = {"encryptionType": enc.get("EncryptionType", "AES256")}
        if enc.get("KmsKey"):
            props["EncryptionConfiguration"]["kmsKey"] = enc["KmsKey"]
    return props


def _set_lifecycle(repo, account_id, region_name, properties):
    backend = ecr_models.ecr_backends[account_id][region_name]
    text = (properties.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if text:
        backend.put_lifecycle_policy(repo.registry_id, repo.name, text)
    else:
        repo.lifecycle_policy = None


def _ecr_create_as_aws(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = _ecr_casing(cloudformation_json.get("Properties", {}))
    repo = _ecr_create(cls, resource_name, dict(cloudformation_json, Properties=props), account_id, region_name, **kwargs)
    _set_lifecycle(repo, account_id, region_name, props)
    return repo


def _ecr_update_as_aws(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    props = _ecr_casing(cloudformation_json.get("Properties", {}))
    enc = props.get("EncryptionConfiguration", {"encryptionType": "AES256"})
    if enc.get("encryptionType") == "AES256":
        enc = {"encryptionType": "AES256"}
    if enc != original_resource.encryption_configuration and props.get("RepositoryName"):
        raise ValidationError(
            message="CloudFormation cannot update a stack when a custom-named resource requires replacing. "
            f"Rename {props['RepositoryName']} and update the stack again."
        )
    props["EncryptionConfiguration"] = original_resource.encryption_configuration
    repo = _ecr_update(cls, original_resource, new_resource_name, dict(cloudformation_json, Properties=props), account_id, region_name)
    _set_lifecycle(repo, account_id, region_name, props)
    return repo


_ecr_create = patch(ecr_models.Repository, "create_from_cloudformation_json", classmethod(_ecr_create_as_aws)).__func__
_ecr_update = patch(ecr_models.Repository, "update_from_cloudformation_json", classmethod(_ecr_update_as_aws)).__func__
