"""Stack events.

moto records only the stack's own events, none of its resources, and no ClientRequestToken.
AWS records each resource's IN_PROGRESS and COMPLETE (or FAILED, with the reason), and every
event of an operation carries the token of the request that began it.

Patched here: the stack operations of CloudFormationResponse (to know the token), Event
(to carry it) and parsing's create and update of a resource (to record them). A resource's
deletion is recorded by cloudformation.py's one patch of ResourceMap._delete_resource (with
DeletionPolicy Retain), through deleting(); a stack is known here through remember(), which
its one patch of Stack.__init__ calls.
"""

import threading
import weakref

from moto.cloudformation import models as cfn
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses

from .patching import patch, wrap

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
    wrap(cfn_responses.CloudFormationResponse, _name, _with_token)


def _event_init_with_token(self, *args, **kwargs):
    _event_init(self, *args, **kwargs)
    self.client_request_token = getattr(_request, "token", None)


_event_init = patch(cfn.Event, "__init__", _event_init_with_token)


def remember(stack):
    """Makes stack's resources' events recordable (called as each Stack is made)."""
    _stacks[stack.stack_id] = stack


def resource_event(stack_id, logical_id, resource_type, status, resource=None, reason=None):
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


def forget(stack_id, event):
    stack = _stacks.get(stack_id)
    if stack is not None and event is not None and event in stack.events:
        stack.events.remove(event)


def _evented(verb):
    # moto retries an update that fails on a dependency, so only a create's failure is final.
    def evented(change):
        def run(logical_id, resource_json, resources_map, account_id, region_name):
            kind, sid = resource_json.get("Type", ""), resources_map.stack_id
            started = resource_event(sid, logical_id, kind, verb + "_IN_PROGRESS")
            try:
                resource = change(logical_id, resource_json, resources_map, account_id=account_id, region_name=region_name)
            except Exception as e:
                if verb == "CREATE":
                    resource_event(sid, logical_id, kind, "CREATE_FAILED", reason=str(e))
                else:
                    forget(sid, started)
                raise
            if resource is None:  # its Condition is false: AWS does not create it
                forget(sid, started)
            else:
                resource_event(sid, logical_id, kind, verb + "_COMPLETE", resource)
            return resource

        return run

    return evented


wrap(parsing, "parse_and_create_resource", _evented("CREATE"))
wrap(parsing, "parse_and_update_resource", _evented("UPDATE"))


def deleting(resource_map, parsed_resource, resource_json, delete):
    """Runs delete() between the resource's DELETE_IN_PROGRESS and DELETE_COMPLETE."""
    # moto retries a delete that fails on a dependency: only a done one is recorded.
    logical_id = logical_id_of(resource_map, parsed_resource)
    kind = resource_json.get("Type", "")
    started = resource_event(resource_map.stack_id, logical_id, kind, "DELETE_IN_PROGRESS", parsed_resource)
    try:
        delete()
    except Exception:
        forget(resource_map.stack_id, started)
        raise
    resource_event(resource_map.stack_id, logical_id, kind, "DELETE_COMPLETE", parsed_resource)


def logical_id_of(resource_map, parsed_resource):
    return next((k for k, v in resource_map._parsed_resources.items() if v is parsed_resource), "")
