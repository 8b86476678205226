#!/usr/bin/env python3
"""Writes crates/collect/data/service_regions.json: for each AWS partition, its regions and, for each service
that sgaudit's sources call, the regions where that service is offered. The data comes from botocore's
`data/endpoints.json` (the table the AWS CLI and boto3 resolve endpoints from); the services are the
endpoint keys the sources declare (`service: "..."` in crates/collect/src/sources/*.rs).

sgaudit ships this table so that a service endpoint that cannot be reached counts as "not offered in this
region" only when AWS says so, never because a name did not resolve.

    python3 crates/collect/tools/gen_service_regions.py            # rewrite the data file
    python3 crates/collect/tools/gen_service_regions.py --stdout   # print it (the tests compare)
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
SOURCES = os.path.join(CRATE, "src", "sources")
DATA = os.path.join(CRATE, "data", "service_regions.json")


def service_keys():
    keys = set()
    for name in sorted(os.listdir(SOURCES)):
        if name.endswith(".rs"):
            with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
                keys.update(re.findall(r'^\s*service:\s*"([^"]+)"', f.read(), re.MULTILINE))
    if not keys:
        sys.exit(f"no `service: \"...\"` found in {SOURCES}")
    return sorted(keys)


def render(keys):
    import botocore  # the AWS CLI's and boto3's data; installed with moto

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json"), encoding="utf-8") as f:
        endpoints = json.load(f)
    lines = [
        "{",
        f'  "generated_by": "crates/collect/tools/gen_service_regions.py",',
        f'  "botocore": {json.dumps(botocore.__version__)},',
        '  "partitions": {',
    ]
    partitions = sorted(endpoints["partitions"], key=lambda p: p["partition"])
    for i, partition in enumerate(partitions):
        regions = sorted(partition["regions"])
        lines.append(f'    {json.dumps(partition["partition"])}: {{')
        lines.append(f'      "regions": {json.dumps(regions)},')
        lines.append('      "services": {')
        for j, key in enumerate(keys):
            # Keys that are not regions of the partition (`fips-us-east-1`, `aws-global`) are variants of an
            # endpoint, not places; a service the partition does not list is offered nowhere in it.
            service = partition["services"].get(key, {})
            offered = sorted(r for r in service.get("endpoints", {}) if r in partition["regions"])
            comma = "," if j + 1 < len(keys) else ""
            lines.append(f"        {json.dumps(key)}: {json.dumps(offered)}{comma}")
        lines.append("      }")
        lines.append("    }" + ("," if i + 1 < len(partitions) else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stdout", action="store_true", help="print the data instead of writing the file")
    args = parser.parse_args()
    text = render(service_keys())
    if args.stdout:
        sys.stdout.write(text)
        return
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    with open(DATA, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(DATA)}", file=sys.stderr)


if __name__ == "__main__":
    main()
