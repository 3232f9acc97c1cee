"""AWS::ApiGateway::RestApi from Body (apigateway.py)."""

import unittest

from .base import MotoTest

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"

BODY = {
    "swagger": "2.0",
    "info": {"title": "hello-api", "version": "1.0"},
    "paths": {
        "/hello": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": URI}}},
        "/items/{id}": {"x-amazon-apigateway-any-method": {}},
    },
}


class RestApiFromBodyTest(MotoTest):
    def test_the_name_and_paths_come_from_the_definition(self):
        self.create_stack("api", {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": BODY}}}})
        apis = self.apigw.get_rest_apis()["items"]
        self.assertEqual([a["name"] for a in apis], ["hello-api"])
        api_id = apis[0]["id"]
        self.assertEqual(self.resources("api")["Api"][1], api_id)
        by_path = {r["path"]: r for r in self.apigw.get_resources(restApiId=api_id)["items"]}
        self.assertEqual(sorted(by_path), ["/", "/hello", "/items", "/items/{id}"])
        self.assertEqual(sorted(by_path["/hello"].get("resourceMethods", {})), ["GET"])
        self.assertEqual(sorted(by_path["/items/{id}"].get("resourceMethods", {})), ["ANY"])
        integ = self.apigw.get_integration(restApiId=api_id, resourceId=by_path["/hello"]["id"], httpMethod="GET")
        self.assertEqual((integ["type"], integ["uri"], integ["httpMethod"]), ("AWS_PROXY", URI, "POST"))

    def test_a_named_api_is_still_moto_s(self):
        self.create_stack("named", {"Resources": {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "by-name"}}}})
        self.assertEqual([a["name"] for a in self.apigw.get_rest_apis()["items"]], ["by-name"])


if __name__ == "__main__":
    unittest.main()
