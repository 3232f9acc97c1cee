"""Stacks, change sets and updates as AWS has them (cloudformation.py)."""

import json
import unittest

from moto.cloudformation import models as cfn

from .base import ClientError, MotoTest


def body(template):
    """A TemplateBody as a dict (boto3 parses JSON ones)."""
    return json.loads(template) if isinstance(template, str) else dict(template)


def repo(name, **extra):
    return dict({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name}}, **extra)


class ShortFormTest(MotoTest):
    """yaml_tag_constructor: short-form intrinsics read as CloudFormation reads them."""

    SHORT = """Parameters:
  P: {Type: String, Default: x}
Resources:
  R: {Type: AWS::ECR::Repository, Properties: {RepositoryName: short/r}}
Metadata:
  A: !GetAtt Child.Outputs.Name
  B: !Join ["", [!Ref P, !Select [0, !Split [",", "a,b"]]]]
  C: !Sub ["${X}", {X: !Ref P}]
"""
    LONG = {
        "Parameters": {"P": {"Type": "String", "Default": "x"}},
        "Resources": {"R": repo("short/r")},
        "Metadata": {
            "A": {"Fn::GetAtt": ["Child", "Outputs.Name"]},
            "B": {"Fn::Join": ["", [{"Ref": "P"}, {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}]]},
            "C": {"Fn::Sub": ["${X}", {"X": {"Ref": "P"}}]},
        },
    }

    def test_short_form_parses_as_its_long_form(self):
        self.assertEqual(cfn.Stack.parse_template(self.SHORT), self.LONG)

    def test_a_change_set_to_the_long_form_dump_is_empty(self):
        self.create_stack("short", self.SHORT)
        cs = self.cfn.create_change_set(StackName="short", ChangeSetName="dump", ChangeSetType="UPDATE", TemplateBody=json.dumps(self.LONG))
        d = self.cfn.describe_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(d["Status"], "FAILED")
        self.assertIn("didn't contain changes", d["StatusReason"])


class UnchangedTest(MotoTest):
    """Stack.has_template: "unchanged" compares the templates as submitted, not moto's
    transformed one with the new one as submitted."""

    SAM = """Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1
"""

    def test_a_change_set_of_the_same_sam_template_has_no_changes(self):
        self.create_stack("same", self.SAM)
        cs = self.cfn.create_change_set(StackName="same", ChangeSetName="again", ChangeSetType="UPDATE", TemplateBody=self.SAM,
                                        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"])
        d = self.cfn.describe_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(d["Status"], "FAILED")
        self.assertIn("didn't contain changes", d["StatusReason"])


class ReviewInProgressTest(MotoTest):
    """create_change_set: a CREATE change set for a stack in REVIEW_IN_PROGRESS goes to that stack."""

    def test_a_second_create_change_set_uses_the_stack_under_review(self):
        first = {"Resources": {"A": repo("review/a")}}
        second = {"Resources": {"B": repo("review/b")}}
        self.cfn.create_change_set(StackName="review", ChangeSetName="c1", ChangeSetType="CREATE", TemplateBody=json.dumps(first))
        cs = self.cfn.create_change_set(StackName="review", ChangeSetName="c2", ChangeSetType="CREATE", TemplateBody=json.dumps(second))
        self.cfn.execute_change_set(ChangeSetName=cs["Id"])
        stacks = [s for s in self.cfn.list_stacks()["StackSummaries"] if s["StackName"] == "review"]
        self.assertEqual(len(stacks), 1, stacks)
        self.assertEqual(body(self.cfn.get_template(StackName="review")["TemplateBody"]), second)
        self.assertEqual(sorted(self.resources("review")), ["B"])


class ChangeSetsTest(MotoTest):
    def setUp(self):
        super().setUp()
        self.v1 = {"Resources": {"A": repo("cs/a")}}
        self.create_stack("one", self.v1)
        self.create_stack("other", {"Resources": {"O": repo("cs/o")}})

    def change_set(self, stack, name, template):
        return self.cfn.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType="UPDATE", TemplateBody=json.dumps(template))["Id"]

    def test_list_change_sets_answers_the_stacks_own(self):
        # CloudFormationResponse.list_change_sets
        self.change_set("one", "mine", {"Resources": {"A": repo("cs/a"), "B": repo("cs/b")}})
        self.change_set("other", "theirs", {"Resources": {}})
        names = [s["ChangeSetName"] for s in self.cfn.list_change_sets(StackName="one")["Summaries"]]
        self.assertEqual(names, ["mine"])

    def test_executing_a_change_set_deletes_the_stacks_others(self):
        # CloudFormationBackend.execute_change_set
        run = self.change_set("one", "run", {"Resources": {"A": repo("cs/a"), "B": repo("cs/b")}})
        stale = self.change_set("one", "stale", {"Resources": {}})
        kept = self.change_set("other", "kept", {"Resources": {}})
        self.cfn.execute_change_set(ChangeSetName=run)
        with self.assertRaises(ClientError):
            self.cfn.describe_change_set(ChangeSetName=stale)
        self.cfn.describe_change_set(ChangeSetName=kept)
        self.assertNotIn("stale", [s["ChangeSetName"] for s in self.cfn.list_change_sets(StackName="one")["Summaries"]])

    def test_get_template_answers_a_change_sets_template(self):
        # CloudFormationResponse.get_template
        v2 = {"Resources": {"A": repo("cs/a"), "B": repo("cs/b")}}
        self.change_set("one", "next", v2)
        self.assertEqual(body(self.cfn.get_template(StackName="one", ChangeSetName="next")["TemplateBody"]), v2)
        self.assertEqual(body(self.cfn.get_template(StackName="one")["TemplateBody"]), self.v1)
        with self.assertRaises(ClientError) as e:
            self.cfn.get_template(StackName="one", ChangeSetName="none")
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")


