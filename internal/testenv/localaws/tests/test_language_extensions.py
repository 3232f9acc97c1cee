"""The AWS::LanguageExtensions transform (language_extensions.py), through CreateStack as a
template reaches it, and alone for its failures."""

import json
import unittest

from localaws.errors import TransformError
from localaws.language_extensions import language_extensions

from .base import ClientError, MotoTest

LOOPS = {
    "Transform": ["AWS::LanguageExtensions"],
    "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a-1,b-2"}},
    "Mappings": {"Size": {"a-1": {"Value": "small"}, "b-2": {"Value": "large"}}},
    "Conditions": {"Fn::ForEach::C": ["N", {"Ref": "Names"}, {"Is&{N}": {"Fn::Equals": [{"Ref": "N"}, "a-1"]}}]},
    "Resources": {
        "Fn::ForEach::Repos": ["N", {"Ref": "Names"}, {
            "Repo&{N}": {"Type": "AWS::ECR::Repository", "Properties": {
                "RepositoryName": "loop/${N}",
                "Tags": [
                    {"Key": "size", "Value": {"Fn::FindInMap": ["Size", {"Ref": "N"}, "Value"]}},
                    {"Key": "count", "Value": {"Fn::Length": ["x", "y", "z"]}},
                    {"Key": "json", "Value": {"Fn::ToJsonString": {"n": "${N}"}}},
                ],
            }},
        }],
    },
    "Outputs": {"Fn::ForEach::O": ["N", ["a-1", "b-2"], {"Out&{N}": {"Value": {"Ref": "Repo&{N}"}}}]},
}


class LanguageExtensionsTest(MotoTest):
    def test_loops_expand_and_functions_resolve_in_a_stack(self):
        self.create_stack("le", json.dumps(LOOPS), Parameters=[{"ParameterKey": "Names", "ParameterValue": "a-1,b-2"}])
        res = self.resources("le")
        self.assertEqual(sorted(res), ["Repoa1", "Repob2"])
        repos = {r["repositoryName"]: r["repositoryArn"] for r in self.ecr.describe_repositories()["repositories"]}
        self.assertEqual(sorted(repos), ["loop/a-1", "loop/b-2"])
        tags = {t["Key"]: str(t["Value"]) for t in self.ecr.list_tags_for_resource(resourceArn=repos["loop/b-2"])["tags"]}
        self.assertEqual(tags, {"size": "large", "count": "3", "json": '{"n":"b-2"}'})
        self.assertEqual(sorted(self.outputs("le")), ["Outa1", "Outb2"])

    def test_a_malformed_loop_fails_the_stack_with_the_transforms_reason(self):
        bad = dict(LOOPS, Resources={"Fn::ForEach::Bad": ["N", {"Ref": "Names"}]})
        with self.assertRaises(ClientError) as e:
            self.create_stack("bad", json.dumps(bad))
        self.assertEqual(e.exception.response["Error"]["Code"], "ValidationError")
        self.assertIn("Transform AWS::LanguageExtensions failed with: Fn::ForEach::Bad layout is incorrect",
                      e.exception.response["Error"]["Message"])


class LanguageExtensionsUnitTest(unittest.TestCase):
    def test_a_template_without_the_transform_is_left_alone(self):
        t = {"Resources": {"Fn::ForEach::X": ["N", ["a"], {"R${N}": {}}]}}
        self.assertIs(language_extensions(t, {}), t)

    def test_loops_nest_and_the_transform_is_dropped(self):
        t = {"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"], "Resources": {
            "Fn::ForEach::A": ["X", ["a", "b"], {"Fn::ForEach::B": ["Y", ["1"], {"R${X}${Y}": {"Type": "T", "Properties": {"P": {"Ref": "X"}}}}]}]}}
        out = language_extensions(t, {})
        self.assertEqual(out["Transform"], "AWS::Serverless-2016-10-31")
        self.assertEqual(out["Resources"], {"Ra1": {"Type": "T", "Properties": {"P": "a"}}, "Rb1": {"Type": "T", "Properties": {"P": "b"}}})

    def test_find_in_map_of_joined_keys_and_its_default(self):
        t = {"Transform": "AWS::LanguageExtensions", "Mappings": {"M": {"k-1": {"v": "found"}}}, "Resources": {"R": {"Type": "T", "Properties": {
            "A": {"Fn::FindInMap": ["M", {"Fn::Join": ["-", ["k", "1"]]}, "v"]},
            "B": {"Fn::FindInMap": ["M", "nope", "v", {"DefaultValue": "dflt"}]},
            "C": {"Fn::ToJsonString": {"Ref": "Keep"}},
        }}}}
        props = language_extensions(t, {})["Resources"]["R"]["Properties"]
        self.assertEqual(props, {"A": "found", "B": "dflt", "C": {"Fn::ToJsonString": {"Ref": "Keep"}}})

    def test_failures(self):
        base = {"Transform": "AWS::LanguageExtensions", "Parameters": {"P": {"Type": "String", "Default": "x"}}}
        for resources, reason in [
            ({"Fn::ForEach::L": ["N", ["a", "a"], {"R": {}}]}, "Fn::ForEach::L: R is defined twice"),
            ({"Fn::ForEach::L": ["P", ["a"], {"R${P}": {}}]}, "Fn::ForEach::L: identifier P conflicts"),
            ({"Fn::ForEach::L": ["N", "a", {"R${N}": {}}]}, "Fn::ForEach::L: the collection is not a list"),
            ({"R": {"Type": "T", "Properties": {"A": {"Fn::FindInMap": ["M", "a", "b"]}}}}, "Fn::FindInMap: no a/b in mapping M"),
        ]:
            with self.subTest(reason=reason), self.assertRaises(TransformError) as e:
                language_extensions(dict(base, Resources=resources), {})
            self.assertEqual(str(e.exception), "Transform AWS::LanguageExtensions failed with: " + reason)


if __name__ == "__main__":
    unittest.main()
