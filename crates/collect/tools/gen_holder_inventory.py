#!/usr/bin/env python3
"""Writes crates/collect/data/holder_inventory.json: every member of an AWS read operation's output that
carries security group ids, names or ARNs, found in AWS's own service models (botocore's
`data/<service>/<version>/service-2.json`, the models the AWS CLI and boto3 are built from), and
docs/holders.md: that inventory against the hand-kept mapping crates/collect/data/holders.json, which says
for each entry the sgaudit source that reads it, the waiver (and its reason) that excuses it, or the gap
(the source still needed).

A member is in the inventory when it is in the output of a read operation (a name starting with Describe,
List, Get or BatchGet) of the newest API version of a service, and one of these rules holds:

  R1  its name contains "SecurityGroup" (any case): SecurityGroupIds, SecurityGroups, VpcSecurityGroupIds,
      VpcSecurityGroups, SecurityGroupArns, SecurityGroupNames, EC2SecurityGroups, DBSecurityGroups, ...
  R2  its shape's name (or, for a list or map, its element's) contains "SecurityGroup": EC2's
      `GroupId: SecurityGroupId`, `Groups: SecurityGroupIdStringList`, `GroupName: SecurityGroupName`;
  R3  in EC2, its shape is one of EC2's security-group shapes whose names do not say so: GroupIdentifier
      (GroupIdentifierList), GroupIdStringList, GroupNameStringList, UserIdGroupPair(List) (the `Groups`
      of instances, reservations and interfaces; the group references of rules);

and what it carries, through lists and maps, is a free string or a structure: enums, booleans and numbers
(`SecurityGroupReferencingSupport: enable|disable`, a count) carry no group and are left out.
Classic groups (RDS `DBSecurityGroups`, ElastiCache `CacheSecurityGroups`, Redshift
`ClusterSecurityGroups`) match R1 and are listed; the mapping says why they are no holders of VPC groups.

Each output shape is walked recursively through structures, lists and maps; a shape already on the path
is not entered again (recursive shapes), and a flagged member is not entered (its parts are the same
evidence). An entry is (service, operation, Shape.Member), with the shortest path from the output to it.

    python3 crates/collect/tools/gen_holder_inventory.py                # rewrite the data file and the doc
    python3 crates/collect/tools/gen_holder_inventory.py --stdout       # print the inventory (a test compares)
    python3 crates/collect/tools/gen_holder_inventory.py --docs-stdout  # print docs/holders.md (a test compares)
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CRATE))
DATA = os.path.join(CRATE, "data", "holder_inventory.json")
MAPPING = os.path.join(CRATE, "data", "holders.json")
DOCS = os.path.join(ROOT, "docs", "holders.md")

READ_PREFIXES = ("Describe", "List", "Get", "BatchGet")
R1 = re.compile(r"securitygroup", re.IGNORECASE)
R3_EC2_SHAPES = {
    "GroupIdentifier",
    "GroupIdentifierList",
    "GroupIdStringList",
    "GroupNameStringList",
    "UserIdGroupPair",
    "UserIdGroupPairList",
}


def element(shapes, name):
    """The shape a member finally carries, through lists and maps, and the shape names on the way."""
    names = [name]
    shape = shapes[name]
    while shape["type"] in ("list", "map"):
        name = shape["member"]["shape"] if shape["type"] == "list" else shape["value"]["shape"]
        names.append(name)
        shape = shapes[name]
    return shape, names


def flagged(service, shapes, member_name, shape_name):
    """The rule that flags a member, or None."""
    leaf, names = element(shapes, shape_name)
    if not (leaf["type"] == "structure" or (leaf["type"] == "string" and "enum" not in leaf)):
        return None
    if R1.search(member_name):
        return "R1"
    if any(R1.search(n) for n in names):
        return "R2"
    if service == "ec2" and any(n in R3_EC2_SHAPES for n in names):
        return "R3"
    return None


def walk(service, shapes, shape_name, path, stack, found):
    shape = shapes[shape_name]
    if shape_name in stack:
        return
    stack = stack | {shape_name}
    if shape["type"] == "list":
        walk(service, shapes, shape["member"]["shape"], path + "[]", stack, found)
    elif shape["type"] == "map":
        walk(service, shapes, shape["value"]["shape"], path + "{}", stack, found)
    elif shape["type"] == "structure":
        for name in sorted(shape.get("members", {})):
            target = shape["members"][name]["shape"]
            here = f"{path}.{name}" if path else name
            rule = flagged(service, shapes, name, target)
            if rule:
                key = f"{shape_name}.{name}"
                old = found.get(key)
                if old is None or (len(here), here) < (len(old["path"]), old["path"]):
                    found[key] = {"member": key, "path": here, "rule": rule}
            else:
                walk(service, shapes, target, here, stack, found)


def inventory():
    import botocore  # the AWS CLI's and boto3's data; installed with moto
    import botocore.loaders

    loader = botocore.loaders.Loader()
    services = {}
    for service in sorted(loader.list_available_services("service-2")):
        model = loader.load_service_model(service, "service-2")
        shapes = model["shapes"]
        operations = {}
        for op_name in sorted(model["operations"]):
            op = model["operations"][op_name]
            if not op_name.startswith(READ_PREFIXES) or "output" not in op:
                continue
            found = {}
            walk(service, shapes, op["output"]["shape"], "", frozenset(), found)
            if found:
                operations[op_name] = [found[k] for k in sorted(found)]
        if operations:
            services[service] = operations
    return botocore.__version__, services


def figures(services):
    members = sum(len(ms) for ops in services.values() for ms in ops.values())
    operations = sum(len(ops) for ops in services.values())
    return {"services": len(services), "operations": operations, "members": members}


def render_inventory(version, services):
    lines = [
        "{",
        '  "generated_by": "crates/collect/tools/gen_holder_inventory.py",',
        f'  "botocore": {json.dumps(version)},',
        f'  "figures": {json.dumps(figures(services))},',
        '  "services": {',
    ]
    for i, service in enumerate(services):
        lines.append(f"    {json.dumps(service)}: {{")
        ops = services[service]
        for j, op in enumerate(ops):
            lines.append(f"      {json.dumps(op)}: [")
            for k, entry in enumerate(ops[op]):
                comma = "," if k + 1 < len(ops[op]) else ""
                lines.append(f"        {json.dumps(entry)}{comma}")
            lines.append("      ]" + ("," if j + 1 < len(ops) else ""))
        lines.append("    }" + ("," if i + 1 < len(services) else ""))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def resolve(services, mapping):
    """Each inventory entry with its verdict: (service, op, entry, kind, value). Errors are for the Rust test to
    find; here an entry without exactly one mapping is reported as "unmapped"."""
    by_op = {}
    for m in mapping["entries"]:
        by_op.setdefault((m["service"], m["operation"]), []).append(m)
    rows = []
    for service, ops in services.items():
        for op, entries in ops.items():
            for entry in entries:
                hits = [
                    m for m in by_op.get((service, op), []) if "members" not in m or entry["member"] in m["members"]
                ]
                if len(hits) != 1:
                    rows.append((service, op, entry, "unmapped", "", ""))
                    continue
                m = hits[0]
                kind = next(k for k in ("source", "waiver", "gap") if k in m)
                rows.append((service, op, entry, kind, m[kind], m.get("note", "")))
    return rows


def rules():
    """The detection rules, as the docstring at the top of this script states them."""
    text = __doc__
    return text[text.index("A member is in the inventory") : text.index("\n\n    python3")].strip()


def cell(text):
    return text.replace("|", "\\|")


def render_docs(version, services, mapping):
    rows = resolve(services, mapping)
    count = {k: sum(1 for r in rows if r[3] == k) for k in ("source", "waiver", "gap", "unmapped")}
    svc = {k: len({r[0] for r in rows if r[3] == k}) for k in ("source", "waiver", "gap")}
    needed = sorted({r[4] for r in rows if r[3] == "gap"})
    f = figures(services)
    out = [
        "# What can hold a security group: AWS's models against sgaudit's sources",
        "",
        "<!-- Generated by crates/collect/tools/gen_holder_inventory.py from crates/collect/data/holder_inventory.json",
        "     and crates/collect/data/holders.json: edit holders.json, run the script, commit both. -->",
        "",
        f"AWS's service models (botocore {version}) have **{f['members']} members** in the output of "
        f"**{f['operations']} read operations** (Describe, List, Get, BatchGet) of **{f['services']} services** "
        "that carry security group ids, names or ARNs ([rules](#how-members-are-found)). Each is mapped, in "
        "`crates/collect/data/holders.json`, to exactly one of:",
        "",
        f"- **sourced: {count['source']}** members ({svc['source']} services): an sgaudit source reads it "
        "([list](#sourced));",
        f"- **waived: {count['waiver']}** members ({svc['waiver']} services): not a holder, or seen another way, "
        "for a reason given [below](#waivers);",
        f"- **gaps: {count['gap']}** members ({svc['gap']} services, {len(needed)} sources or source extensions "
        "needed): a holder no source reads yet ([list](#gaps)).",
        "",
        ("**No gap remains.** " if count["gap"] == 0 else f"**{count['gap']} gaps remain.** ")
        + "`cargo test --workspace --test collect inventory::` regenerates "
        "the inventory from the installed botocore and fails when it differs from the checked-in one, when a member "
        "is neither sourced, waived nor a gap, when a mapping names a member AWS no longer has or a source that "
        "does not exist, and when the number of gaps differs from `KNOWN_GAPS` in the test (a ratchet: a new gap "
        "is a reviewed change, a closed one lowers the number).",
        "",
    ]
    if count["unmapped"]:
        out += [f"**{count['unmapped']} members are not mapped** (the test fails): marked `UNMAPPED` below.", ""]
    if count["gap"]:
        out += [
            "Until a gap is closed, a group held only by that gap's resource, with no network interface in the "
            "group, can be called `unused`: check the [gaps](#gaps) before deleting groups in accounts that use those "
            "services.",
            "",
        ]
    out += [
        "A resource that keeps network interfaces in the VPC while it exists is seen through them "
        "(`ec2-network-interfaces`) too. Only the `run-record` waiver relies on interfaces (a run's, while it "
        "runs); no resource is waived because it keeps interfaces while it exists (an \"ENI catch-all\" waiver).",
        "",
        "## How members are found",
        "",
        "```text",
        rules(),
        "```",
        "",
        "The inventory is a lower bound: holders that name groups where no model can show it (Elastic Beanstalk's "
        "option settings, free-form key/value pairs) are read by sources outside it:",
        "",
        "| source | why it reads no member of the inventory |",
        "|---|---|",
    ]
    for sid, why in mapping.get("sources_outside_inventory", {}).items():
        out.append(f"| `{sid}` | {cell(why)} |")
    out += ["", "## Sourced", "", "| source | service | operation | members |", "|---|---|---|---|"]
    by_source = {}
    for service, op, entry, kind, value, _ in rows:
        if kind == "source":
            by_source.setdefault((value, service, op), []).append(entry["member"])
    for (sid, service, op), ms in sorted(by_source.items()):
        out.append(f"| `{sid}` | {service} | {op} | {', '.join(f'`{m}`' for m in ms)} |")
    out += ["", "## Waivers", "", "| waiver | reason | members |", "|---|---|---|"]
    for wid, reason in mapping["waivers"].items():
        n = sum(1 for r in rows if r[3] == "waiver" and r[4] == wid)
        out.append(f'| <a id="waiver-{wid}"></a>`{wid}` | {cell(reason)} | {n} |')
    out += ["", "## Gaps", "", "| service | operation | member | path | source needed |", "|---|---|---|---|---|"]
    for service, op, entry, kind, value, _ in rows:
        if kind in ("gap", "unmapped"):
            what = cell(value) if kind == "gap" else "**UNMAPPED**"
            out.append(f"| {service} | {op} | `{entry['member']}` | `{entry['path']}` | {what} |")
    out += [
        "",
        "## Every member",
        "",
        "| service | operation | member | path | rule | mapped to | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for service, op, entry, kind, value, note in rows:
        if kind == "source":
            to = f"source `{value}`"
        elif kind == "waiver":
            to = f"waiver [`{value}`](#waiver-{value})"
        elif kind == "gap":
            to = "gap"
        else:
            to = "**UNMAPPED**"
        out.append(
            f"| {service} | {op} | `{entry['member']}` | `{entry['path']}` | {entry['rule']} | {to} | {cell(note)} |"
        )
    print(
        f"botocore {version}: {f['members']} members, {f['operations']} operations, {f['services']} services; "
        f"sourced {count['source']} ({svc['source']} services), waived {count['waiver']} ({svc['waiver']} services), "
        f"gaps {count['gap']} ({svc['gap']} services, {len(needed)} sources needed), unmapped {count['unmapped']}",
        file=sys.stderr,
    )
    return "\n".join(out) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stdout", action="store_true", help="print the inventory instead of writing the files")
    parser.add_argument("--docs-stdout", action="store_true", help="print docs/holders.md instead of writing the files")
    args = parser.parse_args()
    version, services = inventory()
    if args.stdout:
        sys.stdout.write(render_inventory(version, services))
        return
    with open(MAPPING, encoding="utf-8") as f:
        mapping = json.load(f)
    if args.docs_stdout:
        sys.stdout.write(render_docs(version, services, mapping))
        return
    os.makedirs(os.path.dirname(DATA), exist_ok=True)
    with open(DATA, "w", encoding="utf-8") as f:
        f.write(render_inventory(version, services))
    os.makedirs(os.path.dirname(DOCS), exist_ok=True)
    with open(DOCS, "w", encoding="utf-8") as f:
        f.write(render_docs(version, services, mapping))
    print(f"wrote {os.path.relpath(DATA)} and {os.path.relpath(DOCS)}", file=sys.stderr)


if __name__ == "__main__":
    main()
