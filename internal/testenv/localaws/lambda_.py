"""Lambda: functions, URLs, versions and aliases in CloudFormation, and image functions.

- AWS::Lambda::Function: moto's CloudFormation model drops PackageType, ImageConfig and
  Architectures, so an image function reads back from GetFunction as PackageType Zip.
- AWS::Lambda::Url (SAM's FunctionUrlConfig): moto has no CloudFormation model for it.
- AWS::Lambda::Version and AWS::Lambda::Alias (SAM's AutoPublishAlias): moto's version has
  no physical id and no Version attribute (SAM's alias reads it), and moto has no
  CloudFormation model for an alias. AWS publishes the version, deletes it with its resource
  unless the resource is retained (SAM retains versions), and makes, moves and deletes the
  alias with the stack.
- Lambda image functions: moto's CodeSha256 (and so ResolvedImageUri) hashes the ImageUri
  string; AWS resolves the image's tag to its digest in ECR when the code is set, and a
  published version keeps the digest it had; and moto's ResolvedImageUri of an ImageUri given
  by digest ("repo@sha256:…") reads "repo@sha256@sha256:…" (it cuts the URI at its first
  colon), where AWS answers "repo@sha256:…".
- RevisionId (samship sync): moto's functions have none; AWS gives $LATEST a new one on every
  change of its code or configuration, and PublishVersion takes RevisionId and CodeSha256 to
  publish only the $LATEST the caller last saw (PreconditionFailedException on another
  revision, InvalidParameterValueException on other code); moto ignores both.
- CreateAlias of an alias that exists: moto answers ConflictException, AWS
  ResourceConflictException.
- Update time (samship sync; off unless SAMSHIP_LAMBDA_UPDATE_SECONDS > 0): moto's
  UpdateFunctionCode is done when it answers; on AWS an image function's update stays
  LastUpdateStatus InProgress for seconds (State stays Active), and UpdateFunctionCode or
  PublishVersion meanwhile is refused with ResourceConflictException.
"""

import os
import time
import uuid

from moto.awslambda import exceptions as lambda_errors
from moto.awslambda import models as awslambda
from moto.awslambda import responses as lambda_responses
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.ecr import models as ecr_models

from .patching import add, patch, require

require(awslambda, "lambda_backends", "ImageConfig", "UnknownFunctionException")
require(lambda_errors, "LambdaClientError", "PreconditionFailedException", "InvalidParameterValueException")
require(lambda_responses, "unquote")
require(awslambda.LambdaBackend, "get_function", "publish_version", "delete_function", "create_function_url_config", "create_alias", "delete_alias",
        "update_function_code")
require(ecr_models, "ecr_backends")
require(ecr_models.Image, "get_image_digest")


# --- AWS::Lambda::Function ----------------------------------------------------------------

