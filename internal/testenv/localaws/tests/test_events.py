"""Stack events (events.py): each resource's, and the request token on every event."""

import json
import unittest

from .base import ClientError, MotoTest


def repo(name, **extra):
    return dict({"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": name}}, **extra)


class EventsTest(MotoTest):
    def events(self, stack):
        """(logical id, status, token) of the stack's events, oldest first."""
        out = self.cfn.describe_stack_events(StackName=stack)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ClientRequestToken")) for e in reversed(out)]

    def test_each_resource_has_its_events_with_the_requests_token(self):
        t = {"Resources": {"A": repo("ev/a"), "B": repo("ev/b", DependsOn="A")}}
        self.cfn.create_stack(StackName="ev", TemplateBody=json.dumps(t), ClientRequestToken="create-1")
        t["Resources"]["B"]["Properties"]["ImageTagMutability"] = "IMMUTABLE"
        self.cfn.update_stack(StackName="ev", TemplateBody=json.dumps(t), ClientRequestToken="update-1")
        self.cfn.delete_stack(StackName="ev", ClientRequestToken="delete-1")
        stack_id = self.cfn.list_stacks()["StackSummaries"][0]["StackId"]
        got = [e for e in self.events(stack_id) if e[0] != "ev"]
        self.assertEqual(got[:4], [
            ("A", "CREATE_IN_PROGRESS", "create-1"), ("A", "CREATE_COMPLETE", "create-1"),
            ("B", "CREATE_IN_PROGRESS", "create-1"), ("B", "CREATE_COMPLETE", "create-1"),
        ])
        self.assertIn(("B", "UPDATE_IN_PROGRESS", "update-1"), got)
        self.assertIn(("B", "UPDATE_COMPLETE", "update-1"), got)
        for logical in "AB":
            self.assertIn((logical, "DELETE_IN_PROGRESS", "delete-1"), got)
            self.assertIn((logical, "DELETE_COMPLETE", "delete-1"), got)
        own = [e for e in self.events(stack_id) if e[0] == "ev"]
        self.assertTrue(own and all(token for _, _, token in own), own)

    def test_an_executed_change_sets_events_carry_the_executions_token(self):
        t = {"Resources": {"A": repo("cs/a")}}
        cs = self.cfn.create_change_set(StackName="cs", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps(t))
        self.cfn.execute_change_set(ChangeSetName=cs["Id"], ClientRequestToken="execute-1")
        got = [e for e in self.events("cs") if e[0] == "A"]
        self.assertEqual(got, [("A", "CREATE_IN_PROGRESS", "execute-1"), ("A", "CREATE_COMPLETE", "execute-1")])

    def test_a_complete_event_names_the_physical_resource(self):
        self.create_stack("phys", {"Resources": {"A": repo("phys/a")}})
        done = [e for e in self.cfn.describe_stack_events(StackName="phys")["StackEvents"]
                if e["ResourceStatus"] == "CREATE_COMPLETE" and e["LogicalResourceId"] != "phys"]
        self.assertEqual([(e["LogicalResourceId"], e["PhysicalResourceId"], e["ResourceType"]) for e in done],
                         [("A", "phys/a", "AWS::ECR::Repository")])

    def test_a_failed_create_says_why(self):
        t = {"Resources": {"Good": repo("fail/good"), "Bad": repo("BAD", DependsOn="Good")}}
        with self.assertRaises(ClientError):
            self.cfn.create_stack(StackName="fail", TemplateBody=json.dumps(t), ClientRequestToken="create-2")
        failed = [e for e in self.cfn.describe_stack_events(StackName="fail")["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"]
        self.assertEqual([e["LogicalResourceId"] for e in failed], ["Bad"])
        self.assertIn("repositoryName", failed[0]["ResourceStatusReason"])
        self.assertEqual(failed[0]["ClientRequestToken"], "create-2")

    def test_a_resource_whose_condition_is_false_has_no_events(self):
        t = {"Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
             "Resources": {"A": repo("cond/a"), "N": repo("cond/n", Condition="Never")}}
        self.create_stack("cond", t)
        self.assertNotIn("N", [e[0] for e in self.events("cond")])


if __name__ == "__main__":
    unittest.main()
