"""The SAM transform wired into CloudFormation (sam.py; cloudformation.py's Stack.__init__,
Stack._parse_template, Stack.update, ChangeSet._parse_template, create_change_set)."""

import json
import unittest

from .base import ClientError, MotoTest

APP = """Transform: AWS::Serverless-2016-10-31
Parameters:
  Name:
    Type: String
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Ref Name
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1
Outputs:
  Arn:
    Value: !GetAtt Fn.Arn
"""

# Refused by the transform: an Api event without Method.
BAD = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:v1
      Events:
        E:
          Type: Api
          Properties: {Path: /x}
"""

FAILED = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document."


class SAMTransformTest(MotoTest):
    def test_create_stack_makes_the_functions_with_the_stacks_parameters(self):
        # Stack.__init__ sets the parameters before moto parses; Stack._parse_template runs the transform.
        self.create_stack("app", APP, Parameters=[{"ParameterKey": "Name", "ParameterValue": "from-param"}])
        types = {t for t, _ in self.resources("app").values()}
        self.assertIn("AWS::Lambda::Function", types)
        self.assertIn("AWS::IAM::Role", types)
        fn = self.lam.get_function(FunctionName="from-param")["Configuration"]
        self.assertEqual(self.outputs("app")["Arn"], fn["FunctionArn"])

    def test_get_template_answers_the_template_as_submitted(self):
        self.create_stack("app", APP, Parameters=[{"ParameterKey": "Name", "ParameterValue": "f"}])
        self.assertEqual(self.cfn.get_template(StackName="app")["TemplateBody"], APP)

    def test_create_stack_refused_by_the_transform_is_a_validation_error(self):
        with self.assertRaises(ClientError) as e:
            self.create_stack("bad", BAD)
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")
        self.assertIn(FAILED, e.exception.response["Error"]["Message"])

    def test_update_stack_refused_by_the_transform_changes_nothing(self):
        # Stack.update runs the transform before moto changes the stack.
        good = BAD.replace("{Path: /x}", "{Path: /x, Method: get}")
        self.create_stack("upd", good)
        with self.assertRaises(ClientError) as e:
            self.update_stack("upd", BAD)
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")
        self.assertIn(FAILED, e.exception.response["Error"]["Message"])
        self.assertEqual(self.cfn.get_template(StackName="upd")["TemplateBody"], good)
        self.assertEqual(self.stack("upd")["StackStatus"], "CREATE_COMPLETE")

    def test_update_stack_transforms_the_new_template(self):
        self.create_stack("app", APP, Parameters=[{"ParameterKey": "Name", "ParameterValue": "one"}])
        self.update_stack("app", APP.replace("hello:v1", "hello:v2"), Parameters=[{"ParameterKey": "Name", "UsePreviousValue": True}])
        code = self.lam.get_function(FunctionName="one")["Code"]
        self.assertTrue(code["ImageUri"].endswith("hello:v2"), code)

    def test_a_change_set_has_the_transformed_resources(self):
        # ChangeSet._parse_template runs the transform.
        cs = self.cfn.create_change_set(StackName="cs", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=APP,
                                        Parameters=[{"ParameterKey": "Name", "ParameterValue": "cs-fn"}])
        d = self.cfn.describe_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(d["Status"], "CREATE_COMPLETE", d.get("StatusReason"))
        types = {c["ResourceChange"]["ResourceType"] for c in d["Changes"]}
        self.assertEqual(types, {"AWS::Lambda::Function", "AWS::IAM::Role"})
        self.cfn.execute_change_set(ChangeSetName=cs["Id"])
        self.lam.get_function(FunctionName="cs-fn")

    def test_a_change_set_refused_by_the_transform_fails_with_the_reason(self):
        # create_change_set marks it FAILED, as CloudFormation does, instead of an error.
        cs = self.cfn.create_change_set(StackName="bad", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=BAD)
        d = self.cfn.describe_change_set(ChangeSetName=cs["Id"])
        self.assertEqual((d["Status"], d["ExecutionStatus"]), ("FAILED", "UNAVAILABLE"))
        self.assertTrue(d["StatusReason"].startswith(FAILED), d["StatusReason"])
        self.assertEqual(d.get("Changes", []), [])

    def test_a_nested_stack_is_transformed_too(self):
        self.s3.create_bucket(Bucket="templates")
        self.s3.put_object(Bucket="templates", Key="child.yaml", Body=APP.encode())
        parent = {
            "Resources": {
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {"TemplateURL": "https://templates.s3.amazonaws.com/child.yaml", "Parameters": {"Name": "nested-fn"}},
                }
            }
        }
        self.create_stack("parent", json.dumps(parent))
        self.lam.get_function(FunctionName="nested-fn")


if __name__ == "__main__":
    unittest.main()
