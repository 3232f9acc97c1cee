"""The patch helper and the version check: a moto that moved a target, or another release,
fails start-up with one clear line."""

import types
import unittest
from importlib import metadata

from . import base  # noqa: F401  (installs the fixes)
from localaws import patching, versions
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


class VersionTest(unittest.TestCase):
    def test_the_installed_versions_are_the_expected_ones(self):
        versions.check()
        for dist, want in versions.EXPECTED.items():
            self.assertEqual(metadata.version(dist), want)

    def test_another_version_fails_with_one_line_naming_both(self):
        with self.assertRaises(EmulatorMismatch) as e:
            versions.check({"moto": "5.2.1"}, version=lambda dist: "5.3.0")
        msg = str(e.exception)
        self.assertNotIn("\n", msg)
        self.assertIn("moto 5.2.1 expected, 5.3.0 found", msg)

    def test_a_missing_distribution_fails_too(self):
        def none(dist):
            raise metadata.PackageNotFoundError(dist)

        with self.assertRaises(EmulatorMismatch) as e:
            versions.check({"aws-sam-translator": "1.110.0"}, version=none)
        self.assertIn("aws-sam-translator 1.110.0 expected, none installed", str(e.exception))


if __name__ == "__main__":
    unittest.main()
