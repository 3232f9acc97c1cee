"""samship's local AWS: moto_server with what the tests need and moto lacks.

Started by internal/testenv (StartMoto) as `python3 moto_launcher.py -H 127.0.0.1 -p PORT`.
Everything here patches moto in this process only; nothing reaches the network.

Each patch corrects moto where it differs from AWS, so that samship is tested against AWS's
behaviour rather than bent to moto's:

- The AWS::Serverless-2016-10-31 transform. moto treats AWS::Serverless::* as unknown
  (no-op) resources, so a SAM app "deploys" without a single Lambda function. Here
  CreateStack, UpdateStack and CreateChangeSet (top-level and nested stacks alike) run
  aws-sam-translator, offline, with the stack's region, account and parameters. As on AWS,
  GetTemplate still answers the template as submitted; a failed transform answers CreateStack
  and UpdateStack with ValidationError, and leaves a change set FAILED with CloudFormation's
  reason "Transform AWS::Serverless-2016-10-31 failed with: ...".
- Short-form intrinsics in YAML: moto splits `!GetAtt A.Outputs.B` at every dot (AWS: at the
  first, [A, Outputs.B]) and leaves the items of a short-form list as YAML nodes, so a
  template and its long-form dump (SAM CLI re-dumps the templates it packages) differ, and a
  change set between them is never empty. Here they read as CloudFormation reads them.
- The AWS::LanguageExtensions transform: moto does not know it, and leaves Fn::ForEach
  loops as they are (a list where a resource should be). Here it runs before the SAM
  transform, as on AWS: Fn::ForEach loops of Conditions, Resources and Outputs are expanded
  (a list or a Ref to a CommaDelimitedList/List parameter; ${Identifier} and &{Identifier} in
  keys and strings, Ref Identifier), then Fn::FindInMap whose arguments are literal (after
  Fn::Join of literals), Fn::Length of a list and Fn::ToJsonString are resolved; a malformed
  loop fails with "Transform AWS::LanguageExtensions failed with: ...".
- CreateChangeSet of type CREATE for a stack in REVIEW_IN_PROGRESS: moto makes a second stack
  of that name instead of using the one there.
- Change sets: moto's ListChangeSets answers every stack's change sets and keeps a stack's
  other change sets when one is executed; its GetTemplate ignores ChangeSetName. AWS lists the
  stack's own, deletes the others on execution, and answers a change set's template.
- A resource removed by one update and added again by a later one: moto keeps the deleted
  resource's object and "adds" it back without creating it (an ECR repository the companion
  stack lists does not exist). Here a removed resource is forgotten.
- ExecuteChangeSet: moto keeps the stack's outputs of before the change set (none for a stack
  the change set created); AWS evaluates the new template's Outputs.
- AWS::ApiGateway::RestApi with Body (what SAM's Api events produce): moto requires Name and
  ignores Body; AWS takes the name from the definition's info.title and imports its paths.
- AWS::Lambda::Url (SAM's FunctionUrlConfig): moto has no CloudFormation model for it.
- Resource types moto does not model (AWS::ApiGateway::Stage, which every SAM Api event
  makes, among them): moto leaves a hole in the stack that breaks DescribeStackResource(s)
  with a 500. Here they exist as placeholders with a physical id, as every resource does on
  AWS, whose attributes read as "<logical id>.<attribute>".
- AWS::Lambda::Function: moto's CloudFormation model drops PackageType, ImageConfig and
  Architectures, so an image function reads back from GetFunction as PackageType Zip.
- Lambda image functions: moto's CodeSha256 (and so ResolvedImageUri) hashes the ImageUri
  string; AWS resolves the image's tag to its digest in ECR when the code is set, and a
  published version keeps the digest it had.
- AWS::ECR::Repository: moto keeps ImageScanningConfiguration and EncryptionConfiguration in
  CloudFormation's casing (ECR then describes them wrongly), ignores LifecyclePolicy, and on an
  update that changes the encryption silently deletes the repository, images and all, and
  makes a new one. AWS describes them in ECR's casing, applies the lifecycle policy, and
  refuses to replace a repository that has a RepositoryName.
- AWS::Lambda::Version and AWS::Lambda::Alias (SAM's AutoPublishAlias): moto's version has
  no physical id and no Version attribute (SAM's alias reads it), and moto has no
  CloudFormation model for an alias. AWS publishes the version, deletes it with its resource
  unless the resource is retained (SAM retains versions), and makes, moves and deletes the
  alias with the stack.
- Stack updates: moto adds new resources before it modifies changed ones, so a new
  AWS::Lambda::Version is published from the function's old code. AWS works in dependency
  order: a resource goes after the ones it refers to.
- DeletionPolicy Retain: moto honours it when a stack is deleted but not when an update
  removes the resource; AWS keeps the resource in both cases.
- ECR image sizes: moto's DescribeImages reports the size of an image's config blob as its
  imageSizeInBytes; AWS reports the sum of its (compressed) layers.
- Stack events: moto records only the stack's own events, none of its resources, and no
  ClientRequestToken. AWS records each resource's IN_PROGRESS and COMPLETE (or FAILED, with
  the reason), and every event of an operation carries the token of the request that began it.
"""

