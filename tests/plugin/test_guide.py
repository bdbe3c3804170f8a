"""Every example of docs/testing-your-integration.md runs as written: each ``python`` block is a test file, and
all of them run in one fresh pytest process, as a partner would run them after installing linksim."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).parents[2] / "docs" / "testing-your-integration.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def guide_examples() -> list[str]:
    return PYTHON_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def count_tests(source: str) -> int:
    return sum(isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
               for node in ast.parse(source).body)


def test_every_python_block_of_the_guide_is_a_test_file() -> None:
    examples = guide_examples()
    assert len(examples) >= 7
    assert all(count_tests(example) for example in examples), "a python block with no test would never run"


def test_the_guides_examples_pass(pytester: pytest.Pytester) -> None:
    examples = guide_examples()
    pytester.makepyfile(**{f"test_guide_{n}": example for n, example in enumerate(examples, 1)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error")
    # The examples are not parametrized: one test function is one test.
    result.assert_outcomes(passed=sum(count_tests(example) for example in examples))
