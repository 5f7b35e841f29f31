"""Every vector file validates against schema/vectors.schema.json."""
import json
from pathlib import Path

import jsonschema
import pytest

VECTORS = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((VECTORS / "schema" / "vectors.schema.json").read_text())
FILES = sorted(VECTORS.glob("*.json"))


def test_there_are_vector_files():
    assert len(FILES) >= 3


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_matches_schema(path):
    jsonschema.validate(json.loads(path.read_text()), SCHEMA)


def test_schema_rejects_a_broken_vector():
    doc = json.loads((VECTORS / "negative.json").read_text())
    doc["vectors"][0]["expected_error"] = "not_a_code"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)