import copy
import json
import re
import sys
import threading
import weakref
import uuid

import yaml

import boto3
from moto.apigateway import models as apigw
from moto.awslambda import models as awslambda
from moto.cloudformation import models as cfn
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel
from moto.ecr import models as ecr_models
from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.translator import Translator
from samtranslator.utils.py27hash_fix import (
    to_py27_compatible_template,
    undo_mark_unicode_str_in_template,
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


class TransformError(Exception):
    """The SAM transform refused a template; str() is CloudFormation's reason."""


def _wants_sam(template):
    t = template.get("Transform") if isinstance(template, dict) else None
    names = t if isinstance(t, list) else [t]
    return SAM_TRANSFORM in names


LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
_FOREACH = "Fn::ForEach::"


def language_extensions(template, parameters):
    """Returns template with AWS::LanguageExtensions applied (moto lacks it), or template
    itself when it names none."""
    t = template.get("Transform") if isinstance(template, dict) else None
    names = t if isinstance(t, list) else [t]
    if LANGUAGE_EXTENSIONS not in names:
        return template
    out = copy.deepcopy(template)
    values = {}
    for key, p in (out.get("Parameters") or {}).items():
        if isinstance(p, dict) and "Default" in p:
            values[key] = p["Default"]
    values.update(parameters or {})
    try:
        for section in ("Conditions", "Resources", "Outputs"):
            if isinstance(out.get(section), dict):
                out[section] = _expand_loops(out[section], values, [])
        mappings = out.get("Mappings") or {}
        for section in ("Conditions", "Resources", "Outputs"):
            if section in out:
                out[section] = _resolve_le(out[section], mappings)
    except (TransformError, ValueError, TypeError, KeyError) as e:
        raise TransformError(f"Transform {LANGUAGE_EXTENSIONS} failed with: {e}") from e
    rest = [n for n in names if n and n != LANGUAGE_EXTENSIONS]
    out.pop("Transform", None)
    if rest:
        out["Transform"] = rest if len(rest) > 1 else rest[0]
    return out


def _expand_loops(section, values, idents):
    result = {}
    for key, value in section.items():
        if not key.startswith(_FOREACH):
            result[key] = value
            continue
        if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], str) or not isinstance(value[2], dict):
            raise TransformError(f"{key} layout is incorrect")
        ident, coll, body = value
        if ident in idents or ident in values:
            raise TransformError(f"{key}: identifier {ident} conflicts")
        if isinstance(coll, dict) and set(coll) == {"Ref"} and coll["Ref"] in values:
            coll = values[coll["Ref"]]
            if isinstance(coll, str):
                coll = [c.strip() for c in coll.split(",")] if coll.strip() else []
        if not isinstance(coll, list):
            raise TransformError(f"{key}: the collection is not a list")
        for item in coll:
            item = str(item).lower() if isinstance(item, bool) else str(item)
            expanded = _expand_loops(_substitute(body, ident, item), values, idents + [ident])
            for k, v in expanded.items():
                if k in result:
                    raise TransformError(f"{key}: {k} is defined twice")
                result[k] = v
    return result


