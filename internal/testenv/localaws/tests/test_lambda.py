"""Lambda (lambda_.py): image functions in CloudFormation, AWS::Lambda::Url, Version and
Alias, and image digests."""

import unittest

from .base import ACCOUNT, ClientError, MotoTest

IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app/fn"


class CloudFormationTest(MotoTest):
    def setUp(self):
        super().setUp()
        self.role_arn = self.role()

    def function(self, name="fn", **props):
        return {"Type": "AWS::Lambda::Function", "Properties": dict({
            "FunctionName": name, "Role": self.role_arn, "PackageType": "Image", "Code": {"ImageUri": IMAGE + ":v1"}}, **props)}

    def test_an_image_function_keeps_its_image_properties(self):
        # LambdaFunction.create_from_cloudformation_json
        self.create_stack("img", {"Resources": {"Fn": self.function(
            ImageConfig={"Command": ["app.handler"], "EntryPoint": ["/entry"]}, Architectures=["arm64"])}})
        conf = self.lam.get_function(FunctionName="fn")["Configuration"]
        self.assertEqual(conf["PackageType"], "Image")
        self.assertEqual(conf["ImageConfigResponse"]["ImageConfig"], {"Command": ["app.handler"], "EntryPoint": ["/entry"]})
        self.assertEqual(conf["Architectures"], ["arm64"])

    def test_a_function_url(self):
        # FunctionURL (AWS::Lambda::Url)
        t = {"Resources": {
            "Fn": self.function(),
            "Url": {"Type": "AWS::Lambda::Url", "Properties": {"TargetFunctionArn": {"Ref": "Fn"}, "AuthType": "NONE",
                                                                "Cors": {"AllowOrigins": ["*"]}}},
        }, "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Url", "FunctionUrl"]}}, "Arn": {"Value": {"Fn::GetAtt": ["Url", "FunctionArn"]}}}}
        self.create_stack("url", t)
        conf = self.lam.get_function_url_config(FunctionName="fn")
        self.assertEqual((conf["AuthType"], conf["Cors"]), ("NONE", {"AllowOrigins": ["*"]}))
        fn_arn = self.lam.get_function(FunctionName="fn")["Configuration"]["FunctionArn"]
        self.assertEqual(self.outputs("url"), {"Url": conf["FunctionUrl"], "Arn": fn_arn})
        self.assertEqual(self.resources("url")["Url"][1], fn_arn)

    def test_a_version_is_published_and_deleted_unless_retained(self):
        # LambdaVersion: create_from_cloudformation_json, physical_resource_id, has_cfn_attr,
        # get_cfn_attribute, delete
        v1 = {"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": {"FunctionName": {"Ref": "Fn"}}}
        v2 = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}
        self.create_stack("ver", {"Resources": {"Fn": self.function(), "V1": v1}, "Outputs": {
            "Number": {"Value": {"Fn::GetAtt": ["V1", "Version"]}},
            "Function": {"Value": {"Fn::GetAtt": ["V1", "FunctionArn"]}},
            "Ref": {"Value": {"Ref": "V1"}}}})
        fn_arn = self.lam.get_function(FunctionName="fn")["Configuration"]["FunctionArn"]
        self.assertEqual(self.outputs("ver"), {"Number": "1", "Function": fn_arn, "Ref": fn_arn + ":1"})
        self.assertEqual(self.resources("ver")["V1"][1], fn_arn + ":1")

        def versions():
            return sorted(v["Version"] for v in self.lam.list_versions_by_function(FunctionName="fn")["Versions"])

        v2_code = self.function(Code={"ImageUri": IMAGE + ":v2"})
        self.update_stack("ver", {"Resources": {"Fn": v2_code, "V1": v1, "V2": v2}, "Outputs": {"Ref": {"Value": {"Ref": "V2"}}}})
        self.assertEqual(self.outputs("ver"), {"Ref": fn_arn + ":2"})
        self.assertEqual(versions(), ["$LATEST", "1", "2"])
        self.update_stack("ver", {"Resources": {"Fn": v2_code}})  # removes both: V1 is retained, V2 deleted
        self.assertEqual(versions(), ["$LATEST", "1"])

    def test_an_unknown_version_attribute_is_a_template_error(self):
        # LambdaVersion.has_cfn_attr: CloudFormation validates outputs' attributes up front.
        v = {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}}
        with self.assertRaises(ClientError) as e:
            self.create_stack("bad", {"Resources": {"Fn": self.function(), "V": v}, "Outputs": {"X": {"Value": {"Fn::GetAtt": ["V", "Bogus"]}}}})
        self.assertIn("resource Version does not support attribute type Bogus in Fn::GetAtt", str(e.exception))

    def test_an_alias_is_made_moved_and_deleted_with_the_stack(self):
        # FunctionAlias (AWS::Lambda::Alias)
        def app(tag, version):
            return {"Resources": {
                "Fn": self.function(Code={"ImageUri": IMAGE + ":" + tag}),
                version: {"Type": "AWS::Lambda::Version", "DeletionPolicy": "Retain", "Properties": {"FunctionName": {"Ref": "Fn"}}},
                "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
                    "Name": "live", "FunctionName": {"Ref": "Fn"}, "FunctionVersion": {"Fn::GetAtt": [version, "Version"]}}},
            }, "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Live", "AliasArn"]}}, "Ref": {"Value": {"Ref": "Live"}}}}

        def aliases():
            return [(a["Name"], a["FunctionVersion"]) for a in self.lam.list_aliases(FunctionName="fn")["Aliases"]]

        self.create_stack("alias", app("v1", "V1"))
        self.assertEqual(aliases(), [("live", "1")])
        arn = self.lam.get_alias(FunctionName="fn", Name="live")["AliasArn"]
        self.assertEqual(self.outputs("alias"), {"Arn": arn, "Ref": arn})
        self.update_stack("alias", app("v2", "V2"))
        self.assertEqual(aliases(), [("live", "2")])
        self.update_stack("alias", {"Resources": {"Fn": self.function(Code={"ImageUri": IMAGE + ":v2"})}})
        self.assertEqual(aliases(), [])
        self.cfn.delete_stack(StackName="alias")
        self.assertEqual(self.lam.list_functions()["Functions"], [])


