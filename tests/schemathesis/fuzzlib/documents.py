"""The documents the fuzzer runs on: each service's served /openapi.json, and for tcr-svc one
document per action derived from it.

tcr-svc has one operation (``POST /``, operationId ``TencentCloudApi``) whose header
``X-TC-Action`` picks the action and whose body is a ``oneOf`` of every action's
``<Action>Request``. Fuzzed as is, most requests would pair one action with another's body.
So, per action, the derived document keeps that operation with ``X-TC-Action`` narrowed to
the action, the body to ``<Action>Request`` and the 200 answer's ``Response`` to
``<Action>Response`` or ``TencentError`` (the convention of docs/openapi/tcr.json); the
operationId becomes ``TencentCloudApi.<Action>``.
"""

import copy
import json

import requests

SERVICES = ("lakeformation", "swr", "tcr", "iam")
SIGNED_SCHEMES = ("sdk_hmac_sha256", "tc3_hmac_sha256")
TCR_OPERATION = "TencentCloudApi"


def fetch(http, base_url):
    """The served document, or (None, why not)."""
    try:
        r = http.get(base_url + "/openapi.json", timeout=30)
    except requests.RequestException as e:
        return None, f"GET /openapi.json failed: {e}"
    if r.status_code != 200:
        return None, f"GET /openapi.json answered {r.status_code}"
    try:
        return r.json(), ""
    except ValueError as e:
        return None, f"GET /openapi.json is not JSON: {e}"


def load(path):
    """A document from a file, or (None, why not)."""
    try:
        with open(path) as f:
            return json.load(f), ""
    except (OSError, ValueError) as e:
        return None, f"{path}: {e}"


def _tcr_operation(doc):
    op = (doc.get("paths", {}).get("/") or {}).get("post")
    if not op or op.get("operationId") != TCR_OPERATION:
        raise ValueError(f"no POST / with operationId {TCR_OPERATION}")
    return op


def _action_parameter(op):
    for p in op.get("parameters", []):
        if p.get("in") == "header" and p.get("name", "").lower() == "x-tc-action":
            return p
    raise ValueError("POST / has no X-TC-Action header parameter")


def tcr_actions(doc):
    enum = _action_parameter(_tcr_operation(doc)).get("schema", {}).get("enum")
    if not enum:
        raise ValueError("X-TC-Action has no enum of actions")
    return list(enum)


def tcr_without_actions(doc):
    """The document less ``POST /`` (the probes, the registry login): fuzzed as it is."""
    rest = copy.deepcopy(doc)
    root = rest.get("paths", {}).get("/")
    if root is not None:
        root.pop("post", None)
        if not any(k in root for k in ("get", "put", "post", "delete", "patch", "head", "options")):
            del rest["paths"]["/"]
    return rest


def tcr_for_action(doc, action):
    """The document narrowed to ``action``; ValueError when the document lacks a part the
    convention names."""
    schemas = doc.get("components", {}).get("schemas", {})
    for name in (f"{action}Request", f"{action}Response", "TencentError"):
        if name not in schemas:
            raise ValueError(f"components.schemas has no {name}")
    derived = copy.deepcopy(doc)
    derived["paths"] = {"/": {"post": copy.deepcopy(_tcr_operation(doc))}}
    op = derived["paths"]["/"]["post"]
    op["operationId"] = f"{TCR_OPERATION}.{action}"
    _action_parameter(op)["schema"] = {"type": "string", "enum": [action]}
    for media in op.get("requestBody", {}).get("content", {}).values():
        media["schema"] = {"$ref": f"#/components/schemas/{action}Request"}
    ok = op.get("responses", {}).get("200", {})
    for media in ok.get("content", {}).values():
        media["schema"] = {
            "type": "object", "required": ["Response"],
            "properties": {"Response": {"oneOf": [
                {"$ref": f"#/components/schemas/{action}Response"},
                {"$ref": "#/components/schemas/TencentError"}]}},
        }
    return derived


def security_of(doc, operation):
    """The scheme names an operation accepts (its own ``security`` or the document's), in
    the document's order, "none" standing for an empty alternative (anonymous allowed);
    [] for an open operation."""
    reqs = operation.get("security", doc.get("security", []))
    names = []
    for alternative in reqs:
        for name in alternative or ["none"]:
            if name not in names:
                names.append(name)
    return names
