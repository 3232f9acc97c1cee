"""The AWS::Serverless-2016-10-31 transform, offline, with aws-sam-translator.

moto treats AWS::Serverless::* as unknown (no-op) resources, so a SAM app "deploys" without a
single Lambda function. cloudformation.py runs sam_transform where CreateStack, UpdateStack
and CreateChangeSet (top-level and nested stacks alike) parse a template, with the stack's
region, account and parameters; a failed transform raises TransformError with
CloudFormation's reason "Transform AWS::Serverless-2016-10-31 failed with: ...".
"""

import copy

import boto3
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import (
    to_py27_compatible_template,
    undo_mark_unicode_str_in_template,
)

from .errors import TransformError
from .language_extensions import language_extensions

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


def _wants_sam(template):
    t = template.get("Transform") if isinstance(template, dict) else None
    names = t if isinstance(t, list) else [t]
    return SAM_TRANSFORM in names


def _partition(region):
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def sam_transform(template, parameters, region, account):
    """Returns template with the SAM transform applied (after AWS::LanguageExtensions), or
    template itself when it names neither."""
    template = language_extensions(template, parameters)
    if not _wants_sam(template):
        return template
    fragment = copy.deepcopy(template)
    values = dict(parameters or {})
    values.setdefault("AWS::Region", region)
    values.setdefault("AWS::AccountId", account)
    values.setdefault("AWS::Partition", _partition(region))
    # The translator asks boto3 for the region of ARNs it writes; give it the stack's.
    ArnGenerator.BOTO_SESSION_REGION_NAME = region
    policies = get_bundled_managed_policy_map(_partition(region)) or {}
    try:
        to_py27_compatible_template(fragment, values)
        out = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=region)).translate(
            fragment, parameter_values=values, get_managed_policy_map=lambda: policies
        )
    except InvalidDocumentException as e:
        reason = " ".join([e.message] + [c.message for c in e.causes])
        raise TransformError(f"Transform {SAM_TRANSFORM} failed with: {reason}") from e
    except Exception as e:  # the translator's other failures reach users the same way on AWS
        raise TransformError(f"Transform {SAM_TRANSFORM} failed with: {e}") from e
    out = undo_mark_unicode_str_in_template(out)
    transforms = [t for t in (out.get("Transform") if isinstance(out.get("Transform"), list) else [out.get("Transform")]) if t and t != SAM_TRANSFORM]
    out.pop("Transform", None)
    if transforms:
        out["Transform"] = transforms
    return out