class ImageDigestTest(MotoTest):
    """LambdaFunction._set_function_code: CodeSha256 is the digest ECR has for the tag."""

    def test_the_tag_resolves_to_its_digest_and_a_version_keeps_its_own(self):
        self.ecr.create_repository(repositoryName="app/fn")
        first = self.put_image("app/fn", "latest", [("a", 1)])
        role = self.role()
        self.lam.create_function(FunctionName="fn", PackageType="Image", Role=role, Code={"ImageUri": IMAGE + ":latest"})
        v1 = self.lam.publish_version(FunctionName="fn")["Version"]
        second = self.put_image("app/fn", "latest", [("b", 1)])
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":latest")

        def resolved(qualifier=None):
            out = self.lam.get_function(FunctionName="fn", **({"Qualifier": qualifier} if qualifier else {}))
            return out["Configuration"]["CodeSha256"], out["Code"]["ResolvedImageUri"].split("@", 1)[1]

        self.assertEqual(resolved(), (second.split(":", 1)[1], second))
        self.assertEqual(resolved(v1), (first.split(":", 1)[1], first))

    def test_an_image_not_in_ecr_keeps_moto_s_hash(self):
        role = self.role()
        conf = self.lam.create_function(FunctionName="fn", PackageType="Image", Role=role, Code={"ImageUri": IMAGE + ":absent"})
        self.assertTrue(conf["CodeSha256"])


if __name__ == "__main__":
    unittest.main()


class ResolvedImageUriTest(MotoTest):
    """LambdaFunction.get_code: an ImageUri given by digest resolves to itself."""

    def test_an_image_given_by_digest(self):
        self.ecr.create_repository(repositoryName="app/fn")
        digest = self.put_image("app/fn", "v1", [("a", 1)])
        self.lam.create_function(FunctionName="fn", PackageType="Image", Role=self.role(), Code={"ImageUri": IMAGE + "@" + digest})
        self.assertEqual(self.lam.get_function(FunctionName="fn")["Code"]["ResolvedImageUri"], IMAGE + "@" + digest)
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v1")
        self.assertEqual(self.lam.get_function(FunctionName="fn")["Code"]["ResolvedImageUri"], IMAGE + "@" + digest)


class RevisionTest(MotoTest):
    """RevisionId (LambdaFunction.get_configuration, update_configuration) and
    PublishVersion's RevisionId and CodeSha256 (LambdaResponse.publish_version)."""

    def setUp(self):
        super().setUp()
        self.ecr.create_repository(repositoryName="app/fn")
        self.first = self.put_image("app/fn", "v1", [("a", 1)])
        self.second = self.put_image("app/fn", "v2", [("b", 1)])
        self.created = self.lam.create_function(FunctionName="fn", PackageType="Image", Role=self.role(), Code={"ImageUri": IMAGE + ":v1"})

    def revision(self):
        return self.lam.get_function_configuration(FunctionName="fn")["RevisionId"]

    def test_every_change_of_latest_is_a_new_revision(self):
        created = self.revision()
        self.assertEqual(self.created["RevisionId"], created)
        self.assertEqual(self.lam.get_function(FunctionName="fn")["Configuration"]["RevisionId"], created)
        code = self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")["RevisionId"]
        self.assertNotEqual(code, created)
        self.assertEqual(self.revision(), code)
        config = self.lam.update_function_configuration(FunctionName="fn", MemorySize=256)["RevisionId"]
        self.assertNotIn(config, (created, code))
        self.assertEqual(self.revision(), config)

    def test_publish_version_of_the_revision_and_code_seen(self):
        conf = self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")
        out = self.lam.publish_version(FunctionName="fn", RevisionId=conf["RevisionId"], CodeSha256=conf["CodeSha256"])
        self.assertEqual((out["Version"], out["CodeSha256"]), ("1", self.second.split(":", 1)[1]))

    def test_publish_version_of_another_revision_is_refused(self):
        seen = self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")["RevisionId"]
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v1")
        with self.assertRaises(ClientError) as e:
            self.lam.publish_version(FunctionName="fn", RevisionId=seen)
        self.assertEqual(e.exception.response["Error"]["Code"], "PreconditionFailedException")
        self.assertEqual(self.lam.list_versions_by_function(FunctionName="fn")["Versions"][1:], [])

    def test_publish_version_of_other_code_is_refused(self):
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")
        with self.assertRaises(ClientError) as e:
            self.lam.publish_version(FunctionName="fn", CodeSha256=self.first.split(":", 1)[1])
        self.assertEqual(e.exception.response["Error"]["Code"], "InvalidParameterValueException")
        self.assertEqual(self.lam.list_versions_by_function(FunctionName="fn")["Versions"][1:], [])


