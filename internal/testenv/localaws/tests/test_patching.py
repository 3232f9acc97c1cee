"""The patch helper: a moto that moved a target fails start-up with one clear line."""

import types
import unittest

from . import base  # noqa: F401  (installs the fixes)
from localaws import patching
from localaws.errors import EmulatorMismatch


class Target:
    def method(self):
        return "moto's"


class PatchTest(unittest.TestCase):
    def setUp(self):
        saved = list(patching.applied)
        self.addCleanup(lambda: patching.applied.__setitem__(slice(None), saved))

    def test_patch_replaces_and_returns_the_original(self):
        cls = type("Fresh", (Target,), {"method": lambda self: "fresh"})
        original = patching.patch(cls, "method", lambda self: "fixed")
        self.assertEqual(cls().method(), "fixed")
        self.assertEqual(original(cls()), "fresh")

    def test_a_missing_target_fails_with_its_dotted_name(self):
        module = types.ModuleType("moto.somewhere")
        for attempt in (
            lambda: patching.patch(Target, "renamed", lambda self: None),
            lambda: patching.wrap(Target, "renamed", lambda f: f),
            lambda: patching.require(Target, "method", "renamed"),
        ):
            with self.assertRaises(EmulatorMismatch) as e:
                attempt()
            self.assertIn(f"{__name__}.Target.renamed is missing", str(e.exception))
        with self.assertRaises(EmulatorMismatch) as e:
            patching.patch(module, "gone", None)
        self.assertIn("moto.somewhere.gone is missing", str(e.exception))

    def test_a_target_is_patched_once(self):
        cls = type("Twice", (Target,), {})
        patching.patch(cls, "method", lambda self: 1)
        with self.assertRaises(EmulatorMismatch) as e:
            patching.patch(cls, "method", lambda self: 2)
        self.assertIn("patched twice", str(e.exception))

    def test_add_refuses_what_moto_defines_itself(self):
        cls = type("Own", (Target,), {"method": lambda self: None})
        with self.assertRaises(EmulatorMismatch) as e:
            patching.add(cls, "method", None)
        self.assertIn("is defined by this moto", str(e.exception))
        patching.add(cls, "extra", 1)  # a new attribute, or one only inherited, is fine
        self.assertEqual(cls.extra, 1)

    def test_the_launcher_patches_each_target_once(self):
        self.assertGreater(len(patching.applied), 25)
        self.assertEqual(sorted(set(patching.applied)), sorted(patching.applied))


if __name__ == "__main__":
    unittest.main()