def _substitute(node, ident, value):
    if isinstance(node, str):
        return node.replace("${" + ident + "}", value).replace("&{" + ident + "}", re.sub(r"[^A-Za-z0-9]", "", value))
    if isinstance(node, list):
        return [_substitute(n, ident, value) for n in node]
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] == ident:
            return value
        return {_substitute(k, ident, value): _substitute(v, ident, value) for k, v in node.items()}
    return node


def _resolve_le(node, mappings):
    if isinstance(node, list):
        return [_resolve_le(n, mappings) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _resolve_le(v, mappings) for k, v in node.items()}
    if len(node) != 1:
        return node
    (fn, arg), = node.items()
    if fn == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
        keys = [_literal_join(a) for a in arg[:3]]
        if all(isinstance(k, str) for k in keys):
            try:
                return mappings[keys[0]][keys[1]][keys[2]]
            except (KeyError, TypeError):
                if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return arg[3]["DefaultValue"]
                raise TransformError(f"Fn::FindInMap: no {keys[1]}/{keys[2]} in mapping {keys[0]}")
    if fn == "Fn::Length" and isinstance(arg, list):
        return len(arg)
    if fn == "Fn::ToJsonString" and not _has_intrinsic(arg):
        return json.dumps(arg, separators=(",", ":"))
    return node


def _literal_join(v):
    """A string, or Fn::Join of strings as its result; None for anything else."""
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and set(v) == {"Fn::Join"}:
        a = v["Fn::Join"]
        if isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], list) and all(isinstance(x, str) for x in a[1]):
            return a[0].join(a[1])
    return None


def _has_intrinsic(node):
    if isinstance(node, list):
        return any(_has_intrinsic(n) for n in node)
    if isinstance(node, dict):
        return any(k == "Ref" or k.startswith("Fn::") or _has_intrinsic(v) for k, v in node.items())
    return False


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


# --- stacks -------------------------------------------------------------------------------

def _yaml_tag_constructor(loader, tag, node):
    key = "Ref" if tag == "!Ref" else "Fn::" + tag[1:]
    if isinstance(node, yaml.SequenceNode):
        return {key: loader.construct_sequence(node, deep=True)}
    if isinstance(node, yaml.MappingNode):
        return {key: loader.construct_mapping(node, deep=True)}
    value = loader.construct_scalar(node)
    if tag == "!GetAtt":
        value = value.split(".", 1)
    return {key: value}


cfn.yaml_tag_constructor = _yaml_tag_constructor  # Stack.parse_template registers it

_stack_init = cfn.Stack.__init__


def _stack_init_with_context(self, *args, **kwargs):
    # moto parses the template before it stores parameters, region and account; the
    # transform needs them, so they are set first.
    self.parameters = kwargs.get("parameters", {})
    self.region_name = kwargs.get("region_name")
    self.account_id = kwargs.get("account_id")
    _stack_init(self, *args, **kwargs)


def _stack_parse_template(self):
    raw = cfn.Stack.parse_template(self.template)
    # A copy of the template as submitted, for has_template: moto edits the parsed one.
    self.raw_template_dict, self.raw_template = copy.deepcopy(raw), self.template
    try:
        self.template_dict = sam_transform(raw, self.parameters, self.region_name, self.account_id)
    except TransformError as e:
        raise ValidationError(message=str(e)) from e


def _stack_has_template(self, other_template):
    # "Unchanged" compares the templates as submitted, as CloudFormation does.
    raw = getattr(self, "raw_template_dict", None)
    if raw is None or getattr(self, "raw_template", None) is not self.template:
        raw = cfn.Stack.parse_template(self.template)
    self.raw_template_dict, self.raw_template = raw, self.template
    return raw == cfn.Stack.parse_template(other_template)


_stack_update = cfn.Stack.update