def _function_with_image_props(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    fn = _function_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    fn.package_type = props.get("PackageType", "Zip")
    fn.image_config = awslambda.ImageConfig(props.get("ImageConfig", {}))
    if "Architectures" in props:
        fn.architectures = props["Architectures"]
    return fn


_function_create = patch(awslambda.LambdaFunction, "create_from_cloudformation_json", classmethod(_function_with_image_props)).__func__


# --- AWS::Lambda::Url ---------------------------------------------------------------------

class FunctionURL(CloudFormationModel):
    """AWS::Lambda::Url over moto's function URL configs."""

    __module__ = "moto.awslambda"  # moto's model registry keys models by their service module

    def __init__(self, function, config):
        self.function = function
        self.config = config

    @staticmethod
    def cloudformation_type():
        return "AWS::Lambda::Url"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.function.function_arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in ("FunctionArn", "FunctionUrl")

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "FunctionArn":
            return self.function.function_arn
        if attribute_name == "FunctionUrl":
            return self.config.url
        raise parsing.UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = awslambda.lambda_backends[account_id][region_name]
        target = props["TargetFunctionArn"]
        config = {k: props[k] for k in ("AuthType", "Cors", "InvokeMode") if k in props}
        fn = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(target)
        return cls(fn, backend.create_function_url_config(target, config))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        original_resource.config.update(cloudformation_json["Properties"])
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        try:
            self.function.delete_url_config()
        except Exception:
            pass


# --- AWS::Lambda::Version -----------------------------------------------------------------

def _version_physical_id(self):
    return self.function.function_arn if hasattr(self, "function") else str(self.version)


def _version_from_cloudformation(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    fn = awslambda.lambda_backends[account_id][region_name].publish_version(props["FunctionName"], props.get("Description", ""))
    version = cls({"Version": fn.version})
    version.function = fn
    return version


def _version_attribute(self, attribute_name):
    if attribute_name == "Version":
        return str(self.version)
    if attribute_name == "FunctionArn":
        return self.function.function_arn.rsplit(":", 1)[0]
    raise parsing.UnformattedGetAttTemplateException()


def _version_delete(self, account_id, region_name):
    backend = awslambda.lambda_backends[account_id][region_name]
    backend.delete_function(self.function.function_name, str(self.version))


patch(awslambda.LambdaVersion, "create_from_cloudformation_json", classmethod(_version_from_cloudformation))
add(awslambda.LambdaVersion, "physical_resource_id", property(_version_physical_id))
patch(awslambda.LambdaVersion, "has_cfn_attr", classmethod(lambda cls, attr: attr in ("Version", "FunctionArn")))
add(awslambda.LambdaVersion, "get_cfn_attribute", _version_attribute)
add(awslambda.LambdaVersion, "delete", _version_delete)


# --- AWS::Lambda::Alias -------------------------------------------------------------------

class FunctionAlias(CloudFormationModel):
    """AWS::Lambda::Alias (SAM's AutoPublishAlias) over moto's aliases."""

    __module__ = "moto.awslambda"  # moto's model registry keys models by their service module

    def __init__(self, backend, function_name, alias):
        self.backend = backend
        self.function_name = function_name
        self.alias = alias

    @staticmethod
    def cloudformation_type():
        return "AWS::Lambda::Alias"

    @staticmethod
    def cloudformation_name_type():
        return ""

    @property
    def physical_resource_id(self):
        return self.alias.arn

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr == "AliasArn"

    def get_cfn_attribute(self, attribute_name):
        if attribute_name == "AliasArn":
            return self.alias.arn
        raise parsing.UnformattedGetAttTemplateException()

    @staticmethod
    def _routing(props):
        weights = (props.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or []
        if not weights:
            return None
        return {"AdditionalVersionWeights": {str(w["FunctionVersion"]): float(w["FunctionWeight"]) for w in weights}}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        backend = awslambda.lambda_backends[account_id][region_name]
        fn = backend._lambdas.get_function_by_name_or_arn_forbid_qualifier(props["FunctionName"])
        alias = backend.create_alias(props["Name"], fn.function_name, str(props["FunctionVersion"]),
                                     props.get("Description", ""), cls._routing(props))
        return cls(backend, fn.function_name, alias)

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        original_resource.alias.update(props.get("Description", ""), str(props["FunctionVersion"]), cls._routing(props))
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass

    def delete(self, account_id, region_name):
        try:
            self.backend.delete_alias(self.alias.name, self.function_name)
        except awslambda.UnknownFunctionException:
            pass  # the function went first, and its aliases with it


# --- image functions ----------------------------------------------------------------------

def _image_digest(account_id, uri):
    """The digest (hex) of the ECR image uri names, or None when ECR does not have it."""
    host, _, rest = uri.partition("/")
    parts = host.split(".")
    if len(parts) < 4 or parts[1:3] != ["dkr", "ecr"]:
        return None
    region = parts[3]
    if "@sha256:" in rest:
        return rest.split("@sha256:", 1)[1]
    repo_name, _, tag = rest.rpartition(":")
    try:
        repo = ecr_models.ecr_backends[account_id][region].repositories.get(repo_name)
    except KeyError:
        return None
    for image in getattr(repo, "images", []) or []:
        if tag in image.image_tags:
            return image.get_image_digest().split(":", 1)[1]
    return None


def _set_function_code_resolved(self, updated_spec):
    _set_function_code(self, updated_spec)
    _new_revision(self)
    uri = self.code.get("ImageUri")
    if uri:
        digest = _image_digest(self.account_id, uri)
        if digest:
            self.code_sha_256 = digest


_set_function_code = patch(awslambda.LambdaFunction, "_set_function_code", _set_function_code_resolved)


def _resolved_image_uri(self):
    resp = _get_code(self)
    uri = self.code.get("ImageUri")
    if uri and "Code" in resp:
        name = uri.split("@", 1)[0]
        if ":" in name.rsplit("/", 1)[-1]:
            name = name.rsplit(":", 1)[0]
        resp["Code"]["ResolvedImageUri"] = name + "@sha256:" + self.code_sha_256
    return resp


_get_code = patch(awslambda.LambdaFunction, "get_code", _resolved_image_uri)


# --- RevisionId ---------------------------------------------------------------------------

def _new_revision(fn):
    """Gives fn ($LATEST) a new revision: its code or configuration changed."""
    fn.localaws_revision = str(uuid.uuid4())


def _revision(fn):
    if not getattr(fn, "localaws_revision", None):
        _new_revision(fn)
    return fn.localaws_revision


def _configuration_with_revision(self, *args, **kwargs):
    config = _get_configuration(self, *args, **kwargs)
    config["RevisionId"] = _revision(self)
    if "LastUpdateStatus" in config and _updating(self):
        config["LastUpdateStatus"] = "InProgress"
    return config


_get_configuration = patch(awslambda.LambdaFunction, "get_configuration", _configuration_with_revision)


def _update_configuration_revised(self, config_updates):
    _update_configuration(self, config_updates)
    _new_revision(self)
    return self.get_configuration()


_update_configuration = patch(awslambda.LambdaFunction, "update_configuration", _update_configuration_revised)


def _publish_version_if_unchanged(self):
    function_name = lambda_responses.unquote(self.path.split("/")[-2])
    revision, sha = self._get_param("RevisionId"), self._get_param("CodeSha256")
    _refuse_while_updating(self.backend.get_function(function_name))
    if revision or sha:
        latest = self.backend.get_function(function_name)
        if revision and revision != _revision(latest):
            raise lambda_errors.PreconditionFailedException(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
        if sha and sha != latest.code_sha_256:
            raise lambda_errors.InvalidParameterValueException(
                f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest.code_sha_256}). Please try again with the CodeSHA256 in $LATEST.")
    return _publish_version(self)


_publish_version = patch(lambda_responses.LambdaResponse, "publish_version", _publish_version_if_unchanged)


# --- CreateAlias of an existing alias -----------------------------------------------------

class AliasExists(lambda_errors.LambdaClientError):
    """What AWS answers CreateAlias of an alias that exists."""

    code = 409

    def __init__(self, message):
        super().__init__("ResourceConflictException", message)


patch(awslambda, "ConflictException", AliasExists)


# --- update time --------------------------------------------------------------------------
#
# Real Lambda takes seconds to make an image function's new code serve: after
# UpdateFunctionCode, GetFunction(Configuration) reports LastUpdateStatus InProgress (State
# stays Active, the old code serving) until it turns Successful, and another
# UpdateFunctionCode or a PublishVersion meanwhile is refused with ResourceConflictException
# (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html). moto finishes every
# update before it answers, so a sync's wait for Successful, and the time it costs, would
# never be exercised. With SAMSHIP_LAMBDA_UPDATE_SECONDS > 0 (testenv.LambdaUpdateTime sets
# it) each update stays InProgress that long; 0, the default, keeps moto's behaviour.

def _update_seconds_from(environ):
    raw = environ.get("SAMSHIP_LAMBDA_UPDATE_SECONDS", "") or "0"
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses nan
        raise ValueError(f"SAMSHIP_LAMBDA_UPDATE_SECONDS={raw}: want a number of seconds, 0 or more")
    return seconds


# How long an update stays InProgress, and the clock it is measured on (tests replace both).
UPDATE_SECONDS = _update_seconds_from(os.environ)
clock = time.monotonic


def _updating(fn):
    """Whether fn's last UpdateFunctionCode is still in progress."""
    return clock() < getattr(fn, "localaws_updated_at", float("-inf"))


def _refuse_while_updating(fn):
    if _updating(fn):
        raise UpdateInProgress(
            f"The operation cannot be performed at this time. An update is in progress for resource: {fn.function_arn}")


class UpdateInProgress(lambda_errors.LambdaClientError):
    """What AWS answers a change of a function whose update is in progress."""

    code = 409

    def __init__(self, message):
        super().__init__("ResourceConflictException", message)


def _update_function_code_timed(self, function_name, qualifier, body):
    fn = self.get_function(function_name, qualifier)
    _refuse_while_updating(fn)
    resp = _update_function_code(self, function_name, qualifier, body)
    if UPDATE_SECONDS > 0:
        fn.localaws_updated_at = clock() + UPDATE_SECONDS
        if resp and "LastUpdateStatus" in resp:
            resp["LastUpdateStatus"] = "InProgress"
    return resp


_update_function_code = patch(awslambda.LambdaBackend, "update_function_code", _update_function_code_timed)
