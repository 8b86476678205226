#!/usr/bin/env python3
"""Writes crates/collect/data/service_regions.json: for each AWS partition, its regions and, for each service
that sgaudit's sources call, the regions where that service is offered. The data comes from botocore's
`data/endpoints.json` (the table the AWS CLI and boto3 resolve endpoints from); the services are the
endpoint keys the sources declare (`service: "..."` in crates/collect/src/sources/*.rs).

A global service (`isRegionalized: false` with a `partitionEndpoint`, such as IAM) is offered in every region
of each partition that has it: its one endpoint serves them all.

botocore stopped adding new services to endpoints.json. For a key it lacks in every partition, the rows come
from the hand-kept, cited crates/collect/data/service_regions_supplement.json (every key there is written,
used by a source or not), and only for the partitions an entry covers; the output's "supplement" says which
rows those are and where they come from. botocore always wins where it has the key. A source key that neither
has, but that is a real endpoint key (the endpointPrefix of a botocore service model), is listed under
"no_region_data" and written in no partition: the table does not know it, so an unreachable endpoint of it
stays a failure. A key that is not even that is an error (a typo).

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
SUPPLEMENT = os.path.join(CRATE, "data", "service_regions_supplement.json")


def service_keys():
    keys = set()
    for name in sorted(os.listdir(SOURCES)):
        if name.endswith(".rs"):
            with open(os.path.join(SOURCES, name), encoding="utf-8") as f:
                keys.update(re.findall(r'^\s*service:\s*"([^"]+)"', f.read(), re.MULTILINE))
    if not keys:
        sys.exit(f"no `service: \"...\"` found in {SOURCES}")
    return sorted(keys)


def load_supplement(partitions):
    """The supplement's entries, checked against botocore's partitions: key -> {source, checked, partitions}."""
    with open(SUPPLEMENT, encoding="utf-8") as f:
        doc = json.load(f)
    rel = os.path.relpath(SUPPLEMENT, os.path.dirname(CRATE))
    entries = doc.get("services", {})
    overlap = sorted(set(entries) & set(doc.get("not_found", {})))
    if overlap:
        sys.exit(f"{rel}: {overlap} are both in `services` and in `not_found`")
    for key, entry in entries.items():
        source, checked = entry.get("source", ""), entry.get("checked", "")
        if not source.startswith("https://"):
            sys.exit(f"{rel}: {key} needs `source`, the https URL of the AWS page its regions come from")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", checked):
            sys.exit(f"{rel}: {key} needs `checked`, the date (YYYY-MM-DD) the page was read")
        if not entry.get("partitions"):
            sys.exit(f"{rel}: {key} lists no partition: leave a service without data in `not_found`")
        for name, regions in entry["partitions"].items():
            if name not in partitions:
                sys.exit(f"{rel}: {key}: {name!r} is not a partition of botocore's endpoints.json")
            unknown = sorted(set(regions) - set(partitions[name]["regions"]))
            if unknown:
                sys.exit(f"{rel}: {key}: {unknown} are not regions of {name} in the installed botocore")
    return entries


def endpoint_prefixes(keys):
    """Which of `keys` are the endpointPrefix of some service model botocore ships."""
    import botocore.loaders

    loader = botocore.loaders.Loader()
    names = loader.list_available_services("service-2")

    def prefix(name):
        return loader.load_service_model(name, "service-2").get("metadata", {}).get("endpointPrefix")

    found = {k for k in keys if k in names and prefix(k) == k}  # usually the model's name is its prefix
    if set(keys) - found:
        found |= {prefix(n) for n in names} & set(keys)
    return found


# Endpoint keys botocore's endpoints.json lacks -> the service's name in AWS's Systems Manager public
# parameters of its global infrastructure (`/aws/service/global-infrastructure/regions/<region>/services/<name>`).
# DocumentDB elastic clusters have no name of their own there: DocumentDB's regions are an upper bound (elastic
# clusters are offered in no region DocumentDB is not), which can only make an unreachable endpoint a failure
# where it might have been "not offered", never the other way round.
SSM_NAMES = {
    "airflow-serverless": "mwaa-serverless",
    "codeconnections": "codeconnections",
    "deadline": "deadline-cloud",
    "docdb-elastic": "docdb",
    "evs": "evs",
    "imagebuilder": "imagebuilder",
    "pca-connector-ad": "pca-connector-ad",
    "pcs": "pcs",
    "rtbfabric": "rtbfabric",
    "timestream-influxdb": "timestream-influxdb",
}


def from_ssm_parameters(by_name):
    """Region rows from AWS's public SSM parameters of its global infrastructure, as moto ships a copy of them
    (`moto/ssm/resources/regions.json.gz`): key -> {source, checked, partitions}. A partition is covered only
    when the copy knows every one of its regions (a region newer than the copy stays unknown, the safe side)."""
    import gzip

    import moto

    path = os.path.join(os.path.dirname(moto.__file__), "ssm", "resources", "regions.json.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        regions = json.load(f)["aws"]["service"]["global-infrastructure"]["regions"]
    known = set(regions)
    out = {}
    for key, name in SSM_NAMES.items():
        offered = {r for r, v in regions.items() if name in v.get("services", {})}
        partitions = {
            pname: sorted(offered & set(p["regions"]))
            for pname, p in by_name.items()
            if p["regions"] and set(p["regions"]) <= known
        }
        out[key] = {
            "source": f"AWS Systems Manager public parameters /aws/service/global-infrastructure/regions/*/services/"
            f"{name} (the copy in moto {moto.__version__}: moto/ssm/resources/regions.json.gz)",
            "checked": f"moto {moto.__version__}",
            "partitions": partitions,
        }
    return out


def render(keys):
    import botocore  # the AWS CLI's and boto3's data; installed with moto

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json"), encoding="utf-8") as f:
        endpoints = json.load(f)
    partitions = sorted(endpoints["partitions"], key=lambda p: p["partition"])
    by_name = {p["partition"]: p for p in partitions}
    in_botocore = {key for p in partitions for key in p["services"]}

    supplement = {}
    for key, entry in sorted(load_supplement(by_name).items()):
        if key in in_botocore:
            print(f"note: botocore now lists {key}; its supplement entry is not used (remove it)", file=sys.stderr)
        else:
            supplement[key] = entry
    for key, entry in sorted(from_ssm_parameters(by_name).items()):
        if key not in in_botocore and key not in supplement:
            supplement[key] = entry
    not_real = sorted(set(supplement) - endpoint_prefixes(supplement))
    if not_real:
        sys.exit(f"supplement keys {not_real} are no endpointPrefix of any botocore service model")
    no_data = sorted(k for k in keys if k not in in_botocore and k not in supplement)
    unknown = sorted(set(no_data) - endpoint_prefixes(no_data))
    if unknown:
        sys.exit(
            f"sources declare service {unknown}, which is neither in botocore's endpoints.json, nor in the "
            "supplement, nor the endpointPrefix of any botocore service model: a typo?"
        )

    def rows(partition):
        name = partition["partition"]
        for key in sorted(set(keys) | set(supplement)):
            if key in supplement:
                if name in supplement[key]["partitions"]:
                    yield key, sorted(supplement[key]["partitions"][name])
            elif key in in_botocore:
                service = partition["services"].get(key, {})
                if service.get("isRegionalized") is False and service.get("partitionEndpoint"):
                    # A global service (IAM): one endpoint for the whole partition, callable from every region
                    # of it, although botocore lists no region under it.
                    yield key, sorted(partition["regions"])
                    continue
                # Keys that are not regions of the partition (`fips-us-east-1`, `aws-global`) are variants of
                # an endpoint, not places; a service the partition does not list is offered nowhere in it.
                yield key, sorted(r for r in service.get("endpoints", {}) if r in partition["regions"])

    marks = [
        f"    {json.dumps(key)}: "
        + json.dumps({"source": e["source"], "checked": e["checked"], "partitions": sorted(e["partitions"])})
        for key, e in supplement.items()
    ]
    lines = [
        "{",
        '  "generated_by": "crates/collect/tools/gen_service_regions.py",',
        f'  "botocore": {json.dumps(botocore.__version__)},',
        '  "supplement_file": "crates/collect/data/service_regions_supplement.json",',
        '  "supplement": {',
        ",\n".join(marks),
        "  },",
        f'  "no_region_data": {json.dumps(no_data)},',
        '  "partitions": {',
    ]
    if not marks:
        del lines[5]
    blocks = []
    for partition in partitions:
        services = [f"        {json.dumps(key)}: {json.dumps(offered)}" for key, offered in rows(partition)]
        blocks.append(
            "\n".join(
                [
                    f'    {json.dumps(partition["partition"])}: {{',
                    f'      "regions": {json.dumps(sorted(partition["regions"]))},',
                    '      "services": {',
                    ",\n".join(services),
                    "      }",
                    "    }",
                ]
            )
        )
    lines.append(",\n".join(blocks))
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