class AliasExistsTest(MotoTest):
    """ConflictException: CreateAlias of an existing alias is a ResourceConflictException."""

    def test_create_alias_twice(self):
        self.lam.create_function(FunctionName="fn", PackageType="Image", Role=self.role(), Code={"ImageUri": IMAGE + ":v1"})
        self.lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="$LATEST")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException):
            self.lam.create_alias(FunctionName="fn", Name="live", FunctionVersion="$LATEST")


class UpdateTimeTest(MotoTest):
    """LambdaBackend.update_function_code with SAMSHIP_LAMBDA_UPDATE_SECONDS: an update stays
    InProgress that long, and changes meanwhile are refused as on AWS."""

    def setUp(self):
        super().setUp()
        from localaws import lambda_
        self.now = 1000.0
        for name, value in (("UPDATE_SECONDS", 3.0), ("clock", lambda: self.now)):
            self.addCleanup(setattr, lambda_, name, getattr(lambda_, name))
            setattr(lambda_, name, value)
        self.ecr.create_repository(repositoryName="app/fn")
        self.put_image("app/fn", "v1", [("a", 1)])
        self.put_image("app/fn", "v2", [("b", 1)])
        self.lam.create_function(FunctionName="fn", PackageType="Image", Role=self.role(), Code={"ImageUri": IMAGE + ":v1"})

    def status(self):
        conf = self.lam.get_function_configuration(FunctionName="fn")
        return conf["State"], conf["LastUpdateStatus"]

    def assertConflict(self, call):
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as e:
            call()
        self.assertIn("An update is in progress for resource", str(e.exception))

    def test_in_progress_until_the_time_is_up(self):
        out = self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")
        self.assertEqual(out["LastUpdateStatus"], "InProgress")
        self.assertEqual(self.status(), ("Active", "InProgress"))
        self.now += 2.9
        self.assertEqual(self.lam.get_function(FunctionName="fn")["Configuration"]["LastUpdateStatus"], "InProgress")
        self.now += 0.1
        self.assertEqual(self.status(), ("Active", "Successful"))

    def test_a_change_while_in_progress_is_refused(self):
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")
        sha = self.lam.get_function_configuration(FunctionName="fn")["CodeSha256"]
        self.now += 1
        self.assertConflict(lambda: self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v1"))
        self.assertConflict(lambda: self.lam.publish_version(FunctionName="fn"))
        self.assertEqual(self.lam.get_function_configuration(FunctionName="fn")["CodeSha256"], sha)
        self.now += 2  # done: both go through, and the new update takes its own time
        self.assertEqual(self.lam.publish_version(FunctionName="fn")["Version"], "1")
        self.assertEqual(self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v1")["LastUpdateStatus"], "InProgress")
        self.now += 2.9
        self.assertEqual(self.status(), ("Active", "InProgress"))

    def test_a_published_version_is_never_in_progress(self):
        v1 = self.lam.publish_version(FunctionName="fn")["Version"]
        self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")
        conf = self.lam.get_function_configuration(FunctionName="fn", Qualifier=v1)
        self.assertEqual(conf["LastUpdateStatus"], "Successful")

    def test_zero_keeps_moto_s_behaviour(self):
        from localaws import lambda_
        lambda_.UPDATE_SECONDS = 0.0
        self.assertEqual(self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v2")["LastUpdateStatus"], "Successful")
        self.assertEqual(self.lam.update_function_code(FunctionName="fn", ImageUri=IMAGE + ":v1")["LastUpdateStatus"], "Successful")

    def test_the_setting_is_read_from_the_environment(self):
        from localaws.lambda_ import _update_seconds_from
        for env, want in (({}, 0.0), ({"SAMSHIP_LAMBDA_UPDATE_SECONDS": ""}, 0.0), ({"SAMSHIP_LAMBDA_UPDATE_SECONDS": "2.5"}, 2.5)):
            with self.subTest(env=env):
                self.assertEqual(_update_seconds_from(env), want)
        for raw in ("three", "-1", "nan"):
            with self.subTest(raw=raw):
                with self.assertRaisesRegex(ValueError, f"^SAMSHIP_LAMBDA_UPDATE_SECONDS={raw}: want a number of seconds"):
                    _update_seconds_from({"SAMSHIP_LAMBDA_UPDATE_SECONDS": raw})