class ExecuteChangeSetOutputsTest(MotoTest):
    """CloudFormationBackend.execute_change_set: the new template's Outputs are evaluated."""

    def test_a_created_stack_has_its_outputs(self):
        t = {"Resources": {"A": repo("out/a")}, "Outputs": {"Name": {"Value": {"Ref": "A"}}}}
        cs = self.cfn.create_change_set(StackName="out", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps(t))
        self.cfn.execute_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(self.outputs("out"), {"Name": "out/a"})

    def test_an_updated_stack_has_the_new_outputs(self):
        self.create_stack("out", {"Resources": {"A": repo("out/a")}, "Outputs": {"Old": {"Value": "old"}}})
        t = {"Resources": {"A": repo("out/a"), "B": repo("out/b")}, "Outputs": {"New": {"Value": {"Ref": "B"}}}}
        cs = self.cfn.create_change_set(StackName="out", ChangeSetName="c", ChangeSetType="UPDATE", TemplateBody=json.dumps(t))
        self.cfn.execute_change_set(ChangeSetName=cs["Id"])
        self.assertEqual(self.outputs("out"), {"New": "out/b"})


class UpdatesTest(MotoTest):
    """ResourceMap.update and ResourceMap._delete_resource."""

    def repos(self):
        return sorted(r["repositoryName"] for r in self.ecr.describe_repositories()["repositories"])

    def test_a_resource_removed_and_added_back_is_created_again(self):
        both = {"Resources": {"A": repo("back/a"), "B": repo("back/b")}}
        self.create_stack("back", both)
        self.update_stack("back", {"Resources": {"B": repo("back/b")}})
        self.assertEqual(self.repos(), ["back/b"])
        self.update_stack("back", both)
        self.assertEqual(self.repos(), ["back/a", "back/b"])
        self.assertEqual(self.resources("back")["A"][1], "back/a")

    def test_an_update_runs_in_dependency_order(self):
        # A new version of a function whose code the same update changes is published from
        # the new code.
        role = self.role()

        def app(tag, versions):
            res = {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": "ordered", "PackageType": "Image", "Role": role,
                "Code": {"ImageUri": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/ordered:{tag}"}}}}
            for v in versions:
                res[v] = {"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": {"FunctionName": {"Ref": "Fn"}}}
            return {"Resources": res}

        self.create_stack("ordered", app("v1", ["V1"]))
        self.update_stack("ordered", app("v2", ["V1", "V2"]))
        code = {v["Version"]: v["CodeSha256"] for v in self.lam.list_versions_by_function(FunctionName="ordered")["Versions"]}
        self.assertEqual(code["2"], code["$LATEST"])
        self.assertNotEqual(code["1"], code["$LATEST"])

    def test_an_update_keeps_a_retained_resource_it_removes(self):
        self.create_stack("keep", {"Resources": {"K": repo("keep/k", DeletionPolicy="Retain"), "G": repo("keep/g")}})
        self.update_stack("keep", {"Resources": {"G": repo("keep/g")}})
        self.assertEqual(self.repos(), ["keep/g", "keep/k"])
        skipped = [e for e in self.cfn.describe_stack_events(StackName="keep")["StackEvents"]
                   if e["LogicalResourceId"] == "K" and e["ResourceStatus"] == "DELETE_SKIPPED"]
        self.assertEqual(len(skipped), 1)
        self.cfn.delete_stack(StackName="keep")
        self.assertEqual(self.repos(), ["keep/k"])


class PlaceholderTest(MotoTest):
    """resource_class_from_type: types moto does not model exist as placeholders."""

    def test_an_unmodelled_resource_has_a_physical_id_and_attributes(self):
        t = {
            "Resources": {
                "A": repo("ph/a"),
                "Stage": {"Type": "AWS::ApiGateway::Stage", "Properties": {"RestApiId": "x", "StageName": "Prod"}},
            },
            "Outputs": {"Attr": {"Value": {"Fn::GetAtt": ["Stage", "Anything"]}}, "Ref": {"Value": {"Ref": "Stage"}}},
        }
        self.create_stack("ph", t)
        kind, physical = self.resources("ph")["Stage"]
        self.assertEqual(kind, "AWS::ApiGateway::Stage")
        self.assertTrue(physical.startswith("Stage-"), physical)
        one = self.cfn.describe_stack_resource(StackName="ph", LogicalResourceId="Stage")["StackResourceDetail"]
        self.assertEqual(one["PhysicalResourceId"], physical)
        self.assertEqual(self.outputs("ph"), {"Attr": "Stage.Anything", "Ref": physical})


if __name__ == "__main__":
    unittest.main()
