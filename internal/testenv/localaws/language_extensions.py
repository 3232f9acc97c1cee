"""The AWS::LanguageExtensions transform.

moto does not know it, and leaves Fn::ForEach loops as they are (a list where a resource
should be). Here it runs before the SAM transform, as on AWS: Fn::ForEach loops of
Conditions, Resources and Outputs are expanded (a list or a Ref to a CommaDelimitedList/List
parameter; ${Identifier} and &{Identifier} in keys and strings, Ref Identifier), then
Fn::FindInMap whose arguments are literal (after Fn::Join of literals), Fn::Length of a list
and Fn::ToJsonString are resolved; a malformed loop fails with "Transform
AWS::LanguageExtensions failed with: ...".

Nothing of moto is patched here: sam.sam_transform calls language_extensions first.
"""

import copy
import json
import re

from .errors import TransformError

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
_FOREACH = "Fn::ForEach::"


def language_extensions(template, parameters):
    """Returns template with AWS::LanguageExtensions applied (moto lacks it), or template
    itself when it names none."""
    t = template.get("Transform") if isinstance(template, dict) else None
    names = t if isinstance(t, list) else [t]
    if LANGUAGE_EXTENSIONS not in names:
        return template
    out = copy.deepcopy(template)
    values = {}
    for key, p in (out.get("Parameters") or {}).items():
        if isinstance(p, dict) and "Default" in p:
            values[key] = p["Default"]
    values.update(parameters or {})
    try:
        for section in ("Conditions", "Resources", "Outputs"):
            if isinstance(out.get(section), dict):
                out[section] = _expand_loops(out[section], values, [])
        mappings = out.get("Mappings") or {}
        for section in ("Conditions", "Resources", "Outputs"):
            if section in out:
                out[section] = _resolve_le(out[section], mappings)
    except (TransformError, ValueError, TypeError, KeyError) as e:
        raise TransformError(f"Transform {LANGUAGE_EXTENSIONS} failed with: {e}") from e
    rest = [n for n in names if n and n != LANGUAGE_EXTENSIONS]
    out.pop("Transform", None)
    if rest:
        out["Transform"] = rest if len(rest) > 1 else rest[0]
    return out


def _expand_loops(section, values, idents):
    result = {}
    for key, value in section.items():
        if not key.startswith(_FOREACH):
            result[key] = value
            continue
        if not isinstance(value, list) or len(value) != 3 or not isinstance(value[0], str) or not isinstance(value[2], dict):
            raise TransformError(f"{key} layout is incorrect")
        ident, coll, body = value
        if ident in idents or ident in values:
            raise TransformError(f"{key}: identifier {ident} conflicts")
        if isinstance(coll, dict) and set(coll) == {"Ref"} and coll["Ref"] in values:
            coll = values[coll["Ref"]]
            if isinstance(coll, str):
                coll = [c.strip() for c in coll.split(",")] if coll.strip() else []
        if not isinstance(coll, list):
            raise TransformError(f"{key}: the collection is not a list")
        for item in coll:
            item = str(item).lower() if isinstance(item, bool) else str(item)
            expanded = _expand_loops(_substitute(body, ident, item), values, idents + [ident])
            for k, v in expanded.items():
                if k in result:
                    raise TransformError(f"{key}: {k} is defined twice")
                result[k] = v
    return result


def _substitute(node, ident, value):
    if isinstance(node, str):
        return node.replace("${" + ident + "}", value).replace("&{" + ident + "}", re.sub(r"[^A-Za-z0-9]", "", value))
    if isinstance(node, list):
        return [_substitute(n, ident, value) for n in node]
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] == ident:
            return value
        return {_substitute(k, ident, value): _substitute(v, ident, value) for k, v in node.items()}
    return node


def _resolve_le(node, mappings):
    if isinstance(node, list):
        return [_resolve_le(n, mappings) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _resolve_le(v, mappings) for k, v in node.items()}
    if len(node) != 1:
        return node
    (fn, arg), = node.items()
    if fn == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
        keys = [_literal_join(a) for a in arg[:3]]
        if all(isinstance(k, str) for k in keys):
            try:
                return mappings[keys[0]][keys[1]][keys[2]]
            except (KeyError, TypeError):
                if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                    return arg[3]["DefaultValue"]
                raise TransformError(f"Fn::FindInMap: no {keys[1]}/{keys[2]} in mapping {keys[0]}")
    if fn == "Fn::Length" and isinstance(arg, list):
        return len(arg)
    if fn == "Fn::ToJsonString" and not _has_intrinsic(arg):
        return json.dumps(arg, separators=(",", ":"))
    return node


def _literal_join(v):
    """A string, or Fn::Join of strings as its result; None for anything else."""
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and set(v) == {"Fn::Join"}:
        a = v["Fn::Join"]
        if isinstance(a, list) and len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], list) and all(isinstance(x, str) for x in a[1]):
            return a[0].join(a[1])
    return None


def _has_intrinsic(node):
    if isinstance(node, list):
        return any(_has_intrinsic(n) for n in node)
    if isinstance(node, dict):
        return any(k == "Ref" or k.startswith("Fn::") or _has_intrinsic(v) for k, v in node.items())
    return False
