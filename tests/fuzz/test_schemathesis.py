"""Schemathesis over the whole API, from /openapi.json, in process: every operation fuzzed with
schema-valid and schema-violating requests, as the shop (its owner's session token) and again as
its first supplier (that supplier's API key), on each backend, with every check schemathesis has.

Nothing may answer 5xx, with a status or a content type the document does not declare for the
operation, or with a body or headers that do not match what it declares; schema-violating input
must be refused (4xx) and schema-valid input not refused for a reason the schema could have said;
an operation that wants a token must refuse a request without one, or with a wrong one; a method
a path does not have is 405 with `Allow`. (use_after_free, ensure_resource_availability and
object_level_authorization judge sequences of calls and several identities, which schemathesis's
stateful phase makes from OpenAPI links; the document has none. The tenancy sweeps in tests/api
walk every path with another tenant's objects instead.)

Path parameters are the caller's own objects (its shop or supplier, orders, dispatch orders,
cases, products, webhooks ...) three times in four, so the fuzzing gets past the tenancy checks
to the handlers; otherwise an unknown id. The world is `tests.fuzz.world`. Each operation runs
as its own Hypothesis test, derandomised, so a run is the same run every time; every failure is
collected and reported at the end, not only the first.

What is left out, and why, is said where: `_config`, `_whole_numbers`, `_negatable`,
`positive_data_acceptance` and `negative_data_rejection`. Budget: about three minutes a backend
on a 2-core machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks

from tests.fuzz.world import Caller, build

pytestmark = pytest.mark.fault

# Cases per operation, caller and phase: what the time budget allows.
EXAMPLES = {"examples": 5, "positive": 16, "negative": 8}
REAL_SHARE = 3  # in 4: how often a path parameter is the caller's own object


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict({"generation": {
        # Unknown query parameters and headers are ignored, as HTTP APIs do: adding them does
        # not make a request invalid here.
        "allow-extra-parameters": False,
        # Every request carries the caller's real token (the ignored_auth check still sends
        # each authenticated operation without it and with a wrong one); a generated
        # Authorization header would only be replaced.
        "with-security-parameters": False,
    }})


# Unknown ids past what a 64-bit column holds, beside the ones schemathesis makes up (which
# stay small): a path id goes to the database, which would refuse them.
EDGE_IDS = (str(2**64), str(-(2**64)))


def _id_of(caller: Caller, name: str, generated: Any) -> Any:
    """The caller's own object most of the time, else an unknown id."""
    real = caller.values[name]
    unknown = [generated, *EDGE_IDS] if all(v.isdigit() for v in real) else [generated]
    return st.integers(0, REAL_SHARE).flatmap(
        lambda i: st.sampled_from(unknown) if i == 0 else st.sampled_from(real))


def _own_ids(caller: Caller, strategy: Any) -> Any:
    """Path parameters, each replaced by one of the caller's real values most of the time."""

    def overlay(params: Any) -> Any:
        if not isinstance(params, dict):  # a negated path: keep it as schemathesis made it
            return st.just(params)
        choices = {name: _id_of(caller, name, value)
                   for name, value in params.items() if name in caller.values}
        return st.fixed_dictionaries(choices).map(lambda real: {**params, **real})

    return strategy.flatmap(overlay)


def _negatable(operation: Any) -> bool:
    """Whether a schema-violating request exists: any text is a valid path segment, so an
    operation with only free-form text in its path has none (Hypothesis would search for one
    until it gave up)."""
    if operation.body or operation.query or operation.headers:
        return True
    return any(param.definition.get("schema", {}).get("type") != "string"
               or "enum" in param.definition.get("schema", {})
               for param in operation.path_parameters)


