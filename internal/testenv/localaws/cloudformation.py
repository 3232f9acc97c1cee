"""CloudFormation: stacks, change sets and resources as AWS has them.

Each patch corrects moto where it differs from AWS, so that samship is tested against AWS's
behaviour rather than bent to moto's:

- The SAM transform (sam.py), on the stack side: CreateStack, UpdateStack and CreateChangeSet
  (top-level and nested stacks alike) run it with the stack's region, account and
  parameters. As on AWS, GetTemplate still answers the template as submitted; a failed
  transform answers CreateStack and UpdateStack with ValidationError, and leaves a change set
  FAILED with CloudFormation's reason "Transform AWS::Serverless-2016-10-31 failed with: ...".
- Short-form intrinsics in YAML: moto splits `!GetAtt A.Outputs.B` at every dot (AWS: at the
  first, [A, Outputs.B]) and leaves the items of a short-form list as YAML nodes, so a
  template and its long-form dump (SAM CLI re-dumps the templates it packages) differ, and a
  change set between them is never empty. Here they read as CloudFormation reads them.
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
- Resource types moto does not model (AWS::ApiGateway::Stage, which every SAM Api event
  makes, among them): moto leaves a hole in the stack that breaks DescribeStackResource(s)
  with a 500. Here they exist as placeholders with a physical id, as every resource does on
  AWS, whose attributes read as "<logical id>.<attribute>".
- Stack updates: moto adds new resources before it modifies changed ones, so a new
  AWS::Lambda::Version is published from the function's old code. AWS works in dependency
  order: a resource goes after the ones it refers to.
- DeletionPolicy Retain: moto honours it when a stack is deleted but not when an update
  removes the resource; AWS keeps the resource in both cases.
"""

import copy
import re
import uuid

import yaml
from moto.cloudformation import models as cfn
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.cloudformation.exceptions import ValidationError
from moto.core.common_models import CloudFormationModel

from . import events
from .errors import TransformError
from .patching import patch, require
from .sam import sam_transform

require(cfn.Stack, "parse_template", "_create_output_map")
require(cfn.CloudFormationBackend, "describe_change_set")
require(cfn_responses, "ActionResult")
require(parsing, "NULL_MODELS", "UnformattedGetAttTemplateException")
require(parsing.ResourceMap, "build_resource_diff", "load_mapping", "load_parameters", "load_conditions")


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


patch(cfn, "yaml_tag_constructor", _yaml_tag_constructor)  # Stack.parse_template registers it


def _stack_init_as_aws(self, *args, **kwargs):
    # moto parses the template before it stores parameters, region and account; the
    # transform needs them, so they are set first.
    self.parameters = kwargs.get("parameters", {})
    self.region_name = kwargs.get("region_name")
    self.account_id = kwargs.get("account_id")
    _stack_init(self, *args, **kwargs)
    # Its resources' events go to it (events.py).
    events.remember(self)


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


def _stack_update_checked(self, template, role_arn=None, parameters=None, tags=None):
    # Refuse a template the transform rejects before moto changes anything of the stack.
    try:
        sam_transform(cfn.Stack.parse_template(template), parameters or self.parameters, self.region_name, self.account_id)
    except TransformError as e:
        raise ValidationError(message=str(e)) from e
    return _stack_update(self, template, role_arn=role_arn, parameters=parameters, tags=tags)


_stack_init = patch(cfn.Stack, "__init__", _stack_init_as_aws)
patch(cfn.Stack, "_parse_template", _stack_parse_template)
patch(cfn.Stack, "has_template", _stack_has_template)
_stack_update = patch(cfn.Stack, "update", _stack_update_checked)


# --- change sets --------------------------------------------------------------------------

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


_change_set_parse_template = patch(cfn.ChangeSet, "_parse_template", _change_set_parse)


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


_create_change_set = patch(cfn.CloudFormationBackend, "create_change_set", _create_change_set_with_status)


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


_execute_change_set = patch(cfn.CloudFormationBackend, "execute_change_set", _execute_change_set_with_outputs)


def _list_change_sets_of_stack(self):
    name = self._get_param("StackName")
    sets = [cs for cs in self.cloudformation_backend.change_sets.values() if name in (cs.stack_name, cs.stack_id)]
    return cfn_responses.ActionResult({"Summaries": sets})


def _get_template_of_change_set(self):
    name = self._get_param("ChangeSetName")
    if not name:
        return _get_template(self)
    cs = self.cloudformation_backend.describe_change_set(name)
    if cs is None:
        raise ValidationError(message=f"ChangeSet [{name}] does not exist")
    return cfn_responses.ActionResult({"TemplateBody": cs.template})


patch(cfn_responses.CloudFormationResponse, "list_change_sets", _list_change_sets_of_stack)
_get_template = patch(cfn_responses.CloudFormationResponse, "get_template", _get_template_of_change_set)


# --- stack updates ------------------------------------------------------------------------

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


def _update_as_aws(self, template, parameters=None):
    """ResourceMap.update in dependency order (moto's adds before it modifies), forgetting the
    resources it removes (moto keeps their objects, and "adds" them back uncreated when a later
    update brings them back)."""
    removed = [n for n in self._resource_json_map if n not in template.get("Resources", {})]
    _update_in_dependency_order(self, template, parameters)
    for name in removed:
        self._parsed_resources.pop(name, None)


patch(parsing.ResourceMap, "update", _update_as_aws)


def _delete_resource_as_aws(self, parsed_resource, resource_json):
    if resource_json.get("DeletionPolicy") == "Retain":
        # AWS keeps it, whether an update removes it or the stack goes, and says so.
        logical_id = events.logical_id_of(self, parsed_resource)
        events.resource_event(self.stack_id, logical_id, resource_json.get("Type", ""), "DELETE_SKIPPED", parsed_resource)
        return
    # Its deletion is recorded as the stack's events (events.py).
    events.deleting(self, parsed_resource, resource_json, lambda: _moto_delete_resource(self, parsed_resource, resource_json))


_moto_delete_resource = patch(parsing.ResourceMap, "_delete_resource", _delete_resource_as_aws)


# --- resource types moto does not model -----------------------------------------------------

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


def _resource_class_or_placeholder(resource_type):
    cls = _resource_class_from_type(resource_type)
    if cls is None and resource_type not in parsing.NULL_MODELS:
        return Placeholder
    return cls


_resource_class_from_type = patch(parsing, "resource_class_from_type", _resource_class_or_placeholder)
