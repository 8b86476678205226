#!/usr/bin/env python3
"""Validates one report, read from standard input, for tests/schemas.rs.

    validate.py json-schema SCHEMA.json [--each]   against a JSON Schema (draft by its $schema; --each: every
                                                   item of a top-level array on its own)
    validate.py asff                               a JSON array of ASFF findings against botocore's model of
                                                   Security Hub's BatchImportFindings input, as boto3 would
                                                   check it before sending, plus the model's enums, patterns
                                                   and maximum lengths, which boto3 leaves to the service, and
                                                   the limits its documentation states (a field's "Maximum
                                                   length of N", ProductFields' 50 pairs of 128 and 2048)

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


# "Length Constraints: Minimum of 1 length. Maximum of 512 length." / "Maximum length of 256."
DOCUMENTED_MAX = re.compile(r"Maximum (?:length )?of (\d+)(?: length)?")
# ProductFields: "Can contain up to 50 key-value pairs. For each key-value pair, the key can contain up to 128
# characters, and the value can contain up to 2048 characters."
DOCUMENTED_MAP = re.compile(r"up to (\d+) key-value pairs.*key can contain up to (\d+) characters.*value can contain up to (\d+)")


def units(text):
    return len(text.encode("utf-16-le")) // 2


def documented(value, member, path, problems):
    """The limits only the documentation of a structure's member states (botocore's shape has none)."""
    doc = re.sub(r"<[^>]+>", " ", member.documentation or "")
    if member.type_name == "string" and isinstance(value, str):
        found = DOCUMENTED_MAX.search(doc)
        if found and units(value) > int(found.group(1)):
            problems.append(f"{path}: {units(value)} characters, more than the documented {found.group(1)}")
    elif member.type_name == "map" and isinstance(value, dict):
        found = DOCUMENTED_MAP.search(" ".join(doc.split()))
        if found:
            pairs, key_max, value_max = (int(n) for n in found.groups())
            if len(value) > pairs:
                problems.append(f"{path}: {len(value)} pairs, more than the documented {pairs}")
            for k, v in value.items():
                if units(k) > key_max:
                    problems.append(f"{path} key {k[:40]!r}: longer than the documented {key_max}")
                if isinstance(v, str) and units(v) > value_max:
                    problems.append(f"{path}[{k!r}]: {units(v)} characters, more than the documented {value_max}")


def walk(value, shape, path, problems):
    """What ParamValidator leaves to the service: enums, patterns, maximum lengths and counts."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        for key, member in value.items():
            if key in shape.members:
                documented(member, shape.members[key], f"{path}.{key}", problems)
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
