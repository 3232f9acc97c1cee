"""API Gateway in CloudFormation.

AWS::ApiGateway::RestApi with Body (what SAM's Api events produce): moto requires Name and
ignores Body; AWS takes the name from the definition's info.title and imports its paths.
"""

from moto.apigateway import models as apigw

from .patching import patch, require

require(apigw, "apigateway_backends")
require(apigw.APIGatewayBackend, "create_rest_api", "create_resource", "put_method", "put_integration")


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


_rest_api_create = patch(apigw.RestAPI, "create_from_cloudformation_json", classmethod(_rest_api_from_body)).__func__