def _stack_update_checked(self, template, role_arn=None, parameters=None, tags=None):
    # Refuse a template the transform rejects before moto changes anything of the stack.
    try:
        sam_transform(cfn.Stack.parse_template(template), parameters or self.parameters, self.region_name, self.account_id)
    except TransformError as e:
        raise ValidationError(message=str(e)) from e
    return _stack_update(self, template, role_arn=role_arn, parameters=parameters, tags=tags)


cfn.Stack.__init__ = _stack_init_with_context
cfn.Stack._parse_template = _stack_parse_template
cfn.Stack.has_template = _stack_has_template
cfn.Stack.update = _stack_update_checked


# --- change sets --------------------------------------------------------------------------

_change_set_parse_template = cfn.ChangeSet._parse_template


def _change_set_parse(self):
    _change_set_parse_template(self)
    self.raw_template_dict = copy.deepcopy(self.template_dict)
    self.transform_error = None
    stack = self.stack
    try:
        self.template_dict = sam_transform(self.template_dict, self.parameters, stack.region_name, stack.account_id)
    except TransformError as e:
        # CloudFormation accepts the request and fails the change set with the reason.
        self.transform_error = str(e)
        self.template_dict = copy.deepcopy(stack.template_dict) or {"Resources": {}}


cfn.ChangeSet._parse_template = _change_set_parse

_create_change_set = cfn.CloudFormationBackend.create_change_set


def _create_change_set_with_status(self, *args, **kwargs):
    if kwargs.get("change_set_type") == "CREATE":
        # A CREATE change set for a stack in REVIEW_IN_PROGRESS (an earlier change set never
        # executed) goes to that stack on AWS; moto adds a second stack of the same name, and
        # GetTemplate by name then answers the first one's empty template.
        for sid, st in list(self.stacks.items()):
            if st.name == kwargs.get("stack_name") and st.status == "REVIEW_IN_PROGRESS":
                del self.stacks[sid]
    change_set_id, stack_id = _create_change_set(self, *args, **kwargs)
    cs = self.change_sets[change_set_id]
    if getattr(cs, "transform_error", None):
        cs.status = "FAILED"
        cs.execution_status = "UNAVAILABLE"
        cs.status_reason = cs.transform_error
        cs.changes = []
    return change_set_id, stack_id


cfn.CloudFormationBackend.create_change_set = _create_change_set_with_status

_execute_change_set = cfn.CloudFormationBackend.execute_change_set


def _execute_change_set_with_outputs(self, change_set_name, stack_name=None):
    cs = self.describe_change_set(change_set_name)
    _execute_change_set(self, change_set_name, stack_name)
    stack = self.stacks[cs.stack_id]
    stack.template_dict = cs.template_dict
    stack.raw_template_dict, stack.raw_template = cs.raw_template_dict, stack.template
    if cs.parameters:
        stack.parameters = cs.parameters
    stack.output_map = stack._create_output_map()
    # The stack's other change sets no longer apply to it: CloudFormation deletes them.
    for cid, other in list(self.change_sets.items()):
        if other is not cs and other.stack_id == cs.stack_id:
            del self.change_sets[cid]


cfn.CloudFormationBackend.execute_change_set = _execute_change_set_with_outputs


def _list_change_sets_of_stack(self):
    name = self._get_param("StackName")
    sets = [cs for cs in self.cloudformation_backend.change_sets.values() if name in (cs.stack_name, cs.stack_id)]
    return cfn_responses.ActionResult({"Summaries": sets})


_get_template = cfn_responses.CloudFormationResponse.get_template


def _get_template_of_change_set(self):
    name = self._get_param("ChangeSetName")
    if not name:
        return _get_template(self)
    cs = self.cloudformation_backend.describe_change_set(name)
    if cs is None:
        raise ValidationError(message=f"ChangeSet [{name}] does not exist")
    return cfn_responses.ActionResult({"TemplateBody": cs.template})


cfn_responses.CloudFormationResponse.list_change_sets = _list_change_sets_of_stack
cfn_responses.CloudFormationResponse.get_template = _get_template_of_change_set