def _whole_numbers(value: Any) -> Any:
    """3.0 as 3: JSON Schema counts 3.0 as an integer, the API refuses it where a count, price
    or id belongs (docs/api.md, "What no input may hold"), so a schema-valid case may not send
    it. A non-integral number, which is what a negative case sends, is left alone."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    return value


def _schema(app: FastAPI, caller: Caller) -> Any:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=_config())

    @schema.hook
    def before_generate_path_parameters(context: Any, strategy: Any) -> Any:
        return _own_ids(caller, strategy)

    @schema.hook
    def map_body(context: Any, body: Any) -> Any:
        return _whole_numbers(body)

    return schema


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# Validation errors no JSON Schema can state: a validator's own rule (a phone number that is no
# phone number) and the range of times the hub stores (kit.inputs.Instant).
BEYOND_SCHEMA = frozenset({"value_error", "date_out_of_range"})


def _trimmed_away(case: Any, error: dict[str, Any]) -> bool:
    """Text too short once trimmed: the input models strip surrounding whitespace before they
    count (a carrier of "\\r" is empty), which a JSON Schema length cannot say."""
    if error.get("type") != "string_too_short" or error.get("loc", [None])[0] != "body":
        return False
    value: Any = case.body
    for part in error["loc"][1:]:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return False
    return isinstance(value, str) and value.strip() != value


def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis's check, less the refusals the API documents beyond its schema (docs/api.md,
    the 422 row): a 422 with a domain code (`INVALID_SUPPLIER_ID`, `UNKNOWN_CARRIER`,
    `INVALID_CURSOR`, `INVALID_TEXT` for a NUL ...), one a domain rule raised (no `errors`: "name,
    phone or address" to change a recipient), or one whose every error is a rule of the hub's
    own validators (`BEYOND_SCHEMA`). A 422 for a bound, a length, a type or a pattern is still a
    failure: the document should have said so."""
    problem = _problem(response)
    if response.status_code == 422 and problem:
        errors = problem.get("errors")
        if problem.get("code") != "VALIDATION_FAILED" or errors is None:
            return True
        if all(error.get("type") in BEYOND_SCHEMA or _trimmed_away(case, error)
               for error in errors):
            return True
    result: bool | None = checks.positive_data_acceptance(ctx, response, case)
    return result


def _file_went_as_a_file(case: Any, response: Any) -> bool:
    """A negative case whose `file` is no string (true, 3) but went out as a file part anyway:
    its bytes are then "true" or "3", which is a valid file, not the schema violation meant."""
    body = response.request.body
    sent = body if isinstance(body, bytes) else str(body or "").encode()
    return (str(case.media_type or "").startswith("multipart/form-data")
            and isinstance(case.body, dict) and "file" in case.body
            and not isinstance(case.body["file"], str | bytes)
            and b'name="file"; filename=' in sent)


def negative_data_rejection(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis's check, less a violation that did not survive being sent
    (`_file_went_as_a_file`): a background upload queues such a file (202) for the worker to
    read, as it would any other."""
    if 200 <= response.status_code < 300 and _file_went_as_a_file(case, response):
        return True
    result: bool | None = checks.negative_data_rejection(ctx, response, case)
    return result


def _phases(operation: Any) -> dict[str, tuple[Any, int]]:
    """What to send, by phase: the examples in the document, then made-up schema-valid
    requests, then schema-violating ones where there can be any."""
    phases: dict[str, tuple[Any, int]] = {}
    examples = operation.get_strategies_from_examples()
    if examples:
        phases["examples"] = (st.one_of(examples), EXAMPLES["examples"])
    phases["positive"] = (operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                          EXAMPLES["positive"])
    if _negatable(operation):
        phases["negative"] = (operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
                              EXAMPLES["negative"])
    return phases


def _run(strategy: Any, examples: int, caller: Caller) -> Callable[[], None]:
    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # slow generation is no failure here
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(headers=caller.headers,
                               excluded_checks=[checks.positive_data_acceptance,
                                                checks.negative_data_rejection],
                               additional_checks=[positive_data_acceptance,
                                                  negative_data_rejection])

    return run


def _fuzz(operation: Any, caller: Caller) -> list[str]:
    """The failures of one operation, each as schemathesis reports it."""
    failures = []
    for phase, (strategy, examples) in _phases(operation).items():
        try:
            _run(strategy, examples, caller)()
        except FailureGroup as group:
            failures.append(f"{operation.label} [{phase}]\n{str(group)[:3000]}")
        except Exception as exc:  # a Flaky or an error in the test itself, still a finding
            failures.append(f"{operation.label} [{phase}]\n{type(exc).__name__}: "
                            f"{str(exc)[:3000]}")
    return failures


@pytest.mark.parametrize("role", ["shop", "supplier"])
def test_the_whole_api_holds_to_its_openapi_document(app: FastAPI, client: TestClient,
                                                     role: str) -> None:
    caller = build(client)[role]
    schema = _schema(app, caller)
    failures: list[str] = []
    fuzzed = 0
    for result in schema.get_all_operations():
        caller.renew(client)
        failures += _fuzz(result.ok(), caller)
        fuzzed += 1
    assert fuzzed >= 130
    assert not failures, f"{len(failures)} failing:\n\n" + "\n\n".join(failures)
