"""The one way the launcher changes moto: patch (replace an attribute that must exist), wrap
(replace it with a wrapper of itself) and add (give a class an attribute moto's lacks).

A moto release that renames or removes a target makes start-up fail with the target's dotted
name, instead of leaving a fix silently unapplied (an assignment to a missing attribute just
creates it, and nothing ever calls it). Each target is patched once: a second patch of one
target would wrap the first and make the order of modules matter, so it is refused too;
where two fixes touch one target, one replacement does both.
"""

from .errors import EmulatorMismatch

_MISSING = object()

# The dotted name of every target patched or added, in the order patched.
applied = []


def dotted(owner, name):
    """owner.name spelled with its module, e.g. moto.cloudformation.parsing.ResourceMap.update."""
    if isinstance(owner, type):
        return f"{owner.__module__}.{owner.__qualname__}.{name}"
    return f"{getattr(owner, '__name__', repr(owner))}.{name}"


def _record(target):
    if target in applied:
        raise EmulatorMismatch(f"{target} is patched twice: make one patch that does both")
    applied.append(target)


def patch(owner, name, replacement):
    """Replaces owner.name (a module or class attribute, possibly inherited) with replacement
    and returns the original (as getattr reads it: a classmethod comes back bound, its function
    is .__func__). Raises EmulatorMismatch when owner has no such attribute."""
    target = dotted(owner, name)
    original = getattr(owner, name, _MISSING)
    if original is _MISSING:
        raise EmulatorMismatch(f"{target} is missing: this moto renamed or removed what a fix patches")
    _record(target)
    setattr(owner, name, replacement)
    return original


def wrap(owner, name, wrapper):
    """patch(owner, name, wrapper(original)); returns the original."""
    target = dotted(owner, name)
    original = getattr(owner, name, _MISSING)
    if original is _MISSING:
        raise EmulatorMismatch(f"{target} is missing: this moto renamed or removed what a fix patches")
    return patch(owner, name, wrapper(original))


def add(cls, name, value):
    """Gives cls an attribute of its own that moto's lacks (it may inherit a default).
    Raises EmulatorMismatch when cls defines name itself: moto has grown what the fix
    supplies, and the fix needs looking at again."""
    target = dotted(cls, name)
    if name in vars(cls):
        raise EmulatorMismatch(f"{target} is defined by this moto: review the fix that adds it")
    _record(target)
    setattr(cls, name, value)


def require(owner, *names):
    """Fails like patch when owner lacks one of names: moto internals a fix calls, checked at
    start rather than when a test first reaches them."""
    for name in names:
        if getattr(owner, name, _MISSING) is _MISSING:
            raise EmulatorMismatch(f"{dotted(owner, name)} is missing: this moto renamed or removed what a fix calls")