def _references(value):
    """The logical ids a template fragment refers to: Ref, Fn::GetAtt, ${X} in Fn::Sub, DependsOn."""
    out = set()
    if isinstance(value, list):
        for v in value:
            out |= _references(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in ("Ref", "DependsOn") and isinstance(v, str):
                out.add(v)
            elif k == "DependsOn" and isinstance(v, list):
                out.update(x for x in v if isinstance(x, str))
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else str(v).split(".")[0])
            elif k == "Fn::Sub":
                text = v[0] if isinstance(v, list) else v
                if isinstance(text, str):
                    out.update(re.findall(r"\$\{([A-Za-z0-9]+)[.}]", text))
            out |= _references(v)
    return out


def _update_in_dependency_order(self, template, parameters=None):
    """moto's ResourceMap.update with its additions and modifications in dependency order."""
    diff = self.build_resource_diff(template, parameters)
    pending = list(diff["Add"]) + list(diff["Modify"])
    removing = [n for n in diff["Remove"] if n in self._parsed_resources]
    last_error = None
    for _ in range(len(removing) + 1):  # as moto: a removal that fails on a dependency is tried again
        for name in list(removing):
            try:
                self._delete_resource(self._parsed_resources[name], self._resource_json_map[name])
            except Exception as e:
                last_error = e
                continue
            removing.remove(name)
    if removing:
        raise last_error
    self._template = template
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    self._resource_json_map = template["Resources"]
    added = set(diff["Add"])
    for _ in range(len(pending) + 1):
        if not pending:
            return
        waiting = set(pending)
        ready = [n for n in pending if not (_references(self._resource_json_map[n]) - {n}) & waiting] or pending[:1]
        for name in ready:
            try:
                if name in added:
                    _ = self[name]
                else:
                    self._parsed_resources[name] = parsing.parse_and_update_resource(
                        name, self._resource_json_map[name], self, account_id=self._account_id, region_name=self._region_name)
            except Exception as e:  # a dependency moto cannot see: try again in a later pass
                last_error = e
                continue
            pending.remove(name)
    if pending:
        raise last_error


parsing.ResourceMap.update = _update_in_dependency_order

_resource_map_update = parsing.ResourceMap.update


def _resource_map_update_forgetting_removed(self, template, parameters=None):
    removed = [n for n in self._resource_json_map if n not in template.get("Resources", {})]
    _resource_map_update(self, template, parameters)
    for name in removed:
        self._parsed_resources.pop(name, None)


parsing.ResourceMap.update = _resource_map_update_forgetting_removed


# --- resources moto models incompletely -----------------------------------------------------

_rest_api_create = apigw.RestAPI.create_from_cloudformation_json.__func__


