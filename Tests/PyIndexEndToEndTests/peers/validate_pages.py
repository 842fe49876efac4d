"""Validates JSON pages against simple_api_schema.json (PEP 691 with 700, 714, 740, 792), with
the jsonschema library. argv: the pages. Prints "valid N" or every error, exit 1."""
import json
import os
import sys

import jsonschema

with open(os.path.join(os.path.dirname(__file__), "simple_api_schema.json")) as f:
    schema = json.load(f)
validator = jsonschema.Draft202012Validator(schema)
errors = []
for path in sys.argv[1:]:
    with open(path) as f:
        page = json.load(f)
    errors += ["%s: %s" % (path, e.message) for e in validator.iter_errors(page)]
if errors:
    print("\n".join(errors))
    sys.exit(1)
print("valid %d" % len(sys.argv[1:]))
