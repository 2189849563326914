"""Well-formed requests made from the app's OpenAPI schema, for tests that walk every route.

A request body (or a required query parameter) gets the smallest value its schema accepts,
preferring the schema's own examples, and ids named after what they refer to (``company_id``,
``partnership_id``...) from a map the test gives, so that the request passes validation and
reaches the use case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from uuid import NAMESPACE_URL, uuid5

Schema = dict[str, Any]

SAMPLE_FORMATS = {
    "date": "2014-03-12",
    "date-time": "2014-03-12T10:00:00Z",
    "time": "18:00",
    "email": "contact@labo.example",
}


class Bodies:
    def __init__(self, openapi: Schema, ids: Mapping[str, str]) -> None:
        self.openapi = openapi
        self.ids = ids

    def operation(self, method: str, path: str) -> Schema:
        operation: Schema = self.openapi["paths"][path][method.lower()]
        return operation

    def body(self, method: str, path: str) -> Any | None:
        """A minimal valid JSON body for the operation, or None if it takes none."""
        content = self.operation(method, path).get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return None if schema is None else self.value(schema, "")

    def query(self, method: str, path: str) -> dict[str, Any]:
        """The operation's required query parameters, with valid values."""
        return {
            p["name"]: self.value(p["schema"], p["name"])
            for p in self.operation(method, path).get("parameters", [])
            if p["in"] == "query" and p.get("required")
        }

    def id_for(self, name: str) -> str:
        """The id a field of this name refers to, if the map knows it, else a new UUID."""
        if name in self.ids:
            return self.ids[name]
        for key, value in self.ids.items():
            if key.removesuffix("_id") in name:
                return value
        return str(uuid5(NAMESPACE_URL, name))  # unknown, but the same on every call

    def value(self, schema: Schema, name: str) -> Any:
        schema = self._resolved(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("format") == "uuid":
            return self.id_for(name)
        if schema.get("examples"):
            return schema["examples"][0]
        for combinator in ("anyOf", "oneOf", "allOf"):
            if combinator in schema:
                options = [o for o in schema[combinator] if self._resolved(o).get("type") != "null"]
                return self.value(options[0], name)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            properties = schema.get("properties", {})
            return {key: self.value(properties[key], key) for key in schema.get("required", [])}
        if kind == "array":
            return [self.value(schema.get("items", {}), name)] * int(schema.get("minItems", 0))
        if kind == "integer":
            return int(schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1))
        if kind == "number":
            return schema.get("minimum", 1)
        if kind == "boolean":
            return False
        return self._text(schema)

    def _text(self, schema: Schema) -> str:
        if schema.get("format") in SAMPLE_FORMATS:
            return SAMPLE_FORMATS[schema["format"]]
        pattern = schema.get("pattern")
        if pattern and re.fullmatch(pattern, "67"):
            return "67"
        return "x" * max(1, int(schema.get("minLength", 1)))

    def _resolved(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = self.openapi["components"]["schemas"][name]
        return schema