def _rest_api_from_body(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    body = props.get("Body")
    if "Name" in props or not isinstance(body, dict):
        return _rest_api_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    backend = apigw.apigateway_backends[account_id][region_name]
    title = (body.get("info") or {}).get("title") or resource_name
    api = backend.create_rest_api(
        name=str(title),
        description=props.get("Description", ""),
        endpoint_configuration=props.get("EndpointConfiguration"),
    )
    _import_paths(backend, api, body)
    return api


def _import_paths(backend, api, body):
    """Creates the definition's resources, methods and integrations (moto imports OpenAPI 3
    only; SAM writes Swagger 2.0)."""
    by_path = {"/": api.default}
    for path, methods in sorted((body.get("paths") or {}).items()):
        parent = api.default
        so_far = ""
        for part in [p for p in path.split("/") if p]:
            so_far += "/" + part
            if so_far not in by_path:
                by_path[so_far] = backend.create_resource(api.id, parent.id, part)
            parent = by_path[so_far]
        for verb, op in (methods or {}).items():
            if not isinstance(op, dict):
                continue
            verb = "ANY" if verb == "x-amazon-apigateway-any-method" else verb.upper()
            backend.put_method(api.id, parent.id, verb, "NONE")
            integ = op.get("x-amazon-apigateway-integration")
            if isinstance(integ, dict):
                backend.put_integration(
                    api.id, parent.id, verb,
                    integration_type=str(integ.get("type", "aws_proxy")).upper(),
                    uri=str(integ.get("uri", "")),
                    integration_method=str(integ.get("httpMethod", "POST")),
                )


apigw.RestAPI.create_from_cloudformation_json = classmethod(_rest_api_from_body)


_function_create = awslambda.LambdaFunction.create_from_cloudformation_json.__func__


def _function_with_image_props(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    props = cloudformation_json["Properties"]
    fn = _function_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    fn.package_type = props.get("PackageType", "Zip")
    fn.image_config = awslambda.ImageConfig(props.get("ImageConfig", {}))
    if "Architectures" in props:
        fn.architectures = props["Architectures"]
    return fn


awslambda.LambdaFunction.create_from_cloudformation_json = classmethod(_function_with_image_props)


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


awslambda.LambdaVersion.create_from_cloudformation_json = classmethod(_version_from_cloudformation)
awslambda.LambdaVersion.physical_resource_id = property(_version_physical_id)
awslambda.LambdaVersion.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Version", "FunctionArn"))
awslambda.LambdaVersion.get_cfn_attribute = _version_attribute


def _version_delete(self, account_id, region_name):
    backend = awslambda.lambda_backends[account_id][region_name]
    backend.delete_function(self.function.function_name, str(self.version))


awslambda.LambdaVersion.delete = _version_delete



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


class Placeholder(CloudFormationModel):
    """A resource of a type moto does not model: it exists, and does nothing."""

    __module__ = "moto.cloudformation"  # moto's model registry keys models by their service module

    def __init__(self, logical_id, resource_type):
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.id = f"{logical_id}-{uuid.uuid4().hex[:12]}"

    @staticmethod
    def cloudformation_type():
        return "Samship::Emulator::Placeholder"

    @property
    def physical_resource_id(self):
        return self.id

    @classmethod
    def has_cfn_attr(cls, attr):
        return True

    def get_cfn_attribute(self, attribute_name):
        return f"{self.logical_id}.{attribute_name}"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(kwargs.get("LogicalId", resource_name), kwargs.get("ResourceType", ""))

    @classmethod
    def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        pass


_resource_class_from_type = parsing.resource_class_from_type


def _resource_class_or_placeholder(resource_type):
    cls = _resource_class_from_type(resource_type)
    if cls is None and resource_type not in parsing.NULL_MODELS:
        return Placeholder
    return cls


parsing.resource_class_from_type = _resource_class_or_placeholder


# --- Lambda image functions ------------------------------------------------------------

_set_function_code = awslambda.LambdaFunction._set_function_code


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
    uri = self.code.get("ImageUri")
    if uri:
        digest = _image_digest(self.account_id, uri)
        if digest:
            self.code_sha_256 = digest


awslambda.LambdaFunction._set_function_code = _set_function_code_resolved


# --- ECR image sizes ---------------------------------------------------------------------

def _image_size(self):
    manifest = json.loads(self.image_manifest)
    layers = manifest.get("layers")
    if layers is None:
        return None
    return sum(int(layer.get("size", 0)) for layer in layers)


ecr_models.Image.get_image_size_in_bytes = _image_size


# --- ECR repositories in CloudFormation --------------------------------------------------

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


_ecr_create = ecr_models.Repository.create_from_cloudformation_json.__func__
_ecr_update = ecr_models.Repository.update_from_cloudformation_json.__func__


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


ecr_models.Repository.create_from_cloudformation_json = classmethod(_ecr_create_as_aws)
ecr_models.Repository.update_from_cloudformation_json = classmethod(_ecr_update_as_aws)


# --- stack events -------------------------------------------------------------------------

_request = threading.local()  # the ClientRequestToken of the stack operation being served
_stacks = weakref.WeakValueDictionary()  # stack id -> Stack, for its resources' events


def _with_token(method):
    def serve(self):
        _request.token = self._get_param("ClientRequestToken")
        try:
            return method(self)
        finally:
            _request.token = None

    return serve


for _name in ("create_stack", "update_stack", "delete_stack", "execute_change_set"):
    setattr(cfn_responses.CloudFormationResponse, _name, _with_token(getattr(cfn_responses.CloudFormationResponse, _name)))

_event_init = cfn.Event.__init__


def _event_init_with_token(self, *args, **kwargs):
    _event_init(self, *args, **kwargs)
    self.client_request_token = getattr(_request, "token", None)


cfn.Event.__init__ = _event_init_with_token

_stack_init_known = cfn.Stack.__init__


def _stack_init_remembered(self, *args, **kwargs):
    _stack_init_known(self, *args, **kwargs)
    _stacks[self.stack_id] = self


cfn.Stack.__init__ = _stack_init_remembered


def _resource_event(stack_id, logical_id, resource_type, status, resource=None, reason=None):
    """Appends a resource's event to its stack's and returns it (None for an unknown stack)."""
    stack = _stacks.get(stack_id)
    if stack is None:
        return None
    physical = getattr(resource, "physical_resource_id", None) if resource is not None else None
    event = cfn.Event(
        stack_id=stack.stack_id,
        stack_name=stack.name,
        logical_resource_id=logical_id,
        physical_resource_id=physical or "",
        resource_type=resource_type,
        resource_status=status,
        resource_status_reason=reason,
        resource_properties=None,
    )
    stack.events.append(event)
    return event


def _forget(stack_id, event):
    stack = _stacks.get(stack_id)
    if stack is not None and event is not None and event in stack.events:
        stack.events.remove(event)


def _evented(verb, change):
    # moto retries an update that fails on a dependency, so only a create's failure is final.
    def run(logical_id, resource_json, resources_map, account_id, region_name):
        kind, sid = resource_json.get("Type", ""), resources_map.stack_id
        started = _resource_event(sid, logical_id, kind, verb + "_IN_PROGRESS")
        try:
            resource = change(logical_id, resource_json, resources_map, account_id=account_id, region_name=region_name)
        except Exception as e:
            if verb == "CREATE":
                _resource_event(sid, logical_id, kind, "CREATE_FAILED", reason=str(e))
            else:
                _forget(sid, started)
            raise
        if resource is None:  # its Condition is false: AWS does not create it
            _forget(sid, started)
        else:
            _resource_event(sid, logical_id, kind, verb + "_COMPLETE", resource)
        return resource

    return run


parsing.parse_and_create_resource = _evented("CREATE", parsing.parse_and_create_resource)
parsing.parse_and_update_resource = _evented("UPDATE", parsing.parse_and_update_resource)

_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource_evented(self, parsed_resource, resource_json):
    # moto retries a delete that fails on a dependency: only a done one is recorded.
    logical_id = next((k for k, v in self._parsed_resources.items() if v is parsed_resource), "")
    kind = resource_json.get("Type", "")
    started = _resource_event(self.stack_id, logical_id, kind, "DELETE_IN_PROGRESS", parsed_resource)
    try:
        _delete_resource(self, parsed_resource, resource_json)
    except Exception:
        _forget(self.stack_id, started)
        raise
    _resource_event(self.stack_id, logical_id, kind, "DELETE_COMPLETE", parsed_resource)


parsing.ResourceMap._delete_resource = _delete_resource_evented

_moto_delete_resource = parsing.ResourceMap._delete_resource


def _delete_unless_retained(self, parsed_resource, resource_json):
    if resource_json.get("DeletionPolicy") != "Retain":
        _moto_delete_resource(self, parsed_resource, resource_json)
        return
    # AWS keeps it, whether an update removes it or the stack goes, and says so.
    logical_id = next((k for k, v in self._parsed_resources.items() if v is parsed_resource), "")
    _resource_event(self.stack_id, logical_id, resource_json.get("Type", ""), "DELETE_SKIPPED", parsed_resource)


parsing.ResourceMap._delete_resource = _delete_unless_retained


def main():
    from moto.server import main as moto_main

    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
