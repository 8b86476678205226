#!/usr/bin/env python3
"""Validates one report, read from standard input, for tests/schemas.rs.

    validate.py json-schema SCHEMA.json [--each]   against a JSON Schema (draft by its $schema; --each: every
                                                   item of a top-level array on its own)
    validate.py asff                               a JSON array of ASFF findings against botocore's model of
                                                   Security Hub's BatchImportFindings input, as boto3 would
                                                   check it before sending, plus the model's enums, patterns
                                                   and maximum lengths, which boto3 leaves to the service

Prints one line per problem. Exit status: 0 valid, 1 invalid, 2 a validator is missing
(`python3 -m pip install jsonschema boto3`; .ci/run installs them).
"""

import json
import re
import sys


def json_schema(schema_path, each, document):
    try:
        import jsonschema
    except ImportError:
        print("python3 cannot import jsonschema: python3 -m pip install jsonschema", file=sys.stderr)
        sys.exit(2)
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    instances = list(enumerate(document)) if each else [(None, document)]
    if each and not instances:
        return ["the array is empty: nothing was validated"]
    problems = []
    for index, instance in instances:
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path)
            prefix = f"[{index}] " if index is not None else ""
            problems.append(f"{prefix}/{where}: {error.message[:300]}")
    return problems


def asff(document):
    try:
        import botocore.session
        from botocore.validate import ParamValidator
    except ImportError:
        print("python3 cannot import botocore: python3 -m pip install boto3", file=sys.stderr)
        sys.exit(2)
    if not isinstance(document, list) or not document:
        return ["expected a non-empty JSON array of findings"]
    model = botocore.session.get_session().get_service_model("securityhub")
    shape = model.operation_model("BatchImportFindings").input_shape
    finding_shape = shape.members["Findings"].member
    problems = []
    # BatchImportFindings takes at most 100 findings a call; each finding is checked on its own.
    for i, finding in enumerate(document):
        report = ParamValidator().validate({"Findings": [finding]}, shape)
        if report.has_errors():
            problems += [f"[{i}] {line}" for line in report.generate_report().splitlines()]
        walk(finding, finding_shape, f"[{i}]", problems)
    return problems


def walk(value, shape, path, problems):
    """What ParamValidator leaves to the service: enums, patterns, maximum lengths and counts."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, member in value.items():
            if key in shape.members:
                walk(member, shape.members[key], f"{path}.{key}", problems)
    elif kind == "list" and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} items, more than {meta['max']}")
        for i, item in enumerate(value):
            walk(item, shape.member, f"{path}[{i}]", problems)
    elif kind == "map" and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} entries, more than {meta['max']}")
        for key, item in value.items():
            walk(key, shape.key, f"{path} key {key!r}", problems)
            walk(item, shape.value, f"{path}[{key!r}]", problems)
    elif kind == "string" and isinstance(value, str):
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        units = len(value.encode("utf-16-le")) // 2
        if "max" in meta and units > meta["max"]:
            problems.append(f"{path}: {units} characters, more than {meta['max']}")
        pattern = meta.get("pattern")
        if pattern:
            try:
                matched = re.fullmatch(pattern, value, re.DOTALL)
            except re.error:
                matched = True  # A Java-only pattern: left to the service.
            if not matched:
                problems.append(f"{path}: {value[:80]!r} does not match {pattern!r}")


def main():
    args = sys.argv[1:]
    document = json.load(sys.stdin)
    if args[:1] == ["json-schema"] and len(args) in (2, 3):
        problems = json_schema(args[1], "--each" in args[2:], document)
    elif args == ["asff"]:
        problems = asff(document)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
